//! The legacy `machine.network` section: interfaces, bonds, bridges, VLANs, routes, WireGuard,
//! virtual IPs, resolvers, static hosts and KubeSpan, all in one place. In: the YAML mapping under
//! `machine.network`. Out: [`NetworkConfig`] and its parts.
//!
//! Talos still reads all of it, but from v1.12 on the same settings are written as separate
//! documents (LinkConfig, BondConfig, VLANConfig, Layer2VIPConfig, ResolverConfig,
//! StaticHostConfig, HostnameConfig, KubeSpanConfig, ...).

use schemars::JsonSchema;

use crate::net;
use serde::{Deserialize, Serialize};

use super::common::{DURATION_PATTERN, Flag};

/// Legacy network settings of the node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.NetworkConfig")]
pub struct NetworkConfig {
    /// The node's hostname; use a `HostnameConfig` document instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.12", "x-talos-replaced-by" = "HostnameConfig"))]
    pub hostname: Option<String>,
    /// Per-interface settings: addresses, routes, DHCP, bonds, bridges, VLANs, WireGuard and
    /// virtual IPs. Entries are matched by `interface` or `deviceSelector` when patches merge.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.12", "x-talos-replaced-by" = "LinkConfig"))]
    pub interfaces: Option<Vec<Device>>,
    /// DNS servers to use instead of those learned from DHCP or the platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.12", "x-talos-replaced-by" = "ResolverConfig"))]
    #[schemars(inner(regex(pattern = net::IP)))]
    pub nameservers: Option<Vec<String>>,
    /// DNS search domains.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.12", "x-talos-replaced-by" = "ResolverConfig"))]
    pub search_domains: Option<Vec<String>>,
    /// Extra lines for `/etc/hosts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.12", "x-talos-replaced-by" = "StaticHostConfig"))]
    pub extra_host_entries: Option<Vec<ExtraHost>>,
    /// KubeSpan, the WireGuard mesh between cluster members; use a `KubeSpanConfig` document.
    #[serde(rename = "kubespan", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.13", "x-talos-replaced-by" = "KubeSpanConfig"))]
    pub kube_span: Option<NetworkKubeSpan>,
    /// Do not derive a search domain from the node's domain name.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.12", "x-talos-replaced-by" = "ResolverConfig"))]
    pub disable_search_domain: Option<Flag>,
}

/// Settings of one network interface.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.Device")]
pub struct Device {
    /// Interface name, such as `eth0` or `bond0`; excludes `deviceSelector`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    /// Pick the interface by its properties instead of its name; excludes `interface`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_selector: Option<NetworkDeviceSelector>,
    /// Static addresses, in CIDR notation or as bare addresses (a full-length prefix is
    /// assumed).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = net::IP_OR_CIDR)))]
    pub addresses: Option<Vec<String>>,
    /// Single static address in CIDR notation; superseded by `addresses`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("deprecated" = true))]
    #[schemars(regex(pattern = net::IP_OR_CIDR))]
    pub cidr: Option<String>,
    /// Routes through this interface, added to any that DHCP provides.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<Route>>,
    /// Make this interface a bond of other links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bond: Option<Bond>,
    /// Make this interface a bridge over other links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bridge: Option<Bridge>,
    /// Attach this interface to a bridge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bridge_port: Option<BridgePort>,
    /// VLANs on top of this interface; patches merge entries by `vlanId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vlans: Option<Vec<Vlan>>,
    /// MTU of the interface; wins over the MTU DHCP offers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Configure the interface with DHCP (routes, DNS servers, search list and hostname are
    /// taken from the lease).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dhcp: Option<Flag>,
    /// Leave this interface alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore: Option<Flag>,
    /// Create this interface as a virtual dummy link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dummy: Option<Flag>,
    /// DHCP client settings; only used when `dhcp` is true.
    #[serde(rename = "dhcpOptions", skip_serializing_if = "Option::is_none")]
    pub dhcp_options: Option<DHCPOptions>,
    /// Make this interface a WireGuard tunnel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wireguard: Option<DeviceWireguardConfig>,
    /// A virtual IP shared by the control-plane nodes and held by one of them at a time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vip: Option<DeviceVIPConfig>,
}

/// Properties a network link must have to be picked. Text fields accept `*` wildcards.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.NetworkDeviceSelector")]
pub struct NetworkDeviceSelector {
    /// PCI or USB bus path prefix, such as `00:*`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bus_path: Option<String>,
    /// Current MAC address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hardware_addr: Option<String>,
    /// Permanent MAC address, which stays the same when the link joins a bond (prefer it for
    /// bond members).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permanent_addr: Option<String>,
    /// PCI vendor and product ID, as `vendor:product`.
    #[serde(rename = "pciID", skip_serializing_if = "Option::is_none")]
    pub pci_id: Option<String>,
    /// Kernel driver name, such as `virtio_net`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// Only match physical links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical: Option<Flag>,
}

/// DHCP client settings of an interface.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.DHCPOptions")]
pub struct DHCPOptions {
    /// Metric given to every route learned from DHCP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_metric: Option<u32>,
    /// Run DHCPv4 (on by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv4: Option<Flag>,
    /// Run DHCPv6 (off by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6: Option<Flag>,
    /// Client DUID for DHCPv6, as a hex string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duidv6: Option<String>,
}

/// WireGuard settings of an interface.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.DeviceWireguardConfig")]
pub struct DeviceWireguardConfig {
    /// The interface's private key, base64 (as printed by `wg genkey`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_key: Option<String>,
    /// UDP port to listen on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen_port: Option<u16>,
    /// Firewall mark put on outgoing packets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firewall_mark: Option<u32>,
    /// The peers of this interface.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peers: Option<Vec<DeviceWireguardPeer>>,
}

/// One WireGuard peer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.DeviceWireguardPeer")]
pub struct DeviceWireguardPeer {
    /// The peer's public key, base64.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// Where to reach the peer, as `host:port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// How often to send keepalive packets, as a duration such as `25s`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = DURATION_PATTERN))]
    pub persistent_keepalive_interval: Option<String>,
    /// Networks (CIDR) routed to this peer and accepted from it.
    #[serde(rename = "allowedIPs", skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = net::CIDR)))]
    pub allowed_ips: Option<Vec<String>>,
}

/// A shared virtual IP on an interface.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.DeviceVIPConfig")]
pub struct DeviceVIPConfig {
    /// The virtual IP address.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = net::IP))]
    pub ip: Option<String>,
    /// Move the address through the Equinix Metal API instead of gratuitous ARP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equinix_metal: Option<VIPApiToken>,
    /// Move the address through the Hetzner Cloud API instead of gratuitous ARP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hcloud: Option<VIPApiToken>,
}

/// Credentials for a cloud API that moves a virtual IP.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.VIPApiToken")]
pub struct VIPApiToken {
    /// API token of the cloud account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_token: Option<String>,
}

/// Bond settings. Apart from the member selection, the fields are the Linux bonding driver
/// options of the same name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.Bond")]
pub struct Bond {
    /// Names of the member links; excludes `deviceSelectors`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interfaces: Option<Vec<String>>,
    /// Pick the member links by their properties; excludes `interfaces`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_selectors: Option<Vec<NetworkDeviceSelector>>,
    /// ARP monitoring targets (`arp_ip_target`).
    #[serde(rename = "arpIPTarget", skip_serializing_if = "Option::is_none")]
    pub arp_ip_target: Option<Vec<String>>,
    /// Bonding mode, such as `802.3ad`, `active-backup` or `balance-rr`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Transmit hash policy (`xmit_hash_policy`), such as `layer3+4`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xmit_hash_policy: Option<String>,
    /// LACPDU rate (`lacp_rate`): `slow` or `fast`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lacp_rate: Option<String>,
    /// 802.3ad system MAC address (`ad_actor_system`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ad_actor_system: Option<String>,
    /// ARP validation mode (`arp_validate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arp_validate: Option<String>,
    /// Which ARP targets must answer (`arp_all_targets`): `any` or `all`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arp_all_targets: Option<String>,
    /// Preferred member link (`primary`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<String>,
    /// When the primary link becomes active again (`primary_reselect`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_reselect: Option<String>,
    /// MAC address policy on failover (`fail_over_mac`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_over_mac: Option<String>,
    /// 802.3ad aggregator selection logic (`ad_select`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ad_select: Option<String>,
    /// Link monitoring interval in milliseconds (`miimon`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub miimon: Option<u32>,
    /// Delay in milliseconds before enabling a recovered link (`updelay`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updelay: Option<u32>,
    /// Delay in milliseconds before disabling a failed link (`downdelay`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub downdelay: Option<u32>,
    /// ARP monitoring interval in milliseconds (`arp_interval`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arp_interval: Option<u32>,
    /// IGMP reports sent after a failover (`resend_igmp`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resend_igmp: Option<u32>,
    /// Minimum number of active links for the bond to be up (`min_links`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_links: Option<u32>,
    /// Seconds between learning packets (`lp_interval`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lp_interval: Option<u32>,
    /// Packets sent through a link before moving on, in balance-rr mode (`packets_per_slave`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packets_per_slave: Option<u32>,
    /// Peer notifications sent after a failover (`num_peer_notif`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_peer_notif: Option<u8>,
    /// Dynamic load balancing in balance-tlb mode (`tlb_dynamic_lb`), 0 or 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tlb_dynamic_lb: Option<u8>,
    /// Deliver duplicate frames received on inactive links (`all_slaves_active`), 0 or 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_slaves_active: Option<u8>,
    /// Use the carrier state for link monitoring (`use_carrier`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_carrier: Option<Flag>,
    /// 802.3ad system priority (`ad_actor_sys_prio`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ad_actor_sys_prio: Option<u16>,
    /// 802.3ad user port key (`ad_user_port_key`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ad_user_port_key: Option<u16>,
    /// Delay in milliseconds between peer notifications (`peer_notif_delay`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer_notify_delay: Option<u32>,
}

/// Bridge settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.Bridge")]
pub struct Bridge {
    /// Names of the links attached to the bridge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interfaces: Option<Vec<String>>,
    /// Spanning Tree Protocol settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stp: Option<BridgeSTP>,
    /// VLAN awareness settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vlan: Option<BridgeVLAN>,
}

/// Spanning Tree Protocol settings of a bridge.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.BridgeSTP")]
pub struct BridgeSTP {
    /// Run STP on the bridge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<Flag>,
}

/// VLAN settings of a bridge.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.BridgeVLAN")]
pub struct BridgeVLAN {
    /// Filter frames by VLAN on the bridge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vlan_filtering: Option<Flag>,
}

/// Attachment of an interface to a bridge.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.BridgePort")]
pub struct BridgePort {
    /// Name of the bridge to join.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master: Option<String>,
}

/// A VLAN on top of an interface.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.Vlan")]
pub struct Vlan {
    /// Static addresses in CIDR notation or as bare addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = net::IP_OR_CIDR)))]
    pub addresses: Option<Vec<String>>,
    /// Single static address in CIDR notation; superseded by `addresses`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("deprecated" = true))]
    #[schemars(regex(pattern = net::IP_OR_CIDR))]
    pub cidr: Option<String>,
    /// Routes through the VLAN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<Route>>,
    /// Configure the VLAN with DHCP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dhcp: Option<Flag>,
    /// VLAN ID (1 to 4094).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vlan_id: Option<u16>,
    /// MTU of the VLAN link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// A shared virtual IP on the VLAN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vip: Option<DeviceVIPConfig>,
    /// DHCP client settings; only used when `dhcp` is true.
    #[serde(rename = "dhcpOptions", skip_serializing_if = "Option::is_none")]
    pub dhcp_options: Option<DHCPOptions>,
}

/// A static route.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.Route")]
pub struct Route {
    /// Destination network in CIDR notation; `0.0.0.0/0` for a default route.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = net::ROUTE_NETWORK))]
    pub network: Option<String>,
    /// Next hop; when empty the route is scoped to the link.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = net::OPTIONAL_IP))]
    pub gateway: Option<String>,
    /// Preferred source address of packets using the route.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = net::OPTIONAL_IP))]
    pub source: Option<String>,
    /// Route priority; lower wins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric: Option<u32>,
    /// MTU for packets using the route.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
}

/// A line of `/etc/hosts`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.ExtraHost")]
pub struct ExtraHost {
    /// The address.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = net::IP))]
    pub ip: Option<String>,
    /// Names that resolve to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aliases: Option<Vec<String>>,
}

/// Legacy KubeSpan settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.NetworkKubeSpan")]
pub struct NetworkKubeSpan {
    /// Join the KubeSpan mesh; needs `cluster.discovery.enabled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<Flag>,
    /// Carry pod-to-pod traffic over KubeSpan by announcing this node's pod CIDRs. Leave off
    /// when the CNI does its own IP address management outside Kubernetes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advertise_kubernetes_networks: Option<Flag>,
    /// Send traffic directly when the WireGuard connection to a peer is down, instead of
    /// dropping it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_down_peer_bypass: Option<Flag>,
    /// Publish extra endpoints learned from WireGuard peers; avoid with more than about 50
    /// peers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub harvest_extra_endpoints: Option<Flag>,
    /// MTU of the KubeSpan link (1420 by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Which of this node's addresses are offered to peers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filters: Option<KubeSpanFilters>,
}

/// Address filters of KubeSpan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.KubeSpanFilters")]
pub struct KubeSpanFilters {
    /// Subnets whose addresses are advertised as endpoints; `!` excludes, as in
    /// `["0.0.0.0/0", "!192.168.0.0/16", "::/0"]`. Everything is advertised by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = net::SUBNET_FILTER)))]
    pub endpoints: Option<Vec<String>>,
    /// Networks (CIDR) this node does not announce over KubeSpan; they must stay reachable
    /// some other way.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-since" = "v1.13"))]
    #[schemars(inner(regex(pattern = net::CIDR)))]
    pub exclude_advertised_networks: Option<Vec<String>>,
}

//! Network link documents: physical links and aliases, bonds, bridges, VLANs, VRFs, dummy, veth
//! and WireGuard links, Ethernet driver settings, and the address and route entries they share.
//! In: YAML documents of those kinds. Out: typed values and their JSON schemas.

use std::collections::BTreeMap;

use schemars::JsonSchema;

use crate::net;
use serde::{Deserialize, Serialize};

use super::*;

kind_tag!(BondConfigKind, "BondConfig");
kind_tag!(BridgeConfigKind, "BridgeConfig");
kind_tag!(DummyLinkConfigKind, "DummyLinkConfig");
kind_tag!(EthernetConfigKind, "EthernetConfig");
kind_tag!(LinkAliasConfigKind, "LinkAliasConfig");
kind_tag!(LinkConfigKind, "LinkConfig");
kind_tag!(VLANConfigKind, "VLANConfig");
kind_tag!(VRFConfigKind, "VRFConfig");
kind_tag!(VethConfigKind, "VethConfig");
kind_tag!(WireguardConfigKind, "WireguardConfig");

/// A static address on a link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AddressConfig {
    /// Address with prefix length, for example `192.168.1.10/24`.
    #[schemars(regex(pattern = net::CIDR))]
    pub address: String,
    /// Metric of the routes created for this address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_priority: Option<u32>,
}

/// Creates a bond (link aggregation) over several links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct BondConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `BondConfig`.
    pub kind: BondConfigKind,
    /// Name of the bond interface to create, for example `bond0`.
    pub name: String,
    /// MAC address to give the link instead of the one the kernel picks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[0-9a-fA-F:]+$"))]
    pub hardware_addr: Option<String>,
    /// Member links (names or aliases).
    pub links: Vec<String>,
    /// Bonding mode.
    pub bond_mode: BondMode,
    /// MII link monitoring interval, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub miimon: Option<u32>,
    /// Delay before a recovered member is used again, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updelay: Option<u32>,
    /// Delay before a failed member is dropped, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downdelay: Option<u32>,
    /// Let MII monitoring use the carrier state reported by the driver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_carrier: Option<bool>,
    /// Hash policy that picks the member for each outgoing flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xmit_hash_policy: Option<XmitHashPolicy>,
    /// ARP monitoring interval, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arp_interval: Option<u32>,
    /// IPv4 targets probed by ARP monitoring (at most 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = net::IP)))]
    pub arp_ip_targets: Option<Vec<String>>,
    /// IPv6 targets probed with neighbour solicitations (at most 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = net::IP)))]
    pub ns_ip6_targets: Option<Vec<String>>,
    /// Which members validate ARP probes and replies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arp_validate: Option<ArpValidate>,
    /// Whether any or all ARP targets must answer for a member to count as up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arp_all_targets: Option<ArpAllTargets>,
    /// How often the partner is asked to send LACPDUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lacp_rate: Option<LacpRate>,
    /// How MAC addresses are handled on failover in active-backup mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_over_mac: Option<FailOverMac>,
    /// 802.3ad aggregator selection policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ad_select: Option<AdSelect>,
    /// 802.3ad actor system priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ad_actor_sys_prio: Option<u32>,
    /// 802.3ad user port key (upper 10 bits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ad_user_port_key: Option<u32>,
    /// Whether LACPDUs are sent periodically in 802.3ad mode (`on` by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "adLACPActive")]
    pub ad_lacp_active: Option<AdLacpActive>,
    /// Member preferred as the active one whenever it is up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-since" = "v1.15"))]
    pub primary: Option<String>,
    /// When the primary member takes over again after it recovers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_reselect: Option<PrimaryReselect>,
    /// IGMP membership reports sent after a failover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "resendIGMP")]
    pub resend_igmp: Option<u32>,
    /// Members that must be up for the bond to be up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_links: Option<u32>,
    /// Seconds between learning packets sent to each member's switch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lp_interval: Option<u32>,
    /// Packets sent on a member before moving to the next (balance-rr).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packets_per_slave: Option<u32>,
    /// Gratuitous ARPs and unsolicited neighbour advertisements sent after a failover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_peer_notif: Option<u32>,
    /// Dynamically shuffle flows in balance-tlb and balance-alb modes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tlb_logical_lb: Option<u32>,
    /// Deliver (1) or drop (0) duplicate frames received on inactive members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_slaves_active: Option<u32>,
    /// Delay between peer notifications, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_notif_delay: Option<u32>,
    /// Failed ARP monitor checks before a member is marked down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missed_max: Option<u32>,
    /// Whether the link is brought up (the default) or kept down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up: Option<bool>,
    /// Maximum transmission unit of the link, in bytes; the kernel default (usually 1500) when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Static addresses assigned to the link, each with its prefix length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<AddressConfig>>,
    /// Static routes created through the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<RouteConfig>>,
    /// Whether the link has multicast enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multicast: Option<bool>,
}

/// Creates a bridge over several links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct BridgeConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `BridgeConfig`.
    pub kind: BridgeConfigKind,
    /// Name of the bridge interface to create, for example `br0`.
    pub name: String,
    /// MAC address to give the link instead of the one the kernel picks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[0-9a-fA-F:]+$"))]
    pub hardware_addr: Option<String>,
    /// Ports of the bridge (link names or aliases).
    pub links: Vec<String>,
    /// Spanning Tree Protocol settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stp: Option<BridgeSTPConfig>,
    /// VLAN settings of the bridge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan: Option<BridgeVLANConfig>,
    /// Whether the link is brought up (the default) or kept down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up: Option<bool>,
    /// Maximum transmission unit of the link, in bytes; the kernel default (usually 1500) when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Static addresses assigned to the link, each with its prefix length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<AddressConfig>>,
    /// Static routes created through the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<RouteConfig>>,
    /// Whether the link has multicast enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multicast: Option<bool>,
}

/// Spanning Tree settings of a bridge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BridgeSTPConfig {
    /// Run STP on the bridge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// VLAN settings of a bridge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BridgeVLANConfig {
    /// Filter frames by VLAN on the bridge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filtering: Option<bool>,
}

/// Creates a dummy link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct DummyLinkConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `DummyLinkConfig`.
    pub kind: DummyLinkConfigKind,
    /// Name of the dummy interface to create.
    pub name: String,
    /// MAC address to give the link instead of the one the kernel picks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[0-9a-fA-F:]+$"))]
    pub hardware_addr: Option<String>,
    /// Whether the link is brought up (the default) or kept down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up: Option<bool>,
    /// Maximum transmission unit of the link, in bytes; the kernel default (usually 1500) when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Static addresses assigned to the link, each with its prefix length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<AddressConfig>>,
    /// Static routes created through the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<RouteConfig>>,
    /// Whether the link has multicast enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multicast: Option<bool>,
}

/// Queue channel counts of an Ethernet device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EthernetChannelsConfig {
    /// Receive-only channels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rx: Option<u32>,
    /// Transmit-only channels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx: Option<u32>,
    /// Other (link interrupt) channels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<u32>,
    /// Combined receive/transmit channels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combined: Option<u32>,
}

/// Driver-level (ethtool) settings of an Ethernet device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EthernetConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `EthernetConfig`.
    pub kind: EthernetConfigKind,
    /// Interface (or alias) the settings apply to.
    pub name: String,
    /// Driver features to switch on or off, by ethtool feature name (see `talosctl get
    /// ethernetstatus`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<BTreeMap<String, bool>>,
    /// Ring buffer sizes, like `ethtool -G`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rings: Option<EthernetRingsConfig>,
    /// Queue channel counts, like `ethtool -L`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<EthernetChannelsConfig>,
    /// Wake-on-LAN modes to enable; an empty list disables it, leaving it out changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wake_on_lan: Option<Vec<String>>,
}

/// Ring buffer settings of an Ethernet device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EthernetRingsConfig {
    /// Receive ring size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rx: Option<u32>,
    /// Transmit ring size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx: Option<u32>,
    /// Receive mini ring size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "rx-mini")]
    pub rx_mini: Option<u32>,
    /// Receive jumbo ring size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "rx-jumbo")]
    pub rx_jumbo: Option<u32>,
    /// Receive buffer length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "rx-buf-len")]
    pub rx_buf_len: Option<u32>,
    /// Completion queue entry size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "cqe-size")]
    pub cqe_size: Option<u32>,
    /// Enable transmit push.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "tx-push")]
    pub tx_push: Option<bool>,
    /// Enable receive push.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "rx-push")]
    pub rx_push: Option<bool>,
    /// Transmit push buffer length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "tx-push-buf-len")]
    pub tx_push_buf_len: Option<u32>,
    /// Enable TCP header/data split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "tcp-data-split")]
    pub tcp_data_split: Option<bool>,
}

/// Gives a physical link, picked by a selector, a stable alias.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct LinkAliasConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `LinkAliasConfig`.
    pub kind: LinkAliasConfigKind,
    /// Alias to give the link (not a kernel name like `eth0`); a format verb like `net%d` numbers
    /// several matches.
    pub name: String,
    /// Which link (or links) get the alias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LinkSelector>,
}

/// Addresses, routes and settings of a physical link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct LinkConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `LinkConfig`.
    pub kind: LinkConfigKind,
    /// Interface (or alias) to configure.
    pub name: String,
    /// Whether the link is brought up (the default) or kept down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up: Option<bool>,
    /// Maximum transmission unit of the link, in bytes; the kernel default (usually 1500) when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Static addresses assigned to the link, each with its prefix length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<AddressConfig>>,
    /// Static routes created through the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<RouteConfig>>,
    /// Whether the link has multicast enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multicast: Option<bool>,
}

/// Picks links with a CEL expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LinkSelector {
    /// CEL expression evaluated against each link (variable `link`), for example
    /// `link.permanent_addr == "00:11:22:33:44:55"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#match: Option<String>,
}

/// A static route through a link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouteConfig {
    /// Destination prefix; a default route for the gateway's family when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = net::CIDR))]
    pub destination: Option<String>,
    /// Next-hop address; a link-scope route when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = net::IP))]
    pub gateway: Option<String>,
    /// Preferred source address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = net::IP))]
    pub source: Option<String>,
    /// Metric of the route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<u32>,
    /// MTU of the route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Routing table; `main` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
}

/// Creates a VLAN link on a parent link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct VLANConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `VLANConfig`.
    pub kind: VLANConfigKind,
    /// Name of the VLAN interface to create, for example `eth0.100`.
    pub name: String,
    /// VLAN ID (1 to 4094).
    #[serde(rename = "vlanID")]
    pub vlan_id: u16,
    /// VLAN protocol; `802.1q` by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan_mode: Option<VlanMode>,
    /// Parent link (or alias).
    pub parent: String,
    /// Whether the link is brought up (the default) or kept down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up: Option<bool>,
    /// Maximum transmission unit of the link, in bytes; the kernel default (usually 1500) when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Static addresses assigned to the link, each with its prefix length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<AddressConfig>>,
    /// Static routes created through the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<RouteConfig>>,
    /// Whether the link has multicast enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multicast: Option<bool>,
}

/// Creates a VRF and moves links into it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.13"))]
pub struct VRFConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `VRFConfig`.
    pub kind: VRFConfigKind,
    /// Name of the VRF interface to create.
    pub name: String,
    /// MAC address to give the link instead of the one the kernel picks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[0-9a-fA-F:]+$"))]
    pub hardware_addr: Option<String>,
    /// Links (or aliases) enslaved to the VRF.
    pub links: Vec<String>,
    /// Routing table of the VRF.
    pub table: String,
    /// Whether the link is brought up (the default) or kept down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up: Option<bool>,
    /// Maximum transmission unit of the link, in bytes; the kernel default (usually 1500) when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Static addresses assigned to the link, each with its prefix length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<AddressConfig>>,
    /// Static routes created through the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<RouteConfig>>,
    /// Whether the link has multicast enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multicast: Option<bool>,
}

/// Creates a veth pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct VethConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `VethConfig`.
    pub kind: VethConfigKind,
    /// Kernel name of this end of the pair (aliases are not allowed).
    pub name: String,
    /// The other end of the pair.
    pub peer: VethPeerConfig,
    /// Whether the link is brought up (the default) or kept down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up: Option<bool>,
    /// Maximum transmission unit of the link, in bytes; the kernel default (usually 1500) when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Static addresses assigned to the link, each with its prefix length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<AddressConfig>>,
    /// Static routes created through the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<RouteConfig>>,
    /// Whether the link has multicast enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multicast: Option<bool>,
}

/// The peer end of a veth pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VethPeerConfig {
    /// Kernel name of the peer end.
    pub name: String,
    /// Whether the link is brought up (the default) or kept down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up: Option<bool>,
    /// Maximum transmission unit of the link, in bytes; the kernel default (usually 1500) when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Static addresses assigned to the link, each with its prefix length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<AddressConfig>>,
    /// Static routes created through the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<RouteConfig>>,
    /// Whether the link has multicast enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multicast: Option<bool>,
}

/// Creates a WireGuard link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct WireguardConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `WireguardConfig`.
    pub kind: WireguardConfigKind,
    /// Name of the WireGuard interface to create.
    pub name: String,
    /// Private key (base64, as printed by `wg genkey`).
    pub private_key: String,
    /// UDP port to listen on; random when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen_port: Option<u16>,
    /// Firewall mark set on the tunnel's outgoing packets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firewall_mark: Option<u32>,
    /// Peers of the interface.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peers: Option<Vec<WireguardPeer>>,
    /// Whether the link is brought up (the default) or kept down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up: Option<bool>,
    /// Maximum transmission unit of the link, in bytes; the kernel default (usually 1500) when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Static addresses assigned to the link, each with its prefix length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<AddressConfig>>,
    /// Static routes created through the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<RouteConfig>>,
    /// Whether the link has multicast enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multicast: Option<bool>,
}

/// One WireGuard peer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WireguardPeer {
    /// Public key of the peer (base64).
    pub public_key: String,
    /// Optional preshared key (base64, from `wg genpsk`) for extra symmetric encryption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preshared_key: Option<String>,
    /// `host:port` of the peer; leave out to wait for the peer to connect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^([0-9a-fA-F.:]+|\[[0-9a-f:.]+\]):\d{1,5}$"))]
    pub endpoint: Option<String>,
    /// Keepalive interval, as a Go duration such as `25s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[-+]?(((\d+(\.\d*)?|\d*(\.\d+)+)([nuµm]?s|m|h))|0)+$"))]
    pub persistent_keepalive_interval: Option<String>,
    /// CIDRs routed to this peer and accepted from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = net::CIDR)))]
    pub allowed_i_ps: Option<Vec<String>>,
}

/// Whether LACPDUs are sent periodically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum AdLacpActive {
    #[serde(rename = "on")]
    On,
    #[serde(rename = "off")]
    Off,
}

/// 802.3ad aggregator selection policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum AdSelect {
    #[serde(rename = "stable")]
    Stable,
    #[serde(rename = "bandwidth")]
    Bandwidth,
    #[serde(rename = "count")]
    Count,
}

/// Whether any or all ARP targets must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ArpAllTargets {
    #[serde(rename = "any")]
    Any,
    #[serde(rename = "all")]
    All,
}

/// ARP validation mode of a bond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ArpValidate {
    #[serde(rename = "none")]
    None,
    #[serde(rename = "active")]
    Active,
    #[serde(rename = "backup")]
    Backup,
    #[serde(rename = "all")]
    All,
    #[serde(rename = "filter")]
    Filter,
    #[serde(rename = "filter-active")]
    FilterActive,
    #[serde(rename = "filter-backup")]
    FilterBackup,
}

/// Bonding mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum BondMode {
    #[serde(rename = "balance-rr")]
    BalanceRr,
    #[serde(rename = "active-backup")]
    ActiveBackup,
    #[serde(rename = "balance-xor")]
    BalanceXor,
    #[serde(rename = "broadcast")]
    Broadcast,
    #[serde(rename = "802.3ad")]
    Ieee8023ad,
    #[serde(rename = "balance-tlb")]
    BalanceTlb,
    #[serde(rename = "balance-alb")]
    BalanceAlb,
}

/// MAC handling on failover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum FailOverMac {
    #[serde(rename = "none")]
    None,
    #[serde(rename = "active")]
    Active,
    #[serde(rename = "follow")]
    Follow,
}

/// LACPDU rate requested from the partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum LacpRate {
    #[serde(rename = "slow")]
    Slow,
    #[serde(rename = "fast")]
    Fast,
}

/// When a recovered primary member becomes active again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PrimaryReselect {
    #[serde(rename = "always")]
    Always,
    #[serde(rename = "better")]
    Better,
    #[serde(rename = "failure")]
    Failure,
}

/// Transmit hash policy of a bond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum XmitHashPolicy {
    #[serde(rename = "layer2")]
    Layer2,
    #[serde(rename = "layer3+4")]
    Layer3Plus4,
    #[serde(rename = "layer2+3")]
    Layer2Plus3,
    #[serde(rename = "encap2+3")]
    Encap2Plus3,
    #[serde(rename = "encap3+4")]
    Encap3Plus4,
}

/// VLAN protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum VlanMode {
    #[serde(rename = "802.1q")]
    Ieee8021q,
    #[serde(rename = "802.1ad")]
    Ieee8021ad,
}

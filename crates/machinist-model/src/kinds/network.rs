//! Host networking documents other than link definitions: hostname, DNS, time sync, static hosts,
//! DHCP, virtual IPs, KubeSpan, firewall rules, connectivity probes, BGP and policy routing. In:
//! YAML documents of those kinds. Out: typed values and their JSON schemas.

use schemars::JsonSchema;

use crate::net;
use serde::{Deserialize, Serialize};

use super::*;

kind_tag!(BGPInstanceConfigKind, "BGPInstanceConfig");
kind_tag!(BlackholeRouteConfigKind, "BlackholeRouteConfig");
kind_tag!(DHCPv4ConfigKind, "DHCPv4Config");
kind_tag!(DHCPv6ConfigKind, "DHCPv6Config");
kind_tag!(NetworkDefaultActionConfigKind, "NetworkDefaultActionConfig");
kind_tag!(HCloudVIPConfigKind, "HCloudVIPConfig");
kind_tag!(HTTPProbeConfigKind, "HTTPProbeConfig");
kind_tag!(HostnameConfigKind, "HostnameConfig");
kind_tag!(KubeSpanConfigKind, "KubeSpanConfig");
kind_tag!(KubeSpanEndpointsConfigKind, "KubeSpanEndpointsConfig");
kind_tag!(Layer2VIPConfigKind, "Layer2VIPConfig");
kind_tag!(ResolverConfigKind, "ResolverConfig");
kind_tag!(RoutingRuleConfigKind, "RoutingRuleConfig");
kind_tag!(NetworkRuleConfigKind, "NetworkRuleConfig");
kind_tag!(StaticHostConfigKind, "StaticHostConfig");
kind_tag!(TCPProbeConfigKind, "TCPProbeConfig");
kind_tag!(TimeSyncConfigKind, "TimeSyncConfig");

/// BFD settings of a BGP neighbour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BGPBFDConfig {
    /// Desired minimum transmit interval; 0 for the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[-+]?(((\d+(\.\d*)?|\.\d+|\d+)([nuµm]?s|m|h))|0)+$"))]
    pub transmit_interval: Option<String>,
    /// Required minimum receive interval; 0 for the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[-+]?(((\d+(\.\d*)?|\.\d+|\d+)([nuµm]?s|m|h))|0)+$"))]
    pub receive_interval: Option<String>,
    /// Missed packets before the session is declared down; 0 for the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detect_multiplier: Option<u32>,
}

/// Routes imported from another BGP instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BGPImportRoute {
    /// BGP instance the routes come from.
    pub bgp_instance: String,
    /// CIDRs; a learned route is imported when one of them contains it.
    #[schemars(inner(regex(pattern = net::CIDR)))]
    #[schemars(length(min = 1))]
    pub prefixes: Vec<String>,
}

/// A BGP routing instance run on the host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct BGPInstanceConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `BGPInstanceConfig`.
    pub kind: BGPInstanceConfigKind,
    /// Name of the BGP instance.
    pub name: String,
    /// VRF link the instance runs in; the default routing domain when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vrf: Option<String>,
    /// Local autonomous system number.
    #[serde(rename = "localASN")]
    pub local_asn: u32,
    /// BGP router ID; derived from the first advertised address when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "routerID")]
    pub router_id: Option<String>,
    /// Preferred source address set on routes installed from BGP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_source: Option<String>,
    /// Links (or aliases) whose connected networks are announced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advertise: Option<Vec<String>>,
    /// Install ECMP routes learned from several neighbours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multipath: Option<bool>,
    /// Largest number of ECMP next hops; 0 for the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_paths: Option<u32>,
    /// Install learned routes in the kernel routing table (on by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_routes: Option<bool>,
    /// Routes imported one-way from other BGP instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_routes: Option<Vec<BGPImportRoute>>,
    /// BGP neighbours of this instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neighbors: Option<Vec<BGPNeighborConfig>>,
}

/// One BGP neighbour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BGPNeighborConfig {
    /// Neighbour address for a numbered session (not with `link`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = net::IP))]
    pub address: Option<String>,
    /// Link or alias for an unnumbered IPv6 link-local session (not with `address`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Expected ASN of the peer; 0 accepts any (external).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "peerASN")]
    pub peer_asn: Option<u32>,
    /// Local ASN for this neighbour; 0 uses the instance's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "localASN")]
    pub local_asn: Option<u32>,
    /// Wait for the neighbour to connect instead of connecting to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passive: Option<bool>,
    /// BGP hold time, as a Go duration; 0 for the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[-+]?(((\d+(\.\d*)?|\.\d+|\d+)([nuµm]?s|m|h))|0)+$"))]
    pub hold_time: Option<String>,
    /// Enable BFD for this neighbour (an empty block uses the defaults).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bfd: Option<BGPBFDConfig>,
}

/// A route that silently drops traffic to a prefix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.13"))]
pub struct BlackholeRouteConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `BlackholeRouteConfig`.
    pub kind: BlackholeRouteConfigKind,
    /// Destination prefix whose traffic is dropped, for example `10.99.0.0/16`.
    #[schemars(regex(pattern = net::CIDR))]
    pub name: String,
    /// Metric of the route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<u32>,
}

/// Runs a DHCPv4 client on a link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct DHCPv4Config {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `DHCPv4Config`.
    pub kind: DHCPv4ConfigKind,
    /// Link (or alias) DHCPv4 runs on.
    pub name: String,
    /// Metric of routes learned from the DHCP server (lower wins; 1024 by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_metric: Option<u32>,
    /// Do not take the hostname offered by the DHCP server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_hostname: Option<bool>,
    /// Do not install the gateway or classless routes offered by the server (the connected route
    /// stays).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-since" = "v1.14"))]
    pub ignore_routes: Option<bool>,
    /// Client identifier sent to the server; `mac` by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_identifier: Option<DhcpClientIdentifier>,
    /// Raw DUID, used when `clientIdentifier` is `duid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^([0-9a-fA-F]{2}(:[0-9a-fA-F]{2})+)$"))]
    pub duid_raw: Option<String>,
}

/// Runs a DHCPv6 client on a link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct DHCPv6Config {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `DHCPv6Config`.
    pub kind: DHCPv6ConfigKind,
    /// Link (or alias) DHCPv6 runs on.
    pub name: String,
    /// Metric of routes learned from the DHCP server (lower wins; 1024 by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_metric: Option<u32>,
    /// Do not take the hostname offered by the DHCP server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_hostname: Option<bool>,
    /// Client identifier sent to the server; `mac` by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_identifier: Option<DhcpClientIdentifier>,
    /// Raw DUID, used when `clientIdentifier` is `duid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^([0-9a-fA-F]{2}(:[0-9a-fA-F]{2})+)$"))]
    pub duid_raw: Option<String>,
}

/// The ingress firewall's default action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NetworkDefaultActionConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `NetworkDefaultActionConfig`.
    pub kind: NetworkDefaultActionConfigKind,
    /// What happens to incoming traffic no rule matches: `accept` or `block`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress: Option<DefaultAction>,
}

/// A control-plane virtual IP moved between nodes through the Hetzner Cloud API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct HCloudVIPConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `HCloudVIPConfig`.
    pub kind: HCloudVIPConfigKind,
    /// The virtual IP address.
    #[schemars(regex(pattern = net::IP))]
    pub name: String,
    /// Link (or alias) the virtual IP is placed on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Hetzner Cloud API token used to move the floating IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_token: Option<String>,
}

/// A connectivity probe that fetches an HTTP(S) URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct HTTPProbeConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `HTTPProbeConfig`.
    pub kind: HTTPProbeConfigKind,
    /// Name of the probe.
    pub name: String,
    /// Time between runs, as a Go duration such as `1s` or `168h`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[-+]?(((\d+(\.\d*)?|\d*(\.\d+)+)([nuµm]?s|m|h))|0)+$"))]
    pub interval: Option<String>,
    /// Consecutive failures after a success before the probe reports failure; 0 fails on the first
    /// one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<u32>,
    /// HTTP(S) URL to fetch; a 2xx or 3xx answer (redirects not followed) is a success.
    #[schemars(pattern(r"^(http|https)://"))]
    pub url: String,
    /// How long one attempt may take before it counts as failed, as a Go duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[-+]?(((\d+(\.\d*)?|\d*(\.\d+)+)([nuµm]?s|m|h))|0)+$"))]
    pub timeout: Option<String>,
}

/// The caching DNS resolver on the host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HostDNSConfig {
    /// Run the caching DNS resolver on the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Make CoreDNS forward to the host resolver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "forwardKubeDNSToHost")]
    pub forward_kube_dns_to_host: Option<bool>,
    /// Resolve cluster member host names through the host resolver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolve_member_names: Option<bool>,
}

/// The machine's hostname: fixed, or generated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct HostnameConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `HostnameConfig`.
    pub kind: HostnameConfigKind,
    /// Generate the hostname: `stable` derives one from the machine identity, `off` disables
    /// generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto: Option<AutoHostname>,
    /// Fixed hostname; overrides every other source and excludes `auto`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
}

/// A source subnet allowed in by a firewall rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressRule {
    /// Source subnet allowed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = net::CIDR))]
    pub subnet: Option<String>,
    /// Part of the subnet that stays blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = net::CIDR))]
    pub except: Option<String>,
}

/// KubeSpan, the WireGuard mesh between cluster members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.13"))]
pub struct KubeSpanConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeSpanConfig`.
    pub kind: KubeSpanConfigKind,
    /// Turn KubeSpan on (needs a DiscoveryServiceConfig).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Carry pod networks over KubeSpan instead of leaving them to the CNI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advertise_kubernetes_networks: Option<bool>,
    /// Send traffic outside KubeSpan when the peer's tunnel is down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_down_peer_bypass: Option<bool>,
    /// Collect and publish extra endpoints seen by WireGuard peers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harvest_extra_endpoints: Option<bool>,
    /// MTU of the KubeSpan link (1420 by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Filters on the addresses and networks this node announces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<KubeSpanFiltersConfig>,
}

/// Filters on what a node announces over KubeSpan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KubeSpanFiltersConfig {
    /// Which node addresses are announced as WireGuard endpoints; `!` before a CIDR excludes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = net::SUBNET_FILTER)))]
    pub endpoints: Option<Vec<String>>,
    /// Networks not to route over KubeSpan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = net::CIDR)))]
    pub exclude_advertised_networks: Option<Vec<String>>,
}

/// Extra WireGuard endpoints this node announces to KubeSpan peers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KubeSpanEndpointsConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeSpanEndpointsConfig`.
    pub kind: KubeSpanEndpointsConfigKind,
    /// Extra `address:port` WireGuard endpoints to announce, for example a port forward.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_announced_endpoints: Option<Vec<String>>,
}

/// A control-plane virtual IP announced on a link with gratuitous ARP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct Layer2VIPConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `Layer2VIPConfig`.
    pub kind: Layer2VIPConfigKind,
    /// The virtual IP address.
    #[schemars(regex(pattern = net::IP))]
    pub name: String,
    /// Link (or alias) the virtual IP is placed on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// NTP settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NTPConfig {
    /// NTP servers; `time.cloudflare.com` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub servers: Option<Vec<String>>,
    /// Use Network Time Security (authenticated NTP over TLS) with the servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "useNTS")]
    #[schemars(extend("x-talos-since" = "v1.14"))]
    pub use_nts: Option<bool>,
}

/// One nameserver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NameserverConfig {
    /// IP address of the nameserver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = net::IP))]
    pub address: Option<String>,
    /// Protocol: `Do53` (plain, default), `DoT` (TLS on 853) or `DoH` (HTTPS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-since" = "v1.14"))]
    pub protocol: Option<DnsProtocol>,
    /// Server name checked against the certificate for DoT and DoH.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-since" = "v1.14"))]
    pub tls_server_name: Option<String>,
}

/// PTP settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PTPConfig {
    /// PTP clock devices to sync from, for example `/dev/ptp0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<Vec<String>>,
}

/// DNS resolution on the host: nameservers, search domains and the caching resolver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct ResolverConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `ResolverConfig`.
    pub kind: ResolverConfigKind,
    /// Nameservers for the host (also passed to CoreDNS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nameservers: Option<Vec<NameserverConfig>>,
    /// Search domains in resolv.conf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_domains: Option<SearchDomainsConfig>,
    /// Host-level caching resolver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "hostDNS")]
    #[schemars(extend("x-talos-since" = "v1.14"))]
    pub host_dns: Option<HostDNSConfig>,
}

/// A Linux policy routing rule; the document name is its priority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.13"))]
pub struct RoutingRuleConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `RoutingRuleConfig`.
    pub kind: RoutingRuleConfigKind,
    /// Priority of the rule (1 to 32765, lower first, some values reserved); unique per document.
    #[schemars(pattern(r"^[0-9]+$"))]
    pub name: String,
    /// Source prefix to match; any when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = net::CIDR))]
    pub src: Option<String>,
    /// Destination prefix to match; any when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = net::CIDR))]
    pub dst: Option<String>,
    /// Routing table looked up when the rule matches.
    pub table: String,
    /// Rule action; a table lookup (`unicast`) by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<u32>,
    /// Incoming interface to match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iif_name: Option<String>,
    /// Outgoing interface to match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oif_name: Option<String>,
    /// Firewall mark to match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fw_mark: Option<u32>,
    /// Mask applied before comparing the firewall mark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fw_mask: Option<u32>,
}

/// An ingress firewall rule opening ports to source subnets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NetworkRuleConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `NetworkRuleConfig`.
    pub kind: NetworkRuleConfigKind,
    /// Name of the rule.
    pub name: String,
    /// Host ports and protocol the rule opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_selector: Option<RulePortSelector>,
    /// Source subnets allowed to reach those ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress: Option<Vec<IngressRule>>,
}

/// Ports and protocol of a firewall rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RulePortSelector {
    /// Ports or inclusive ranges (`8000-8100`); must not overlap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<PortSpec>>,
    /// Protocol of the traffic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<FirewallProtocol>,
}

/// DNS search domains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SearchDomainsConfig {
    /// Search domains appended to short names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<String>>,
    /// Do not derive a search domain from the hostname's domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_default: Option<bool>,
}

/// An /etc/hosts entry; the document name is the IP address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct StaticHostConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `StaticHostConfig`.
    pub kind: StaticHostConfigKind,
    /// IP address the host names resolve to.
    #[schemars(regex(pattern = net::IP))]
    pub name: String,
    /// Host names for the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostnames: Option<Vec<String>>,
}

/// A connectivity probe that opens a TCP connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.13"))]
pub struct TCPProbeConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `TCPProbeConfig`.
    pub kind: TCPProbeConfigKind,
    /// Name of the probe.
    pub name: String,
    /// Time between runs, as a Go duration such as `1s` or `168h`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[-+]?(((\d+(\.\d*)?|\d*(\.\d+)+)([nuµm]?s|m|h))|0)+$"))]
    pub interval: Option<String>,
    /// Consecutive failures after a success before the probe reports failure; 0 fails on the first
    /// one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<u32>,
    /// `host:port` to connect to.
    pub endpoint: String,
    /// How long one attempt may take before it counts as failed, as a Go duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[-+]?(((\d+(\.\d*)?|\d*(\.\d+)+)([nuµm]?s|m|h))|0)+$"))]
    pub timeout: Option<String>,
}

/// Clock synchronisation over NTP or PTP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct TimeSyncConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `TimeSyncConfig`.
    pub kind: TimeSyncConfigKind,
    /// Synchronise the clock (on by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// How long boot waits for the first sync before going on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[-+]?(((\d+(\.\d*)?|\d*(\.\d+)+)([nuµm]?s|m|h))|0)+$"))]
    pub boot_timeout: Option<String>,
    /// Sync over the network with NTP (not with `ptp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ntp: Option<NTPConfig>,
    /// Sync from PTP clock devices (not with `ntp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ptp: Option<PTPConfig>,
}

/// Client identifier a DHCP client sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum DhcpClientIdentifier {
    #[serde(rename = "none")]
    None,
    #[serde(rename = "mac")]
    Mac,
    #[serde(rename = "duid")]
    Duid,
}

/// Default firewall action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum DefaultAction {
    #[serde(rename = "accept")]
    Accept,
    #[serde(rename = "block")]
    Block,
}

/// How a hostname is generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum AutoHostname {
    #[serde(rename = "stable")]
    Stable,
    #[serde(rename = "off")]
    Off,
}

/// Transport used to reach a nameserver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum DnsProtocol {
    #[serde(rename = "Do53")]
    Do53,
    #[serde(rename = "DoT")]
    DoT,
    #[serde(rename = "DoH")]
    DoH,
}

/// Protocol matched by a firewall rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum FirewallProtocol {
    #[serde(rename = "tcp")]
    Tcp,
    #[serde(rename = "udp")]
    Udp,
    #[serde(rename = "icmp")]
    Icmp,
    #[serde(rename = "icmpv6")]
    Icmpv6,
}

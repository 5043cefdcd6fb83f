//! Node-side Kubernetes documents (v1.14+): cluster identity, networking, the kubelet, node
//! registration, KubePrism, CoreDNS, kube-proxy, Flannel, manifests and static pods. In: YAML
//! documents of those kinds. Out: typed values and their JSON schemas.

use std::collections::BTreeMap;

use schemars::JsonSchema;

use crate::net;
use serde::{Deserialize, Serialize};

use super::*;

kind_tag!(KubeClusterConfigKind, "KubeClusterConfig");
kind_tag!(KubeCoreDNSConfigKind, "KubeCoreDNSConfig");
kind_tag!(
    KubeCredentialProviderConfigKind,
    "KubeCredentialProviderConfig"
);
kind_tag!(KubeExternalManifestConfigKind, "KubeExternalManifestConfig");
kind_tag!(KubeFlannelCNIConfigKind, "KubeFlannelCNIConfig");
kind_tag!(KubeInlineManifestConfigKind, "KubeInlineManifestConfig");
kind_tag!(KubeNetworkConfigKind, "KubeNetworkConfig");
kind_tag!(KubeNodeConfigKind, "KubeNodeConfig");
kind_tag!(KubePrismConfigKind, "KubePrismConfig");
kind_tag!(KubeProxyConfigKind, "KubeProxyConfig");
kind_tag!(KubeStaticPodConfigKind, "KubeStaticPodConfig");
kind_tag!(KubeTalosAPIAccessConfigKind, "KubeTalosAPIAccessConfig");
kind_tag!(KubeletConfigKind, "KubeletConfig");

/// Basic cluster settings: name and API endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeClusterConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeClusterConfig`.
    pub kind: KubeClusterConfigKind,
    /// Name of the cluster, used in kubeconfigs.
    pub cluster_name: String,
    /// URL of the Kubernetes API, for example `https://10.0.0.10:6443` (a VIP or load balancer with
    /// several control planes).
    #[schemars(pattern(r"^https://"))]
    pub endpoint: String,
}

/// The CoreDNS deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeCoreDNSConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeCoreDNSConfig`.
    pub kind: KubeCoreDNSConfigKind,
    /// Deploy CoreDNS (on by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// CoreDNS image; the default one when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// The kubelet's image credential providers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeCredentialProviderConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeCredentialProviderConfig`.
    pub kind: KubeCredentialProviderConfigKind,
    /// The kubelet's `CredentialProviderConfig` for registry credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<Object>,
}

/// A manifest downloaded from a URL and applied to the cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeExternalManifestConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeExternalManifestConfig`.
    pub kind: KubeExternalManifestConfigKind,
    /// Name of the manifest.
    pub name: String,
    /// HTTP headers sent when downloading the manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// URL of the manifest; Talos may fetch it only once and does not watch it.
    #[schemars(pattern(r"^(http|https)://"))]
    pub url: String,
}

/// Deploys and configures the built-in Flannel CNI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeFlannelCNIConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeFlannelCNIConfig`.
    pub kind: KubeFlannelCNIConfigKind,
    /// Flannel backend, such as `vxlan` (the generated default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_type: Option<String>,
    /// UDP port of the encapsulation (4789 in generated configs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_port: Option<u16>,
    /// MTU of the transport network; Flannel subtracts its overhead for pod interfaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "backendMTU")]
    pub backend_mtu: Option<u32>,
    /// Extra backend settings merged into Flannel's backend configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_extra_config: Option<Object>,
    /// Resource requests and limits of the flanneld container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Object>,
    /// Extra flags for flanneld.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_args: Option<Vec<String>>,
    /// Also deploy kube-network-policies so NetworkPolicy objects are enforced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_network_policies_enabled: Option<bool>,
}

/// A manifest given inline and applied to the cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeInlineManifestConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeInlineManifestConfig`.
    pub kind: KubeInlineManifestConfigKind,
    /// Name of the manifest.
    pub name: String,
    /// The manifest text; may hold several YAML documents separated by `---`.
    pub manifest: String,
}

/// Pod and service networks and the cluster DNS domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeNetworkConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeNetworkConfig`.
    pub kind: KubeNetworkConfigKind,
    /// Cluster DNS domain; `cluster.local` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_domain: Option<String>,
    /// Pod CIDRs: one, or one per family for dual stack.
    #[schemars(inner(regex(pattern = net::CIDR)))]
    pub pod_subnets: Vec<String>,
    /// Service CIDRs: one, or one per family for dual stack.
    #[schemars(inner(regex(pattern = net::CIDR)))]
    pub service_subnets: Vec<String>,
    /// Prefix length of each node's IPv4 pod range (24 by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "nodeCIDRMaskSizeIPv4")]
    #[schemars(range(min = 1, max = 32))]
    pub node_cidr_mask_size_ipv4: Option<u32>,
    /// Prefix length of each node's IPv6 pod range (64 by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "nodeCIDRMaskSizeIPv6")]
    #[schemars(range(min = 1, max = 128))]
    pub node_cidr_mask_size_ipv6: Option<u32>,
}

/// How this node registers: node IP, labels, annotations and taints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeNodeConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeNodeConfig`.
    pub kind: KubeNodeConfigKind,
    /// Run the kubelet standalone, only for static pods, without registering the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_node_registration: Option<bool>,
    /// Register the node under its fully qualified domain name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "registerWithFQDN")]
    pub register_with_fqdn: Option<bool>,
    /// How the kubelet picks the node IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "nodeIP")]
    pub node_ip: Option<NodeIPConfig>,
    /// Labels set on the Node object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// Annotations set on the Node object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Taints set on the Node object: key to `value:Effect` (or just `Effect`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taints: Option<BTreeMap<String, String>>,
}

/// KubePrism, the node-local load balancer for the Kubernetes API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubePrismConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubePrismConfig`.
    pub kind: KubePrismConfigKind,
    /// Port of the local API load balancer on 127.0.0.1 (7445 in generated configs).
    pub port: u16,
    /// TLS server name (SNI) clients use when talking to KubePrism.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_server_name: Option<String>,
}

/// The kube-proxy deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeProxyConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeProxyConfig`.
    pub kind: KubeProxyConfigKind,
    /// Deploy kube-proxy when bootstrapping (on by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// kube-proxy image.
    pub image: String,
    /// Proxy mode; `nftables` by default (`iptables` and `ipvs` also exist).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// KubeProxyConfiguration fields (without apiVersion and kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Object>,
    /// Extra flags for kube-proxy (most settings belong in `config`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_args: Option<BTreeMap<String, ArgValue>>,
    /// Kubernetes resource requests and limits for the component's container (`requests`,
    /// `limits`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Object>,
}

/// A pod the kubelet runs as a static pod.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeStaticPodConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeStaticPodConfig`.
    pub kind: KubeStaticPodConfigKind,
    /// Name of the static pod.
    pub name: String,
    /// The Pod manifest, passed to the kubelet without validation.
    pub pod: Object,
}

/// Lets pods reach the Talos API through service accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeTalosAPIAccessConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeTalosAPIAccessConfig`.
    pub kind: KubeTalosAPIAccessConfigKind,
    /// Talos API roles pods may be granted; an empty list grants none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_roles: Option<Vec<String>>,
    /// Namespaces whose pods may get Talos API access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_kubernetes_namespaces: Option<Vec<String>>,
}

/// The kubelet: image, flags and configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeletConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeletConfig`.
    pub kind: KubeletConfigKind,
    /// kubelet image, including its tag.
    pub image: String,
    /// KubeletConfiguration fields (without apiVersion and kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Object>,
    /// Extra kubelet flags (prefer `config`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_args: Option<BTreeMap<String, ArgValue>>,
    /// DNS server addresses handed to pods instead of the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "clusterDNS")]
    pub cluster_dns: Option<Vec<String>>,
    /// Apply the container runtime's default seccomp profile to every pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_runtime_seccomp_profile_enabled: Option<bool>,
}

/// How the kubelet picks the node IP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeIPConfig {
    /// Subnets the node IP is chosen from (one per family for dual stack); `!` before a subnet
    /// excludes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = net::SUBNET_FILTER)))]
    pub valid_subnets: Option<Vec<String>>,
}

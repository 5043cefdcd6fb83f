//! The `machine.features` section: optional Talos features. In: the YAML mapping under
//! `machine.features`. Out: [`FeaturesConfig`] and the settings of each feature.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::Flag;

/// Optional Talos features.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.FeaturesConfig")]
pub struct FeaturesConfig {
    /// Legacy switch for role-based access to the Talos API; access control is always on now.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("deprecated" = true))]
    pub rbac: Option<Flag>,
    /// Legacy switch for a generated stable hostname; use a `HostnameConfig` document with
    /// `auto: stable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.12", "x-talos-replaced-by" = "HostnameConfig"))]
    pub stable_hostname: Option<Flag>,
    /// Let pods call the Talos API through a Kubernetes service account; off unless set.
    #[serde(
        rename = "kubernetesTalosAPIAccess",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeTalosAPIAccessConfig"))]
    pub kubernetes_talos_api_access: Option<KubernetesTalosAPIAccessConfig>,
    /// Legacy switch that made the Talos API check the extended key usage of client
    /// certificates; the check is always on now.
    #[serde(
        rename = "apidCheckExtKeyUsage",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(extend("deprecated" = true))]
    pub apid_check_ext_key_usage: Option<Flag>,
    /// Turn on XFS project quotas on EPHEMERAL and user volumes, which also lets the kubelet
    /// account ephemeral storage through quotas.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_quota_support: Option<Flag>,
    /// KubePrism: a load balancer on every node, listening on localhost, that spreads requests
    /// over all API servers of the cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubePrismConfig"))]
    pub kube_prism: Option<KubePrism>,
    /// The caching DNS resolver that runs on the node.
    #[serde(rename = "hostDNS", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "ResolverConfig"))]
    pub host_dns: Option<HostDNSConfig>,
    /// The image cache served from the node.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "ImageCacheConfig"))]
    pub image_cache: Option<ImageCacheConfig>,
    /// How the node orders its addresses when picking one. Defaults to `v1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_address_sort_algorithm: Option<AddressSortAlgorithm>,
}

/// Ordering of node addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "v1alpha1.AddressSortAlgorithm")]
pub enum AddressSortAlgorithm {
    /// Sort by the address itself.
    V1,
    /// Prefer addresses with more specific prefixes.
    V2,
}

/// KubePrism settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.KubePrism")]
pub struct KubePrism {
    /// Run the local API server load balancer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<Flag>,
    /// Local port it listens on (7445 in generated configs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

/// Settings of the node's caching DNS resolver.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.HostDNSConfig")]
pub struct HostDNSConfig {
    /// Run the caching resolver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<Flag>,
    /// Make CoreDNS forward to the node's resolver instead of the upstream servers directly.
    #[serde(
        rename = "forwardKubeDNSToHost",
        skip_serializing_if = "Option::is_none"
    )]
    pub forward_kube_dns_to_host: Option<Flag>,
    /// Answer queries for the names of cluster members (needs cluster discovery).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolve_member_names: Option<Flag>,
}

/// Settings of the image cache.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.ImageCacheConfig")]
pub struct ImageCacheConfig {
    /// Serve images from the cache stored on the node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_enabled: Option<Flag>,
}

/// Access to the Talos API from Kubernetes pods.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.KubernetesTalosAPIAccessConfig")]
pub struct KubernetesTalosAPIAccessConfig {
    /// Allow the access.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<Flag>,
    /// Talos API roles pods may be granted, such as `os:reader`. An empty list grants none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_roles: Option<Vec<String>>,
    /// Namespaces whose pods may ask for access.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_kubernetes_namespaces: Option<Vec<String>>,
}

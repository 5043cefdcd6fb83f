//! The `cluster` section of the v1alpha1 document: settings every node of the cluster shares.
//! In: the YAML mapping under `cluster:`. Out: [`ClusterConfig`] and its smaller parts; the
//! control-plane components (API server, controller manager, scheduler, proxy, etcd) are in
//! [`super::cluster_components`].
//!
//! From v1.14 on most of these settings move to `Kube*` and `Discovery*` documents; only `token`,
//! `etcd`, `externalCloudProvider` and `adminKubeconfig` stay undeprecated here.

use std::collections::BTreeMap;

use schemars::JsonSchema;

use crate::net;
use serde::{Deserialize, Serialize};

use super::cluster_components::{
    APIServerConfig, ControllerManagerConfig, EtcdConfig, ProxyConfig, SchedulerConfig,
};
use super::common::{Certificate, CertificateAndKey, DURATION_PATTERN, Flag, PrivateKey, Scalar};

/// Cluster-wide settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.ClusterConfig")]
pub struct ClusterConfig {
    /// Unique identifier of the cluster: base64 of 32 random bytes. Used by cluster discovery.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "DiscoveryIdentityConfig"))]
    pub id: Option<String>,
    /// Secret shared by the cluster's members (base64 of 32 random bytes); it never leaves the
    /// nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "DiscoveryIdentityConfig"))]
    pub secret: Option<String>,
    /// How nodes reach the Kubernetes API.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeClusterConfig"))]
    pub control_plane: Option<ControlPlaneConfig>,
    /// Name of the cluster, used in generated kubeconfigs.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeClusterConfig"))]
    pub cluster_name: Option<String>,
    /// Pod and service networks, DNS domain and CNI.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeNetworkConfig"))]
    pub network: Option<ClusterNetworkConfig>,
    /// Kubernetes bootstrap token (`abcdef.0123456789abcdef`) nodes use to join.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Key for encrypting Secrets at rest with AES-CBC (base64 of 32 bytes). Ignored when
    /// `secretboxEncryptionSecret` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeEtcdEncryptionConfig"))]
    pub aescbc_encryption_secret: Option<String>,
    /// Key for encrypting Secrets at rest with secretbox (base64 of 32 bytes); preferred over
    /// AES-CBC.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeEtcdEncryptionConfig"))]
    pub secretbox_encryption_secret: Option<String>,
    /// Kubernetes certificate authority; workers carry only the certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeAPIServerCAConfig"))]
    pub ca: Option<CertificateAndKey>,
    /// Further Kubernetes certificate authorities to trust, for example during a rotation.
    #[serde(rename = "acceptedCAs", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeAPIServerCAConfig"))]
    pub accepted_cas: Option<Vec<Certificate>>,
    /// Certificate authority for the API aggregation layer (front proxy); it may be
    /// self-signed.
    #[serde(rename = "aggregatorCA", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeAggregatorCAConfig"))]
    pub aggregator_ca: Option<CertificateAndKey>,
    /// Private key that signs service account tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeServiceAccountConfig"))]
    pub service_account: Option<PrivateKey>,
    /// Settings of kube-apiserver.
    #[serde(rename = "apiServer", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeAPIServerConfig"))]
    pub api_server: Option<APIServerConfig>,
    /// Settings of kube-controller-manager.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeControllerManagerConfig"))]
    pub controller_manager: Option<ControllerManagerConfig>,
    /// Settings of kube-proxy.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeProxyConfig"))]
    pub proxy: Option<ProxyConfig>,
    /// Settings of kube-scheduler.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeSchedulerConfig"))]
    pub scheduler: Option<SchedulerConfig>,
    /// How cluster members find each other (needed by KubeSpan and member name resolution).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "DiscoveryServiceConfig"))]
    pub discovery: Option<ClusterDiscoveryConfig>,
    /// Settings of etcd on control-plane nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etcd: Option<EtcdConfig>,
    /// Settings of the CoreDNS deployment.
    #[serde(rename = "coreDNS", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeCoreDNSConfig"))]
    pub core_dns: Option<CoreDNS>,
    /// Use an external cloud controller manager instead of the built-in cloud providers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_cloud_provider: Option<ExternalCloudProviderConfig>,
    /// URLs of extra manifests applied when the cluster is bootstrapped.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeExternalManifestConfig"))]
    pub extra_manifests: Option<Vec<String>>,
    /// HTTP headers sent when downloading `extraManifests`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14"))]
    pub extra_manifest_headers: Option<BTreeMap<String, Scalar>>,
    /// Manifests written inline and applied when the cluster is bootstrapped.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeInlineManifestConfig"))]
    pub inline_manifests: Option<Vec<ClusterInlineManifest>>,
    /// Settings of the admin kubeconfig Talos hands out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_kubeconfig: Option<AdminKubeconfigConfig>,
    /// Old name of `allowSchedulingOnControlPlanes`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("deprecated" = true))]
    pub allow_scheduling_on_masters: Option<Flag>,
    /// Let ordinary workloads run on control-plane nodes (no control-plane taint).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14"))]
    pub allow_scheduling_on_control_planes: Option<Flag>,
}

/// How to reach the Kubernetes API.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.ControlPlaneConfig")]
pub struct ControlPlaneConfig {
    /// The canonical API endpoint, an `https://` URL with an IP address or DNS name and an
    /// optional port, such as `https://192.168.1.10:6443`. Usually a VIP or load balancer.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^https://"))]
    pub endpoint: Option<String>,
    /// Port the API server listens on locally (6443 by default); may differ from the port in
    /// `endpoint`.
    #[serde(rename = "localAPIServerPort", skip_serializing_if = "Option::is_none")]
    pub local_api_server_port: Option<u16>,
}

/// Kubernetes networking.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.ClusterNetworkConfig")]
pub struct ClusterNetworkConfig {
    /// Which CNI Talos deploys.
    #[serde(rename = "cni", skip_serializing_if = "Option::is_none")]
    pub cni: Option<CNIConfig>,
    /// DNS domain of the cluster (`cluster.local` by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_domain: Option<String>,
    /// Pod network(s) in CIDR notation; one per IP family. Patches replace the whole list.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = net::CIDR)))]
    pub pod_subnets: Option<Vec<String>>,
    /// Service network(s) in CIDR notation; one per IP family. Patches replace the whole list.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = net::CIDR)))]
    pub service_subnets: Option<Vec<String>>,
}

/// The CNI Talos deploys.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.CNIConfig")]
pub struct CNIConfig {
    /// `flannel` (the default, managed by Talos), `custom` (manifests from `urls`) or `none`
    /// (install a CNI yourself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<CNIName>,
    /// Manifest URLs for a `custom` CNI; must be empty otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urls: Option<Vec<String>>,
    /// Settings of the Talos-managed Flannel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flannel: Option<FlannelCNIConfig>,
}

/// Which CNI Talos deploys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "v1alpha1.CNIName")]
pub enum CNIName {
    /// Flannel, deployed and upgraded by Talos.
    Flannel,
    /// Manifests downloaded from the `urls`.
    Custom,
    /// No CNI; install one yourself (Cilium, Calico, ...).
    None,
}

/// Settings of the Talos-managed Flannel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.FlannelCNIConfig")]
pub struct FlannelCNIConfig {
    /// Extra flanneld command-line arguments, such as `--iface-can-reach=192.168.1.1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_args: Option<Vec<String>>,
    /// Enforce Kubernetes NetworkPolicies with Flannel's policy controller.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-since" = "v1.13"))]
    pub kube_network_policies_enabled: Option<Flag>,
}

/// Cluster member discovery.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.ClusterDiscoveryConfig")]
pub struct ClusterDiscoveryConfig {
    /// Discover cluster members through the registries below.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<Flag>,
    /// The registries used for discovery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registries: Option<DiscoveryRegistriesConfig>,
}

/// Discovery registries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.DiscoveryRegistriesConfig")]
pub struct DiscoveryRegistriesConfig {
    /// Registry that stores member data as annotations on Node objects. It does not work
    /// with Kubernetes 1.32 and later; generated configs disable it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<RegistryKubernetesConfig>,
    /// Registry backed by an external discovery service (`https://discovery.talos.dev/` by
    /// default); member data is encrypted with the cluster secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<RegistryServiceConfig>,
}

/// The Kubernetes discovery registry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.RegistryKubernetesConfig")]
pub struct RegistryKubernetesConfig {
    /// Do not use this registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<Flag>,
}

/// The discovery service registry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.RegistryServiceConfig")]
pub struct RegistryServiceConfig {
    /// Do not use this registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<Flag>,
    /// URL of the discovery service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

/// The CoreDNS deployment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.CoreDNS")]
pub struct CoreDNS {
    /// Do not deploy CoreDNS at bootstrap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<Flag>,
    /// CoreDNS image to deploy instead of the default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// External cloud provider.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.ExternalCloudProviderConfig")]
pub struct ExternalCloudProviderConfig {
    /// Run Kubernetes with `--cloud-provider=external`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<Flag>,
    /// URLs of the cloud controller manager manifests applied at bootstrap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifests: Option<Vec<String>>,
}

/// A manifest written inline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.ClusterInlineManifest")]
pub struct ClusterInlineManifest {
    /// Name of the manifest; unique within the list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The YAML of the manifest (one or more documents) as a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contents: Option<String>,
}

/// Settings of the admin kubeconfig.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.AdminKubeconfigConfig")]
pub struct AdminKubeconfigConfig {
    /// Lifetime of the admin client certificate as a duration (`8760h` is one year, the
    /// default).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = DURATION_PATTERN))]
    pub cert_lifetime: Option<String>,
}

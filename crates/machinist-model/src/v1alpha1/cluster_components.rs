//! The control-plane components under `cluster`: `apiServer`, `controllerManager`, `scheduler`,
//! `proxy` and `etcd`. In: those YAML mappings. Out: one struct per component.

use schemars::JsonSchema;

use crate::net;
use serde::{Deserialize, Serialize};

use super::common::{
    CertificateAndKey, ExtraArgs, Flag, ResourcesConfig, ScalarMap, Unstructured, VolumeMountConfig,
};

/// Settings of kube-apiserver.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.APIServerConfig")]
pub struct APIServerConfig {
    /// Container image of the API server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Extra API server command-line flags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_args: Option<ExtraArgs>,
    /// Extra host paths mounted into the API server pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_volumes: Option<Vec<VolumeMountConfig>>,
    /// Extra environment variables of the API server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<ScalarMap>,
    /// Extra names and addresses in the API server certificate.
    #[serde(rename = "certSANs", skip_serializing_if = "Option::is_none")]
    pub cert_sans: Option<Vec<String>>,
    /// Legacy switch for PodSecurityPolicy, which Kubernetes no longer has.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("deprecated" = true))]
    pub disable_pod_security_policy: Option<Flag>,
    /// Admission plugin configurations; patches merge entries by `name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admission_control: Option<Vec<AdmissionPluginConfig>>,
    /// Audit policy (an `audit.k8s.io/v1` Policy object). Patches replace it whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_policy: Option<Unstructured>,
    /// CPU and memory requests and limits of the API server pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourcesConfig>,
    /// Authorizers of the structured authorization configuration; `Node` and `RBAC` are always
    /// added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_config: Option<Vec<AuthorizationConfigAuthorizerConfig>>,
}

/// Configuration of one admission plugin.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.AdmissionPluginConfig")]
pub struct AdmissionPluginConfig {
    /// Registered name of the plugin, such as `PodSecurity`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The plugin's configuration object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configuration: Option<Unstructured>,
}

/// One authorizer of the API server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.AuthorizationConfigAuthorizerConfig")]
pub struct AuthorizationConfigAuthorizerConfig {
    /// Kind of authorizer: `Node`, `RBAC` or `Webhook`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub authorizer_type: Option<String>,
    /// Name that identifies the authorizer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Settings of a `Webhook` authorizer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook: Option<Unstructured>,
}

/// Settings of kube-controller-manager.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.ControllerManagerConfig")]
pub struct ControllerManagerConfig {
    /// Container image of the controller manager.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Extra controller manager command-line flags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_args: Option<ExtraArgs>,
    /// Extra host paths mounted into the controller manager pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_volumes: Option<Vec<VolumeMountConfig>>,
    /// Extra environment variables of the controller manager.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<ScalarMap>,
    /// CPU and memory requests and limits of the controller manager pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourcesConfig>,
}

/// Settings of kube-proxy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.ProxyConfig")]
pub struct ProxyConfig {
    /// Do not deploy kube-proxy (for example when the CNI replaces it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<Flag>,
    /// Container image of kube-proxy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Proxy mode, such as `iptables` (the default), `ipvs` or `nftables`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Extra kube-proxy command-line flags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_args: Option<ExtraArgs>,
}

/// Settings of kube-scheduler.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.SchedulerConfig")]
pub struct SchedulerConfig {
    /// Container image of the scheduler.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Extra scheduler command-line flags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_args: Option<ExtraArgs>,
    /// Extra host paths mounted into the scheduler pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_volumes: Option<Vec<VolumeMountConfig>>,
    /// Extra environment variables of the scheduler.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<ScalarMap>,
    /// CPU and memory requests and limits of the scheduler pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourcesConfig>,
    /// A KubeSchedulerConfiguration object (profiles, plugins) for the scheduler.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<Unstructured>,
}

/// Settings of etcd.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.EtcdConfig")]
pub struct EtcdConfig {
    /// Container image of etcd.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Certificate authority of etcd's own PKI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca: Option<CertificateAndKey>,
    /// Extra etcd command-line flags. Flags Talos manages itself (name, data directory,
    /// listen URLs, certificate files, initial cluster state) are refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_args: Option<ExtraArgs>,
    /// Single subnet to pick the advertised address from; superseded by `advertisedSubnets`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("deprecated" = true))]
    #[schemars(regex(pattern = net::CIDR))]
    pub subnet: Option<String>,
    /// Subnets (CIDR) the advertised address is picked from; `!` excludes and belongs last.
    /// By default the node's first routable address is used.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = net::SUBNET_FILTER)))]
    pub advertised_subnets: Option<Vec<String>>,
    /// Subnets (CIDR) etcd listens on for peers and clients. Defaults to `advertisedSubnets`
    /// when that is set, otherwise to every address.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = net::SUBNET_FILTER)))]
    pub listen_subnets: Option<Vec<String>>,
}

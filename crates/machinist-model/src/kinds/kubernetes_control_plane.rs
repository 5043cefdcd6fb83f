//! Control-plane Kubernetes documents (v1.14+): the API server, controller manager and scheduler
//! pods, their admission, audit, authentication, authorization and encryption settings, and the
//! Kubernetes CAs and service-account keys. In: YAML documents of those kinds. Out: typed values
//! and their JSON schemas.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

kind_tag!(KubeAPIServerCAConfigKind, "KubeAPIServerCAConfig");
kind_tag!(KubeAPIServerConfigKind, "KubeAPIServerConfig");
kind_tag!(KubeAdmissionControlConfigKind, "KubeAdmissionControlConfig");
kind_tag!(KubeAggregatorCAConfigKind, "KubeAggregatorCAConfig");
kind_tag!(KubeAuditPolicyConfigKind, "KubeAuditPolicyConfig");
kind_tag!(KubeAuthenticationConfigKind, "KubeAuthenticationConfig");
kind_tag!(KubeAuthorizerConfigKind, "KubeAuthorizerConfig");
kind_tag!(
    KubeControllerManagerConfigKind,
    "KubeControllerManagerConfig"
);
kind_tag!(KubeEtcdEncryptionConfigKind, "KubeEtcdEncryptionConfig");
kind_tag!(KubeSchedulerConfigKind, "KubeSchedulerConfig");
kind_tag!(KubeServiceAccountConfigKind, "KubeServiceAccountConfig");

/// Extra keys, issuers and audiences accepted for service-account tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AcceptedServiceAccountConfig {
    /// Extra public keys (PEM) that verify service-account tokens, for example during key rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_keys: Option<Vec<String>>,
    /// Extra token issuers the API server accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(inner(pattern(r"^(http|https)://")))]
    pub issuers: Option<Vec<String>>,
    /// Audiences accepted in service-account tokens; the issuer URL when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audiences: Option<Vec<String>>,
}

/// How service-account tokens are signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IssuerServiceAccountConfig {
    /// Private key (PEM) that signs service-account tokens.
    pub private_key: String,
    /// Issuer URL written into service-account tokens; the cluster endpoint when unset.
    #[serde(rename = "issuerURL")]
    #[schemars(pattern(r"^(http|https)://"))]
    pub issuer_url: String,
}

/// The Kubernetes API CA: the issuing certificate and key, and extra accepted CAs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeAPIServerCAConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeAPIServerCAConfig`.
    pub kind: KubeAPIServerCAConfigKind,
    /// The active CA certificate and key (PEM); set on control-plane nodes only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "issuingCA")]
    pub issuing_ca: Option<CertAndKey>,
    /// Extra CA certificates (PEM) that are trusted next to the issuing one, for rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_c_as: Option<Vec<String>>,
}

/// The kube-apiserver static pod.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeAPIServerConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeAPIServerConfig`.
    pub kind: KubeAPIServerConfigKind,
    /// kube-apiserver image, including its tag.
    pub image: String,
    /// Extra command-line flags, keyed by flag name without the leading dashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_args: Option<BTreeMap<String, ArgValue>>,
    /// Extra environment variables for the component's container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
    /// Kubernetes resource requests and limits for the component's container (`requests`,
    /// `limits`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Object>,
    /// Port kube-apiserver listens on; 6443 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_port: Option<u16>,
    /// Extra host names and IPs for the serving certificate (node addresses and the endpoint are
    /// added automatically).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "certExtraSANs")]
    pub cert_extra_sa_ns: Option<Vec<String>>,
    /// Whether the static pod has a startup probe (on by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_probes: Option<bool>,
}

/// Configuration of one kube-apiserver admission plugin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeAdmissionControlConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeAdmissionControlConfig`.
    pub kind: KubeAdmissionControlConfigKind,
    /// Admission plugin the configuration is for, for example `PodSecurity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The plugin's configuration object, as Kubernetes defines it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<Object>,
}

/// The front-proxy (API aggregation) CA: the issuing certificate and key, and extra accepted CAs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeAggregatorCAConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeAggregatorCAConfig`.
    pub kind: KubeAggregatorCAConfigKind,
    /// The active CA certificate and key (PEM); set on control-plane nodes only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "issuingCA")]
    pub issuing_ca: Option<CertAndKey>,
    /// Extra CA certificates (PEM) that are trusted next to the issuing one, for rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_c_as: Option<Vec<String>>,
}

/// The kube-apiserver audit policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeAuditPolicyConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeAuditPolicyConfig`.
    pub kind: KubeAuditPolicyConfigKind,
    /// The audit policy (`audit.k8s.io/v1` Policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<Object>,
}

/// The kube-apiserver structured authentication configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeAuthenticationConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeAuthenticationConfig`.
    pub kind: KubeAuthenticationConfigKind,
    /// The structured authentication configuration (`AuthenticationConfiguration`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<Object>,
}

/// One kube-apiserver authorizer in the authorization chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeAuthorizerConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeAuthorizerConfig`.
    pub kind: KubeAuthorizerConfigKind,
    /// Name of this authorizer (a DNS label or subdomain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Authorizer type: `Node`, `RBAC` or `Webhook`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<AuthorizerType>,
    /// Webhook settings; only for the `Webhook` type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<Object>,
}

/// The kube-controller-manager static pod.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeControllerManagerConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeControllerManagerConfig`.
    pub kind: KubeControllerManagerConfigKind,
    /// Run the kube-controller-manager static pod on this node (on by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// kube-controller-manager image, including its tag.
    pub image: String,
    /// Extra command-line flags, keyed by flag name without the leading dashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_args: Option<BTreeMap<String, ArgValue>>,
    /// Extra environment variables for the component's container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
    /// Kubernetes resource requests and limits for the component's container (`requests`,
    /// `limits`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Object>,
}

/// Encryption at rest of API objects stored in etcd.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeEtcdEncryptionConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeEtcdEncryptionConfig`.
    pub kind: KubeEtcdEncryptionConfigKind,
    /// Encryption-at-rest configuration for the API server (an `EncryptionConfiguration` without
    /// apiVersion and kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Object>,
}

/// The kube-scheduler static pod.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeSchedulerConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeSchedulerConfig`.
    pub kind: KubeSchedulerConfigKind,
    /// Run the kube-scheduler static pod on this node (on by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// kube-scheduler image, including its tag.
    pub image: String,
    /// KubeSchedulerConfiguration fields (without apiVersion and kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Object>,
    /// Extra command-line flags, keyed by flag name without the leading dashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_args: Option<BTreeMap<String, ArgValue>>,
    /// Extra environment variables for the component's container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
    /// Kubernetes resource requests and limits for the component's container (`requests`,
    /// `limits`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Object>,
}

/// Service-account token signing and verification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KubeServiceAccountConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KubeServiceAccountConfig`.
    pub kind: KubeServiceAccountConfigKind,
    /// How service-account tokens are signed and issued.
    pub issuer: IssuerServiceAccountConfig,
    /// Extra keys, issuers and audiences accepted for service-account tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<AcceptedServiceAccountConfig>,
}

/// Kind of kube-apiserver authorizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum AuthorizerType {
    #[serde(rename = "Node")]
    Node,
    #[serde(rename = "RBAC")]
    Rbac,
    #[serde(rename = "Webhook")]
    Webhook,
}

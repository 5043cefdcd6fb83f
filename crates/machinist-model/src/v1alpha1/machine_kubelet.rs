//! The `machine.kubelet` section: how Talos runs the kubelet on this node. In: the YAML mapping
//! under `machine.kubelet`. Out: [`KubeletConfig`] with its mounts and node-IP selection.

use schemars::JsonSchema;

use crate::net;
use serde::{Deserialize, Serialize};

use super::common::{ExtraArgs, Flag, Unstructured};

/// Settings of the kubelet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.KubeletConfig")]
pub struct KubeletConfig {
    /// Kubelet container image to run instead of the default for the Kubernetes version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// DNS server addresses handed to pods instead of the cluster DNS service address.
    #[serde(rename = "clusterDNS", skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = net::IP)))]
    pub cluster_dns: Option<Vec<String>>,
    /// Extra kubelet command-line flags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_args: Option<ExtraArgs>,
    /// Extra mounts into the kubelet container; the options must include `bind` or `rbind`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_mounts: Option<Vec<ExtraMount>>,
    /// Fields merged into the generated KubeletConfiguration. Talos refuses to override some of
    /// them (authentication, authorization, cgroup layout, ports).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_config: Option<Unstructured>,
    /// A CredentialProviderConfig for kubelet image credential plugins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_provider_config: Option<Unstructured>,
    /// Run containers with the container runtime's default seccomp profile unless the pod asks
    /// for another.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_runtime_seccomp_profile_enabled: Option<Flag>,
    /// Register the node under its fully qualified domain name (needed on some clouds, such
    /// as AWS).
    #[serde(rename = "registerWithFQDN", skip_serializing_if = "Option::is_none")]
    pub register_with_fqdn: Option<Flag>,
    /// Which of the node's addresses the kubelet reports as its node IP.
    #[serde(rename = "nodeIP", skip_serializing_if = "Option::is_none")]
    pub node_ip: Option<KubeletNodeIPConfig>,
    /// Run the kubelet standalone: it does not register with the API server and only runs
    /// static pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_node_registration: Option<Flag>,
    /// Stop the kubelet from reading static pods from `/etc/kubernetes/manifests`; declare
    /// them under `machine.pods` instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_manifests_directory: Option<Flag>,
}

/// Selection of the kubelet's node IP.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.KubeletNodeIPConfig")]
pub struct KubeletNodeIPConfig {
    /// Subnets (CIDR) the node IP is chosen from; one IPv4 and one IPv6 subnet for dual stack.
    /// An entry starting with `!` excludes matching addresses and belongs after the positive
    /// entries. When unset, the choice follows the cluster's pod subnets.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(inner(regex(pattern = net::SUBNET_FILTER)))]
    pub valid_subnets: Option<Vec<String>>,
}

/// An extra mount into the kubelet container (an OCI mount).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.ExtraMount")]
pub struct ExtraMount {
    /// Absolute path inside the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// Mount type, usually `bind`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub mount_type: Option<String>,
    /// Path on the node to mount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Mount options in fstab style, such as `bind`, `rshared`, `rw`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
    /// User ID mappings applied to the mount (needs filesystem support).
    #[serde(rename = "uidMappings", skip_serializing_if = "Option::is_none")]
    pub uid_mappings: Option<Vec<LinuxIDMapping>>,
    /// Group ID mappings applied to the mount (needs filesystem support).
    #[serde(rename = "gidMappings", skip_serializing_if = "Option::is_none")]
    pub gid_mappings: Option<Vec<LinuxIDMapping>>,
}

/// A range of user or group IDs mapped between the container and the node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.LinuxIDMapping")]
pub struct LinuxIDMapping {
    /// First ID of the range inside the container.
    #[serde(rename = "containerID", skip_serializing_if = "Option::is_none")]
    pub container_id: Option<u32>,
    /// First ID of the range on the node.
    #[serde(rename = "hostID", skip_serializing_if = "Option::is_none")]
    pub host_id: Option<u32>,
    /// Number of IDs in the range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
}

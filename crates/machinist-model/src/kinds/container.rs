//! The `ContainerConfig` document: a container that Talos runs itself, outside Kubernetes. In: a
//! YAML document. Out: its typed value and JSON schema.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

kind_tag!(ContainerConfigKind, "ContainerConfig");

/// Linux capabilities added to or removed from a container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ContainerCapabilities {
    /// Capabilities to add, without the `CAP_` prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add: Option<Vec<String>>,
    /// Capabilities to drop, without the `CAP_` prefix; `ALL` drops every one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop: Option<Vec<String>>,
}

/// A container that Talos runs itself (containerd namespace `taloscontainers`), without Kubernetes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct ContainerConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `ContainerConfig`.
    pub kind: ContainerConfigKind,
    /// Name of the container (1 to 63 lowercase letters, digits or hyphens); also its containerd
    /// ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[a-z0-9-]{1,63}$"))]
    pub name: Option<String>,
    /// Image reference for the root filesystem; pin it by digest (`repo@sha256:...`) to get exactly
    /// that image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Command to run instead of the image's ENTRYPOINT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    /// Arguments to use instead of the image's CMD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    /// Working directory instead of the image's WORKDIR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// User and group to run as instead of the image's USER (uid 0 is root on the host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as: Option<ContainerRunAs>,
    /// Environment variables as `KEY=value`, added over the image's ENV; stored verbatim in the
    /// config, so no secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Vec<String>>,
    /// Filesystems mounted into the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mounts: Option<Vec<ContainerMount>>,
    /// Security profile and capabilities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<ContainerSecurity>,
    /// Network namespace of the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<ContainerNetwork>,
    /// cgroup v2 limits of the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ContainerResources>,
    /// Conditions that must hold before the container starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<ContainerDependsOn>,
}

/// Conditions a container waits for before it starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ContainerDependsOn {
    /// Host paths that must exist before start (polled; the container waits until they appear).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<String>>,
    /// Network readiness conditions to wait for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub networks: Option<ContainerNetworkDependency>,
    /// Wait until the clock is synchronised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<bool>,
    /// Other ContainerConfig documents, by name, that must be running first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub containers: Option<Vec<String>>,
}

/// One filesystem mounted into a container; set exactly one source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ContainerMount {
    /// Mount a user volume (by the name of its UserVolumeConfig) from `/var/mnt/<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_volume: Option<UserVolumeMount>,
    /// Mount a fresh tmpfs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tmpfs: Option<TmpfsMount>,
    /// Bind-mount an existing host path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_path: Option<HostPathMount>,
}

/// Network namespace of a container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ContainerNetwork {
    /// `none` for an isolated empty network namespace, `host` to share the host's network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

/// Hard resource ceilings of a container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ContainerResourceLimits {
    /// CPU ceiling in millicores (`1000m` is one core), written to cgroup `cpu.max`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
    /// Memory ceiling (for example `256MiB`), written to cgroup `memory.max`; exceeding it kills
    /// the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
}

/// cgroup v2 resource settings of a container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ContainerResources {
    /// Hard ceilings the container cannot exceed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<ContainerResourceLimits>,
}

/// User and group a container runs as.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ContainerRunAs {
    /// User ID to run as; the image's USER when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// Group ID to run as; the image's USER when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<u32>,
}

/// Security settings of a container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ContainerSecurity {
    /// Base profile: `restricted` (no capabilities, read-only rootfs and sysfs, no devices) or
    /// `privileged`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Capabilities added to or dropped from the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<ContainerCapabilities>,
}

/// Bind mount of a host path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HostPathMount {
    /// Absolute path on the host; it must already exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Absolute path inside the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// Mount options; read-only (`ro`) by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
}

/// A tmpfs mount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TmpfsMount {
    /// Absolute path inside the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// Size of the tmpfs (for example `64MiB`); the kernel default when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// Mount options; writable (`rw`) by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
}

/// A user volume mounted by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UserVolumeMount {
    /// Name of the UserVolumeConfig document whose volume is mounted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Absolute path inside the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// Mount options; read-only (`ro`) by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<UserVolumeMountOption>,
}

/// A network readiness condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ContainerNetworkDependency {
    #[serde(rename = "addresses")]
    Addresses,
    #[serde(rename = "connectivity")]
    Connectivity,
    #[serde(rename = "hostname")]
    Hostname,
    #[serde(rename = "etcfiles")]
    Etcfiles,
}

/// A mount option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum UserVolumeMountOption {
    #[serde(rename = "ro")]
    Ro,
    #[serde(rename = "rw")]
    Rw,
    #[serde(rename = "noexec")]
    Noexec,
    #[serde(rename = "nosuid")]
    Nosuid,
    #[serde(rename = "nodev")]
    Nodev,
    #[serde(rename = "noatime")]
    Noatime,
    #[serde(rename = "rbind")]
    Rbind,
    #[serde(rename = "rshared")]
    Rshared,
}

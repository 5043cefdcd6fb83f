//! The `machine` section of the v1alpha1 document: settings that belong to one node. In: the YAML
//! mapping under `machine:`. Out: [`MachineConfig`] and the small sub-sections that have no module
//! of their own (files, udev, logging, kernel modules, seccomp profiles, time).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{
    Certificate, CertificateAndKey, DURATION_PATTERN, FileMode, Flag, ScalarMap, Unstructured,
};
use super::machine_features::FeaturesConfig;
use super::machine_install::InstallConfig;
use super::machine_kubelet::KubeletConfig;
use super::machine_network::NetworkConfig;
use super::machine_registries::RegistriesConfig;
use super::machine_storage::{MachineDisk, SystemDiskEncryptionConfig};

/// Settings of one node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.MachineConfig")]
pub struct MachineConfig {
    /// The node's role: `controlplane` runs etcd and the Kubernetes control plane, `worker`
    /// only runs workloads.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub machine_type: Option<MachineType>,
    /// Bootstrap token the node presents to trustd to obtain its Talos API certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Certificate authority of the Talos API. Control-plane nodes carry the key; workers carry
    /// only the certificate (the key is empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca: Option<CertificateAndKey>,
    /// Further certificate authorities whose client certificates the Talos API accepts, for
    /// example while rotating the CA.
    #[serde(rename = "acceptedCAs", skip_serializing_if = "Option::is_none")]
    pub accepted_cas: Option<Vec<Certificate>>,
    /// Extra names and addresses written into the node's Talos API certificate. The node's own
    /// non-loopback addresses are always included.
    #[serde(rename = "certSANs", skip_serializing_if = "Option::is_none")]
    pub cert_sans: Option<Vec<String>>,
    /// Switches to turn off the controller manager or scheduler on this control-plane node.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14"))]
    pub control_plane: Option<MachineControlPlaneConfig>,
    /// Settings of the kubelet on this node.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeletConfig"))]
    pub kubelet: Option<KubeletConfig>,
    /// Static pod manifests the kubelet runs directly, without the API server. Useful for
    /// components that must be up before the control plane. Talos does not check them.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeStaticPodConfig"))]
    pub pods: Option<Vec<Unstructured>>,
    /// Legacy network settings: interfaces, bonds, VLANs, routes, nameservers, hostname and
    /// KubeSpan. Newer contracts express these as separate documents (LinkConfig, BondConfig,
    /// ResolverConfig, HostnameConfig, KubeSpanConfig, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.13"))]
    pub network: Option<NetworkConfig>,
    /// Legacy extra disks to partition and mount; replaced by `UserVolumeConfig` documents.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.13", "x-talos-replaced-by" = "UserVolumeConfig"))]
    pub disks: Option<Vec<MachineDisk>>,
    /// How Talos installs itself to disk. Ignored when Talos boots from an image that is already
    /// installed; boot from ISO or PXE for it to apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "UnattendedInstallConfig"))]
    pub install: Option<InstallConfig>,
    /// Files Talos writes on the node: new files, or text appended to or replacing an existing
    /// file.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14"))]
    pub files: Option<Vec<MachineFile>>,
    /// Environment variables set for Talos itself and every service it starts, for example
    /// `http_proxy`, `https_proxy` and `no_proxy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.13", "x-talos-replaced-by" = "EnvironmentConfig"))]
    pub env: Option<ScalarMap>,
    /// Legacy time synchronisation settings; replaced by the `TimeSyncConfig` document.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.12", "x-talos-replaced-by" = "TimeSyncConfig"))]
    pub time: Option<TimeConfig>,
    /// Kernel parameters to set, keyed by their dotted name (`net.ipv4.ip_forward`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "SysctlConfig"))]
    pub sysctls: Option<ScalarMap>,
    /// Values to write under `/sys`, keyed by the dotted path below `/sys`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "SysfsConfig"))]
    pub sysfs: Option<ScalarMap>,
    /// Legacy image registry mirrors, TLS and credentials; replaced by the
    /// `RegistryMirrorConfig`, `RegistryTLSConfig` and `RegistryAuthConfig` documents.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.12", "x-talos-replaced-by" = "RegistryMirrorConfig"))]
    pub registries: Option<RegistriesConfig>,
    /// Legacy encryption of the STATE and EPHEMERAL partitions; replaced by `VolumeConfig`
    /// documents with an `encryption` section.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.13", "x-talos-replaced-by" = "VolumeConfig"))]
    pub system_disk_encryption: Option<SystemDiskEncryptionConfig>,
    /// Optional Talos features that can be switched on or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub features: Option<FeaturesConfig>,
    /// Extra udev rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "UdevRulesConfig"))]
    pub udev: Option<UdevConfig>,
    /// Where Talos sends its service logs, in addition to keeping them on the node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging: Option<LoggingConfig>,
    /// Kernel modules to load at boot.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KernelModuleConfig"))]
    pub kernel: Option<KernelConfig>,
    /// Seccomp profiles written to the node, for pods to reference with `Localhost` profiles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seccomp_profiles: Option<Vec<MachineSeccompProfile>>,
    /// A patch over the default OCI runtime spec used for every container the CRI starts, for
    /// settings Kubernetes cannot express such as default ulimits. Needs a reboot.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "CRIBaseRuntimeSpecConfig"))]
    pub base_runtime_spec_overrides: Option<Unstructured>,
    /// Labels Talos sets on this node's Kubernetes Node object. Workers may only set labels
    /// the NodeRestriction admission plugin allows.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeNodeConfig"))]
    pub node_labels: Option<ScalarMap>,
    /// Annotations Talos sets on this node's Kubernetes Node object.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeNodeConfig"))]
    pub node_annotations: Option<ScalarMap>,
    /// Taints Talos sets on this node's Kubernetes Node object, as `key: value:Effect` (the
    /// effect may be left out). Workers are normally not allowed to change their taints.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.14", "x-talos-replaced-by" = "KubeNodeConfig"))]
    pub node_taints: Option<ScalarMap>,
}

/// The role of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "v1alpha1.MachineType")]
pub enum MachineType {
    /// Runs etcd and the Kubernetes API server, controller manager and scheduler.
    #[serde(rename = "controlplane")]
    Controlplane,
    /// Runs workloads only.
    #[serde(rename = "worker")]
    Worker,
    /// Old name of `controlplane` for the first control-plane node; still read as a control-plane
    /// node.
    #[serde(rename = "init")]
    #[schemars(extend("deprecated" = true))]
    Init,
    /// Old name of `worker`; still read as a worker.
    #[serde(rename = "join")]
    #[schemars(extend("deprecated" = true))]
    Join,
}

/// Per-node switches for the control-plane components.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.MachineControlPlaneConfig")]
pub struct MachineControlPlaneConfig {
    /// Controller manager settings for this node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller_manager: Option<MachineComponentSwitch>,
    /// Scheduler settings for this node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduler: Option<MachineComponentSwitch>,
}

/// Turns one control-plane component off on this node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.MachineComponentSwitch")]
pub struct MachineComponentSwitch {
    /// Do not run the component on this node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<Flag>,
}

/// A file Talos writes on the node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.MachineFile")]
pub struct MachineFile {
    /// The text to write (plain, not base64).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Unix permission bits, usually written in octal (`0o644`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<FileMode>,
    /// Absolute path of the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What to do: `create` a new file, `append` to an existing one, or `overwrite` it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub op: Option<FileOp>,
}

/// How a [`MachineFile`] is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "v1alpha1.FileOp")]
pub enum FileOp {
    /// The file must not exist yet.
    Create,
    /// Add the content at the end of an existing file.
    Append,
    /// Replace the content of an existing file.
    Overwrite,
}

/// Extra udev rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.UdevConfig")]
pub struct UdevConfig {
    /// Rules in udev syntax, one per entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<String>>,
}

/// Remote destinations for Talos service logs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.LoggingConfig")]
pub struct LoggingConfig {
    /// Each destination receives every log line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destinations: Option<Vec<LoggingDestination>>,
}

/// One remote log destination.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.LoggingDestination")]
pub struct LoggingDestination {
    /// URL of the receiver, `tcp://host:port` or `udp://host:port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^(tcp|udp)://"))]
    pub endpoint: Option<String>,
    /// Encoding of the log lines sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<LoggingFormat>,
    /// Extra key/value pairs added to every message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_tags: Option<ScalarMap>,
}

/// Encoding of remote log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "v1alpha1.LoggingFormat")]
pub enum LoggingFormat {
    /// One JSON object per line.
    #[serde(rename = "json_lines")]
    JsonLines,
}

/// Kernel settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.KernelConfig")]
pub struct KernelConfig {
    /// Modules loaded at boot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modules: Option<Vec<KernelModuleConfig>>,
}

/// A kernel module to load.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.KernelModuleConfig")]
pub struct KernelModuleConfig {
    /// Module name, as given to modprobe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Module parameters as `key=value`; changes take effect after a reboot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<String>>,
}

/// A seccomp profile written to the node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.MachineSeccompProfile")]
pub struct MachineSeccompProfile {
    /// File name of the profile; pods refer to it as `localhostProfile`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The profile itself, in the OCI seccomp JSON format written as YAML.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Unstructured>,
}

/// Legacy time synchronisation settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.TimeConfig")]
pub struct TimeConfig {
    /// Turn time synchronisation off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<Flag>,
    /// NTP servers to query, or the path of a PTP device such as `/dev/ptp0`. The default is
    /// `time.cloudflare.com`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers: Option<Vec<String>>,
    /// How long boot waits for the clock to be in sync before carrying on (a duration such as
    /// `2m`); by default it waits indefinitely. Synchronisation keeps running afterwards.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = DURATION_PATTERN))]
    pub boot_timeout: Option<String>,
}

//! Node runtime documents: environment, files under /etc, kernel modules, sysctl/sysfs/udev
//! settings, event and kernel-log sinks, the OOM handler, watchdog, security profile, unattended
//! install, extension services and PCI driver rebinding. In: YAML documents of those kinds. Out:
//! typed values and their JSON schemas.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

kind_tag!(ExtensionServiceConfigKind, "ExtensionServiceConfig");
kind_tag!(PCIDriverRebindConfigKind, "PCIDriverRebindConfig");
kind_tag!(EnvironmentConfigKind, "EnvironmentConfig");
kind_tag!(EtcFileConfigKind, "EtcFileConfig");
kind_tag!(EventSinkConfigKind, "EventSinkConfig");
kind_tag!(KernelModuleConfigKind, "KernelModuleConfig");
kind_tag!(KmsgLogConfigKind, "KmsgLogConfig");
kind_tag!(OOMConfigKind, "OOMConfig");
kind_tag!(SecurityProfileConfigKind, "SecurityProfileConfig");
kind_tag!(SysctlConfigKind, "SysctlConfig");
kind_tag!(SysfsConfigKind, "SysfsConfig");
kind_tag!(UdevRulesConfigKind, "UdevRulesConfig");
kind_tag!(UnattendedInstallConfigKind, "UnattendedInstallConfig");
kind_tag!(WatchdogTimerConfigKind, "WatchdogTimerConfig");

/// A file handed to an extension service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConfigFile {
    /// Contents of the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Path where the file appears inside the extension service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount_path: Option<String>,
}

/// Files and environment for a system extension service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExtensionServiceConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `ExtensionServiceConfig`.
    pub kind: ExtensionServiceConfigKind,
    /// Name of the system extension service this configures.
    pub name: String,
    /// Files made available to the extension service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_files: Option<Vec<ConfigFile>>,
    /// Environment variables for the service, one `KEY=value` string per entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Vec<String>>,
}

/// Rebinds a PCI device to another driver, for example `vfio-pci` for passthrough.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PCIDriverRebindConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `PCIDriverRebindConfig`.
    pub kind: PCIDriverRebindConfigKind,
    /// PCI address of the device, for example `0000:04:00.0`.
    pub name: String,
    /// Driver to bind the device to, for example `vfio-pci`.
    pub target_driver: String,
}

/// Picks the install disk with a CEL expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InstallDiskSelector {
    /// CEL expression that picks the install disk (variable `disk`), for example `disk.dev_path ==
    /// "/dev/sda"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#match: Option<String>,
}

/// Environment variables for Talos itself and its services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.13"))]
pub struct EnvironmentConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `EnvironmentConfig`.
    pub kind: EnvironmentConfigKind,
    /// Environment variables for Talos services, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<BTreeMap<String, String>>,
}

/// A file under /etc managed through the configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct EtcFileConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `EtcFileConfig`.
    pub kind: EtcFileConfigKind,
    /// Path of the file relative to /etc.
    pub name: String,
    /// Permission bits of the file (octal in YAML, for example `0o644`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
    /// Contents of the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contents: Option<String>,
}

/// Streams Talos events to a gRPC sink.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EventSinkConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `EventSinkConfig`.
    pub kind: EventSinkConfigKind,
    /// `host:port` of the gRPC event sink.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

/// The installer image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InstallerSpec {
    /// Installer image; the one matching the running Talos when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// Loads a kernel module with parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct KernelModuleConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KernelModuleConfig`.
    pub kind: KernelModuleConfigKind,
    /// Name of the kernel module.
    pub name: String,
    /// Module parameters as `key=value`; changes apply after a reboot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<String>>,
}

/// Streams the kernel log to a remote TCP or UDP endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KmsgLogConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `KmsgLogConfig`.
    pub kind: KmsgLogConfigKind,
    /// Name of this log destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Destination as `tcp://host:port` or `udp://host:port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^(tcp|udp)://"))]
    pub url: Option<String>,
}

/// The userspace out-of-memory handler: when it acts and which cgroup it kills.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct OOMConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `OOMConfig`.
    pub kind: OOMConfigKind,
    /// CEL expression over memory pressure data; when true, the handler picks and kills a victim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger_expression: Option<String>,
    /// CEL expression scoring cgroups; the highest score is killed first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup_ranking_expression: Option<String>,
    /// Always kill from the least important QoS class first (on by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict_cgroup_class_ordering: Option<bool>,
    /// How often the trigger is evaluated, as a Go duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[-+]?(((\d+(\.\d*)?|\d*(\.\d+)+)([nuµm]?s|m|h))|0)+$"))]
    pub sample_interval: Option<String>,
}

/// The install disk and whether it is wiped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InstallProvisioningSpec {
    /// Chooses the install disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_selector: Option<InstallDiskSelector>,
    /// Wipe the install disk first (on by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wipe: Option<bool>,
}

/// Node hardening features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct SecurityProfileConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `SecurityProfileConfig`.
    pub kind: SecurityProfileConfigKind,
    /// Run the container plane inside an isolated sandbox namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload_isolation: Option<bool>,
}

/// Kernel sysctl values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct SysctlConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `SysctlConfig`.
    pub kind: SysctlConfigKind,
    /// Kernel parameters under /proc/sys, by dotted name (merged with `machine.sysctls`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<BTreeMap<String, String>>,
}

/// Kernel sysfs values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct SysfsConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `SysfsConfig`.
    pub kind: SysfsConfigKind,
    /// Kernel attributes under /sys, by dotted path (merged with `machine.sysfs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<BTreeMap<String, String>>,
}

/// Extra udev rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct UdevRulesConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `UdevRulesConfig`.
    pub kind: UdevRulesConfigKind,
    /// Extra udev rules, one rule per entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<String>>,
}

/// Installs Talos to disk without an operator: installer image, disk and reboot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct UnattendedInstallConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `UnattendedInstallConfig`.
    pub kind: UnattendedInstallConfigKind,
    /// Reboot after installing; by default only when an installer image is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reboot: Option<bool>,
    /// Where the installer comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installer: Option<InstallerSpec>,
    /// Which disk Talos installs to and whether it is wiped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning: Option<InstallProvisioningSpec>,
}

/// A hardware watchdog that resets the machine when Talos stops responding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WatchdogTimerConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `WatchdogTimerConfig`.
    pub kind: WatchdogTimerConfigKind,
    /// Watchdog device, for example `/dev/watchdog0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Time without a heartbeat before the machine is reset; 1m by default, at least 10s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[-+]?(((\d+(\.\d*)?|\d*(\.\d+)+)([nuµm]?s|m|h))|0)+$"))]
    pub timeout: Option<String>,
}

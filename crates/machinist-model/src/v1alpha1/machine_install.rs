//! The `machine.install` section: where and how Talos installs itself. In: the YAML mapping under
//! `machine.install`. Out: [`InstallConfig`] and the disk selector.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{ByteSize, Flag};

/// Installation settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.InstallConfig")]
pub struct InstallConfig {
    /// Device to install to, such as `/dev/sda` or `/dev/nvme0n1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk: Option<String>,
    /// Pick the install disk by its properties instead of its device name; wins over `disk`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_selector: Option<InstallDiskSelector>,
    /// Extra kernel command-line arguments for the installed system (GRUB installs only). Build
    /// an installer image with the arguments baked in instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-deprecated" = "v1.12"))]
    pub extra_kernel_args: Option<Vec<String>>,
    /// Installer image reference, such as `ghcr.io/siderolabs/installer:v1.13.0` or an Image
    /// Factory URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Legacy list of system extension images to add at install time; use an installer image
    /// that already contains them.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("deprecated" = true))]
    pub extensions: Option<Vec<InstallExtensionConfig>>,
    /// Legacy switch that never had an effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("deprecated" = true))]
    pub bootloader: Option<Flag>,
    /// Wipe the whole install disk before installing. Defaults to true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wipe: Option<Flag>,
    /// Mark the MBR partition active, for old BIOS firmware that cannot boot GPT disks
    /// otherwise.
    #[serde(rename = "legacyBIOSSupport", skip_serializing_if = "Option::is_none")]
    pub legacy_bios_support: Option<Flag>,
    /// With the GRUB bootloader, take the kernel command line from the UKI instead of building
    /// it on the node, as systemd-boot does.
    #[serde(rename = "grubUseUKICmdline", skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-since" = "v1.12"))]
    pub grub_use_uki_cmdline: Option<Flag>,
}

/// Properties the install disk must have. Text matches are exact unless noted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.InstallDiskSelector")]
pub struct InstallDiskSelector {
    /// Disk size, optionally preceded by a comparison: `4GB`, `>= 1TB`, `<2TB`, `== 500GB`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<ByteSize>,
    /// Device name as reported in `/sys/block/<dev>/device/name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Device model (`/sys/block/<dev>/device/model`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Serial number (`/sys/block/<dev>/serial`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Kernel modalias (`/sys/block/<dev>/device/modalias`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modalias: Option<String>,
    /// Disk UUID (`/sys/block/<dev>/uuid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// World-wide identifier (`/sys/block/<dev>/wwid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wwid: Option<String>,
    /// Kind of storage.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub disk_type: Option<InstallDiskType>,
    /// Bus path of the device; `*` matches any suffix, as in `/pci0000:00/*`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bus_path: Option<String>,
}

/// Kind of storage device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "v1alpha1.InstallDiskType")]
pub enum InstallDiskType {
    /// Solid-state disk (SATA or SAS).
    Ssd,
    /// Spinning hard disk.
    Hdd,
    /// NVMe device.
    Nvme,
    /// SD or MMC card.
    Sd,
}

/// A system extension image to install (legacy).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.InstallExtensionConfig")]
pub struct InstallExtensionConfig {
    /// Extension image reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

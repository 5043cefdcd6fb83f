//! LVM and software-RAID documents (v1.14+): volume groups, logical volumes and MD arrays built
//! from
//! disks chosen by CEL selectors. In: YAML documents of those kinds. Out: typed values and their
//! JSON
//! schemas.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

kind_tag!(LVMLogicalVolumeConfigKind, "LVMLogicalVolumeConfig");
kind_tag!(LVMVolumeGroupConfigKind, "LVMVolumeGroupConfig");
kind_tag!(RAIDArrayConfigKind, "RAIDArrayConfig");

/// An LVM logical volume inside a volume group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct LVMLogicalVolumeConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `LVMLogicalVolumeConfig`.
    pub kind: LVMLogicalVolumeConfigKind,
    /// Logical volume name (1 to 63 letters, digits, hyphens or underscores).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[A-Za-z0-9_-]{1,63}$"))]
    pub name: Option<String>,
    /// Layout of the volume, such as `linear`, `raid0`, `raid1` or `raid10`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// Mirror copies for raid1/raid10 (1, a two-way mirror, by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mirrors: Option<u32>,
    /// Stripes for raid0/raid10 (at least 2; all physical volumes by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripes: Option<u32>,
    /// Volume group and size of the logical volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning: Option<LVMLogicalVolumeProvisioningSpec>,
}

/// Volume group and size of a logical volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LVMLogicalVolumeProvisioningSpec {
    /// Volume group the logical volume lives in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_group: Option<String>,
    /// Smallest acceptable size, in bytes or with a unit (`10GiB`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_size: Option<String>,
    /// Largest size, with a unit or as a percentage of the volume group (`80%`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_size: Option<String>,
}

/// An LVM volume group and the disks that back it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct LVMVolumeGroupConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `LVMVolumeGroupConfig`.
    pub kind: LVMVolumeGroupConfigKind,
    /// Volume group name (1 to 63 letters, digits, hyphens or underscores).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[A-Za-z0-9_-]{1,63}$"))]
    pub name: Option<String>,
    /// Which disks become physical volumes of the group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning: Option<VolumeGroupProvisioningSpec>,
}

/// Picks physical volumes with a CEL expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LVMVolumeSelectorSpec {
    /// CEL expression evaluated against each volume (variable `volume`) that picks the physical
    /// volumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#match: Option<String>,
}

/// Which disks become physical volumes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VolumeGroupProvisioningSpec {
    /// Picks the disks or partitions used as physical volumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_selector: Option<LVMVolumeSelectorSpec>,
}

/// A Linux MD software RAID array built from disks picked by a selector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct RAIDArrayConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `RAIDArrayConfig`.
    pub kind: RAIDArrayConfigKind,
    /// Array name (1 to 32 letters, digits, hyphens or underscores); exposed as
    /// `/dev/disk/by-id/md-name-<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[A-Za-z0-9_-]{1,32}$"))]
    pub name: Option<String>,
    /// RAID level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<RaidLevel>,
    /// MD superblock format: `1.0` (end of device, bootable; the default) or `1.2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<RaidMetadata>,
    /// Which volumes become members of the array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning: Option<RAIDProvisioningSpec>,
}

/// Which volumes become members of an array.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RAIDProvisioningSpec {
    /// Picks the member volumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_selector: Option<RAIDVolumeSelector>,
}

/// Picks array members with a CEL expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RAIDVolumeSelector {
    /// CEL expression evaluated against each volume (variable `volume`, plus `disk` for whole
    /// disks) that picks the members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#match: Option<String>,
}

/// RAID level of an MD array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RaidLevel {
    #[serde(rename = "raid1")]
    Raid1,
}

/// MD superblock format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RaidMetadata {
    #[serde(rename = "1.0")]
    V10,
    #[serde(rename = "1.2")]
    V12,
}

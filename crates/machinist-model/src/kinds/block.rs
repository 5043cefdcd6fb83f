//! Block-device and volume documents. In: YAML documents of the volume kinds (system volumes,
//! user, raw, swap, existing and external volumes, zswap, trim and scrub schedules). Out: typed
//! values and their JSON schemas.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

kind_tag!(ExistingVolumeConfigKind, "ExistingVolumeConfig");
kind_tag!(ExternalVolumeConfigKind, "ExternalVolumeConfig");
kind_tag!(FilesystemScrubConfigKind, "FilesystemScrubConfig");
kind_tag!(FilesystemTrimConfigKind, "FilesystemTrimConfig");
kind_tag!(RawVolumeConfigKind, "RawVolumeConfig");
kind_tag!(SwapVolumeConfigKind, "SwapVolumeConfig");
kind_tag!(UserVolumeConfigKind, "UserVolumeConfig");
kind_tag!(VolumeConfigKind, "VolumeConfig");
kind_tag!(ZswapConfigKind, "ZswapConfig");

/// Picks a disk with a CEL expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DiskSelector {
    /// CEL expression evaluated against each disk (variable `disk`); the volume goes on a disk for
    /// which it is true, for example `disk.transport == "nvme"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#match: Option<String>,
}

/// One key that can unlock an encrypted volume; set exactly one of `static`, `nodeID`, `kms` or
/// `tpm`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EncryptionKey {
    /// LUKS2 key slot this key occupies; every key of a volume needs a distinct slot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<u32>,
    /// Unlock with a passphrase stored in the configuration itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#static: Option<EncryptionKeyStatic>,
    /// Unlock with a key derived from the node's UUID and the partition label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "nodeID")]
    pub node_id: Option<EncryptionKeyNodeID>,
    /// Unlock with a random key sealed by a KMS server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms: Option<EncryptionKeyKMS>,
    /// Unlock with a random key sealed by the node's TPM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tpm: Option<EncryptionKeyTPM>,
    /// Also bind the key to a random salt kept on the STATE partition, so the volume cannot be
    /// opened without that STATE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_to_state: Option<bool>,
}

/// A key sealed by a remote KMS server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EncryptionKeyKMS {
    /// Address of the KMS server that seals and unseals the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

/// A key derived from the node's UUID; it has no settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EncryptionKeyNodeID {}

/// A fixed passphrase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EncryptionKeyStatic {
    /// The passphrase, stored in plain text in the configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passphrase: Option<String>,
}

/// A key sealed by the TPM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EncryptionKeyTPM {
    /// How the sealed key is bound to the TPM's measurements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<EncryptionKeyTPMOptions>,
    /// Refuse to enroll the key unless UEFI Secure Boot is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_secureboot_status_on_enroll: Option<bool>,
}

/// How a TPM-sealed key is bound to measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EncryptionKeyTPMOptions {
    /// PCR registers the key is bound to; PCR 7 when unset, none when the list is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pcrs: Option<Vec<u32>>,
}

/// Encryption of a volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EncryptionSpec {
    /// Encryption provider; only `luks2` exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<EncryptionProvider>,
    /// Keys that can unlock the volume, each in its own key slot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<EncryptionKey>>,
    /// Cipher used by the provider; the provider default when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cipher: Option<EncryptionCipher>,
    /// Length of the volume key, in bits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_size: Option<u32>,
    /// Encryption sector size, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_size: Option<u32>,
    /// Extra LUKS2 `--perf-*` options, for example `no_read_workqueue`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
    /// Pass TRIM/discard requests through the encryption layer to the device (off by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-since" = "v1.14"))]
    pub allow_discards: Option<bool>,
}

/// Mount options of an existing volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExistingMountSpec {
    /// Mount the volume read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// Mount with noatime, so reads do not update access times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_access_time: Option<bool>,
    /// Mount with nosuid and nodev (and noexec where it applies); on by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure: Option<bool>,
}

/// Mounts a partition or disk that was created outside Talos at `/var/mnt/<name>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExistingVolumeConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `ExistingVolumeConfig`.
    pub kind: ExistingVolumeConfigKind,
    /// Name of the volume; it is mounted at `/var/mnt/<name>`. Letters, digits and hyphens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[a-zA-Z0-9-]+$"))]
    pub name: Option<String>,
    /// How Talos finds the existing partition or disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery: Option<VolumeDiscoverySpec>,
    /// Mount options for the volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount: Option<ExistingMountSpec>,
    /// Periodic fstrim settings for this volume, overriding the global FilesystemTrimConfig.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-since" = "v1.14"))]
    pub trim: Option<TrimConfig>,
    /// Periodic filesystem scrub settings for this volume, overriding the global
    /// FilesystemScrubConfig.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-since" = "v1.14"))]
    pub scrub: Option<ScrubConfig>,
}

/// Mount options of an external volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExternalMountSpec {
    /// Mount the volume read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// Mount with noatime, so reads do not update access times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_access_time: Option<bool>,
    /// Mount with nosuid and nodev (and noexec where it applies); on by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure: Option<bool>,
    /// Options for a virtiofs share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtiofs: Option<VirtiofsMountSpec>,
}

/// Mounts a volume that lives outside the machine (such as a virtiofs share) at `/var/mnt/<name>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.13"))]
pub struct ExternalVolumeConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `ExternalVolumeConfig`.
    pub kind: ExternalVolumeConfigKind,
    /// Name of the mount (1 to 34 letters, digits or hyphens); mounted at `/var/mnt/<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[a-zA-Z0-9-]{1,34}$"))]
    pub name: Option<String>,
    /// Filesystem type of the external volume; only `virtiofs` exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filesystem_type: Option<ExternalFilesystemType>,
    /// How the external volume is mounted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount: Option<ExternalMountSpec>,
}

/// Turns on periodic online scrubbing (xfs_scrub) of mounted filesystems and sets its interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct FilesystemScrubConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `FilesystemScrubConfig`.
    pub kind: FilesystemScrubConfigKind,
    /// Time between scrubs of all filesystems that support online scrub; one week when unset, at
    /// least 10s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[-+]?(((\d+(\.\d*)?|\d*(\.\d+)+)([nuµm]?s|m|h))|0)+$"))]
    pub interval: Option<String>,
}

/// Filesystem a volume is formatted with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FilesystemSpec {
    /// Filesystem to create; `xfs` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<FilesystemType>,
    /// Enable XFS project quotas (xfs only; may need a remount to take effect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_quota_support: Option<bool>,
    /// Options specific to XFS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-since" = "v1.14"))]
    pub xfs: Option<XFSSpec>,
}

/// Turns on periodic fstrim of mounted filesystems and sets its interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct FilesystemTrimConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `FilesystemTrimConfig`.
    pub kind: FilesystemTrimConfigKind,
    /// Time between trims of all mounted filesystems; each volume runs at its own stable offset
    /// within the interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[-+]?(((\d+(\.\d*)?|\d*(\.\d+)+)([nuµm]?s|m|h))|0)+$"))]
    pub interval: Option<String>,
}

/// Mount options of a system volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MountSpec {
    /// Mount with nosuid and nodev (and noexec for dedicated ETCD and LOG volumes); on by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure: Option<bool>,
    /// Mount with noatime (EPHEMERAL only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-since" = "v1.14"))]
    pub disable_access_time: Option<bool>,
}

/// Where a volume is created and how large it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VolumeProvisioningSpec {
    /// Chooses the disk the volume is created on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_selector: Option<DiskSelector>,
    /// Let the volume grow into free space on the disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grow: Option<bool>,
    /// Smallest acceptable size, in bytes or with a unit such as `100MB` or `10GiB`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_size: Option<String>,
    /// Largest size, in bytes, with a unit (`50GiB`) or as a percentage of the disk (`80%`); the
    /// whole disk when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_size: Option<String>,
}

/// Creates an unformatted partition (label `r-<name>`), for example for a CSI driver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawVolumeConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `RawVolumeConfig`.
    pub kind: RawVolumeConfigKind,
    /// Name of the volume (1 to 34 letters, digits or hyphens); the partition is labelled
    /// `r-<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[a-zA-Z0-9-]{1,34}$"))]
    pub name: Option<String>,
    /// Where and how large the partition is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning: Option<VolumeProvisioningSpec>,
    /// Encryption of the partition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<EncryptionSpec>,
}

/// Scrub settings of one volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScrubConfig {
    /// Whether this volume is scrubbed; on when the section is present and this is unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Time between scrubs of this volume, overriding the global interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[-+]?(((\d+(\.\d*)?|\d*(\.\d+)+)([nuµm]?s|m|h))|0)+$"))]
    pub interval: Option<String>,
}

/// Creates a swap partition (label `s-<name>`) and turns it on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SwapVolumeConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `SwapVolumeConfig`.
    pub kind: SwapVolumeConfigKind,
    /// Name of the volume (1 to 34 letters, digits or hyphens); the partition is labelled
    /// `s-<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[a-zA-Z0-9-]{1,34}$"))]
    pub name: Option<String>,
    /// Where and how large the swap partition is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning: Option<VolumeProvisioningSpec>,
    /// Encryption of the swap partition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<EncryptionSpec>,
}

/// Filesystem options of a system volume (always XFS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SystemVolumeFilesystemSpec {
    /// Options specific to XFS (system volumes always use XFS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xfs: Option<XFSSpec>,
}

/// Trim settings of one volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TrimConfig {
    /// Whether this volume is trimmed; on when a global FilesystemTrimConfig exists and this is
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Time between trims of this volume, overriding the global interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[-+]?(((\d+(\.\d*)?|\d*(\.\d+)+)([nuµm]?s|m|h))|0)+$"))]
    pub interval: Option<String>,
}

/// Mount options of a user volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UserMountSpec {
    /// Mount with noatime, so reads do not update access times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_access_time: Option<bool>,
    /// Mount with nosuid and nodev (and noexec where it applies); on by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure: Option<bool>,
}

/// Creates a data volume for workloads and mounts it at `/var/mnt/<name>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UserVolumeConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `UserVolumeConfig`.
    pub kind: UserVolumeConfigKind,
    /// Name of the volume (1 to 34 letters, digits or hyphens); the partition is labelled
    /// `u-<name>` and mounted at `/var/mnt/<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[a-zA-Z0-9-]{1,34}$"))]
    pub name: Option<String>,
    /// What backs the volume: a new `partition` (the default), a whole `disk`, or a `directory` on
    /// EPHEMERAL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_type: Option<UserVolumeType>,
    /// Where and how large the volume is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning: Option<VolumeProvisioningSpec>,
    /// Filesystem the volume is formatted with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filesystem: Option<FilesystemSpec>,
    /// Encryption of the volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<EncryptionSpec>,
    /// Mount options for the volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount: Option<UserMountSpec>,
    /// Periodic fstrim settings for this volume, overriding the global FilesystemTrimConfig.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-since" = "v1.14"))]
    pub trim: Option<TrimConfig>,
    /// Periodic filesystem scrub settings for this volume, overriding the global
    /// FilesystemScrubConfig.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-since" = "v1.14"))]
    pub scrub: Option<ScrubConfig>,
}

/// Options of a virtiofs mount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VirtiofsMountSpec {
    /// Tag of the virtiofs share exported by the hypervisor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// Sets where and how a system volume (STATE, EPHEMERAL, IMAGECACHE, ETCD, CRI, KUBELET or LOG) is
/// created, encrypted and mounted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VolumeConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `VolumeConfig`.
    pub kind: VolumeConfigKind,
    /// System volume to configure: `STATE`, `EPHEMERAL`, `IMAGECACHE`, `ETCD`, `CRI`, `KUBELET` or
    /// `LOG`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where and how large the system volume is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning: Option<VolumeProvisioningSpec>,
    /// Filesystem options, applied only when the volume is formatted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-since" = "v1.14"))]
    pub filesystem: Option<SystemVolumeFilesystemSpec>,
    /// Encryption of the system volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<EncryptionSpec>,
    /// Mount options for the system volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount: Option<MountSpec>,
    /// Periodic fstrim settings for this volume, overriding the global FilesystemTrimConfig.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-since" = "v1.14"))]
    pub trim: Option<TrimConfig>,
    /// Periodic filesystem scrub settings for this volume, overriding the global
    /// FilesystemScrubConfig.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-since" = "v1.14"))]
    pub scrub: Option<ScrubConfig>,
}

/// How an existing volume is found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VolumeDiscoverySpec {
    /// Chooses the existing volume to mount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_selector: Option<VolumeSelector>,
}

/// Picks a volume with a CEL expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VolumeSelector {
    /// CEL expression evaluated against each discovered volume (variable `volume`, and `disk` for
    /// its disk), for example `volume.partition_label == "DATA"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#match: Option<String>,
}

/// XFS formatting options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct XFSSpec {
    /// Smallest XFS allocation group size (for example `1GiB`), limiting how many groups mkfs.xfs
    /// creates on many-core machines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_allocation_group_size: Option<String>,
}

/// Turns on zswap, a compressed in-memory cache for pages on their way to swap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ZswapConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `ZswapConfig`.
    pub kind: ZswapConfigKind,
    /// Largest share of system memory zswap may use, in percent (0 to 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 100))]
    pub max_pool_percent: Option<u32>,
    /// Let the kernel move cold pages from zswap out to a swap device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shrinker_enabled: Option<bool>,
}

/// Cipher of an encrypted volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum EncryptionCipher {
    #[serde(rename = "aes-xts-plain64")]
    AesXtsPlain64,
    #[serde(rename = "xchacha12,aes-adiantum-plain64")]
    Xchacha12AesAdiantumPlain64,
    #[serde(rename = "xchacha20,aes-adiantum-plain64")]
    Xchacha20AesAdiantumPlain64,
}

/// Volume encryption provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum EncryptionProvider {
    #[serde(rename = "luks2")]
    Luks2,
}

/// Filesystem type of an external volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ExternalFilesystemType {
    #[serde(rename = "virtiofs")]
    Virtiofs,
}

/// Filesystem of a user or system volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum FilesystemType {
    #[serde(rename = "ext4")]
    Ext4,
    #[serde(rename = "xfs")]
    Xfs,
    #[serde(rename = "btrfs")]
    #[schemars(extend("x-talos-since" = "v1.14"))]
    Btrfs,
}

/// What backs a user volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum UserVolumeType {
    #[serde(rename = "directory")]
    Directory,
    #[serde(rename = "disk")]
    Disk,
    #[serde(rename = "partition")]
    Partition,
}

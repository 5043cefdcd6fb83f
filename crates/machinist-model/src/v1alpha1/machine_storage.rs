//! Legacy storage sections of `machine`: extra disks (`machine.disks`) and system partition
//! encryption (`machine.systemDiskEncryption`). In: those YAML sections. Out: [`MachineDisk`] and
//! [`SystemDiskEncryptionConfig`]. Newer contracts use `UserVolumeConfig` and `VolumeConfig`
//! documents for the same things.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{ByteSize, Flag};

/// An extra disk to partition and mount.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.MachineDisk")]
pub struct MachineDisk {
    /// Device path, such as `/dev/sdb`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Partitions to create, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partitions: Option<Vec<DiskPartition>>,
}

/// A partition on an extra disk.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.DiskPartition")]
pub struct DiskPartition {
    /// Partition size in bytes or with a unit (`100 GB`); when left out the partition fills the
    /// rest of the disk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<ByteSize>,
    /// Where to mount the partition, usually under `/var/mnt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mountpoint: Option<String>,
}

/// Encryption of the system partitions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.SystemDiskEncryptionConfig")]
pub struct SystemDiskEncryptionConfig {
    /// Encryption of the STATE partition (holds the machine config).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<EncryptionConfig>,
    /// Encryption of the EPHEMERAL partition (holds `/var`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ephemeral: Option<EncryptionConfig>,
}

/// How one partition is encrypted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.EncryptionConfig")]
pub struct EncryptionConfig {
    /// Encryption provider; `luks2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Key slots and where each key comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<EncryptionKey>>,
    /// Cipher, such as `aes-xts-plain64` or `xchacha20,aes-adiantum-plain64`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cipher: Option<String>,
    /// Key length in bits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_size: Option<u32>,
    /// Sector size in bytes, such as 4096.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_size: Option<u64>,
    /// LUKS2 `--perf-*` flags: `no_read_workqueue`, `no_write_workqueue`, `same_cpu_crypt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
}

/// One encryption key slot. Exactly one key source is set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.EncryptionKey")]
pub struct EncryptionKey {
    /// A passphrase stored in the machine config.
    #[serde(rename = "static", skip_serializing_if = "Option::is_none")]
    pub static_key: Option<EncryptionKeyStatic>,
    /// A key derived from the node's UUID and the partition label.
    #[serde(rename = "nodeID", skip_serializing_if = "Option::is_none")]
    pub node_id: Option<EncryptionKeyNodeID>,
    /// A key sealed by a KMS server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms: Option<EncryptionKeyKMS>,
    /// LUKS2 key slot number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slot: Option<u32>,
    /// A key sealed by the node's TPM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tpm: Option<EncryptionKeyTPM>,
}

/// A static passphrase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.EncryptionKeyStatic")]
pub struct EncryptionKeyStatic {
    /// The passphrase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passphrase: Option<String>,
}

/// A key derived from the node identity; it has no settings (write `nodeID: {}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "v1alpha1.EncryptionKeyNodeID")]
pub struct EncryptionKeyNodeID {}

/// A key sealed by a KMS server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.EncryptionKeyKMS")]
pub struct EncryptionKeyKMS {
    /// Address of the KMS server that seals and unseals the key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

/// A key sealed by the TPM.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.EncryptionKeyTPM")]
pub struct EncryptionKeyTPM {
    /// Refuse to enroll the key unless Secure Boot is on. The key is bound to PCR 7, so
    /// changing Secure Boot afterwards makes it unusable either way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_secureboot_status_on_enroll: Option<Flag>,
}

//! `machine.systemDiskEncryption` → VolumeConfig documents. In: the v1alpha1 document. Out: a
//! VolumeConfig named `STATE` and/or `EPHEMERAL` whose `encryption` is the v1alpha1 section's,
//! field for field, or [`Blocked`].
//!
//! Talos reads both through the same code: the system volume builder takes a VolumeConfig's
//! `encryption` and otherwise falls back to `SystemDiskEncryption().Get(label)`
//! (`controllers/block/internal/volumes/volumeconfig/system_volumes.go`), and either goes through
//! `volumes.ConvertEncryptionConfiguration`. The document's encryption fields (`provider`, `keys`
//! with `slot`, `static`, `nodeID`, `kms`, `tpm`, then `cipher`, `keySize`, `blockSize`,
//! `options`) are the v1alpha1 ones plus `lockToState`, which v1alpha1 never set.

use serde_yaml_ng::Value;

use super::value::{get, new_doc, set};
use super::{Blocked, Out};

/// The conversion of `machine.systemDiskEncryption`.
pub fn system_disk_encryption(root: &Value, out: &mut Out) -> Result<(), Blocked> {
    for (key, label) in [("state", "STATE"), ("ephemeral", "EPHEMERAL")] {
        let path = format!("machine.systemDiskEncryption.{key}");
        let Some(enc) = get(root, &path) else {
            continue;
        };
        if !enc.is_mapping() {
            return Err(Blocked {
                path,
                reason: "expected a map".into(),
            });
        }
        let mut doc = new_doc("VolumeConfig", Some(label));
        set(&mut doc, "encryption", enc.clone());
        out.push(doc);
        out.took(&path);
    }
    Ok(())
}

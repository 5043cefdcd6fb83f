//! `machine.files` → its v1.14 documents. In: the v1alpha1 document. Out: a CRICustomizationConfig
//! for the containerd customization part and an EtcFileConfig per file overwritten under `/etc`,
//! or [`Blocked`] naming the first file that has no document (then every file stays).
//!
//! What Talos did with each file decides where it goes: `WriteUserFiles`
//! (`internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_sequencer_tasks.go`) skips
//! `/etc/cri/conf.d/20-customization.part`, which the v1alpha1 bridge (`v1alpha1_cri_bridge.go`)
//! hands to the CRI as the customization named `customization`; any other file it writes under
//! `/var` (`create` is only allowed there) and, for a path outside `/var`, bind-mounts read-only
//! over that path (`overwrite`, `append`). Files under `/var` have no document at all; `append`
//! adds to the file the image ships, which no document can say; `/etc` paths Talos manages are
//! refused by EtcFileConfig (`validateEtcFilePath` in `types/runtime/etc_file.go`).

use serde_yaml_ng::Value;

use super::value::{get, new_doc, set};
use super::{Blocked, Out};

const CRI_PART: &str = "/etc/cri/conf.d/20-customization.part";

/// `/etc` files and prefixes Talos manages itself (`managedEtcFiles`, `managedEtcPrefixes`).
const MANAGED: &[&str] = &[
    "resolv.conf",
    "hosts",
    "machine-id",
    "extensions.yaml",
    "localtime",
    "os-release",
    "xattr.conf",
];
const MANAGED_PREFIXES: &[&str] = &[
    "apparmor.d/",
    "apparmor/",
    "ca-certificates/",
    "cni/",
    "cri/",
    "iscsi/",
    "kubernetes/",
    "lvm/",
    "nvme/",
    "pki/",
    "selinux/",
    "ssl/",
];

fn blocked(path: String, reason: &str) -> Blocked {
    Blocked {
        path,
        reason: reason.to_string(),
    }
}

/// Whether EtcFileConfig refuses `rel` (a path relative to `/etc`).
fn managed(rel: &str) -> bool {
    MANAGED.contains(&rel)
        || MANAGED_PREFIXES
            .iter()
            .any(|p| rel == p.trim_end_matches('/') || rel.starts_with(p))
}

/// The conversion of `machine.files`.
pub fn files(root: &Value, out: &mut Out) -> Result<(), Blocked> {
    let Some(list) = get(root, "machine.files") else {
        return Ok(());
    };
    let list = list
        .as_sequence()
        .ok_or_else(|| blocked("machine.files".into(), "expected a list"))?;
    for (i, f) in list.iter().enumerate() {
        let at = format!("machine.files.{i}");
        let path = f
            .get("path")
            .and_then(Value::as_str)
            .ok_or_else(|| blocked(format!("{at}.path"), "a file without a path"))?;
        let content = f.get("content").cloned().unwrap_or_else(|| "".into());
        let op = f.get("op").and_then(Value::as_str).unwrap_or("");
        if path == CRI_PART {
            let mut doc = new_doc("CRICustomizationConfig", Some("customization"));
            set(&mut doc, "content", content);
            out.push(doc);
            continue;
        }
        let rel = path.strip_prefix("/etc/").filter(|r| !r.is_empty());
        let rel = match (rel, op) {
            (Some(rel), "overwrite") if !managed(rel) => rel,
            (Some(_), "overwrite") => {
                return Err(blocked(
                    format!("{at}.path"),
                    "is a file Talos manages under /etc: EtcFileConfig refuses it (validateEtcFilePath); use the document that configures it",
                ));
            }
            (Some(_), _) => {
                return Err(blocked(
                    format!("{at}.op"),
                    "`append` adds to the file the image ships, which no document can say: write the whole file as an EtcFileConfig",
                ));
            }
            (None, _) => {
                return Err(blocked(
                    format!("{at}.path"),
                    "is outside /etc: files under /var have no document (Talos writes only /etc files from EtcFileConfig); keep machine.files, or create the file from a workload",
                ));
            }
        };
        let mut doc = new_doc("EtcFileConfig", Some(rel));
        if let Some(mode) = f.get("permissions") {
            set(&mut doc, "mode", mode.clone());
        }
        set(&mut doc, "contents", content);
        out.push(doc);
    }
    out.took("machine.files");
    Ok(())
}

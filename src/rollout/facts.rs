//! Recording a node's discovery into `facts/<node>.yaml`. In: a client that reaches the node (in
//! maintenance mode or configured) and the project directory. Out: the [`Facts`] (SMBIOS
//! identity, disks, links with MACs), written atomically as YAML; secret-free, meant to be
//! committed and read by templates as `node.facts`.

use std::path::{Path, PathBuf};

use machinist_talos::{Facts, NodeTarget};

use super::Api;
use crate::fsutil;

/// Asks the node for its identity, disks and links.
pub async fn discover(api: &Api, t: &NodeTarget) -> Result<Facts, String> {
    let system = api.system_info(t).await.map_err(|e| e.to_string())?;
    let mut disks = api.disks(t).await.map_err(|e| e.to_string())?;
    let mut links = api.links(t).await.map_err(|e| e.to_string())?;
    disks.sort_by(|a, b| a.id.cmp(&b.id));
    links.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Facts {
        system,
        disks,
        links,
    })
}

/// The file facts of `node` go to.
pub fn path(root: &Path, node: &str) -> PathBuf {
    root.join("facts").join(format!("{node}.yaml"))
}

/// Writes `facts` to `facts/<node>.yaml` (atomically); returns the path.
pub fn write(root: &Path, node: &str, facts: &Facts) -> Result<PathBuf, String> {
    let p = path(root, node);
    let text = serde_yaml_ng::to_string(facts).map_err(|e| e.to_string())?;
    let text =
        format!("# Discovered by `machinist facts` from node {node}; safe to commit.\n{text}");
    if let Some(dir) = p.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    fsutil::write_atomic(&p, text.as_bytes(), None).map_err(|e| format!("{}: {e}", p.display()))?;
    Ok(p)
}

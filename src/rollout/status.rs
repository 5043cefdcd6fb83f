//! What each node is compared with what the project says. In: the clients, the rendered nodes
//! and the project's `talosVersion`. Out: one [`NodeReport`] per node — address, stage, Talos
//! version and Image Factory schematic running vs wanted, config in sync, etcd membership (control planes), services
//! health — and whether it is as the project says.

use machinist_talos::extensions::{running_schematic, schematic_of_image};
use serde::Serialize;

use super::probe::{self, NodeState};
use super::{Clients, cluster, target, upgrade};
use crate::diff;
use crate::render::RenderedNode;

/// One node's state.
#[derive(Debug, Clone, Serialize)]
pub struct NodeReport {
    /// Node name.
    pub node: String,
    /// Address.
    pub address: String,
    /// `control plane` or `worker`.
    pub role: String,
    /// `maintenance`, `running` or `unreachable`.
    pub stage: String,
    /// The version it runs (when it answers).
    pub running: Option<String>,
    /// The version the rendered installer image names.
    pub wanted: Option<String>,
    /// The Image Factory schematic it runs (its `schematic` extension; `None`: none, or not read).
    pub schematic: Option<String>,
    /// The schematic the rendered installer image names (`None`: not an Image Factory image).
    pub wanted_schematic: Option<String>,
    /// Whether the live config equals the render (`None` when not configured).
    pub in_sync: Option<bool>,
    /// Whether it is an etcd member (control planes only).
    pub etcd_member: Option<bool>,
    /// Services that are not healthy (`None` when not asked).
    pub unhealthy: Option<Vec<String>>,
    /// Why it could not be read.
    pub error: Option<String>,
    /// Everything as the project says.
    pub ok: bool,
}

/// Reports every node.
pub async fn status(
    clients: &Clients,
    nodes: &[RenderedNode],
    talos_version: &str,
) -> Vec<NodeReport> {
    let cps: Vec<&RenderedNode> = nodes.iter().filter(|n| n.role.is_control_plane()).collect();
    let mut members = None;
    if let Some(api) = &clients.secure {
        for cp in &cps {
            if let Ok(m) = api.etcd_members(&target(cp)).await {
                members = Some(m);
                break;
            }
        }
    }
    let mut out = Vec::new();
    for n in nodes {
        let t = target(n);
        let image = upgrade::installer_image(&n.documents);
        let wanted = image
            .as_deref()
            .and_then(|i| upgrade::image_tag(i).map(str::to_string))
            .or_else(|| Some(talos_version.to_string()));
        let wanted_schematic = image
            .as_deref()
            .and_then(schematic_of_image)
            .map(str::to_string);
        let mut r = NodeReport {
            node: n.name.clone(),
            address: n.address.clone(),
            role: n.role.to_string(),
            stage: String::new(),
            running: None,
            wanted,
            schematic: None,
            wanted_schematic,
            in_sync: None,
            etcd_member: None,
            unhealthy: None,
            error: None,
            ok: false,
        };
        let state = probe::probe(clients, &t).await;
        r.stage = state.word().to_string();
        match state {
            NodeState::Unreachable(e) => r.error = Some(e.to_string()),
            NodeState::Maintenance(v) => r.running = Some(v.tag).filter(|t| !t.is_empty()),
            NodeState::Configured(v) => {
                r.running = Some(v.tag);
                let api = clients
                    .secure
                    .as_ref()
                    .expect("configured nodes answer mTLS");
                match api.machine_config(&t).await {
                    Ok(b) => {
                        let live = b
                            .as_deref()
                            .map(diff::parse_docs)
                            .transpose()
                            .ok()
                            .flatten()
                            .unwrap_or_default();
                        r.in_sync = Some(diff::diff_docs(&live, &n.documents).is_empty());
                    }
                    Err(e) => r.error = Some(e.to_string()),
                }
                if n.role.is_control_plane() {
                    r.etcd_member = Some(
                        members
                            .as_ref()
                            .is_some_and(|m| cluster::member_of(n, m).is_some()),
                    );
                }
                match api.extensions(&t).await {
                    Ok(ext) => r.schematic = running_schematic(&ext).map(str::to_string),
                    Err(e) => r.error = Some(e.to_string()),
                }
                match cluster::unhealthy_services(api, &t).await {
                    Ok(bad) => r.unhealthy = Some(bad),
                    Err(e) => r.error = Some(e),
                }
                r.ok = r.error.is_none()
                    && r.running == r.wanted
                    && r.schematic == r.wanted_schematic
                    && r.in_sync == Some(true)
                    && r.etcd_member != Some(false)
                    && r.unhealthy.as_ref().is_some_and(Vec::is_empty);
            }
        }
        out.push(r);
    }
    out
}

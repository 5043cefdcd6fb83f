//! Resetting one node back to maintenance mode. In: the clients, the node to reset (always named
//! by the user: there is no "every node" reset), the project's nodes and facts (for the identity
//! guard) and the reset request. Out: a [`NodeStatus`]. A graceful control-plane reset makes the
//! node leave etcd first (Talos does it as part of a graceful reset); with `reboot` the node is
//! waited for until it answers in maintenance mode, ready for `machinist up`.

use machinist_talos::ResetRequest;

use super::identity::{self, Known};
use super::{Clients, NodeStatus, Progress, Waits, probe, step, target};
use crate::diff;
use crate::render::RenderedNode;

/// Resets `node`.
pub async fn reset(
    clients: &Clients,
    node: &RenderedNode,
    known: Known<'_>,
    req: &ResetRequest,
    waits: Waits,
    progress: &Progress,
) -> NodeStatus {
    let t = target(node);
    let Some(api) = &clients.secure else {
        return NodeStatus::Failed(
            "no talosconfig: a configured node only accepts a reset over mutual TLS".into(),
        );
    };
    match probe::probe(clients, &t).await {
        probe::NodeState::Maintenance(_) => {
            return NodeStatus::Unchanged(format!(
                "node {} is already in maintenance mode",
                node.name
            ));
        }
        probe::NodeState::Unreachable(e) => return NodeStatus::Failed(e.to_string()),
        probe::NodeState::Configured(_) => {}
    }
    step(progress, &node.name, "checking identity");
    let live = match api.machine_config(&t).await {
        Ok(b) => match b.as_deref().map(diff::parse_docs).transpose() {
            Ok(d) => d.unwrap_or_default(),
            Err(e) => {
                return NodeStatus::Failed(format!(
                    "node {}: live config does not parse: {e}",
                    node.name
                ));
            }
        },
        Err(e) => return NodeStatus::Failed(e.to_string()),
    };
    if let Err(e) = identity::verify(api, node, Some(&live), known).await {
        return NodeStatus::Failed(e);
    }
    step(
        progress,
        &node.name,
        if req.graceful && node.role.is_control_plane() {
            "resetting (leaving etcd first)"
        } else {
            "resetting"
        },
    );
    if let Err(e) = api.reset(&t, req).await {
        return NodeStatus::Failed(e.to_string());
    }
    if !req.reboot {
        return NodeStatus::Done("reset; the node powers off".into());
    }
    match probe::wait_maintenance(&clients.insecure, &t, waits, progress).await {
        Ok(()) => NodeStatus::Done(
            "reset; back in maintenance mode (run `machinist up` to reinstall)".into(),
        ),
        Err(e) => NodeStatus::Failed(format!("node {}: reset sent but it {e}", node.name)),
    }
}

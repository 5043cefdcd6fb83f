//! The identity guard: is the machine at a node's address the node the project says? In: the
//! rendered node, every rendered node of the project, the recorded facts (`facts/<node>.yaml`)
//! and what the machine answers (its SMBIOS uuid, its live config). Out: `Ok(())`, or a refusal
//! naming the node, the address, the node of the project that really answers there and the fix.
//!
//! The check, in order: when facts record the node's SMBIOS uuid, the machine's uuid must equal
//! it; else the live config must agree on the hostname (when both declare one) and on the role
//! (`machine.type`). The role check alone catches two nodes of different roles swapped in a
//! project without hostnames (the `init` chart) in both directions.

use std::collections::BTreeMap;

use machinist_talos::NodeTarget;
use serde_yaml_ng::Value;

use super::Api;
use crate::diff;
use crate::render::{RenderedNode, Role};

/// The SMBIOS uuid recorded for `node` in `facts/<node>.yaml`, if any.
pub fn recorded_uuid(facts: &BTreeMap<String, serde_json::Value>, node: &str) -> Option<String> {
    facts
        .get(node)?
        .get("system")?
        .get("uuid")?
        .as_str()
        .filter(|u| !u.is_empty())
        .map(str::to_string)
}

/// What the project knows to check a node against.
#[derive(Debug, Clone, Copy)]
pub struct Known<'a> {
    /// Every rendered node (to name who answers instead).
    pub nodes: &'a [RenderedNode],
    /// Recorded facts by node name.
    pub facts: &'a BTreeMap<String, serde_json::Value>,
}

/// Checks the machine at `node`'s address. `live` is its live config when it has one (`None` in
/// maintenance mode). `api` is asked for the SMBIOS uuid when facts record one.
pub async fn verify(
    api: &Api,
    node: &RenderedNode,
    live: Option<&[Value]>,
    known: Known<'_>,
) -> Result<(), String> {
    let t = NodeTarget {
        name: node.name.clone(),
        address: node.address.clone(),
    };
    if let Some(want) = recorded_uuid(known.facts, &node.name) {
        match api.system_info(&t).await {
            Ok(info) if info.uuid.eq_ignore_ascii_case(&want) => return Ok(()),
            Ok(info) => {
                let who = known
                    .facts
                    .keys()
                    .find(|n| {
                        recorded_uuid(known.facts, n)
                            .is_some_and(|u| u.eq_ignore_ascii_case(&info.uuid))
                    })
                    .map(|n| format!("node {n} of this project"))
                    .unwrap_or_else(|| "a machine no facts/ file records".to_string());
                return Err(format!(
                    "node {}: refusing: the machine at {} has SMBIOS uuid {} ({who}), but facts/{}.yaml records {want}; check the address in nodes/{}.yaml (or re-record with `machinist facts --node {}` if the hardware was replaced)",
                    node.name, node.address, info.uuid, node.name, node.name, node.name
                ));
            }
            // No uuid answer: fall back to the live config below.
            Err(_) => {}
        }
    }
    match live {
        Some(docs) if !docs.is_empty() => check_config(node, docs, known.nodes),
        _ => Ok(()),
    }
}

/// The config half of the guard: hostname (when both sides declare one) and role must agree.
pub fn check_config(
    node: &RenderedNode,
    live: &[Value],
    nodes: &[RenderedNode],
) -> Result<(), String> {
    let want_host = diff::hostname(&node.documents);
    let got_host = diff::hostname(live);
    let host_differs = matches!((&want_host, &got_host), (Some(w), Some(g)) if w != g);
    let got_role = Role::of_documents(live);
    let role_differs = got_role.is_some_and(|r| r != node.role);
    if !host_differs && !role_differs {
        return Ok(());
    }
    let what = match (host_differs, got_role) {
        (true, _) => format!(
            "has hostname `{}`, not `{}`",
            got_host.unwrap_or_default(),
            want_host.unwrap_or_default()
        ),
        (false, Some(r)) => format!(
            "runs a {r} config (machine.type {}), but {} is a {}",
            r.machine_type(),
            node.name,
            node.role
        ),
        (false, None) => unreachable!("role_differs needs a live role"),
    };
    Err(format!(
        "node {}: refusing: the machine at {} {what}; it is {}; check the address in nodes/{}.yaml",
        node.name,
        node.address,
        who_answers(node, live, nodes),
        node.name
    ))
}

/// Names the node of the project whose config the machine runs: same hostname, else the one
/// whose rendered config differs least from the live one (among nodes of the live role).
fn who_answers(node: &RenderedNode, live: &[Value], nodes: &[RenderedNode]) -> String {
    let others = nodes.iter().filter(|o| o.name != node.name);
    if let Some(h) = diff::hostname(live)
        && let Some(o) = others
            .clone()
            .find(|o| diff::hostname(&o.documents).as_deref() == Some(h.as_str()))
    {
        return format!("node {} of this project", o.name);
    }
    let live_role = Role::of_documents(live);
    let best = others
        .filter(|o| live_role.is_none_or(|r| r == o.role))
        .map(|o| {
            let d = diff::diff_docs(live, &o.documents);
            let n: usize = d.docs.iter().map(|d| d.changes.len().max(1)).sum();
            (n, o)
        })
        .min_by_key(|(n, _)| *n);
    match best {
        Some((0, o)) => format!(
            "node {} of this project (its live config is exactly {}'s)",
            o.name, o.name
        ),
        Some((_, o)) => format!("most likely node {} of this project", o.name),
        None => "not a node of this project".to_string(),
    }
}

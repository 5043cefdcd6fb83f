//! Cluster-wide steps and checks: choosing and running the etcd bootstrap, etcd membership of
//! every control plane, service health, and waiting until the cluster is healthy. In: the
//! secure client, the rendered nodes, the chart's `bootstrap:` choice. Out: outcomes and
//! problems that name the node and the fix.

use std::time::Instant;

use machinist_talos::{BootstrapOutcome, EtcdMember, NodeError, NodeTarget};

use super::{Api, Progress, Waits, step, target};
use crate::render::RenderedNode;

/// Picks the node that bootstraps etcd: `--node`, else Chart.yaml `bootstrap:`, else the first
/// control plane by name. Refuses unknown names and workers.
pub fn bootstrap_node<'a>(
    nodes: &'a [RenderedNode],
    chosen: Option<&str>,
    from: &str,
) -> Result<&'a RenderedNode, String> {
    match chosen {
        Some(name) => {
            let Some(n) = nodes.iter().find(|n| n.name == name) else {
                return Err(format!(
                    "{from} names node `{name}`, which is not a node of this project; pick one of the control planes: {}",
                    control_plane_names(nodes)
                ));
            };
            if !n.role.is_control_plane() {
                return Err(format!(
                    "node {name} ({from}) is a worker: only a control plane can bootstrap etcd; pick one of: {}",
                    control_plane_names(nodes)
                ));
            }
            Ok(n)
        }
        None => nodes
            .iter()
            .filter(|n| n.role.is_control_plane())
            .min_by(|a, b| a.name.cmp(&b.name))
            .ok_or_else(|| {
                "the project has no control plane (no node renders machine.type: controlplane)"
                    .to_string()
            }),
    }
}

fn control_plane_names(nodes: &[RenderedNode]) -> String {
    let names: Vec<&str> = nodes
        .iter()
        .filter(|n| n.role.is_control_plane())
        .map(|n| n.name.as_str())
        .collect();
    if names.is_empty() {
        "(none)".to_string()
    } else {
        names.join(", ")
    }
}

/// Runs the bootstrap on `node`; "already bootstrapped" is success. A node that is not ready
/// for it yet (still booting: `FailedPrecondition`, `Unavailable`, unreachable) is asked again
/// until `waits.timeout`.
pub async fn bootstrap(
    api: &Api,
    node: &RenderedNode,
    waits: Waits,
) -> Result<BootstrapOutcome, String> {
    let start = Instant::now();
    loop {
        match api.bootstrap(&target(node)).await {
            Ok(o) => return Ok(o),
            Err(e) => {
                let retry = e.is_transient()
                    || matches!(&e, NodeError::Refused { code, .. } if *code == tonic::Code::FailedPrecondition);
                if !retry || start.elapsed() >= waits.timeout {
                    return Err(e.to_string());
                }
            }
        }
        tokio::time::sleep(waits.poll).await;
    }
}

/// [`bootstrap`] after the identity guard: the machine at the node's address must be that node
/// (SMBIOS uuid from facts, else its live hostname and machine type), never another one.
pub async fn bootstrap_checked(
    api: &Api,
    node: &RenderedNode,
    known: super::identity::Known<'_>,
    waits: Waits,
) -> Result<BootstrapOutcome, String> {
    let live = api
        .machine_config(&target(node))
        .await
        .map_err(|e| e.to_string())?;
    let docs = live
        .as_deref()
        .map(crate::diff::parse_docs)
        .transpose()
        .map_err(|e| format!("node {}: live config does not parse: {e}", node.name))?
        .unwrap_or_default();
    super::identity::verify(api, node, Some(&docs), known).await?;
    bootstrap(api, node, waits).await
}

/// The etcd member that is `node`: a peer or client URL at its address, else its name.
pub fn member_of<'a>(node: &RenderedNode, members: &'a [EtcdMember]) -> Option<&'a EtcdMember> {
    let host = crate::address::host(&node.address);
    members.iter().find(|m| {
        m.peer_urls
            .iter()
            .chain(&m.client_urls)
            .any(|u| crate::address::host(u) == host)
    })
}

/// Checks that every control plane is a voting etcd member, asking each control plane in turn
/// until one answers. Errs with what is missing.
pub async fn etcd_health(api: &Api, cps: &[&RenderedNode]) -> Result<(), String> {
    let mut last = String::from("no control plane");
    for asked in cps {
        match api.etcd_members(&target(asked)).await {
            Ok(members) => {
                let problems: Vec<String> = cps
                    .iter()
                    .filter_map(|cp| match member_of(cp, &members) {
                        None => Some(format!(
                            "control plane {} ({}) is not an etcd member (as {} lists them)",
                            cp.name, cp.address, asked.name
                        )),
                        Some(m) if m.is_learner => Some(format!(
                            "control plane {} is still an etcd learner",
                            cp.name
                        )),
                        Some(_) => None,
                    })
                    .collect();
                return if problems.is_empty() {
                    Ok(())
                } else {
                    Err(problems.join("; "))
                };
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(format!("no control plane lists the etcd members: {last}"))
}

/// The services of `node` that are not healthy (`Failed`, unhealthy, or not yet running).
pub async fn unhealthy_services(api: &Api, t: &NodeTarget) -> Result<Vec<String>, String> {
    let services = api.services(t).await.map_err(|e| e.to_string())?;
    Ok(services
        .into_iter()
        .filter(|s| s.healthy == Some(false) || !matches!(s.state.as_str(), "Running" | "Finished"))
        .map(|s| format!("{} ({})", s.id, s.state))
        .collect())
}

/// Waits until every control plane is an etcd member and every node's services are healthy.
pub async fn wait_healthy(
    api: &Api,
    nodes: &[RenderedNode],
    waits: Waits,
    progress: &Progress,
) -> Result<(), String> {
    let start = Instant::now();
    let cps: Vec<&RenderedNode> = nodes.iter().filter(|n| n.role.is_control_plane()).collect();
    loop {
        let mut problems = Vec::new();
        if !cps.is_empty()
            && let Err(e) = etcd_health(api, &cps).await
        {
            problems.push(e);
        }
        for n in nodes {
            match unhealthy_services(api, &target(n)).await {
                Ok(bad) if bad.is_empty() => {}
                Ok(bad) => {
                    step(
                        progress,
                        &n.name,
                        format!("waiting for services: {}", bad.join(", ")),
                    );
                    problems.push(format!(
                        "node {}: services not healthy: {}",
                        n.name,
                        bad.join(", ")
                    ));
                }
                Err(e) => problems.push(e),
            }
        }
        if problems.is_empty() {
            return Ok(());
        }
        if start.elapsed() >= waits.timeout {
            return Err(format!(
                "the cluster is not healthy after {:.0}s: {}",
                waits.timeout.as_secs_f64(),
                problems.join("; ")
            ));
        }
        tokio::time::sleep(waits.poll).await;
    }
}

//! `up`: from nodes in maintenance mode to a running cluster, idempotently. In: the clients,
//! the rendered nodes, what the project knows (facts), the project root (for `facts/`), the
//! bootstrap node and where the kubeconfig goes. Out: an [`UpReport`] — per-node statuses, the
//! facts recorded, whether etcd was bootstrapped now and the kubeconfig written, or the error
//! that stopped it.
//!
//! Steps: pre-flight (the apply plan), facts of the nodes about to be installed, installs and
//! updates (control planes one at a time), the etcd bootstrap ("already bootstrapped" is fine),
//! a wait until every control plane is an etcd member and every service runs, then the
//! kubeconfig (0600; an existing file is never overwritten).

use std::path::{Path, PathBuf};

use machinist_talos::BootstrapOutcome;

use super::apply::{self, ApplyOptions, Plan};
use super::identity::Known;
use super::{Clients, NodeStatus, Progress, cluster, facts, kubeconfig, step, target};
use crate::fsutil;
use crate::render::RenderedNode;

/// What `up` did.
#[derive(Debug, Default)]
pub struct UpReport {
    /// Per node, in the order given.
    pub statuses: Vec<NodeStatus>,
    /// Facts recorded (node, file) or why not (node, warning).
    pub facts: Vec<(String, Result<PathBuf, String>)>,
    /// Whether anything was installed or applied.
    pub changed: bool,
    /// Whether etcd was bootstrapped by this run.
    pub bootstrapped: bool,
    /// The kubeconfig written by this run.
    pub kubeconfig: Option<PathBuf>,
    /// What stopped it after the node rollout (bootstrap, health, kubeconfig).
    pub error: Option<String>,
}

/// Where `up` starts and ends.
#[derive(Debug, Clone)]
pub struct UpTargets<'a> {
    /// The project root (facts go to `facts/`).
    pub root: &'a Path,
    /// The control plane that bootstraps etcd.
    pub bootstrap: &'a RenderedNode,
    /// Where the kubeconfig goes.
    pub kubeconfig: &'a Path,
}

/// Runs `up`.
pub async fn up(
    clients: &Clients,
    nodes: &[RenderedNode],
    known: Known<'_>,
    targets: UpTargets<'_>,
    opts: &ApplyOptions,
    progress: &Progress,
) -> UpReport {
    let mut report = UpReport::default();
    let Some(secure) = clients.secure.clone() else {
        report.error = Some(
            "no talosconfig: run `machinist talosconfig DIR` first (installed nodes only answer its client certificate)".into(),
        );
        return report;
    };
    let plans = match apply::preflight(clients, nodes, known, opts).await {
        Ok(p) => p,
        Err(statuses) => {
            report.statuses = statuses;
            return report;
        }
    };
    for (n, _) in nodes
        .iter()
        .zip(&plans)
        .filter(|(_, p)| **p == Plan::Install)
    {
        if facts::path(targets.root, &n.name).exists() {
            continue;
        }
        step(progress, &n.name, "recording facts");
        let written = facts::discover(&clients.insecure, &target(n))
            .await
            .and_then(|f| facts::write(targets.root, &n.name, &f));
        report.facts.push((n.name.clone(), written));
    }
    report.changed = plans.iter().any(|p| *p != Plan::Unchanged);
    report.statuses = apply::execute(clients, nodes, &plans, opts, progress).await;
    if report.statuses.iter().any(NodeStatus::is_failure) {
        return report;
    }
    let boot = targets.bootstrap;
    step(progress, &boot.name, "bootstrapping etcd");
    match cluster::bootstrap(&secure, boot, opts.waits).await {
        Ok(BootstrapOutcome::Bootstrapped) => report.bootstrapped = true,
        Ok(BootstrapOutcome::AlreadyBootstrapped) => {}
        Err(e) => {
            report.error = Some(format!("{e} (bootstrap node {})", boot.name));
            return report;
        }
    }
    if let Err(e) = cluster::wait_healthy(&secure, nodes, opts.waits, progress).await {
        report.error = Some(e);
        return report;
    }
    if !targets.kubeconfig.exists() {
        step(progress, &boot.name, "fetching the kubeconfig");
        let written = kubeconfig::fetch(&secure, nodes).await.and_then(|bytes| {
            fsutil::write_atomic(targets.kubeconfig, &bytes, Some(0o600))
                .map_err(|e| format!("{}: {e}", targets.kubeconfig.display()))
        });
        match written {
            Ok(()) => report.kubeconfig = Some(targets.kubeconfig.to_path_buf()),
            Err(e) => report.error = Some(e),
        }
    }
    report
}

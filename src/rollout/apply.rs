//! Applying rendered configs: the plan (pre-flight) and its execution, shared by `apply` and
//! `up`. In: the clients, the rendered nodes, what the project knows (facts) and the options.
//! Out: one [`NodeStatus`] per node.
//!
//! Pre-flight asks every node (at most [`PREFLIGHT_PARALLEL`] at once) what it is: a node in
//! maintenance mode is to be installed (dialled insecure at its own address); a configured one is
//! read, passed through the identity guard and compared with its render (unchanged nodes are
//! skipped). Any refusal or unreachable node stops the whole plan before anything is sent. Then
//! control planes one at a time, workers `parallel` at a time; after each apply the node must
//! answer over mutual TLS at its own address (after its reboot) before the next.

use std::sync::Arc;
use std::time::Duration;

use machinist_talos::{ApplyMode, ApplyRequest};
use serde_yaml_ng::Value;

use super::identity::{self, Known};
use super::probe::{self, NodeState};
use super::{Api, Clients, NodeStatus, Progress, Waits, note, step, target};
use crate::diff;
use crate::render::RenderedNode;

/// How many nodes pre-flight reads at once.
pub const PREFLIGHT_PARALLEL: usize = 64;

/// How an apply runs.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// The apply mode for configured nodes (maintenance nodes always install).
    pub mode: ApplyMode,
    /// `--mode try`: how long until the node reverts.
    pub try_timeout: Option<Duration>,
    /// Ask what would happen; change nothing.
    pub dry_run: bool,
    /// The user said `--insecure`: every node must be in maintenance mode.
    pub insecure: bool,
    /// Workers at once.
    pub parallel: usize,
    /// Waiting for nodes.
    pub waits: Waits,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            mode: ApplyMode::Auto,
            try_timeout: None,
            dry_run: false,
            insecure: false,
            parallel: 1,
            waits: Waits::default(),
        }
    }
}

/// What pre-flight decided for one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// In maintenance mode: install the config (insecure, at its own address).
    Install,
    /// Configured and different: apply over mutual TLS.
    Update,
    /// Configured and equal to its render.
    Unchanged,
}

/// Reads every node and decides what to do; `Err` holds the final statuses when the plan is
/// refused (nothing may be sent to any node then).
pub async fn preflight(
    clients: &Clients,
    nodes: &[RenderedNode],
    known: Known<'_>,
    opts: &ApplyOptions,
) -> Result<Vec<Plan>, Vec<NodeStatus>> {
    let slots = Arc::new(tokio::sync::Semaphore::new(PREFLIGHT_PARALLEL));
    let tasks: Vec<_> = nodes
        .iter()
        .map(|n| {
            let clients = clients.clone();
            let slots = slots.clone();
            let t = target(n);
            let insecure = opts.insecure;
            tokio::spawn(async move {
                let _slot = slots.acquire_owned().await.expect("semaphore stays open");
                if insecure {
                    return match probe::in_maintenance(&clients.insecure, &t).await {
                        Ok(true) => Ok((false, None)),
                        Ok(false) => Err(format!(
                            "node {}: already configured: run without --insecure",
                            t.name
                        )),
                        Err(e) => Err(e.to_string()),
                    };
                }
                match probe::probe(&clients, &t).await {
                    NodeState::Maintenance(_) => Ok((false, None)),
                    NodeState::Unreachable(e) => Err(e.to_string()),
                    NodeState::Configured(_) => {
                        let api = clients.secure.as_ref().unwrap_or(&clients.insecure);
                        match api.machine_config(&t).await {
                            Ok(bytes) => Ok((true, bytes)),
                            Err(e) => Err(e.to_string()),
                        }
                    }
                }
            })
        })
        .collect();
    let mut plans = Vec::with_capacity(nodes.len());
    let mut errors: Vec<Option<String>> = vec![None; nodes.len()];
    for (i, task) in tasks.into_iter().enumerate() {
        let n = &nodes[i];
        let answer = task
            .await
            .unwrap_or_else(|e| Err(format!("internal error: {e}")));
        let plan = match answer {
            Err(e) => {
                errors[i] = Some(e);
                Plan::Unchanged
            }
            Ok((false, _)) => {
                if let Err(e) = identity::verify(&clients.insecure, n, None, known).await {
                    errors[i] = Some(e);
                }
                Plan::Install
            }
            Ok((true, bytes)) => {
                let live: Vec<Value> = match bytes.as_deref().map(diff::parse_docs).transpose() {
                    Ok(d) => d.unwrap_or_default(),
                    Err(e) => {
                        errors[i] = Some(format!(
                            "node {}: its live config does not parse: {e}",
                            n.name
                        ));
                        Vec::new()
                    }
                };
                let api = clients
                    .secure
                    .as_ref()
                    .expect("configured nodes answered mTLS");
                if let Err(e) = identity::verify(api, n, Some(&live), known).await {
                    errors[i] = Some(e);
                }
                if diff::diff_docs(&live, &n.documents).is_empty() && !opts.dry_run {
                    Plan::Unchanged
                } else {
                    Plan::Update
                }
            }
        };
        plans.push(plan);
    }
    if errors.iter().all(Option::is_none) {
        return Ok(plans);
    }
    Err(errors
        .into_iter()
        .map(|e| match e {
            Some(e) => NodeStatus::Failed(e),
            None => NodeStatus::NotStarted(
                "the pre-flight checks failed on another node, nothing was applied".to_string(),
            ),
        })
        .collect())
}

/// Runs the plan: control planes one at a time, then workers.
pub async fn execute(
    clients: &Clients,
    nodes: &[RenderedNode],
    plans: &[Plan],
    opts: &ApplyOptions,
    progress: &Progress,
) -> Vec<NodeStatus> {
    let mut statuses: Vec<Option<NodeStatus>> = plans
        .iter()
        .map(|p| (*p == Plan::Unchanged).then(|| NodeStatus::Unchanged("no changes".into())))
        .collect();
    let shared = Arc::new((clients.clone(), opts.clone(), progress.clone()));
    super::run_in_order(nodes, &mut statuses, opts.parallel, |i| {
        let node = nodes[i].clone();
        let install = plans[i] == Plan::Install;
        let shared = shared.clone();
        async move {
            let (clients, opts, progress) = &*shared;
            let s = apply_one(clients, &node, install, opts, progress).await;
            progress(super::Event::Finished {
                node: node.name.clone(),
            });
            s
        }
    })
    .await;
    super::finish(statuses)
}

/// Applies (or installs) one node and waits for it.
pub async fn apply_one(
    clients: &Clients,
    node: &RenderedNode,
    install: bool,
    opts: &ApplyOptions,
    progress: &Progress,
) -> NodeStatus {
    let t = target(node);
    let (api, mode): (&Api, ApplyMode) = if install {
        (&clients.insecure, ApplyMode::Auto)
    } else {
        match &clients.secure {
            Some(s) => (s, opts.mode),
            None => {
                return NodeStatus::Failed(format!(
                    "node {}: no talosconfig to reach a configured node",
                    node.name
                ));
            }
        }
    };
    let req = ApplyRequest {
        data: node.to_yaml().into_bytes(),
        mode,
        dry_run: opts.dry_run,
        try_timeout: opts.try_timeout,
    };
    step(
        progress,
        &node.name,
        if install {
            "installing (maintenance mode)".to_string()
        } else {
            format!("applying ({})", mode.talos_name())
        },
    );
    let outcome = match api.apply(&t, &req).await {
        Ok(o) => o,
        Err(e) => return NodeStatus::Failed(e.to_string()),
    };
    for w in &outcome.warnings {
        note(progress, &node.name, format!("warning: {w}"));
    }
    if !outcome.mode_details.is_empty() {
        note(
            progress,
            &node.name,
            format!(
                "{}: {}",
                outcome.mode.talos_name(),
                // The node's dry-run text holds its live config: secrets redacted by path.
                crate::diff::redact_config_text(&outcome.mode_details).replace('\n', "\n    ")
            ),
        );
    }
    let how = if install {
        "installed".to_string()
    } else {
        format!("applied ({})", outcome.mode.talos_name())
    };
    if opts.dry_run {
        return NodeStatus::Done(format!(
            "dry run: would apply with {}",
            outcome.mode.talos_name()
        ));
    }
    let Some(secure) = clients.watch.as_ref().or(clients.secure.as_ref()) else {
        return NodeStatus::Done(format!("{how}; not re-checked: no talosconfig"));
    };
    if outcome.mode == ApplyMode::Reboot && !install {
        // See the node go down first, so an answer from before the reboot is not taken for the
        // node coming back.
        let brief = Waits {
            timeout: Duration::from_secs(5).min(opts.waits.timeout),
            ..opts.waits
        };
        step(progress, &node.name, "rebooting; waiting for it to go down");
        probe::wait_down(secure, &t, brief).await;
    }
    let waited = if install {
        probe::wait_installed(secure, &t, opts.waits, progress).await
    } else {
        let what = "waiting for it to answer over mutual TLS";
        probe::wait_configured(secure, &t, opts.waits, progress, what).await
    };
    match waited {
        Ok(v) => {
            // The schematic it runs, when the node says (a failed read only drops that check).
            let schematic = secure.extensions(&t).await.ok().map(|ext| {
                machinist_talos::extensions::running_schematic(&ext).map(str::to_string)
            });
            NodeStatus::Done(format!(
                "{how}; answers Version {}{}",
                v.tag,
                version_note(node, &v.tag, schematic.as_ref().map(Option::as_deref))
            ))
        }
        Err(e) => NodeStatus::Failed(format!("node {}: {how} but {e}", node.name)),
    }
}

/// `machinist apply` as one call: pre-flight, then execution.
pub async fn apply(
    clients: &Clients,
    nodes: &[RenderedNode],
    known: Known<'_>,
    opts: &ApplyOptions,
    progress: &Progress,
) -> Vec<NodeStatus> {
    match preflight(clients, nodes, known, opts).await {
        Ok(plans) => execute(clients, nodes, &plans, opts, progress).await,
        Err(statuses) => statuses,
    }
}

/// What to say when a node runs another Talos version or Image Factory schematic than its
/// rendered installer image names: the apply changed its config (Talos records a new
/// `machine.install.image` without installing it), not what it runs, and `machinist upgrade` does
/// that. `schematic` is what the node runs (`Some(None)`: no schematic; `None`: not known).
fn version_note(node: &RenderedNode, running: &str, schematic: Option<Option<&str>>) -> String {
    let Some(image) = super::upgrade::installer_image(&node.documents) else {
        return String::new();
    };
    let Some(want) = super::upgrade::image_tag(&image) else {
        return String::new();
    };
    if want != running {
        return format!(
            " (the project wants {want}: run `machinist upgrade --node {}` to move it)",
            node.name
        );
    }
    let wanted = machinist_talos::extensions::schematic_of_image(&image);
    match schematic {
        Some(runs) if runs != wanted => {
            let short = |id: Option<&str>| match id {
                Some(id) => id.chars().take(8).collect::<String>(),
                None => "none".into(),
            };
            format!(
                " (it runs schematic {}, the project wants {}: apply only records the installer image; run `machinist upgrade --node {}` to install it)",
                short(runs),
                short(wanted),
                node.name
            )
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod version_note_tests {
    use super::*;

    fn node(image: &str) -> RenderedNode {
        let doc: Value = serde_yaml_ng::from_str(&format!(
            "version: v1alpha1\nmachine:\n  type: worker\n  install:\n    image: {image}\n"
        ))
        .unwrap();
        RenderedNode {
            name: "w-01".into(),
            address: "127.0.0.1".into(),
            role: machinist_model::Role::Worker,
            role_facet: None,
            documents: vec![doc],
        }
    }

    #[test]
    fn a_node_on_another_version_than_its_installer_names_the_upgrade_command() {
        let n = node("factory.talos.dev/installer/abc:v1.13.2");
        assert_eq!(
            version_note(&n, "v1.12.7", Some(None)),
            " (the project wants v1.13.2: run `machinist upgrade --node w-01` to move it)"
        );
        assert_eq!(version_note(&n, "v1.13.2", None), "");
    }

    #[test]
    fn a_node_on_another_schematic_names_the_upgrade_command() {
        let a = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";
        let b = "ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515";
        let n = node(&format!("factory.talos.dev/installer/{b}:v1.13.2"));
        assert_eq!(
            version_note(&n, "v1.13.2", Some(Some(a))),
            " (it runs schematic 37656798, the project wants ce4c9805: apply only records the installer image; run `machinist upgrade --node w-01` to install it)"
        );
        assert_eq!(version_note(&n, "v1.13.2", Some(Some(b))), "");
        assert_eq!(version_note(&n, "v1.13.2", None), "", "not known: no note");
        let plain = node("ghcr.io/siderolabs/installer:v1.13.2");
        assert!(version_note(&plain, "v1.13.2", Some(Some(a))).contains("the project wants none"));
    }
}

//! Upgrades: which nodes need one, and the rollout. In: the clients, the rendered nodes, the
//! chart's `talosVersion`, facts and options. Out: one [`NodeStatus`] per node.
//!
//! The target of a node is the installer image of its *rendered* config (`machine.install.image`,
//! or `installer.image` of an `UnattendedInstallConfig` document); its version is the image tag.
//! A node is upgraded when its running version differs from the target's, or the installer
//! image its live config records differs from the rendered one (a schematic change). After the
//! upgrade reboot the node must report the target version — one that comes back on the old
//! version (A/B fallback) stops the rollout — and its live config is updated to record the new
//! image, so a re-run skips it. Control planes go one at a time, each gated on etcd health
//! before and after; workers `parallel` at a time after them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use machinist_talos::{ApplyMode, ApplyRequest, NodeError, UpgradeApi, UpgradeRequest};
use serde_yaml_ng::Value;

use super::identity::{self, Known};
use super::{Api, Clients, NodeStatus, Progress, Waits, cluster, note, step, target};
use crate::diff;
use crate::render::RenderedNode;

/// Where a node should end up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The installer image.
    pub image: String,
    /// Its tag, the Talos version (`v1.13.2`).
    pub version: String,
}

/// The installer image a node's documents name, if any.
pub fn installer_image(docs: &[Value]) -> Option<String> {
    docs.iter()
        .find_map(|d| {
            if d.get("kind").and_then(Value::as_str) == Some("UnattendedInstallConfig") {
                d.get("installer")?.get("image")?.as_str()
            } else if d.get("kind").is_none() {
                d.get("machine")?.get("install")?.get("image")?.as_str()
            } else {
                None
            }
        })
        .map(str::to_string)
}

/// The tag of an image reference (`ghcr.io/siderolabs/installer:v1.13.2@sha256:…` → `v1.13.2`).
pub fn image_tag(image: &str) -> Option<&str> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split_once(':')
        .map(|(_, t)| t)
        .filter(|t| !t.is_empty())
}

/// `(major, minor)` of a Talos version (`v1.13.2` → `(1, 13)`).
pub fn minor_of(version: &str) -> Option<(u32, u32)> {
    let v = version.strip_prefix('v').unwrap_or(version);
    let mut parts = v.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.split('-').next()?.parse().ok()?;
    Some((major, minor))
}

/// The target of one node, refused when it has none or when its version is a newer minor than
/// the project's `talosVersion` (the configs are not known valid for it).
pub fn target_of(node: &RenderedNode, talos_version: &str) -> Result<Target, String> {
    let image = installer_image(&node.documents).ok_or_else(|| {
        format!(
            "node {}: its rendered config names no installer image (machine.install.image or UnattendedInstallConfig installer.image); set one in a template or layer",
            node.name
        )
    })?;
    let version = image_tag(&image)
        .ok_or_else(|| {
            format!(
                "node {}: installer image `{image}` has no version tag",
                node.name
            )
        })?
        .to_string();
    if let (Some(want), Some(project)) = (minor_of(&version), minor_of(talos_version))
        && want > project
    {
        return Err(format!(
            "node {}: the installer {image} is Talos {version}, newer than the project's talosVersion {talos_version}: the configs are not known valid for it; run `machinist migrate` to move the project to v{}.{} first",
            node.name, want.0, want.1
        ));
    }
    Ok(Target { image, version })
}

/// How an upgrade runs.
#[derive(Debug, Clone)]
pub struct UpgradeOptions {
    /// Only report the plan.
    pub dry_run: bool,
    /// Workers at once.
    pub parallel: usize,
    /// Keep ephemeral data (MachineService only).
    pub preserve: bool,
    /// Waiting for nodes.
    pub waits: Waits,
}

impl Default for UpgradeOptions {
    fn default() -> Self {
        UpgradeOptions {
            dry_run: false,
            parallel: 1,
            preserve: false,
            waits: Waits::default(),
        }
    }
}

/// What the plan says for one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Upgrade from the running version to the target.
    Upgrade {
        /// Running version.
        from: String,
        /// Target.
        to: Target,
    },
    /// Already there.
    Current(Target),
}

/// Reads every node (version, live config, identity) and decides; `Err` holds final statuses
/// when the plan is refused.
pub async fn plan(
    clients: &Clients,
    nodes: &[RenderedNode],
    known: Known<'_>,
    talos_version: &str,
) -> Result<Vec<Step>, Vec<NodeStatus>> {
    let Some(api) = &clients.secure else {
        return Err(vec![
            NodeStatus::Failed(
                "no talosconfig: run `machinist up` or `machinist talosconfig` first".into()
            );
            nodes.len()
        ]);
    };
    let mut steps = Vec::new();
    let mut errors: Vec<Option<String>> = vec![None; nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        let t = target(n);
        let r: Result<Step, String> = async {
            let to = target_of(n, talos_version)?;
            let v = api
                .version(&t)
                .await
                .map_err(|e| describe_unreachable(e, n))?;
            if !v.configured {
                return Err(format!(
                    "node {} is in maintenance mode: run `machinist up` to install it",
                    n.name
                ));
            }
            let live = api.machine_config(&t).await.map_err(|e| e.to_string())?;
            let live = live
                .as_deref()
                .map(diff::parse_docs)
                .transpose()?
                .unwrap_or_default();
            identity::verify(api, n, Some(&live), known).await?;
            let live_image = installer_image(&live);
            if v.tag == to.version && live_image.as_deref().is_none_or(|l| l == to.image) {
                Ok(Step::Current(to))
            } else {
                Ok(Step::Upgrade { from: v.tag, to })
            }
        }
        .await;
        match r {
            Ok(s) => steps.push(s),
            Err(e) => {
                errors[i] = Some(e);
                steps.push(Step::Current(Target {
                    image: String::new(),
                    version: String::new(),
                }));
            }
        }
    }
    // Control planes are only touched while etcd has every one of them as a member.
    let upgrades_cp = steps
        .iter()
        .zip(nodes)
        .any(|(s, n)| n.role.is_control_plane() && matches!(s, Step::Upgrade { .. }));
    if upgrades_cp && errors.iter().all(Option::is_none) {
        let cps: Vec<&RenderedNode> = known
            .nodes
            .iter()
            .filter(|n| n.role.is_control_plane())
            .collect();
        if let Err(e) = cluster::etcd_health(api, &cps).await {
            let msg = format!(
                "etcd is not healthy, so no control plane is upgraded: {e}; fix the member (or run `machinist up`) first"
            );
            return Err(nodes
                .iter()
                .map(|n| {
                    if n.role.is_control_plane() {
                        NodeStatus::Failed(format!("node {}: {msg}", n.name))
                    } else {
                        NodeStatus::NotStarted("the plan was refused, nothing was upgraded".into())
                    }
                })
                .collect());
        }
    }
    if errors.iter().all(Option::is_none) {
        return Ok(steps);
    }
    Err(errors
        .into_iter()
        .map(|e| match e {
            Some(e) => NodeStatus::Failed(e),
            None => NodeStatus::NotStarted(
                "the plan was refused on another node, nothing was upgraded".into(),
            ),
        })
        .collect())
}

fn describe_unreachable(e: NodeError, n: &RenderedNode) -> String {
    match e {
        NodeError::Tls { .. } => format!(
            "{e} (is node {} still in maintenance mode? run `machinist up`)",
            n.name
        ),
        e => e.to_string(),
    }
}

/// Runs the plan.
pub async fn execute(
    clients: &Clients,
    nodes: &[RenderedNode],
    steps: &[Step],
    opts: &UpgradeOptions,
    progress: &Progress,
) -> Vec<NodeStatus> {
    // Without retries: a retrying client would hide the short reboot the loop watches for.
    let api = clients
        .watch
        .clone()
        .or_else(|| clients.secure.clone())
        .expect("plan checked the talosconfig");
    let mut statuses: Vec<Option<NodeStatus>> = steps
        .iter()
        .map(|s| match s {
            Step::Current(t) => Some(NodeStatus::Unchanged(format!("already runs {}", t.version))),
            Step::Upgrade { from, to } if opts.dry_run => Some(NodeStatus::Done(format!(
                "dry run: would upgrade {from} → {} ({})",
                to.version, to.image
            ))),
            Step::Upgrade { .. } => None,
        })
        .collect();
    let cps: Vec<RenderedNode> = nodes
        .iter()
        .filter(|n| n.role.is_control_plane())
        .cloned()
        .collect();
    let shared = Arc::new((api, cps, opts.clone(), progress.clone()));
    super::run_in_order(nodes, &mut statuses, opts.parallel, |i| {
        let node = nodes[i].clone();
        let Step::Upgrade { from, to } = steps[i].clone() else {
            unreachable!("only open statuses run")
        };
        let shared = shared.clone();
        async move {
            let (api, cps, opts, progress) = &*shared;
            let s = upgrade_one(api, cps, &node, &from, &to, opts, progress).await;
            progress(super::Event::Finished {
                node: node.name.clone(),
            });
            s
        }
    })
    .await;
    super::finish(statuses)
}

async fn upgrade_one(
    api: &Api,
    cps: &[RenderedNode],
    node: &RenderedNode,
    from: &str,
    to: &Target,
    opts: &UpgradeOptions,
    progress: &Progress,
) -> NodeStatus {
    let cp_refs: Vec<&RenderedNode> = cps.iter().collect();
    if node.role.is_control_plane() {
        step(
            progress,
            &node.name,
            "checking etcd health before upgrading",
        );
        if let Err(e) = cluster::etcd_health(api, &cp_refs).await {
            return NodeStatus::Failed(format!(
                "node {}: not upgraded: etcd is not healthy: {e}",
                node.name
            ));
        }
    }
    let t = target(node);
    step(
        progress,
        &node.name,
        format!("upgrading {from} → {}", to.version),
    );
    let req = UpgradeRequest {
        image: to.image.clone(),
        preserve: opts.preserve,
        stage: false,
        force: false,
    };
    let outcome = match api.upgrade(&t, &req).await {
        Ok(o) => o,
        Err(e) => return NodeStatus::Failed(e.to_string()),
    };
    let via = match outcome.api {
        UpgradeApi::Lifecycle => "LifecycleService",
        UpgradeApi::Machine => "MachineService",
    };
    for m in &outcome.messages {
        note(progress, &node.name, m.clone());
    }
    // Wait for the reboot: the node goes away, then answers again.
    let start = Instant::now();
    let mut seen_down = false;
    step(progress, &node.name, "rebooting into the new version");
    let came_back = loop {
        match api.version(&t).await {
            Ok(v) if v.configured && v.tag == to.version => break Ok(v.tag),
            Ok(v) if v.configured && seen_down => break Err(v.tag),
            Ok(_) => {}
            Err(_) => seen_down = true,
        }
        if start.elapsed() >= opts.waits.timeout {
            return NodeStatus::Failed(format!(
                "node {}: upgrade to {} sent ({via}) but it did not report {} within {:.0}s",
                node.name,
                to.image,
                to.version,
                opts.waits.timeout.as_secs_f64()
            ));
        }
        tokio::time::sleep(opts.waits.poll).await;
    };
    let running = match came_back {
        Ok(tag) => tag,
        Err(old) => {
            return NodeStatus::Failed(format!(
                "node {}: came back on {old}, not {} (A/B fallback: the new system did not boot); the rollout stops here; inspect the node (`talosctl dmesg`) before re-running",
                node.name, to.version
            ));
        }
    };
    if let Err(e) = record_image(api, node, &to.image).await {
        return NodeStatus::Failed(format!(
            "node {}: upgraded to {running} but recording the image failed: {e}",
            node.name
        ));
    }
    if node.role.is_control_plane() {
        step(progress, &node.name, "waiting for etcd to be healthy again");
        let wait_start = Instant::now();
        loop {
            match cluster::etcd_health(api, &cp_refs).await {
                Ok(()) => break,
                Err(e) if wait_start.elapsed() >= opts.waits.timeout => {
                    return NodeStatus::Failed(format!(
                        "node {}: upgraded to {running} but etcd is not healthy: {e}",
                        node.name
                    ));
                }
                Err(_) => tokio::time::sleep(opts.waits.poll).await,
            }
        }
    }
    NodeStatus::Done(format!(
        "upgraded {from} → {running} ({via}, {:.1}s)",
        start.elapsed().as_secs_f64()
    ))
}

/// Writes the new installer image into the node's live config (no reboot), so the next plan
/// sees the node as current.
async fn record_image(api: &Api, node: &RenderedNode, image: &str) -> Result<(), String> {
    let t = target(node);
    let Some(bytes) = api.machine_config(&t).await.map_err(|e| e.to_string())? else {
        return Ok(());
    };
    let mut docs = diff::parse_docs(&bytes)?;
    if installer_image(&docs).as_deref() == Some(image) {
        return Ok(());
    }
    for d in &mut docs {
        let slot = if d.get("kind").and_then(Value::as_str) == Some("UnattendedInstallConfig") {
            d.get_mut("installer").and_then(|i| i.get_mut("image"))
        } else if d.get("kind").is_none() {
            d.get_mut("machine")
                .and_then(|m| m.get_mut("install"))
                .and_then(|i| i.get_mut("image"))
        } else {
            None
        };
        if let Some(slot) = slot {
            *slot = Value::from(image);
        }
    }
    let req = ApplyRequest {
        data: machinist_patch::to_yaml(&docs).into_bytes(),
        mode: ApplyMode::NoReboot,
        dry_run: false,
        try_timeout: None::<Duration>,
    };
    api.apply(&t, &req)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_tags_and_minors() {
        assert_eq!(
            image_tag("ghcr.io/siderolabs/installer:v1.13.2"),
            Some("v1.13.2")
        );
        assert_eq!(
            image_tag("registry:5000/installer:v1.13.2@sha256:abc"),
            Some("v1.13.2")
        );
        assert_eq!(image_tag("registry:5000/installer"), None);
        assert_eq!(minor_of("v1.13.2"), Some((1, 13)));
        assert_eq!(minor_of("v1.14.0-beta.1"), Some((1, 14)));
    }
}

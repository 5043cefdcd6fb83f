//! Upgrades: which nodes need one, and the rollout. In: the clients, the rendered nodes, the
//! chart's `talosVersion`, facts and options. Out: one [`NodeStatus`] per node.
//!
//! The target of a node is the installer image of its *rendered* config (`machine.install.image`,
//! or `installer.image` of an `UnattendedInstallConfig` document); its version is the image tag
//! and, for an Image Factory image, its schematic is the ID in the image path. A node is compared
//! with what it *runs*, never with its live config (Talos applies a new `machine.install.image`
//! without installing anything, and its Upgrade call leaves the config alone, so after a
//! `machinist apply` the config names an image the node does not run): the running version is the
//! Version API's tag, the running schematic the `schematic` extension Image Factory images carry
//! (COSI `ExtensionStatuses`). Only when neither the target nor the node has a schematic (plain
//! or private-registry installers) is the image the live config records the last resort. After
//! the upgrade reboot the node must run the target — one that comes back on the old version or
//! schematic (A/B fallback) stops the rollout — and its live config is updated to record the
//! new image, so `diff` shows nothing. Control planes go one at a time, each gated on etcd health
//! before and after; workers `parallel` at a time after them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use machinist_talos::extensions::{running_schematic, schematic_of_image};
use machinist_talos::{ApplyMode, ApplyRequest, NodeError, NodeTarget, UpgradeApi, UpgradeRequest};
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

/// What a node runs: its Talos version and, for an Image Factory image, its schematic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    /// The Version API's tag (`v1.13.2`).
    pub version: String,
    /// The `schematic` extension's version, the schematic ID (`None`: not an Image Factory image).
    pub schematic: Option<String>,
}

impl Target {
    /// The schematic ID the target image names, if it is an Image Factory image.
    pub fn schematic(&self) -> Option<&str> {
        schematic_of_image(&self.image)
    }
}

/// The first 8 characters of a schematic ID, for messages.
fn short(id: Option<&str>) -> String {
    match id {
        Some(id) => id.chars().take(8).collect(),
        None => "none".into(),
    }
}

/// Whether what a node runs differs from the target in a way the node itself shows (version or
/// schematic); the text says how.
pub fn running_differs(running: &Running, to: &Target) -> Option<String> {
    if running.version != to.version {
        return Some(format!("version {} → {}", running.version, to.version));
    }
    let want = to.schematic();
    if running.schematic.as_deref() != want {
        return Some(format!(
            "schematic {} → {}",
            short(running.schematic.as_deref()),
            short(want)
        ));
    }
    None
}

/// Why a node needs an upgrade, or `None` when it runs its target. `live_image` (the installer
/// image its live config records) decides only when neither side has a schematic to compare.
pub fn needs_upgrade(running: &Running, live_image: Option<&str>, to: &Target) -> Option<String> {
    if let Some(why) = running_differs(running, to) {
        return Some(why);
    }
    match live_image {
        Some(l) if to.schematic().is_none() && l != to.image => {
            Some(format!("installer image {l} → {}", to.image))
        }
        _ => None,
    }
}

/// Reads what a configured node runs (Version API, then its extensions); `None` in maintenance
/// mode.
pub async fn running(api: &Api, t: &NodeTarget) -> Result<Option<Running>, NodeError> {
    let v = api.version(t).await?;
    if !v.configured {
        return Ok(None);
    }
    let ext = api.extensions(t).await?;
    Ok(Some(Running {
        version: v.tag,
        schematic: running_schematic(&ext).map(str::to_string),
    }))
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
    /// Upgrade from what runs to the target.
    Upgrade {
        /// Running version.
        from: String,
        /// Target.
        to: Target,
        /// Why (`version v1.13.9 → v1.13.10`, `schematic 37656798 → ce4c9805`).
        why: String,
        /// The node shows the change once it boots the target (version or schematic); when
        /// `false` only the live config's image differed, so the reboot itself is awaited.
        visible: bool,
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
            let ext = api.extensions(&t).await.map_err(|e| e.to_string())?;
            let now = Running {
                version: v.tag,
                schematic: running_schematic(&ext).map(str::to_string),
            };
            let live_image = installer_image(&live);
            match needs_upgrade(&now, live_image.as_deref(), &to) {
                None => Ok(Step::Current(to)),
                Some(why) => Ok(Step::Upgrade {
                    visible: running_differs(&now, &to).is_some(),
                    from: now.version,
                    to,
                    why,
                }),
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
            Step::Upgrade { from, to, why, .. } if opts.dry_run => Some(NodeStatus::Done(format!(
                "dry run: would upgrade {from} → {} ({}; {why})",
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
        let Step::Upgrade {
            from, to, visible, ..
        } = steps[i].clone()
        else {
            unreachable!("only open statuses run")
        };
        let shared = shared.clone();
        async move {
            let (api, cps, opts, progress) = &*shared;
            let s = upgrade_one(api, cps, &node, (&from, &to, visible), opts, progress).await;
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
    (from, to, visible): (&str, &Target, bool),
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
    // Arrived: the node runs the target (version and schematic) — and, when only the live
    // config's image told the change, has been seen rebooting. Back on anything else after the
    // reboot: it fell back.
    let came_back = loop {
        match running(api, &t).await {
            Ok(None) => {}
            Ok(Some(r)) => {
                let differs = running_differs(&r, to);
                if differs.is_none() && (visible || seen_down) {
                    break Ok(r.version);
                }
                if differs.is_some() && seen_down {
                    break Err(r);
                }
            }
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
            let on = if old.version != to.version {
                format!("{}, not {}", old.version, to.version)
            } else {
                format!(
                    "{} with schematic {}, not {}",
                    old.version,
                    short(old.schematic.as_deref()),
                    short(to.schematic())
                )
            };
            return NodeStatus::Failed(format!(
                "node {}: came back on {on} (A/B fallback: the new system did not boot); the rollout stops here; inspect the node (`talosctl dmesg`) before re-running",
                node.name
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

    const A: &str = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";
    const B: &str = "ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515";

    fn factory(id: &str, tag: &str) -> Target {
        Target {
            image: format!("factory.talos.dev/installer/{id}:{tag}"),
            version: tag.into(),
        }
    }

    fn runs(tag: &str, schematic: Option<&str>) -> Running {
        Running {
            version: tag.into(),
            schematic: schematic.map(str::to_string),
        }
    }

    #[test]
    fn the_decision_follows_what_runs_not_the_live_config() {
        let b = factory(B, "v1.13.9");
        // `machinist apply` already wrote B into the live config: the node still runs A.
        assert_eq!(
            needs_upgrade(&runs("v1.13.9", Some(A)), Some(&b.image), &b).as_deref(),
            Some("schematic 37656798 → ce4c9805")
        );
        // Runs B, whatever an old live config says.
        let old = factory(A, "v1.13.9").image;
        assert_eq!(
            needs_upgrade(&runs("v1.13.9", Some(B)), Some(&old), &b),
            None
        );
        // A version change wins.
        assert_eq!(
            needs_upgrade(&runs("v1.13.8", Some(B)), None, &b).as_deref(),
            Some("version v1.13.8 → v1.13.9")
        );
        // From a plain installer to a factory image, and back.
        assert!(needs_upgrade(&runs("v1.13.9", None), None, &b).is_some());
        let plain = Target {
            image: "ghcr.io/siderolabs/installer:v1.13.9".into(),
            version: "v1.13.9".into(),
        };
        assert_eq!(
            needs_upgrade(&runs("v1.13.9", Some(A)), Some(&plain.image), &plain).as_deref(),
            Some("schematic 37656798 → none")
        );
        // Neither side has a schematic: only the recorded image can tell.
        assert_eq!(
            needs_upgrade(&runs("v1.13.9", None), Some(&plain.image), &plain),
            None
        );
        let private = "registry.lab/talos/installer:v1.13.9";
        assert_eq!(
            needs_upgrade(&runs("v1.13.9", None), Some(private), &plain).as_deref(),
            Some(
                "installer image registry.lab/talos/installer:v1.13.9 → ghcr.io/siderolabs/installer:v1.13.9"
            )
        );
        assert!(running_differs(&runs("v1.13.9", None), &plain).is_none());
    }
}

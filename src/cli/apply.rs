//! `machinist apply`: renders the selected nodes and applies them through the Talos API. Before
//! sending anything it reads every node's live config, refuses when the node at an address is not
//! the node it should be (hostname check) and skips nodes without changes. Control planes go one
//! at a time and must answer Version again (after a reboot, within `--wait-timeout`) before the
//! next; workers go `--parallel` at a time. A failure stops the rollout; the summary lists done,
//! unchanged, failed and not started nodes. Exit 0 when nothing failed, else 1.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use machinist::diff;
use machinist::render::RenderedNode;
use machinist_talos::{ApplyMode, ApplyRequest, NodeApi, NodeTarget, TalosClient};

use super::diff::render_nodes;
use super::node_conn::{self, ConnArgs, duration};
use super::report;

/// `--mode` values (talosctl's spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// Apply now; the node reboots only if the change needs it.
    Auto,
    /// Apply now without a reboot; the node refuses changes that need one.
    NoReboot,
    /// Apply and reboot (Talos v1.13 and older).
    Reboot,
    /// Store the config for the next reboot.
    Staged,
    /// Apply now and roll back after `--try-timeout` unless applied again.
    Try,
}

impl ModeArg {
    fn mode(self) -> ApplyMode {
        match self {
            ModeArg::Auto => ApplyMode::Auto,
            ModeArg::NoReboot => ApplyMode::NoReboot,
            ModeArg::Reboot => ApplyMode::Reboot,
            ModeArg::Staged => ApplyMode::Staged,
            ModeArg::Try => ApplyMode::Try,
        }
    }
}

/// Apply the rendered configs to the nodes.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Only this node (repeatable).
    #[arg(long = "node", value_name = "NAME")]
    pub nodes: Vec<String>,
    /// How the nodes apply the config.
    #[arg(long, value_enum, default_value_t = ModeArg::Auto)]
    pub mode: ModeArg,
    /// With `--mode try`: how long until the node reverts.
    #[arg(long, value_name = "D", value_parser = duration)]
    pub try_timeout: Option<Duration>,
    /// Ask each node what it would do (mode and config diff) without changing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Maintenance mode (first install): no client certificate, no identity check, no diff.
    #[arg(long)]
    pub insecure: bool,
    /// With `--insecure`: the SPKI fingerprint the node's certificate must have.
    #[arg(long, value_name = "FP", requires = "insecure")]
    pub cert_fingerprint: Option<String>,
    /// How many workers to apply at once (control planes always go one at a time).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub parallel: usize,
    /// How long to wait for a node to answer again after applying (or rebooting).
    #[arg(long, value_name = "D", default_value = "10m", value_parser = duration)]
    pub wait_timeout: Duration,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Clone)]
enum Status {
    Done(String),
    Unchanged,
    Failed(String),
    NotStarted(String),
}

struct Out {
    bar: Option<ProgressBar>,
    secrets: Vec<String>,
}

impl Out {
    fn line(&self, msg: &str) {
        let msg = diff::redact_text(msg, &self.secrets);
        match &self.bar {
            Some(b) => b.println(msg),
            None => eprintln!("{msg}"),
        }
    }
    fn step(&self, node: &str, msg: &str) {
        match &self.bar {
            Some(b) => b.set_message(format!("{node}: {msg}")),
            None => self.line(&format!("{node}: {msg}")),
        }
    }
    fn tick(&self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }
}

/// Runs `machinist apply`.
pub fn run(args: ApplyArgs) -> u8 {
    let rendered = match render_nodes(&args.dir, &args.nodes) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let secure = node_conn::secure_client(&args.dir, &args.conn);
    let (applier, checker) = if args.insecure {
        let ins = node_conn::insecure_client(&args.conn, args.cert_fingerprint.clone());
        (ins, secure.ok())
    } else {
        match secure {
            Ok(c) => (c.clone(), Some(c)),
            Err(e) => {
                report::error(&e);
                return 1;
            }
        }
    };
    let all_docs: Vec<_> = rendered.iter().flat_map(|n| n.documents.clone()).collect();
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = ProgressBar::new(rendered.len() as u64);
        b.set_style(
            ProgressStyle::with_template("{spinner} [{pos}/{len}] {wide_msg}")
                .expect("valid template"),
        );
        b.enable_steady_tick(Duration::from_millis(120));
        b
    });
    let out = Arc::new(Out {
        bar,
        secrets: diff::secret_values(&all_docs),
    });
    let rt = node_conn::runtime();
    let statuses = rt.block_on(rollout(
        &args,
        rendered.clone(),
        applier,
        checker,
        out.clone(),
    ));
    if let Some(b) = &out.bar {
        b.finish_and_clear();
    }
    print_summary(&rendered, &statuses, &out.secrets);
    if statuses
        .iter()
        .any(|s| matches!(s, Status::Failed(_) | Status::NotStarted(_)))
    {
        1
    } else {
        0
    }
}

fn expected_hostname(n: &RenderedNode) -> String {
    diff::hostname(&n.documents).unwrap_or_else(|| n.name.clone())
}

/// How many live configs the pre-flight reads at once.
const PLAN_PARALLEL: usize = 64;

async fn rollout(
    args: &ApplyArgs,
    nodes: Vec<RenderedNode>,
    applier: Arc<TalosClient>,
    checker: Option<Arc<TalosClient>>,
    out: Arc<Out>,
) -> Vec<Status> {
    let mut statuses: Vec<Option<Status>> = vec![None; nodes.len()];
    // 1. Plan: read every live config, check identities, skip unchanged nodes. Nothing is sent
    //    to any node unless every node passes.
    if !args.insecure {
        // At most PLAN_PARALLEL reads at once, each node's own connection closed after it:
        // memory stays flat however many nodes the project has.
        let slots = Arc::new(tokio::sync::Semaphore::new(PLAN_PARALLEL));
        let tasks: Vec<_> = nodes
            .iter()
            .map(|n| {
                let c = applier.clone();
                let slots = slots.clone();
                let t = node_conn::target(n);
                tokio::spawn(async move {
                    let _slot = slots.acquire_owned().await.expect("semaphore stays open");
                    let live = c.machine_config(&t).await;
                    c.release(&t);
                    live
                })
            })
            .collect();
        let mut blocked = false;
        for (i, task) in tasks.into_iter().enumerate() {
            let n = &nodes[i];
            match task.await.expect("plan task") {
                Err(e) => {
                    out.line(&format!("error: {e}"));
                    statuses[i] = Some(Status::Failed(e.to_string()));
                    blocked = true;
                }
                Ok(live) => {
                    let live_docs = live
                        .as_deref()
                        .map(diff::parse_docs)
                        .transpose()
                        .unwrap_or_default()
                        .unwrap_or_default();
                    let want = expected_hostname(n);
                    if let Some(got) = diff::hostname(&live_docs).filter(|h| *h != want) {
                        let who = nodes
                            .iter()
                            .find(|o| expected_hostname(o) == got)
                            .map(|o| format!("node {} of this project", o.name))
                            .unwrap_or_else(|| "not a node of this project".into());
                        let msg = format!(
                            "node {}: refusing to apply: the node at {} has hostname `{got}` ({who}), not `{want}`; check the address in nodes/{}.yaml",
                            n.name, n.address, n.name
                        );
                        out.line(&format!("error: {msg}"));
                        statuses[i] = Some(Status::Failed(msg));
                        blocked = true;
                    } else if diff::diff_docs(&live_docs, &n.documents).is_empty() && !args.dry_run
                    {
                        statuses[i] = Some(Status::Unchanged);
                        out.tick();
                    }
                }
            }
        }
        if blocked {
            return finish(
                statuses,
                "not started: the pre-flight checks failed, nothing was applied",
            );
        }
    }
    // 2. Control planes one at a time, then workers `--parallel` at a time.
    let order: Vec<usize> = (0..nodes.len())
        .filter(|&i| nodes[i].role.is_control_plane())
        .chain((0..nodes.len()).filter(|&i| !nodes[i].role.is_control_plane()))
        .filter(|&i| statuses[i].is_none())
        .collect();
    let mut cursor = 0;
    while cursor < order.len() {
        let i = order[cursor];
        let batch: Vec<usize> = if nodes[i].role.is_control_plane() {
            vec![i]
        } else {
            order[cursor..]
                .iter()
                .copied()
                .take(args.parallel.max(1))
                .collect()
        };
        cursor += batch.len();
        let tasks: Vec<_> = batch
            .iter()
            .map(|&i| {
                let node = nodes[i].clone();
                let (applier, checker, out) = (applier.clone(), checker.clone(), out.clone());
                let req = ApplyRequest {
                    data: node.to_yaml().into_bytes(),
                    mode: args.mode.mode(),
                    dry_run: args.dry_run,
                    try_timeout: args.try_timeout,
                };
                let wait = args.wait_timeout;
                tokio::spawn(async move { apply_one(node, req, applier, checker, wait, out).await })
            })
            .collect();
        let mut failed = false;
        for (&i, t) in batch.iter().zip(tasks) {
            let s = t.await.expect("apply task");
            failed |= matches!(s, Status::Failed(_));
            statuses[i] = Some(s);
        }
        if failed {
            return finish(statuses, "not started: the rollout stopped after a failure");
        }
    }
    finish(statuses, "not started")
}

fn finish(statuses: Vec<Option<Status>>, why: &str) -> Vec<Status> {
    statuses
        .into_iter()
        .map(|s| s.unwrap_or_else(|| Status::NotStarted(why.to_string())))
        .collect()
}

async fn apply_one(
    node: RenderedNode,
    req: ApplyRequest,
    applier: Arc<TalosClient>,
    checker: Option<Arc<TalosClient>>,
    wait: Duration,
    out: Arc<Out>,
) -> Status {
    let t = node_conn::target(&node);
    let status = apply_and_check(&node, &t, req, &applier, checker.as_deref(), wait, &out).await;
    // The node is done with: its own connections close (shared endpoints stay open).
    applier.release(&t);
    if let Some(c) = &checker {
        c.release(&t);
    }
    status
}

async fn apply_and_check(
    node: &RenderedNode,
    t: &NodeTarget,
    req: ApplyRequest,
    applier: &TalosClient,
    checker: Option<&TalosClient>,
    wait: Duration,
    out: &Out,
) -> Status {
    out.step(&node.name, &format!("applying ({})", req.mode.talos_name()));
    let outcome = match applier.apply(t, &req).await {
        Ok(o) => o,
        Err(e) => {
            out.line(&format!("{}: failed: {e}", node.name));
            out.tick();
            return Status::Failed(e.to_string());
        }
    };
    for w in &outcome.warnings {
        out.line(&format!("{}: warning: {w}", node.name));
    }
    if !outcome.mode_details.is_empty() {
        let details = outcome.mode_details.replace('\n', "\n    ");
        out.line(&format!(
            "{}: {}: {details}",
            node.name,
            outcome.mode.talos_name()
        ));
    }
    if req.dry_run {
        out.tick();
        return Status::Done(format!(
            "dry run: would apply with {}",
            outcome.mode.talos_name()
        ));
    }
    let Some(checker) = checker else {
        out.tick();
        return Status::Done(format!(
            "applied ({}); not re-checked: no talosconfig",
            outcome.mode.talos_name()
        ));
    };
    let start = Instant::now();
    if outcome.mode == ApplyMode::Reboot {
        out.step(
            &node.name,
            "rebooting; waiting for it to go down and come back",
        );
        // Wait (briefly) to see the node go down, so an answer from before the reboot is not
        // taken for the node coming back.
        while start.elapsed() < Duration::from_secs(5) && checker.version(t).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    loop {
        match checker.version(t).await {
            Ok(v) => {
                let msg = format!(
                    "applied ({}); answered Version {} after {:.1}s",
                    outcome.mode.talos_name(),
                    v.tag,
                    start.elapsed().as_secs_f64()
                );
                out.line(&format!("{}: {msg}", node.name));
                out.tick();
                return Status::Done(msg);
            }
            Err(e) if start.elapsed() >= wait => {
                let msg = format!(
                    "applied ({}) but did not answer within {:.0}s: {e}",
                    outcome.mode.talos_name(),
                    wait.as_secs_f64()
                );
                out.line(&format!("{}: {msg}", node.name));
                out.tick();
                return Status::Failed(msg);
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

fn print_summary(nodes: &[RenderedNode], statuses: &[Status], secrets: &[String]) {
    let count = |f: fn(&Status) -> bool| statuses.iter().filter(|s| f(s)).count();
    println!(
        "summary: {} done, {} unchanged, {} failed, {} not started",
        count(|s| matches!(s, Status::Done(_))),
        count(|s| matches!(s, Status::Unchanged)),
        count(|s| matches!(s, Status::Failed(_))),
        count(|s| matches!(s, Status::NotStarted(_)))
    );
    let width = nodes.iter().map(|n| n.name.len()).max().unwrap_or(0);
    for (n, s) in nodes.iter().zip(statuses) {
        let (label, why) = match s {
            Status::Done(m) => ("done", m.as_str()),
            Status::Unchanged => ("unchanged", "no changes"),
            Status::Failed(m) => ("failed", m.as_str()),
            Status::NotStarted(m) => ("not started", m.as_str()),
        };
        let why = diff::redact_text(why.lines().next().unwrap_or(""), secrets);
        println!("  {label:<11}  {:<width$}  {why}", n.name);
    }
}

//! Shared plumbing of the lifecycle commands (`up`, `bootstrap`, `kubeconfig`, `upgrade`,
//! `reset`, `status`, `facts`, and `apply`). In: the project directory, value flags, `--node`
//! names and connection flags. Out: the project and its rendered nodes (real secrets, for
//! comparing with live configs), the [`Clients`] — mutual TLS and maintenance mode, each dialling
//! every node *at its own address* unless `--endpoints` is given — a progress printer that
//! redacts secrets, and the per-node summary with its exit status.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use machinist::diff;
use machinist::project::Project;
use machinist::render::{RenderOptions, RenderedNode, render};
use machinist::rollout::{Api, Clients, Event, NodeStatus, Progress};
use machinist_talos::TalosClient;
use machinist_talos::client::{ClientOptions, RetryPolicy};
use machinist_talos::talosconfig::{self, Talosconfig};

use super::node_conn::{ConnArgs, insecure_client};
use super::report;
use super::values_args::ValuesArgs;

/// A loaded and rendered project.
pub(super) struct Loaded {
    /// The project.
    pub project: Project,
    /// Its rendered nodes (every node, for the identity guard).
    pub all: Vec<RenderedNode>,
    /// The values that must never be printed.
    pub secrets: Vec<String>,
}

impl Loaded {
    /// The nodes `names` selects (all when empty), in project order.
    pub(super) fn selected(&self, names: &[String]) -> Vec<RenderedNode> {
        self.all
            .iter()
            .filter(|n| names.is_empty() || names.contains(&n.name))
            .cloned()
            .collect()
    }
}

/// Loads and renders the project with real secrets; an unknown `--node` is an error that
/// lists the project's nodes.
pub(super) fn load(dir: &Path, values: &ValuesArgs, only: &[String]) -> Result<Loaded, u8> {
    let project = Project::load(dir).map_err(|d| {
        report::print(&d);
        1u8
    })?;
    for name in only {
        if !project.nodes.iter().any(|n| &n.name == name) {
            let names: Vec<&str> = project.nodes.iter().map(|n| n.name.as_str()).collect();
            report::error(&format!(
                "--node {name}: no node `{name}` in {} (nodes: {})",
                dir.join("nodes").display(),
                names.join(", ")
            ));
            return Err(1);
        }
    }
    let overrides = values.resolve().map_err(|d| {
        report::print(&d);
        1u8
    })?;
    let options = RenderOptions {
        overrides,
        with_secrets: true,
        ..Default::default()
    };
    let all = render(&project, options).map_err(|d| {
        report::print(&d);
        1u8
    })?;
    let docs: Vec<_> = all.iter().flat_map(|n| n.documents.clone()).collect();
    let secrets = diff::secret_values(&docs);
    Ok(Loaded {
        project,
        all,
        secrets,
    })
}

/// [`load`] then [`clients`]: what every lifecycle command does first.
pub(super) fn prepare(
    dir: &Path,
    values: &ValuesArgs,
    only: &[String],
    conn: &ConnArgs,
    fingerprint: Option<String>,
) -> Result<(Loaded, Clients), u8> {
    let loaded = load(dir, values, only)?;
    let clients = clients(dir, conn, fingerprint)?;
    Ok((loaded, clients))
}

/// The clients: mutual TLS from the talosconfig (none when the project has none yet) and
/// maintenance mode. Nodes are dialled at their own addresses; `--endpoints` overrides that.
pub(super) fn clients(
    dir: &Path,
    conn: &ConnArgs,
    fingerprint: Option<String>,
) -> Result<Clients, u8> {
    let secure = build_secure(dir, conn, RetryPolicy::default())?;
    let watch = build_secure(
        dir,
        conn,
        RetryPolicy {
            attempts: 1,
            ..RetryPolicy::default()
        },
    )?;
    let insecure: Api = insecure_client(conn, fingerprint);
    Ok(Clients {
        secure,
        watch,
        insecure,
    })
}

fn build_secure(dir: &Path, conn: &ConnArgs, retry: RetryPolicy) -> Result<Option<Api>, u8> {
    let secure: Option<Api> = match talosconfig::locate(conn.talosconfig.as_deref(), Some(dir)) {
        Err(_) if conn.talosconfig.is_none() => None,
        Err(e) => {
            report::error(&e.to_string());
            return Err(1);
        }
        Ok(path) => {
            let built = Talosconfig::load(&path)
                .map_err(|e| e.to_string())
                .and_then(|cfg| {
                    cfg.credentials(conn.context.as_deref())
                        .map_err(|e| e.to_string())
                })
                .and_then(|creds| {
                    let opts = ClientOptions {
                        endpoints: conn.endpoints.clone(),
                        call_timeout: conn.timeout,
                        retry,
                        ..Default::default()
                    };
                    TalosClient::new(opts, Some(&creds))
                        .map_err(|e| format!("{}: {e}", path.display()))
                });
            match built {
                Ok(c) => Some(Arc::new(c)),
                Err(e) => {
                    report::error(&e);
                    return Err(1);
                }
            }
        }
    };
    Ok(secure)
}

/// Prints progress: a spinner line on a terminal, else one line per step.
pub(super) struct Printer {
    bar: Option<ProgressBar>,
    secrets: Vec<String>,
}

impl Printer {
    /// A printer for `len` nodes.
    pub(super) fn new(len: usize, secrets: Vec<String>) -> Arc<Printer> {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = ProgressBar::new(len as u64);
            b.set_style(
                ProgressStyle::with_template("{spinner} [{pos}/{len}] {wide_msg}")
                    .expect("valid template"),
            );
            b.enable_steady_tick(Duration::from_millis(120));
            b
        });
        Arc::new(Printer { bar, secrets })
    }

    /// Prints one line (above the spinner).
    pub(super) fn line(&self, msg: &str) {
        let msg = diff::redact_text(msg, &self.secrets);
        // Text from nodes reaches the terminal with its control characters escaped.
        let msg = machinist::diagnostics::escape_controls(&msg).into_owned();
        match &self.bar {
            Some(b) => b.println(msg),
            None => eprintln!("{msg}"),
        }
    }

    /// The progress callback for the rollout library.
    pub(super) fn progress(self: &Arc<Self>) -> Progress {
        let me = self.clone();
        Arc::new(move |e| match e {
            Event::Step { node, what } => match &me.bar {
                Some(b) => {
                    b.set_message(diff::redact_text(&format!("{node}: {what}"), &me.secrets))
                }
                None => me.line(&format!("{node}: {what}")),
            },
            Event::Note { node, text } => me.line(&format!("{node}: {text}")),
            Event::Finished { .. } => {
                if let Some(b) = &me.bar {
                    b.inc(1);
                }
            }
        })
    }

    /// Clears the spinner.
    pub(super) fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// Prints the summary; 0 when no node failed or was left out, else 1.
pub(super) fn summary(nodes: &[RenderedNode], statuses: &[NodeStatus], secrets: &[String]) -> u8 {
    let count = |f: fn(&NodeStatus) -> bool| statuses.iter().filter(|s| f(s)).count();
    println!(
        "summary: {} done, {} unchanged, {} failed, {} not started",
        count(|s| matches!(s, NodeStatus::Done(_))),
        count(|s| matches!(s, NodeStatus::Unchanged(_))),
        count(|s| matches!(s, NodeStatus::Failed(_))),
        count(|s| matches!(s, NodeStatus::NotStarted(_)))
    );
    let width = nodes.iter().map(|n| n.name.len()).max().unwrap_or(0);
    for (n, s) in nodes.iter().zip(statuses) {
        let (label, why) = match s {
            NodeStatus::Done(m) => ("done", m.as_str()),
            NodeStatus::Unchanged(m) => ("unchanged", m.as_str()),
            NodeStatus::Failed(m) => ("failed", m.as_str()),
            NodeStatus::NotStarted(m) => ("not started", m.as_str()),
        };
        let why = diff::redact_text(why.lines().next().unwrap_or(""), secrets);
        let why = machinist::diagnostics::escape_controls(&why);
        println!("  {label:<11}  {:<width$}  {why}", n.name);
    }
    u8::from(statuses.iter().any(NodeStatus::is_failure))
}

/// `--yes`, or a question on a terminal; `Err` explains what to do off a terminal.
pub(super) fn confirm(question: &str, yes: bool) -> Result<bool, String> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "{question}: not asking off a terminal; pass --yes to confirm"
        ));
    }
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| e.to_string())?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

//! `machinist diff`: renders the selected nodes, reads the nodes' live configs concurrently
//! (`--parallel` at a time, each node's own connection closed once it is read) and
//! prints what would change, per node and per document, with secrets redacted; a deprecated
//! v1alpha1 field the rendered config moved into its own document is one `moved:` line. Exit 0 = no
//! changes, 2 = changes, 1 = an error (an unreachable node included, named).

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use machinist::diff::{self, NodeDiff};
use machinist::project::Project;
use machinist::render::{RenderedNode, Renderer, render};
use machinist_model::Contract;
use machinist_talos::{ApplyMode, ApplyRequest, NodeApi};
use serde_json::json;

use super::controlplanes;
use super::exit::ExitStatus;
use super::node_conn::{self, ConnArgs};
use super::report::{self, Format};
use super::values_args::ValuesArgs;

/// Show what applying the rendered configs would change on the live nodes.
#[derive(Debug, Args)]
pub(super) struct DiffArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Only this node (repeatable).
    #[arg(long = "node", value_name = "NAME")]
    pub nodes: Vec<String>,
    /// `text` (a unified YAML diff per changed document, a `moved:` line per field moved out of
    /// v1alpha1) or `json` (one object: node statuses, one record per changed path, the moves).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also ask each changed node (dry-run apply) whether the change needs a reboot.
    #[arg(long)]
    pub reboot_check: bool,
    /// How many nodes to talk to at once. Each node dialled directly holds one connection
    /// while it is read, so this also bounds memory on large clusters.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub parallel: usize,
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    pub values: ValuesArgs,
}

/// One node's result.
pub(super) struct NodeResult {
    /// The rendered node.
    pub node: RenderedNode,
    /// The diff, or the error that prevented it.
    pub diff: Result<NodeDiff, String>,
    /// `--reboot-check`: the mode the node would use.
    pub reboot: Option<Result<ApplyMode, String>>,
}

/// Renders `dir` for `nodes` with real secrets (needed to compare with live configs), and
/// remembers the project's control-plane endpoints for the talosconfig check when connecting.
/// Also gives the contract the nodes were rendered for.
pub(super) fn render_nodes(
    dir: &std::path::Path,
    nodes: &[String],
    values: &ValuesArgs,
) -> Result<(Vec<RenderedNode>, Contract), ExitStatus> {
    let project = Project::load(dir).map_err(|d| {
        report::print(&d);
        ExitStatus::Failure
    })?;
    let options = values.render_options(nodes, true).map_err(|d| {
        report::print(&d);
        ExitStatus::Failure
    })?;
    let fail = |d: Vec<machinist::diagnostics::Diagnostic>| {
        report::print(&d);
        ExitStatus::Failure
    };
    let renderer = Renderer::new(&project, options).map_err(fail)?;
    let cluster_host = renderer
        .endpoint()
        .map(|e| machinist::address::host(e).to_string());
    let rendered = renderer.render().map_err(fail)?;
    // With --node, the other control planes come from a second render without secrets; when
    // another node does not render, the talosconfig check is skipped rather than the diff.
    let all = if nodes.is_empty() {
        Some(controlplanes::controlplanes(&rendered))
    } else {
        values
            .render_options(&[], false)
            .ok()
            .and_then(|o| render(&project, o).ok())
            .map(|all| controlplanes::controlplanes(&all))
    };
    if let Some(all) = all {
        controlplanes::remember(controlplanes::ProjectEndpoints {
            controlplanes: all,
            cluster_host,
        });
    }
    Ok((rendered, project.chart.contract))
}

/// Runs `machinist diff`.
pub(super) fn run(args: DiffArgs) -> ExitStatus {
    let (rendered, contract) = match render_nodes(&args.dir, &args.nodes, &args.values) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let client = match node_conn::secure_client(&args.dir, &args.conn) {
        Ok(c) => c,
        Err(e) => {
            report::error(&e);
            return ExitStatus::Failure;
        }
    };
    let rt = node_conn::runtime();
    let reboot_check = args.reboot_check;
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(args.parallel.max(1)));
    let results: Vec<NodeResult> = rt.block_on(async {
        let tasks: Vec<_> = rendered
            .into_iter()
            .map(|node| {
                let client = client.clone();
                let slots = slots.clone();
                tokio::spawn(async move {
                    let _slot = slots.acquire_owned().await.expect("semaphore stays open");
                    let t = node_conn::target(&node);
                    let diff = match client.machine_config(&t).await {
                        Ok(live) => {
                            let live_docs = match live {
                                Some(b) => diff::parse_docs(&b).map_err(|e| {
                                    format!("node {}: live config is not YAML: {e}", node.name)
                                }),
                                None => Ok(Vec::new()),
                            };
                            live_docs
                                .map(|l| diff::diff_docs_migrating(&l, &node.documents, contract))
                        }
                        Err(e) => Err(e.to_string()),
                    };
                    let reboot = match (&diff, reboot_check) {
                        (Ok(d), true) if !d.is_empty() => {
                            let req = ApplyRequest {
                                data: node.to_yaml().into_bytes(),
                                mode: ApplyMode::Auto,
                                dry_run: true,
                                try_timeout: None,
                            };
                            Some(
                                client
                                    .apply(&t, &req)
                                    .await
                                    .map(|o| o.mode)
                                    .map_err(|e| e.to_string()),
                            )
                        }
                        _ => None,
                    };
                    client.release(&t);
                    NodeResult { node, diff, reboot }
                })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.expect("diff task does not panic"));
        }
        out
    });
    let text = match args.format {
        // Text from a node reaches the terminal with its control characters escaped.
        Format::Text if super::color::stdout_enabled() => super::color::paint_diff(
            &machinist::diagnostics::escape_controls(&text_output(&results)),
        ),
        Format::Text => {
            machinist::diagnostics::escape_controls(&text_output(&results)).into_owned()
        }
        Format::Json => json_output(&results),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    let mut errors = 0;
    for r in &results {
        if let Err(e) = &r.diff {
            report::error(e);
            errors += 1;
        }
    }
    let changed = results
        .iter()
        .filter(|r| r.diff.as_ref().is_ok_and(|d| !d.is_empty()))
        .count();
    if errors > 0 {
        ExitStatus::Failure
    } else if changed > 0 {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    }
}

fn reboot_text(r: &Option<Result<ApplyMode, String>>) -> String {
    match r {
        Some(Ok(ApplyMode::Reboot)) => "; applying it needs a reboot".into(),
        Some(Ok(m)) => format!("; applies without a reboot ({})", m.talos_name()),
        Some(Err(e)) => format!("; reboot check failed: {e}"),
        None => String::new(),
    }
}

/// The text form: a header per node, then a unified diff per changed document.
pub(super) fn text_output(results: &[NodeResult]) -> String {
    let mut out = String::new();
    for r in results {
        let Ok(d) = &r.diff else { continue };
        if d.is_empty() {
            out.push_str(&format!("node {}: no changes\n", r.node.name));
            continue;
        }
        let n = d.docs.len();
        let moved = match d.moves.len() {
            0 => String::new(),
            1 => "1 field moved out of v1alpha1, ".to_string(),
            m => format!("{m} fields moved out of v1alpha1, "),
        };
        out.push_str(&format!(
            "node {} ({}): {moved}{n} document{} to change{}\n",
            r.node.name,
            r.node.address,
            if n == 1 { "" } else { "s" },
            reboot_text(&r.reboot)
        ));
        for m in &d.moves {
            out.push_str(&format!("moved: {} → {}\n", m.from, m.to));
        }
        for doc in &d.docs {
            out.push_str(&doc.unified);
        }
    }
    out
}

/// The JSON form: `{"nodes": [...], "changes": [{node, document, path, op, old, new, secret}],
/// "moves": [{node, from, to}]}`.
pub(super) fn json_output(results: &[NodeResult]) -> String {
    let mut nodes = Vec::new();
    let mut changes = Vec::new();
    let mut moves = Vec::new();
    for r in results {
        let status = match &r.diff {
            Err(_) => "error",
            Ok(d) if d.is_empty() => "unchanged",
            Ok(_) => "changed",
        };
        let mut n = json!({"node": r.node.name, "address": r.node.address, "status": status});
        if let Err(e) = &r.diff {
            n["error"] = json!(e);
        }
        if let Some(Ok(m)) = &r.reboot {
            n["reboot"] = json!(*m == ApplyMode::Reboot);
        }
        nodes.push(n);
        let Ok(d) = &r.diff else { continue };
        for m in &d.moves {
            moves.push(json!({"node": r.node.name, "from": m.from, "to": m.to}));
        }
        for doc in &d.docs {
            if doc.changes.is_empty() {
                continue;
            }
            for c in &doc.changes {
                changes.push(json!({
                    "node": r.node.name,
                    "document": doc.key.to_string(),
                    "path": c.path,
                    "op": c.op.as_str(),
                    "old": c.old,
                    "new": c.new,
                    "secret": c.secret,
                }));
            }
        }
    }
    serde_json::to_string_pretty(&json!({"nodes": nodes, "changes": changes, "moves": moves}))
        .expect("JSON")
        + "\n"
}

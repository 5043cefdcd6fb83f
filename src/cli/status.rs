//! `machinist status`: one line per node — address, stage, Talos version running vs wanted,
//! config in sync, etcd member, services — or `--format json`. Exit 0 when every node is as the
//! project says, 2 when one is not, 1 when a node cannot be read (or the project fails).

use std::path::PathBuf;

use clap::Args;
use machinist::rollout::status::{self, NodeReport};

use super::lifecycle;
use super::node_conn::{self, ConnArgs};
use super::report::Format;
use super::values_args::ValuesArgs;

/// Show each node's state against the project.
#[derive(Debug, Args)]
pub(super) struct StatusArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Only this node (repeatable).
    #[arg(long = "node", value_name = "NAME")]
    pub nodes: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub values: ValuesArgs,
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// Runs `machinist status`.
pub(super) fn run(args: StatusArgs) -> u8 {
    let (loaded, clients) =
        match lifecycle::prepare(&args.dir, &args.values, &args.nodes, &args.conn, None) {
            Ok(x) => x,
            Err(code) => return code,
        };
    let nodes = loaded.selected(&args.nodes);
    let reports = node_conn::runtime().block_on(status::status(
        &clients,
        &nodes,
        &loaded.project.chart.talos_version,
    ));
    match args.format {
        Format::Json => {
            let v = serde_json::json!({ "nodes": reports });
            println!(
                "{}",
                serde_json::to_string_pretty(&v).expect("reports serialize")
            );
        }
        Format::Text => print_text(&reports),
    }
    if reports.iter().any(|r| r.error.is_some()) {
        1
    } else if reports.iter().all(|r| r.ok) {
        0
    } else {
        2
    }
}

fn yes_no(v: Option<bool>, yes: &str, no: &str) -> String {
    match v {
        Some(true) => yes.to_string(),
        Some(false) => no.to_string(),
        None => "-".to_string(),
    }
}

fn print_text(reports: &[NodeReport]) {
    let width = reports
        .iter()
        .map(|r| r.node.len())
        .max()
        .unwrap_or(4)
        .max(4);
    println!(
        "{:<width$}  {:<15}  {:<13}  {:<11}  {:<17}  {:<9}  {:<10}  SERVICES",
        "NODE", "ADDRESS", "ROLE", "STAGE", "VERSION", "CONFIG", "ETCD"
    );
    for r in reports {
        let version = match (&r.running, &r.wanted) {
            (Some(a), Some(b)) if a == b => a.clone(),
            (Some(a), Some(b)) => format!("{a} (want {b})"),
            (None, Some(b)) => format!("- (want {b})"),
            _ => "-".to_string(),
        };
        let short = |id: &Option<String>| match id {
            Some(id) => id.chars().take(8).collect::<String>(),
            None => "none".to_string(),
        };
        let version = if r.running.is_some() && r.schematic != r.wanted_schematic {
            format!(
                "{version} (schematic {}, want {})",
                short(&r.schematic),
                short(&r.wanted_schematic)
            )
        } else {
            version
        };
        let services = match (&r.unhealthy, &r.error) {
            (_, Some(e)) => format!("error: {e}"),
            (Some(b), _) if b.is_empty() => "healthy".to_string(),
            (Some(b), _) => format!("not healthy: {}", b.join(", ")),
            (None, _) => "-".to_string(),
        };
        println!(
            "{:<width$}  {:<15}  {:<13}  {:<11}  {:<17}  {:<9}  {:<10}  {services}",
            r.node,
            r.address,
            r.role,
            r.stage,
            version,
            yes_no(r.in_sync, "in sync", "differs"),
            yes_no(r.etcd_member, "member", "missing"),
        );
    }
}

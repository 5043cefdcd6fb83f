//! `machinist upgrade`: upgrades the nodes whose running Talos version or installer image differ
//! from their rendered config's installer image. Parses flags, runs
//! [`machinist::rollout::upgrade`], prints the plan (`--dry-run`) or the per-node summary. Exit 0
//! when nothing failed, else 1.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use machinist::rollout::Waits;
use machinist::rollout::identity::Known;
use machinist::rollout::upgrade::{self, Step, UpgradeOptions};

use super::lifecycle::{self, Printer};
use super::node_conn::{self, ConnArgs, duration};
use super::values_args::ValuesArgs;

/// Upgrade Talos to the installer image each node's rendered config names.
#[derive(Debug, Args)]
pub(super) struct UpgradeArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Only this node (repeatable).
    #[arg(long = "node", value_name = "NAME")]
    pub nodes: Vec<String>,
    /// Print the plan; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// How many workers to upgrade at once (control planes go one at a time).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub parallel: usize,
    /// Keep ephemeral data (only nodes that upgrade through MachineService).
    #[arg(long)]
    pub preserve: bool,
    /// How long a node may take to come back on the new version.
    #[arg(long, value_name = "D", default_value = "15m", value_parser = duration)]
    pub wait_timeout: Duration,
    #[command(flatten)]
    pub values: ValuesArgs,
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// Runs `machinist upgrade`.
pub(super) fn run(args: UpgradeArgs) -> u8 {
    let (loaded, clients) =
        match lifecycle::prepare(&args.dir, &args.values, &args.nodes, &args.conn, None) {
            Ok(x) => x,
            Err(code) => return code,
        };
    let nodes = loaded.selected(&args.nodes);
    let known = Known {
        nodes: &loaded.all,
        facts: &loaded.project.facts,
    };
    let opts = UpgradeOptions {
        dry_run: args.dry_run,
        parallel: args.parallel,
        preserve: args.preserve,
        waits: Waits {
            timeout: args.wait_timeout,
            ..Waits::default()
        },
    };
    let printer = Printer::new(nodes.len(), loaded.secrets.clone());
    let rt = node_conn::runtime();
    let statuses = rt.block_on(async {
        match upgrade::plan(&clients, &nodes, known, &loaded.project.chart.talos_version).await {
            Err(s) => s,
            Ok(steps) => {
                if args.dry_run {
                    println!(
                        "plan (control planes one at a time, then workers {} at a time):",
                        args.parallel.max(1)
                    );
                    for i in machinist::rollout::rollout_order(&nodes) {
                        match &steps[i] {
                            Step::Upgrade { from, to, why, .. } => println!(
                                "  upgrade  {}  {from} → {}  ({})  {why}",
                                nodes[i].name, to.version, to.image
                            ),
                            Step::Current(t) => {
                                println!("  current  {}  {}", nodes[i].name, t.version)
                            }
                        }
                    }
                }
                upgrade::execute(&clients, &nodes, &steps, &opts, &printer.progress()).await
            }
        }
    });
    printer.finish();
    lifecycle::summary(&nodes, &statuses, &loaded.secrets)
}

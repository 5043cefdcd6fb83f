//! `machinist bootstrap`: bootstraps etcd once, on `--node`, Chart.yaml `bootstrap:` or the first
//! control plane by name. "Already bootstrapped" is success. Exit 0, or 1 with the node and fix.

use std::path::PathBuf;

use clap::Args;
use machinist::rollout::cluster;
use machinist_talos::BootstrapOutcome;

use super::lifecycle;
use super::node_conn::{self, ConnArgs};
use super::report;
use super::values_args::ValuesArgs;

/// Bootstrap etcd on one control plane.
#[derive(Debug, Args)]
pub(super) struct BootstrapArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The control plane to bootstrap (default: Chart.yaml `bootstrap:`, else the first by name).
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
    #[command(flatten)]
    pub values: ValuesArgs,
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// Runs `machinist bootstrap`.
pub(super) fn run(args: BootstrapArgs) -> u8 {
    let only: Vec<String> = args.node.iter().cloned().collect();
    let loaded = match lifecycle::load(&args.dir, &args.values, &only) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let (chosen, from) = match &args.node {
        Some(n) => (Some(n.as_str()), "--node"),
        None => (
            loaded.project.chart.bootstrap.as_deref(),
            "Chart.yaml `bootstrap:`",
        ),
    };
    let node = match cluster::bootstrap_node(&loaded.all, chosen, from) {
        Ok(n) => n,
        Err(e) => {
            report::error(&e);
            return 1;
        }
    };
    let clients = match lifecycle::clients(&args.dir, &args.conn, None) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(secure) = clients.secure else {
        report::error("no talosconfig: run `machinist talosconfig DIR` first");
        return 1;
    };
    let known = machinist::rollout::identity::Known {
        nodes: &loaded.all,
        facts: &loaded.project.facts,
    };
    match node_conn::runtime().block_on(cluster::bootstrap_checked(
        &secure,
        node,
        known,
        machinist::rollout::Waits::default(),
    )) {
        Ok(BootstrapOutcome::Bootstrapped) => {
            println!("bootstrapped etcd on {}", node.name);
            0
        }
        Ok(BootstrapOutcome::AlreadyBootstrapped) => {
            println!("{}: already bootstrapped (nothing to do)", node.name);
            0
        }
        Err(e) => {
            report::error(&e);
            1
        }
    }
}

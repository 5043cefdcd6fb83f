//! `machinist reset`: resets one named node back to maintenance mode. Never a whole cluster:
//! refuses without `--node`; asks on a terminal, needs `--yes` otherwise. The identity guard
//! runs first. Exit 0 when reset, 1 on refusal or failure, 64 without `--node`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use machinist::rollout::identity::Known;
use machinist::rollout::{self, NodeStatus, Waits};
use machinist_talos::{ResetRequest, WipeMode};

use super::lifecycle::{self, Printer};
use super::node_conn::{self, ConnArgs, duration};
use super::report;
use super::values_args::ValuesArgs;

/// `--wipe` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum WipeArg {
    /// System disk and user disks.
    All,
    /// Only the system disk.
    System,
    /// Only user disks.
    User,
}

/// Reset one node back to maintenance mode.
#[derive(Debug, Args)]
pub(super) struct ResetArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The node to reset (required: there is no whole-cluster reset).
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
    /// Leave etcd and drain first (the default).
    #[arg(long, overrides_with = "no_graceful")]
    pub graceful: bool,
    /// Skip leaving etcd and draining (a node that is already broken).
    #[arg(long)]
    pub no_graceful: bool,
    /// Reboot into maintenance mode afterwards (without it the node powers off).
    #[arg(long)]
    pub reboot: bool,
    /// What to wipe.
    #[arg(long, value_enum, default_value_t = WipeArg::All)]
    pub wipe: WipeArg,
    /// Do not ask.
    #[arg(long)]
    pub yes: bool,
    /// How long to wait for the node to come back in maintenance mode.
    #[arg(long, value_name = "D", default_value = "10m", value_parser = duration)]
    pub wait_timeout: Duration,
    #[command(flatten)]
    pub values: ValuesArgs,
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// Runs `machinist reset`.
pub(super) fn run(args: ResetArgs) -> u8 {
    let Some(name) = args.node.clone() else {
        report::error("reset needs --node NAME: machinist never resets a whole cluster at once");
        return 64;
    };
    let loaded = match lifecycle::load(&args.dir, &args.values, std::slice::from_ref(&name)) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let nodes = loaded.selected(std::slice::from_ref(&name));
    let node = &nodes[0];
    match lifecycle::confirm(
        &format!(
            "reset node {} ({}, {}) and wipe its data",
            node.name, node.address, node.role
        ),
        args.yes,
    ) {
        Ok(true) => {}
        Ok(false) => {
            eprintln!("not reset");
            return 1;
        }
        Err(e) => {
            report::error(&format!("node {}: {e}", node.name));
            return 1;
        }
    }
    let clients = match lifecycle::clients(&args.dir, &args.conn, None) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let req = ResetRequest {
        graceful: !args.no_graceful,
        reboot: args.reboot,
        wipe: match args.wipe {
            WipeArg::All => WipeMode::All,
            WipeArg::System => WipeMode::SystemDisk,
            WipeArg::User => WipeMode::UserDisks,
        },
    };
    let known = Known {
        nodes: &loaded.all,
        facts: &loaded.project.facts,
    };
    let printer = Printer::new(1, loaded.secrets.clone());
    let waits = Waits {
        timeout: args.wait_timeout,
        ..Waits::default()
    };
    let status = node_conn::runtime().block_on(rollout::reset::reset(
        &clients,
        node,
        known,
        &req,
        waits,
        &printer.progress(),
    ));
    printer.finish();
    if let NodeStatus::Failed(m) = &status {
        report::error(m);
    }
    lifecycle::summary(&nodes, &[status], &loaded.secrets)
}

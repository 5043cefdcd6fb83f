//! `machinist apply`: parses the flags, runs [`machinist::rollout::apply`] and prints. The rollout
//! reads every node first (at its own address), installs nodes in maintenance mode, refuses when
//! the machine at an address is not the node it should be (identity guard) and skips unchanged
//! nodes; control planes go one at a time and must answer over mutual TLS again before the next;
//! workers go `--parallel` at a time. The summary lists done, unchanged, failed and not started
//! nodes. Exit 0 when nothing failed, else 1.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use machinist::rollout::apply::ApplyOptions;
use machinist::rollout::identity::Known;
use machinist::rollout::{self, Waits};
use machinist_talos::ApplyMode;

use super::lifecycle::{self, Printer};
use super::node_conn::{self, ConnArgs, duration};
use super::values_args::ValuesArgs;

/// `--mode` values (talosctl's spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ModeArg {
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
pub(super) struct ApplyArgs {
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
    /// Every node must be in maintenance mode (first install); refused for configured nodes.
    /// Not needed: nodes in maintenance mode are detected and installed anyway.
    #[arg(long)]
    pub insecure: bool,
    /// The SPKI fingerprint a node's maintenance-mode certificate must have.
    #[arg(long, value_name = "FP")]
    pub cert_fingerprint: Option<String>,
    /// How many workers to apply at once (control planes always go one at a time).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub parallel: usize,
    /// How long to wait for a node to answer again after applying (or rebooting).
    #[arg(long, value_name = "D", default_value = "10m", value_parser = duration)]
    pub wait_timeout: Duration,
    #[command(flatten)]
    pub values: ValuesArgs,
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// Runs `machinist apply`.
pub(super) fn run(args: ApplyArgs) -> u8 {
    let (loaded, clients) = match lifecycle::prepare(
        &args.dir,
        &args.values,
        &args.nodes,
        &args.conn,
        args.cert_fingerprint.clone(),
    ) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let nodes = loaded.selected(&args.nodes);
    let opts = ApplyOptions {
        mode: args.mode.mode(),
        try_timeout: args.try_timeout,
        dry_run: args.dry_run,
        insecure: args.insecure,
        parallel: args.parallel,
        waits: Waits {
            timeout: args.wait_timeout,
            ..Waits::default()
        },
    };
    let printer = Printer::new(nodes.len(), loaded.secrets.clone());
    let known = Known {
        nodes: &loaded.all,
        facts: &loaded.project.facts,
    };
    let statuses = node_conn::runtime().block_on(rollout::apply::apply(
        &clients,
        &nodes,
        known,
        &opts,
        &printer.progress(),
    ));
    printer.finish();
    for s in &statuses {
        if let rollout::NodeStatus::Failed(m) = s {
            printer.line(&format!("error: {m}"));
        }
    }
    lifecycle::summary(&nodes, &statuses, &loaded.secrets)
}

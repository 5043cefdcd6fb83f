//! `machinist up`: from nodes booted into maintenance mode to a running cluster in one command.
//! Parses flags, then: pre-flight (every node at its own address; nodes in maintenance mode are
//! detected, no `--insecure` needed), facts recorded for nodes about to be installed, installs
//! and updates (control planes one at a time), the etcd bootstrap (Chart.yaml `bootstrap:`, else
//! the first control plane by name), a wait until the cluster is healthy, and the kubeconfig.
//! Idempotent: on a running cluster it changes nothing and says so. Exit 0 when the cluster is
//! up, 1 otherwise.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use machinist::rollout::apply::ApplyOptions;
use machinist::rollout::identity::Known;
use machinist::rollout::up::{self, UpTargets};
use machinist::rollout::{Waits, cluster};

use super::lifecycle::{self, Printer};
use super::node_conn::{self, ConnArgs, duration};
use super::report;
use super::values_args::ValuesArgs;

/// Install, bootstrap and check the whole cluster.
#[derive(Debug, Args)]
pub(super) struct UpArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// How many workers to install or update at once (control planes go one at a time).
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub parallel: usize,
    /// How long to wait for a node (or the cluster) at each step.
    #[arg(long, value_name = "D", default_value = "10m", value_parser = duration)]
    pub wait_timeout: Duration,
    /// Where to write the kubeconfig (default: DIR/kubeconfig; never overwritten).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    #[command(flatten)]
    pub values: ValuesArgs,
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// Runs `machinist up`.
pub(super) fn run(args: UpArgs) -> u8 {
    let (loaded, clients) = match lifecycle::prepare(&args.dir, &args.values, &[], &args.conn, None)
    {
        Ok(x) => x,
        Err(code) => return code,
    };
    let nodes = loaded.all.clone();
    let boot = match cluster::bootstrap_node(
        &nodes,
        loaded.project.chart.bootstrap.as_deref(),
        "Chart.yaml `bootstrap:`",
    ) {
        Ok(n) => n.clone(),
        Err(e) => {
            report::error(&e);
            return 1;
        }
    };
    let waits = Waits {
        timeout: args.wait_timeout,
        ..Waits::default()
    };
    let opts = ApplyOptions {
        parallel: args.parallel,
        waits,
        ..ApplyOptions::default()
    };
    let printer = Printer::new(nodes.len(), loaded.secrets.clone());
    let known = Known {
        nodes: &loaded.all,
        facts: &loaded.project.facts,
    };
    let kube_path = args
        .kubeconfig
        .clone()
        .unwrap_or_else(|| args.dir.join("kubeconfig"));
    let targets = UpTargets {
        root: &loaded.project.root,
        bootstrap: &boot,
        kubeconfig: &kube_path,
    };
    let report = node_conn::runtime().block_on(up::up(
        &clients,
        &nodes,
        known,
        targets,
        &opts,
        &printer.progress(),
    ));
    printer.finish();
    for (node, written) in &report.facts {
        match written {
            Ok(p) => printer.line(&format!("{node}: recorded {}", p.display())),
            Err(e) => printer.line(&format!("{node}: warning: facts not recorded: {e}")),
        }
    }
    if report.statuses.is_empty() {
        report::error(report.error.as_deref().unwrap_or("nothing to do"));
        return 1;
    }
    let code = lifecycle::summary(&nodes, &report.statuses, &loaded.secrets);
    if code != 0 {
        return code;
    }
    if report.bootstrapped {
        println!("bootstrapped etcd on {}", boot.name);
    }
    if let Some(p) = &report.kubeconfig {
        println!("wrote {} (0600; keep it out of git)", p.display());
    }
    if let Some(e) = &report.error {
        report::error(e);
        return 1;
    }
    if !report.changed && !report.bootstrapped && report.kubeconfig.is_none() {
        println!("the cluster is up and as the project says: nothing changed");
    } else {
        println!("the cluster is up: {} nodes healthy", nodes.len());
    }
    0
}

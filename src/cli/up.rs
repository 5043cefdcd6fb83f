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
use machinist::rollout::apply::{self, ApplyOptions, Plan};
use machinist::rollout::identity::Known;
use machinist::rollout::{self, NodeStatus, Waits, cluster, facts, kubeconfig, target};
use machinist_talos::BootstrapOutcome;

use super::lifecycle::{self, Printer};
use super::node_conn::{self, ConnArgs, duration};
use super::values_args::ValuesArgs;

/// Install, bootstrap and check the whole cluster.
#[derive(Debug, Args)]
pub struct UpArgs {
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
pub fn run(args: UpArgs) -> u8 {
    let loaded = match lifecycle::load(&args.dir, &args.values, &[]) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let clients = match lifecycle::clients(&args.dir, &args.conn, None) {
        Ok(c) => c,
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
            super::report::error(&e);
            return 1;
        }
    };
    let Some(secure) = clients.secure.clone() else {
        super::report::error(&format!(
            "no talosconfig in {}: run `machinist talosconfig {}` first (installed nodes only answer with its client certificate)",
            args.dir.display(),
            args.dir.display()
        ));
        return 1;
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
    let progress = printer.progress();
    let known = Known {
        nodes: &loaded.all,
        facts: &loaded.project.facts,
    };
    let kube_path = args
        .kubeconfig
        .clone()
        .unwrap_or_else(|| args.dir.join("kubeconfig"));
    let rt = node_conn::runtime();
    let code = rt.block_on(async {
        let plans = match apply::preflight(&clients, &nodes, known, &opts).await {
            Ok(p) => p,
            Err(statuses) => {
                printer.finish();
                return lifecycle::summary(&nodes, &statuses, &loaded.secrets);
            }
        };
        // Facts of the nodes about to be installed (their discovery is served in maintenance).
        for (n, _) in nodes
            .iter()
            .zip(&plans)
            .filter(|(_, p)| **p == Plan::Install)
        {
            if facts::path(&loaded.project.root, &n.name).exists() {
                continue;
            }
            rollout::step(&progress, &n.name, "recording facts");
            match facts::discover(&clients.insecure, &target(n)).await {
                Ok(f) => match facts::write(&loaded.project.root, &n.name, &f) {
                    Ok(p) => printer.line(&format!("{}: recorded {}", n.name, p.display())),
                    Err(e) => {
                        printer.line(&format!("{}: warning: facts not recorded: {e}", n.name))
                    }
                },
                Err(e) => printer.line(&format!("{}: warning: facts not recorded: {e}", n.name)),
            }
        }
        let changed = plans.iter().any(|p| *p != Plan::Unchanged);
        let statuses = apply::execute(&clients, &nodes, &plans, &opts, &progress).await;
        if statuses.iter().any(NodeStatus::is_failure) {
            printer.finish();
            return lifecycle::summary(&nodes, &statuses, &loaded.secrets);
        }
        rollout::step(&progress, &boot.name, "bootstrapping etcd");
        let bootstrapped = match cluster::bootstrap(&secure, &boot, waits).await {
            Ok(BootstrapOutcome::Bootstrapped) => true,
            Ok(BootstrapOutcome::AlreadyBootstrapped) => false,
            Err(e) => {
                printer.finish();
                super::report::error(&format!("{e} (bootstrap node {})", boot.name));
                return 1;
            }
        };
        if let Err(e) = cluster::wait_healthy(&secure, &nodes, waits, &progress).await {
            printer.finish();
            super::report::error(&e);
            return 1;
        }
        let mut wrote_kubeconfig = false;
        if !kube_path.exists() {
            rollout::step(&progress, &boot.name, "fetching the kubeconfig");
            match kubeconfig::fetch(&secure, &nodes).await {
                Ok(bytes) => {
                    if let Err(e) = machinist::fsutil::write_atomic(&kube_path, &bytes, Some(0o600))
                    {
                        printer.finish();
                        super::report::error(&format!("{}: {e}", kube_path.display()));
                        return 1;
                    }
                    wrote_kubeconfig = true;
                }
                Err(e) => {
                    printer.finish();
                    super::report::error(&e);
                    return 1;
                }
            }
        }
        printer.finish();
        let code = lifecycle::summary(&nodes, &statuses, &loaded.secrets);
        if bootstrapped {
            println!("bootstrapped etcd on {}", boot.name);
        }
        if wrote_kubeconfig {
            println!("wrote {} (0600; keep it out of git)", kube_path.display());
        }
        if !changed && !bootstrapped && !wrote_kubeconfig {
            println!("the cluster is up and as the project says: nothing changed");
        } else {
            println!("the cluster is up: {} nodes healthy", nodes.len());
        }
        code
    });
    code
}

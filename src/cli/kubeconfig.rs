//! `machinist kubeconfig`: fetches the admin kubeconfig from a control plane and writes it 0600
//! (default `DIR/kubeconfig`, which init's .gitignore keeps out of git), or merges it into an
//! existing kubeconfig keeping the other contexts (`--merge FILE`). Exit 0, or 1.

use std::path::PathBuf;

use clap::Args;
use machinist::fsutil;
use machinist::rollout::kubeconfig;

use super::lifecycle;
use super::node_conn::{self, ConnArgs};
use super::report;
use super::values_args::ValuesArgs;

/// Fetch the cluster's admin kubeconfig.
#[derive(Debug, Args)]
pub(super) struct KubeconfigArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Write it here (default: DIR/kubeconfig).
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        conflicts_with = "merge"
    )]
    pub output: Option<PathBuf>,
    /// Merge it into this kubeconfig, keeping its other clusters, users and contexts.
    #[arg(long, value_name = "FILE")]
    pub merge: Option<PathBuf>,
    #[command(flatten)]
    pub values: ValuesArgs,
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// Runs `machinist kubeconfig`.
pub(super) fn run(args: KubeconfigArgs) -> u8 {
    let (loaded, clients) = match lifecycle::prepare(&args.dir, &args.values, &[], &args.conn, None)
    {
        Ok(x) => x,
        Err(code) => return code,
    };
    let Some(secure) = clients.secure else {
        report::error("no talosconfig: run `machinist talosconfig DIR` first");
        return 1;
    };
    let bytes = match node_conn::runtime().block_on(kubeconfig::fetch(&secure, &loaded.all)) {
        Ok(b) => b,
        Err(e) => {
            report::error(&e);
            return 1;
        }
    };
    let (path, data) = match &args.merge {
        Some(path) => {
            let existing = std::fs::read_to_string(path).unwrap_or_default();
            let new = String::from_utf8_lossy(&bytes);
            match kubeconfig::merge(&existing, &new) {
                Ok(m) => (path.clone(), m.into_bytes()),
                Err(e) => {
                    report::error(&format!("{}: {e}", path.display()));
                    return 1;
                }
            }
        }
        None => (
            args.output
                .clone()
                .unwrap_or_else(|| args.dir.join("kubeconfig")),
            bytes,
        ),
    };
    if let Err(e) = fsutil::write_atomic(&path, &data, Some(0o600)) {
        report::error(&format!("{}: {e}", path.display()));
        return 1;
    }
    println!(
        "{} {} (0600)",
        if args.merge.is_some() {
            "merged into"
        } else {
            "wrote"
        },
        path.display()
    );
    0
}

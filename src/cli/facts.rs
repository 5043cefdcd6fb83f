//! `machinist facts`: records each node's discovery (SMBIOS uuid, serial, disks, links with MACs)
//! into `facts/<node>.yaml` — committed, secret-free, read by templates as `node.facts` and by the
//! identity guard. Works in maintenance mode and on configured nodes. Exit 0, or 1 naming the
//! node that could not be read (the others are still written).

use std::path::PathBuf;

use clap::Args;
use machinist::rollout::probe::{self, NodeState};
use machinist::rollout::{facts, target};

use super::lifecycle;
use super::node_conn::{self, ConnArgs};
use super::report;
use super::values_args::ValuesArgs;

/// Record the nodes' hardware into facts/.
#[derive(Debug, Args)]
pub(super) struct FactsArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Only this node (repeatable).
    #[arg(long = "node", value_name = "NAME")]
    pub nodes: Vec<String>,
    #[command(flatten)]
    pub values: ValuesArgs,
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// Runs `machinist facts`.
pub(super) fn run(args: FactsArgs) -> u8 {
    let (loaded, clients) =
        match lifecycle::prepare(&args.dir, &args.values, &args.nodes, &args.conn, None) {
            Ok(x) => x,
            Err(code) => return code,
        };
    let nodes = loaded.selected(&args.nodes);
    let root = loaded.project.root.clone();
    let mut code = 0;
    node_conn::runtime().block_on(async {
        for n in &nodes {
            let t = target(n);
            let api = match probe::probe(&clients, &t).await {
                NodeState::Configured(_) => clients.secure.clone().expect("answered mTLS"),
                NodeState::Maintenance(_) => clients.insecure.clone(),
                NodeState::Unreachable(e) => {
                    report::error(&e.to_string());
                    code = 1;
                    continue;
                }
            };
            match facts::discover(&api, &t)
                .await
                .and_then(|f| facts::write(&root, &n.name, &f).map(|p| (p, f)))
            {
                Ok((p, f)) => println!(
                    "{}: wrote {} (uuid {}, {} disks, {} links)",
                    n.name,
                    p.strip_prefix(&root).unwrap_or(&p).display(),
                    f.system.uuid,
                    f.disks.len(),
                    f.links.len()
                ),
                Err(e) => {
                    report::error(&format!("node {}: {e}", n.name));
                    code = 1;
                }
            }
        }
    });
    code
}

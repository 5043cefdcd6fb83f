//! Rollouts: the plan and execution of `apply`, `upgrade`, `reset`, `bootstrap` and `up`, written
//! against the [`NodeApi`] seam so they run the same on real nodes, on `machinist-sim` and on test
//! fakes. In: rendered nodes (with their typed [`Role`]), the recorded facts, node API clients
//! and options. Out: typed per-node outcomes ([`NodeStatus`]) and progress [`Event`]s sent to a
//! callback; nothing here prints.
//!
//! Rules every rollout keeps:
//! - a node is dialled at its own address; nothing is checked through another node, so a node
//!   still in maintenance mode is never on the path to a configured one;
//! - before anything is sent, the node at each address must be the node the project says
//!   ([`identity`]); a refusal that concerns the plan stops every node;
//! - control planes go one at a time, each waited for before the next; workers `--parallel` at a
//!   time after them; a failure stops the rollout and the rest is reported "not started".

pub mod apply;
pub mod cluster;
pub mod facts;
pub mod identity;
pub mod kubeconfig;
pub mod probe;
pub mod reset;
pub mod status;
pub mod up;
pub mod upgrade;

#[cfg(test)]
mod fake;

use std::sync::Arc;
use std::time::Duration;

use machinist_talos::{NodeApi, NodeTarget};

use crate::render::{RenderedNode, Role};

/// A node API client shared between tasks.
pub type Api = Arc<dyn NodeApi>;

/// The clients a rollout uses.
#[derive(Clone)]
pub struct Clients {
    /// Mutual TLS from the talosconfig, dialling each node at its own address. `None` when the
    /// project has no talosconfig yet.
    pub secure: Option<Api>,
    /// The same credentials without retries, for the loops that watch a node go down and come
    /// back (a retrying client would hide a short reboot). `None` when `secure` is.
    pub watch: Option<Api>,
    /// Maintenance mode (no client certificate), dialling each node at its own address.
    pub insecure: Api,
}

/// What happened to one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeStatus {
    /// The node was changed (or, for dry runs, would be); the text says how.
    Done(String),
    /// Nothing to do.
    Unchanged(String),
    /// The node failed or was refused; the text names the node and the fix.
    Failed(String),
    /// Not tried because of another node; the text says why.
    NotStarted(String),
}

impl NodeStatus {
    /// Whether the status counts as a failure of the command (failed or not started).
    pub fn is_failure(&self) -> bool {
        matches!(self, NodeStatus::Failed(_) | NodeStatus::NotStarted(_))
    }
}

/// A progress event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The node is now doing / waiting for this.
    Step {
        /// Node name.
        node: String,
        /// What it waits for.
        what: String,
    },
    /// A line worth keeping (warnings, what a node answered).
    Note {
        /// Node name.
        node: String,
        /// The text.
        text: String,
    },
    /// The node is finished with (its status is final).
    Finished {
        /// Node name.
        node: String,
    },
}

/// Where progress goes.
pub type Progress = Arc<dyn Fn(Event) + Send + Sync>;

/// A progress sink that drops everything.
pub fn quiet() -> Progress {
    Arc::new(|_| {})
}

/// Sends a step event.
pub fn step(p: &Progress, node: &str, what: impl Into<String>) {
    p(Event::Step {
        node: node.to_string(),
        what: what.into(),
    });
}

/// Sends a note event.
pub fn note(p: &Progress, node: &str, text: impl Into<String>) {
    p(Event::Note {
        node: node.to_string(),
        text: text.into(),
    });
}

/// How long to wait for nodes and how often to ask.
#[derive(Debug, Clone, Copy)]
pub struct Waits {
    /// How long a node may take to answer again after applying, upgrading or resetting.
    pub timeout: Duration,
    /// The pause between two polls.
    pub poll: Duration,
}

impl Default for Waits {
    fn default() -> Self {
        Waits {
            timeout: Duration::from_secs(600),
            poll: Duration::from_millis(200),
        }
    }
}

/// The API target of a rendered node.
pub fn target(n: &RenderedNode) -> NodeTarget {
    NodeTarget {
        name: n.name.clone(),
        address: n.address.clone(),
    }
}

/// Indices of `nodes` in rollout order: control planes (by position) then workers.
pub fn rollout_order(nodes: &[RenderedNode]) -> Vec<usize> {
    let cps = (0..nodes.len()).filter(|&i| nodes[i].role == Role::ControlPlane);
    let workers = (0..nodes.len()).filter(|&i| nodes[i].role == Role::Worker);
    cps.chain(workers).collect()
}

/// Runs `work` for the nodes in `order` whose status is still open: each control plane alone,
/// workers `parallel` at a time. Stops at the first failure; every node left open is reported
/// "not started". `work` returns the node's final status.
pub async fn run_in_order<F, Fut>(
    nodes: &[RenderedNode],
    statuses: &mut [Option<NodeStatus>],
    parallel: usize,
    work: F,
) where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = NodeStatus> + Send + 'static,
{
    let order: Vec<usize> = rollout_order(nodes)
        .into_iter()
        .filter(|&i| statuses[i].is_none())
        .collect();
    let mut cursor = 0;
    while cursor < order.len() {
        let first = order[cursor];
        let batch: Vec<usize> = if nodes[first].role.is_control_plane() {
            vec![first]
        } else {
            order[cursor..]
                .iter()
                .copied()
                .take(parallel.max(1))
                .collect()
        };
        cursor += batch.len();
        let tasks: Vec<_> = batch.iter().map(|&i| tokio::spawn(work(i))).collect();
        let mut failed = false;
        for (&i, t) in batch.iter().zip(tasks) {
            let s = t
                .await
                .unwrap_or_else(|e| NodeStatus::Failed(format!("internal error: {e}")));
            failed |= matches!(s, NodeStatus::Failed(_));
            statuses[i] = Some(s);
        }
        if failed {
            close(statuses, "the rollout stopped after a failure");
            return;
        }
    }
}

/// Marks every open status "not started" with `why`.
pub fn close(statuses: &mut [Option<NodeStatus>], why: &str) {
    for s in statuses.iter_mut().filter(|s| s.is_none()) {
        *s = Some(NodeStatus::NotStarted(why.to_string()));
    }
}

/// The final statuses (open ones read "not started").
pub fn finish(mut statuses: Vec<Option<NodeStatus>>) -> Vec<NodeStatus> {
    close(&mut statuses, "not started");
    statuses.into_iter().map(|s| s.expect("closed")).collect()
}

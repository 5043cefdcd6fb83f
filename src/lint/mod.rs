//! `machinist lint`'s rules as a library. In: the rendered nodes of a project (and the project).
//! Out: [`Diagnostic`]s — the cluster-wide findings of DESIGN §3 ([`cluster`], one function per
//! rule, each failing a lint run) and the warnings ([`warnings`]: deprecated fields, Talos's own
//! warnings, layer values no template reads). The CLI only prints them.

pub mod cluster;
pub mod facts;
pub mod warnings;

pub use facts::{NodeFacts, facts};
pub use warnings::{deprecation_warnings, unused_layer_values};

use crate::diagnostics::Diagnostic;
use crate::render::RenderedNode;

/// Every cluster-wide finding for `nodes`, sorted by message.
pub fn cluster_findings(nodes: &[RenderedNode]) -> Vec<Diagnostic> {
    let all: Vec<NodeFacts> = nodes.iter().map(facts).collect();
    cluster::check(&all)
}

pub use crate::address::host as endpoint_host;

//! Patch stage. In: a node's rendered documents. Out: the documents with the Talos patches of the
//! node's layers, its node file and `-p` flags applied, in that order.
//!
//! Filled in by the patch work (issue 6); until then documents pass through unchanged.

use serde_yaml_ng::Value;

use super::NodeCtx;
use crate::diagnostics::Diagnostic;

/// Applies the node's patches.
pub fn apply(ctx: &NodeCtx<'_>, docs: Vec<Value>) -> Result<Vec<Value>, Vec<Diagnostic>> {
    let _ = ctx;
    Ok(docs)
}

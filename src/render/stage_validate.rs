//! Validation stage. In: a node's final documents. Out: findings against the machine-config schema
//! of the project's contract, each naming the node, document, path, value and — when the value came
//! from values — the file and line that set it.
//!
//! Filled in by the schema work (issue 3); until then nothing is reported.

use serde_yaml_ng::Value;

use super::NodeCtx;
use crate::diagnostics::Diagnostic;

/// Validates one node's documents.
pub fn validate(ctx: &NodeCtx<'_>, docs: &[Value]) -> Vec<Diagnostic> {
    let _ = (ctx, docs);
    Vec::new()
}

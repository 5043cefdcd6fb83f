//! Secrets stage. In: a node's patched documents and, once per run, the project's secrets
//! settings. Out: the documents with every secret placed where Talos expects it — real values with
//! `--with-secrets`, `<redacted>` otherwise.
//!
//! Filled in by the secrets work (issue 4); until then documents pass through unchanged.

use serde_yaml_ng::Value;

use super::NodeCtx;
use crate::diagnostics::Diagnostic;
use crate::project::Project;

/// What the stage needs for every node, loaded once per run (the decrypted bundle, when asked).
#[derive(Debug, Default)]
pub struct Prepared;

/// Loads what the stage needs once per run.
pub fn prepare(project: &Project, with_secrets: bool) -> Result<Prepared, Diagnostic> {
    let _ = (project, with_secrets);
    Ok(Prepared)
}

/// Injects (or redacts) secrets into one node's documents.
pub fn inject(
    ctx: &NodeCtx<'_>,
    prepared: &Prepared,
    docs: &mut Vec<Value>,
) -> Result<(), Vec<Diagnostic>> {
    let _ = (ctx, prepared, docs);
    Ok(())
}

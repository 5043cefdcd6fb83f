//! Secrets stage. In: a node's patched documents and, once per run, the project's secrets
//! settings. Out: the documents with every secret placed where `talosctl gen config` puts it for
//! the project's contract and the node's role — real values with `--with-secrets` (the bundle is
//! decrypted once, with the user's age identity), `<redacted>` otherwise (no key needed).

use machinist_secrets::inject::{self, Role};
use machinist_secrets::{Bundle, IdentityEnv};
use serde_yaml_ng::Value;

use super::NodeCtx;
use crate::diagnostics::{Diagnostic, Kind};
use crate::project::Project;

/// What the stage needs for every node, loaded once per run: the decrypted bundle, when asked.
#[derive(Debug, Default)]
pub struct Prepared {
    bundle: Option<Bundle>,
}

/// Loads what the stage needs once per run. With `with_secrets`, a missing or undecryptable bundle
/// is an error naming the file and the fix; nothing is ever generated in its place.
pub fn prepare(project: &Project, with_secrets: bool) -> Result<Prepared, Diagnostic> {
    if !with_secrets {
        return Ok(Prepared { bundle: None });
    }
    let path = project.root.join(&project.chart.secrets.file);
    let bundle = machinist_secrets::load_bundle(&path, &IdentityEnv::from_process())
        .map_err(|e| Diagnostic::new(Kind::Secrets, e.to_string()))?;
    Ok(Prepared {
        bundle: Some(bundle),
    })
}

/// Injects (or redacts) secrets into one node's documents.
pub fn inject(
    ctx: &NodeCtx<'_>,
    prepared: &Prepared,
    docs: &mut Vec<Value>,
) -> Result<(), Vec<Diagnostic>> {
    let Some(role) = Role::of_documents(docs) else {
        return Err(vec![
            Diagnostic::new(
                Kind::Secrets,
                format!(
                    "cannot tell whether node `{}` is a control plane or a worker, so its secrets have no place",
                    ctx.node.name
                ),
            )
            .for_node(&ctx.node.name)
            .hint("set `machine.type` (controlplane or worker) in the node's v1alpha1 document"),
        ]);
    };
    let contract = ctx.project.chart.contract;
    match &prepared.bundle {
        Some(bundle) => inject::inject(contract, role, docs, bundle),
        None => inject::inject_redacted(contract, role, docs),
    }
    Ok(())
}

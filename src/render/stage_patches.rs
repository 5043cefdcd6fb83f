//! Patch stage. In: a node's rendered documents. Out: the documents with the Talos patches of the
//! node's layers (in Chart.yaml `layers` order), its node file and the `-p` flags applied, in that
//! order, by the `machinist-patch` crate (Talos strategic merge or JSON 6902). Each patch is first
//! checked as strictly as Talos's `LoadPatch` loads it ([`check_strictly`]): unknown keys,
//! documents without `apiVersion`/`kind` and files that are not Talos documents are errors.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use machinist_model::Contract;
use machinist_model::schema::{validate_json_documents, yaml_to_json};
use machinist_patch::{Patch, PatchBody, without_extensions};
use serde_yaml_ng::Value;

use super::NodeCtx;
use crate::diagnostics::{Diagnostic, Kind};
use crate::project::{NodeFile, Project};

/// One patch that applies to a node: how it is shown (relative to the project for project
/// patches, as given for `-p`), where it is read from, and who attached it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodePatch {
    /// The name errors and `explain` use.
    pub shown: String,
    /// The file to read.
    pub path: PathBuf,
    /// `layers/<facet>/<value>.yaml`, `nodes/<node>.yaml` or `-p`.
    pub attached_by: String,
    /// For a project patch, the project directory it must stay inside (after symlinks).
    pub confined_to: Option<PathBuf>,
}

/// The patches of one node, in the order they apply: each layer's `patches:` in layer order,
/// then the node file's, then `extra` (the `-p` files).
pub fn node_patches(
    project: &Project,
    node: &NodeFile,
    layers: &[(String, String)],
    extra: &[PathBuf],
) -> Vec<NodePatch> {
    let mut out = Vec::new();
    let project_patch = |rel: &str, by: String| NodePatch {
        shown: rel.to_string(),
        path: project.root.join(rel),
        attached_by: by,
        confined_to: Some(project.root.clone()),
    };
    for key in layers {
        if let Some(layer) = project.layers.get(key) {
            for p in &layer.patches {
                out.push(project_patch(p, format!("layers/{}/{}.yaml", key.0, key.1)));
            }
        }
    }
    for p in &node.patches {
        out.push(project_patch(p, format!("nodes/{}.yaml", node.name)));
    }
    for p in extra {
        out.push(NodePatch {
            shown: p.display().to_string(),
            path: p.clone(),
            attached_by: "-p".to_string(),
            confined_to: None,
        });
    }
    out
}

/// Patch files read and parsed once per run, shared by every node that lists them (a fleet's
/// layer patches would otherwise be read and parsed again for every node).
#[derive(Default)]
pub struct Cache {
    parsed: Mutex<HashMap<PathBuf, Result<Arc<Patch>, Diagnostic>>>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stage_patches::Cache")
    }
}

impl Cache {
    fn load(&self, p: &NodePatch, contract: Contract) -> Result<Arc<Patch>, Diagnostic> {
        let mut parsed = self
            .parsed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = parsed
            .entry(p.path.clone())
            .or_insert_with(|| read(p, contract).map(Arc::new));
        entry
            .clone()
            .map_err(|d| d.note(format!("listed in {}", p.attached_by)))
    }
}

fn read(p: &NodePatch, contract: Contract) -> Result<Patch, Diagnostic> {
    let text = match &p.confined_to {
        Some(root) => crate::project::inside::read(root, std::path::Path::new(&p.shown)).map_err(
            |e| match e {
                crate::project::inside::OutsideError::Io { source, .. } => Diagnostic::new(
                    Kind::Patch,
                    format!("cannot read patch `{}`: {source}", p.shown),
                )
                .hint("check the path; project patches are relative to the project directory"),
                e => Diagnostic::new(Kind::Patch, e.to_string())
                    .hint("project patches must be inside the project; pass others with `-p FILE`"),
            },
        )?,
        None => crate::fsutil::read_input(&p.path).map_err(|e| {
            Diagnostic::new(Kind::Patch, format!("cannot read patch `{}`: {e}", p.shown))
        })?,
    };
    let patch =
        Patch::parse(&p.shown, &text).map_err(|e| Diagnostic::new(Kind::Patch, e.to_string()))?;
    check_strictly(&patch, contract).map_err(|d| match first_strict_problem(&patch, contract) {
        Some((doc, pointer)) => match locate(&text, doc, &pointer) {
            Some(pos) => d.at(&p.shown, pos, Some(Arc::from(text.as_str()))),
            None => d,
        },
        None => d,
    })?;
    Ok(patch)
}

/// The document and JSON pointer of the first schema finding of a strategic patch.
fn first_strict_problem(patch: &Patch, contract: Contract) -> Option<(usize, String)> {
    let PatchBody::Strategic(docs) = &patch.body else {
        return None;
    };
    let json: Vec<serde_json::Value> = docs
        .iter()
        .map(|d| yaml_to_json(&without_extensions(d)))
        .collect();
    validate_json_documents(contract, &json, true)
        .into_iter()
        .next()
        .map(|f| (f.document, f.pointer))
}

/// Where `pointer` (a JSON pointer) sits in document `doc` of `text`: the key's position for a map
/// entry, the item's for a list element; the deepest part that exists.
fn locate(text: &str, doc: usize, pointer: &str) -> Option<crate::yaml::Pos> {
    let docs = crate::yaml::parse_documents(text).ok()?;
    let mut node = docs.get(doc)?;
    let mut pos = node.pos;
    for seg in pointer.split('/').skip(1) {
        let seg = machinist_patch::pointer::unescape(seg);
        match &node.kind {
            crate::yaml::Kind::Map(entries) => {
                let (_, kpos, v) = entries.iter().find(|(k, _, _)| *k == seg)?;
                pos = *kpos;
                node = v;
            }
            crate::yaml::Kind::Seq(items) => {
                node = items.get(seg.parse::<usize>().ok()?)?;
                pos = node.pos;
            }
            _ => break,
        }
    }
    Some(pos)
}

/// Checks a strategic patch the way Talos's `LoadPatch` decodes it (strictly, against
/// `contract`): every document needs `apiVersion` and `kind` or must be the v1alpha1 one, and
/// every key must exist. machinist's own list directives are allowed. JSON 6902 patches are
/// checked when they apply.
pub fn check_strictly(patch: &Patch, contract: Contract) -> Result<(), Diagnostic> {
    let PatchBody::Strategic(docs) = &patch.body else {
        return Ok(());
    };
    let json: Vec<serde_json::Value> = docs
        .iter()
        .map(|d| yaml_to_json(&without_extensions(d)))
        .collect();
    let mut problems: Vec<(String, Option<String>)> =
        validate_json_documents(contract, &json, true)
            .into_iter()
            .map(|f| (crate::render::stage_validate::finding_message(&f), f.hint))
            .collect();
    for (i, d) in json.iter().enumerate() {
        let known = d
            .get("kind")
            .and_then(serde_json::Value::as_str)
            .is_some_and(|k| machinist_model::kinds::lookup(k).is_some());
        if known && d.get("apiVersion").is_none() {
            problems.push((
                format!("document {}: `kind` without `apiVersion`", i + 1),
                Some("add `apiVersion: v1alpha1`".into()),
            ));
        }
    }
    let Some((first, _)) = problems.first().cloned() else {
        return Ok(());
    };
    let hint = problems.iter().find_map(|(_, h)| h.clone());
    let mut d = Diagnostic::new(
        Kind::Patch,
        format!(
            "patch `{}` is not one Talos {contract} would load: {first}",
            patch.name
        ),
    );
    for (more, _) in &problems[1..] {
        d = d.note(more.clone());
    }
    if let Some(h) = hint {
        d = d.hint(h);
    }
    Err(d)
}

/// Applies the node's patches (each file read and parsed once per run, through `cache`).
pub fn apply(
    ctx: &NodeCtx<'_>,
    cache: &Cache,
    docs: Vec<Value>,
) -> Result<Vec<Value>, Vec<Diagnostic>> {
    let list = node_patches(
        ctx.project,
        ctx.node,
        &ctx.values.layers,
        &ctx.options.patch_files,
    );
    if list.is_empty() {
        return Ok(docs);
    }
    let mut patches = Vec::with_capacity(list.len());
    let mut errors = Vec::new();
    for p in &list {
        match cache.load(p, ctx.project.chart.contract) {
            Ok(patch) => patches.push(patch),
            Err(d) => errors.push(d.for_node(&ctx.node.name)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut docs = docs;
    for (patch, p) in patches.iter().zip(&list) {
        patch.apply(&mut docs).map_err(|e| {
            vec![
                Diagnostic::new(Kind::Patch, e.to_string())
                    .for_node(&ctx.node.name)
                    .note(format!("listed in {}", p.attached_by)),
            ]
        })?;
    }
    Ok(docs)
}

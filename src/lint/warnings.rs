//! The lint warnings: they are shown but never fail a run. In: rendered nodes and their contract,
//! or the loaded project. Out: one [`Diagnostic`] per deprecated field or Talos warning (grouped,
//! naming every node that sets it), and one per value a layer file sets that no template reads (a
//! typo in a layer key is otherwise silent).

use machinist_model::schema::yaml_to_json;
use machinist_model::{Contract, Mode, check_json_documents};
use serde_json::Value;

use crate::diagnostics::{Diagnostic, Kind};
use crate::project::Project;
use crate::render::RenderedNode;

/// Warnings for what Talos warns about and the deprecated fields the rendered configs set (the
/// same check `render` runs, so nothing Talos refuses is called accepted): one per field and
/// document, naming every node that sets it, in the order first seen.
pub fn deprecation_warnings(nodes: &[RenderedNode], contract: Contract) -> Vec<Diagnostic> {
    let mut groups: Vec<(String, Option<String>, Vec<&str>)> = Vec::new();
    for node in nodes {
        let docs: Vec<Value> = node.documents.iter().map(yaml_to_json).collect();
        for f in check_json_documents(contract, Mode::Metal, &docs, false).warnings {
            let what = if f.rule.is_some() {
                format!("{}: `{}`: {}", f.document_label(), f.path, f.message)
            } else {
                format!("{}: `{}` is {}", f.document_label(), f.path, f.message)
            };
            match groups.iter_mut().find(|(w, _, _)| *w == what) {
                Some((_, _, names)) => names.push(&node.name),
                None => groups.push((what, f.hint, vec![&node.name])),
            }
        }
    }
    groups
        .into_iter()
        .map(|(what, hint, names)| {
            let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            let mut d = Diagnostic::new(
                Kind::Deprecated,
                format!("{what} (nodes {})", list.join(", ")),
            );
            if let Some(h) = hint {
                d = d.hint(h);
            }
            d
        })
        .collect()
}

/// Whether the dotted `path` is read by one of `reads` (each a `values.` reference of a template,
/// without the prefix): one is a prefix of the other.
fn is_read(path: &[&str], reads: &[Vec<&str>]) -> bool {
    reads.iter().any(|r| {
        let n = r.len().min(path.len());
        r[..n] == path[..n]
    })
}

fn walk_unused<'a>(
    node: &'a crate::yaml::Node,
    path: &mut Vec<&'a str>,
    reads: &[Vec<&str>],
    layer: &crate::project::LayerFile,
    out: &mut Vec<Diagnostic>,
) {
    let crate::yaml::Kind::Map(entries) = &node.kind else {
        return;
    };
    for (key, pos, child) in entries {
        path.push(key.as_str());
        if !is_read(path, reads) {
            out.push(
                layer
                    .source
                    .error(
                        *pos,
                        format!(
                            "`values.{}` is set in layer `{}/{}` but no template reads it",
                            path.join("."),
                            layer.facet,
                            layer.value
                        ),
                    )
                    .hint("check the key's spelling against the templates' `values.` references"),
            );
        } else {
            walk_unused(child, path, reads, layer, out);
        }
        path.pop();
    }
}

/// Warnings for values set in layer files that no template reads. Templates that use `values`
/// as a whole (passed on or iterated) read everything; a template that does not parse is
/// render's business, and then nothing is reported.
pub fn unused_layer_values(project: &Project) -> Vec<Diagnostic> {
    let env = minijinja::Environment::new();
    let mut refs = std::collections::HashSet::new();
    for (name, text) in &project.templates {
        match env.template_from_named_str(name, text) {
            Ok(t) => refs.extend(t.undeclared_variables(true)),
            Err(_) => return Vec::new(),
        }
    }
    if refs.contains("values") {
        return Vec::new();
    }
    let reads: Vec<Vec<&str>> = refs
        .iter()
        .filter_map(|r| r.strip_prefix("values."))
        .map(|r| r.split('.').collect())
        .collect();
    let mut out = Vec::new();
    for layer in project.layers.values() {
        walk_unused(&layer.values, &mut Vec::new(), &reads, layer, &mut out);
    }
    for d in &mut out {
        d.kind = Kind::Warning;
    }
    out
}

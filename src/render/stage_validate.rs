//! Validation stage. In: a node's final documents. Out: findings against the machine-config schema
//! and Talos's semantic rules (metal mode) of the project's contract, each naming the node,
//! document, path, value and — when the value came from values — the file and line that set it; a
//! conflict also names the other document.

use machinist_model::check_errors;
use machinist_model::schema::{Finding, yaml_to_json};
use serde_json::Value as Json;
use serde_yaml_ng::Value;

use super::{NodeCtx, source_text};
use crate::diagnostics::{Diagnostic, Kind};
use crate::values;
use crate::yaml::{self, Kind as YKind, Node, Pos};

/// Validates one node's documents.
pub fn validate(ctx: &NodeCtx<'_>, docs: &[Value]) -> Vec<Diagnostic> {
    let json: Vec<Json> = docs.iter().map(yaml_to_json).collect();
    let findings = check_errors(ctx.project.chart.contract, ctx.options.mode, &json, false);
    if findings.is_empty() {
        return Vec::new();
    }
    // Provenance is only worth recording once something is wrong.
    let provenance = values::node_values(ctx.project, ctx.node, &ctx.options.overrides, true)
        .map(|v| v.provenance)
        .unwrap_or_default();
    findings
        .iter()
        .map(|f| {
            let value = json
                .get(f.document)
                .and_then(|d| d.pointer(&f.pointer))
                .filter(|v| traceable(v));
            to_diagnostic(ctx, f, value, &provenance)
        })
        .collect()
}

/// Values too common to trace back to one setting (a `true` could come from anywhere).
fn traceable(v: &Json) -> bool {
    match v {
        Json::Null | Json::Bool(_) => false,
        Json::Object(m) => !m.is_empty(),
        Json::Array(a) => !a.is_empty(),
        _ => true,
    }
}

/// `document `LinkConfig eth0`, `mtu`: expected integer, found string`.
pub fn finding_message(f: &Finding) -> String {
    let mut m = format!("document `{}`", f.document_label());
    if !f.path.is_empty() {
        m.push_str(&format!(", `{}`", f.path));
    }
    m.push_str(&format!(": {}", flag_message(&f.message)));
    if let Some(v) = &f.value
        && !f.message.contains("unknown key")
    {
        m.push_str(&format!(" (value {v})"));
    }
    if let Some(r) = &f.related {
        m.push_str(&format!("; the other place: document `{}`", r.label));
        if !r.path.is_empty() {
            m.push_str(&format!(", `{}`", r.path));
        }
    }
    m
}

/// The schema's message for a Talos boolean (`true`/`false` or a YAML 1.1 word) lists only the
/// words of its string branch; say `true or false` first.
fn flag_message(message: &str) -> std::borrow::Cow<'_, str> {
    const FLAG_WORDS: &str = r#"must be one of "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF""#;
    if message == FLAG_WORDS {
        "must be true or false (Talos also reads yes/no, on/off and y/n, in lower, title or upper case)".into()
    } else {
        message.into()
    }
}

fn to_diagnostic(
    ctx: &NodeCtx<'_>,
    f: &Finding,
    value: Option<&Json>,
    provenance: &values::Provenance,
) -> Diagnostic {
    let mut d = Diagnostic::new(Kind::Validation, finding_message(f)).for_node(&ctx.node.name);
    if let Some(h) = &f.hint {
        d = d.hint(h.clone());
    }
    // A patch that writes this very path is where it came from (the last such patch wins).
    if let Some((patch, pos, len, text)) = from_patch(ctx, f) {
        return d
            .at(&patch.shown, pos, Some(text))
            .with_len(len)
            .note(format!(
                "set by the patch {} (attached by {})",
                patch.shown, patch.attached_by
            ));
    }
    let setting = value.and_then(|v| provenance.find_by_value(v));
    match setting {
        Some(s) => {
            if let (Some(file), Some(pos)) = (&s.origin.file, s.origin.pos) {
                let text = source_text(ctx.project, file);
                d = d.at(file, pos, text).note(format!(
                    "the value was set by {} at `{}`",
                    s.origin.label,
                    values::display_path(&s.path)
                ));
            } else {
                d = d.note(format!("the value was set by {}", s.origin.label));
            }
        }
        None => {
            d = d.note(format!(
                "the value comes from the templates or patches of node `{}`",
                ctx.node.name
            ));
        }
    }
    d
}

/// The last of the node's patches (project patches, then `-p`) whose document for the finding's
/// kind holds the finding's path: the patch, where the key starts, its length and the file text.
fn from_patch(
    ctx: &NodeCtx<'_>,
    f: &Finding,
) -> Option<(
    super::stage_patches::NodePatch,
    Pos,
    usize,
    std::sync::Arc<str>,
)> {
    if f.pointer.is_empty() {
        return None;
    }
    let patches = super::stage_patches::node_patches(
        ctx.project,
        ctx.node,
        &ctx.values.layers,
        &ctx.options.patch_files,
    );
    for patch in patches.into_iter().rev() {
        let Ok(text) = std::fs::read_to_string(&patch.path) else {
            continue;
        };
        let Ok(docs) = yaml::parse_documents(&text) else {
            continue;
        };
        let found = docs.iter().find_map(|doc| {
            let kind = doc.get("kind").and_then(Node::as_str);
            let same_kind = match (kind, f.kind.as_deref()) {
                (None, Some("v1alpha1") | None) => true,
                (Some(k), Some(fk)) => k == fk,
                _ => false,
            };
            let same_name = match (&f.name, doc.get("name").and_then(Node::as_str)) {
                (Some(want), Some(got)) => want == got,
                _ => true,
            };
            (same_kind && same_name)
                .then(|| locate_key(doc, &f.pointer))
                .flatten()
        });
        if let Some((pos, len)) = found {
            return Some((patch, pos, len, std::sync::Arc::from(text)));
        }
    }
    None
}

/// Where the key (or list item) at JSON `pointer` starts in `doc`, when the whole path is there.
fn locate_key(doc: &Node, pointer: &str) -> Option<(Pos, usize)> {
    let mut node = doc;
    let mut at = None;
    for seg in pointer.split('/').skip(1) {
        let seg = machinist_patch::pointer::unescape(seg);
        match &node.kind {
            YKind::Map(entries) => {
                let (k, kpos, v) = entries.iter().find(|(k, _, _)| *k == seg)?;
                at = Some((*kpos, k.chars().count()));
                node = v;
            }
            YKind::Seq(items) => {
                let item = items.get(seg.parse::<usize>().ok()?)?;
                at = Some((item.pos, 1));
                node = item;
            }
            _ => return None,
        }
    }
    at
}

//! Validation stage. In: a node's final documents. Out: findings against the machine-config schema
//! and Talos's semantic rules (metal mode) of the project's contract, each naming the node,
//! document, path, value and — when the value came from values — the file and line that set it; a
//! conflict also names the other document.

use machinist_model::schema::{Finding, yaml_to_json};
use machinist_model::{Mode, check_errors};
use serde_json::Value as Json;
use serde_yaml_ng::Value;

use super::{NodeCtx, source_text};
use crate::diagnostics::{Diagnostic, Kind};
use crate::values;

/// Validates one node's documents.
pub fn validate(ctx: &NodeCtx<'_>, docs: &[Value]) -> Vec<Diagnostic> {
    let json: Vec<Json> = docs.iter().map(yaml_to_json).collect();
    let findings = check_errors(ctx.project.chart.contract, Mode::Metal, &json, false);
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
    m.push_str(&format!(": {}", f.message));
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

//! What a project must change to move to a newer contract. In: a loaded project and the target
//! contract. Out: a [`ProjectReport`]: every node rendered under the project's own contract, and per
//! field that the target contract deprecates or refuses, the template file and line that writes it
//! (found by following the field's path through the template text), the nodes concerned and the
//! document and field to use instead (from the mapping table). Nothing is rewritten.

use std::collections::BTreeMap;
use std::path::PathBuf;

use machinist_model::Contract;
use machinist_model::migrate::table::rows;
use machinist_model::migrate::value::related;
use machinist_model::migrate::{MigrateError, migrate};
use machinist_model::schema::{deprecated_fields, validate_json_documents, yaml_to_json};

use crate::diagnostics::Diagnostic;
use crate::project::Project;
use crate::render::{RenderOptions, render};

/// How the target contract treats a field the project writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Talos refuses the config under the target contract.
    Refused,
    /// Deprecated under the target; `machinist migrate config` moves it.
    Movable,
    /// Deprecated under the target, with no document to move to (or a group that cannot move).
    Stays,
}

/// One field the project writes that the target contract deprecates or refuses.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProjectFinding {
    /// How the target treats it.
    pub severity: Severity,
    /// The template (path relative to the project) and 1-based line that writes it, if found.
    pub at: Option<(PathBuf, usize)>,
    /// The document and dotted path in the rendered config.
    pub field: String,
    /// What to use instead, or why it stays.
    pub instead: String,
    /// The nodes whose rendered config has it.
    pub nodes: Vec<String>,
}

/// The report over a project.
#[derive(Debug, Clone)]
pub struct ProjectReport {
    /// The project's contract.
    pub from: Contract,
    /// The target.
    pub to: Contract,
    /// How many nodes were rendered.
    pub nodes: usize,
    /// The findings, refused first, then by template and line.
    pub findings: Vec<ProjectFinding>,
}

/// Why a project cannot be reported on.
#[derive(Debug)]
pub enum ProjectError {
    /// The target is older than the project's contract.
    Migrate(MigrateError),
    /// Rendering failed.
    Render(Vec<Diagnostic>),
}

/// Findings are grouped by how the target treats them, where, what and what instead.
type FindingKey = (Severity, Option<(PathBuf, usize)>, String, String);

/// Renders every node of `project` and reports what moving to `to` involves.
pub fn report(project: &Project, to: Contract) -> Result<ProjectReport, ProjectError> {
    let from = project.chart.contract;
    if to < from {
        return Err(ProjectError::Migrate(MigrateError::Backwards { from, to }));
    }
    let nodes = render(project, RenderOptions::default()).map_err(ProjectError::Render)?;
    let mut found: BTreeMap<FindingKey, Vec<String>> = BTreeMap::new();
    for node in &nodes {
        let templates: Vec<&str> = project
            .node(&node.name)
            .map(|n| project.selected_templates(n))
            .unwrap_or_default();
        let json: Vec<serde_json::Value> = node.documents.iter().map(yaml_to_json).collect();
        // Which deprecated fields a migration could move, and the named reasons for the rest.
        let stays: Vec<(String, String)> = match migrate(&node.documents, from, to, false) {
            Ok(m) => m
                .warnings
                .into_iter()
                .map(|w| (w.path, w.message))
                .collect(),
            Err(e) => vec![(String::new(), e.to_string())],
        };
        for f in validate_json_documents(to, &json, false) {
            let dotted = dotted(&f.pointer);
            let at = locate(project, &templates, &dotted);
            let what = format!("{} {}", f.document_label(), f.path);
            let instead = f.hint.clone().unwrap_or_else(|| f.message.clone());
            found
                .entry((Severity::Refused, at, what, instead))
                .or_default()
                .push(node.name.clone());
        }
        for f in deprecated_fields(to, &json) {
            let dotted = dotted(&f.pointer);
            let at = locate(project, &templates, &dotted);
            let stay = stays
                .iter()
                .find(|(p, _)| !p.is_empty() && related(&dotted, p));
            let (severity, instead) = match stay {
                Some((_, why)) => (Severity::Stays, why.clone()),
                None => (Severity::Movable, replacement(&dotted, f.hint.as_deref())),
            };
            let what = format!("{} {dotted}", f.document_label());
            found
                .entry((severity, at, what, instead))
                .or_default()
                .push(node.name.clone());
        }
    }
    let findings = found
        .into_iter()
        .map(|((severity, at, field, instead), nodes)| ProjectFinding {
            severity,
            at,
            field,
            instead,
            nodes,
        })
        .collect();
    Ok(ProjectReport {
        from,
        to,
        nodes: nodes.len(),
        findings,
    })
}

fn dotted(pointer: &str) -> String {
    pointer.trim_start_matches('/').replace('/', ".")
}

/// The documents and fields the mapping table names for a path (or its parent section).
fn replacement(path: &str, hint: Option<&str>) -> String {
    let generic = path
        .split('.')
        .map(|s| if s.parse::<usize>().is_ok() { "[]" } else { s })
        .collect::<Vec<_>>()
        .join(".")
        .replace(".[]", "[]");
    let exact: Vec<String> = rows()
        .filter(|(_, r)| r.source == generic && !r.field.is_empty())
        .map(|(_, r)| format!("{}.{}", r.kind, r.field))
        .collect();
    let mut kinds: Vec<&str> = rows()
        .filter(|(_, r)| related(&generic, r.source.split("[]").next().unwrap_or(r.source)))
        .map(|(_, r)| r.kind)
        .collect();
    let mut seen = Vec::new();
    kinds.retain(|k| {
        let first = !seen.contains(k);
        seen.push(*k);
        first
    });
    let targets = if exact.is_empty() {
        kinds.iter().map(|k| k.to_string()).collect()
    } else {
        exact
    };
    if targets.is_empty() {
        return hint.unwrap_or("no replacement").to_string();
    }
    format!(
        "use {} (`machinist migrate config` moves it)",
        targets.join(", ")
    )
}

/// Finds the template line that writes `path`: follows the path's keys down the template text,
/// each key further down and indented deeper than its parent.
fn locate(project: &Project, templates: &[&str], path: &str) -> Option<(PathBuf, usize)> {
    let keys: Vec<&str> = path
        .split('.')
        .filter(|s| s.parse::<usize>().is_err())
        .collect();
    for name in templates {
        let text = project.templates.get(*name)?;
        let lines: Vec<&str> = text.lines().collect();
        let mut from = 0;
        let mut indent: Option<usize> = None;
        let mut hit = None;
        for key in &keys {
            let want = format!("{key}:");
            let found = lines.iter().enumerate().skip(from).find(|(_, l)| {
                let t = l.trim_start().trim_start_matches("- ");
                let ind = l.len() - l.trim_start().len();
                t.starts_with(&want) && indent.is_none_or(|i| ind > i)
            });
            match found {
                Some((i, l)) => {
                    from = i + 1;
                    indent = Some(l.len() - l.trim_start().len());
                    hit = Some(i + 1);
                }
                None => {
                    hit = None;
                    break;
                }
            }
        }
        if let Some(line) = hit {
            return Some((PathBuf::from("templates").join(name), line));
        }
    }
    None
}

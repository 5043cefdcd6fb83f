//! The one check every path runs (validate, lint, render, patch, import, apply and diff through
//! render). In: a contract, a runtime mode and the documents of a config or a patch (as JSON).
//! Out: a [`Report`] of errors (schema findings, then the semantic rules Talos reports as errors)
//! and warnings (the rules Talos reports as warnings, then deprecated fields). A deprecated field
//! that a rule refuses is reported once, as the error: a warning must not say Talos accepts what it
//! refuses. Patches get the schema check only: rules judge whole configs.

use serde_json::Value;

use crate::Contract;
use crate::rules::{self, Hit, Mode, Place, Severity, Target};
use crate::schema::validate::{Related, identify, pointer, short_value, yaml_path};
use crate::schema::{Finding, SchemaSet};

/// What one check found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Problems Talos refuses the config for.
    pub errors: Vec<Finding>,
    /// What Talos accepts with a warning, and deprecated fields.
    pub warnings: Vec<Finding>,
}

impl Report {
    /// True when Talos would accept the config.
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }
}

fn label(set: &SchemaSet, docs: &[Value], document: usize) -> (Option<String>, Option<String>) {
    let info = identify(set.bundle(), &docs[document]);
    (info.kind, info.name)
}

fn finding(set: &SchemaSet, docs: &[Value], hit: &Hit) -> Finding {
    let doc = &docs[hit.at.document];
    let (kind, name) = label(set, docs, hit.at.document);
    let value = crate::rules::at(doc, &hit.at.path.join("."))
        .filter(|v| !v.is_object() && !v.is_array())
        .map(short_value);
    let related = hit.related.as_ref().map(|p: &Place| {
        let (k, n) = label(set, docs, p.document);
        let label = Finding {
            document: p.document,
            kind: k,
            name: n,
            path: String::new(),
            pointer: String::new(),
            value: None,
            message: String::new(),
            hint: None,
            rule: None,
            related: None,
        }
        .document_label();
        Related {
            document: p.document,
            label,
            path: yaml_path(&docs[p.document], &p.path),
            pointer: pointer(&p.path),
        }
    });
    Finding {
        document: hit.at.document,
        kind,
        name,
        path: yaml_path(doc, &hit.at.path),
        pointer: pointer(&hit.at.path),
        value,
        message: hit.message.clone(),
        hint: None,
        rule: Some(hit.rule.id),
        related,
    }
}

/// Whether `inner` is `outer` or below it.
fn under(inner: &str, outer: &str) -> bool {
    inner == outer
        || inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The errors of [`check_json_documents`] alone (what `render` needs for every node): the
/// deprecation walk, which only produces warnings, is skipped.
pub fn check_errors(contract: Contract, mode: Mode, docs: &[Value], patch: bool) -> Vec<Finding> {
    let set = SchemaSet::machinist();
    let mut errors = set.validate(contract, docs, patch);
    if !patch {
        for hit in rules::check(contract, mode, docs) {
            if hit.rule.severity == Severity::Error {
                errors.push(finding(set, docs, &hit));
            }
        }
    }
    errors
}

/// Checks the documents of a config (`patch == false`) or a patch against `contract` in `mode`.
pub fn check_json_documents(contract: Contract, mode: Mode, docs: &[Value], patch: bool) -> Report {
    let set = SchemaSet::machinist();
    let mut report = Report {
        errors: set.validate(contract, docs, patch),
        warnings: Vec::new(),
    };
    if patch {
        return report;
    }
    for hit in rules::check(contract, mode, docs) {
        let f = finding(set, docs, &hit);
        match hit.rule.severity {
            Severity::Error => report.errors.push(f),
            Severity::Warning => report.warnings.push(f),
        }
    }
    // A deprecated field an error points at (or, for a conflict, lies within) is refused.
    let refused = |f: &Finding| {
        report.errors.iter().any(|e| {
            e.document == f.document
                && (e.pointer == f.pointer
                    || (e.related.is_some() && under(&f.pointer, &e.pointer)))
        })
    };
    let deprecated: Vec<Finding> = set
        .deprecations(contract, docs)
        .into_iter()
        .filter(|f| !refused(f))
        .collect();
    report.warnings.extend(deprecated);
    report
}

/// What Talos's config loader refuses before any validation runs (as `talosctl machineconfig
/// patch` reads and writes a config): the schema (strict decoding) and the container's checks
/// across documents (duplicates, conflicting documents and links). Rules of single documents and
/// runtime modes do not apply.
pub fn check_loaded(contract: Contract, docs: &[Value]) -> Report {
    let set = SchemaSet::machinist();
    let mut errors = set.validate(contract, docs, false);
    for hit in rules::check(contract, Mode::Metal, docs) {
        if hit.rule.target == Target::Stream && hit.rule.severity == Severity::Error {
            errors.push(finding(set, docs, &hit));
        }
    }
    Report {
        errors,
        warnings: Vec::new(),
    }
}

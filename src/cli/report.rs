//! Terminal output for diagnostics. In: library [`Diagnostic`]s. Out: `error: ...` (or `warning: ...`) blocks on stderr
//! with a source snippet (codespan-reporting), the node, notes and a `hint:`; colour only on a
//! terminal (or with `CLICOLOR_FORCE`) and never when `NO_COLOR` is set.

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};

use machinist::diagnostics::{Diagnostic, escape_controls};
use machinist::diff::redact_config_text;

/// How to colour stderr.
pub(super) fn color_choice() -> termcolor::ColorChoice {
    if super::color::stderr_enabled() {
        termcolor::ColorChoice::AlwaysAnsi
    } else {
        termcolor::ColorChoice::Never
    }
}

/// How `diff`, `validate` and `lint` report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Format {
    /// For people: text, with diagnostics and snippets on stderr.
    Text,
    /// For programs: one JSON object on stdout.
    Json,
}

/// Prints one JSON report to stdout: `head`'s fields, then `findings` (grouped as [`print`]
/// groups them), then counts of errors and warnings.
pub(super) fn print_json_report(diags: &[Diagnostic], head: serde_json::Value) {
    let grouped = group_by_node(diags);
    let errors = grouped.iter().filter(|d| !d.is_warning()).count();
    let mut out = match head {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    out.insert(
        "findings".into(),
        grouped.iter().map(Diagnostic::to_json).collect(),
    );
    out.insert("errors".into(), errors.into());
    out.insert("warnings".into(), (grouped.len() - errors).into());
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::Value::Object(out)).expect("JSON values print")
    );
}

/// Prints `diags` to stderr. The same problem on many nodes (a typo in a template every node
/// renders) prints once, with the other nodes listed under it.
pub(super) fn print(diags: &[Diagnostic]) {
    let stream = termcolor::StandardStream::stderr(color_choice());
    let mut lock = stream.lock();
    for d in group_by_node(diags) {
        emit(&mut lock, &d);
    }
}

/// How many node names a grouped diagnostic lists before it only counts the rest.
const LISTED_NODES: usize = 8;

/// A diagnostic with its node's name replaced by a placeholder, for comparing problems across
/// nodes (notes may name the node too).
fn without_node(d: &Diagnostic) -> Diagnostic {
    let mut key = d.clone();
    if let Some(node) = key.node.take() {
        let named = format!("`{node}`");
        for n in &mut key.notes {
            *n = n.replace(&named, "`…`");
        }
    }
    key
}

/// Merges diagnostics that differ only in their node, keeping the first one's wording and order,
/// and adds a note naming the other nodes.
pub(super) fn group_by_node(diags: &[Diagnostic]) -> Vec<Diagnostic> {
    let mut groups: Vec<(Diagnostic, Diagnostic, Vec<String>)> = Vec::new();
    for d in diags {
        let key = without_node(d);
        match (&d.node, groups.iter_mut().find(|(k, _, _)| *k == key)) {
            (Some(node), Some((_, _, others))) => others.push(node.clone()),
            _ => groups.push((key, d.clone(), Vec::new())),
        }
    }
    groups
        .into_iter()
        .map(|(_, mut d, others)| {
            if !others.is_empty() {
                let mut names: Vec<String> = others
                    .iter()
                    .take(LISTED_NODES)
                    .map(|n| format!("`{n}`"))
                    .collect();
                if others.len() > LISTED_NODES {
                    names.push(format!("and {} more", others.len() - LISTED_NODES));
                }
                d.notes.push(format!(
                    "the same on {} other node{}: {}",
                    others.len(),
                    if others.len() == 1 { "" } else { "s" },
                    names.join(", ")
                ));
            }
            d
        })
        .collect()
}

fn emit(w: &mut dyn termcolor::WriteColor, d: &Diagnostic) {
    let mut files = SimpleFiles::new();
    let mut message = escape_controls(&d.message).into_owned();
    if let Some(node) = &d.node {
        message = format!("node `{}`: {message}", escape_controls(node));
    }
    let mut report = if d.is_warning() {
        Report::warning()
    } else {
        Report::error()
    }
    .with_message(message);
    if let Some(loc) = &d.location {
        // Snippets never show a secret field's value (decided by path), nor raw control
        // characters.
        let shown = loc.source.as_deref().map(|src| {
            escape_controls(&redact_config_text(src).replace("\r\n", "\n")).into_owned()
        });
        match &shown {
            Some(src) => {
                let line = src
                    .lines()
                    .nth(loc.pos.line.saturating_sub(1))
                    .unwrap_or("");
                if line.chars().count() > MAX_SNIPPET_LINE {
                    // Show a window of a very long line instead of the whole of it.
                    let (window, at) = window(line, loc.pos.col);
                    // Blank lines before the window keep the reported line number right.
                    let pad = "\n".repeat(loc.pos.line.saturating_sub(1));
                    let id = files.add(
                        escape_controls(&loc.file.display().to_string()).into_owned(),
                        format!("{pad}{window}"),
                    );
                    let at = pad.len() + at;
                    let end = (at + loc.len).min(pad.len() + window.len()).max(at);
                    report = report
                        .with_label(Label::primary(id, at..end))
                        .with_note(format!(
                            "column {} of a long line, shown in part",
                            loc.pos.col
                        ));
                } else {
                    let start = line_col_to_offset(src, loc.pos.line, loc.pos.col);
                    // The label stays on its line (a redacted line may be shorter than the
                    // column pointed at).
                    let line_end = src[start..].find('\n').map_or(src.len(), |i| start + i);
                    let end = (start + loc.len).min(line_end).max(start);
                    let id = files.add(
                        escape_controls(&loc.file.display().to_string()).into_owned(),
                        src.to_string(),
                    );
                    report = report.with_label(Label::primary(id, start..end));
                }
            }
            None => {
                report = report.with_note(format!("at {}:{}", loc.file.display(), loc.pos));
            }
        }
    }
    let mut notes: Vec<String> = d
        .notes
        .iter()
        .map(|n| escape_controls(n).into_owned())
        .collect();
    if let Some(h) = &d.hint {
        notes.push(format!("hint: {}", escape_controls(h)));
    }
    report = report.with_notes(notes);
    let config = term::Config::default();
    if term::emit(w, &config, &files, &report).is_err() {
        let level = if d.is_warning() { "warning" } else { "error" };
        let _ = std::io::Write::write_all(w, format!("{level}: {}\n", d.short()).as_bytes());
    }
}

/// Longest source line shown whole in a snippet.
const MAX_SNIPPET_LINE: usize = 160;

/// A window of about 80 characters of `line` around 1-based column `col`, and the byte offset of
/// `col` inside the window.
fn window(line: &str, col: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    let at = col.saturating_sub(1).min(chars.len());
    let start = at.saturating_sub(40);
    let end = (at + 40).min(chars.len());
    let mut w = String::new();
    if start > 0 {
        w.push('…');
    }
    let offset = w.len() + chars[start..at].iter().map(|c| c.len_utf8()).sum::<usize>();
    w.extend(&chars[start..end]);
    if end < chars.len() {
        w.push('…');
    }
    (w, offset)
}

fn line_col_to_offset(src: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, l) in src.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let chars: usize = l
                .chars()
                .take(col.saturating_sub(1))
                .map(char::len_utf8)
                .sum();
            return offset + chars.min(l.trim_end_matches('\n').len());
        }
        offset += l.len();
    }
    src.len()
}

/// Prints one plain error line (for errors that have no diagnostic form).
pub(super) fn error(message: &str) {
    eprintln!("error: {}", escape_controls(message));
}

//! Template errors. In: a `minijinja::Error` and what was being rendered. Out: a [`Diagnostic`]
//! naming the template file, line and expression; for a missing value, also the names that exist
//! at that level of the context and the closest one ("did you mean `network.vip`?").

use std::path::PathBuf;

use minijinja::ErrorKind;
use serde_json::Value as Json;

use crate::diagnostics::{Diagnostic, Kind, did_you_mean};
use crate::project::Project;
use crate::yaml::Pos;

/// Converts a template error. `context` is the render context as JSON, for suggestions.
pub fn template_error(
    project: &Project,
    err: &minijinja::Error,
    node: Option<&str>,
    context: Option<&Json>,
) -> Diagnostic {
    // An error inside an included template arrives wrapped in the `{% include %}`'s error; report
    // the innermost one at its own spot, and where it was included from as a note.
    let mut err = err;
    let mut included_from = Vec::new();
    while let Some(inner) =
        std::error::Error::source(err).and_then(|s| s.downcast_ref::<minijinja::Error>())
    {
        if inner.name().is_none() || inner.line().is_none() {
            break;
        }
        if let (Some(n), Some(l)) = (err.name(), err.line()) {
            included_from.push(format!("included from templates/{n}:{l}"));
        }
        err = inner;
    }
    let kind = match err.kind() {
        ErrorKind::SyntaxError => Kind::TemplateSyntax,
        ErrorKind::UndefinedError => Kind::UndefinedValue,
        _ => Kind::TemplateRuntime,
    };
    let name = err.name().unwrap_or("<template>").to_string();
    let source = project.templates.get(&name).cloned();
    let range = match (&source, err.range()) {
        (Some(src), Some(r)) if kind == Kind::UndefinedValue => Some(widen(src, r)),
        (_, r) => r,
    };
    let expr = match (&source, &range) {
        (Some(src), Some(r)) => src.get(r.clone()).map(str::to_string),
        _ => None,
    };
    let detail = err
        .detail()
        .map(str::to_string)
        .unwrap_or_else(|| err.kind().to_string());
    let message = match kind {
        Kind::TemplateSyntax => format!("syntax error in template `{name}`: {detail}"),
        Kind::UndefinedValue => match &expr {
            Some(e) => format!("`{e}` is undefined"),
            None => format!("undefined value in template `{name}`"),
        },
        _ => {
            let mut m = detail.clone();
            let mut cur: Option<&dyn std::error::Error> = std::error::Error::source(err);
            while let Some(cause) = cur {
                m = format!("{m}: {cause}");
                cur = cause.source();
            }
            m
        }
    };
    // A block never closed is reported at the end of the file; point at its opening tag.
    if kind == Kind::TemplateSyntax
        && detail.contains("unexpected end of input")
        && let Some(src) = &source
        && let Some((tag, at, len)) = unclosed_block(src)
    {
        let mut d = Diagnostic::new(
            kind,
            format!("syntax error in template `{name}`: `{{% {tag} %}}` is never closed"),
        )
        .at(
            PathBuf::from("templates").join(&name),
            offset_to_pos(src, at),
            Some(src.clone()),
        )
        .with_len(len)
        .hint(format!("add `{{% end{tag} %}}` where the block ends"));
        if let Some(node) = node {
            d = d.for_node(node);
        }
        return d;
    }
    let mut d = Diagnostic::new(kind, message);
    let pos = match (&source, range.clone(), err.line()) {
        (Some(src), Some(r), _) => Some(offset_to_pos(src, r.start)),
        (_, _, Some(line)) => Some(Pos { line, col: 1 }),
        _ => None,
    };
    if let Some(pos) = pos {
        let file = PathBuf::from("templates").join(&name);
        d = d.at(file, pos, source.clone());
        if let Some(r) = &range {
            d = d.with_len(r.len());
        }
    }
    if let Some(node) = node {
        d = d.for_node(node);
    }
    for note in included_from.into_iter().rev() {
        d = d.note(note);
    }
    if kind == Kind::UndefinedValue
        && let (Some(e), Some(ctx)) = (&expr, context)
    {
        d = suggest(d, e, ctx);
    }
    d
}

/// For an expression (`text`) of node `node` that failed: the first `values.a.b` it reads that
/// the node's merged `values` lack while a file sets a near spelling at the same level
/// (`lan.subnte` for `lan.subnet`). The diagnostic points at that file's line, so it is the
/// same for every node the file reaches and prints once.
pub fn misspelled_value(
    project: &Project,
    node: &crate::project::NodeFile,
    values: &Json,
    overrides: &crate::values::Overrides,
    text: &str,
    used_by: &str,
) -> Option<Diagnostic> {
    for path in values_paths(text) {
        let mut cur = values;
        for (i, seg) in path.iter().enumerate() {
            let Json::Object(m) = cur else { break };
            if let Some(next) = m.get(seg) {
                cur = next;
                continue;
            }
            let near = did_you_mean(seg, m.keys().map(String::as_str))?;
            let mut typo: Vec<crate::values::Seg> = path[..i]
                .iter()
                .map(|s| crate::values::Seg::Key(s.clone()))
                .collect();
            typo.push(crate::values::Seg::Key(near.to_string()));
            let merged = crate::values::node_values(project, node, overrides, true).ok()?;
            let setting = merged
                .provenance
                .for_path(&typo)
                .into_iter()
                .rev()
                .find(|s| s.origin.file.is_some() && s.origin.pos.is_some())?;
            let (file, pos) = (setting.origin.file.clone()?, setting.origin.pos?);
            let source = project_source(project, &file);
            let wanted = format!("values.{}", path[..=i].join("."));
            let written = format!("{}.{near}", path[..i].join("."));
            let written = written.trim_start_matches('.');
            return Some(
                Diagnostic::new(
                    Kind::UndefinedValue,
                    format!(
                        "`{wanted}` is undefined; {} sets `{written}`",
                        setting.origin.label
                    ),
                )
                .at(file, pos, source)
                .for_node(&node.name)
                .note(format!("{used_by} reads `{wanted}`"))
                .hint(format!(
                    "did you mean `{seg}`? rename `{near}` to `{seg}` here"
                )),
            );
        }
    }
    None
}

/// The text of a project file, for snippets.
fn project_source(project: &Project, file: &std::path::Path) -> Option<std::sync::Arc<str>> {
    std::fs::read_to_string(project.root.join(file))
        .or_else(|_| std::fs::read_to_string(file))
        .ok()
        .map(std::sync::Arc::from)
}

/// Every `values.a.b.c` path in `text`, as its names after `values`.
fn values_paths(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(rel) = text[i..].find("values.") {
        let start = i + rel;
        i = start + "values.".len();
        if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
            continue;
        }
        let mut path = Vec::new();
        let mut j = i;
        loop {
            let n = text[j..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(text.len() - j);
            if n == 0 {
                break;
            }
            path.push(text[j..j + n].to_string());
            j += n;
            if text[j..].starts_with('.') {
                j += 1;
            } else {
                break;
            }
        }
        if !path.is_empty() {
            out.push(path);
        }
        i = j;
    }
    out
}

/// The innermost block tag of `src` that no `{% end... %}` closes: its keyword, byte offset and
/// length. Comments and `{% raw %}` bodies are skipped; `{% set x = ... %}` is not a block.
fn unclosed_block(src: &str) -> Option<(String, usize, usize)> {
    const BLOCKS: &[&str] = &[
        "if",
        "for",
        "macro",
        "call",
        "filter",
        "with",
        "block",
        "autoescape",
        "set",
        "raw",
    ];
    let mut stack: Vec<(String, usize, usize)> = Vec::new();
    let mut i = 0;
    while let Some(rel) = src[i..].find(['{']) {
        let start = i + rel;
        let rest = &src[start..];
        if rest.starts_with("{#") {
            i = start + rest.find("#}").map_or(rest.len(), |e| e + 2);
            continue;
        }
        if !rest.starts_with("{%") {
            i = start + 1;
            continue;
        }
        let Some(end) = rest.find("%}") else { break };
        let inner = rest[2..end].trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
        let word = inner.split_whitespace().next().unwrap_or("");
        i = start + end + 2;
        if let Some(closed) = word.strip_prefix("end") {
            if let Some(p) = stack.iter().rposition(|(w, _, _)| w == closed) {
                stack.truncate(p);
            }
        } else if BLOCKS.contains(&word) && !(word == "set" && inner.contains('=')) {
            stack.push((word.to_string(), start, end + 2));
            if word == "raw" {
                match src[i..].find("endraw") {
                    Some(e) => i += e,
                    None => break,
                }
            }
        }
    }
    stack.pop()
}

/// Extends an attribute-access span back to the start of its expression (`.b.c` → `a.b.c`).
fn widen(src: &str, r: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let bytes = src.as_bytes();
    let mut start = r.start.min(bytes.len());
    while start > 0 {
        let c = bytes[start - 1];
        if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'[' | b']' | b'\'' | b'"') {
            start -= 1;
        } else {
            break;
        }
    }
    start..r.end
}

/// 1-based line and column of a byte offset.
pub fn offset_to_pos(text: &str, offset: usize) -> Pos {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Pos { line, col }
}

/// Splits a simple expression (`values.network.vip`, `node['facets'].env`) into names.
fn expression_path(expr: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = expr.trim();
    let ident = |s: &str| {
        s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(s.len())
    };
    let n = ident(rest);
    if n == 0 {
        return None;
    }
    out.push(rest[..n].to_string());
    rest = &rest[n..];
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let n = ident(r);
            if n == 0 {
                return None;
            }
            out.push(r[..n].to_string());
            rest = &r[n..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let close = r.find(']')?;
            out.push(r[..close].trim_matches(['\'', '"']).to_string());
            rest = &r[close + 1..];
        } else {
            return None;
        }
    }
    Some(out)
}

fn suggest(mut d: Diagnostic, expr: &str, ctx: &Json) -> Diagnostic {
    let Some(path) = expression_path(expr) else {
        return d;
    };
    let mut cur = ctx;
    for (i, name) in path.iter().enumerate() {
        let next = match cur {
            Json::Object(m) => m.get(name),
            Json::Array(a) => name.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        match next {
            Some(v) => cur = v,
            None => {
                let parent = path[..i].join(".");
                let keys: Vec<&str> = match cur {
                    Json::Object(m) => m.keys().map(String::as_str).collect(),
                    _ => Vec::new(),
                };
                let at = if parent.is_empty() {
                    "the top level".to_string()
                } else {
                    format!("`{parent}`")
                };
                if keys.is_empty() {
                    d = d.note(format!("{at} is {}, which has no `{name}`", describe(cur)));
                } else {
                    let mut shown: Vec<&str> = keys.iter().copied().take(12).collect();
                    shown.sort_unstable();
                    let more = if keys.len() > 12 {
                        format!(" (and {} more)", keys.len() - 12)
                    } else {
                        String::new()
                    };
                    d = d.note(format!("available under {at}: {}{more}", shown.join(", ")));
                }
                if let Some(s) = did_you_mean(name, keys.iter().copied()) {
                    let mut full = path[..i].to_vec();
                    full.push(s.to_string());
                    let full = full.join(".");
                    d = d.hint(format!("did you mean `{full}`?"));
                } else if path.first().is_some_and(|p| p == "values") {
                    let dotted = path[1..].join(".");
                    d = d.hint(format!(
                        "set `{dotted}` in values.yaml, a layer or the node file, or guard it with `is defined` / `| default(...)`"
                    ));
                }
                return d;
            }
        }
    }
    d
}

fn describe(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "a map",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expression_paths() {
        assert_eq!(
            expression_path("values.network.vip"),
            Some(vec!["values".into(), "network".into(), "vip".into()])
        );
        assert_eq!(
            expression_path("node['facets'].env"),
            Some(vec!["node".into(), "facets".into(), "env".into()])
        );
        assert_eq!(expression_path("a + b"), None);
    }

    #[test]
    fn offsets_map_to_lines() {
        assert_eq!(offset_to_pos("ab\ncd", 4), Pos { line: 2, col: 2 });
    }
}

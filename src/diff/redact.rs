//! Secret redaction for diffs and server messages. In: Talos documents, or config text from a
//! node (a dry run's diff, a file shown in an error snippet). Out: the same with every secret
//! value replaced by `<redacted>`; when both sides of a diff hold a secret that differs, the new
//! side reads `<redacted (changed)>` so the change is visible without its value. What is secret
//! is decided by **path**, from the one list in `machinist_secrets::inject::SECRET_PATHS` (every
//! secret field of every contract), never by comparing against known secret values; PEM private
//! keys are also caught by their content.

use base64::Engine as _;
use serde_yaml_ng::Value;

use super::Seg;

/// What a secret value is replaced with.
pub const REDACTED: &str = "<redacted>";
const REDACTED_CHANGED: &str = "<redacted (changed)>";

/// Whether a path of a document of `kind` holds a secret (`None`: the kind is unknown).
pub fn is_secret_path(kind: Option<&str>, path: &[Seg]) -> bool {
    let segs: Vec<String> = path
        .iter()
        .map(|s| match s {
            Seg::Key(k) => k.clone(),
            Seg::Index(i) => i.to_string(),
        })
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    machinist_secrets::inject::is_redacted_path(kind, &segs, false)
}

/// Whether a value is secret by its content: PEM private key text, or base64 of it.
pub(super) fn looks_secret(v: &Value) -> bool {
    let Value::String(s) = v else { return false };
    if s.contains("PRIVATE KEY") {
        return true;
    }
    let t = s.trim();
    t.len() > 40
        && base64::engine::general_purpose::STANDARD
            .decode(t)
            .is_ok_and(|b| String::from_utf8_lossy(&b).contains("PRIVATE KEY"))
}

fn walk_redact(kind: Option<&str>, path: &mut Vec<Seg>, v: &Value) -> Value {
    match v {
        Value::Mapping(m) => Value::Mapping(
            m.iter()
                .map(|(k, child)| {
                    path.push(Seg::Key(k.as_str().unwrap_or_default().to_string()));
                    let r = walk_redact(kind, path, child);
                    path.pop();
                    (k.clone(), r)
                })
                .collect(),
        ),
        Value::Sequence(s) => Value::Sequence(
            s.iter()
                .enumerate()
                .map(|(i, child)| {
                    path.push(Seg::Index(i));
                    let r = walk_redact(kind, path, child);
                    path.pop();
                    r
                })
                .collect(),
        ),
        leaf if is_secret_path(kind, path) || looks_secret(leaf) => Value::String(REDACTED.into()),
        leaf => leaf.clone(),
    }
}

/// A copy of `v` (a document of `kind`, or part of one at `path`) with every secret leaf
/// replaced by `<redacted>`.
pub(super) fn redact_at(kind: Option<&str>, path: &[Seg], v: &Value) -> Value {
    walk_redact(kind, &mut path.to_vec(), v)
}

fn pair(
    kind: Option<&str>,
    path: &mut Vec<Seg>,
    old: Option<&Value>,
    new: Option<&Value>,
) -> (Option<Value>, Option<Value>) {
    match (old, new) {
        (Some(Value::Mapping(o)), Some(Value::Mapping(n))) => {
            let mut ro = serde_yaml_ng::Mapping::new();
            let mut rn = serde_yaml_ng::Mapping::new();
            for (k, ov) in o {
                path.push(Seg::Key(k.as_str().unwrap_or_default().to_string()));
                let (a, _) = pair(kind, path, Some(ov), n.get(k));
                path.pop();
                ro.insert(k.clone(), a.unwrap_or(Value::Null));
            }
            for (k, nv) in n {
                path.push(Seg::Key(k.as_str().unwrap_or_default().to_string()));
                let (_, b) = pair(kind, path, o.get(k), Some(nv));
                path.pop();
                rn.insert(k.clone(), b.unwrap_or(Value::Null));
            }
            (Some(Value::Mapping(ro)), Some(Value::Mapping(rn)))
        }
        (Some(Value::Sequence(o)), Some(Value::Sequence(n))) => {
            let mut ro = Vec::new();
            let mut rn = Vec::new();
            for i in 0..o.len().max(n.len()) {
                path.push(Seg::Index(i));
                let (a, b) = pair(kind, path, o.get(i), n.get(i));
                path.pop();
                ro.extend(a);
                rn.extend(b);
            }
            (Some(Value::Sequence(ro)), Some(Value::Sequence(rn)))
        }
        (Some(o), Some(n))
            if !o.is_mapping() && !o.is_sequence() && !n.is_mapping() && !n.is_sequence() =>
        {
            let secret = is_secret_path(kind, path) || looks_secret(o) || looks_secret(n);
            if !secret {
                return (Some(o.clone()), Some(n.clone()));
            }
            let new_text = if o == n { REDACTED } else { REDACTED_CHANGED };
            (
                Some(Value::String(REDACTED.into())),
                Some(Value::String(new_text.into())),
            )
        }
        (o, n) => (
            o.map(|v| walk_redact(kind, path, v)),
            n.map(|v| walk_redact(kind, path, v)),
        ),
    }
}

/// Redacts both sides of a comparison; a secret that differs reads `<redacted (changed)>` on the
/// new side.
pub(super) fn redact_pair(
    kind: Option<&str>,
    old: Option<&Value>,
    new: Option<&Value>,
) -> (Option<Value>, Option<Value>) {
    pair(kind, &mut Vec::new(), old, new)
}

fn collect(kind: Option<&str>, path: &mut Vec<Seg>, v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Mapping(m) => {
            for (k, child) in m {
                path.push(Seg::Key(k.as_str().unwrap_or_default().to_string()));
                collect(kind, path, child, out);
                path.pop();
            }
        }
        Value::Sequence(s) => {
            for (i, child) in s.iter().enumerate() {
                path.push(Seg::Index(i));
                collect(kind, path, child, out);
                path.pop();
            }
        }
        Value::String(s) if (is_secret_path(kind, path) || looks_secret(v)) && s.len() >= 6 => {
            out.push(s.clone());
            // Multi-line values (PEM) may show up line by line in a server's text diff.
            out.extend(
                s.lines()
                    .filter(|l| l.len() >= 16 && !l.starts_with("-----"))
                    .map(str::to_string),
            );
        }
        _ => {}
    }
}

/// Every secret string in `docs` (for scrubbing free text such as a node's dry-run diff).
pub fn secret_values(docs: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for d in docs {
        let kind = machinist_patch::doc_kind(d).map(str::to_string);
        collect(kind.as_deref(), &mut Vec::new(), d, &mut out);
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// `text` with every occurrence of every secret replaced by `<redacted>`.
pub fn redact_text(text: &str, secrets: &[String]) -> String {
    let mut t = text.to_string();
    for s in secrets {
        if t.contains(s.as_str()) {
            t = t.replace(s.as_str(), REDACTED);
        }
    }
    t
}

/// Where a line of config text sits: its indentation and the key (or `*` for a list item).
struct Level {
    indent: usize,
    seg: String,
}

/// Config text with every secret field's value replaced by `<redacted>`, deciding by the field's
/// **path**, worked out from indentation: a node's dry-run output (`Config diff:` and a unified
/// diff whose lines start with ` `, `-` or `+`), a rendered or live config, or a file shown in an
/// error snippet. Multi-line values (`key: |` PEM blocks) are redacted line by line, so the text
/// keeps its line count. Where a diff hunk starts inside a document, the path's known end is
/// matched against the end of every secret path, so a cut-off context over-redacts rather than
/// leaks.
pub fn redact_config_text(text: &str) -> String {
    use machinist_secrets::inject::{holds_redacted_path, is_redacted_path};
    let mut out = String::with_capacity(text.len());
    let mut stack: Vec<Level> = Vec::new();
    let mut kind: Option<String> = None;
    let mut in_diff = false;
    // Indentation of a secret key whose value continues on deeper lines.
    let mut hide_below: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let (body, eol) = match line.strip_suffix('\n') {
            Some(b) => (b.strip_suffix('\r').unwrap_or(b), &line[b.len()..]),
            None => (line, ""),
        };
        if body.starts_with("@@") || body.starts_with("--- ") || body.starts_with("+++ ") {
            in_diff |= body.starts_with("@@");
            stack.clear();
            hide_below = None;
            out.push_str(line);
            continue;
        }
        let (prefix, yaml) = match body.chars().next() {
            Some(c @ (' ' | '-' | '+')) if in_diff => body.split_at(c.len_utf8()),
            _ => ("", body),
        };
        if yaml == "---" {
            stack.clear();
            kind = None;
            hide_below = None;
            out.push_str(line);
            continue;
        }
        let mut indent = yaml.len() - yaml.trim_start_matches(' ').len();
        let mut content = yaml.trim();
        if content.is_empty() || content.starts_with('#') {
            out.push_str(line);
            continue;
        }
        if let Some(h) = hide_below {
            if indent > h {
                out.push_str(&format!("{prefix}{}{REDACTED}{eol}", &yaml[..indent]));
                continue;
            }
            hide_below = None;
        }
        while stack.last().is_some_and(|l| l.indent >= indent) {
            stack.pop();
        }
        while content == "-" || content.starts_with("- ") {
            stack.push(Level {
                indent,
                seg: "*".into(),
            });
            let rest = content[1..].trim_start_matches(' ');
            indent += content.len() - rest.len();
            content = rest;
        }
        let partial = stack.first().map_or(indent, |l| l.indent) > 0;
        let mut path: Vec<&str> = stack.iter().map(|l| l.seg.as_str()).collect();
        let key_value = split_key(content);
        if let Some((key, _)) = key_value {
            path.push(key);
        }
        // Secret itself, or below a secret field (a list of secrets).
        let secret =
            (1..=path.len()).any(|n| is_redacted_path(kind.as_deref(), &path[..n], partial));
        let lead = &yaml[..yaml.len() - content.len()];
        match key_value {
            Some((key, value)) => {
                let v = value.trim();
                let secret_value = secret && !v.is_empty() && !v.starts_with(['|', '>']);
                // A one-line flow value holding a secret field (`ca: {crt: .., key: ..}`).
                let secret_flow =
                    v.starts_with(['{', '[']) && holds_redacted_path(kind.as_deref(), &path);
                if secret_value || secret_flow {
                    out.push_str(&format!("{prefix}{lead}{key}: {REDACTED}{eol}"));
                } else {
                    if secret {
                        hide_below = Some(indent);
                    }
                    out.push_str(line);
                }
                if indent == 0 && (key == "kind" || key == "version" && v == "v1alpha1") {
                    kind = Some(v.trim_matches(['"', '\'']).to_string());
                }
                let key = key.to_string();
                stack.push(Level { indent, seg: key });
            }
            None if secret => {
                out.push_str(&format!("{prefix}{lead}{REDACTED}{eol}"));
            }
            None => out.push_str(line),
        }
    }
    out
}

/// `key: value` (or `key:`) of one line of block YAML, the key unquoted.
fn split_key(content: &str) -> Option<(&str, &str)> {
    let (key, value) = if let Some(q) = content.strip_prefix('"') {
        let end = q.find('"')?;
        let rest = q[end + 1..].strip_prefix(':')?;
        (&q[..end], rest)
    } else if let Some(q) = content.strip_prefix('\'') {
        let end = q.find('\'')?;
        let rest = q[end + 1..].strip_prefix(':')?;
        (&q[..end], rest)
    } else {
        let at = content
            .find(": ")
            .or_else(|| content.ends_with(':').then(|| content.len() - 1))?;
        (&content[..at], &content[at + 1..])
    };
    if key.is_empty() || key.starts_with(['{', '[', '&', '*', '!', '|', '>']) {
        return None;
    }
    if !(value.is_empty() || value.starts_with(' ')) {
        return None;
    }
    Some((key, value))
}

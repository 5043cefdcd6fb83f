//! Document-keyed semantic diff. In: the documents a node runs (parsed from its live config) and
//! the documents machinist rendered for it. Out: per document — keyed by its identity ([`DocId`]:
//! apiVersion, kind, name; the legacy main document being `v1alpha1`) — whether it was added,
//! removed or changed, one record per changed path, and a unified YAML diff; secrets are redacted
//! everywhere (a changed secret shows as changed, never its value). Comments, key order and
//! formatting never count as changes, since both sides are compared as parsed values, the way
//! Talos compares configs. [`diff_docs_migrating`]
//! also recognises fields a migration moved out of v1alpha1 into their own documents and reports
//! each as one move.

mod moves;
mod redact;

use std::fmt;

use machinist_patch::{DocId, key_text};
use serde_yaml_ng::Value;

pub use moves::{Move, diff_docs_migrating};
pub use redact::{REDACTED, is_secret_path, redact_config_text, redact_text, secret_values};

/// Identifies a document inside a machine config: its identity ([`DocId`]: apiVersion, kind and,
/// for named kinds, name; the legacy main document is `v1alpha1`) and its position among
/// documents with the same identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocKey {
    /// The document's identity, as patches and secret injection see it.
    pub id: DocId,
    /// Position among documents with the same identity (0 unless duplicated).
    pub index: usize,
}

impl fmt::Display for DocKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.id)?;
        if self.index > 0 {
            write!(f, "#{}", self.index + 1)?;
        }
        Ok(())
    }
}

/// What happened to a document or a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Only in the rendered config.
    Add,
    /// Only in the live config.
    Remove,
    /// In both, with different values.
    Change,
}

impl Op {
    /// `add`, `remove` or `change`.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Add => "add",
            Op::Remove => "remove",
            Op::Change => "change",
        }
    }
}

/// One changed path. Values of secret paths are replaced by [`REDACTED`].
#[derive(Debug, Clone, PartialEq)]
pub struct PathChange {
    /// Dotted path inside the document, e.g. `machine.network.interfaces[0].dhcp`.
    pub path: String,
    /// What changed.
    pub op: Op,
    /// The live value (absent for additions).
    pub old: Option<Value>,
    /// The rendered value (absent for removals).
    pub new: Option<Value>,
    /// Whether the path holds a secret (values redacted).
    pub secret: bool,
}

/// The changes to one document.
#[derive(Debug, Clone, PartialEq)]
pub struct DocDiff {
    /// Which document.
    pub key: DocKey,
    /// Added, removed or changed.
    pub op: Op,
    /// Changed paths (leaves), in document order.
    pub changes: Vec<PathChange>,
    /// Unified diff of the redacted YAML of both sides.
    pub unified: String,
}

/// The changes to one node's config; empty when the node runs exactly what was rendered.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NodeDiff {
    /// Changed documents, in rendered order, then removed ones in live order.
    pub docs: Vec<DocDiff>,
    /// Deprecated v1alpha1 fields moved into their own documents ([`diff_docs_migrating`]; never
    /// set by [`diff_docs`]).
    pub moves: Vec<Move>,
}

impl NodeDiff {
    /// True when nothing differs.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty() && self.moves.is_empty()
    }
}

/// Parses a multi-document config (the bytes a node returns), dropping empty documents.
pub fn parse_docs(bytes: &[u8]) -> Result<Vec<Value>, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "config is not UTF-8".to_string())?;
    let mut out = Vec::new();
    for de in serde_yaml_ng::Deserializer::from_str(text) {
        match <Value as serde::Deserialize>::deserialize(de) {
            Ok(Value::Null) => {}
            Ok(v) => out.push(v),
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(out)
}

/// Keys for a list of documents, numbering duplicates.
pub fn keys(docs: &[Value]) -> Vec<DocKey> {
    let mut seen: Vec<DocId> = Vec::new();
    docs.iter()
        .map(|d| {
            let id = DocId::of(d);
            let index = seen.iter().filter(|k| **k == id).count();
            seen.push(id.clone());
            DocKey { id, index }
        })
        .collect()
}

/// Compares a node's live documents with its rendered ones.
pub fn diff_docs(live: &[Value], rendered: &[Value]) -> NodeDiff {
    let lk = keys(live);
    let rk = keys(rendered);
    let mut docs = Vec::new();
    for (k, r) in rk.iter().zip(rendered) {
        match lk.iter().position(|x| x == k) {
            Some(i) if &live[i] == r => {}
            Some(i) => docs.push(doc_diff(k, Op::Change, Some(&live[i]), Some(r))),
            None => docs.push(doc_diff(k, Op::Add, None, Some(r))),
        }
    }
    for (k, l) in lk.iter().zip(live) {
        if !rk.contains(k) {
            docs.push(doc_diff(k, Op::Remove, Some(l), None));
        }
    }
    NodeDiff {
        docs,
        moves: Vec::new(),
    }
}

fn doc_diff(key: &DocKey, op: Op, live: Option<&Value>, rendered: Option<&Value>) -> DocDiff {
    let mut changes = Vec::new();
    let kind = Some(key.id.kind.as_str());
    walk(kind, &mut Vec::new(), live, rendered, &mut changes);
    let aligned = match (live, rendered) {
        (Some(l), Some(r)) => Some(align(l, r)),
        (l, _) => l.cloned(),
    };
    let (old_red, new_red) = redact::redact_pair(kind, aligned.as_ref(), rendered);
    let text = |v: &Option<Value>| {
        v.as_ref()
            .map(|v| serde_yaml_ng::to_string(v).unwrap_or_default())
            .unwrap_or_default()
    };
    let (old_text, new_text) = (text(&old_red), text(&new_red));
    let unified = similar::TextDiff::from_lines(old_text.as_str(), new_text.as_str())
        .unified_diff()
        .context_radius(3)
        .header(&format!("live {key}"), &format!("rendered {key}"))
        .to_string();
    DocDiff {
        key: key.clone(),
        op,
        changes,
        unified,
    }
}

/// Reorders `live`'s mapping keys to follow `rendered` where both have them, so the text diff
/// shows value changes rather than key-order noise.
fn align(live: &Value, rendered: &Value) -> Value {
    match (live, rendered) {
        (Value::Mapping(l), Value::Mapping(r)) => {
            let mut out = serde_yaml_ng::Mapping::new();
            for (k, rv) in r {
                if let Some(lv) = l.get(k) {
                    out.insert(k.clone(), align(lv, rv));
                }
            }
            for (k, lv) in l {
                if !out.contains_key(k) {
                    out.insert(k.clone(), lv.clone());
                }
            }
            Value::Mapping(out)
        }
        (Value::Sequence(l), Value::Sequence(r)) => Value::Sequence(
            l.iter()
                .enumerate()
                .map(|(i, lv)| r.get(i).map_or_else(|| lv.clone(), |rv| align(lv, rv)))
                .collect(),
        ),
        _ => live.clone(),
    }
}

/// A path segment.
#[derive(Debug, Clone)]
pub enum Seg {
    /// A mapping key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// Renders a path as `a.b[0]["dotted.key"]`.
pub fn path_string(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k)
                if k.chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-') =>
            {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Key(k) => s.push_str(&format!("[{k:?}]")),
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

fn walk(
    kind: Option<&str>,
    path: &mut Vec<Seg>,
    old: Option<&Value>,
    new: Option<&Value>,
    out: &mut Vec<PathChange>,
) {
    match (old, new) {
        (Some(Value::Mapping(o)), Some(Value::Mapping(n))) => {
            for (k, nv) in n {
                path.push(Seg::Key(key_text(k)));
                walk(kind, path, o.get(k), Some(nv), out);
                path.pop();
            }
            for (k, ov) in o {
                if !n.contains_key(k) {
                    path.push(Seg::Key(key_text(k)));
                    walk(kind, path, Some(ov), None, out);
                    path.pop();
                }
            }
        }
        (Some(Value::Sequence(o)), Some(Value::Sequence(n))) => {
            for i in 0..o.len().max(n.len()) {
                path.push(Seg::Index(i));
                walk(kind, path, o.get(i), n.get(i), out);
                path.pop();
            }
        }
        (o, n) if o == n => {}
        (o, n) => {
            let secret = is_secret_path(kind, path)
                || o.is_some_and(redact::looks_secret)
                || n.is_some_and(redact::looks_secret);
            let op = match (o, n) {
                (None, _) => Op::Add,
                (_, None) => Op::Remove,
                _ => Op::Change,
            };
            let show = |v: Option<&Value>| {
                v.map(|v| {
                    if secret {
                        Value::String(REDACTED.into())
                    } else {
                        redact::redact_at(kind, path, v)
                    }
                })
            };
            out.push(PathChange {
                path: path_string(path),
                op,
                old: show(o),
                new: show(n),
                secret,
            });
        }
    }
}

/// The hostname a config declares: a `HostnameConfig` document's `hostname`, else
/// `machine.network.hostname` of the main document.
pub fn hostname(docs: &[Value]) -> Option<String> {
    let from_doc = docs.iter().find_map(|d| {
        (d.get("kind").and_then(Value::as_str) == Some("HostnameConfig"))
            .then(|| d.get("hostname").and_then(Value::as_str))
            .flatten()
    });
    from_doc
        .or_else(|| {
            docs.iter()
                .find_map(|d| d.get("machine")?.get("network")?.get("hostname")?.as_str())
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests;

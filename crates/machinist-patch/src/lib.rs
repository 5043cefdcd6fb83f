//! Talos config patches. In: a machine config as a list of YAML documents, and patches
//! (strategic merge or RFC 6902 JSON patch, detected the way Talos's `LoadPatch` does).
//! Out: the patched documents, or a typed [`PatchError`] naming the patch file, the document
//! and the path that failed.
//!
//! Strategic merge follows Talos's typed rules without needing Talos's Go types: lists
//! append, except the paths Talos replaces or merges by key (see [`rules`]); documents merge
//! by `(apiVersion, kind, name)`; `$patch: delete` removes keys, list items and documents.
//!
//! Beyond Talos, a patch may choose how one of its lists merges, either in the list itself
//! (`- $patch: replace`, `- $patch: append`, `- {$patch: merge, $key: FIELD}`) or for the whole
//! document with a top-level `x-machinist-lists:` mapping of dotted paths to `append`,
//! `replace`, `{merge: FIELD}` or `{replace: FIELD}`. Both are stripped before merging.

// Library code never prints: only src/cli/ and src/bin/ talk to the terminal.
#![deny(clippy::print_stdout, clippy::print_stderr)]
#![warn(unreachable_pub)]

mod doc;
mod error;
mod json6902;
pub mod pointer;
pub mod rules;
mod strategic;

use std::path::Path;

use serde_yaml_ng::Value;

pub use doc::{DocId, doc_kind, key_text, parse_documents, to_yaml};
pub use error::PatchError;
pub use json6902::{JsonOp, OpKind};
pub use strategic::LISTS_KEY;

/// What a patch does.
#[derive(Debug, Clone, PartialEq)]
pub enum PatchBody {
    /// A strategic merge patch: config documents (possibly with `$patch` directives).
    /// An empty patch (no documents) changes nothing.
    Strategic(Vec<Value>),
    /// An RFC 6902 JSON patch: a list of operations.
    Json6902(Vec<JsonOp>),
}

/// A loaded patch and the name it is reported under (its file path, or `<inline>`).
#[derive(Debug, Clone, PartialEq)]
pub struct Patch {
    /// Name used in errors and in `explain`.
    pub name: String,
    /// The patch itself.
    pub body: PatchBody,
}

impl Patch {
    /// Parses patch text. Like Talos's `LoadPatch`: a YAML or JSON list of operation mappings
    /// is a JSON patch; anything else must be config documents, a strategic merge patch.
    ///
    /// Unlike Talos, an empty patch (only comments or nothing) is an empty strategic patch and
    /// changes nothing; Talos reads it as an empty JSON patch, which then fails on any
    /// multi-document config.
    pub fn parse(name: &str, text: &str) -> Result<Patch, PatchError> {
        let docs = parse_documents(name, text)?;
        let body = match docs.as_slice() {
            [Value::Sequence(items)] => PatchBody::Json6902(json6902::parse_ops(name, items)?),
            _ => {
                for (i, d) in docs.iter().enumerate() {
                    if !d.is_mapping() {
                        return Err(PatchError::NotAMapping {
                            patch: name.to_string(),
                            index: i + 1,
                            found: error::kind_name(d),
                        });
                    }
                }
                PatchBody::Strategic(docs)
            }
        };
        Ok(Patch {
            name: name.to_string(),
            body,
        })
    }

    /// Reads and parses a patch file; the patch is named by the path as given.
    pub fn from_file(path: &Path) -> Result<Patch, PatchError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| PatchError::Io {
            patch: name.clone(),
            message: e.to_string(),
        })?;
        Patch::parse(&name, &text)
    }

    /// Loads a patch given on a command line, as `talosctl --patch` reads it: `@FILE` is a
    /// file; text with no space and no newline that does not start with `[` or `{` is also a
    /// file name; anything else is the patch itself (named `<inline>`).
    pub fn from_arg(arg: &str) -> Result<Patch, PatchError> {
        if let Some(file) = arg.strip_prefix('@') {
            return Patch::from_file(Path::new(file));
        }
        let looks_inline =
            arg.contains([' ', '\n']) || arg.starts_with('[') || arg.starts_with('{');
        if looks_inline {
            Patch::parse("<inline>", arg)
        } else {
            Patch::from_file(Path::new(arg))
        }
    }

    /// True for a JSON 6902 patch.
    pub fn is_json6902(&self) -> bool {
        matches!(self.body, PatchBody::Json6902(_))
    }

    /// Applies this patch to `config` in place. On error, `config` may be partly patched for
    /// a strategic patch; callers that need atomicity apply to a clone.
    pub fn apply(&self, config: &mut Vec<Value>) -> Result<(), PatchError> {
        match &self.body {
            PatchBody::Strategic(docs) => strategic::apply_strategic(config, &self.name, docs),
            PatchBody::Json6902(ops) => json6902::apply_json6902(config, &self.name, ops),
        }
    }

    /// The places this patch writes to, as `(document, dotted path)` pairs: the leaf keys of
    /// a strategic patch (a list counts as a leaf; directives are left out) or the pointer of
    /// each JSON patch operation (`v1alpha1` is the document, since JSON patches only apply to
    /// single-document configs). Used by `explain` to list the patches that touch a path.
    pub fn touched_paths(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        match &self.body {
            PatchBody::Strategic(docs) => {
                for d in docs {
                    let id = DocId::of(d).to_string();
                    let Value::Mapping(m) = d else { continue };
                    if m.contains_key("$patch") {
                        out.push((id, String::new()));
                        continue;
                    }
                    for (k, v) in m {
                        let k = k.as_str().unwrap_or_default();
                        if doc::IDENTITY_KEYS.contains(&k) || k == LISTS_KEY {
                            continue;
                        }
                        leaf_paths(v, k.to_string(), &id, &mut out);
                    }
                }
            }
            PatchBody::Json6902(ops) => {
                for op in ops {
                    let p = pointer::tokens(&op.path).collect::<Vec<_>>().join(".");
                    out.push(("v1alpha1".to_string(), p));
                }
            }
        }
        out
    }
}

fn leaf_paths(v: &Value, path: String, doc: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Mapping(m) if !m.is_empty() && !m.contains_key("$patch") => {
            for (k, child) in m {
                let k = k.as_str().map(str::to_string).unwrap_or_default();
                leaf_paths(child, format!("{path}.{k}"), doc, out);
            }
        }
        _ => out.push((doc.to_string(), path)),
    }
}

/// A strategic patch document as Talos sees it: without machinist's own directives (the
/// top-level `x-machinist-lists`, `- $patch: replace|append|merge` list items and `$patch:
/// replace` in a mapping), so that the rest can be checked as strictly as Talos's `LoadPatch`
/// checks it.
pub fn without_extensions(doc: &Value) -> Value {
    fn is_directive(v: &Value) -> bool {
        v.as_mapping().is_some_and(|m| {
            matches!(
                m.get("$patch").and_then(Value::as_str),
                Some("replace" | "append" | "merge")
            ) && m
                .keys()
                .all(|k| matches!(k.as_str(), Some("$patch" | "$key")))
        })
    }
    fn walk(v: &Value) -> Value {
        match v {
            Value::Mapping(m) => {
                let keep = |(k, v): &(&Value, &Value)| {
                    !(k.as_str() == Some("$patch") && v.as_str() == Some("replace"))
                };
                Value::Mapping(
                    m.iter()
                        .filter(keep)
                        .map(|(k, v)| (k.clone(), walk(v)))
                        .collect(),
                )
            }
            Value::Sequence(items) => Value::Sequence(
                items
                    .iter()
                    .filter(|i| !is_directive(i))
                    .map(walk)
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    let mut out = walk(doc);
    if let Value::Mapping(m) = &mut out {
        m.shift_remove(LISTS_KEY);
    }
    out
}

/// Applies patches in order. The config is left unchanged when any patch fails.
pub fn apply_patches(config: &mut Vec<Value>, patches: &[Patch]) -> Result<(), PatchError> {
    let mut work = config.clone();
    for p in patches {
        p.apply(&mut work)?;
    }
    *config = work;
    Ok(())
}

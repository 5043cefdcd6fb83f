//! Config documents and their identity. In: YAML text or parsed documents. Out: the list of
//! documents of a config ([`parse_documents`]), YAML text again ([`to_yaml`]), and the
//! `(apiVersion, kind, name)` identity Talos matches patch documents by ([`DocId`]), and the kind
//! alone without copying ([`doc_kind`]). Patching, diffing and secret injection all identify
//! documents through these two, so a document is the same document to each of them.

use std::fmt;

use serde::Deserialize;
use serde_yaml_ng::Value;

use crate::error::PatchError;

/// The identity of a config document: Talos matches a patch document to the config document
/// with the same `apiVersion`, `kind` and `name`.
///
/// The legacy machine config (the document with `version: v1alpha1`, `machine:` and
/// `cluster:`) has no `kind`; its identity is empty `apiVersion`, kind `v1alpha1` and no name.
/// A patch document without a `kind` therefore targets the legacy document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocId {
    /// `apiVersion` (empty for the legacy document).
    pub api_version: String,
    /// `kind` (`v1alpha1` for the legacy document).
    pub kind: String,
    /// `name`, for named kinds.
    pub name: Option<String>,
}

impl DocId {
    /// The identity of the legacy v1alpha1 document.
    pub fn legacy() -> DocId {
        DocId {
            api_version: String::new(),
            kind: "v1alpha1".to_string(),
            name: None,
        }
    }

    /// Reads the identity of a document. Documents without a `kind` are the legacy document.
    /// A number or boolean `kind`/`name` is taken as its text (Talos rejects such a document
    /// later; [`doc_kind`], which only borrows, gives `None` for it).
    pub fn of(doc: &Value) -> DocId {
        let field = |k: &str| doc.get(k).and_then(scalar_string);
        match field("kind") {
            None => DocId::legacy(),
            Some(kind) => DocId {
                api_version: field("apiVersion").unwrap_or_default(),
                kind,
                name: field("name"),
            },
        }
    }

    /// True for the legacy v1alpha1 document.
    pub fn is_legacy(&self) -> bool {
        self.api_version.is_empty() && self.kind == "v1alpha1"
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(n) => write!(f, "{}/{}", self.kind, n),
            None => f.write_str(&self.kind),
        }
    }
}

/// The kind of a document without building its [`DocId`]: its `kind` when that is a string,
/// `v1alpha1` for the legacy document (a mapping without `kind`), and `None` for a document that
/// is not a mapping or whose `kind` is not a string.
pub fn doc_kind(doc: &Value) -> Option<&str> {
    let map = doc.as_mapping()?;
    match map.get("kind") {
        None => Some("v1alpha1"),
        Some(k) => k.as_str(),
    }
}

/// A mapping key as text, the way paths name it in messages and diffs: a string as it is, any
/// other key (a number, a boolean, a sequence...) as its one-line YAML.
pub fn key_text(k: &Value) -> String {
    match k {
        Value::String(s) => s.clone(),
        other => serde_yaml_ng::to_string(other)
            .unwrap_or_default()
            .trim_end()
            .to_string(),
    }
}

/// The keys that make up a document's identity rather than its content.
pub(crate) const IDENTITY_KEYS: [&str; 4] = ["apiVersion", "kind", "name", "version"];

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parses a (multi-document) YAML stream into its documents, skipping empty documents
/// (a stream that is only comments or `---` separators yields no documents).
///
/// `name` is used in error messages (a file path, or `<inline>`).
pub fn parse_documents(name: &str, text: &str) -> Result<Vec<Value>, PatchError> {
    let mut docs = Vec::new();
    for de in serde_yaml_ng::Deserializer::from_str(text) {
        let v = Value::deserialize(de).map_err(|e| PatchError::Yaml {
            patch: name.to_string(),
            message: e.to_string(),
        })?;
        if !v.is_null() {
            docs.push(v);
        }
    }
    Ok(docs)
}

/// Writes documents as one YAML stream, separated by `---` lines, ending in a newline.
pub fn to_yaml(docs: &[Value]) -> String {
    let mut out = String::new();
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        // Serialising an in-memory Value cannot fail: keys are YAML values already.
        let text = serde_yaml_ng::to_string(d).unwrap_or_default();
        out.push_str(&text);
        if !text.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_of_legacy_and_named_documents() {
        let docs = parse_documents(
            "t",
            "version: v1alpha1\nmachine: {}\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\n---\n# only a comment\n",
        )
        .unwrap();
        assert_eq!(docs.len(), 2, "the comment-only document is skipped");
        assert_eq!(DocId::of(&docs[0]), DocId::legacy());
        assert_eq!(DocId::of(&docs[1]).to_string(), "LinkConfig/eth0");
        // A patch document with neither kind nor version still targets the legacy document.
        let bare = parse_documents("t", "machine: {}\n").unwrap();
        assert!(DocId::of(&bare[0]).is_legacy());
        assert_eq!(doc_kind(&bare[0]), Some("v1alpha1"));
        assert_eq!(doc_kind(&docs[0]), Some("v1alpha1"));
        assert_eq!(doc_kind(&docs[1]), Some("LinkConfig"));
        // A list is no config document; neither is a document whose kind is not text.
        let odd = parse_documents("t", "- a\n---\nkind: [x]\n").unwrap();
        assert_eq!(doc_kind(&odd[0]), None);
        assert_eq!(doc_kind(&odd[1]), None);
    }

    #[test]
    fn round_trips_through_yaml() {
        let text = "a: 1\n---\nb:\n- x\n";
        let docs = parse_documents("t", text).unwrap();
        assert_eq!(to_yaml(&docs), text);
    }

    #[test]
    fn yaml_errors_name_the_patch() {
        let err = parse_documents("p.yaml", "a: [1\n").unwrap_err();
        assert!(
            err.to_string().starts_with("p.yaml: invalid yaml:"),
            "{err}"
        );
    }
}

//! What validation reports. In: nothing. Out: the [`Finding`] shape every check returns (schema
//! and rules alike): the document, the path in YAML and JSON-pointer form, the value, the message,
//! a hint, the rule broken and, for conflicts, the other place ([`Related`]).

use std::fmt;

/// One problem found in one document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// 0-based index of the document in the stream.
    pub document: usize,
    /// The document's kind (`v1alpha1` for the legacy root document), when it could be told.
    pub kind: Option<String>,
    /// The document's `name`, for named kinds.
    pub name: Option<String>,
    /// Where, as a YAML path such as `machine.network.interfaces[0].mtu` (empty: the document).
    pub path: String,
    /// Where, as a JSON pointer such as `/machine/network/interfaces/0/mtu`.
    pub pointer: String,
    /// The offending value, shortened to one line.
    pub value: Option<String>,
    /// What is wrong.
    pub message: String,
    /// A suggestion, such as `did you mean `hostname`?`.
    pub hint: Option<String>,
    /// The semantic rule broken (see [`crate::rules`]); `None` for schema findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    /// For a conflict, the other place involved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<Related>,
}

/// The other place of a conflict between two documents or two settings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Related {
    /// 0-based index of the document.
    pub document: usize,
    /// `LinkConfig eth0`, `v1alpha1`, ….
    pub label: String,
    /// Where, as a YAML path (empty: the document).
    pub path: String,
    /// Where, as a JSON pointer.
    pub pointer: String,
}

impl Finding {
    /// `LinkConfig eth0`, `v1alpha1`, or `document 3` when the kind is unknown.
    pub fn document_label(&self) -> String {
        match (&self.kind, &self.name) {
            (Some(k), Some(n)) => format!("{k} {n}"),
            (Some(k), None) => k.clone(),
            _ => format!("document {}", self.document + 1),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.document_label())?;
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

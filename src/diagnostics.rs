//! Diagnostics. In: what went wrong anywhere in the pipeline (a file and position, a node, a
//! template). Out: one [`Diagnostic`] shape that the CLI renders with a source snippet, and that
//! tests can match on through its [`Kind`]. Nothing here prints.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use crate::yaml::Pos;

/// What sort of problem a diagnostic reports (for programs and tests; people read the message).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Kind {
    /// A file could not be read.
    Io,
    /// A YAML file is not valid YAML.
    YamlSyntax,
    /// A project file has the wrong shape (unknown key, wrong type, missing field).
    ProjectFile,
    /// A node names a facet value that has no layer file.
    MissingLayer,
    /// A `--set` / `-f` / `--set-json` argument is malformed.
    Argument,
    /// A template does not compile.
    TemplateSyntax,
    /// A template refers to a value that does not exist.
    UndefinedValue,
    /// Any other error raised while a template runs (a function error, `fail`, fuel exhausted).
    TemplateRuntime,
    /// The rendered output is not valid YAML.
    RenderedYaml,
    /// Merged values do not match `values.schema.json`.
    ValuesSchema,
    /// A patch could not be applied.
    Patch,
    /// Secrets could not be loaded or injected.
    Secrets,
    /// A rendered document does not match the machine-config schema.
    Validation,
    /// The node named on the command line does not exist.
    UnknownNode,
    /// A config sets a field its contract deprecates (a warning: the run does not fail).
    Deprecated,
    /// Something Talos accepts with a warning when it validates a config (the run does not fail).
    Warning,
    /// A cluster-wide problem `lint` found across nodes (duplicate addresses, VIP, endpoint, ...).
    Cluster,
}

/// A position in a file, with the file's text for snippets.
#[derive(Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user should see it (relative to the project when possible).
    pub file: PathBuf,
    /// Where in the file.
    pub pos: Pos,
    /// How many characters to underline (at least 1).
    pub len: usize,
    /// The file's text, when available (shared, never copied per diagnostic).
    pub source: Option<Arc<str>>,
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.pos)
    }
}

/// One problem, ready to be shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Diagnostic {
    /// The sort of problem.
    pub kind: Kind,
    /// One line, lower case, values in backticks.
    pub message: String,
    /// The node being processed, when the problem is specific to one.
    pub node: Option<String>,
    /// Where the problem is.
    pub location: Option<Box<Location>>,
    /// Extra lines shown under the snippet (`= note: ...`).
    pub notes: Vec<String>,
    /// A suggested fix.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// Whether this is a warning rather than an error.
    pub fn is_warning(&self) -> bool {
        matches!(self.kind, Kind::Deprecated | Kind::Warning)
    }

    /// A diagnostic with only a kind and a message.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Diagnostic {
            kind,
            message: message.into(),
            node: None,
            location: None,
            notes: Vec::new(),
            hint: None,
        }
    }

    /// Points the diagnostic at `pos` in `file`.
    pub fn at(mut self, file: impl Into<PathBuf>, pos: Pos, source: Option<Arc<str>>) -> Self {
        self.location = Some(Box::new(Location {
            file: file.into(),
            pos,
            len: 1,
            source,
        }));
        self
    }

    /// Sets how many characters the snippet underlines.
    pub fn with_len(mut self, len: usize) -> Self {
        if let Some(loc) = &mut self.location {
            loc.len = len.max(1);
        }
        self
    }

    /// Names the node.
    pub fn for_node(mut self, node: impl Into<String>) -> Self {
        self.node = Some(node.into());
        self
    }

    /// Adds a note line.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Sets the hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The diagnostic as a JSON record for `--format json`: severity, kind, message, node, file,
    /// line, column, notes and hint (absent fields are null; the snippet is left out).
    pub fn to_json(&self) -> serde_json::Value {
        let loc = self.location.as_deref();
        serde_json::json!({
            "severity": if self.is_warning() { "warning" } else { "error" },
            "kind": self.kind,
            "message": self.message,
            "node": self.node,
            "file": loc.map(|l| l.file.display().to_string()),
            "line": loc.map(|l| l.pos.line),
            "column": loc.map(|l| l.pos.col),
            "notes": self.notes,
            "hint": self.hint,
        })
    }

    /// A one-line form: `file:line:col: message` (plus the node), for logs and JSON output.
    pub fn short(&self) -> String {
        let mut out = String::new();
        if let Some(loc) = &self.location {
            out.push_str(&format!("{}:{}: ", loc.file.display(), loc.pos));
        }
        if let Some(node) = &self.node {
            out.push_str(&format!("node `{node}`: "));
        }
        out.push_str(&self.message);
        out
    }
}

/// The one "did you mean" rule (documented at [`machinist_model::suggest::did_you_mean`]): at most
/// a third of the letters edited or a strong common prefix, ignoring case.
pub use machinist_model::did_you_mean;

/// `text` safe to print on a terminal: control characters other than newline and tab (ESC, BEL,
/// CR, DEL, C1 controls) are shown as `\u{1b}`-style escapes, so a name or a value read from a
/// file or a node cannot move the cursor, change colours or rewrite what was printed.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.contains(bad) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if bad(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod escape_tests {
    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            super::escape_controls("a\u{1b}[2Jb\r\u{7}\nc\td\u{9b}"),
            "a\\u{1b}[2Jb\\u{d}\\u{7}\nc\td\\u{9b}"
        );
        assert!(matches!(
            super::escape_controls("plain ✓"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}

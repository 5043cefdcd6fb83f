//! The semantic rules Talos runs when it loads and validates a config, beyond what the schema can
//! say. In: a contract, a runtime mode and the documents of one config (as JSON). Out: [`Hit`]s,
//! each naming the [`Rule`] it broke, the document and path it points at, Talos's message (with
//! the values filled in) and, for conflicts, the other place involved.
//!
//! The rules are a table ([`rules`]): each one names the contracts it applies to, the runtime
//! modes it applies in, whether Talos reports it as an error or a warning, the document family it
//! belongs to and the path it points at. One file per family: [`container`] (what Talos's config
//! container refuses when it assembles documents: duplicates, conflicting documents, a v1alpha1
//! section next to the document that replaces it), [`network`] and [`v1alpha1`].

pub mod container;
pub mod network;
pub mod v1alpha1;

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use crate::Contract;

/// Whether Talos refuses the config or only warns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Talos refuses the config.
    Error,
    /// Talos accepts the config and prints a warning.
    Warning,
}

/// The runtime mode Talos validates in (`validation.RuntimeMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// Bare metal or a VM booted from an image: an install is expected. The default.
    #[default]
    Metal,
    /// Talos in a container (`talosctl cluster create` with Docker).
    Container,
    /// A cloud platform image: the platform installs, nothing is required.
    Cloud,
}

impl Mode {
    /// Every mode.
    pub const ALL: [Mode; 3] = [Mode::Metal, Mode::Container, Mode::Cloud];

    /// `metal`, `container` or `cloud`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Metal => "metal",
            Mode::Container => "container",
            Mode::Cloud => "cloud",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A mode name that is not one of `metal`, `container`, `cloud`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown runtime mode `{0}`: use metal, container or cloud")]
pub struct UnknownMode(pub String);

impl FromStr for Mode {
    type Err = UnknownMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| UnknownMode(s.to_string()))
    }
}

/// What a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The v1alpha1 document.
    Root,
    /// Each document of this kind.
    Kind(&'static str),
    /// The whole stream at once (conflicts between documents).
    Stream,
}

/// One place in the stream: a document and a path in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// 0-based index of the document.
    pub document: usize,
    /// Path segments inside the document.
    pub path: Vec<String>,
}

impl Place {
    /// `path` (dotted, list indexes as numbers) in document `document`.
    pub fn new(document: usize, path: &str) -> Place {
        Place {
            document,
            path: split(path),
        }
    }
}

/// Splits a dotted path (`machine.network.hostname`) into segments; empty: the document.
pub fn split(path: &str) -> Vec<String> {
    if path.is_empty() {
        Vec::new()
    } else {
        path.split('.').map(str::to_string).collect()
    }
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The rule.
    pub rule: &'static Rule,
    /// Where.
    pub at: Place,
    /// Talos's message, values filled in.
    pub message: String,
    /// The other place of a conflict.
    pub related: Option<Place>,
}

/// What a rule's check sees.
pub struct Scope<'a> {
    /// The contract.
    pub contract: Contract,
    /// The runtime mode.
    pub mode: Mode,
    /// Every document of the config.
    pub docs: &'a [Value],
    /// Each document's kind (`None`: the v1alpha1 document, or not a document at all).
    pub kinds: &'a [Option<&'a str>],
    /// The index of the v1alpha1 document, if there is one.
    pub root: Option<usize>,
    /// The document being checked (for [`Target::Root`] and [`Target::Kind`] rules).
    pub index: usize,
}

impl<'a> Scope<'a> {
    /// The document being checked.
    pub fn doc(&self) -> &'a Value {
        &self.docs[self.index]
    }

    /// The v1alpha1 document.
    pub fn root_doc(&self) -> Option<&'a Value> {
        self.root.map(|i| &self.docs[i])
    }

    /// A hit at `path` of the document being checked.
    pub fn hit(&self, rule: &'static Rule, path: &str, message: String) -> Hit {
        Hit {
            rule,
            at: Place::new(self.index, path),
            message,
            related: None,
        }
    }
}

/// A check: adds the hits of `rule` in `scope`.
pub type Check = fn(&'static Rule, &Scope<'_>, &mut Vec<Hit>);

/// One rule of the table.
pub struct Rule {
    /// A stable identifier such as `network.vlan-id-range`.
    pub id: &'static str,
    /// What it looks at.
    pub target: Target,
    /// The first contract it applies to.
    pub since: Contract,
    /// The first contract it no longer applies to.
    pub until: Option<Contract>,
    /// The modes it applies in (empty: every mode).
    pub modes: &'static [Mode],
    /// Error or warning, as Talos splits them.
    pub severity: Severity,
    /// The path it points at, dotted (`vlanID`, `machine.install`); empty: the document.
    pub path: &'static str,
    /// Talos's message (`%q`-style parts stand for values).
    pub message: &'static str,
    /// The check.
    pub check: Check,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Rule {}

impl Rule {
    /// Whether the rule applies in `contract` and `mode`.
    pub fn applies(&self, contract: Contract, mode: Mode) -> bool {
        contract >= self.since
            && self.until.is_none_or(|u| contract < u)
            && (self.modes.is_empty() || self.modes.contains(&mode))
    }

    /// The document family, for the book's table: the kind, `v1alpha1` or `container`.
    pub fn family(&self) -> &'static str {
        match self.target {
            Target::Root => "v1alpha1",
            Target::Kind(k) => k,
            Target::Stream => "container",
        }
    }
}

/// Every rule, in a stable order.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    container::RULES
        .iter()
        .chain(network::RULES)
        .chain(v1alpha1::RULES)
}

/// The `kind` of each document; `None` for the v1alpha1 document and for anything else.
fn kinds(docs: &[Value]) -> Vec<Option<&str>> {
    docs.iter()
        .map(|d| d.get("kind").and_then(Value::as_str))
        .collect()
}

/// Whether a kindless document is the v1alpha1 one (as Talos's decoder decides).
fn is_root(doc: &Value) -> bool {
    doc.as_object().is_some_and(|o| {
        !o.contains_key("kind")
            && ["version", "machine", "cluster", "debug", "persist"]
                .iter()
                .any(|k| o.contains_key(*k))
    })
}

/// Runs every rule that applies in `contract` and `mode` over the documents of one config.
pub fn check(contract: Contract, mode: Mode, docs: &[Value]) -> Vec<Hit> {
    let kinds = kinds(docs);
    let root = docs.iter().position(is_root);
    let mut out = Vec::new();
    for rule in rules().filter(|r| r.applies(contract, mode)) {
        let mut scope = Scope {
            contract,
            mode,
            docs,
            kinds: &kinds,
            root,
            index: 0,
        };
        match rule.target {
            Target::Stream => (rule.check)(rule, &scope, &mut out),
            Target::Root => {
                if let Some(i) = root {
                    scope.index = i;
                    (rule.check)(rule, &scope, &mut out);
                }
            }
            Target::Kind(k) => {
                for (i, kind) in kinds.iter().enumerate() {
                    if *kind == Some(k) && docs[i].is_object() {
                        scope.index = i;
                        (rule.check)(rule, &scope, &mut out);
                    }
                }
            }
        }
    }
    out
}

// Small readers of JSON values shared by the rule files.

/// The value at a dotted path.
pub fn at<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return Some(doc);
    }
    path.split('.').try_fold(doc, |cur, seg| match cur {
        Value::Object(m) => m.get(seg),
        Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// Set, and not `null` (a Go pointer or slice that is not nil).
pub fn present(doc: &Value, path: &str) -> bool {
    at(doc, path).is_some_and(|v| !v.is_null())
}

/// A non-empty string.
pub fn text<'a>(doc: &'a Value, path: &str) -> Option<&'a str> {
    at(doc, path)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// `true`.
pub fn truthy(doc: &Value, path: &str) -> bool {
    at(doc, path).and_then(Value::as_bool) == Some(true)
}

/// A list or map with at least one item.
pub fn non_empty(doc: &Value, path: &str) -> bool {
    match at(doc, path) {
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(m)) => !m.is_empty(),
        _ => false,
    }
}

/// The items of a list (none when it is not one).
pub fn items<'a>(doc: &'a Value, path: &str) -> &'a [Value] {
    at(doc, path)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Go's `%q` of a string.
pub fn q(s: &str) -> String {
    format!("{s:?}")
}

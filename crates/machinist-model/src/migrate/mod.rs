//! Moving a Talos config to a newer contract. In: the documents of a config (untyped YAML), the
//! contract it is written for and the target contract. Out: a [`Migration`]: the documents with
//! every deprecated v1alpha1 field that has a replacement moved into its document (everything else
//! untouched, key order kept), what moved, warnings naming what could not move and why, and the
//! default changes crossed; or a [`MigrateError`] (target older than the source, or an output that
//! would not validate under the target).
//!
//! The field-by-field mapping lives in [`table`]; [`effective`] extracts the settings a node
//! actually runs with from either form, so callers can show that behaviour is preserved.

pub mod book;
pub mod convert;
pub mod convert_cluster;
pub mod convert_files;
pub mod convert_volumes;
pub mod defaults;
pub mod effective;
pub mod network;
pub mod table;
pub mod value;

#[cfg(test)]
mod tests;

use serde_yaml_ng::{Mapping, Value};

use crate::Contract;
use crate::schema::{Finding, deprecated_fields, validate_documents};
use table::{GROUPS, Group, How};
use value::{get, is_v1alpha1, kind_of, name_of, scalar_string, set, take, truthy};

/// Why a group of fields stays in v1alpha1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    /// The field that has no faithful equivalent.
    pub path: String,
    /// Why, and what to do.
    pub reason: String,
}

/// The documents a group produces and the source paths it consumed.
#[derive(Debug)]
pub struct Out {
    /// The target contract.
    pub to: Contract,
    docs: Vec<Value>,
    taken: Vec<String>,
    notes: Vec<&'static str>,
}

impl Out {
    fn new(to: Contract) -> Self {
        Out {
            to,
            docs: Vec::new(),
            taken: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Adds a note for the report (behaviour the move cannot decide alone).
    pub fn note(&mut self, note: &'static str) {
        self.notes.push(note);
    }

    /// Adds a document.
    pub fn push(&mut self, doc: Value) {
        self.docs.push(doc);
    }

    /// Records that the field at `path` moved.
    pub fn took(&mut self, path: &str) {
        if !self.taken.iter().any(|p| p == path) {
            self.taken.push(path.to_string());
        }
    }

    /// Whether a document of `kind` was produced.
    pub fn has(&self, kind: &str) -> bool {
        self.docs.iter().any(|d| kind_of(d) == Some(kind))
    }

    /// The unnamed document of `kind`, created when missing.
    pub fn doc(&mut self, kind: &str) -> &mut Value {
        let at = match self.docs.iter().position(|d| kind_of(d) == Some(kind)) {
            Some(i) => i,
            None => {
                self.docs.push(value::new_doc(kind, None));
                self.docs.len() - 1
            }
        };
        &mut self.docs[at]
    }

    /// Removes the document of `kind` again.
    pub fn drop_doc(&mut self, kind: &str) {
        self.docs.retain(|d| kind_of(d) != Some(kind));
    }
}

/// One field that moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// The v1alpha1 path it was at.
    pub source: String,
    /// The group (table entry) that moved it.
    pub group: &'static str,
    /// `Kind` or `Kind/name` of every document that group wrote.
    pub produced: Vec<String>,
}

impl Moved {
    /// Where the field went: `Kind.field` from the mapping table for a field that has a row
    /// (`HostnameConfig.hostname`), else the documents its group wrote (`KubeNetworkConfig,
    /// KubeFlannelCNIConfig` for the whole `cluster.network` section, `LinkConfig/eth0,
    /// VLANConfig/eth0.20` for `machine.network.interfaces`).
    pub fn target(&self) -> String {
        let rows: Vec<&table::FieldMap> = table::rows()
            .filter(|(g, _)| g.title == self.group)
            .map(|(_, r)| r)
            .collect();
        if let Some(r) = rows.iter().find(|r| r.source == self.source) {
            return match r.field {
                "" => r.kind.to_string(),
                f => format!("{}.{f}", r.kind),
            };
        }
        if !self.produced.is_empty() {
            return self.produced.join(", ");
        }
        self.group.to_string()
    }
}

/// Something the migration did not do, named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The v1alpha1 path concerned.
    pub path: String,
    /// What happened and what to do.
    pub message: String,
}

/// The result of [`migrate`].
#[derive(Debug, Clone)]
pub struct Migration {
    /// The migrated documents, in order: the v1alpha1 document first where it was, the documents
    /// the input already had, then the added ones.
    pub docs: Vec<Value>,
    /// Every field that moved.
    pub moved: Vec<Moved>,
    /// How many documents were added.
    pub added: usize,
    /// Fields that stay where they are, each with the reason.
    pub warnings: Vec<Warning>,
    /// Defaults for new clusters that change between the two contracts.
    pub defaults: Vec<defaults::DefaultChange>,
    /// Behaviour a moved group changes beyond the fields it names, or cannot decide alone.
    pub notes: Vec<&'static str>,
}

/// Said when `machine.network.interfaces` moved: Talos's `RunDefaultDHCPOperators`
/// (`container.go`) stops the default DHCP on every link once a link or DHCP document exists.
pub const DEFAULT_DHCP_NOTE: &str = "once a LinkConfig or DHCP document exists, Talos stops running DHCP by default on links no document names (RunDefaultDHCPOperators); add a DHCPv4Config for any other link that relied on it";

/// Why a migration cannot be done.
#[derive(Debug, Clone, thiserror::Error)]
pub enum MigrateError {
    /// The target contract is older than the one the config is written for.
    #[error(
        "target {to} is older than the config's contract {from}: migrate moves configs forward only"
    )]
    Backwards {
        /// The contract of the input.
        from: Contract,
        /// The requested target.
        to: Contract,
    },
    /// The migrated config would not validate under the target contract.
    #[error("the migrated config does not validate under {to}: {}", .findings.iter().map(|f| format!("{} {}: {}", f.document_label(), f.path, f.message)).collect::<Vec<_>>().join("; "))]
    Invalid {
        /// The target contract.
        to: Contract,
        /// The problems, new in the output.
        findings: Vec<Finding>,
    },
}

/// Migrates `docs` (a config or, with `patch`, a patch written for contract `from`) to `to`.
pub fn migrate(
    docs: &[Value],
    from: Contract,
    to: Contract,
    patch: bool,
) -> Result<Migration, MigrateError> {
    migrate_where(docs, from, to, patch, &|_| true)
}

/// [`migrate`], moving only the groups whose every moved v1alpha1 path `allow`s; the other
/// groups stay where they are without a warning. `machinist diff` uses it to migrate a node's
/// live config only as far as the rendered config moved (a field the rendered config still
/// keeps in v1alpha1 is not a move).
pub fn migrate_where(
    docs: &[Value],
    from: Contract,
    to: Contract,
    patch: bool,
    allow: &dyn Fn(&str) -> bool,
) -> Result<Migration, MigrateError> {
    if to < from {
        return Err(MigrateError::Backwards { from, to });
    }
    let mut out_docs: Vec<Value> = docs.to_vec();
    let mut moved = Vec::new();
    let mut warnings = Vec::new();
    let mut added = 0;
    let mut notes = Vec::new();
    if let Some(root_at) = out_docs.iter().position(is_v1alpha1) {
        for group in GROUPS.iter().filter(|g| g.step <= to) {
            let root = &out_docs[root_at];
            match run_group(group, root, to).and_then(|out| place(&out_docs, root_at, out)) {
                Ok(None) => {}
                Ok(Some(p)) if !p.taken.iter().all(|t| allow(t)) => {}
                Ok(Some(Placed {
                    next,
                    taken,
                    added: new_docs,
                    notes: group_notes,
                    produced,
                })) => {
                    out_docs = next;
                    added += new_docs;
                    notes.extend(group_notes);
                    if group.title == "network interfaces" {
                        notes.push(DEFAULT_DHCP_NOTE);
                    }
                    for path in taken {
                        take(&mut out_docs[root_at], &path);
                        moved.push(Moved {
                            source: path,
                            group: group.title,
                            produced: produced.clone(),
                        });
                    }
                }
                Err(b) => warnings.push(Warning {
                    message: format!(
                        "{} stays in v1alpha1: `{}` {}",
                        group.title, b.path, b.reason
                    ),
                    path: b.path,
                }),
            }
        }
    }
    // A patch whose every field moved leaves an empty v1alpha1 document behind: drop it.
    if let Some(at) = out_docs.iter().position(is_v1alpha1).or_else(|| {
        out_docs
            .iter()
            .position(|d| !moved.is_empty() && d.as_mapping().is_some_and(Mapping::is_empty))
    }) && out_docs[at].as_mapping().is_some_and(Mapping::is_empty)
    {
        out_docs.remove(at);
    }
    let json: Vec<serde_json::Value> = out_docs.iter().map(crate::schema::yaml_to_json).collect();
    for f in deprecated_fields(to, &json) {
        let dotted = f.pointer.trim_start_matches('/').replace('/', ".");
        if warnings.iter().any(|w| value::related(&dotted, &w.path)) {
            continue;
        }
        let note = table::NO_EQUIVALENT
            .iter()
            .find(|(p, _)| dotted == *p || dotted.starts_with(&format!("{p}.")))
            .map(|(_, n)| n.to_string())
            .or(f.hint.clone())
            .unwrap_or_else(|| "no document replaces it; it stays in v1alpha1".to_string());
        warnings.push(Warning {
            message: format!("{} ({}); {note}", f.message, f.path),
            path: dotted,
        });
    }
    let before = errors(to, docs, patch);
    let findings: Vec<Finding> = errors(to, &out_docs, patch)
        .into_iter()
        .filter(|f| !before.iter().any(|b| same_finding(b, f)))
        .collect();
    if !findings.is_empty() {
        return Err(MigrateError::Invalid { to, findings });
    }
    Ok(Migration {
        docs: out_docs,
        moved,
        added,
        warnings,
        defaults: defaults::between(from, to),
        notes,
    })
}

fn errors(to: Contract, docs: &[Value], patch: bool) -> Vec<Finding> {
    validate_documents(to, docs, patch)
}

fn same_finding(a: &Finding, b: &Finding) -> bool {
    a.kind == b.kind && a.name == b.name && a.pointer == b.pointer && a.message == b.message
}

/// Runs one group against the v1alpha1 document: the documents it would add and what it takes.
fn run_group(group: &Group, root: &Value, to: Contract) -> Result<Out, Blocked> {
    for section in group.sections {
        let Some(Value::Mapping(m)) = get(root, section) else {
            continue;
        };
        for key in m.keys() {
            let full = format!("{section}.{}", key.as_str().unwrap_or_default());
            let covered = group
                .rows
                .iter()
                .any(|r| r.source == full || full.starts_with(&format!("{}.", r.source)));
            if !covered {
                let why = table::NO_EQUIVALENT
                    .iter()
                    .find(|(p, _)| *p == full)
                    .map(|(_, n)| n.to_string())
                    .unwrap_or_else(|| format!("has no field in the {} documents", group.title));
                return Err(Blocked {
                    path: full,
                    reason: why,
                });
            }
        }
    }
    let mut out = Out::new(to);
    for row in group.rows.iter().filter(|r| r.how != How::Custom) {
        let Some(v) = get(root, row.source) else {
            continue;
        };
        let bad = |what: &str| Blocked {
            path: row.source.to_string(),
            reason: format!("expected {what}"),
        };
        let v = match row.how {
            How::Same => v.clone(),
            How::Not => Value::Bool(!truthy(v).ok_or_else(|| bad("true or false"))?),
            // A static hostname wins over a stable one (and `auto` excludes `hostname`).
            How::Stable => match truthy(v).ok_or_else(|| bad("true or false"))?
                && get(root, "machine.network.hostname").is_none()
            {
                true => "stable".into(),
                false => {
                    out.took(row.source);
                    continue;
                }
            },
            How::Strings => {
                let m = v.as_mapping().ok_or_else(|| bad("a map"))?;
                let mut s = Mapping::new();
                for (k, x) in m {
                    s.insert(
                        k.clone(),
                        scalar_string(x).ok_or_else(|| bad("scalar values"))?.into(),
                    );
                }
                Value::Mapping(s)
            }
            How::Nameservers => {
                let list = v.as_sequence().ok_or_else(|| bad("a list"))?;
                Value::Sequence(
                    list.iter()
                        .map(|a| {
                            let mut m = Mapping::new();
                            m.insert("address".into(), a.clone());
                            Value::Mapping(m)
                        })
                        .collect(),
                )
            }
            How::Custom => unreachable!("filtered out"),
        };
        let doc = out.doc(row.kind);
        if row.field.is_empty() {
            let mut conflicts = Vec::new();
            value::merge(doc, v, "", &mut conflicts);
        } else {
            set(doc, row.field, v);
        }
        out.took(row.source);
    }
    if let Some(convert) = group.convert {
        convert(root, &mut out)?;
    }
    for (kind, field, source) in group.required {
        if out.has(kind) && get(out.doc(kind), field).is_none() {
            return Err(Blocked {
                path: source.to_string(),
                reason: format!(
                    "is not set, and {kind} requires `{field}`: set it, then migrate again"
                ),
            });
        }
    }
    Ok(out)
}

/// What placing a group's output gives: the next documents, the paths taken, documents added.
struct Placed {
    next: Vec<Value>,
    taken: Vec<String>,
    added: usize,
    notes: Vec<&'static str>,
    /// `Kind` or `Kind/name` of every document the group wrote.
    produced: Vec<String>,
}

/// Adds a group's documents to the config: an unnamed kind that already exists is merged (a
/// conflicting value blocks the group), a named one that exists blocks it.
fn place(docs: &[Value], root_at: usize, out: Out) -> Result<Option<Placed>, Blocked> {
    if out.taken.is_empty() {
        return Ok(None);
    }
    let first = out.taken[0].clone();
    let produced = out
        .docs
        .iter()
        .map(|d| {
            let kind = kind_of(d).unwrap_or_default();
            match name_of(d) {
                Some(n) => format!("{kind}/{n}"),
                None => kind.to_string(),
            }
        })
        .collect();
    let mut next = docs.to_vec();
    let mut added = 0;
    for doc in out.docs {
        let kind = kind_of(&doc).unwrap_or_default().to_string();
        let name = name_of(&doc).map(str::to_string);
        let named = crate::kinds::lookup(&kind).is_some_and(|k| k.named);
        let existing = next.iter().enumerate().position(|(i, d)| {
            i != root_at
                && kind_of(d) == Some(kind.as_str())
                && (!named || name_of(d).map(str::to_string) == name)
        });
        match existing {
            Some(i) if !named => {
                // `talosctl gen config` (v1.12+) writes `HostnameConfig auto: stable`; a static
                // hostname from v1alpha1 replaces it (Talos refuses both, and `auto` excludes
                // `hostname`).
                if kind == "HostnameConfig"
                    && doc.get("hostname").is_some()
                    && let Some(m) = next[i].as_mapping_mut()
                {
                    m.remove("auto");
                }
                let mut conflicts = Vec::new();
                value::merge(&mut next[i], doc, "", &mut conflicts);
                if !conflicts.is_empty() {
                    return Err(Blocked {
                        path: first,
                        reason: format!(
                            "would set {} in the existing {kind} document, which sets it differently",
                            conflicts.join(", ")
                        ),
                    });
                }
            }
            Some(_) => {
                return Err(Blocked {
                    path: first,
                    reason: format!(
                        "would add {kind} {}, which the config already has",
                        name.unwrap_or_default()
                    ),
                });
            }
            None => {
                next.push(doc);
                added += 1;
            }
        }
    }
    Ok(Some(Placed {
        next,
        taken: out.taken,
        added,
        notes: out.notes,
        produced,
    }))
}

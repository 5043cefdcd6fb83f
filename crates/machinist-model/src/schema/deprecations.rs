//! Deprecated fields in use. In: a contract and the documents of a config (as JSON). Out: one
//! [`Finding`] per deprecated field that is set, saying from which contract it is deprecated and
//! which document kind replaces it. These are warnings, not errors: Talos still accepts the
//! fields, but warns about them on every apply and may drop them in a later release, so `lint`
//! and `validate` show them without failing.

use serde_json::{Map, Value};

use super::generate::{DEPRECATED, REPLACED_BY, annotation_contract, schema_in_contract};
use super::resolve::property_at;
use super::validate::{Finding, SchemaSet, identify, pointer, short_value, yaml_path};
use crate::Contract;

/// Whether the declaration `decl` of a property is deprecated in `contract`, and if so from
/// which contract (`None` inside the `Some`: deprecated in every contract).
fn deprecated_in(decl: &Value, contract: Contract) -> Option<Option<Contract>> {
    if !schema_in_contract(decl, contract) {
        return None;
    }
    if decl.get("deprecated") == Some(&Value::Bool(true)) {
        return Some(None);
    }
    annotation_contract(decl, DEPRECATED)
        .filter(|since| *since <= contract)
        .map(Some)
}

/// Deprecated fields of the v1alpha1 document that Talos's own `talosctl gen config` still
/// writes, with the last contract whose generator writes them (`None`: every contract): warning about what Talos itself
/// generates would only teach users to ignore the warnings. (`persist: true` is written in every
/// contract; the v1.11 generator also writes the three feature switches.)
const GENERATED_BY_TALOS: &[(&[&str], Option<Contract>)] = &[
    (&["persist"], None),
    (&["machine", "features", "rbac"], Some(Contract::V1_11)),
    (
        &["machine", "features", "apidCheckExtKeyUsage"],
        Some(Contract::V1_11),
    ),
    (
        &["cluster", "apiServer", "disablePodSecurityPolicy"],
        Some(Contract::V1_11),
    ),
];

fn generated_by_talos(root: bool, segs: &[String], key: &str, contract: Contract) -> bool {
    root && GENERATED_BY_TALOS.iter().any(|(path, last)| {
        last.is_none_or(|last| contract <= last)
            && path.len() == segs.len() + 1
            && path.last() == Some(&key)
            && path.iter().zip(segs).all(|(a, b)| a == b)
    })
}

struct Walk<'a> {
    contract: Contract,
    /// Whether the document is the v1alpha1 one.
    root: bool,
    start: Value,
    defs: &'a Map<String, Value>,
    index: usize,
    kind: Option<String>,
    name: Option<String>,
    doc: &'a Value,
    out: Vec<Finding>,
}

impl Walk<'_> {
    fn value(&mut self, segs: &mut Vec<String>, v: &Value) {
        match v {
            Value::Object(obj) => {
                for (key, child) in obj {
                    let decl = property_at(&self.start, self.defs, segs, key);
                    let found = decl
                        .filter(|_| !generated_by_talos(self.root, segs, key, self.contract))
                        .and_then(|d| {
                            let by = d.get(REPLACED_BY).and_then(Value::as_str);
                            deprecated_in(d, self.contract).map(|s| (by.map(str::to_string), s))
                        });
                    segs.push(key.clone());
                    match found {
                        // Below a deprecated field, everything goes with it: one warning.
                        Some((by, since)) => self.push(segs, child, by, since),
                        None if decl.is_some() => self.value(segs, child),
                        // Unknown keys are the validator's business.
                        None => {}
                    }
                    segs.pop();
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    segs.push(i.to_string());
                    self.value(segs, item);
                    segs.pop();
                }
            }
            _ => {}
        }
    }

    fn push(
        &mut self,
        segs: &[String],
        value: &Value,
        by: Option<String>,
        since: Option<Contract>,
    ) {
        let message = match since {
            Some(c) => format!("deprecated since Talos {c}; Talos still accepts it for now"),
            None => "deprecated; Talos still accepts it for now".to_string(),
        };
        let hint = by.map(|k| format!("move this setting to a `{k}` document"));
        self.out.push(Finding {
            document: self.index,
            kind: self.kind.clone(),
            name: self.name.clone(),
            path: yaml_path(self.doc, segs),
            pointer: pointer(segs),
            // A whole section as a value says nothing a reader of the path does not know.
            value: (!value.is_object() && !value.is_array()).then(|| short_value(value)),
            message,
            hint,
            rule: None,
            related: None,
        });
    }
}

impl SchemaSet {
    /// The deprecated fields that `docs` set, in `contract`, in document order. Documents the
    /// contract does not know are skipped (validation reports them).
    pub fn deprecations(&self, contract: Contract, docs: &[Value]) -> Vec<Finding> {
        let bundle = self.bundle();
        let mut out = Vec::new();
        for (index, doc) in docs.iter().enumerate() {
            let info = identify(bundle, doc);
            let def = match (info.entry, info.is_root) {
                (Some(e), _) if e.in_contract(contract) => e.def.clone(),
                (None, true) => bundle.root_def.clone(),
                _ => continue,
            };
            let mut walk = Walk {
                contract,
                root: info.entry.is_none(),
                start: serde_json::json!({ "$ref": format!("#/$defs/{def}") }),
                defs: &bundle.defs,
                index,
                kind: info.kind,
                name: info.name,
                doc,
                out: Vec::new(),
            };
            walk.value(&mut Vec::new(), doc);
            out.append(&mut walk.out);
        }
        out
    }
}

/// [`SchemaSet::deprecations`] of the machinist model.
pub fn deprecated_fields(contract: Contract, docs: &[Value]) -> Vec<Finding> {
    SchemaSet::machinist().deprecations(contract, docs)
}

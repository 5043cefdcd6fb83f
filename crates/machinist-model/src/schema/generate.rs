//! Building the schemas from the typed model. In: the v1alpha1 root type and the kind registry.
//! Out: a [`Bundle`] holding every definition with its `x-talos-since` / `x-talos-removed`
//! annotations, and the per-contract config and patch schemas derived from it by filtering.

use serde_json::{Map, Value, json};

use crate::Contract;
use crate::kinds::KindInfo;

/// The JSON Schema dialect of every schema machinist writes.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Annotation naming the first contract that has a field or kind.
pub const SINCE: &str = "x-talos-since";
/// Annotation naming the first contract that no longer has a field or kind.
pub const REMOVED: &str = "x-talos-removed";
/// Annotation: the first contract in which a field is deprecated (still accepted).
pub const DEPRECATED: &str = "x-talos-deprecated";
/// Annotation: the document kind that replaces a deprecated field.
pub const REPLACED_BY: &str = "x-talos-replaced-by";

/// Name of the definition that a `{ "$patch": "delete" }` marker validates against.
pub const PATCH_DELETE_DEF: &str = "machinist.PatchDelete";
/// Name of the definition of the value of a `$patch` key.
pub const PATCH_DIRECTIVE_DEF: &str = "machinist.PatchDirective";
/// Name of the definition of one JSON 6902 operation.
pub const JSON_PATCH_DEF: &str = "machinist.JsonPatchOperation";

/// A document kind as it appears in the bundle.
#[derive(Debug, Clone)]
pub struct KindEntry {
    /// The `kind:` value.
    pub kind: &'static str,
    /// The definition (under `$defs`) describing the document.
    pub def: String,
    /// Whether the document is identified by its `name`.
    pub named: bool,
    /// First contract with the kind.
    pub since: Contract,
    /// First contract without it.
    pub removed: Option<Contract>,
}

impl KindEntry {
    /// Whether `contract` accepts this kind.
    pub fn in_contract(&self, contract: Contract) -> bool {
        self.since <= contract && self.removed.is_none_or(|r| contract < r)
    }
}

/// Every definition of the model, unfiltered, with the contract annotations kept.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// Definitions by name, sorted by name.
    pub defs: Map<String, Value>,
    /// The definition of the legacy v1alpha1 document.
    pub root_def: String,
    /// The kinds, in registry order.
    pub kinds: Vec<KindEntry>,
}

/// The model the generator reads: the root document schema and the kinds.
#[derive(Clone, Copy)]
pub struct ModelSource {
    /// Produces the schema of the v1alpha1 root document (usually a `$ref`).
    pub root: fn(&mut schemars::SchemaGenerator) -> schemars::Schema,
    /// The multi-document kinds.
    pub kinds: &'static [KindInfo],
}

impl ModelSource {
    /// The machinist model: [`crate::v1alpha1::Config`] and [`crate::kinds::registry`].
    pub fn machinist() -> Self {
        ModelSource {
            root: |g| g.subschema_for::<crate::v1alpha1::Config>(),
            kinds: crate::kinds::registry(),
        }
    }
}

/// Where a bare `$ref` schema points, as a definition name.
fn ref_target(schema: &Value) -> Option<String> {
    let obj = schema.as_object()?;
    let r = obj.get("$ref")?.as_str()?;
    let name = r.strip_prefix("#/$defs/")?;
    // A `$ref` with nothing but annotations beside it names the definition itself.
    let only_ref = obj
        .keys()
        .all(|k| k == "$ref" || k == "description" || k.starts_with("x-"));
    only_ref.then(|| unescape_pointer(name))
}

pub use machinist_patch::pointer::unescape as unescape_pointer;

/// Stores `schema` as a definition and returns its name: a bare `$ref` names its target, anything
/// else is stored under `preferred` (or a variant of it when that name is taken).
fn store(defs: &mut Map<String, Value>, schema: Value, preferred: &str) -> String {
    if let Some(target) = ref_target(&schema) {
        return target;
    }
    let mut name = preferred.to_string();
    let mut n = 2;
    while defs.contains_key(&name) {
        name = format!(
            "{preferred}Document{}",
            if n == 2 { String::new() } else { n.to_string() }
        );
        n += 1;
    }
    defs.insert(name.clone(), schema);
    name
}

impl Bundle {
    /// Generates the bundle from `source`.
    pub fn generate(source: ModelSource) -> Bundle {
        let mut generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
        let root = (source.root)(&mut generator).to_value();
        let kind_schemas: Vec<Value> = source
            .kinds
            .iter()
            .map(|k| (k.schema)(&mut generator).to_value())
            .collect();
        let mut defs = generator.take_definitions(true);
        let root_def = store(&mut defs, root, "v1alpha1.Config");
        let kinds = source
            .kinds
            .iter()
            .zip(kind_schemas)
            .map(|(info, schema)| KindEntry {
                kind: info.kind,
                def: store(&mut defs, schema, info.kind),
                named: info.named,
                since: info.since,
                removed: info.removed,
            })
            .collect();
        let mut sorted: Vec<(String, Value)> = defs.into_iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        Bundle {
            defs: sorted.into_iter().collect(),
            root_def,
            kinds,
        }
    }

    /// The kind entry for `kind`, in any contract.
    pub fn kind(&self, kind: &str) -> Option<&KindEntry> {
        self.kinds.iter().find(|k| k.kind == kind)
    }
}

/// Parses a contract annotation value such as `"v1.12"`.
pub fn annotation_contract(schema: &Value, key: &str) -> Option<Contract> {
    schema.get(key)?.as_str()?.parse().ok()
}

/// Whether a schema (a property or a variant) carrying contract annotations exists in `contract`.
pub fn schema_in_contract(schema: &Value, contract: Contract) -> bool {
    let since_ok = annotation_contract(schema, SINCE).is_none_or(|s| s <= contract);
    let removed_ok = annotation_contract(schema, REMOVED).is_none_or(|r| contract < r);
    since_ok && removed_ok
}

/// Removes properties and variants that `contract` does not have, then the annotations themselves.
fn filter_contract(value: &mut Value, contract: Contract) {
    match value {
        Value::Object(obj) => {
            if let Some(Value::Object(props)) = obj.get_mut("properties") {
                props.retain(|_, p| schema_in_contract(p, contract));
                let kept: Vec<String> = props.keys().cloned().collect();
                if let Some(Value::Array(req)) = obj.get_mut("required") {
                    req.retain(|r| r.as_str().is_some_and(|r| kept.iter().any(|k| k == r)));
                }
            }
            for key in ["oneOf", "anyOf"] {
                if let Some(Value::Array(variants)) = obj.get_mut(key) {
                    variants.retain(|v| schema_in_contract(v, contract));
                }
            }
            if annotation_contract(&Value::Object(obj.clone()), DEPRECATED)
                .is_some_and(|d| d <= contract)
            {
                obj.insert("deprecated".into(), Value::Bool(true));
                if let Some(kind) = obj
                    .get(REPLACED_BY)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                {
                    let note = format!("Deprecated: use the `{kind}` document instead.");
                    let desc = match obj.get("description").and_then(Value::as_str) {
                        Some(d) => format!("{d}\n\n{note}"),
                        None => note,
                    };
                    obj.insert("description".into(), Value::String(desc));
                }
            }
            obj.remove(SINCE);
            obj.remove(REMOVED);
            obj.remove(DEPRECATED);
            obj.remove(REPLACED_BY);
            for (_, v) in obj.iter_mut() {
                filter_contract(v, contract);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| filter_contract(v, contract)),
        _ => {}
    }
}

/// Collects the definition names referenced from `value`.
fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(obj) => {
            if let Some(r) = obj.get("$ref").and_then(Value::as_str)
                && let Some(name) = r.strip_prefix("#/$defs/")
            {
                out.push(unescape_pointer(name));
            }
            obj.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// Keeps only the definitions reachable from `roots`.
fn prune(defs: &mut Map<String, Value>, roots: &[String]) {
    let mut seen: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let mut stack: Vec<String> = roots.to_vec();
    while let Some(name) = stack.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(def) = defs.get(&name) {
            collect_refs(def, &mut stack);
        }
    }
    defs.retain(|k, _| seen.contains(k));
}

/// Which of the two document schemas to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// Complete documents, as Talos loads them.
    Config,
    /// Strategic-merge patches: every key optional, `$patch: delete` markers allowed, and JSON
    /// 6902 operation lists.
    Patch,
    /// What the validator uses for patches: every key optional; the `$patch` markers are checked
    /// and removed from the document before the schema sees it.
    PatchChecked,
}

/// Removes every `required` list.
fn drop_required(value: &mut Value) {
    match value {
        Value::Object(obj) => {
            obj.remove("required");
            obj.values_mut().for_each(drop_required);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_required),
        _ => {}
    }
}

/// Whether `schema` (after following `$ref`s) only describes objects.
fn is_object_schema(schema: &Value, defs: &Map<String, Value>, depth: usize) -> bool {
    if depth > 16 {
        return false;
    }
    if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        let name = unescape_pointer(target.trim_start_matches("#/$defs/"));
        return defs
            .get(&name)
            .is_some_and(|d| is_object_schema(d, defs, depth + 1));
    }
    schema.get("type").and_then(Value::as_str) == Some("object")
}

/// Lets every object take a `$patch` key and every non-object value be a `$patch: delete` marker.
fn allow_patch_markers(value: &mut Value, defs: &Map<String, Value>) {
    let Value::Object(obj) = value else {
        if let Value::Array(items) = value {
            items.iter_mut().for_each(|v| allow_patch_markers(v, defs));
        }
        return;
    };
    // Children first, so wrappers are not wrapped twice.
    for (k, v) in obj.iter_mut() {
        if k == "properties" || k == "$defs" {
            if let Value::Object(props) = v {
                props
                    .values_mut()
                    .for_each(|p| allow_patch_markers(p, defs));
            }
        } else {
            allow_patch_markers(v, defs);
        }
    }
    let is_object =
        obj.get("type").and_then(Value::as_str) == Some("object") || obj.contains_key("properties");
    if is_object {
        let props = obj
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(props) = props {
            props.insert(
                "$patch".into(),
                json!({ "$ref": format!("#/$defs/{PATCH_DIRECTIVE_DEF}") }),
            );
        }
    }
    let wrap = |s: &mut Value| {
        if is_object_schema(s, defs, 0) || s.as_bool().is_some() {
            return;
        }
        let mut wrapper = Map::new();
        for key in ["description", "deprecated"] {
            if let Some(v) = s.get(key) {
                wrapper.insert(key.into(), v.clone());
            }
        }
        let inner = std::mem::take(s);
        wrapper.insert(
            "anyOf".into(),
            json!([inner, { "$ref": format!("#/$defs/{PATCH_DELETE_DEF}") }]),
        );
        *s = Value::Object(wrapper);
    };
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        for (k, p) in props.iter_mut() {
            if k != "$patch" {
                wrap(p);
            }
        }
    }
    if let Some(items) = obj.get_mut("items")
        && items.is_object()
    {
        wrap(items);
    }
    if let Some(extra) = obj.get_mut("additionalProperties")
        && extra.is_object()
    {
        wrap(extra);
    }
}

/// The definitions only patch schemas use.
fn patch_defs() -> [(&'static str, Value); 3] {
    [
        (
            PATCH_DIRECTIVE_DEF,
            json!({
                "description": "Strategic-merge directive: `delete` removes the map, list item or document it appears in from the config being patched.",
                "type": "string",
                "enum": ["delete"]
            }),
        ),
        (
            PATCH_DELETE_DEF,
            json!({
                "description": "Removes this value from the config being patched.",
                "type": "object",
                "properties": { "$patch": { "$ref": format!("#/$defs/{PATCH_DIRECTIVE_DEF}") } },
                "required": ["$patch"],
                "additionalProperties": false
            }),
        ),
        (
            JSON_PATCH_DEF,
            json!({
                "description": "One RFC 6902 JSON patch operation.",
                "type": "object",
                "properties": {
                    "op": {
                        "description": "The operation.",
                        "type": "string",
                        "enum": ["add", "remove", "replace", "move", "copy", "test"]
                    },
                    "path": {
                        "description": "JSON pointer to the target location, such as `/machine/network/hostname`.",
                        "type": "string",
                        "pattern": "^(/.*)?$"
                    },
                    "from": {
                        "description": "JSON pointer to the source location (move and copy).",
                        "type": "string",
                        "pattern": "^(/.*)?$"
                    },
                    "value": { "description": "The value to add, replace or test." }
                },
                "required": ["op", "path"],
                "additionalProperties": false
            }),
        ),
    ]
}

/// Builds the document schema of `flavor` for `contract` from the bundle.
pub fn document_schema(bundle: &Bundle, contract: Contract, flavor: Flavor) -> Value {
    let mut defs = bundle.defs.clone();
    let kinds: Vec<&KindEntry> = bundle
        .kinds
        .iter()
        .filter(|k| k.in_contract(contract))
        .collect();
    let mut roots: Vec<String> = vec![bundle.root_def.clone()];
    roots.extend(kinds.iter().map(|k| k.def.clone()));
    prune(&mut defs, &roots);
    for def in defs.values_mut() {
        filter_contract(def, contract);
    }
    // Filtering may have cut references, so prune again.
    prune(&mut defs, &roots);

    let dispatch: Vec<Value> = kinds
        .iter()
        .map(|k| {
            json!({
                "if": { "properties": { "kind": { "const": k.kind } } },
                "then": { "$ref": format!("#/$defs/{}", k.def) }
            })
        })
        .collect();
    let kind_names: Vec<&str> = kinds.iter().map(|k| k.kind).collect();
    let mut kinded = json!({
        "properties": {
            "apiVersion": {
                "description": "Version of the document format; always `v1alpha1`.",
                "const": "v1alpha1"
            },
            "kind": {
                "description": "The kind of document.",
                "type": "string",
                "enum": kind_names
            }
        },
        "allOf": dispatch
    });
    if flavor == Flavor::Config {
        kinded["required"] = json!(["apiVersion", "kind"]);
    } else {
        kinded["required"] = json!(["kind"]);
    }
    let document = json!({
        "type": "object",
        "if": { "required": ["kind"] },
        "then": kinded,
        "else": { "$ref": format!("#/$defs/{}", bundle.root_def) }
    });

    let (title, file) = match flavor {
        Flavor::Config => ("Talos machine configuration document", "config"),
        Flavor::Patch | Flavor::PatchChecked => ("Talos machine configuration patch", "patch"),
    };
    let mut root = Map::new();
    root.insert("$schema".into(), json!(DIALECT));
    root.insert(
        "$id".into(),
        json!(format!(
            "https://machinist.invalid/schema/{contract}/{file}.schema.json"
        )),
    );
    root.insert("title".into(), json!(format!("{title} (Talos {contract})")));
    let description = match flavor {
        Flavor::Config => format!(
            "One document of a Talos {contract} machine configuration: the v1alpha1 document (no `kind`) or a document with `apiVersion: v1alpha1` and a `kind`. Generated by `machinist schema`."
        ),
        _ => format!(
            "One document of a Talos {contract} strategic-merge patch (every key optional, `$patch: delete` allowed), or a list of JSON 6902 operations. Generated by `machinist schema`."
        ),
    };
    root.insert("description".into(), json!(description));
    match flavor {
        Flavor::Config => {
            for (k, v) in document.as_object().into_iter().flatten() {
                root.insert(k.clone(), v.clone());
            }
        }
        Flavor::Patch | Flavor::PatchChecked => {
            for def in defs.values_mut() {
                drop_required(def);
            }
            if flavor == Flavor::Patch {
                let snapshot = defs.clone();
                for def in defs.values_mut() {
                    allow_patch_markers(def, &snapshot);
                }
            }
            for (name, def) in patch_defs() {
                defs.insert(name.into(), def);
            }
            defs.insert("machinist.PatchDocument".into(), document);
            root.insert("if".into(), json!({ "type": "array" }));
            root.insert(
                "then".into(),
                json!({ "items": { "$ref": format!("#/$defs/{JSON_PATCH_DEF}") } }),
            );
            root.insert(
                "else".into(),
                json!({ "$ref": "#/$defs/machinist.PatchDocument" }),
            );
        }
    }
    let mut sorted: Vec<(String, Value)> = defs.into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    root.insert("$defs".into(), Value::Object(sorted.into_iter().collect()));
    Value::Object(root)
}

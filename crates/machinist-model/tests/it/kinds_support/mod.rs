//! Helpers shared by the multi-document kind tests: generating a self-contained JSON schema for
//! one kind, and walking JSON schemas into property paths (`shared/reference` is found by
//! `machinist_testkit`).

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use machinist_model::kinds::KindInfo;
use serde_json::Value;

/// A standalone draft 2020-12 schema of one kind: `$ref` to its definition plus every `$defs`
/// entry it needs.
pub fn kind_schema(info: &KindInfo) -> Value {
    let mut generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let schema = (info.schema)(&mut generator);
    let defs = generator.take_definitions(true);
    let mut root = schema.to_value();
    let map = root.as_object_mut().expect("kind schema is an object");
    map.insert("$defs".into(), Value::Object(defs));
    root
}

/// The JSON types a schema node admits (`null` left out), with the enum/const string values
/// when the node is an enumeration.
#[derive(Debug, Default, Clone)]
pub struct NodeTypes {
    pub types: BTreeSet<String>,
    pub values: Option<BTreeSet<String>>,
    /// `true` when the node accepts any value (free-form).
    pub any: bool,
    /// The newest `x-talos-since` seen on the way to this node.
    pub since: Option<String>,
    /// The oldest `x-talos-removed` seen on the way to this node.
    pub removed: Option<String>,
    /// `x-talos-since` of individual enumeration values that carry one.
    pub value_since: BTreeMap<String, String>,
}

/// Every property path of a schema (`a.b[].c`, `{}` for map values), with the types at each path.
pub fn property_paths(root: &Value, start: &Value) -> BTreeMap<String, NodeTypes> {
    let mut out = BTreeMap::new();
    walk(root, start, String::new(), (None, None), &mut out, 0);
    out
}

fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    let mut node = node;
    for _ in 0..16 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.rsplit('/').next().unwrap_or(r);
                node = &root["$defs"][name];
            }
            None => break,
        }
    }
    node
}

/// The alternatives of a node (`anyOf`/`oneOf` members, or the node itself), resolved.
fn alternatives<'a>(root: &'a Value, node: &'a Value) -> Vec<&'a Value> {
    let node = resolve(root, node);
    let mut out = Vec::new();
    for key in ["anyOf", "oneOf"] {
        if let Some(list) = node.get(key).and_then(Value::as_array) {
            for alt in list {
                out.extend(alternatives(root, alt));
            }
        }
    }
    if out.is_empty() {
        out.push(node);
    }
    out
}

fn since_of(node: &Value) -> Option<String> {
    annotation(node, "x-talos-since")
}

fn annotation(node: &Value, key: &str) -> Option<String> {
    node.get(key).and_then(Value::as_str).map(str::to_string)
}

fn older(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if version_key(&a) <= version_key(&b) {
            a
        } else {
            b
        }),
        (a, b) => a.or(b),
    }
}

fn newer(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if version_key(&a) >= version_key(&b) {
            a
        } else {
            b
        }),
        (a, b) => a.or(b),
    }
}

/// `v1.14` → 14.
pub fn version_key(v: &str) -> u32 {
    v.rsplit('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0)
}

fn walk(
    root: &Value,
    node: &Value,
    path: String,
    life: (Option<String>, Option<String>),
    out: &mut BTreeMap<String, NodeTypes>,
    depth: usize,
) {
    if depth > 24 {
        return;
    }
    let since = newer(life.0, since_of(node));
    let removed = older(life.1, annotation(node, "x-talos-removed"));
    let alts = alternatives(root, node);
    let mut types = NodeTypes {
        since: since.clone(),
        removed: removed.clone(),
        ..NodeTypes::default()
    };
    for alt in &alts {
        let alt_since = (
            newer(since.clone(), since_of(alt)),
            older(removed.clone(), annotation(alt, "x-talos-removed")),
        );
        if alt.as_bool() == Some(true) || alt.as_object().is_some_and(|m| m.is_empty()) {
            types.any = true;
        }
        match alt.get("type") {
            Some(Value::String(t)) => {
                types.types.insert(t.clone());
            }
            Some(Value::Array(ts)) => {
                types
                    .types
                    .extend(ts.iter().filter_map(Value::as_str).map(str::to_string));
            }
            _ => {}
        }
        let mut values = Vec::new();
        if let Some(list) = alt.get("enum").and_then(Value::as_array) {
            values.extend(list.iter().filter_map(Value::as_str).map(str::to_string));
        }
        if let Some(c) = alt.get("const").and_then(Value::as_str) {
            values.push(c.to_string());
            if let Some(since) = since_of(alt) {
                types.value_since.insert(c.to_string(), since);
            }
        }
        if !values.is_empty() {
            types.types.insert("string".into());
            types
                .values
                .get_or_insert_with(BTreeSet::new)
                .extend(values);
        }
        if let Some(props) = alt.get("properties").and_then(Value::as_object) {
            types.types.insert("object".into());
            for (name, child) in props {
                let child_path = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                walk(root, child, child_path, alt_since.clone(), out, depth + 1);
            }
        }
        if let Some(items) = alt.get("items") {
            walk(
                root,
                items,
                format!("{path}[]"),
                alt_since.clone(),
                out,
                depth + 1,
            );
        }
        let map_values = alt
            .get("patternProperties")
            .and_then(Value::as_object)
            .and_then(|m| m.values().next())
            .or_else(|| alt.get("additionalProperties").filter(|a| a.is_object()));
        if let Some(values) = map_values {
            walk(
                root,
                values,
                format!("{path}{{}}"),
                alt_since.clone(),
                out,
                depth + 1,
            );
        }
    }
    types.types.remove("null");
    if !path.is_empty() {
        out.insert(path, types);
    }
}

//! Coverage of the upstream schemas: every property path under `v1alpha1.Config` in Talos's
//! published v1.13, v1.14 and v1.15 schemas exists in the schema generated from our model, with a
//! type that accepts what upstream accepts. Also pins the contract annotations: a field the
//! v1.14 schema drops (Talos v1.14 deprecates it in favour of a multi-document kind) carries
//! `x-talos-deprecated`.

use std::collections::{BTreeMap, BTreeSet};

use machinist_model::Contract;
use machinist_model::v1alpha1::Config;
use serde_json::Value;

/// Paths where our type deliberately differs from the published schema, with the reason.
const TYPE_EXCEPTIONS: &[(&str, &str)] = &[
    (
        "machine.acceptedCAs",
        "the schema says an object with `crt`, but Talos's Go field is a list of such objects",
    ),
    (
        "cluster.acceptedCAs",
        "the schema says an object with `crt`, but Talos's Go field is a list of such objects",
    ),
    (
        "machine.logging.destinations[].endpoint",
        "the schema says an object without properties, but Talos decodes a URL string \
         (`tcp://host:port`)",
    ),
];

/// Upstream path prefixes that live under a different path in our schema because of a type
/// exception above (the upstream object is one item of our list).
const PATH_RENAMES: &[(&str, &str)] = &[
    ("machine.acceptedCAs.", "machine.acceptedCAs[]."),
    ("cluster.acceptedCAs.", "cluster.acceptedCAs[]."),
];

const UPSTREAM_ROOT: &str = "v1alpha1.Config";

fn our_path(upstream_path: &str) -> String {
    for (from, to) in PATH_RENAMES {
        if let Some(rest) = upstream_path.strip_prefix(from) {
            return format!("{to}{rest}");
        }
    }
    upstream_path.to_string()
}

/// Follows `$ref`s and expands `anyOf`/`oneOf`/`allOf` into the alternatives a value may match.
fn branches<'a>(root: &'a Value, node: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
    assert!(depth < 32, "schema nesting too deep");
    if let Some(r) = node.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/$defs/");
        let target = &root["$defs"][name];
        assert!(!target.is_null(), "dangling $ref {r}");
        branches(root, target, out, depth + 1);
    }
    let mut had_combinator = false;
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(list) = node.get(key).and_then(Value::as_array) {
            had_combinator = true;
            for alt in list {
                branches(root, alt, out, depth + 1);
            }
        }
    }
    if node.get("$ref").is_none() && (!had_combinator || node.get("type").is_some()) {
        out.push(node);
    }
}

fn resolve<'a>(root: &'a Value, node: &'a Value) -> Vec<&'a Value> {
    let mut out = Vec::new();
    branches(root, node, &mut out, 0);
    out
}

/// The children of a node: `.name` for properties, `[]` for list items, `{}` for map values.
fn children<'a>(root: &'a Value, node: &'a Value) -> Vec<(String, &'a Value)> {
    let mut out = Vec::new();
    for b in resolve(root, node) {
        if let Some(props) = b.get("properties").and_then(Value::as_object) {
            for (k, v) in props {
                out.push((format!(".{k}"), v));
            }
        }
        if let Some(items) = b.get("items").filter(|i| i.is_object()) {
            out.push(("[]".to_string(), items));
        }
        if let Some(ap) = b.get("additionalProperties").filter(|a| a.is_object()) {
            out.push(("{}".to_string(), ap));
        }
        if let Some(pp) = b.get("patternProperties").and_then(Value::as_object) {
            for v in pp.values() {
                out.push(("{}".to_string(), v));
            }
        }
    }
    out
}

/// Every path below `node`, with the schema node at that path.
fn collect_paths<'a>(
    root: &'a Value,
    node: &'a Value,
    prefix: &str,
    out: &mut BTreeMap<String, &'a Value>,
    depth: usize,
) {
    if depth > 12 {
        return;
    }
    for (step, child) in children(root, node) {
        let path = format!("{prefix}{step}");
        if out.insert(path.clone(), child).is_none() {
            collect_paths(root, child, &path, out, depth + 1);
        }
    }
}

fn find<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let start = root;
    let mut nodes = vec![start];
    let mut rest = path;
    while !rest.is_empty() {
        let (step, tail) = if let Some(t) = rest.strip_prefix("[]") {
            ("[]".to_string(), t)
        } else if let Some(t) = rest.strip_prefix("{}") {
            ("{}".to_string(), t)
        } else {
            let body = rest.strip_prefix('.').unwrap_or(rest);
            let end = body.find(['.', '[', '{']).unwrap_or(body.len());
            (format!(".{}", &body[..end]), &body[end..])
        };
        let next: Vec<&Value> = nodes
            .iter()
            .flat_map(|n| children(root, n))
            .filter(|(s, _)| *s == step)
            .map(|(_, v)| v)
            .collect();
        if next.is_empty() {
            return None;
        }
        nodes = next;
        rest = tail;
    }
    nodes.first().copied()
}

/// The JSON types a schema node accepts; `None` when it does not restrict the type.
fn accepted_types(root: &Value, node: &Value) -> Option<BTreeSet<String>> {
    let mut types = BTreeSet::new();
    for b in resolve(root, node) {
        match b.get("type") {
            Some(Value::String(t)) => {
                types.insert(t.clone());
            }
            Some(Value::Array(ts)) => {
                types.extend(ts.iter().filter_map(|t| t.as_str().map(String::from)))
            }
            _ => {
                let values: Vec<&Value> = match (b.get("enum"), b.get("const")) {
                    (Some(Value::Array(vs)), _) => vs.iter().collect(),
                    (_, Some(c)) => vec![c],
                    _ if b.get("properties").is_some() => {
                        types.insert("object".into());
                        continue;
                    }
                    _ if b.get("items").is_some() => {
                        types.insert("array".into());
                        continue;
                    }
                    _ => return None,
                };
                for v in values {
                    types.insert(
                        match v {
                            Value::String(_) => "string",
                            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
                            Value::Number(_) => "number",
                            Value::Bool(_) => "boolean",
                            Value::Null => "null",
                            Value::Array(_) => "array",
                            Value::Object(_) => "object",
                        }
                        .to_string(),
                    );
                }
            }
        }
    }
    Some(types)
}

fn compatible(upstream: &Option<BTreeSet<String>>, ours: &Option<BTreeSet<String>>) -> bool {
    let Some(ours) = ours else { return true };
    let Some(upstream) = upstream else {
        return false;
    };
    upstream
        .iter()
        .all(|t| ours.contains(t) || (t == "integer" && ours.contains("number")))
}

fn upstream_schema(version: &str) -> Option<Value> {
    let dir = machinist_testkit::reference_or_skip()?;
    let text =
        std::fs::read_to_string(dir.join(format!("talos-schema/{version}/config.schema.json")))
            .unwrap();
    Some(serde_json::from_str(&text).unwrap())
}

fn upstream_paths(schema: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    collect_paths(schema, &schema["$defs"][UPSTREAM_ROOT], "", &mut out, 0);
    out.into_iter()
        .map(|(k, v)| (k.trim_start_matches('.').to_string(), v.clone()))
        .collect()
}

fn ours() -> Value {
    serde_json::to_value(schemars::schema_for!(Config)).unwrap()
}

#[test]
fn every_upstream_v1alpha1_path_exists_with_a_compatible_type() {
    let ours = ours();
    let mut total = 0usize;
    let mut covered = 0usize;
    let mut problems = Vec::new();
    for version in ["v1.13", "v1.14", "v1.15"] {
        let Some(upstream) = upstream_schema(version) else {
            return;
        };
        let paths = upstream_paths(&upstream);
        assert!(
            paths.len() > 20,
            "{version}: only {} paths found",
            paths.len()
        );
        let mut version_covered = 0usize;
        for (path, node) in &paths {
            total += 1;
            let Some(mine) = find(&ours, &our_path(path)) else {
                problems.push(format!("{version}: {path}: missing"));
                continue;
            };
            let up_types = accepted_types(&upstream, node);
            let my_types = accepted_types(&ours, mine);
            let excepted = TYPE_EXCEPTIONS.iter().any(|(p, _)| p == path);
            if excepted || compatible(&up_types, &my_types) {
                covered += 1;
                version_covered += 1;
            } else {
                problems.push(format!(
                    "{version}: {path}: upstream accepts {up_types:?}, ours {my_types:?}"
                ));
            }
        }
        println!(
            "{version}: {version_covered}/{} v1alpha1 paths covered",
            paths.len()
        );
    }
    let pct = 100.0 * covered as f64 / total as f64;
    println!("coverage: {covered}/{total} upstream v1alpha1 property paths ({pct:.1}%)");
    assert!(problems.is_empty(), "not covered:\n{}", problems.join("\n"));
    assert_eq!(covered, total);
}

#[test]
fn type_exceptions_are_still_needed() {
    let ours = ours();
    let Some(upstream) = upstream_schema("v1.13") else {
        return;
    };
    let paths = upstream_paths(&upstream);
    for (path, reason) in TYPE_EXCEPTIONS {
        let node = paths
            .get(*path)
            .unwrap_or_else(|| panic!("{path} left upstream"));
        let mine = find(&ours, path).unwrap();
        assert!(
            !compatible(
                &accepted_types(&upstream, node),
                &accepted_types(&ours, mine)
            ),
            "{path} is listed as an exception ({reason}) but the types agree now"
        );
    }
}

fn annotation<'a>(root: &'a Value, node: &'a Value, key: &str) -> Option<&'a Value> {
    node.get(key)
        .or_else(|| resolve(root, node).into_iter().find_map(|b| b.get(key)))
}

#[test]
fn fields_dropped_from_the_v1_14_schema_are_marked_deprecated_from_v1_14() {
    let ours = ours();
    let (Some(v13), Some(v14)) = (upstream_schema("v1.13"), upstream_schema("v1.14")) else {
        return;
    };
    let old = upstream_paths(&v13);
    let new = upstream_paths(&v14);
    let mut dropped = 0;
    let mut problems = Vec::new();
    for path in old.keys().filter(|p| !new.contains_key(*p)) {
        // Only the field where the drop happens needs the mark; its children go with it.
        let parent_dropped = old
            .keys()
            .any(|p| p != path && path.starts_with(p.as_str()) && !new.contains_key(p));
        if parent_dropped {
            continue;
        }
        dropped += 1;
        let mine = find(&ours, path).unwrap();
        let marked = annotation(&ours, mine, "deprecated") == Some(&Value::Bool(true))
            || annotation(&ours, mine, "x-talos-deprecated")
                .and_then(Value::as_str)
                .and_then(|v| v.parse::<Contract>().ok())
                .is_some_and(|c| c <= Contract::V1_14);
        if !marked {
            problems.push(path.clone());
        }
    }
    assert!(dropped >= 30, "only {dropped} dropped fields found");
    assert!(problems.is_empty(), "not marked deprecated: {problems:#?}");
}

#[test]
fn contract_annotations_name_supported_contracts_and_objects_are_closed() {
    let ours = ours();
    let mut stack = vec![&ours];
    let mut annotated = 0;
    while let Some(node) = stack.pop() {
        match node {
            Value::Object(map) => {
                for key in ["x-talos-since", "x-talos-removed", "x-talos-deprecated"] {
                    if let Some(v) = map.get(key) {
                        annotated += 1;
                        let text = v.as_str().expect("contract annotation is a string");
                        assert!(text.parse::<Contract>().is_ok(), "{key}: {text}");
                    }
                }
                if map.contains_key("properties") {
                    assert_eq!(
                        map.get("additionalProperties"),
                        Some(&Value::Bool(false)),
                        "object schema accepts unknown keys: {node}"
                    );
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    assert!(annotated >= 40, "only {annotated} contract annotations");
}

#[test]
fn type_comparison_is_strict_where_it_must_be() {
    let root = serde_json::json!({});
    let types = |v: Value| accepted_types(&root, &v);
    let string = types(serde_json::json!({"type": "string"}));
    let integer = types(serde_json::json!({"type": "integer"}));
    let number_or_null = types(serde_json::json!({"type": ["number", "null"]}));
    let enum_strings = types(serde_json::json!({"enum": ["a", "b"]}));
    assert!(!compatible(&integer, &string));
    assert!(!compatible(&string, &integer));
    assert!(compatible(&integer, &number_or_null));
    assert!(compatible(&enum_strings, &string));
    assert!(!compatible(
        &string,
        &types(serde_json::json!({"type": "object"}))
    ));
    assert!(compatible(&string, &types(serde_json::json!({}))));
}

/// Kind names a published schema knows, plus the decoder's spelling where the schema differs.
fn kind_names(schema: &Value) -> BTreeSet<String> {
    let mut kinds: BTreeSet<String> = schema["$defs"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|d| d["properties"]["kind"]["enum"].as_array())
        .flatten()
        .filter_map(|k| k.as_str().map(String::from))
        .collect();
    if kinds.remove("UnattendedInstall") {
        kinds.insert("UnattendedInstallConfig".into());
    }
    kinds
}

#[test]
fn replacement_kinds_exist_when_the_field_is_deprecated() {
    let ours = ours();
    let (Some(v13), Some(v14)) = (upstream_schema("v1.13"), upstream_schema("v1.14")) else {
        return;
    };
    let (kinds13, kinds14) = (kind_names(&v13), kind_names(&v14));
    let mut checked = 0;
    let mut stack = vec![&ours];
    while let Some(node) = stack.pop() {
        match node {
            Value::Object(map) => {
                if let Some(kind) = map.get("x-talos-replaced-by").and_then(Value::as_str) {
                    checked += 1;
                    let since = map
                        .get("x-talos-deprecated")
                        .and_then(Value::as_str)
                        .and_then(|c| c.parse::<Contract>().ok())
                        .expect("a replaced field says since when it is deprecated");
                    // No schema older than v1.13 is available; v1.12 deprecations are checked
                    // against the v1.13 schema.
                    let kinds = if since >= Contract::V1_14 {
                        &kinds14
                    } else {
                        &kinds13
                    };
                    assert!(
                        kinds.contains(kind),
                        "{kind} (replacing a field deprecated in {since}) is not a kind of that \
                         contract"
                    );
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    assert!(checked >= 40, "only {checked} replacement hints");
}

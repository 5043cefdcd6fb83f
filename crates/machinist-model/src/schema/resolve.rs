//! Looking up the schema that applies at a path of a document. In: the definitions of a schema and
//! a path of keys and list indexes. Out: the schemas that describe the value there, so findings can
//! list the keys allowed at a path and say in which contract a key exists.

use serde_json::{Map, Value};

use super::generate::unescape_pointer;

/// Follows `$ref`s and opens `allOf`/`anyOf`/`oneOf` and `if`/`then`/`else` branches, collecting
/// every schema that may apply to the same value.
fn expand<'a>(
    schema: &'a Value,
    defs: &'a Map<String, Value>,
    out: &mut Vec<&'a Value>,
    depth: u32,
) {
    if depth > 24 || !schema.is_object() {
        return;
    }
    out.push(schema);
    if let Some(target) = schema.get("$ref").and_then(Value::as_str)
        && let Some(def) = defs.get(&unescape_pointer(target.trim_start_matches("#/$defs/")))
    {
        expand(def, defs, out, depth + 1);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = schema.get(key) {
            items.iter().for_each(|s| expand(s, defs, out, depth + 1));
        }
    }
    for key in ["then", "else"] {
        if let Some(s) = schema.get(key) {
            expand(s, defs, out, depth + 1);
        }
    }
}

/// The schemas that describe the value at `path` (keys and list indexes as text) below `start`.
pub fn schemas_at<'a>(
    start: &'a Value,
    defs: &'a Map<String, Value>,
    path: &[String],
) -> Vec<&'a Value> {
    let mut current = Vec::new();
    expand(start, defs, &mut current, 0);
    for seg in path {
        let mut next = Vec::new();
        for schema in &current {
            if let Some(p) = schema.get("properties").and_then(|p| p.get(seg.as_str())) {
                expand(p, defs, &mut next, 0);
                continue;
            }
            if let Some(extra) = schema.get("additionalProperties")
                && extra.is_object()
            {
                expand(extra, defs, &mut next, 0);
            }
            if seg.parse::<usize>().is_ok()
                && let Some(items) = schema.get("items")
            {
                expand(items, defs, &mut next, 0);
            }
        }
        if next.is_empty() {
            return next;
        }
        current = next;
    }
    current
}

/// The keys declared at `path` below `start`, sorted and without duplicates.
pub fn keys_at(start: &Value, defs: &Map<String, Value>, path: &[String]) -> Vec<String> {
    let mut keys: Vec<String> = schemas_at(start, defs, path)
        .iter()
        .filter_map(|s| s.get("properties").and_then(Value::as_object))
        .flat_map(|p| p.keys().cloned())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The declaration of property `key` at `path` below `start` (as written, before `$ref`).
pub fn property_at<'a>(
    start: &'a Value,
    defs: &'a Map<String, Value>,
    path: &[String],
    key: &str,
) -> Option<&'a Value> {
    schemas_at(start, defs, path)
        .into_iter()
        .find_map(|s| s.get("properties").and_then(|p| p.get(key)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn follows_refs_items_and_maps() {
        let defs: Map<String, Value> = json!({
            "Iface": { "type": "object", "properties": { "mtu": { "type": "integer" }, "dhcp": {} } },
            "Root": { "type": "object", "properties": {
                "interfaces": { "type": "array", "items": { "$ref": "#/$defs/Iface" } },
                "labels": { "type": "object", "additionalProperties": { "$ref": "#/$defs/Iface" } }
            } }
        })
        .as_object()
        .unwrap()
        .clone();
        let root = json!({ "$ref": "#/$defs/Root" });
        let p = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            keys_at(&root, &defs, &p(&["interfaces", "0"])),
            ["dhcp", "mtu"]
        );
        assert_eq!(keys_at(&root, &defs, &p(&["labels", "x"])), ["dhcp", "mtu"]);
        assert!(keys_at(&root, &defs, &p(&["nope"])).is_empty());
        assert_eq!(
            property_at(&root, &defs, &p(&["interfaces", "3"]), "mtu"),
            Some(&json!({ "type": "integer" }))
        );
    }
}

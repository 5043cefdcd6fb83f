//! Small operations on untyped YAML values that the migration needs. In: a `serde_yaml_ng::Value`
//! and a dotted path such as `machine.network.hostname`. Out: the value found there, the value taken
//! out (with the maps it leaves empty pruned), or a value written there. Keys keep their order, so
//! what the migration leaves alone comes out as it went in.

use serde_yaml_ng::{Mapping, Value};

/// The value at `path` (dot-separated map keys), if any.
pub fn get<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(root, |cur, key| cur.get(key))
}

/// Takes the value at `path` out of `root`; every map left empty on the way up is removed too,
/// so `machine.network: {}` does not stay behind once its last field moved.
pub fn take(root: &mut Value, path: &str) -> Option<Value> {
    let keys: Vec<&str> = path.split('.').collect();
    take_keys(root, &keys)
}

fn take_keys(cur: &mut Value, keys: &[&str]) -> Option<Value> {
    let map = cur.as_mapping_mut()?;
    let (first, rest) = keys.split_first()?;
    if rest.is_empty() {
        return map.remove(*first);
    }
    let child = map.get_mut(*first)?;
    let out = take_keys(child, rest);
    if child.as_mapping().is_some_and(Mapping::is_empty) {
        map.remove(*first);
    }
    out
}

/// Writes `value` at `path` inside `root`, creating maps on the way.
pub fn set(root: &mut Value, path: &str, value: Value) {
    let mut cur = root;
    let keys: Vec<&str> = path.split('.').collect();
    for (i, key) in keys.iter().enumerate() {
        if !cur.is_mapping() {
            *cur = Value::Mapping(Mapping::new());
        }
        let map = cur.as_mapping_mut().expect("just made a map");
        if i + 1 == keys.len() {
            map.insert(Value::from(*key), value);
            return;
        }
        cur = map
            .entry(Value::from(*key))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
    }
}

/// Whether dotted path `a` is `b`, inside `b`, or contains `b` (segment-wise: `cluster.secret`
/// is not related to `cluster.secretboxEncryptionSecret`).
pub fn related(a: &str, b: &str) -> bool {
    a == b || a.starts_with(&format!("{b}.")) || b.starts_with(&format!("{a}."))
}

/// A new multi-document kind with its `apiVersion`, `kind` and (for named kinds) `name`.
pub fn new_doc(kind: &str, name: Option<&str>) -> Value {
    let mut map = Mapping::new();
    map.insert("apiVersion".into(), "v1alpha1".into());
    map.insert("kind".into(), kind.into());
    if let Some(name) = name {
        map.insert("name".into(), name.into());
    }
    Value::Mapping(map)
}

/// The `kind` of a document (`None` for the v1alpha1 document).
pub fn kind_of(doc: &Value) -> Option<&str> {
    doc.get("kind").and_then(Value::as_str)
}

/// The `name` of a document, if it has one.
pub fn name_of(doc: &Value) -> Option<&str> {
    doc.get("name").and_then(Value::as_str)
}

/// Whether a document is the legacy v1alpha1 one (no `kind`, and `version`, `machine` or
/// `cluster` at the top).
pub fn is_v1alpha1(doc: &Value) -> bool {
    doc.is_mapping()
        && kind_of(doc).is_none()
        && ["version", "machine", "cluster", "debug", "persist"]
            .iter()
            .any(|k| doc.get(k).is_some())
}

/// A YAML truth value as Talos's decoder reads it (`true`, `yes`, `on`... and their spellings).
pub fn truthy(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.as_str() {
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
                Some(true)
            }
            "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False"
            | "FALSE" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A scalar as the string Talos's `map[string]string` fields hold (`1` → `"1"`).
pub fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Deep-merges `extra` into `base`: maps merge key by key, anything else in `extra` replaces.
/// Adds to `conflicts` the dotted paths both set to different values (the caller reports them).
pub fn merge(base: &mut Value, extra: Value, at: &str, conflicts: &mut Vec<String>) {
    match (base, extra) {
        (Value::Mapping(b), Value::Mapping(e)) => {
            for (k, v) in e {
                let key = k.as_str().unwrap_or_default().to_string();
                let path = if at.is_empty() {
                    key
                } else {
                    format!("{at}.{key}")
                };
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v, &path, conflicts),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, e) => {
            if *b != e {
                conflicts.push(at.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(s: &str) -> Value {
        serde_yaml_ng::from_str(s).unwrap()
    }

    #[test]
    fn take_prunes_emptied_maps_and_keeps_siblings() {
        let mut v = y("machine:\n  network:\n    hostname: a\n  type: worker\n");
        assert_eq!(take(&mut v, "machine.network.hostname"), Some("a".into()));
        assert_eq!(v, y("machine:\n  type: worker\n"));
        assert_eq!(take(&mut v, "machine.nothing.here"), None);
    }

    #[test]
    fn set_creates_maps_and_merge_reports_conflicts() {
        let mut v = Value::Null;
        set(&mut v, "a.b", 1.into());
        assert_eq!(v, y("a:\n  b: 1\n"));
        let mut conflicts = Vec::new();
        merge(&mut v, y("a:\n  b: 2\n  c: 3\n"), "", &mut conflicts);
        assert_eq!(conflicts, vec!["a.b".to_string()]);
        assert_eq!(get(&v, "a.c"), Some(&Value::from(3)));
    }
}

//! Zero-copy template values. In: merged values as shared JSON (`Arc<serde_json::Value>`) and
//! each node's name, address, facets and role. Out: minijinja values that read the JSON in place
//! (maps and lists become objects that convert only the parts a template touches), and one
//! [`NodeEntry`] per node for `cluster.nodes`, built once per run with every attribute a ready
//! value. A fleet's `cluster.nodes` therefore costs one pointer per node, not a copy of every
//! node's values for every node. Merged [`Values`] read the same way, key by key; a node's own
//! `values` variable is converted in full instead, once per shared map or subtree and rendering
//! thread ([`Converted`]), since templates read most of it.

use std::collections::HashMap;
use std::sync::Arc;

use minijinja::Value;
use minijinja::value::{Enumerator, Object, ObjectExt, ObjectRepr};
use serde_json::Value as Json;

use crate::values::Values;

/// One step into the JSON tree.
#[derive(Debug, Clone)]
enum Step {
    Key(Arc<str>),
    Index(usize),
}

/// A map or list inside shared JSON.
#[derive(Debug)]
struct JsonView {
    root: Arc<Json>,
    path: Vec<Step>,
}

impl JsonView {
    fn target(&self) -> &Json {
        let mut cur = &*self.root;
        for step in &self.path {
            cur = match step {
                Step::Key(k) => &cur[&**k],
                Step::Index(i) => &cur[*i],
            };
        }
        cur
    }

    fn child(&self, step: Step) -> Value {
        let mut path = self.path.clone();
        path.push(step);
        view_at(self.root.clone(), path)
    }
}

/// A template value for the whole of `root`.
pub fn view(root: Arc<Json>) -> Value {
    view_at(root, Vec::new())
}

/// A template value for merged values: a map of their top-level keys, each read in place.
pub fn view_values(values: &Values) -> Value {
    Value::from_object(ValuesView(values.clone()))
}

/// A JSON tree as a plain template value, converted in full: maps keep their order, numbers read
/// as [`view`] reads them.
pub fn to_value(json: &Json) -> Value {
    match json {
        Json::Null => Value::from(()),
        Json::Bool(b) => Value::from(*b),
        Json::Number(n) => number(n),
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(items) => Value::from(items.iter().map(to_value).collect::<Vec<_>>()),
        Json::Object(map) => Value::from(
            map.iter()
                .map(|(k, v)| (Value::from(k.as_str()), to_value(v)))
                .collect::<indexmap::IndexMap<Value, Value>>(),
        ),
    }
}

fn number(n: &serde_json::Number) -> Value {
    if let Some(i) = n.as_i64() {
        Value::from(i)
    } else if let Some(u) = n.as_u64() {
        Value::from(u)
    } else {
        Value::from(n.as_f64().unwrap_or(f64::NAN))
    }
}

/// Merged values as ready template values, for one rendering thread. Nodes without values of
/// their own share their layer combination's merged values, and the others share every top-level
/// subtree they leave alone (see [`Values`]); each shared map and subtree is converted once and
/// reused for every node, so reading `values.x.y` costs map lookups, not a walk from the root with
/// an allocation per step. Each thread keeps its own conversions: the reference counts of a value
/// two threads clone for every node would bounce between the cores.
#[derive(Debug, Default)]
pub struct Converted {
    /// Whole `values` maps by the address of their storage (the first key), with the values kept
    /// alive so the address is not reused while it is a key.
    maps: HashMap<usize, (Values, Value)>,
    /// Converted subtrees by the address of their JSON, kept alive the same way.
    subtrees: HashMap<usize, (Arc<Json>, Value)>,
}

impl Converted {
    /// The `values` variable of a node.
    pub fn values(&mut self, values: &Values) -> Value {
        let Some((first, _)) = values.entries().next() else {
            return Value::from(indexmap::IndexMap::<Value, Value>::new());
        };
        let key = std::ptr::from_ref(first) as usize;
        if let Some((_, v)) = self.maps.get(&key) {
            return v.clone();
        }
        let map = Value::from(
            values
                .entries()
                .map(|(k, v)| (Value::from(k.as_str()), self.subtree(v)))
                .collect::<indexmap::IndexMap<Value, Value>>(),
        );
        self.maps.insert(key, (values.clone(), map.clone()));
        map
    }

    fn subtree(&mut self, json: &Arc<Json>) -> Value {
        let key = Arc::as_ptr(json) as usize;
        self.subtrees
            .entry(key)
            .or_insert_with(|| (json.clone(), to_value(json)))
            .1
            .clone()
    }
}

/// Merged values as a template map.
#[derive(Debug)]
struct ValuesView(Values);

impl Object for ValuesView {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.0.get(key.as_str()?).map(|v| view(v.clone()))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        self.mapped_enumerator(|this| {
            let keys: Box<dyn Iterator<Item = Value> + Send + Sync + '_> =
                Box::new(this.0.entries().map(|(k, _)| Value::from(k.as_str())));
            keys
        })
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.0.len())
    }

    fn is_true(self: &Arc<Self>) -> bool {
        !self.0.is_empty()
    }
}

fn view_at(root: Arc<Json>, path: Vec<Step>) -> Value {
    let probe = JsonView { root, path };
    match probe.target() {
        Json::Null => Value::from(()),
        Json::Bool(b) => Value::from(*b),
        Json::Number(n) => number(n),
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(_) | Json::Object(_) => Value::from_object(probe),
    }
}

impl Object for JsonView {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        match self.target() {
            Json::Array(_) => ObjectRepr::Seq,
            _ => ObjectRepr::Map,
        }
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match self.target() {
            Json::Object(map) => {
                let k = key.as_str()?;
                let (k, _) = map.get_key_value(k)?;
                Some(self.child(Step::Key(Arc::from(k.as_str()))))
            }
            Json::Array(items) => {
                let i = key.as_usize()?;
                (i < items.len()).then(|| self.child(Step::Index(i)))
            }
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match self.target() {
            Json::Object(_) => self.mapped_enumerator(|this| {
                let keys: Box<dyn Iterator<Item = Value> + Send + Sync + '_> = match this.target() {
                    Json::Object(map) => Box::new(map.keys().map(|k| Value::from(k.as_str()))),
                    _ => Box::new(std::iter::empty()),
                };
                keys
            }),
            Json::Array(items) => {
                let n = items.len();
                let this = self.clone();
                Enumerator::Iter(Box::new((0..n).map(move |i| this.child(Step::Index(i)))))
            }
            _ => Enumerator::Empty,
        }
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        match self.target() {
            Json::Object(m) => Some(m.len()),
            Json::Array(a) => Some(a.len()),
            _ => None,
        }
    }

    fn is_true(self: &Arc<Self>) -> bool {
        self.enumerator_len().is_some_and(|n| n > 0)
    }
}

/// One node as `cluster.nodes` (and `cluster.controlplanes`, `cluster.workers`) show it. Built
/// once per run and shared by every node's render: each attribute is a ready value, so a loop over
/// the fleet costs a pointer copy per node and no lookup work per attribute.
#[derive(Debug, Clone)]
pub struct NodeEntry {
    name: Value,
    address: Value,
    facets: Value,
    role: Value,
    values: Value,
}

impl NodeEntry {
    /// The entry of a node named `name`, reached at `address`, with its facets, role facet and
    /// merged values.
    pub fn new(
        name: &str,
        address: &str,
        facets: Json,
        role: Option<&str>,
        values: &Values,
    ) -> Self {
        NodeEntry {
            name: Value::from(name),
            address: Value::from(address),
            facets: view(Arc::new(facets)),
            role: role.map_or(Value::from(()), Value::from),
            values: view_values(values),
        }
    }

    /// The entry as a template value.
    pub fn into_value(self) -> Value {
        Value::from_object(self)
    }
}

impl Object for NodeEntry {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    // `n.role` in a loop over the fleet comes here directly, without a temporary key value.
    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        Some(
            match key {
                "name" => &self.name,
                "address" => &self.address,
                "facets" => &self.facets,
                "role" => &self.role,
                "values" => &self.values,
                _ => return None,
            }
            .clone(),
        )
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&["name", "address", "facets", "role", "values"])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(tpl: &str, json: Json) -> String {
        let env = minijinja::Environment::new();
        env.render_str(tpl, minijinja::context! { v => view(Arc::new(json)) })
            .unwrap()
    }

    #[test]
    fn reads_maps_lists_and_scalars_in_place() {
        let j = serde_json::json!({"a": {"b": [1, "x", true, null]}, "n": 2.5});
        assert_eq!(
            render("{{ v.a.b[1] }} {{ v.a.b | length }} {{ v.n }}", j.clone()),
            "x 4 2.5"
        );
        assert_eq!(
            render("{% for k in v %}{{ k }},{% endfor %}", j.clone()),
            "a,n,"
        );
        assert_eq!(
            render("{{ (v.a.b[-1] is none) | tojson }}", j.clone()),
            "true"
        );
        assert_eq!(
            render("{{ v | tojson }}", j),
            r#"{"a": {"b": [1, "x", true, null]}, "n": 2.5}"#
        );
    }

    #[test]
    fn converted_values_read_as_the_in_place_view_does() {
        let j = serde_json::json!({
            "z": {"b": [1, "x", true, null], "a": 2.5, "u": 18446744073709551615u64},
            "a": "first key last",
        });
        let values = Values::from_json(j);
        let tpl = "{{ v | tojson }} {% for k in v %}{{ k }},{% endfor %} {% for k in v.z %}{{ k }},{% endfor %} \
                   {{ v.z.b[1] }} {{ v.z.u }} {{ [v.y is defined, v.z.a is defined] | tojson }}";
        let env = minijinja::Environment::new();
        let lazy = env
            .render_str(tpl, minijinja::context! { v => view_values(&values) })
            .unwrap();
        let mut converted = Converted::default();
        let eager = env
            .render_str(tpl, minijinja::context! { v => converted.values(&values) })
            .unwrap();
        assert_eq!(eager, lazy);
        assert!(
            eager.starts_with(r#"{"z": {"b": [1, "x", true, null], "a": 2.5"#),
            "{eager}"
        );
        // Nodes sharing their values share one converted map.
        let again = converted.values(&values.clone());
        assert_eq!(converted.maps.len(), 1);
        assert_eq!(again, converted.values(&values));
    }

    #[test]
    fn missing_keys_are_undefined() {
        let j = serde_json::json!({"a": 1});
        assert_eq!(
            render("{{ [v.b is defined, v.a is defined] | tojson }}", j),
            "[false, true]"
        );
    }
}

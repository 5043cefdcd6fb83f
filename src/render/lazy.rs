//! Zero-copy template values. In: merged values as shared JSON (`Arc<serde_json::Value>`) and
//! each node's name, address, facets and role. Out: minijinja values that read the JSON in place
//! (maps and lists become objects that convert only the parts a template touches), and one
//! [`NodeEntry`] per node for `cluster.nodes`, built once per run with every attribute a ready
//! value. A fleet's `cluster.nodes` therefore costs one pointer per node, not a copy of every
//! node's values for every node. Merged [`Values`] read the same way, key by key.

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
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                Value::from(n.as_f64().unwrap_or(f64::NAN))
            }
        }
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
        Some(
            match key.as_str()? {
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
    fn missing_keys_are_undefined() {
        let j = serde_json::json!({"a": 1});
        assert_eq!(
            render("{{ [v.b is defined, v.a is defined] | tojson }}", j),
            "[false, true]"
        );
    }
}

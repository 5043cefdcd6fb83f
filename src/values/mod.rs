//! Layering values. In: a [`Project`], a node, and command-line [`Overrides`] (`-f` files and
//! `--set` flags). Out: the node's merged values as JSON and, on request, the [`Provenance`] of every
//! setting: which file and line set, appended to or deleted each path, in order.
//!
//! Precedence, lowest first: `values.yaml`, the layer of each facet in Chart.yaml's `layers` order,
//! the node's `values`, each `-f` file, the `--set` family. Maps merge deeply, scalars replace, lists
//! replace unless a Chart.yaml `merge:` rule says `append` or `merge-by-key`, and `null` deletes.

pub mod set;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::{Map, Value as Json};

pub use set::{Assignment, Seg, SetKind, display_path};

use crate::diagnostics::{Diagnostic, Kind as DKind};
use crate::project::{Chart, ListPolicy, NodeFile, Project, SourceFile};
use crate::yaml::{Kind, Node, Pos};

/// Values given on the command line, applied after every project file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `-f FILE` files, in order.
    pub files: Vec<SourceFile>,
    /// `--set`, `--set-string`, `--set-json` assignments, in order.
    pub sets: Vec<Assignment>,
}

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `values.yaml`, `layers/env/prod.yaml`, `nodes/cp-01.yaml`, the `-f` path, or `--set a=b`.
    pub label: String,
    /// The file, when the setting came from one.
    pub file: Option<PathBuf>,
    /// Where in the file.
    pub pos: Option<Pos>,
}

/// What a setting did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Set (or replaced) the value.
    Set,
    /// Appended items to a list (`lists: append`).
    Append,
    /// Merged items into a list by key (`lists: merge-by-key`).
    MergeByKey,
    /// Deleted the key (`null`).
    Delete,
}

/// One recorded setting.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// The path that was set.
    pub path: Vec<Seg>,
    /// What happened.
    pub action: Action,
    /// The value written (the items, for append and merge-by-key; `Null` for delete).
    pub value: Json,
    /// Who did it.
    pub origin: Origin,
}

/// Every setting that shaped a node's values, in the order applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Provenance {
    /// The settings.
    pub settings: Vec<Setting>,
}

impl Provenance {
    /// Settings that touched `path`: the path itself, anything below it, and anything above it
    /// that replaced or deleted it wholesale.
    pub fn for_path(&self, path: &[Seg]) -> Vec<&Setting> {
        self.settings
            .iter()
            .filter(|s| s.path.starts_with(path) || path.starts_with(&s.path))
            .collect()
    }

    /// The last setting that wrote exactly `value` somewhere (for pointing a rendered value back
    /// at the values file that produced it).
    pub fn find_by_value(&self, value: &Json) -> Option<&Setting> {
        self.settings
            .iter()
            .rev()
            .find(|s| s.action == Action::Set && &s.value == value)
    }
}

/// Merged values, stored as their top-level keys in order, each key's subtree shared. Nodes that
/// share their layer files share every subtree their own `values:` (and `-f`/`--set`) leave alone,
/// so a fleet where each node sets a key or two costs one tree per layer combination plus the
/// keys each node touches, not one full tree per node.
#[derive(Debug, Clone, Default)]
pub struct Values(Arc<IndexMap<String, Arc<Json>>>);

impl Values {
    /// Splits a merged JSON object into shared top-level subtrees (anything else counts as empty).
    pub fn from_json(json: Json) -> Values {
        match json {
            Json::Object(map) => Values(Arc::new(
                map.into_iter().map(|(k, v)| (k, Arc::new(v))).collect(),
            )),
            _ => Values::default(),
        }
    }

    /// The top-level keys and their subtrees, in order.
    pub fn entries(&self) -> impl Iterator<Item = (&String, &Arc<Json>)> {
        self.0.iter()
    }

    /// The subtree under a top-level key.
    pub fn get(&self, key: &str) -> Option<&Arc<Json>> {
        self.0.get(key)
    }

    /// How many top-level keys there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no values at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The values as one JSON object (a copy: for schema checks, `explain` and error hints).
    pub fn to_json(&self) -> Json {
        Json::Object(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), (**v).clone()))
                .collect(),
        )
    }

    /// Whether two value sets share their storage (for tests of the sharing itself).
    #[cfg(test)]
    pub fn shares_key_with(&self, other: &Values, key: &str) -> bool {
        match (self.get(key), other.get(key)) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// A node's merged values.
#[derive(Debug, Clone)]
pub struct NodeValues {
    /// The merged values (shared: templates read them in place).
    pub values: Values,
    /// How they came about (empty unless requested).
    pub provenance: Provenance,
    /// Layer files applied, in order (for patches and `explain`).
    pub layers: Vec<(String, String)>,
}

struct Merger<'a> {
    chart: &'a Chart,
    prov: Option<&'a mut Provenance>,
    label: String,
    file: Option<PathBuf>,
}

impl Merger<'_> {
    fn record(&mut self, path: &[Seg], action: Action, value: Json, pos: Option<Pos>) {
        if let Some(prov) = self.prov.as_deref_mut() {
            prov.settings.push(Setting {
                path: path.to_vec(),
                action,
                value,
                origin: Origin {
                    label: self.label.clone(),
                    file: self.file.clone(),
                    pos,
                },
            });
        }
    }

    fn merge(&mut self, target: &mut Json, src: &Node, path: &mut Vec<Seg>) {
        match &src.kind {
            Kind::Map(entries) => {
                if !target.is_object() {
                    *target = Json::Object(Map::new());
                }
                for (key, kpos, value) in entries {
                    path.push(Seg::Key(key.clone()));
                    if matches!(value.kind, Kind::Null) {
                        if let Json::Object(map) = target {
                            map.shift_remove(key);
                        }
                        self.record(path, Action::Delete, Json::Null, Some(*kpos));
                    } else if let Json::Object(map) = target {
                        let slot = map.entry(key.clone()).or_insert(Json::Null);
                        self.merge(slot, value, path);
                    }
                    path.pop();
                }
            }
            Kind::Seq(items) => {
                let policy = self.chart.list_policy(&policy_path(path)).clone();
                match (policy, target.as_array_mut()) {
                    (ListPolicy::Append, Some(existing)) => {
                        let new: Vec<Json> = items.iter().map(Node::to_json).collect();
                        existing.extend(new.iter().cloned());
                        self.record(path, Action::Append, Json::Array(new), Some(src.pos));
                    }
                    (ListPolicy::MergeByKey(key), Some(_)) => {
                        self.merge_by_key(target, items, &key, path);
                        let new = items.iter().map(Node::to_json).collect();
                        self.record(path, Action::MergeByKey, Json::Array(new), Some(src.pos));
                    }
                    _ => {
                        *target = src.to_json();
                        self.record(path, Action::Set, target.clone(), Some(src.pos));
                    }
                }
            }
            _ => {
                *target = src.to_json();
                self.record(path, Action::Set, target.clone(), Some(src.pos));
            }
        }
    }

    fn merge_by_key(&mut self, target: &mut Json, items: &[Node], key: &str, path: &mut Vec<Seg>) {
        for item in items {
            let id = item.get(key).map(Node::to_json);
            let existing = target.as_array().and_then(|list| {
                id.as_ref()
                    .and_then(|id| list.iter().position(|e| e.get(key) == Some(id)))
            });
            let list = target.as_array_mut().expect("checked by caller");
            match existing {
                Some(i) => {
                    path.push(Seg::Index(i));
                    let prov = self.prov.take();
                    self.merge(&mut list[i], item, path);
                    self.prov = prov;
                    path.pop();
                }
                None => list.push(item.to_json()),
            }
        }
    }
}

/// A policy path: the keys of `path` joined by dots, list indices left out.
fn policy_path(path: &[Seg]) -> String {
    path.iter()
        .filter_map(|s| match s {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Index(_) => None,
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Merges `src` into `target` under `chart`'s list policies, recording provenance when asked.
pub fn merge_node(
    chart: &Chart,
    target: &mut Json,
    src: &Node,
    label: &str,
    file: Option<PathBuf>,
    prov: Option<&mut Provenance>,
) {
    if matches!(src.kind, Kind::Null) {
        // An empty file or an absent `values:` sets nothing.
        return;
    }
    let mut m = Merger {
        chart,
        prov,
        label: label.to_string(),
        file,
    };
    m.merge(target, src, &mut Vec::new());
}

/// Applies one command-line assignment.
pub fn apply_assignment(target: &mut Json, a: &Assignment, prov: Option<&mut Provenance>) {
    let mut cur = target;
    for (i, seg) in a.path.iter().enumerate() {
        let last = i + 1 == a.path.len();
        match seg {
            Seg::Key(k) => {
                if !cur.is_object() {
                    *cur = Json::Object(Map::new());
                }
                let map = cur.as_object_mut().expect("just made an object");
                if last && a.value.is_null() {
                    map.shift_remove(k);
                    break;
                }
                cur = map.entry(k.clone()).or_insert(Json::Null);
            }
            Seg::Index(idx) => {
                if !cur.is_array() {
                    *cur = Json::Array(Vec::new());
                }
                let list = cur.as_array_mut().expect("just made an array");
                if list.len() <= *idx {
                    list.resize(idx + 1, Json::Null);
                }
                cur = &mut list[*idx];
            }
        }
        if last {
            *cur = a.value.clone();
        }
    }
    if let Some(prov) = prov {
        prov.settings.push(Setting {
            path: a.path.clone(),
            action: if a.value.is_null() {
                Action::Delete
            } else {
                Action::Set
            },
            value: a.value.clone(),
            origin: Origin {
                label: a.label.clone(),
                file: None,
                pos: None,
            },
        });
    }
}

/// The values every node starts from that do not depend on the node: values.yaml, then `-f`
/// files and `--set` flags (used for `Chart.yaml`'s `endpoint` expression).
pub fn cluster_values(project: &Project, overrides: &Overrides) -> Json {
    let mut v = Json::Object(Map::new());
    merge_node(
        &project.chart,
        &mut v,
        &project.values.root,
        "values.yaml",
        None,
        None,
    );
    for f in &overrides.files {
        merge_node(
            &project.chart,
            &mut v,
            &f.root,
            &f.path.display().to_string(),
            None,
            None,
        );
    }
    for a in &overrides.sets {
        apply_assignment(&mut v, a, None);
    }
    v
}

/// The layer files that apply to `node`, in precedence order, or the error for a facet value
/// without a layer file.
pub fn layer_keys(project: &Project, node: &NodeFile) -> Result<Vec<(String, String)>, Diagnostic> {
    let mut keys = Vec::new();
    for facet in &project.chart.layers {
        let Some(value) = node.facet(facet) else {
            continue;
        };
        let key = (facet.clone(), value.to_string());
        if !project.layers.contains_key(&key) {
            return Err(missing_layer(project, node, facet, value));
        }
        keys.push(key);
    }
    Ok(keys)
}

/// Merged values for every node. values.yaml and the layers are merged once per combination of
/// layer files; a node that sets no `values:` shares its combination's result whole, and a node
/// with its own `values:` shares every top-level subtree it (and the command line) leaves alone.
/// The result is the same as merging each node's sources from scratch ([`node_values`]); a test
/// compares the two.
pub fn all_node_values(
    project: &Project,
    overrides: &Overrides,
) -> Vec<Result<NodeValues, Diagnostic>> {
    use rayon::prelude::*;
    use std::collections::HashMap;
    let keys: Vec<Result<Vec<(String, String)>, Diagnostic>> = project
        .nodes
        .par_iter()
        .map(|n| layer_keys(project, n))
        .collect();
    // One base (values.yaml and layers) per layer combination, and the same with the command
    // line on top for the nodes without values of their own.
    let mut combos: Vec<&[(String, String)]> = keys
        .iter()
        .filter_map(|k| k.as_ref().ok().map(Vec::as_slice))
        .collect();
    combos.sort();
    combos.dedup();
    let bases: HashMap<&[(String, String)], (Json, Values)> = combos
        .into_par_iter()
        .map(|combo| {
            let base = layered_base(project, combo);
            let mut full = base.clone();
            apply_overrides(&project.chart, &mut full, overrides, None);
            (combo, (base, Values::from_json(full)))
        })
        .collect();
    project
        .nodes
        .par_iter()
        .zip(&keys)
        .map(|(node, k)| {
            let k = k.clone()?;
            let (base, shared) = &bases[k.as_slice()];
            let values = if matches!(node.values.kind, Kind::Null) {
                shared.clone()
            } else {
                own_values(project, node, overrides, base, shared)
            };
            Ok(NodeValues {
                values,
                provenance: Provenance::default(),
                layers: k,
            })
        })
        .collect()
}

/// values.yaml, then the given layer files, merged.
fn layered_base(project: &Project, combo: &[(String, String)]) -> Json {
    let chart = &project.chart;
    let mut values = Json::Object(Map::new());
    merge_node(chart, &mut values, &project.values.root, "", None, None);
    for key in combo {
        merge_node(
            chart,
            &mut values,
            &project.layers[key].values,
            "",
            None,
            None,
        );
    }
    values
}

/// `-f` files, then `--set` assignments, onto `values`.
fn apply_overrides(
    chart: &Chart,
    values: &mut Json,
    overrides: &Overrides,
    mut prov: Option<&mut Provenance>,
) {
    for f in &overrides.files {
        let label = format!("-f {}", f.path.display());
        merge_node(
            chart,
            values,
            &f.root,
            &label,
            Some(f.path.clone()),
            prov.as_deref_mut(),
        );
    }
    for a in &overrides.sets {
        apply_assignment(values, a, prov.as_deref_mut());
    }
}

/// The top-level keys a source map names.
fn top_keys(node: &Node) -> Option<Vec<&str>> {
    match &node.kind {
        Kind::Null => Some(Vec::new()),
        Kind::Map(entries) => Some(entries.iter().map(|(k, _, _)| k.as_str()).collect()),
        _ => None,
    }
}

/// A node's values on top of its layer combination's `base`: only the top-level keys that the
/// node's `values:` or the command line name are copied and merged; every other key keeps the
/// subtree of `shared`. Key order is exactly that of a merge from scratch: the untouched keys
/// stay in the working copy as placeholders, so deletions and re-additions move keys the same way.
fn own_values(
    project: &Project,
    node: &NodeFile,
    overrides: &Overrides,
    base: &Json,
    shared: &Values,
) -> Values {
    let chart = &project.chart;
    let mut touched: Vec<&str> = match top_keys(&node.values) {
        Some(k) => k,
        None => return Values::from_json(full_values(project, node, overrides, base)),
    };
    for f in &overrides.files {
        match top_keys(&f.root) {
            Some(k) => touched.extend(k),
            None => return Values::from_json(full_values(project, node, overrides, base)),
        }
    }
    touched.extend(overrides.sets.iter().filter_map(|a| match a.path.first() {
        Some(Seg::Key(k)) => Some(k.as_str()),
        _ => None,
    }));
    let Json::Object(base_map) = base else {
        return Values::from_json(full_values(project, node, overrides, base));
    };
    let mut work = Map::with_capacity(base_map.len());
    for (k, v) in base_map {
        let copy = if touched.contains(&k.as_str()) {
            v.clone()
        } else {
            Json::Null
        };
        work.insert(k.clone(), copy);
    }
    let mut work = Json::Object(work);
    merge_node(chart, &mut work, &node.values, "", None, None);
    apply_overrides(chart, &mut work, overrides, None);
    let Json::Object(work) = work else {
        return Values::default();
    };
    Values(Arc::new(
        work.into_iter()
            .map(|(k, v)| {
                let kept = (!touched.contains(&k.as_str()))
                    .then(|| shared.get(&k))
                    .flatten()
                    .cloned();
                let v = kept.unwrap_or_else(|| Arc::new(v));
                (k, v)
            })
            .collect(),
    ))
}

/// A node's values merged from scratch on top of `base` (the fallback for sources that are not
/// maps).
fn full_values(project: &Project, node: &NodeFile, overrides: &Overrides, base: &Json) -> Json {
    let mut values = base.clone();
    merge_node(&project.chart, &mut values, &node.values, "", None, None);
    apply_overrides(&project.chart, &mut values, overrides, None);
    values
}

/// Layers the values of `node`. With `with_provenance`, records every setting.
pub fn node_values(
    project: &Project,
    node: &NodeFile,
    overrides: &Overrides,
    with_provenance: bool,
) -> Result<NodeValues, Diagnostic> {
    let chart = &project.chart;
    let mut prov = Provenance::default();
    let mut values = Json::Object(Map::new());
    let mut layers = Vec::new();
    macro_rules! p {
        () => {
            if with_provenance {
                Some(&mut prov)
            } else {
                None
            }
        };
    }
    merge_node(
        chart,
        &mut values,
        &project.values.root,
        "values.yaml",
        Some("values.yaml".into()),
        p!(),
    );
    for facet in &chart.layers {
        let Some(value) = node.facet(facet) else {
            continue;
        };
        let key = (facet.clone(), value.to_string());
        let Some(layer) = project.layers.get(&key) else {
            return Err(missing_layer(project, node, facet, value));
        };
        let label = layer.source.path.display().to_string();
        merge_node(
            chart,
            &mut values,
            &layer.values,
            &label,
            Some(layer.source.path.clone()),
            p!(),
        );
        layers.push(key);
    }
    let label = node.source.path.display().to_string();
    merge_node(
        chart,
        &mut values,
        &node.values,
        &label,
        Some(node.source.path.clone()),
        p!(),
    );
    apply_overrides(chart, &mut values, overrides, p!());
    Ok(NodeValues {
        values: Values::from_json(values),
        provenance: prov,
        layers,
    })
}

fn missing_layer(project: &Project, node: &NodeFile, facet: &str, value: &str) -> Diagnostic {
    let expected = format!("layers/{facet}/{value}.yaml");
    let existing: Vec<&str> = project
        .layers
        .keys()
        .filter(|(f, _)| f == facet)
        .map(|(_, v)| v.as_str())
        .collect();
    let pos = node
        .facets
        .iter()
        .find(|(k, _, _)| k == facet)
        .map_or(node.source.root.pos, |(_, p, _)| *p);
    let mut d = Diagnostic::new(
        DKind::MissingLayer,
        format!("facet `{facet}: {value}` has no layer file `{expected}`"),
    )
    .at(&node.source.path, pos, Some(node.source.text.clone()))
    .for_node(&node.name);
    d = if existing.is_empty() {
        d.note(format!("there are no layer files under `layers/{facet}/`"))
    } else {
        d.note(format!(
            "existing `{facet}` layers: {}",
            existing.join(", ")
        ))
    };
    match crate::diagnostics::did_you_mean(value, existing.iter().copied()) {
        Some(s) => d.hint(format!("did you mean `{facet}: {s}`?")),
        None => d.hint(format!(
            "create `{expected}` (an empty file is fine) or fix the facet value"
        )),
    }
}

/// Reads `-f` files.
pub fn read_value_files(paths: &[PathBuf]) -> Result<Vec<SourceFile>, Diagnostic> {
    paths
        .iter()
        .map(|p| {
            let text = crate::fsutil::read_input(p).map_err(|e| {
                Diagnostic::new(
                    DKind::Io,
                    format!("cannot read values file `{}`: {e}", p.display()),
                )
            })?;
            let f = SourceFile::parse(p, text)?;
            f.map()?;
            Ok(f)
        })
        .collect()
}

/// Looks up `path` in `values`.
pub fn lookup<'a>(values: &'a Json, path: &[Seg]) -> Option<&'a Json> {
    path.iter().try_fold(values, |cur, seg| match seg {
        Seg::Key(k) => cur.get(k),
        Seg::Index(i) => cur.get(i),
    })
}

//! Importing existing Talos setups as machinist projects. In: a talhelper `talconfig.yaml`
//! ([`talhelper`]) or rendered machine configs ([`configs`]). Out: an [`ImportedProject`]: the
//! files of a project (Chart.yaml, values.yaml, role layers, node files, one template, patch
//! files) plus the list of everything that could not be translated, so nothing is dropped
//! silently.
//!
//! Both importers describe every node's machine config as a value tree, `talos.order` (the
//! document identities, in order) and `talos.documents` (each document by identity), and
//! factor those trees: what every node shares goes to values.yaml, what each role shares goes
//! to `layers/role/<role>.yaml`, the rest to the node file. The single template writes the
//! documents back out, so rendering the project reproduces the configs.

mod base;
pub mod configs;
pub mod factor;
mod jsonpatch;
pub mod talhelper;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_yaml_ng::{Mapping, Value};

/// One field or feature an import could not carry over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untranslated {
    /// Where it was in the input (`nodes[2].machineSpec.secureboot`, `cluster.ca.key`, ...).
    pub field: String,
    /// Why, and what to do instead.
    pub reason: String,
}

impl fmt::Display for Untranslated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// The result of an import: project files by relative path, and what was not translated.
#[derive(Debug, Clone, Default)]
pub struct ImportedProject {
    /// File contents keyed by path relative to the project directory.
    pub files: BTreeMap<PathBuf, String>,
    /// Everything the import could not translate, in input order.
    pub untranslated: Vec<Untranslated>,
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// An input file could not be read.
    #[error("{path}: cannot read: {message}")]
    Read {
        /// The file.
        path: String,
        /// The operating-system message.
        message: String,
    },
    /// An input file is not the YAML the importer expects.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The output directory exists and is not empty.
    #[error("{dir}: the output directory is not empty; choose a new directory")]
    NotEmpty {
        /// The directory.
        dir: String,
    },
    /// Writing the project failed.
    #[error("{path}: cannot write: {message}")]
    Write {
        /// The file.
        path: String,
        /// The operating-system message.
        message: String,
    },
}

impl ImportedProject {
    /// Writes the project under `dir`, which must be absent or empty. Each file is written
    /// atomically.
    pub fn write(&self, dir: &Path) -> Result<(), ImportError> {
        if dir.exists() {
            let mut entries = std::fs::read_dir(dir).map_err(|e| ImportError::Write {
                path: dir.display().to_string(),
                message: e.to_string(),
            })?;
            if entries.next().is_some() {
                return Err(ImportError::NotEmpty {
                    dir: dir.display().to_string(),
                });
            }
        }
        for (rel, text) in &self.files {
            let path = dir.join(rel);
            let err = |e: std::io::Error| ImportError::Write {
                path: path.display().to_string(),
                message: e.to_string(),
            };
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(err)?;
            }
            crate::fsutil::write_atomic(&path, text.as_bytes(), None).map_err(err)?;
        }
        Ok(())
    }
}

/// One node of an imported cluster, before factoring.
#[derive(Debug, Clone)]
pub(crate) struct NodeSpec {
    /// Node name (the node file stem).
    pub name: String,
    /// Address the node API is reached at.
    pub address: String,
    /// `controlplane` or `worker`.
    pub role: String,
    /// Node values: `talos` (order + documents) and anything else the template reads.
    pub values: Value,
    /// Patch files for this node, relative to the project.
    pub patches: Vec<String>,
}

/// Cluster-wide settings of an imported project.
#[derive(Debug, Clone)]
pub(crate) struct ChartSpec {
    pub name: String,
    pub talos_version: String,
    pub kubernetes_version: String,
    pub endpoint: String,
    /// Template text appended to every document's output (filters such as var substitution).
    pub output_filters: String,
    /// Values every node gets even when factoring finds nothing (e.g. `vars`).
    pub extra_values: Mapping,
    /// Patches of each role layer, in order.
    pub role_patches: BTreeMap<String, Vec<String>>,
}

/// The template of imported projects: it writes `values.talos.documents` in
/// `values.talos.order`, one YAML document each (JSON is valid YAML).
pub(crate) fn config_template(output_filters: &str) -> String {
    format!(
        "{{#- Written by `machinist import`: every document of the machine config comes from\n    \
         values.talos.documents, in the order of values.talos.order. -#}}\n\
         {{% for id in values.talos.order %}}---\n\
         {{{{ values.talos.documents[id] | tojson{output_filters} | safe }}}}\n\
         {{% endfor %}}"
    )
}

fn yaml_text(v: &Value) -> String {
    serde_yaml_ng::to_string(v).unwrap_or_default()
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    let mut m = Mapping::new();
    for (k, v) in entries {
        m.insert(Value::from(k), v);
    }
    Value::Mapping(m)
}

/// Builds the project files: factors the node values into values.yaml, role layers and node
/// files, and writes Chart.yaml and the template.
pub(crate) fn build_project(chart: &ChartSpec, nodes: &[NodeSpec]) -> BTreeMap<PathBuf, String> {
    let mut files = BTreeMap::new();
    let chart_yaml = map(vec![
        ("apiVersion", Value::from("machinist/v1")),
        ("name", Value::from(chart.name.as_str())),
        ("version", Value::from("0.1.0")),
        ("talosVersion", Value::from(chart.talos_version.as_str())),
        (
            "kubernetesVersion",
            Value::from(chart.kubernetes_version.as_str()),
        ),
        ("endpoint", Value::from(chart.endpoint.as_str())),
        ("layers", Value::Sequence(vec![Value::from("role")])),
        (
            "templates",
            Value::Sequence(vec![map(vec![("file", Value::from("config.yaml"))])]),
        ),
    ]);
    files.insert(PathBuf::from("Chart.yaml"), yaml_text(&chart_yaml));
    files.insert(
        PathBuf::from("templates/config.yaml"),
        config_template(&chart.output_filters),
    );

    let all: Vec<&Value> = nodes.iter().map(|n| &n.values).collect();
    let shared = factor::common(&all).unwrap_or(Value::Mapping(Mapping::new()));
    let mut values = Value::Mapping(chart.extra_values.clone());
    factor::layer(&mut values, &shared);
    files.insert(
        PathBuf::from("values.yaml"),
        header("values every node shares") + &yaml_text(&values),
    );

    let mut roles: Vec<&str> = nodes.iter().map(|n| n.role.as_str()).collect();
    roles.sort();
    roles.dedup();
    let mut role_shared = BTreeMap::new();
    for role in roles {
        let rests: Vec<Value> = nodes
            .iter()
            .filter(|n| n.role == role)
            .map(|n| factor::subtract(&n.values, &shared).unwrap_or(Value::Mapping(Mapping::new())))
            .collect();
        let refs: Vec<&Value> = rests.iter().collect();
        let rshared = factor::common(&refs).unwrap_or(Value::Mapping(Mapping::new()));
        let mut layer = rshared.clone();
        let patches = chart.role_patches.get(role).cloned().unwrap_or_default();
        if let Value::Mapping(m) = &mut layer
            && !patches.is_empty()
        {
            {
                m.insert(
                    Value::from("patches"),
                    Value::Sequence(patches.into_iter().map(Value::from).collect()),
                );
            }
        }
        files.insert(
            PathBuf::from(format!("layers/role/{role}.yaml")),
            header(&format!("values every {role} node shares")) + &yaml_text(&layer),
        );
        role_shared.insert(role.to_string(), rshared);
    }

    for n in nodes {
        let mut own =
            factor::subtract(&n.values, &shared).unwrap_or(Value::Mapping(Mapping::new()));
        if let Some(rs) = role_shared.get(&n.role) {
            own = factor::subtract(&own, rs).unwrap_or(Value::Mapping(Mapping::new()));
        }
        let mut entries = vec![
            ("address", Value::from(n.address.as_str())),
            ("facets", map(vec![("role", Value::from(n.role.as_str()))])),
        ];
        if own.as_mapping().is_some_and(|m| !m.is_empty()) {
            entries.push(("values", own));
        }
        if !n.patches.is_empty() {
            entries.push((
                "patches",
                Value::Sequence(n.patches.iter().map(|p| Value::from(p.as_str())).collect()),
            ));
        }
        files.insert(
            PathBuf::from(format!("nodes/{}.yaml", n.name)),
            yaml_text(&map(entries)),
        );
    }
    files
}

fn header(what: &str) -> String {
    format!("# Written by `machinist import`: {what}.\n")
}

//! Rendered machine configs to a machinist project. In: the machine config files of one
//! cluster (one per node). Out: an [`ImportedProject`] where what all nodes share is in
//! values.yaml, what each role shares in `layers/role/<role>.yaml`, and the rest in the node
//! files; rendering it gives the same documents back. Secrets are never copied: they are
//! stripped and listed, to be imported into the encrypted bundle with `machinist secrets import`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_yaml_ng::{Mapping, Value};

use super::talhelper::talos_tree;
use super::{ChartSpec, ImportError, ImportedProject, NodeSpec, Untranslated, build_project};
use machinist_patch::DocId;

/// Imports the configs of one cluster.
pub fn import(configs: &[PathBuf]) -> Result<ImportedProject, ImportError> {
    let mut untranslated = Vec::new();
    let mut stripped = BTreeSet::new();
    let mut nodes = Vec::new();
    let mut names = BTreeSet::new();
    let mut chart_fields: Option<(String, String, String)> = None;
    for path in configs {
        let shown = path.display().to_string();
        let (mut docs, legacy) = read_config(path, &shown)?;
        // The typed role decides; the facet value written is its machine type name.
        let role = machinist_model::Role::of_documents(std::slice::from_ref(&docs[legacy]))
            .unwrap_or(machinist_model::Role::Worker)
            .machine_type();
        let hostname = hostname(&docs).unwrap_or_else(|| {
            path.file_stem()
                .map_or_else(|| "node".into(), |s| s.to_string_lossy().into_owned())
        });
        let name = unique_name(&mut names, &hostname);
        let address = static_address(&docs).unwrap_or_else(|| {
            untranslated.push(Untranslated {
                field: format!("{shown}: address"),
                reason: format!("no static address in the config; nodes/{name}.yaml uses the hostname, change it if the node API is reached elsewhere"),
            });
            hostname.clone()
        });
        let cluster = &docs[legacy]["cluster"];
        let fields = (
            cluster["clusterName"]
                .as_str()
                .unwrap_or("cluster")
                .to_string(),
            cluster["controlPlane"]["endpoint"]
                .as_str()
                .unwrap_or("https://127.0.0.1:6443")
                .to_string(),
            kubelet_version(&docs[legacy]).unwrap_or_else(|| "v1.36.3".into()),
        );
        chart_fields.get_or_insert(fields);
        stripped.append(&mut strip_secrets(&mut docs));
        let mut values = Mapping::new();
        values.insert(Value::from("talos"), talos_tree(&docs));
        nodes.push(NodeSpec {
            name,
            address,
            role: role.to_string(),
            values: Value::Mapping(values),
            patches: Vec::new(),
        });
    }
    for p in stripped {
        untranslated.push(Untranslated {
            field: p,
            reason: "secret removed; import the secrets with `machinist secrets import CONFIG` and the render puts them back".into(),
        });
    }
    let Some((name, endpoint, k8s)) = chart_fields else {
        return Err(ImportError::Invalid {
            path: "(no configs)".into(),
            message: "give at least one machine config".into(),
        });
    };
    let chart = ChartSpec {
        name,
        talos_version: "v1.13.0".into(),
        kubernetes_version: k8s,
        endpoint,
        output_filters: String::new(),
        extra_values: Mapping::new(),
        role_patches: BTreeMap::new(),
    };
    Ok(ImportedProject {
        files: build_project(&chart, &nodes),
        untranslated,
    })
}

/// One machine config file: its documents, loaded as strictly as Talos loads them, and the index
/// of its v1alpha1 document. `shown` names the file in errors.
fn read_config(path: &Path, shown: &str) -> Result<(Vec<Value>, usize), ImportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ImportError::Read {
        path: shown.to_string(),
        message: e.to_string(),
    })?;
    let docs =
        machinist_patch::parse_documents(shown, &text).map_err(|e| ImportError::Invalid {
            path: shown.to_string(),
            message: e.to_string(),
        })?;
    // The same strict load Talos does: what Talos would not read is not imported.
    let json: Vec<serde_json::Value> = docs
        .iter()
        .map(machinist_model::schema::yaml_to_json)
        .collect();
    let report = machinist_model::check_loaded(machinist_model::Contract::DEFAULT, &json);
    if let Some(f) = report.errors.first() {
        let mut message = format!(
            "not a Talos {} machine config: {}",
            machinist_model::Contract::DEFAULT,
            crate::render::stage_validate::finding_message(f)
        );
        if let Some(h) = &f.hint {
            message.push_str(&format!(" ({h})"));
        }
        return Err(ImportError::Invalid {
            path: shown.to_string(),
            message,
        });
    }
    let legacy = docs
        .iter()
        .position(|d| DocId::of(d).is_legacy())
        .ok_or_else(|| ImportError::Invalid {
            path: shown.to_string(),
            message: "no v1alpha1 document (the one with `machine:` and `cluster:`); is this a machine config?".into(),
        })?;
    let mut seen = BTreeSet::new();
    for d in &docs {
        if !seen.insert(DocId::of(d)) {
            return Err(ImportError::Invalid {
                path: shown.to_string(),
                message: format!("document {} appears twice", DocId::of(d)),
            });
        }
    }
    Ok((docs, legacy))
}

/// `hostname`, or `hostname-2`, `hostname-3`... when another node already has the name.
fn unique_name(names: &mut BTreeSet<String>, hostname: &str) -> String {
    let mut name = hostname.to_string();
    let mut n = 2;
    while !names.insert(name.clone()) {
        name = format!("{hostname}-{n}");
        n += 1;
    }
    name
}

fn hostname(docs: &[Value]) -> Option<String> {
    docs.iter()
        .find(|d| d["kind"].as_str() == Some("HostnameConfig"))
        .and_then(|d| d["hostname"].as_str())
        .or_else(|| {
            docs.iter()
                .find(|d| DocId::of(d).is_legacy())
                .and_then(|d| d["machine"]["network"]["hostname"].as_str())
        })
        .map(str::to_string)
}

fn static_address(docs: &[Value]) -> Option<String> {
    let strip = |s: &str| s.split('/').next().unwrap_or(s).to_string();
    for d in docs {
        if DocId::of(d).is_legacy() {
            for i in d["machine"]["network"]["interfaces"]
                .as_sequence()
                .into_iter()
                .flatten()
            {
                if let Some(a) = i["addresses"].as_sequence().and_then(|a| a.first()) {
                    return a.as_str().map(strip);
                }
            }
        } else if d["kind"].as_str() == Some("LinkConfig")
            && let Some(a) = d["addresses"].as_sequence().and_then(|a| a.first())
        {
            return a["address"].as_str().map(strip);
        }
    }
    None
}

fn kubelet_version(doc: &Value) -> Option<String> {
    let image = doc["machine"]["kubelet"]["image"].as_str()?;
    image.rsplit_once(':').map(|(_, t)| t.to_string())
}

/// Removes secret material from a config's documents; returns the removed places as
/// `document: dotted.path`.
pub fn strip_secrets(docs: &mut [Value]) -> BTreeSet<String> {
    let mut stripped = BTreeSet::new();
    for d in docs {
        strip_doc(d, &mut stripped);
    }
    stripped
}

/// Removes every field of `machinist_secrets::inject::SECRET_PATHS` (the one list of secret
/// fields, bundle material and user secrets alike) from one document, and the maps left empty.
fn strip_doc(doc: &mut Value, stripped: &mut BTreeSet<String>) {
    // A document without `kind` (a v1alpha1 patch has no `version:` either) is the v1alpha1 one.
    let Some(kind) = machinist_patch::doc_kind(doc).map(str::to_string) else {
        return;
    };
    let label = if kind == "v1alpha1" {
        kind.clone()
    } else {
        DocId::of(doc).to_string()
    };
    for p in machinist_secrets::inject::SECRET_PATHS
        .iter()
        .filter(|p| p.kind == kind)
    {
        // A path ending in `*` (every item of a list) removes the list itself.
        let path = match p.path.split_last() {
            Some((&"*", parent)) => parent,
            _ => p.path,
        };
        strip_at(doc, path, &mut Vec::new(), &label, stripped);
    }
}

/// Removes the field at `path` (`*` = every key or item) below `v`; `shown` is where `v` is.
/// Returns whether `v` became an empty map because of it.
fn strip_at(
    v: &mut Value,
    path: &[&str],
    shown: &mut Vec<String>,
    doc: &str,
    stripped: &mut BTreeSet<String>,
) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    match v {
        Value::Mapping(m) => {
            let keys: Vec<Value> = m
                .keys()
                .filter(|k| *first == "*" || k.as_str() == Some(*first))
                .cloned()
                .collect();
            for k in keys {
                shown.push(k.as_str().unwrap_or_default().to_string());
                if rest.is_empty() {
                    m.shift_remove(&k);
                    stripped.insert(format!("{doc}: {}", shown.join(".")));
                } else if let Some(child) = m.get_mut(&k)
                    && strip_at(child, rest, shown, doc, stripped)
                {
                    m.shift_remove(&k);
                }
                shown.pop();
            }
            m.is_empty()
        }
        Value::Sequence(items) if *first == "*" => {
            for (i, item) in items.iter_mut().enumerate() {
                shown.push(i.to_string());
                strip_at(item, rest, shown, doc, stripped);
                shown.pop();
            }
            false
        }
        _ => false,
    }
}

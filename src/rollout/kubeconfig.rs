//! The cluster's admin kubeconfig. In: the secure client and the control planes; for `--merge`,
//! the text of an existing kubeconfig. Out: the kubeconfig bytes a control plane returns (the
//! first that answers), and the merge of it into another kubeconfig: clusters, users and contexts
//! of the same name are replaced, every other entry is kept, `current-context` becomes the new
//! one. Writing (0600, atomically) is the caller's job.

use serde_yaml_ng::{Mapping, Value};

use super::{Api, target};
use crate::render::RenderedNode;

/// Fetches the kubeconfig from the first control plane that answers.
pub async fn fetch(api: &Api, nodes: &[RenderedNode]) -> Result<Vec<u8>, String> {
    let mut errors = Vec::new();
    for n in nodes.iter().filter(|n| n.role.is_control_plane()) {
        match api.kubeconfig(&target(n)).await {
            Ok(bytes) => return Ok(bytes),
            Err(e) => errors.push(e.to_string()),
        }
    }
    if errors.is_empty() {
        return Err("the project has no control plane to fetch a kubeconfig from".into());
    }
    Err(format!(
        "no control plane returned a kubeconfig: {}",
        errors.join("; ")
    ))
}

/// Merges `new` into `existing`; both are kubeconfig YAML.
pub fn merge(existing: &str, new: &str) -> Result<String, String> {
    let mut base: Value = if existing.trim().is_empty() {
        Value::Mapping(Mapping::new())
    } else {
        serde_yaml_ng::from_str(existing)
            .map_err(|e| format!("the existing kubeconfig does not parse: {e}"))?
    };
    let add: Value = serde_yaml_ng::from_str(new)
        .map_err(|e| format!("the new kubeconfig does not parse: {e}"))?;
    let base_map = base
        .as_mapping_mut()
        .ok_or("the existing kubeconfig is not a mapping")?;
    for key in ["clusters", "users", "contexts"] {
        let incoming = add
            .get(key)
            .and_then(Value::as_sequence)
            .cloned()
            .unwrap_or_default();
        let list = base_map
            .entry(Value::from(key))
            .or_insert_with(|| Value::Sequence(Vec::new()));
        if !list.is_sequence() {
            *list = Value::Sequence(Vec::new());
        }
        let seq = list.as_sequence_mut().expect("a sequence");
        for entry in incoming {
            let name = entry.get("name").cloned();
            match seq
                .iter_mut()
                .find(|e| name.is_some() && e.get("name") == name.as_ref())
            {
                Some(slot) => *slot = entry,
                None => seq.push(entry),
            }
        }
    }
    for key in ["apiVersion", "kind"] {
        if let Some(v) = add.get(key) {
            base_map
                .entry(Value::from(key))
                .or_insert_with(|| v.clone());
        }
    }
    if let Some(ctx) = add.get("current-context") {
        base_map.insert(Value::from("current-context"), ctx.clone());
    }
    serde_yaml_ng::to_string(&base).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::merge;

    #[test]
    fn merge_keeps_other_contexts_and_replaces_same_names() {
        let old = "apiVersion: v1\nkind: Config\nclusters:\n- name: home\n  cluster: {server: https://old}\n- name: work\n  cluster: {server: https://work}\ncontexts:\n- name: work\n  context: {cluster: work, user: w}\nusers:\n- name: w\n  user: {token: t}\ncurrent-context: work\n";
        let new = "apiVersion: v1\nkind: Config\nclusters:\n- name: home\n  cluster: {server: https://new}\ncontexts:\n- name: admin@home\n  context: {cluster: home, user: admin@home}\nusers:\n- name: admin@home\n  user: {client-certificate-data: x}\ncurrent-context: admin@home\n";
        let out: serde_yaml_ng::Value = serde_yaml_ng::from_str(&merge(old, new).unwrap()).unwrap();
        let names = |k: &str| -> Vec<String> {
            out[k]
                .as_sequence()
                .unwrap()
                .iter()
                .map(|e| e["name"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(names("clusters"), ["home", "work"]);
        assert_eq!(names("contexts"), ["work", "admin@home"]);
        assert_eq!(names("users"), ["w", "admin@home"]);
        assert_eq!(
            out["clusters"][0]["cluster"]["server"].as_str(),
            Some("https://new")
        );
        assert_eq!(out["current-context"].as_str(), Some("admin@home"));
    }
}

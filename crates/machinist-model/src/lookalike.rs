//! Files that are not Talos documents. In: one parsed document that is neither a known kind nor a
//! v1alpha1 config. Out: what it looks like (an Omni cluster template, talm chart values, a
//! talhelper talconfig, a Kubernetes manifest, a talosconfig, a machinist project file), as a
//! hint saying what to do with it, or `None` when nothing fits.

use serde_json::{Map, Value};

fn has_all(m: &Map<String, Value>, keys: &[&str]) -> bool {
    keys.iter().all(|k| m.contains_key(*k))
}

fn count(m: &Map<String, Value>, keys: &[&str]) -> usize {
    keys.iter().filter(|k| m.contains_key(**k)).count()
}

/// Keys of talm's chart values (`values.yaml` of a talm project).
const TALM_KEYS: &[&str] = &[
    "endpoint",
    "clusterDomain",
    "floatingIP",
    "image",
    "podSubnets",
    "serviceSubnets",
    "advertisedSubnets",
    "oidcIssuerUrl",
    "certSANs",
    "nr_hugepages",
];

/// Kinds of Omni's cluster templates.
const OMNI_KINDS: &[&str] = &[
    "Cluster",
    "ControlPlane",
    "Workers",
    "Machine",
    "MachineSet",
];

/// What `doc` looks like, as a hint, when it is recognisably something other than a Talos
/// document.
pub fn describe(doc: &Value) -> Option<&'static str> {
    let m = doc.as_object()?;
    let kind = m.get("kind").and_then(Value::as_str);
    let api = m.get("apiVersion").and_then(Value::as_str);
    if let Some(kind) = kind
        && OMNI_KINDS.contains(&kind)
        && api.is_none()
    {
        return Some(
            "this looks like an Omni cluster template: apply it with `omnictl cluster template sync`; machinist reads Talos machine configs and patches",
        );
    }
    if api == Some("machinist/v1") {
        return Some(
            "this looks like a machinist Chart.yaml: lint the project with `machinist lint`",
        );
    }
    if api.is_some_and(|a| a.contains('/') || a == "v1")
        && kind.is_some()
        && m.contains_key("metadata")
    {
        return Some(
            "this looks like a Kubernetes manifest: put it in `cluster.inlineManifests` or a KubeInlineManifestConfig document",
        );
    }
    if has_all(m, &["clusterName", "nodes"]) || has_all(m, &["talosVersion", "nodes"]) {
        return Some("this looks like a talhelper talconfig: use `machinist import talhelper`");
    }
    if has_all(m, &["context", "contexts"]) {
        return Some("this looks like a talosconfig (client settings), not a machine config");
    }
    if has_all(m, &["address", "facets"]) {
        return Some(
            "this looks like a machinist node file: it belongs in a project's nodes/ directory",
        );
    }
    if count(m, TALM_KEYS) >= 2 {
        return Some(
            "this looks like talm chart values: render them with talm, or move the settings into a machinist project's values",
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recognises_the_usual_neighbours() {
        let omni = json!({"kind": "Cluster", "name": "c", "talos": {"version": "v1.13.0"}});
        assert!(describe(&omni).unwrap().contains("Omni cluster template"));
        let talm = json!({"endpoint": "https://1.2.3.4:6443", "podSubnets": ["10.244.0.0/16"], "floatingIP": "1.2.3.5"});
        assert!(describe(&talm).unwrap().contains("talm chart values"));
        let talconfig = json!({"clusterName": "c", "nodes": [], "endpoint": "https://x:6443"});
        assert!(
            describe(&talconfig)
                .unwrap()
                .contains("machinist import talhelper")
        );
        let k8s = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}});
        assert!(describe(&k8s).unwrap().contains("Kubernetes manifest"));
        // A mapping that is nothing in particular stays unexplained.
        assert_eq!(describe(&json!({"endpoint": "x", "foo": 1})), None);
        assert_eq!(
            describe(&json!({"kind": "LinkConfig", "apiVersion": "v1alpha1"})),
            None
        );
    }
}

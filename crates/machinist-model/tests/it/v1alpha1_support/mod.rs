//! Helpers shared by the v1alpha1 integration tests. In: YAML text. Out: the v1alpha1 documents of
//! a YAML stream, and patch directives stripped so that patches can be read as plain documents
//! (`shared/reference` is found by `machinist_testkit`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_yaml_ng::Value;

/// Parses every document of a YAML stream. Empty documents (a lone `---`) are dropped.
pub fn parse_stream(text: &str) -> Result<Vec<Value>, serde_yaml_ng::Error> {
    let mut docs = Vec::new();
    for de in serde_yaml_ng::Deserializer::from_str(text) {
        let value = Value::deserialize(de)?;
        if !value.is_null() {
            docs.push(value);
        }
    }
    Ok(docs)
}

/// Whether a document is the v1alpha1 root document, by the rule Talos's decoder uses: it says
/// `version: v1alpha1`, or it has no `kind`/`apiVersion` and carries one of the root keys.
pub fn is_v1alpha1_document(doc: &Value) -> bool {
    let Some(map) = doc.as_mapping() else {
        return false;
    };
    if map.get("version").and_then(Value::as_str) == Some("v1alpha1") {
        return true;
    }
    if map.contains_key("kind") || map.contains_key("apiVersion") {
        return false;
    }
    ["machine", "cluster", "debug", "persist"]
        .iter()
        .any(|k| map.contains_key(*k))
}

/// Removes strategic-merge delete directives so a patch reads as a plain (partial) document:
/// a mapping that is only `$patch: delete` is dropped from its parent (the key is being
/// deleted), and a `$patch` key next to other keys (a list item selected for deletion by its
/// identifying keys) is removed, keeping those keys.
pub fn strip_patch_directives(value: &mut Value) {
    match value {
        Value::Mapping(map) => {
            map.remove("$patch");
            let delete_only: Vec<Value> = map
                .iter()
                .filter(|(_, v)| is_delete_only(v))
                .map(|(k, _)| k.clone())
                .collect();
            for key in delete_only {
                map.remove(&key);
            }
            for (_, v) in map.iter_mut() {
                strip_patch_directives(v);
            }
        }
        Value::Sequence(items) => {
            items.retain(|item| !is_delete_only(item));
            for item in items.iter_mut() {
                strip_patch_directives(item);
            }
        }
        Value::Tagged(tagged) => strip_patch_directives(&mut tagged.value),
        _ => {}
    }
}

fn is_delete_only(value: &Value) -> bool {
    value
        .as_mapping()
        .is_some_and(|m| m.len() == 1 && m.get("$patch").and_then(Value::as_str) == Some("delete"))
}

/// Every `.yaml`/`.yml` file under `dir`, sorted, recursively.
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml")
            ) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Documents with one unknown key each: (document, the key the error must name).
pub const UNKNOWN_KEYS: &[(&str, &str)] = &[
    ("version: v1alpha1\nmachin: {}\n", "machin"),
    ("machine:\n  typ: worker\n", "typ"),
    ("machine:\n  hostname: cp-01\n", "hostname"),
    ("machine:\n  kubelet:\n    extraArg: {}\n", "extraArg"),
    (
        "machine:\n  kubelet:\n    nodeIP:\n      validSubnet: []\n",
        "validSubnet",
    ),
    (
        "machine:\n  install:\n    diskSelector:\n      sizee: 4GB\n",
        "sizee",
    ),
    (
        "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        dhcp6: true\n",
        "dhcp6",
    ),
    (
        "machine:\n  network:\n    interfaces:\n      - interface: bond0\n        bond:\n          mode: 802.3ad\n          member: [eth0]\n",
        "member",
    ),
    (
        "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        vlans:\n          - vlanId: 10\n            vipp: {}\n",
        "vipp",
    ),
    (
        "machine:\n  registries:\n    mirrors:\n      docker.io:\n        endpoint: [https://m]\n",
        "endpoint",
    ),
    (
        "machine:\n  files:\n    - path: /var/a\n      mode: 0o644\n",
        "mode",
    ),
    (
        "machine:\n  features:\n    kubePrism:\n      enable: true\n",
        "enable",
    ),
    (
        "machine:\n  systemDiskEncryption:\n    state:\n      keys:\n        - slot: 0\n          tmp: {}\n",
        "tmp",
    ),
    (
        "cluster:\n  controlPlane:\n    endpoints: https://a:6443\n",
        "endpoints",
    ),
    ("cluster:\n  apiServer:\n    certSans: [a]\n", "certSans"),
    (
        "cluster:\n  network:\n    podSubnet: [10.0.0.0/8]\n",
        "podSubnet",
    ),
    (
        "cluster:\n  etcd:\n    advertisedSubnet: []\n",
        "advertisedSubnet",
    ),
    (
        "cluster:\n  apiServer:\n    admissionControl:\n      - name: PodSecurity\n        config: {}\n",
        "config",
    ),
    (
        "cluster:\n  discovery:\n    registries:\n      service:\n        url: x\n",
        "url",
    ),
];

/// Documents with one value of the wrong shape each: (document, part of the expected error).
pub const WRONG_SHAPES: &[(&str, &str)] = &[
    ("machine:\n  type: master\n", "unknown variant `master`"),
    (
        "debug: maybe\n",
        "expected true or false, found the string `maybe`",
    ),
    ("debug: 1\n", "invalid type: integer `1`"),
    ("machine:\n  certSANs: a.example\n", "invalid type"),
    (
        "machine:\n  files:\n    - op: replace\n",
        "unknown variant `replace`",
    ),
    (
        "machine:\n  install:\n    diskSelector:\n      type: tape\n",
        "unknown variant `tape`",
    ),
    (
        "machine:\n  sysctls:\n    vm.swappiness: [1]\n",
        "a string, number or boolean",
    ),
    (
        "machine:\n  kubelet:\n    extraConfig: [a]\n",
        "invalid type",
    ),
    (
        "machine:\n  network:\n    interfaces:\n      - vlans:\n          - vlanId: 70000\n",
        "70000",
    ),
    (
        "cluster:\n  network:\n    cni:\n      name: cilium\n",
        "unknown variant `cilium`",
    ),
    (
        "cluster:\n  proxy:\n    extraArgs:\n      a: {b: c}\n",
        "did not match any variant",
    ),
    ("cluster:\n  acceptedCAs:\n    crt: abc\n", "invalid type"),
];

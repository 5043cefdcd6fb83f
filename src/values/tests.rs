//! The shared-subtree merge ([`all_node_values`]) must give exactly what merging each node's
//! sources from scratch ([`node_values`]) gives, key order included, while sharing what it can.

use std::path::Path;

use super::*;
use crate::project::Project;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A project whose nodes exercise every way a node's values can change the layered ones:
/// replacing a scalar, deleting a key and adding it back, appending to a list, merging a list by
/// key, adding new top-level keys, and setting nothing at all.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "Chart.yaml",
        "apiVersion: machinist/v1\nname: t\ntalosVersion: v1.13.0\nkubernetesVersion: v1.35.0\n\
         endpoint: https://10.0.0.1:6443\nlayers: [role]\ntemplates: [{file: c.yaml}]\n\
         merge:\n  - {path: labels, lists: append}\n  - {path: sysctls, lists: merge-by-key, key: name}\n",
    );
    write(root, "templates/c.yaml", "version: v1alpha1\n");
    write(
        root,
        "values.yaml",
        "a: 1\nnet: {mtu: 1500, dns: [1.1.1.1]}\nlabels: [x]\nsysctls: [{name: s1, value: '1'}]\nz: last\n",
    );
    write(
        root,
        "layers/role/cp.yaml",
        "net: {vip: 10.0.0.5}\nlabels: [cp]\n",
    );
    write(root, "layers/role/wk.yaml", "a: 2\n");
    let nodes = [
        ("n1", "cp", ""),
        ("n2", "cp", "values:\n  net: {mtu: 9000}\n"),
        ("n3", "wk", "values:\n  a: null\n  labels: [mine]\n"),
        (
            "n4",
            "wk",
            "values:\n  sysctls: [{name: s1, value: '2'}, {name: s2, value: '3'}]\n  new: {k: v}\n",
        ),
        ("n5", "cp", "values: {}\n"),
    ];
    for (i, (name, role, extra)) in nodes.iter().enumerate() {
        write(
            root,
            &format!("nodes/{name}.yaml"),
            &format!(
                "address: 10.0.0.{}\nfacets: {{role: {role}}}\n{extra}",
                i + 10
            ),
        );
    }
    dir
}

fn overrides(root: &Path, sets: &[&str], file: Option<&str>) -> Overrides {
    let files = match file {
        Some(text) => {
            write(root, "extra.yaml", text);
            read_value_files(&[root.join("extra.yaml")]).unwrap()
        }
        None => Vec::new(),
    };
    Overrides {
        files,
        sets: sets
            .iter()
            .flat_map(|s| set::parse(SetKind::Typed, s).unwrap())
            .collect(),
    }
}

fn text(v: &Values) -> String {
    serde_json::to_string(&v.to_json()).unwrap()
}

#[test]
fn shared_merge_equals_a_merge_from_scratch() {
    let dir = project();
    let p = Project::load(dir.path()).unwrap();
    for ov in [
        overrides(dir.path(), &[], None),
        overrides(dir.path(), &["net.mtu=1280", "z=null"], None),
        overrides(
            dir.path(),
            &["a=7"],
            Some("z: again\nlabels: [cli]\nfresh: 1\n"),
        ),
    ] {
        let shared = all_node_values(&p, &ov);
        for (node, got) in p.nodes.iter().zip(&shared) {
            let want = node_values(&p, node, &ov, false).unwrap();
            assert_eq!(
                text(&got.as_ref().unwrap().values),
                text(&want.values),
                "node {}",
                node.name
            );
        }
    }
}

#[test]
fn nodes_share_the_subtrees_they_do_not_touch() {
    let dir = project();
    let p = Project::load(dir.path()).unwrap();
    let all: Vec<Values> = all_node_values(&p, &Overrides::default())
        .into_iter()
        .map(|v| v.unwrap().values)
        .collect();
    let (n1, n2, n5) = (&all[0], &all[1], &all[4]);
    // n2 changes `net` only: every other key is n1's (same layers, no values) subtree.
    assert!(!n2.shares_key_with(n1, "net"));
    for key in ["a", "labels", "sysctls", "z"] {
        assert!(n2.shares_key_with(n1, key), "{key}");
    }
    // An empty `values: {}` shares everything.
    for (key, _) in n1.entries() {
        assert!(n5.shares_key_with(n1, key), "{key}");
    }
}

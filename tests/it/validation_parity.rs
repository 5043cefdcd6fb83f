//! Issue 10, as users met it: configs Talos refuses must not be called valid by any path
//! (`render`, `lint`, `validate`, `patch`, `import configs`), JSON 6902 `replace` behaves like the
//! library Talos links, and a facet name typo in a node file is an error.

use crate::common;

use common::{builtin_chart as chart, machinist, repo, transcript};

fn write(dir: &std::path::Path, rel: &str, text: &str) -> String {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn a_v1alpha1_section_next_to_the_document_replacing_it_fails_render_and_lint() {
    let project = chart("v1.15.0");
    let patch = write(
        project.path(),
        "proxy.yaml",
        "cluster:\n  proxy:\n    disabled: true\n",
    );
    let dir = project.path().to_string_lossy().into_owned();
    let run = machinist(&repo(), &["render", &dir, "-p", &patch]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(
        run.stderr.contains(
            "cluster proxy config in v1alpha1 config (.machine.cluster.proxy) can't be used with KubeProxyConfig document"
        ),
        "{}",
        run.stderr
    );
    // The error names both places: the v1alpha1 field and the document that replaces it.
    assert!(run.stderr.contains("`cluster.proxy`"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the other place: document `KubeProxyConfig`"),
        "{}",
        run.stderr
    );
    // The same section in a v1.13 project (no KubeProxyConfig there) renders.
    let older = chart("v1.13.0");
    let patch = write(
        older.path(),
        "proxy.yaml",
        "cluster:\n  proxy:\n    disabled: true\n",
    );
    let dir = older.path().to_string_lossy().into_owned();
    let run = machinist(&repo(), &["render", &dir, "-p", &patch]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
}

#[test]
fn validate_refuses_a_static_hostname_next_to_a_hostname_config_from_v1_12() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "cp.yaml",
        "version: v1alpha1\nmachine:\n  type: controlplane\n  install: {disk: /dev/sda}\n  network:\n    hostname: cp-1\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nauto: stable\n",
    );
    let run = machinist(dir.path(), &["validate", "--talos-version", "v1.12", &f]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(
        run.stderr.contains(
            "`machine.network.hostname`: static hostname is already set in v1alpha1 config"
        ),
        "{}",
        run.stderr
    );
    // The note points at the HostnameConfig document, by line.
    assert!(
        run.stderr.contains(&format!("the other place: {f}:8:1")),
        "{}",
        run.stderr
    );
    // v1.11 has no HostnameConfig at all: that is the kind's own error, not a conflict.
    let run = machinist(dir.path(), &["validate", "--talos-version", "v1.11", &f]);
    assert_eq!(run.code, 1);
    assert!(!run.stderr.contains("already set"), "{}", run.stderr);
}

#[test]
fn two_link_documents_for_one_link_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "links.yaml",
        "apiVersion: v1alpha1\nkind: VLANConfig\nname: e.1\nvlanID: 1\nparent: eth0\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: e.1\n",
    );
    let run = machinist(dir.path(), &["validate", "--patch", &f]);
    assert_eq!(run.code, 0, "patches may repeat: {}", transcript(&run));
    let run = machinist(dir.path(), &["validate", &f]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(
        run.stderr
            .contains("conflicting documents: VLANConfig/e.1 and LinkConfig/e.1"),
        "{}",
        run.stderr
    );
}

#[test]
fn vlan_ids_outside_1_to_4094_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (id, ok) in [("4095", false), ("0", false), ("4094", true), ("1", true)] {
        let f = write(
            dir.path(),
            "vlan.yaml",
            &format!(
                "apiVersion: v1alpha1\nkind: VLANConfig\nname: e.1\nvlanID: {id}\nparent: eth0\n"
            ),
        );
        let run = machinist(dir.path(), &["validate", &f]);
        assert_eq!(run.code == 0, ok, "vlanID {id}: {}", transcript(&run));
        if !ok {
            assert!(
                run.stderr
                    .contains("vlanID must be specified and between 1 and 4094"),
                "{}",
                run.stderr
            );
        }
    }
}

const CONFIG: &str = "version: v1alpha1\nmachine:\n  type: controlplane\n  network:\n    interfaces:\n      - interface: eth0\n        dhcp: true\n";

#[test]
fn machinist_patch_loads_patches_strictly() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "cp.yaml", CONFIG);
    let run = machinist(
        dir.path(),
        &["patch", "cp.yaml", "-p", r#"{"machine":{"hostnme":"x"}}"#],
    );
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("unknown key `hostnme`"),
        "{}",
        run.stderr
    );
    // talm chart values are not a patch.
    write(
        dir.path(),
        "values.yaml",
        "endpoint: https://10.0.0.1:6443\nfloatingIP: 10.0.0.10\npodSubnets: [10.244.0.0/16]\n",
    );
    let run = machinist(dir.path(), &["patch", "cp.yaml", "-p", "values.yaml"]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(
        run.stderr.contains("this looks like talm chart values"),
        "{}",
        run.stderr
    );
    // Nor is an Omni cluster template.
    write(
        dir.path(),
        "omni.yaml",
        "kind: Cluster\nname: lab\ntalos:\n  version: v1.13.0\n---\nkind: ControlPlane\nmachines: [a]\n",
    );
    let run = machinist(dir.path(), &["patch", "cp.yaml", "-p", "omni.yaml"]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(
        run.stderr
            .contains("this looks like an Omni cluster template"),
        "{}",
        run.stderr
    );
    // A document with `kind` needs `apiVersion`.
    let run = machinist(
        dir.path(),
        &[
            "patch",
            "cp.yaml",
            "-p",
            "{kind: HostnameConfig, auto: stable}",
        ],
    );
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(
        run.stderr.contains("without `apiVersion`"),
        "{}",
        run.stderr
    );
    // The result must load too: a second link document for eth0 conflicts.
    let run = machinist(
        dir.path(),
        &[
            "patch",
            "cp.yaml",
            "--talos-version",
            "v1.13",
            "-p",
            "{apiVersion: v1alpha1, kind: LinkConfig, name: e.1}",
            "-p",
            "{apiVersion: v1alpha1, kind: VLANConfig, name: e.1, vlanID: 1, parent: eth0}",
        ],
    );
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(
        run.stderr.contains("conflicting documents"),
        "{}",
        run.stderr
    );
}

#[test]
fn json_patch_replace_of_a_missing_key_applies_as_add() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "cp.yaml", CONFIG);
    let run = machinist(
        dir.path(),
        &[
            "patch",
            "cp.yaml",
            "-p",
            r#"[{"op":"replace","path":"/machine/time","value":{"disabled":true}}]"#,
        ],
    );
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert!(
        run.stdout.contains("  time:\n    disabled: true\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn import_configs_refuses_what_validate_refuses() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "x.yaml", "endpoint: x\nfoo: 1\n");
    let run = machinist(dir.path(), &["import", "configs", "x.yaml", "-o", "out"]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(
        run.stderr.contains("not a Talos v1.13 machine config"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("out").exists());
    let check = machinist(dir.path(), &["validate", "x.yaml"]);
    assert_eq!(check.code, 1);
}

#[test]
fn a_facet_name_typo_in_a_node_file_is_an_error_with_did_you_mean() {
    let project = chart("v1.13.0");
    let node = project.path().join("nodes/cp-01.yaml");
    let text = std::fs::read_to_string(&node).unwrap();
    std::fs::write(
        &node,
        text.replace("role: controlplane", "rol: controlplane"),
    )
    .unwrap();
    let dir = project.path().to_string_lossy().into_owned();
    let run = machinist(&repo(), &["render", &dir]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(run.stderr.contains("unknown facet `rol`"), "{}", run.stderr);
    assert!(
        run.stderr.contains("did you mean `role`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn import_talhelper_translates_config_patches_and_inline_patches() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "talconfig.yaml",
        "clusterName: lab\ntalosVersion: v1.13.0\nendpoint: https://10.0.0.10:6443\n\
         configPatches:\n  - op: add\n    path: /machine/sysctls\n    value: {vm.max_map_count: \"262144\"}\n\
         nodes:\n  - hostname: cp-1\n    ipAddress: 10.0.0.11\n    controlPlane: true\n    installDisk: /dev/sda\n\
         \x20   inlinePatch:\n      machine:\n        env:\n          HTTP_PROXY: http://proxy:3128\n",
    );
    let run = machinist(
        dir.path(),
        &["import", "talhelper", "talconfig.yaml", "-o", "cluster"],
    );
    assert_eq!(run.code, 0, "{}", transcript(&run));
    // Nothing is dropped; the JSON patch is rewritten (the generated config has several documents).
    assert!(!run.stderr.contains("left out"), "{}", run.stderr);
    assert!(!run.stderr.contains("inlinePatch"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("configPatches: JSON patch rewritten as a strategic merge patch"),
        "{}",
        run.stderr
    );
    let render = machinist(&dir.path().join("cluster"), &["render"]);
    assert_eq!(render.code, 0, "{}", transcript(&render));
    assert!(
        render.stdout.contains("vm.max_map_count: '262144'"),
        "{}",
        render.stdout
    );
    assert!(
        render.stdout.contains("HTTP_PROXY: http://proxy:3128"),
        "{}",
        render.stdout
    );
}

#[test]
fn import_talhelper_keeps_secrets_out_of_plaintext_patch_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "talconfig.yaml",
        "clusterName: lab\ntalosVersion: v1.13.0\nendpoint: https://10.0.0.10:6443\n\
         nodes:\n  - hostname: cp-1\n    ipAddress: 10.0.0.11\n    controlPlane: true\n    installDisk: /dev/sda\n\
         \x20   inlinePatch:\n      machine:\n        token: abcdef.0123456789abcdef\n        env: {A: b}\n",
    );
    let run = machinist(
        dir.path(),
        &["import", "talhelper", "talconfig.yaml", "-o", "cluster"],
    );
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert!(
        run.stderr
            .contains("secret values left out of the patch file (v1alpha1: machine.token)"),
        "{}",
        run.stderr
    );
    for entry in walkdir::WalkDir::new(dir.path().join("cluster")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let text = std::fs::read(entry.path()).unwrap();
            let text = String::from_utf8_lossy(&text);
            assert!(
                !text.contains("0123456789abcdef"),
                "{} holds the token",
                entry.path().display()
            );
        }
    }
    // The rest of the patch is kept.
    let render = machinist(&dir.path().join("cluster"), &["render"]);
    assert_eq!(render.code, 0, "{}", transcript(&render));
    assert!(render.stdout.contains("A: b"), "{}", render.stdout);
}

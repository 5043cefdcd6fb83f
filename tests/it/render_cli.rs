//! `machinist render` and `machinist explain` on a small project: the bytes users get, layering
//! (facets, merge policies, `null` deletes, `-f`, `--set*`), node selection, output files and JSON.

use crate::common;

use common::{fixture, machinist, project_with, transcript};

#[test]
fn renders_every_node_with_layers_applied() {
    let run = machinist(&fixture("basic"), &["render", "."]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn output_is_byte_identical_across_runs() {
    let a = machinist(&fixture("basic"), &["render", "."]);
    let b = machinist(&fixture("basic"), &["render", "."]);
    assert_eq!(a.code, 0);
    assert_eq!(a.stdout, b.stdout);
    let out1 = tempfile::tempdir().unwrap();
    let out2 = tempfile::tempdir().unwrap();
    for out in [&out1, &out2] {
        let o = out.path().to_str().unwrap();
        assert_eq!(
            machinist(&fixture("basic"), &["render", ".", "-o", o]).code,
            0
        );
    }
    for node in ["cp-1", "wk-1"] {
        let f = format!("{node}.yaml");
        let x = std::fs::read(out1.path().join(&f)).unwrap();
        let y = std::fs::read(out2.path().join(&f)).unwrap();
        assert_eq!(x, y);
    }
}

#[test]
fn output_dir_gets_one_file_per_node_matching_stdout() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().join("rendered");
    let run = machinist(
        &fixture("basic"),
        &["render", ".", "-o", o.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert!(run.stdout.is_empty());
    let mut names: Vec<String> = std::fs::read_dir(&o)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["cp-1.yaml", "wk-1.yaml"],
        "no temporary files left behind"
    );
    let stdout = machinist(&fixture("basic"), &["render", ".", "--node", "wk-1"]).stdout;
    let file = std::fs::read_to_string(o.join("wk-1.yaml")).unwrap();
    assert_eq!(stdout, format!("# machinist: node=wk-1\n{file}"));
}

#[test]
fn nothing_is_written_when_any_node_fails() {
    let p = project_with(
        "basic",
        &[(
            "nodes/wk-1.yaml",
            "address: 10.5.0.21\nfacets: { env: nope, role: worker }\n",
        )],
    );
    let out = p.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("cp-1.yaml"), "previous\n").unwrap();
    let run = machinist(p.path(), &["render", ".", "-o", "out"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        std::fs::read_to_string(out.join("cp-1.yaml")).unwrap(),
        "previous\n"
    );
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

#[test]
fn check_compares_committed_renders_without_writing() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().join("rendered");
    let o = o.to_str().unwrap();
    let basic = fixture("basic");
    assert_eq!(machinist(&basic, &["render", ".", "-o", o]).code, 0);
    let run = machinist(&basic, &["render", ".", "-o", o, "--check"]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert_eq!(
        run.stdout,
        format!("2 rendered files are in {o} up to date\n")
    );
    // A changed value makes every node's file stale; nothing is written.
    let before = std::fs::read(out.path().join("rendered/wk-1.yaml")).unwrap();
    let run = machinist(
        &basic,
        &[
            "render",
            ".",
            "-o",
            o,
            "--check",
            "--set",
            "network.mtu=9000",
        ],
    );
    assert_eq!(run.code, 2, "differences exit 2, like diff");
    assert!(run.stderr.contains("wk-1.yaml: stale (+"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("run the same command without --check to update them"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read(out.path().join("rendered/wk-1.yaml")).unwrap(),
        before
    );
    // A missing node file and a file for a node that no longer exists.
    std::fs::remove_file(out.path().join("rendered/cp-1.yaml")).unwrap();
    std::fs::write(out.path().join("rendered/old.yaml"), "x").unwrap();
    let run = machinist(&basic, &["render", ".", "-o", o, "--check"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cp-1.yaml: missing"), "{}", run.stderr);
    assert!(
        run.stderr.contains("old.yaml: not generated any more"),
        "{}",
        run.stderr
    );
    // With --node, other files are none of the check's business.
    let run = machinist(
        &basic,
        &["render", ".", "-o", o, "--check", "--node", "wk-1"],
    );
    assert_eq!(run.code, 0, "{}", transcript(&run));
    // --check needs -o: a usage error.
    assert_eq!(machinist(&basic, &["render", ".", "--check"]).code, 64);
}

#[test]
fn node_filter_selects_nodes() {
    let run = machinist(&fixture("basic"), &["render", ".", "--node", "cp-1"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("# machinist: node=cp-1\n"));
    assert!(!run.stdout.contains("node=wk-1"));
}

#[test]
fn json_output_carries_every_document() {
    let run = machinist(&fixture("basic"), &["render", ".", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let nodes = v["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 2);
    assert_eq!(nodes[0]["name"], "cp-1");
    assert_eq!(nodes[0]["role"], "controlplane");
    assert_eq!(nodes[0]["documents"].as_array().unwrap().len(), 2);
    assert_eq!(nodes[0]["documents"][1]["kind"], "Layer2VIPConfig");
    assert_eq!(nodes[1]["documents"].as_array().unwrap().len(), 1);
    assert_eq!(
        nodes[1]["documents"][0]["machine"]["network"]["interfaces"][0]["mtu"],
        1500
    );
}

#[test]
fn set_flags_win_and_keep_ip_values_strings() {
    let run = machinist(
        &fixture("basic"),
        &[
            "render",
            ".",
            "--node",
            "cp-1",
            "--set",
            "network.vip=10.9.9.9,network.mtu=1280",
            "--set-json",
            r#"extraSANs=["json.example"]"#,
        ],
    );
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert!(
        run.stdout.contains("endpoint: https://10.9.9.9:6443"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("name: 10.9.9.9"), "{}", run.stdout);
    assert!(run.stdout.contains("mtu: 1280"), "{}", run.stdout);
    assert!(
        run.stdout.contains("- json.example\n"),
        "--set-json replaces the list: {}",
        run.stdout
    );
    assert!(!run.stdout.contains("base.example.org"), "{}", run.stdout);
}

#[test]
fn values_files_apply_in_order_after_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.yaml");
    let b = dir.path().join("b.yaml");
    std::fs::write(&a, "network:\n  mtu: 1400\n  nameservers: [9.9.9.9]\n").unwrap();
    std::fs::write(&b, "network:\n  mtu: 1300\n").unwrap();
    let run = machinist(
        &fixture("basic"),
        &[
            "render",
            ".",
            "--node",
            "cp-1",
            "-f",
            a.to_str().unwrap(),
            "-f",
            b.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert!(
        run.stdout.contains("mtu: 1300"),
        "later -f wins over the node file: {}",
        run.stdout
    );
    assert!(run.stdout.contains("- 9.9.9.9"), "{}", run.stdout);
}

#[test]
fn set_null_deletes_a_key() {
    let with = machinist(&fixture("basic"), &["explain", ".", "wk-1", "debugLevel"]);
    assert!(
        with.stdout.starts_with("wk-1 debugLevel = 1\n"),
        "{}",
        with.stdout
    );
    let run = machinist(
        &fixture("basic"),
        &[
            "explain",
            ".",
            "wk-1",
            "debugLevel",
            "--set",
            "debugLevel=null",
        ],
    );
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert!(
        run.stdout
            .starts_with("wk-1 debugLevel is not set (deleted)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("--set debugLevel=null"),
        "{}",
        run.stdout
    );
}

#[test]
fn explain_lists_every_layer_in_order() {
    let run = machinist(&fixture("basic"), &["explain", ".", "cp-1", "network"]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn explain_shows_list_policies() {
    let append = machinist(&fixture("basic"), &["explain", ".", "cp-1", "extraSANs"]);
    insta::assert_snapshot!("explain_append", append.stdout);
    let by_key = machinist(&fixture("basic"), &["explain", ".", "cp-1", "disks"]);
    insta::assert_snapshot!("explain_merge_by_key", by_key.stdout);
    let deleted = machinist(&fixture("basic"), &["explain", ".", "cp-1", "debugLevel"]);
    insta::assert_snapshot!("explain_deleted", deleted.stdout);
}

#[test]
fn explain_json_names_files_and_lines() {
    let run = machinist(
        &fixture("basic"),
        &["explain", ".", "cp-1", "network.mtu", "--json"],
    );
    assert_eq!(run.code, 0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["value"], 9216);
    let sources: Vec<(String, u64)> = v["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["source"].as_str().unwrap().to_string(),
                s["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sources,
        [
            ("values.yaml".into(), 3),
            ("layers/env/prod.yaml".into(), 2),
            ("nodes/cp-1.yaml".into(), 5)
        ]
    );
}

#[test]
fn explain_unknown_path_suggests() {
    let run = machinist(&fixture("basic"), &["explain", ".", "cp-1", "network.mut"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn booleans_and_none_print_as_yaml() {
    let p = project_with(
        "basic",
        &[(
            "templates/controlplane.yaml",
            // A valid Talos document, since rendering validates: the bool, null and quoted text
            // land in a bool map, an optional section and a string.
            "apiVersion: v1alpha1\nkind: EthernetConfig\nname: \"{{ values.schedulable }}\"\nfeatures:\n  flag: {{ values.schedulable }}\nrings: {{ none }}\n",
        )],
    );
    let run = machinist(
        p.path(),
        &["render", ".", "--node", "cp-1", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", transcript(&run));
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let doc = &v["nodes"][0]["documents"][1];
    assert_eq!(doc["features"]["flag"], true);
    assert!(doc["rings"].is_null());
    assert_eq!(doc["name"], "true");
}

#[test]
fn numbers_mean_what_talos_reads() {
    // Talos's decoder reads a plain 0644 as octal; a quoted one stays a string.
    let p = project_with(
        "basic",
        &[(
            "templates/controlplane.yaml",
            // A valid Talos document, since rendering validates.
            "apiVersion: v1alpha1\nkind: EthernetConfig\nname: \"0644\"\nrings:\n  rx: 0644\n  tx: 0x1F\n",
        )],
    );
    let run = machinist(p.path(), &["render", ".", "--node", "cp-1"]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert!(run.stdout.contains("  rx: 420\n"), "{}", run.stdout);
    assert!(run.stdout.contains("name: '0644'\n"), "{}", run.stdout);
    assert!(run.stdout.contains("  tx: 31\n"), "{}", run.stdout);
}

/// A project with one empty layer per role and a template listing `cluster.controlplanes` and
/// `cluster.workers` in `machine.certSANs`; `nodes` are (name, role facet or none).
fn roles_project(chart_extra: &str, nodes: &[(&str, Option<&str>)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = tmp.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "Chart.yaml",
        &format!("apiVersion: machinist/v1\nname: roles\nlayers: [role]\n{chart_extra}"),
    );
    write("values.yaml", "tag: t\n");
    write(
        "templates/machine.yaml",
        "version: v1alpha1\nmachine:\n  type: worker\n  install:\n    disk: /dev/sda\n  certSANs:\n\
         {% for n in cluster.controlplanes %}\n    - cp.{{ n.name }}.{{ n.address }}\n{% endfor %}\n\
         {% for n in cluster.workers %}\n    - wk.{{ n.name }}.{{ n.values.tag }}\n{% endfor %}\n",
    );
    for (i, (name, role)) in nodes.iter().enumerate() {
        let facets = match role {
            Some(r) => {
                write(&format!("layers/role/{r}.yaml"), "");
                format!("facets: {{ role: {r} }}\n")
            }
            None => String::new(),
        };
        write(
            &format!("nodes/{name}.yaml"),
            &format!("address: 10.9.0.{}\n{facets}", i + 1),
        );
    }
    tmp
}

/// `machine.certSANs` of the first node rendered from a [`roles_project`].
fn listed(p: &tempfile::TempDir) -> Vec<String> {
    let run = machinist(p.path(), &["render", ".", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    v["nodes"][0]["documents"][0]["machine"]["certSANs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn controlplanes_are_the_nodes_whose_role_chart_yaml_names() {
    // Default: the Talos control-plane machine types `controlplane` and `init`; every other node,
    // with or without a role, is a worker. Both lists keep node order.
    let p = roles_project(
        "",
        &[
            ("a", Some("worker")),
            ("b", Some("controlplane")),
            ("c", None),
            ("d", Some("init")),
            ("e", Some("control-plane")),
        ],
    );
    assert_eq!(
        listed(&p),
        [
            "cp.b.10.9.0.2",
            "cp.d.10.9.0.4",
            "wk.a.t",
            "wk.c.t",
            "wk.e.t"
        ]
    );
}

#[test]
fn controlplanes_follow_a_project_spelling_of_the_role() {
    let p = roles_project(
        "controlPlaneRoles: control-plane\n",
        &[
            ("a", Some("control-plane")),
            ("b", Some("controlplane")),
            ("c", Some("worker")),
        ],
    );
    assert_eq!(
        listed(&p),
        ["cp.a.10.9.0.1", "wk.b.t", "wk.c.t"],
        "only the spelling Chart.yaml names counts"
    );
    let p = roles_project(
        "controlPlaneRoles: [cp, etcd]\n",
        &[
            ("a", Some("etcd")),
            ("b", Some("cp")),
            ("c", Some("worker")),
        ],
    );
    assert_eq!(listed(&p), ["cp.a.10.9.0.1", "cp.b.10.9.0.2", "wk.c.t"]);
}

#[test]
fn rendering_again_into_an_up_to_date_directory_rewrites_nothing() {
    use std::os::unix::fs::MetadataExt;
    let p = project_with("basic", &[]);
    let out = tempfile::tempdir().unwrap();
    let o = out.path().join("rendered");
    let o = o.to_str().unwrap();
    let first = machinist(p.path(), &["render", ".", "-o", o]);
    assert_eq!(first.stderr, format!("wrote 2 files to {o}\n"));
    let stamp = |n: &str| {
        let m = std::fs::metadata(out.path().join("rendered").join(n)).unwrap();
        (m.mtime(), m.mtime_nsec(), m.ino())
    };
    let before = [stamp("cp-1.yaml"), stamp("wk-1.yaml")];
    let again = machinist(p.path(), &["render", ".", "-o", o]);
    assert_eq!(again.code, 0, "{}", transcript(&again));
    assert_eq!(
        again.stderr,
        format!("wrote 0 files to {o} (2 unchanged)\n")
    );
    assert_eq!([stamp("cp-1.yaml"), stamp("wk-1.yaml")], before);
    // One node's output changes: only its file is replaced.
    std::fs::write(
        p.path().join("nodes/wk-1.yaml"),
        "address: 10.5.0.21\nfacets: { env: lab, role: worker }\nvalues: { network: { mtu: 1400 } }\n",
    )
    .unwrap();
    let changed = machinist(p.path(), &["render", ".", "-o", o]);
    assert_eq!(
        changed.stderr,
        format!("wrote 1 file to {o} (1 unchanged)\n")
    );
    assert_eq!(stamp("cp-1.yaml"), before[0]);
    assert_ne!(stamp("wk-1.yaml"), before[1]);
}

//! `machinist migrate`: every full v1.11–v1.13 machine config of the reference corpus migrates to
//! v1.14 and v1.15, validates there, keeps its effective settings, and leaves no deprecated field
//! behind without a named warning; the counts (files, documents, fields moved) are printed. Plus
//! the command line: bad versions, backwards targets, `--strict`, atomic `-o`. Tests that need
//! ../shared/reference print `skipped: ../shared/reference not found` and pass without it.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use machinist::migrate::config::{migrate_text, parse_stream};
use machinist_model::Contract;
use machinist_model::migrate::value::{get, is_v1alpha1, related};
use machinist_model::schema::{deprecated_fields, validate_documents, yaml_to_json};
use machinist_testkit::reference_or_skip as reference;

fn corpus_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["talos", "community"] {
        let dir = root.join("corpus").join(sub);
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd {
            let p = e.unwrap().path();
            // community/<owner>__<repo>/<file>
            let inner: Vec<PathBuf> = if p.is_dir() {
                std::fs::read_dir(&p)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .collect()
            } else {
                vec![p]
            };
            out.extend(
                inner
                    .into_iter()
                    .filter(|p| p.extension().is_some_and(|x| x == "yaml")),
            );
        }
    }
    out.sort();
    out
}

/// A full machine config: a v1alpha1 document with a machine type and a cluster section.
fn is_full_config(docs: &[serde_yaml_ng::Value]) -> bool {
    docs.iter()
        .any(|d| is_v1alpha1(d) && get(d, "machine.type").is_some() && get(d, "cluster").is_some())
}

#[test]
fn corpus_configs_migrate_to_v1_14_and_v1_15() {
    let Some(root) = reference() else { return };
    let (mut files, mut skipped, mut newer) = (0, 0, 0);
    let mut patches_failed_total = 0;
    for to in [Contract::V1_14, Contract::V1_15] {
        let (mut docs_added, mut fields_moved, mut left) = (0, 0, 0);
        let (mut patches, mut patch_fields, mut patches_failed) = (0, 0, 0);
        files = 0;
        skipped = 0;
        newer = 0;
        for path in corpus_files(&root) {
            let text = std::fs::read_to_string(&path).unwrap();
            let docs = match parse_stream(&path, &text) {
                Ok(d) => d,
                Err(_) => {
                    skipped += 1;
                    continue;
                }
            };
            if !is_full_config(&docs) {
                // Patches migrate too (every key optional); they are counted, not compared.
                // (Only real patches: a file no v1.11–v1.13 patch schema accepts, such as a
                // secrets bundle with a `cluster:` key, is not one.)
                let patch_like = [Contract::V1_11, Contract::V1_12, Contract::V1_13]
                    .iter()
                    .any(|c| validate_documents(*c, &docs, true).is_empty());
                if docs.iter().any(is_v1alpha1) && patch_like {
                    if let Ok(m) = migrate_text(&path, &text, Contract::V1_11, to, true) {
                        patches += 1;
                        patch_fields += m.migration.moved.len();
                    } else {
                        let e = migrate_text(&path, &text, Contract::V1_11, to, true).unwrap_err();
                        println!("patch refused: {e}");
                        patches_failed += 1;
                    }
                }
                skipped += 1;
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy();
            if name.contains("v1.15") {
                newer += 1;
                continue;
            }
            files += 1;
            println!("{to}: {name}");
            let m = migrate_text(&path, &text, Contract::V1_11, to, false)
                .unwrap_or_else(|e| panic!("{name} → {to}: {e}"));
            assert!(m.differences.is_empty());
            let json: Vec<_> = m.migration.docs.iter().map(yaml_to_json).collect();
            // Valid under the target, but for what the input already got wrong there.
            let before = validate_documents(to, &docs, false).len();
            let after = validate_documents(to, &m.migration.docs, false).len();
            assert!(
                after <= before,
                "{name} → {to}: {after} errors, {before} before"
            );
            // Every deprecated field still set is named by a warning.
            for f in deprecated_fields(to, &json) {
                let dotted = f.pointer.trim_start_matches('/').replace('/', ".");
                assert!(
                    m.migration
                        .warnings
                        .iter()
                        .any(|w| related(&dotted, &w.path)),
                    "{name} → {to}: `{dotted}` deprecated and not named"
                );
                left += 1;
            }
            docs_added += m.migration.added;
            fields_moved += m.migration.moved.len();
            // A second run has nothing left to move.
            let again = migrate_text(&path, &m.text, to, to, false).unwrap();
            assert_eq!(
                again.migration.moved,
                vec![],
                "{name} → {to}: not idempotent"
            );
        }
        patches_failed_total += patches_failed;
        println!(
            "corpus → {to}: {files} full configs migrated, {docs_added} documents added, {fields_moved} fields moved, {left} deprecated fields left with a named warning; {patches} patches migrated ({patch_fields} fields moved), {patches_failed} patches refused"
        );
    }
    assert_eq!(patches_failed_total, 0);
    println!(
        "corpus: {skipped} files skipped (patches, talhelper/talm files, not YAML), {newer} already v1.15"
    );
    assert!(files >= 5, "only {files} full configs found");
}

fn machinist() -> Command {
    Command::new(env!("CARGO_BIN_EXE_machinist"))
}

const CONFIG: &str = "version: v1alpha1\nmachine:\n  type: worker\n  network:\n    hostname: w-01\n    nameservers: [10.0.0.1]\n  time:\n    servers: [time.cloudflare.com]\n";

#[test]
fn cli_writes_atomically_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("w.yaml");
    let output = dir.path().join("out.yaml");
    std::fs::write(&input, CONFIG).unwrap();
    let o = machinist()
        .args(["migrate", "config"])
        .arg(&input)
        .args(["--from", "v1.12", "--to", "v1.12", "--patch", "-o"])
        .arg(&output)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("moved 3 field(s) into 3 new document(s)"),
        "{err}"
    );
    assert!(err.contains("behaviour preserved"), "{err}");
    let out = std::fs::read_to_string(&output).unwrap();
    assert!(
        out.contains("kind: HostnameConfig\nhostname: w-01\n"),
        "{out}"
    );
    assert!(!out.contains("network:"), "{out}");
}

#[test]
fn cli_refuses_bad_versions_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("w.yaml");
    let output = dir.path().join("out.yaml");
    std::fs::write(&input, CONFIG).unwrap();
    for (args, expect) in [
        (vec!["--to", "v1.9"], "unsupported Talos version `v1.9`"),
        (
            vec!["--from", "v1.14", "--to", "v1.13"],
            "older than the config's contract v1.14",
        ),
    ] {
        let o = machinist()
            .args(["migrate", "config"])
            .arg(&input)
            .args(&args)
            .arg("-o")
            .arg(&output)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains(expect), "{err}");
        assert!(!output.exists());
    }
}

#[test]
fn cli_strict_refuses_fields_that_stay() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("w.yaml");
    let output = dir.path().join("out.yaml");
    std::fs::write(&input, "version: v1alpha1\nmachine:\n  type: worker\n  files: [{path: /var/f, content: x, op: create}]\n").unwrap();
    let o = machinist()
        .args(["migrate", "config"])
        .arg(&input)
        .args(["--to", "v1.14", "--patch", "--strict", "-o"])
        .arg(&output)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("`machine.files.0.path` is outside /etc"),
        "{err}"
    );
    assert!(err.contains("nothing written"), "{err}");
    assert!(!output.exists());
}

/// The book page's mapping table is the table in the code. With `MACHINIST_BLESS=1` the page is
/// rewritten from the table instead (then review the diff).
#[test]
fn book_page_matches_the_mapping_table() {
    let page = common::repo().join("book/src/migrate.md");
    let text = std::fs::read_to_string(&page).unwrap();
    let (begin, end) = (
        "<!-- mapping-table:begin -->\n",
        "<!-- mapping-table:end -->",
    );
    let start = text.find(begin).expect("begin marker") + begin.len();
    let stop = text.find(end).expect("end marker");
    let want = machinist_model::migrate::book::mapping_markdown();
    if std::env::var_os("MACHINIST_BLESS").is_some() {
        let new = format!("{}{want}{}", &text[..start], &text[stop..]);
        std::fs::write(&page, new).unwrap();
        return;
    }
    assert_eq!(
        &text[start..stop],
        want,
        "book/src/migrate.md is stale: run with MACHINIST_BLESS=1"
    );
}

#[test]
fn project_report_names_template_lines_and_nodes() {
    let o = machinist()
        .current_dir(common::repo())
        .args(["migrate", "examples/homelab", "--to", "v1.14"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("templates/machine.yaml:10: deprecated: v1alpha1 machine.kubelet: use KubeletConfig, KubeNodeConfig, KubeCredentialProviderConfig (`machinist migrate config` moves it) (nodes cp-01, cp-02, cp-03, worker-01)"),
        "{out}"
    );
    assert!(
        out.contains(
            "templates/machine.yaml:24: deprecated: v1alpha1 cluster.allowSchedulingOnControlPlanes"
        ),
        "{out}"
    );
    assert!(out.contains("4 node(s) rendered under v1.12;"), "{out}");

    let o = machinist()
        .current_dir(common::repo())
        .args(["migrate", "examples/homelab", "--to", "v1.11"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("older than"));
}

/// Every node of the v1.12 example migrates to v1.14 and v1.15 with its behaviour preserved.
#[test]
fn homelab_nodes_migrate_with_behaviour_preserved() {
    use machinist::project::Project;
    use machinist::render::{RenderOptions, render};
    use machinist_model::migrate::effective::Effective;
    use machinist_model::migrate::migrate;
    let project = Project::load(&common::repo().join("examples/homelab")).unwrap();
    let nodes = render(
        &project,
        RenderOptions {
            with_secrets: false,
            ..Default::default()
        },
    )
    .unwrap();
    for to in [Contract::V1_14, Contract::V1_15] {
        for node in &nodes {
            let m = migrate(&node.documents, project.chart.contract, to, false)
                .unwrap_or_else(|e| panic!("{} → {to}: {e}", node.name));
            assert!(
                m.moved.len() >= 10,
                "{}: only {} fields moved",
                node.name,
                m.moved.len()
            );
            let d = Effective::of(&node.documents).differences(&Effective::of(&m.docs));
            assert_eq!(d, vec![], "{} → {to}", node.name);
            assert_eq!(m.warnings, vec![], "{} → {to}", node.name);
        }
    }
}

/// The multi-document bugs other tools shipped, as fixtures: each migrates with nothing lost.
#[test]
fn bug_report_fixtures_migrate_exactly() {
    let dir = common::repo().join("tests/fixtures/migrate");
    let run = |name: &str| {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let m = migrate_text(&path, &text, Contract::V1_12, Contract::V1_12, true)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(m.differences.is_empty());
        assert!(
            m.migration.warnings.is_empty(),
            "{name}: {:?}",
            m.migration.warnings
        );
        m.text
    };
    let t = run("talhelper-1391.yaml");
    assert!(t.contains("kind: LinkConfig\nname: enp1s0\n"), "{t}");
    assert!(t.contains("routes:\n- gateway: 10.10.0.1\n"), "{t}");
    assert!(
        t.contains("kind: VLANConfig\nname: enp1s0.20\nvlanID: 20\nparent: enp1s0\n"),
        "{t}"
    );
    assert!(t.contains("kind: DHCPv4Config\nname: enp1s0.20\n"), "{t}");
    let t = run("talm-143.yaml");
    assert!(
        t.contains("kind: VLANConfig\nname: enp0s31f6.4000\n"),
        "{t}"
    );
    assert!(t.contains("- address: 192.168.100.2/24"), "{t}");
    assert!(
        t.contains("kind: Layer2VIPConfig\nname: 192.168.100.10\nlink: enp0s31f6.4000\n"),
        "{t}"
    );
    let t = run("hostname-conflict.yaml");
    assert!(
        t.contains("kind: HostnameConfig\nhostname: turing-cp1\n"),
        "{t}"
    );
    assert!(!t.contains("auto: stable"), "{t}");
}

/// `--write` rewrites the plain patch files it owns, leaves templates to a human, and bumps
/// Chart.yaml only once every node validates under the target.
#[test]
fn write_rewrites_patches_and_bumps_the_chart() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("homelab");
    common::copy_dir(&common::repo().join("examples/homelab"), &root);
    std::fs::create_dir_all(root.join("patches")).unwrap();
    std::fs::write(
        root.join("patches/dns.yaml"),
        "machine:\n  network:\n    extraHostEntries: [{ip: 192.168.1.50, aliases: [nas]}]\n",
    )
    .unwrap();
    let node = root.join("nodes/worker-01.yaml");
    let mut text = std::fs::read_to_string(&node).unwrap();
    text.push_str("patches: [patches/dns.yaml]\n");
    std::fs::write(&node, text).unwrap();
    let before = {
        let p = machinist::project::Project::load(&root).unwrap();
        machinist::render::render(&p, Default::default()).unwrap()
    };

    let o = machinist()
        .args(["migrate"])
        .arg(&root)
        .args(["--to", "v1.13", "--write"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("rewrote patches/dns.yaml (1 field(s) moved)"),
        "{out}"
    );
    assert!(out.contains("Chart.yaml: talosVersion: v1.13.0"), "{out}");
    let patch = std::fs::read_to_string(root.join("patches/dns.yaml")).unwrap();
    assert_eq!(
        patch,
        "apiVersion: v1alpha1\nkind: StaticHostConfig\nname: 192.168.1.50\nhostnames:\n- nas\n"
    );
    assert!(!patch.contains("network:"), "{patch}");
    // Every node renders to the same effective settings, but for the installer image, which
    // follows Chart.yaml's talosVersion (the point of the bump).
    let p = machinist::project::Project::load(&root).unwrap();
    let after = machinist::render::render(&p, Default::default()).unwrap();
    use machinist_model::migrate::effective::Effective;
    for (b, a) in before.iter().zip(&after) {
        let d = Effective::of(&b.documents).differences(&Effective::of(&a.documents));
        assert_eq!(d.len(), 1, "{}: {d:?}", b.name);
        assert_eq!(d[0].setting, "install image");
        assert!(d[0].after.as_str().unwrap().ends_with(":v1.13.0"), "{d:?}");
    }
}

/// A patch that sets `machine.time` next to the TimeSyncConfig the templates write is a config
/// Talos refuses (v1.12+): `migrate --write` says so, with the patch's line, and writes nothing.
#[test]
fn write_refuses_a_project_talos_would_refuse_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("homelab");
    common::copy_dir(&common::repo().join("examples/homelab"), &root);
    std::fs::create_dir_all(root.join("patches")).unwrap();
    let patch = "machine:\n  time:\n    servers: [time.cloudflare.com]\n";
    std::fs::write(root.join("patches/time.yaml"), patch).unwrap();
    let node = root.join("nodes/worker-01.yaml");
    let mut text = std::fs::read_to_string(&node).unwrap();
    text.push_str("patches: [patches/time.yaml]\n");
    std::fs::write(&node, text).unwrap();
    let o = machinist()
        .args(["migrate"])
        .arg(&root)
        .args(["--to", "v1.13", "--write"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "time servers cannot be specified in both v1alpha1 and new-style configuration"
        ) && err.contains("patches/time.yaml:3:5"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("patches/time.yaml")).unwrap(),
        patch
    );
}

/// `examples/homelab` (v1.12) moves to v1.14 with `--write`: every node validates there (the
/// secrets stage gives the KubeServiceAccountConfig it adds the cluster endpoint as issuer), so
/// Chart.yaml is bumped, and the template lines that still use deprecated fields are listed.
#[test]
fn homelab_writes_its_way_to_v1_14() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("homelab");
    common::copy_dir(&common::repo().join("examples/homelab"), &root);
    let o = machinist()
        .args(["migrate"])
        .arg(&root)
        .args(["--to", "v1.14", "--write"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(
        out.contains(
            "needs a human: templates/machine.yaml:10: deprecated: v1alpha1 machine.kubelet"
        ),
        "{out}"
    );
    let chart = std::fs::read_to_string(root.join("Chart.yaml")).unwrap();
    assert!(chart.contains("talosVersion: v1.14.0"), "{chart}");
    let lint = machinist().args(["lint"]).arg(&root).output().unwrap();
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stderr)
    );
}

/// Every document of a migration as `Kind/name` (`v1alpha1` for the main one).
fn doc_list(docs: &[serde_yaml_ng::Value]) -> Vec<String> {
    docs.iter()
        .map(|d| match (d.get("kind"), d.get("name")) {
            (Some(k), Some(n)) => format!("{}/{}", k.as_str().unwrap(), n.as_str().unwrap()),
            (Some(k), None) => k.as_str().unwrap().to_string(),
            _ => "v1alpha1".to_string(),
        })
        .collect()
}

/// Migrates a bug-report fixture (a v1.12 patch) and gives the documents; nothing may stay behind
/// and the effective settings must be equal (`migrate_text` refuses otherwise).
fn fixture_docs(name: &str) -> Vec<serde_yaml_ng::Value> {
    let path = common::repo().join("tests/fixtures/migrate").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let m = migrate_text(&path, &text, Contract::V1_12, Contract::V1_12, true)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        m.migration.warnings.is_empty(),
        "{name}: {:?}",
        m.migration.warnings
    );
    assert!(
        get(&m.migration.docs[0], "machine.network").is_none(),
        "{name}"
    );
    m.migration.docs
}

fn field<'a>(docs: &'a [serde_yaml_ng::Value], key: &str, path: &str) -> &'a serde_yaml_ng::Value {
    let d = docs
        .iter()
        .find(|d| doc_list(std::slice::from_ref(*d))[0] == key)
        .unwrap_or_else(|| panic!("no {key} in {:?}", doc_list(docs)));
    get(d, path).unwrap_or_else(|| panic!("{key} has no {path}"))
}

fn yaml(s: &str) -> serde_yaml_ng::Value {
    serde_yaml_ng::from_str(s).unwrap()
}

/// talhelper #1342: several VLANs on one link are one VLANConfig each, named `<link>.<id>` (talhelper
/// named them all after the parent: "duplicate document v1alpha1/VLANConfig/ens6f0np0").
#[test]
fn talhelper_1342_vlans_get_one_document_each() {
    let docs = fixture_docs("talhelper-1342.yaml");
    assert_eq!(
        doc_list(&docs),
        [
            "v1alpha1",
            "LinkConfig/ens6f0np0",
            "VLANConfig/ens6f0np0.10",
            "VLANConfig/ens6f0np0.30",
            "DHCPv4Config/ens6f0np0.30",
            "VLANConfig/ens6f0np0.40",
        ]
    );
    for (vlan, id) in [
        ("ens6f0np0.10", 10),
        ("ens6f0np0.30", 30),
        ("ens6f0np0.40", 40),
    ] {
        let key = format!("VLANConfig/{vlan}");
        assert_eq!(field(&docs, &key, "parent"), &yaml("ens6f0np0"));
        assert_eq!(field(&docs, &key, "vlanID"), &yaml(&id.to_string()));
    }
    assert_eq!(
        field(&docs, "VLANConfig/ens6f0np0.40", "mtu"),
        &yaml("9000")
    );
    assert_eq!(
        field(&docs, "LinkConfig/ens6f0np0", "routes"),
        &yaml("[{destination: 0.0.0.0/0, gateway: 10.20.0.1}]")
    );
}

/// talhelper #1342 (review): a `deviceSelector` interface became a LinkAliasConfig, which must
/// match exactly one link. machinist leaves it in v1alpha1 with a named warning, and `--strict`
/// refuses.
#[test]
fn talhelper_1342_a_device_selector_stays_with_a_named_warning() {
    let path = common::repo().join("tests/fixtures/migrate/talhelper-1342-selector.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let m = migrate_text(&path, &text, Contract::V1_12, Contract::V1_14, true).unwrap();
    assert!(m.migration.moved.is_empty());
    assert_eq!(m.migration.warnings.len(), 1, "{:?}", m.migration.warnings);
    let w = &m.migration.warnings[0];
    assert_eq!(w.path, "machine.network.interfaces.0.deviceSelector");
    assert!(w.message.contains("LinkAliasConfig"), "{}", w.message);
    assert_eq!(doc_list(&m.migration.docs), ["v1alpha1"]);
    let o = machinist()
        .args(["migrate", "config"])
        .arg(&path)
        .args(["--from", "v1.12", "--to", "v1.14", "--patch", "--strict"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("deviceSelector") && err.contains("nothing written"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
}

/// talhelper #1390 (and #1608): a VIP on the link and a VIP inside a VLAN each become a
/// Layer2VIPConfig on the right link; the default route without `network` and the VLAN's parent
/// link survive (their loss left the nodes without network).
#[test]
fn talhelper_1390_vips_on_a_link_and_in_a_vlan_keep_the_network() {
    let docs = fixture_docs("talhelper-1390.yaml");
    assert_eq!(
        doc_list(&docs),
        [
            "v1alpha1",
            "LinkConfig/eno1",
            "Layer2VIPConfig/192.168.10.10",
            "VLANConfig/eno1.100",
            "Layer2VIPConfig/10.100.0.10",
        ]
    );
    assert_eq!(
        field(&docs, "Layer2VIPConfig/192.168.10.10", "link"),
        &yaml("eno1")
    );
    assert_eq!(
        field(&docs, "Layer2VIPConfig/10.100.0.10", "link"),
        &yaml("eno1.100")
    );
    assert_eq!(
        field(&docs, "LinkConfig/eno1", "routes"),
        &yaml("[{gateway: 192.168.10.1}]")
    );
    assert_eq!(
        field(&docs, "VLANConfig/eno1.100", "addresses"),
        &yaml("[{address: 10.100.0.11/24}]")
    );
}

/// cozystack/talm #125: every link is migrated, not only the one with the default gateway: the
/// storage NIC keeps its address and MTU, the bond its members and options; the gateway stays on
/// its own link.
#[test]
fn talm_125_secondary_links_and_bonds_are_kept() {
    let docs = fixture_docs("talm-125.yaml");
    assert_eq!(
        doc_list(&docs),
        [
            "v1alpha1",
            "LinkConfig/eth0",
            "LinkConfig/eth1",
            "BondConfig/bond0"
        ]
    );
    assert_eq!(field(&docs, "LinkConfig/eth1", "mtu"), &yaml("9000"));
    assert!(
        get(
            docs.iter()
                .find(|d| doc_list(std::slice::from_ref(*d))[0] == "LinkConfig/eth1")
                .unwrap(),
            "routes"
        )
        .is_none()
    );
    assert_eq!(
        field(&docs, "BondConfig/bond0", "links"),
        &yaml("[eth2, eth3]")
    );
    assert_eq!(
        field(&docs, "BondConfig/bond0", "bondMode"),
        &yaml("802.3ad")
    );
    assert_eq!(field(&docs, "BondConfig/bond0", "lacpRate"), &yaml("fast"));
    assert_eq!(
        field(&docs, "BondConfig/bond0", "addresses"),
        &yaml("[{address: 198.51.100.21/24}]")
    );
}

/// cozystack/talm #142: a VLAN on a NIC without the default route, that NIC's own address, and a
/// bridge all get their documents; the VIP stays on the link it was configured on.
#[test]
fn talm_142_links_without_the_gateway_are_not_dropped() {
    let docs = fixture_docs("talm-142.yaml");
    assert_eq!(
        doc_list(&docs),
        [
            "v1alpha1",
            "LinkConfig/enp1s0",
            "Layer2VIPConfig/192.0.2.10",
            "LinkConfig/enp2s0",
            "VLANConfig/enp2s0.7",
            "BridgeConfig/br0",
        ]
    );
    assert_eq!(
        field(&docs, "Layer2VIPConfig/192.0.2.10", "link"),
        &yaml("enp1s0")
    );
    assert_eq!(
        field(&docs, "VLANConfig/enp2s0.7", "parent"),
        &yaml("enp2s0")
    );
    assert_eq!(
        field(&docs, "VLANConfig/enp2s0.7", "addresses"),
        &yaml("[{address: 198.51.100.11/24}]")
    );
    assert_eq!(field(&docs, "BridgeConfig/br0", "links"), &yaml("[enp3s0]"));
    assert_eq!(
        field(&docs, "LinkConfig/enp2s0", "addresses"),
        &yaml("[{address: 203.0.113.11/24}]")
    );
}

/// A field with no equivalent is a named warning, the rest moves and is written; `--strict`
/// refuses the same file and writes nothing.
#[test]
fn a_field_with_no_equivalent_is_named_and_strict_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cp.yaml");
    let output = dir.path().join("out.yaml");
    std::fs::write(
        &input,
        "version: v1alpha1\nmachine:\n  type: controlplane\n  network:\n    hostname: cp-01\n  kubelet:\n    image: ghcr.io/siderolabs/kubelet:v1.35.4\n    extraMounts:\n      - {destination: /var/lib/longhorn, type: bind, source: /var/lib/longhorn, options: [bind, rshared, rw]}\n",
    )
    .unwrap();
    let run = |strict: bool| {
        let mut cmd = machinist();
        cmd.args(["migrate", "config"])
            .arg(&input)
            .args(["--from", "v1.13", "--to", "v1.14", "--patch", "-o"])
            .arg(&output);
        if strict {
            cmd.arg("--strict");
        }
        cmd.output().unwrap()
    };
    let o = run(true);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("`machine.kubelet.extraMounts`") && err.contains("nothing written"),
        "{err}"
    );
    assert!(!output.exists());

    let o = run(false);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("warning:") && err.contains("`machine.kubelet.extraMounts`"),
        "{err}"
    );
    let out = std::fs::read_to_string(&output).unwrap();
    assert!(
        out.contains("kind: HostnameConfig\nhostname: cp-01\n"),
        "{out}"
    );
    assert!(out.contains("extraMounts:"), "{out}");
    assert!(!out.contains("kind: KubeletConfig"), "{out}");
}

/// `migrate DIR --write` with a target older than the project's contract, or a version machinist
/// does not know, is an error naming it, and no file of the project changes.
#[test]
fn write_refuses_bad_targets_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("homelab");
    common::copy_dir(&common::repo().join("examples/homelab"), &root);
    let snapshot = |root: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        let mut files: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(root)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
            .collect();
        files.sort();
        files
    };
    let before = snapshot(&root);
    for (to, expect) in [
        ("v1.11", "older than"),
        ("v1.99", "unsupported Talos version `v1.99`"),
        ("latest", "unsupported Talos version `latest`"),
    ] {
        let o = machinist()
            .args(["migrate"])
            .arg(&root)
            .args(["--to", to, "--write"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_ne!(o.status.code(), Some(0), "{to}: {err}");
        assert!(err.contains(expect), "{to}: {err}");
        assert_eq!(snapshot(&root), before, "{to}: the project changed");
    }
}

//! `machinist import`: every talhelper `talconfig.yaml` of the community corpus imports and
//! renders (printing what each import could not translate), and importing rendered configs
//! gives a project that renders the same configs back. Tests that need ../shared/reference print
//! `skipped: ../shared/reference not found` and pass without it.

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use machinist::import::{self, configs::strip_secrets};
use machinist::project::Project;
use machinist::render::{RenderOptions, RenderedNode, render};
use machinist_testkit::reference_or_skip as reference;
use serde_yaml_ng::Value;

/// Rebuilds one corpus repository's tree (`a__b.yaml` is `a/b.yaml`) under `to`.
fn unflatten(repo: &Path, to: &Path) {
    for e in std::fs::read_dir(repo).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        let dest = to.join(name.replace("__", "/"));
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(repo.join(&name), dest).unwrap();
    }
}

fn render_project(dir: &Path) -> Vec<RenderedNode> {
    let project = Project::load(dir).unwrap_or_else(|d| panic!("{}: {d:?}", dir.display()));
    render(&project, RenderOptions::default())
        .unwrap_or_else(|d| panic!("{}: {:#?}", dir.display(), d))
}

fn hostname_of(n: &RenderedNode) -> Option<String> {
    n.documents
        .iter()
        .find(|d| d["kind"].as_str() == Some("HostnameConfig"))
        .and_then(|d| d["hostname"].as_str())
        .or_else(|| n.documents[0]["machine"]["network"]["hostname"].as_str())
        .map(str::to_string)
}

#[test]
fn every_community_talconfig_imports_and_renders() {
    let Some(r) = reference() else { return };
    let corpus = r.join("corpus/community");
    let mut seen = 0;
    let mut repos: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    repos.sort();
    for repo in repos {
        let tmp = tempfile::tempdir().unwrap();
        unflatten(&repo, tmp.path());
        let talconfigs: Vec<PathBuf> = walkdir::WalkDir::new(tmp.path())
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .filter(|p| p.file_name().is_some_and(|n| n == "talconfig.yaml"))
            .collect();
        for tc in talconfigs {
            seen += 1;
            let env = ["talenv.yaml", "talenv.sops.yaml"]
                .iter()
                .map(|n| tc.with_file_name(n))
                .find(|p| p.exists());
            let imported = import::talhelper::import(&tc, env.as_deref())
                .unwrap_or_else(|e| panic!("{}: {e}", tc.display()));
            let label = repo.file_name().unwrap().to_string_lossy().to_string();
            println!(
                "== {label}: not translated ({}):",
                imported.untranslated.len()
            );
            for u in &imported.untranslated {
                println!("   - {u}");
            }
            let out = tmp.path().join("imported");
            imported.write(&out).unwrap();
            let nodes = render_project(&out);

            // Same nodes, each with its hostname, role and install target.
            let talconfig: Value =
                serde_yaml_ng::from_str(&std::fs::read_to_string(&tc).unwrap()).unwrap();
            let want = talconfig["nodes"].as_sequence().unwrap();
            assert_eq!(nodes.len(), want.len(), "{label}");
            let hostnames: BTreeSet<String> = nodes.iter().filter_map(hostname_of).collect();
            for n in want {
                let h = n["hostname"].as_str().unwrap();
                assert!(
                    hostnames.contains(h),
                    "{label}: {h} missing in {hostnames:?}"
                );
                let rendered = nodes
                    .iter()
                    .find(|r| hostname_of(r).as_deref() == Some(h))
                    .unwrap();
                let v1 = &rendered.documents[0];
                let cp = n["controlPlane"].as_bool() == Some(true);
                assert_eq!(
                    v1["machine"]["type"].as_str(),
                    Some(if cp { "controlplane" } else { "worker" }),
                    "{label}: {h}"
                );
                if let Some(disk) = n["installDisk"].as_str() {
                    assert_eq!(v1["machine"]["install"]["disk"].as_str(), Some(disk));
                }
                if let Some(sel) = n.get("installDiskSelector") {
                    assert_eq!(&v1["machine"]["install"]["diskSelector"], sel);
                }
                if let Some(ifaces) = n["networkInterfaces"].as_sequence() {
                    let got = v1["machine"]["network"]["interfaces"]
                        .as_sequence()
                        .unwrap();
                    for i in ifaces {
                        let name = &i["interface"];
                        assert!(
                            got.iter().any(|g| &g["interface"] == name),
                            "{label}: {h}: interface {name:?}"
                        );
                    }
                }
            }
            // Global settings reach every node.
            if let Some(cni) = talconfig.get("cniConfig") {
                for n in &nodes {
                    assert_eq!(&n.documents[0]["cluster"]["network"]["cni"], cni, "{label}");
                }
            }
        }
    }
    assert!(seen >= 6, "found {seen} talconfig files");
}

#[test]
fn talhelper_variables_become_values_and_patches_become_files() {
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w(
        "talconfig.yaml",
        "clusterName: ${name}\ntalosVersion: v1.12.3\nendpoint: https://${vip}:6443\n\
         inlineManifests: [{name: ns, contents: 'kind: Namespace'}]\n\
         patches:\n  - \"@./patches/ntp.yaml\"\n  - \"@./patches/gone.yaml\"\n\
         nodes:\n  - hostname: cp1\n    ipAddress: ${cp1}\n    controlPlane: true\n\
         \x20   schematic: {customization: {extraKernelArgs: [noapic, nolapic]}}\n\
         \x20 - hostname: w1\n    ipAddress: 10.0.0.21\n    kernelModules: [{name: br_netfilter}]\n\
         \x20   ingressFirewall: {defaultAction: block, rules: [{name: kubelet, portSelector: {ports: [10250], protocol: tcp}, ingress: [{subnet: 10.0.0.0/24, except: 10.0.0.1/32}]}]}\n\
         \x20   extensionServices: [{name: nut-client, environment: [UPS=ups1]}]\n\
         \x20   userVolumes: [{name: data, provisioning: {diskSelector: {match: '!system_disk'}, minSize: 10GiB}}]\n\
         worker:\n  patches:\n    - |-\n      machine:\n        sysctls: {a: '1'}\n",
    );
    w("talenv.yaml", "name: lab\nvip: 10.0.0.10\ncp1: 10.0.0.11\n");
    w(
        "patches/ntp.yaml",
        "machine:\n  time:\n    servers: [ntp.${name}.example]\n",
    );
    let p = import::talhelper::import(
        &dir.path().join("talconfig.yaml"),
        Some(&dir.path().join("talenv.yaml")),
    )
    .unwrap();
    let text = |f: &str| p.files[Path::new(f)].clone();
    assert!(
        text("values.yaml").contains("vars:\n  cp1: 10.0.0.11\n  name: lab\n  vip: 10.0.0.10\n")
    );
    assert_eq!(
        text("nodes/cp1.yaml"),
        "address: '{{ values.vars[\"cp1\"] }}'\nfacets:\n  role: controlplane\n"
    );
    assert!(text("Chart.yaml").contains("endpoint: https://{{ values.vars[\"vip\"] }}:6443\n"));
    assert!(
        text("layers/role/worker.yaml")
            .contains("patches:\n- patches/ntp.yaml\n- patches/worker.yaml\n")
    );
    assert_eq!(
        text("patches/ntp.yaml"),
        "machine:\n  time:\n    servers: [ntp.lab.example]\n"
    );
    let reasons: Vec<String> = p.untranslated.iter().map(|u| u.to_string()).collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("patches[1]: patch file")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().all(|r| !r.starts_with("nodes[1].")),
        "every field of w1 is translated: {reasons:?}"
    );
    let out = dir.path().join("project");
    p.write(&out).unwrap();
    let nodes = render_project(&out);
    let cp = nodes.iter().find(|n| n.name == "cp1").unwrap();
    assert_eq!(cp.address, "10.0.0.11");
    let v1 = &cp.documents[0];
    assert_eq!(
        v1["cluster"]["controlPlane"]["endpoint"].as_str(),
        Some("https://10.0.0.10:6443")
    );
    assert_eq!(v1["cluster"]["clusterName"].as_str(), Some("lab"));
    assert_eq!(
        v1["machine"]["install"]["image"].as_str(),
        Some(
            "factory.talos.dev/installer/9cba8e32753f91a16c1837ab8abf356af021706ef284aef07380780177d9a06c:v1.12.3"
        )
    );
    assert_eq!(
        v1["machine"]["time"]["servers"][0].as_str(),
        Some("ntp.lab.example")
    );
    assert_eq!(
        v1["cluster"]["inlineManifests"][0]["name"].as_str(),
        Some("ns")
    );
    assert!(
        v1["machine"].get("sysctls").is_none(),
        "worker patch stays off the control plane"
    );
    let w1 = nodes.iter().find(|n| n.name == "w1").unwrap();
    assert_eq!(
        w1.documents[0]["machine"]["sysctls"]["a"].as_str(),
        Some("1")
    );
    assert_eq!(
        w1.documents[0]["machine"]["kernel"]["modules"][0]["name"].as_str(),
        Some("br_netfilter")
    );
    // The firewall, the extension service and the user volume became Talos documents.
    let kinds: Vec<(String, String)> = w1.documents[1..]
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap_or_default().to_string(),
                d["name"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let kind = |k: &str, n: &str| (k.to_string(), n.to_string());
    assert_eq!(
        kinds,
        [
            kind("HostnameConfig", ""),
            kind("NetworkDefaultActionConfig", ""),
            kind("NetworkRuleConfig", "kubelet"),
            kind("ExtensionServiceConfig", "nut-client"),
            kind("UserVolumeConfig", "data"),
        ]
    );
    assert_eq!(w1.documents[2]["ingress"].as_str(), Some("block"));
    assert_eq!(
        w1.documents[3]["ingress"][0]["except"].as_str(),
        Some("10.0.0.1/32")
    );
    assert_eq!(
        w1.documents[5]["provisioning"]["minSize"].as_str(),
        Some("10GiB")
    );
    // Writing over an existing project is refused.
    assert!(p.write(&out).unwrap_err().to_string().contains("not empty"));
}

#[test]
fn imported_configs_render_back_the_same_documents() {
    let Some(r) = reference() else { return };
    let talos = r.join("corpus/talos");
    let cp_text = std::fs::read_to_string(
        talos.join("pkg__machinery__config__types__v1alpha1__testdata__stability__v1.13__base-controlplane.yaml"),
    )
    .unwrap();
    let wk_text = std::fs::read_to_string(
        talos.join("pkg__machinery__config__types__v1alpha1__testdata__stability__v1.13__overrides-worker.yaml"),
    )
    .unwrap();
    // Talos's stability data is not installable as is (metal mode refuses an install without a
    // disk, and extraKernelArgs with grubUseUKICmdline): make it so, as a user would.
    let cp_text = cp_text.replacen(
        "        wipe: false\n",
        "        disk: /dev/sda\n        wipe: false\n",
        1,
    );
    let wk_text = wk_text.replacen("grubUseUKICmdline: true", "grubUseUKICmdline: false", 1);
    let dir = tempfile::tempdir().unwrap();
    let cp2 = cp_text.replacen("certSANs: []", "certSANs: [cp-2.example]", 1);
    assert_ne!(cp2, cp_text);
    let files = [
        ("cp-1.yaml", cp_text.clone()),
        ("cp-2.yaml", cp2),
        ("wk-1.yaml", wk_text),
    ];
    let mut paths = Vec::new();
    for (n, t) in &files {
        std::fs::write(dir.path().join(n), t).unwrap();
        paths.push(dir.path().join(n));
    }
    let p = import::configs::import(&paths).unwrap();
    // Secrets are never written to the project.
    for (f, text) in &p.files {
        assert!(!text.contains("PRIVATE KEY"), "{}", f.display());
    }
    assert!(
        p.untranslated
            .iter()
            .any(|u| u.field == "v1alpha1: cluster.ca.key")
    );
    let out = dir.path().join("project");
    p.write(&out).unwrap();
    assert!(out.join("layers/role/controlplane.yaml").exists());
    let nodes = render_project(&out);
    assert_eq!(nodes.len(), 3);
    for (n, text) in &files {
        let name = n.trim_end_matches(".yaml");
        let rendered = nodes.iter().find(|r| r.name == name).unwrap();
        let mut want = machinist_patch::parse_documents(n, text).unwrap();
        let mut got = rendered.documents.clone();
        strip_secrets(&mut want);
        strip_secrets(&mut got);
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn book_commands_for_migration() {
    // The commands shown in book/src/migration.md.
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| std::fs::write(dir.path().join(rel), text).unwrap();
    w(
        "talconfig.yaml",
        "clusterName: lab\ntalosVersion: v1.13.0\nendpoint: https://${vip}:6443\nnodes:\n\
         \x20 - {hostname: cp-1, ipAddress: 10.0.0.11, controlPlane: true}\n\
         \x20 - {hostname: cp-2, ipAddress: 10.0.0.12, controlPlane: true}\n\
         \x20 - {hostname: wk-1, ipAddress: 10.0.0.21, machineSpec: {arch: arm64}}\n",
    );
    w("talenv.yaml", "vip: 10.0.0.10\n");
    let run = common::machinist(
        dir.path(),
        &[
            "import",
            "talhelper",
            "talconfig.yaml",
            "--env",
            "talenv.yaml",
            "-o",
            "cluster",
        ],
    );
    assert_eq!(run.code, 0, "{}", common::transcript(&run));
    assert_eq!(
        run.stderr,
        "wrote 8 files (3 nodes) to cluster\nnot translated (1):\n  - nodes[2].machineSpec.arch: installer variant not translated; set the install image in the node values\n"
    );
    let rendered = common::machinist(&dir.path().join("cluster"), &["render", "-o", "../out"]);
    assert_eq!(rendered.code, 0, "{}", common::transcript(&rendered));
    for n in ["cp-1", "cp-2", "wk-1"] {
        std::fs::rename(
            dir.path().join(format!("out/{n}.yaml")),
            dir.path().join(format!("{n}.yaml")),
        )
        .unwrap();
    }
    let run = common::machinist(
        dir.path(),
        &[
            "import",
            "configs",
            "cp-1.yaml",
            "cp-2.yaml",
            "wk-1.yaml",
            "-o",
            "cluster2",
        ],
    );
    assert_eq!(run.code, 0, "{}", common::transcript(&run));
    assert!(run.stderr.starts_with("wrote "), "{}", run.stderr);
    let again = common::machinist(&dir.path().join("cluster2"), &["render"]);
    let first = common::machinist(&dir.path().join("cluster"), &["render"]);
    assert_eq!(again.code, 0, "{}", common::transcript(&again));
    let docs = |s: &str| machinist_patch::parse_documents("out", s).unwrap();
    assert_eq!(docs(&again.stdout), docs(&first.stdout));
    // A second import into the same directory is refused.
    let run = common::machinist(
        dir.path(),
        &["import", "configs", "cp-1.yaml", "-o", "cluster2"],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("the output directory is not empty"),
        "{}",
        run.stderr
    );
}

//! `machinist migrate --write` against running nodes: `examples/homelab` (v1.12) on loopback
//! addresses 127.86.0.x with a fresh secrets bundle, installed on `machinist-sim`, then migrated to
//! v1.14 with `--write`. `machinist diff` against the nodes still running the pre-migration
//! configs shows only moves (`moved: cluster.id → DiscoveryIdentityConfig.clusterID`) plus the
//! installer image, which follows Chart.yaml's bumped `talosVersion` (the point of the bump): the
//! etcd encryption providers stay `secretbox`, `identity` through the template `--write` adds; the
//! effective settings of what the nodes run and of the new render are the same but for that
//! image; no secret reaches the output; and the simulator playing v1.14 accepts the migrated
//! configs (dry-run apply).

use std::collections::BTreeMap;
use std::path::Path;

use crate::common;
use crate::sim_lab::{SimLab, deref_to_sim_lab};
use machinist_model::migrate::effective::Effective;

const NODES: [(&str, u8); 4] = [
    ("cp-01", 11),
    ("cp-02", 12),
    ("cp-03", 13),
    ("worker-01", 21),
];

struct Lab {
    lab: SimLab,
}

deref_to_sim_lab!(Lab);

impl Lab {
    /// A copy of examples/homelab on 127.86.0.0/24, with a secrets bundle and a talosconfig.
    fn new() -> Lab {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("homelab");
        common::copy_dir(&common::repo().join("examples/homelab"), &dir);
        let edit = |rel: &str, from: &str, to: &str| {
            let p = dir.join(rel);
            let text = std::fs::read_to_string(&p).unwrap();
            assert!(text.contains(from), "{rel} has no {from:?}");
            std::fs::write(p, text.replace(from, to)).unwrap();
        };
        edit(
            "values.yaml",
            "subnet: 192.168.1.0/24",
            "subnet: 127.86.0.0/24",
        );
        for (name, last) in NODES {
            edit(
                &format!("nodes/{name}.yaml"),
                &format!("address: 192.168.1.{last}"),
                &format!("address: 127.86.0.{last}"),
            );
        }
        let (identity, recipient) = machinist_secrets::atrest::new_identity();
        std::fs::write(home.path().join("age.key"), identity).unwrap();
        let project = machinist::project::Project::load(&dir).unwrap();
        let bundle = machinist_secrets::Bundle::generate(project.chart.contract).unwrap();
        machinist_secrets::save_bundle(
            &dir.join(&project.chart.secrets.file),
            &bundle,
            &[recipient],
        )
        .unwrap();
        let cwd = home.path().to_path_buf();
        let mut lab = SimLab::new(home, dir, None, cwd, NODES.len(), "300ms");
        lab.secrets = bundle.secret_values();
        let lab = Lab { lab };
        lab.ok(&["talosconfig", "homelab"]);
        lab
    }

    /// The config a simulated node saved (what it runs).
    fn running(&self, node: &str) -> Vec<serde_yaml_ng::Value> {
        let text = std::fs::read_to_string(self.state().join(node).join("config.yaml")).unwrap();
        machinist::diff::parse_docs(text.as_bytes()).unwrap()
    }

    /// Every node's rendered documents (with secrets), through `render -o`.
    fn rendered(&self, out: &str) -> BTreeMap<String, Vec<serde_yaml_ng::Value>> {
        let to = self.home.path().join(out);
        self.ok(&[
            "render",
            "homelab",
            "--with-secrets",
            "-o",
            to.to_str().unwrap(),
        ]);
        NODES
            .iter()
            .map(|(n, _)| {
                let text = std::fs::read_to_string(to.join(format!("{n}.yaml"))).unwrap();
                (
                    n.to_string(),
                    machinist::diff::parse_docs(text.as_bytes()).unwrap(),
                )
            })
            .collect()
    }
}

fn kinds(docs: &[serde_yaml_ng::Value]) -> Vec<String> {
    docs.iter()
        .map(|d| {
            d.get("kind")
                .and_then(|k| k.as_str())
                .unwrap_or("v1alpha1")
                .to_string()
        })
        .collect()
}

fn chart(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("Chart.yaml")).unwrap()
}

#[test]
fn homelab_migrated_to_v1_14_diffs_as_moves_against_nodes_running_v1_12() {
    let mut lab = Lab::new();
    lab.start_sim(&[]);
    // Talos v1.12 in maintenance mode refuses Version without a client certificate
    // (`Unimplemented`); that is maintenance mode, not an unreachable node, with or without
    // --insecure.
    let r = lab.run(&["status", "homelab", "--format", "json"]);
    let st: serde_json::Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
    let stages: Vec<&str> = st["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["maintenance"; 4], "{st:#}");
    let r = lab.ok(&["apply", "homelab", "--dry-run"]);
    assert!(!r.stdout.contains("unreachable"), "{}", r.stdout);
    let r = lab.ok(&["apply", "homelab", "--insecure"]);
    assert!(
        r.stdout
            .starts_with("summary: 4 done, 0 unchanged, 0 failed, 0 not started\n"),
        "{}",
        r.stdout
    );
    let before = lab.rendered("before");
    for (n, _) in NODES {
        assert_eq!(lab.running(n), before[n], "{n} runs the v1.12 render");
    }
    let r = lab.run(&["diff", "homelab"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    let r = lab.ok(&["migrate", "homelab", "--to", "v1.14", "--write"]);
    assert!(
        r.stdout.contains("Chart.yaml: talosVersion: v1.14.0"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("wrote templates/etcd-encryption.yaml (keeps the etcd encryption providers secretbox key2, identity)\n"),
        "{}",
        r.stdout
    );
    let chart = chart(lab.dir());
    assert!(chart.contains("talosVersion: v1.14.0"));
    assert!(
        chart.contains("  - file: etcd-encryption.yaml\n"),
        "{chart}"
    );
    let template =
        std::fs::read_to_string(lab.dir().join("templates/etcd-encryption.yaml")).unwrap();
    assert!(!template.contains("secret:"), "key names only: {template}");
    let after = lab.rendered("after");

    // The diff against the nodes still running the v1.12 configs: moves, and the installer
    // image that follows talosVersion.
    let r = lab.run(&["diff", "homelab", "--format", "json"]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let changes = v["changes"].as_array().unwrap();
    let mut other = Vec::new();
    for c in changes {
        let at = (c["document"].as_str().unwrap(), c["path"].as_str().unwrap());
        if at == ("v1alpha1", "machine.install.image") {
            assert!(c["new"].as_str().unwrap().ends_with(":v1.14.0"), "{c}");
        } else {
            other.push((
                c["node"].as_str().unwrap(),
                at.0,
                at.1,
                c["op"].as_str().unwrap(),
            ));
        }
    }
    assert_eq!(
        changes.len() - other.len(),
        NODES.len(),
        "every node's installer image"
    );
    // kube-apiserver ran with `secretbox key2, identity` (Talos's v1alpha1 path); the template
    // `--write` added keeps that list, where the secrets stage alone would write Talos's v1.14
    // default without `identity`.
    assert_eq!(
        other,
        Vec::<(&str, &str, &str, &str)>::new(),
        "besides the moves and the installer image"
    );
    let moves = v["moves"].as_array().unwrap();
    let of = |node: &str| -> Vec<String> {
        moves
            .iter()
            .filter(|m| m["node"] == node)
            .map(|m| {
                format!(
                    "{} → {}",
                    m["from"].as_str().unwrap(),
                    m["to"].as_str().unwrap()
                )
            })
            .collect()
    };
    let worker = [
        "cluster.id → DiscoveryIdentityConfig.clusterID",
        "cluster.secret → DiscoveryIdentityConfig.clusterSecret",
        "cluster.ca → KubeAPIServerCAConfig.issuingCA.cert",
    ];
    let cp_only = [
        "cluster.aggregatorCA → KubeAggregatorCAConfig.issuingCA.key",
        "cluster.serviceAccount → KubeServiceAccountConfig.issuer.privateKey",
        "cluster.secretboxEncryptionSecret → KubeEtcdEncryptionConfig.config.resources",
    ];
    let mut w = of("worker-01");
    w.sort();
    let mut want: Vec<String> = worker.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(w, want);
    for cp in ["cp-01", "cp-02", "cp-03"] {
        let mut got = of(cp);
        got.sort();
        let mut want: Vec<String> = worker
            .iter()
            .chain(&cp_only)
            .map(|s| s.to_string())
            .collect();
        want.sort();
        assert_eq!(got, want, "{cp}");
    }

    // The text form: one `moved:` line per field, the installer image as a unified diff.
    let r = lab.run(&["diff", "homelab", "--node", "cp-01"]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with(
            "node cp-01 (127.86.0.11): 6 fields moved out of v1alpha1, 1 document to change\n"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("moved: cluster.id → DiscoveryIdentityConfig.clusterID\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("-    image: factory.talos.dev/installer/"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("+++ rendered KubeEtcdEncryptionConfig"),
        "the encryption providers are kept: {}",
        r.stdout
    );
    assert_eq!(r.stdout.matches("+++ rendered").count(), 1, "{}", r.stdout);

    // What the nodes run and what they would run do the same, but for the installer image.
    for (n, _) in NODES {
        let d = Effective::of(&lab.running(n)).differences(&Effective::of(&after[n]));
        let settings: Vec<&str> = d.iter().map(|x| x.setting.as_str()).collect();
        assert_eq!(settings, ["install image"], "{n}: {d:?}");
        assert!(kinds(&after[n]).contains(&"DiscoveryIdentityConfig".to_string()));
    }

    // The simulator playing v1.14 accepts every migrated config.
    lab.stop_sim();
    lab.start_sim(&["--talos-version", "v1.14.0"]);
    let r = lab.run(&["apply", "homelab", "--dry-run"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
}

//! `migrate DIR --write` keeps kube-apiserver's etcd encryption providers. `examples/homelab`
//! (v1.12) ran `secretbox key2, identity` through the v1alpha1 fields; under v1.14 the secrets
//! stage alone would write Talos's new default without `identity`. `--write` adds a template with
//! the old list (key names only, control planes only), and Chart.yaml's `templates:` entry when it
//! lists its templates; it never overwrites a template of that name, and without a way to add the
//! entry it writes nothing and leaves `talosVersion` alone.

use std::path::{Path, PathBuf};

use crate::common::{self, Run};

const TEMPLATE: &str = "templates/etcd-encryption.yaml";

fn homelab() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("homelab");
    common::copy_dir(&common::repo().join("examples/homelab"), &root);
    (dir, root)
}

fn write(root: &Path) -> Run {
    common::machinist(
        root.parent().unwrap(),
        &["migrate", "homelab", "--to", "v1.14", "--write"],
    )
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap()
}

/// The encryption providers a node's rendered KubeEtcdEncryptionConfig lists, by kind.
fn providers(root: &Path, node: &str) -> Option<Vec<String>> {
    let r = common::machinist(root, &["render", ".", "--node", node]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let docs = machinist::diff::parse_docs(r.stdout.as_bytes()).unwrap();
    let doc = docs
        .iter()
        .find(|d| d.get("kind").and_then(|k| k.as_str()) == Some("KubeEtcdEncryptionConfig"))?;
    let list = doc["config"]["resources"][0]["providers"]
        .as_sequence()
        .unwrap();
    Some(
        list.iter()
            .map(|p| {
                let (k, v) = p.as_mapping().unwrap().iter().next().unwrap();
                let secret = v["keys"][0]["secret"].as_str().unwrap_or("");
                format!("{}{secret}", k.as_str().unwrap())
            })
            .collect(),
    )
}

/// Without a `templates:` list every template renders: only the template is written, and a second
/// run (the project is now v1.14) has nothing to keep.
#[test]
fn without_a_templates_list_only_the_template_is_written() {
    let (_dir, root) = homelab();
    let chart = read(&root, "Chart.yaml");
    let start = chart.find("templates:\n").unwrap();
    let trimmed = chart.replace(&chart[start..], "");
    assert!(
        chart[start..]
            .lines()
            .skip(1)
            .all(|l| l.starts_with("  - file:")),
        "{chart}"
    );
    std::fs::write(root.join("Chart.yaml"), &trimmed).unwrap();

    let r = write(&root);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!(
            "wrote {TEMPLATE} (keeps the etcd encryption providers secretbox key2, identity)\n"
        )),
        "{}",
        r.stdout
    );
    assert_eq!(
        read(&root, "Chart.yaml"),
        trimmed.replace("talosVersion: v1.12.7", "talosVersion: v1.14.0")
    );
    let template = read(&root, TEMPLATE);
    assert!(!template.contains("secret:"), "{template}");
    // The secrets stage fills the key the template names; workers run no kube-apiserver.
    for cp in ["cp-01", "cp-02", "cp-03"] {
        assert_eq!(
            providers(&root, cp),
            Some(vec![
                "secretbox<redacted>".to_string(),
                "identity".to_string()
            ]),
            "{cp}"
        );
    }
    assert_eq!(providers(&root, "worker-01"), None);

    let again = write(&root);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    assert!(!again.stdout.contains("wrote "), "{}", again.stdout);
    assert_eq!(read(&root, TEMPLATE), template);
}

/// A template of that name is the user's: not overwritten, and since the providers would change,
/// Chart.yaml stays on v1.12 and the run fails naming the file.
#[test]
fn an_existing_template_is_not_overwritten_and_the_chart_stays() {
    let (_dir, root) = homelab();
    let mine = "{# mine #}\n";
    std::fs::write(root.join(TEMPLATE), mine).unwrap();
    let chart = read(&root, "Chart.yaml");

    let r = write(&root);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains(&format!("{TEMPLATE} exists; not overwritten"))
            && r.stderr.contains("secretbox key2, identity"),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains("wrote "), "{}", r.stdout);
    assert_eq!(read(&root, TEMPLATE), mine);
    assert_eq!(read(&root, "Chart.yaml"), chart);
}

/// A flow-style `templates:` list cannot take a line: nothing is written, the fix is named.
#[test]
fn a_flow_templates_list_blocks_and_writes_nothing() {
    let (_dir, root) = homelab();
    let chart = read(&root, "Chart.yaml").replace(
        "templates:\n  - file: machine.yaml\n  - file: network.yaml\n",
        "templates: [{file: machine.yaml}, {file: network.yaml}]\n",
    );
    assert!(chart.contains("templates: [{"), "{chart}");
    std::fs::write(root.join("Chart.yaml"), &chart).unwrap();

    let r = write(&root);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("add `- file: etcd-encryption.yaml` to Chart.yaml's `templates:`"),
        "{}",
        r.stderr
    );
    assert!(!root.join(TEMPLATE).exists());
    assert_eq!(read(&root, "Chart.yaml"), chart);
}

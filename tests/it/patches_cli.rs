//! Talos patches from the user's side: the order layer → node → `-p` in `machinist render`,
//! errors naming the patch and who listed it, `explain` listing a node's patches, and
//! `machinist patch` as a drop-in for `talosctl machineconfig patch` (the book's commands).

use crate::common;

use common::{machinist, project_with, transcript};

fn nameserver_patch(ip: &str) -> String {
    format!("machine:\n  network:\n    nameservers: [{ip}]\n")
}

#[test]
fn layer_then_node_then_command_line_patches() {
    let a = nameserver_patch("1.0.0.1");
    let b = nameserver_patch("2.0.0.2");
    let c = nameserver_patch("3.0.0.3");
    let p = project_with(
        "basic",
        &[
            (
                "layers/role/controlplane.yaml",
                "schedulable: true\npatches: [patches/a.yaml]\n",
            ),
            (
                "nodes/cp-1.yaml",
                "address: 10.5.0.11\nfacets: { env: prod, role: controlplane }\npatches: [patches/b.yaml]\n",
            ),
            ("patches/a.yaml", &a),
            ("patches/b.yaml", &b),
            ("c.yaml", &c),
        ],
    );
    let run = machinist(p.path(), &["render", ".", "--node", "cp-1", "-p", "c.yaml"]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    // Lists append under Talos's rules, so the order of the patches is visible.
    assert!(
        run.stdout.contains(
            "    nameservers:\n    - 10.5.0.1\n    - 1.0.0.1\n    - 2.0.0.2\n    - 3.0.0.3\n"
        ),
        "{}",
        run.stdout
    );
    // The worker has neither the role patch nor the node patch.
    let run = machinist(p.path(), &["render", ".", "--node", "wk-1"]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert!(!run.stdout.contains("1.0.0.1"), "{}", run.stdout);

    // explain lists the node's patches, in order, with who attached them.
    let run = machinist(p.path(), &["explain", ".", "cp-1", "network.mtu"]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert!(
        run.stdout.contains(
            "Talos patches applied to the rendered config afterwards, in order:\n   1. patches/a.yaml  (from layers/role/controlplane.yaml)\n   2. patches/b.yaml  (from nodes/cp-1.yaml)\n"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn patch_errors_name_the_file_and_where_it_is_listed() {
    let p = project_with(
        "basic",
        &[
            (
                "nodes/cp-1.yaml",
                "address: 10.5.0.11\nfacets: { env: prod, role: controlplane }\npatches: [patches/missing.yaml, patches/bad.yaml]\n",
            ),
            ("patches/bad.yaml", "machine:\n  certSANs: {a: b}\n"),
        ],
    );
    let run = machinist(p.path(), &["render", ".", "--node", "cp-1"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("cannot read patch `patches/missing.yaml`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("listed in nodes/cp-1.yaml"),
        "{}",
        run.stderr
    );

    std::fs::remove_file(p.path().join("patches/bad.yaml")).unwrap();
    std::fs::write(
        p.path().join("patches/missing.yaml"),
        "machine:\n  certSANs: {a: b}\n",
    )
    .unwrap();
    std::fs::write(p.path().join("patches/bad.yaml"), "machine: {}\n").unwrap();
    let run = machinist(p.path(), &["render", ".", "--node", "cp-1"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "patch `patches/missing.yaml` is not one Talos v1.13 would load: document `v1alpha1`, `machine.certSANs`: expected array, found object"
        ),
        "{}",
        run.stderr
    );
}

const CONFIG: &str = "version: v1alpha1\nmachine:\n  type: controlplane\n  network:\n    interfaces:\n      - interface: eth0\n        dhcp: true\n";

#[test]
fn machinist_patch_is_a_drop_in_for_talosctl() {
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w("controlplane.yaml", CONFIG);
    w(
        "patches/vip.yaml",
        "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        vip: {ip: 10.0.0.10}\n",
    );
    w(
        "patches/dns.yaml",
        "machine:\n  network:\n    nameservers: [9.9.9.9]\n",
    );
    // The command shown in book/src/patches.md.
    let run = machinist(
        dir.path(),
        &[
            "patch",
            "controlplane.yaml",
            "-p",
            "patches/vip.yaml",
            "-p",
            "@patches/dns.yaml",
            "-o",
            "controlplane.out.yaml",
        ],
    );
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert_eq!(run.stdout, "");
    let out = std::fs::read_to_string(dir.path().join("controlplane.out.yaml")).unwrap();
    assert_eq!(
        out,
        "version: v1alpha1\nmachine:\n  type: controlplane\n  network:\n    interfaces:\n    - interface: eth0\n      dhcp: true\n      vip:\n        ip: 10.0.0.10\n    nameservers:\n    - 9.9.9.9\n"
    );
    // Without -o the result goes to stdout; an inline patch works too.
    let run = machinist(
        dir.path(),
        &[
            "patch",
            "controlplane.yaml",
            "-p",
            "machine: {type: worker}",
        ],
    );
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert!(run.stdout.contains("  type: worker\n"), "{}", run.stdout);
}

#[test]
fn machinist_patch_refuses_json_patches_on_multi_document_configs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cp.yaml"),
        format!("{CONFIG}---\napiVersion: v1alpha1\nkind: HostnameConfig\nauto: stable\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("vip.yaml"),
        "- op: add\n  path: /machine/network/interfaces/0/addresses\n  value: [10.1.2.3/24]\n",
    )
    .unwrap();
    let run = machinist(
        dir.path(),
        &["patch", "cp.yaml", "-p", "vip.yaml", "-o", "out.yaml"],
    );
    assert_eq!(run.code, 1);
    // The message shown in book/src/patches.md.
    assert_eq!(
        run.stderr,
        "error: vip.yaml: JSON6902 patches are not supported for multi-document machine configuration (the config has 2 documents); write the change as a strategic merge patch\n"
    );
    assert!(!dir.path().join("out.yaml").exists());
}

#[test]
fn book_example_output() {
    // The `machinist patch` example of book/src/patches.md, with its output.
    let run = machinist(
        &common::repo(),
        &[
            "patch",
            "examples/patch/controlplane.yaml",
            "-p",
            "examples/patch/vip.yaml",
            "-p",
            "@examples/patch/dns.yaml",
        ],
    );
    assert_eq!(run.code, 0, "{}", transcript(&run));
    let book = std::fs::read_to_string(common::repo().join("book/src/patches.md")).unwrap();
    let start = book.find("$ machinist patch examples/patch").unwrap();
    let block = &book[start..];
    let block = &block[block.find('\n').unwrap() + 1..block.find("```").unwrap()];
    assert_eq!(run.stdout, block);
}

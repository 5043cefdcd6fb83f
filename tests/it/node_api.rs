//! `machinist diff` and `machinist apply` against `machinist-sim` on loopback: first install,
//! a layer change, a change that needs a reboot, swapped addresses, a node dropping mid-rollout,
//! wrong CA and missing admin role; every run's output is scanned for secrets. Each test uses its
//! own 127.<n>.250.x addresses so tests never collide.

use crate::common;

use std::process::Command;
use std::time::{Duration, Instant};

use machinist_talos::sim::pki::Ca;

use crate::sim_lab::SimLab;

const NODES: [(&str, u8); 4] = [("cp-01", 11), ("cp-02", 12), ("cp-03", 13), ("w-01", 21)];

/// A [`SimLab`] of the `nodeapi` fixture on 127.<net>.250.x, run from the project directory, its
/// secrets encrypted with an identity kept outside the project.
struct Lab {
    lab: SimLab,
    ca: Ca,
    net: u8,
}

crate::sim_lab::deref_to_sim_lab!(Lab);

fn b64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

impl Lab {
    fn new(net: u8) -> Lab {
        let project = common::project_with("nodeapi", &[]);
        for (name, _) in NODES {
            let p = project.path().join(format!("nodes/{name}.yaml"));
            let text = std::fs::read_to_string(&p)
                .unwrap()
                .replace("127.0.250.", &format!("127.{net}.250."));
            std::fs::write(p, text).unwrap();
        }
        let aux = tempfile::tempdir().unwrap();
        // The cluster's secrets, encrypted at rest with an age identity kept outside the project.
        let (identity, recipient) = machinist_secrets::atrest::new_identity();
        std::fs::write(aux.path().join("age.key"), identity).unwrap();
        let loaded = machinist::project::Project::load(project.path()).unwrap();
        // One bundle for every lab (RSA-4096 generation takes seconds; it is not what these tests
        // are about). Each lab still encrypts it with its own identity and runs its own nodes.
        static BUNDLE: std::sync::OnceLock<machinist_secrets::Bundle> = std::sync::OnceLock::new();
        let bundle = BUNDLE
            .get_or_init(|| machinist_secrets::Bundle::generate(loaded.chart.contract).unwrap())
            .clone();
        machinist_secrets::save_bundle(
            &project.path().join(&loaded.chart.secrets.file),
            &bundle,
            &[recipient],
        )
        .unwrap();
        let os = bundle.os_ca().unwrap();
        let ca = Ca::from_pem(&os.cert_pem, &os.key_pem).unwrap();
        let dir = project.path().to_path_buf();
        let mut sim = SimLab::new(aux, dir.clone(), Some(project), dir, NODES.len(), "800ms");
        sim.secrets = bundle.secret_values();
        sim.secrets.extend([
            "abcdef.0123456789abcdef".to_string(),
            "c2ltbGFiLWNsdXN0ZXItc2VjcmV0LXZhbHVl".to_string(),
            "hunter2-registry-pass".to_string(),
            "hunter3-registry-pass".to_string(),
        ]);
        let mut lab = Lab { lab: sim, ca, net };
        lab.talosconfig(&["os:admin"], None);
        lab
    }

    fn addr(&self, last: u8) -> String {
        format!("127.{}.250.{last}", self.net)
    }

    /// Writes the project's talosconfig with a client certificate for `roles`.
    fn talosconfig(&mut self, roles: &[&str], ca_override: Option<&str>) {
        let client = self.ca.client_cert(roles, true).unwrap();
        self.secrets
            .push(client.key_pem.lines().nth(1).unwrap().to_string());
        let ca = ca_override.unwrap_or(&self.ca.pem.cert_pem);
        let text = format!(
            "context: simlab\ncontexts:\n  simlab:\n    endpoints: []\n    ca: {}\n    crt: {}\n    key: {}\n",
            b64(ca),
            b64(&client.cert_pem),
            b64(&client.key_pem.replace("PRIVATE KEY", "ED25519 PRIVATE KEY")),
        );
        std::fs::write(self.dir().join("talosconfig"), text).unwrap();
    }

    /// Starts the simulator; every node must report ready on its own address.
    fn start_sim(&mut self, extra: &[&str]) {
        let ready = self.lab.start_sim(extra);
        let want: Vec<String> = NODES
            .iter()
            .map(|(n, l)| format!("ready {n} {}:50000", self.addr(*l)))
            .collect();
        assert_eq!(ready, want);
    }

    /// A lab on 127.<net>.250.x whose simulator runs and whose nodes are installed.
    fn installed(net: u8) -> Lab {
        let mut lab = Lab::new(net);
        lab.start_sim(&[]);
        lab.install();
        lab
    }

    fn install(&self) {
        let r = self.run(&["apply", ".", "--insecure"]);
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        assert!(
            r.stdout
                .starts_with("summary: 4 done, 0 unchanged, 0 failed, 0 not started\n"),
            "{}",
            r.stdout
        );
    }
}

fn rendered(lab: &Lab, node: &str) -> String {
    // Written to a file: printing it would show the secrets the scan looks for.
    let r = lab.run(&["render", ".", "--node", node, "--with-secrets", "-o", "out"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::read_to_string(lab.dir().join("out").join(format!("{node}.yaml"))).unwrap()
}

#[test]
fn first_install_then_a_layer_change_applies_without_reboot() {
    let lab = Lab::installed(201);
    for (n, _) in NODES {
        assert_eq!(
            lab.saved(n).unwrap(),
            rendered(&lab, n),
            "node {n} runs the rendered config"
        );
    }
    let r = lab.run(&["diff", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        "node cp-01: no changes\nnode cp-02: no changes\nnode cp-03: no changes\nnode w-01: no changes\n"
    );

    lab.edit("layers/role/worker.yaml", "tier: work", "tier: batch");
    let r = lab.run(&["diff", "."]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    let w = lab.addr(21);
    assert_eq!(
        r.stdout,
        format!(
            "node cp-01: no changes\nnode cp-02: no changes\nnode cp-03: no changes\nnode w-01 ({w}): 1 document to change\n--- live v1alpha1\n+++ rendered v1alpha1\n@@ -7,7 +7,7 @@\n     key: <redacted>\n   nodeLabels:\n     zone: a\n-    tier: work\n+    tier: batch\n   install:\n     disk: /dev/sda\n   registries:\n"
        )
    );
    // CLICOLOR_FORCE colours the diff even when piped; NO_COLOR (set by `run`) keeps it plain.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_machinist"));
    lab.envs(&mut cmd);
    let out = cmd
        .args(["diff", ".", "--node", "w-01"])
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .current_dir(lab.dir())
        .output()
        .unwrap();
    let colored = String::from_utf8(out.stdout).unwrap();
    assert!(
        colored.contains("\x1b[31m-    tier: work\x1b[0m\n\x1b[32m+    tier: batch\x1b[0m\n"),
        "{colored:?}"
    );
    let r = lab.run(&["diff", ".", "--format", "json"]);
    assert_eq!(r.code, 2);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["changes"],
        serde_json::json!([{"node": "w-01", "document": "v1alpha1", "path": "machine.nodeLabels.tier", "op": "change", "old": "work", "new": "batch", "secret": false}])
    );

    // A changed secret shows as changed, never its value.
    lab.edit(
        "values.yaml",
        "hunter2-registry-pass",
        "hunter3-registry-pass",
    );
    let r = lab.run(&["diff", ".", "--node", "cp-01", "--format", "json"]);
    assert_eq!(r.code, 2);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["changes"],
        serde_json::json!([{"node": "cp-01", "document": "v1alpha1", "path": "machine.registries.config[\"registry.local\"].auth.password", "op": "change", "old": "<redacted>", "new": "<redacted>", "secret": true}])
    );
    let r = lab.run(&["diff", ".", "--node", "cp-01"]);
    assert!(
        r.stdout.contains(
            "-          password: <redacted>\n+          password: <redacted (changed)>\n"
        ),
        "{}",
        r.stdout
    );
    lab.edit(
        "values.yaml",
        "hunter3-registry-pass",
        "hunter2-registry-pass",
    );

    let r = lab.run(&["apply", ".", "--mode", "no-reboot"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .starts_with("summary: 1 done, 3 unchanged, 0 failed, 0 not started\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr
            .contains("w-01: NO_REBOOT: Applied configuration without a reboot"),
        "{}",
        r.stderr
    );
    let r = lab.run(&["diff", "."]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn a_change_that_needs_a_reboot() {
    let lab = Lab::installed(202);
    std::fs::write(
        lab.dir().join("nodes/w-01.yaml"),
        format!("address: {}\nfacets: {{ role: worker }}\nvalues:\n  env:\n    HTTP_PROXY: http://proxy:3128\n", lab.addr(21)),
    )
    .unwrap();
    let r = lab.run(&["diff", ".", "--reboot-check"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!(
            "node w-01 ({}): 1 document to change; applying it needs a reboot\n",
            lab.addr(21)
        )),
        "{}",
        r.stdout
    );

    let before = lab.saved("w-01");
    let r = lab.run(&["apply", ".", "--mode", "no-reboot"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("error: node w-01: InvalidArgument: this config change can't be applied in immediate mode"), "{}", r.stderr);
    assert!(
        r.stdout
            .contains("summary: 0 done, 3 unchanged, 1 failed, 0 not started"),
        "{}",
        r.stdout
    );
    assert_eq!(lab.saved("w-01"), before, "refused change is not saved");

    let t = Instant::now();
    let r = lab.run(&["apply", ".", "--mode", "auto"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        t.elapsed() >= Duration::from_millis(800),
        "waited for the reboot"
    );
    assert!(r.stderr.contains("w-01: REBOOT: Applied configuration with a reboot: this config change can't be applied in immediate mode"), "{}", r.stderr);
    assert!(
        r.stdout
            .contains("done         w-01   applied (REBOOT); answers Version v1.13.0"),
        "{}",
        r.stdout
    );
    assert_eq!(lab.run(&["diff", "."]).code, 0);
}

#[test]
fn swapped_addresses_are_refused_before_anything_is_sent() {
    let lab = Lab::installed(203);
    let (a, b) = (lab.addr(11), lab.addr(12));
    lab.edit("nodes/cp-01.yaml", &a, "SWAP");
    lab.edit("nodes/cp-02.yaml", &b, &a);
    lab.edit("nodes/cp-01.yaml", "SWAP", &b);
    lab.edit("values.yaml", "zone: a", "zone: b");
    let before: Vec<_> = NODES.iter().map(|(n, _)| lab.saved(n)).collect();
    let r = lab.run(&["apply", "."]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains(&format!("error: node cp-01: refusing: the machine at {b} has hostname `cp-02`, not `cp-01`; it is node cp-02 of this project; check the address in nodes/cp-01.yaml")), "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("summary: 0 done, 0 unchanged, 2 failed, 2 not started\n"),
        "{}",
        r.stdout
    );
    let after: Vec<_> = NODES.iter().map(|(n, _)| lab.saved(n)).collect();
    assert_eq!(before, after, "nothing was applied anywhere");
}

#[test]
fn a_node_dropping_mid_rollout_stops_it_and_a_rerun_finishes() {
    let mut lab = Lab::installed(204);
    lab.stop_sim();
    lab.start_sim(&["--fault", "drop:node=cp-02,call=apply,count=1"]);
    lab.edit("values.yaml", "zone: a", "zone: b");
    let r = lab.run(&["apply", "."]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "summary: 1 done, 0 unchanged, 1 failed, 2 not started"
    );
    assert!(
        lines[1].starts_with("  done         cp-01  applied (NO_REBOOT)"),
        "{}",
        r.stdout
    );
    assert!(
        lines[2].starts_with("  failed       cp-02  node cp-02: unreachable at"),
        "{}",
        r.stdout
    );
    assert_eq!(
        lines[3],
        "  not started  cp-03  the rollout stopped after a failure"
    );
    assert_eq!(
        lines[4],
        "  not started  w-01   the rollout stopped after a failure"
    );
    assert!(
        lab.saved("cp-03").unwrap().contains("zone: a"),
        "cp-03 untouched"
    );
    assert!(
        lab.saved("w-01").unwrap().contains("zone: a"),
        "w-01 untouched"
    );

    let r = lab.run(&["apply", "."]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .starts_with("summary: 3 done, 1 unchanged, 0 failed, 0 not started\n"),
        "{}",
        r.stdout
    );
    assert_eq!(lab.run(&["diff", "."]).code, 0);
}

#[test]
fn wrong_ca_or_reader_certificate_is_refused_without_fallback() {
    let mut lab = Lab::installed(205);
    let other = Ca::generate("talos").unwrap();
    lab.talosconfig(&["os:admin"], Some(&other.pem.cert_pem));
    let r = lab.run(&["diff", "."]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("error: node cp-01: TLS handshake with"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("not signed by the cluster CA in the talosconfig"),
        "{}",
        r.stderr
    );
    let r = lab.run(&["apply", "."]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("0 done"), "{}", r.stdout);

    lab.talosconfig(&["os:reader"], None);
    let r = lab.run(&["diff", ".", "--node", "w-01"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "error: node w-01: PermissionDenied: not authorized\n"
    );
}

#[test]
fn maintenance_dry_run_shows_the_node_summary() {
    let mut lab = Lab::new(206);
    lab.start_sim(&[]);
    let r = lab.run(&["apply", ".", "--insecure", "--dry-run", "--node", "w-01"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("w-01: NO_REBOOT: Dry run summary:\n    Applied configuration without a reboot (skipped in dry-run).\n    Config diff:"), "{}", r.stderr);
    assert!(
        r.stderr.contains("<redacted>"),
        "secrets in the node's diff are scrubbed"
    );
    assert!(lab.saved("w-01").is_none(), "a dry run changes nothing");
    lab.stop_sim();
}

#[test]
fn dry_run_with_secrets_that_differ_from_the_nodes_prints_none_of_them() {
    let mut lab = Lab::installed(207);
    // A new bundle (same recipient): every node's token, cluster secret and keys now differ.
    // `lab.run` fails the test if any old or new secret shows in the output.
    let identity = std::fs::read_to_string(lab.home.path().join("age.key")).unwrap();
    let recipients = machinist_secrets::atrest::recipients_of(&identity, "age.key").unwrap();
    let loaded = machinist::project::Project::load(lab.dir()).unwrap();
    let fresh = machinist_secrets::Bundle::generate(loaded.chart.contract).unwrap();
    lab.secrets.extend(fresh.secret_values());
    machinist_secrets::save_bundle(
        &lab.dir().join(&loaded.chart.secrets.file),
        &fresh,
        &recipients,
    )
    .unwrap();
    let r = lab.run(&["apply", ".", "--dry-run", "--node", "w-01"]);
    assert!(
        r.stderr.contains("Config diff:"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    assert!(r.stderr.contains("token: <redacted>"), "{}", r.stderr);
}

#[test]
fn wait_timeout_bounds_the_wait_for_a_rebooting_node() {
    let lab = Lab::installed(208);
    std::fs::write(
        lab.dir().join("nodes/w-01.yaml"),
        format!("address: {}\nfacets: {{ role: worker }}\nvalues:\n  env:\n    HTTP_PROXY: http://proxy:3128\n", lab.addr(21)),
    )
    .unwrap();
    // The simulator keeps a rebooting node off the network for 800ms.
    let r = lab.run(&["apply", ".", "--mode", "auto", "--wait-timeout", "300ms"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("failed       w-01   node w-01: applied (REBOOT) but did not answer")
            && r.stdout.contains("within 300ms (--wait-timeout)"),
        "{}",
        r.stdout
    );
}

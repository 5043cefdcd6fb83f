//! `machinist init`, `secrets gen|import`, `talosconfig` and `render --with-secrets`, end to end
//! with the real binary: a fresh project renders exactly what `talosctl gen config` produces
//! (Talos's own stability files, contracts v1.13 and v1.15), secrets appear only when asked for, a
//! missing bundle or identity stops the run, and nothing is ever overwritten.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Run;
use machinist_secrets::inject::redact;
use machinist_secrets::{Bundle, IdentityEnv};
use machinist_testkit::talos_corpus_file as corpus;
use serde::Deserialize;
use serde_yaml_ng::Value;

/// A temporary home: the user config dir lives inside it, so identities never touch the real one.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[])
    }

    /// Runs machinist with extra environment variables (an age identity, say).
    fn run_with(&self, args: &[&str], envs: &[(&str, &str)]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_machinist"))
            .args(args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.config())
            .env_remove("MACHINIST_AGE_KEY")
            .env_remove("MACHINIST_AGE_KEY_FILE")
            .envs(envs.iter().copied())
            .output()
            .expect("machinist runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_eq!(r.code, 0, "machinist {args:?}\n{}", r.stderr);
        r
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn bundle(&self, project: &str) -> Bundle {
        let env = IdentityEnv {
            config_dir: Some(self.config()),
            ..IdentityEnv::default()
        };
        machinist_secrets::load_bundle(&self.path(project).join("secrets.yaml.age"), &env).unwrap()
    }
}

fn docs(text: &str) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|d| Value::deserialize(d).unwrap())
        .filter(|v| !v.is_null())
        .collect()
}

/// Splits `render` output (`# machinist: node=<name>` before each node) into per-node documents.
fn nodes(stdout: &str) -> Vec<(String, Vec<Value>)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in stdout.lines() {
        if let Some(name) = line.strip_prefix("# machinist: node=") {
            out.push((name.to_string(), String::new()));
        } else if let Some((_, text)) = out.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    out.into_iter().map(|(n, t)| (n, docs(&t))).collect()
}

fn kind(d: &Value) -> String {
    machinist_secrets::inject::doc_kind(d)
        .unwrap_or("?")
        .to_string()
}

/// Per-node fields masked before comparing with Talos's node-less output (none in the built-in
/// chart's defaults; the list documents what would differ per node).
const PER_NODE: &[&[&str]] = &[&["machine", "network", "hostname"]];

fn mask(mut docs: Vec<Value>, secrets: bool) -> Vec<Value> {
    if secrets {
        redact(&mut docs);
    }
    for d in &mut docs {
        for path in PER_NODE {
            let (last, parents) = path.split_last().unwrap();
            let mut cur = Some(&mut *d);
            for p in parents {
                cur = cur.and_then(|c| c.get_mut(*p));
            }
            if let Some(m) = cur.and_then(Value::as_mapping_mut) {
                m.shift_remove(*last);
            }
        }
    }
    docs
}

/// Document for document, key for key, in order; panics listing every difference.
fn assert_same(name: &str, want: &[Value], got: &[Value]) {
    let mut diffs = Vec::new();
    let wk: Vec<String> = want.iter().map(kind).collect();
    let gk: Vec<String> = got.iter().map(kind).collect();
    if wk != gk {
        diffs.push(format!(
            "document kinds differ:\n  talos:     {wk:?}\n  machinist: {gk:?}"
        ));
    }
    for (i, (w, g)) in want.iter().zip(got).enumerate() {
        let (w, g) = (
            serde_yaml_ng::to_string(w).unwrap(),
            serde_yaml_ng::to_string(g).unwrap(),
        );
        if w != g {
            let lines: Vec<String> = similar::TextDiff::from_lines(&w, &g)
                .unified_diff()
                .header("talos", "machinist")
                .to_string()
                .lines()
                .map(str::to_string)
                .collect();
            diffs.push(format!(
                "document {i} ({}):\n{}",
                wk.get(i).cloned().unwrap_or_default(),
                lines.join("\n")
            ));
        }
    }
    assert!(
        diffs.is_empty(),
        "{name}: rendered config differs from Talos's\n{}",
        diffs.join("\n")
    );
}

/// `machinist init proj` for `talos` in `home`. The init itself runs once per Talos version (its
/// RSA-4096 key takes seconds and generation is not what the callers test): later calls copy that
/// home (project, encrypted bundle, age identity) with `cp -a`. `init_*` tests run init directly.
fn init(home: &Home, talos: &str) {
    type Cell = std::sync::Arc<std::sync::OnceLock<Home>>;
    static DONE: std::sync::Mutex<Vec<(String, Cell)>> = std::sync::Mutex::new(Vec::new());
    let cell: Cell = {
        let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
        match done.iter().find(|(t, _)| t == talos) {
            Some((_, c)) => c.clone(),
            None => {
                let c = Cell::default();
                done.push((talos.to_string(), c.clone()));
                c
            }
        }
    };
    let template = cell.get_or_init(|| {
        let template = Home::new();
        template.ok(&[
            "init",
            "proj",
            "--name",
            "base",
            "--endpoint",
            "https://base:6443",
            "--talos-version",
            talos,
            "--kubernetes-version",
            "1.28.0",
        ]);
        template
    });
    let status = Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", template.dir.path().display()))
        .arg(home.dir.path())
        .status()
        .expect("cp runs");
    assert!(status.success(), "copying the initialised home failed");
}

/// The values that make the chart match the stability files: no install disk (the generator
/// behind them was given none). Talos accepts that only outside metal mode, hence `--mode`.
const MATCH: &[&str] = &["--set", "install=null", "--mode", "container"];

fn render(home: &Home, extra: &[&str]) -> Vec<(String, Vec<Value>)> {
    let mut args = vec!["render", "proj"];
    args.extend_from_slice(MATCH);
    args.extend_from_slice(extra);
    nodes(&home.ok(&args).stdout)
}

#[test]
fn fresh_project_renders_what_gen_config_makes_v1_13() {
    let Some((_, cp)) = corpus("stability__v1.13__base-controlplane.yaml") else {
        return;
    };
    let home = Home::new();
    init(&home, "v1.13.9");
    let out = render(&home, &["--with-secrets", "--node", "cp-01"]);
    assert_same(
        "v1.13 controlplane",
        &mask(docs(&cp), true),
        &mask(out[0].1.clone(), true),
    );
    // The real secrets are there, and they are the bundle's.
    let bundle = home.bundle("proj");
    let text = serde_yaml_ng::to_string(&out[0].1).unwrap();
    let b64 = machinist_secrets::bundle::b64_pem;
    for needle in [
        bundle.trustd_token.clone(),
        bundle.secrets.bootstrap_token.clone(),
        bundle.cluster.id.clone(),
        bundle.cluster.secret.clone(),
        bundle.secrets.secretbox_encryption_secret.clone().unwrap(),
        b64(&bundle.certs.os.key),
        b64(&bundle.certs.k8s.key),
        b64(&bundle.certs.k8s_aggregator.key),
        b64(&bundle.certs.k8s_service_account.key),
        b64(&bundle.certs.etcd.key),
    ] {
        assert!(
            text.contains(&needle),
            "a secret of the bundle is missing from the output"
        );
    }
}

#[test]
fn fresh_project_renders_what_gen_config_makes_v1_15() {
    let Some((_, cp)) = corpus("stability__v1.15__base-controlplane.yaml") else {
        return;
    };
    let Some((_, worker)) = corpus("stability__v1.15__base-worker.yaml") else {
        return;
    };
    let home = Home::new();
    init(&home, "v1.15.0");
    let out = render(&home, &["--with-secrets"]);
    let by = |n: &str| out.iter().find(|(name, _)| name == n).unwrap().1.clone();
    assert_same(
        "v1.15 controlplane",
        &mask(docs(&cp), true),
        &mask(by("cp-01"), true),
    );
    assert_same(
        "v1.15 worker",
        &mask(docs(&worker), true),
        &mask(by("worker-01"), true),
    );
    let bundle = home.bundle("proj");
    let text = serde_yaml_ng::to_string(&by("cp-01")).unwrap();
    assert!(
        text.contains(
            &bundle
                .certs
                .k8s_service_account
                .key
                .lines()
                .nth(1)
                .unwrap()
                .to_string()
        )
    );
}

#[test]
fn imported_talos_secrets_render_byte_identical_configs_without_masking() {
    for (talos, file, node) in [
        (
            "v1.13.9",
            "stability__v1.13__base-controlplane.yaml",
            "cp-01",
        ),
        (
            "v1.15.0",
            "stability__v1.15__base-controlplane.yaml",
            "cp-01",
        ),
    ] {
        let Some((path, cp)) = corpus(file) else {
            return;
        };
        let home = Home::new();
        init(&home, talos);
        std::fs::remove_file(home.path("proj/secrets.yaml.age")).unwrap();
        home.ok(&["secrets", "import", path.to_str().unwrap(), "proj"]);
        let out = render(&home, &["--with-secrets", "--node", node]);
        assert_same(
            file,
            &mask(docs(&cp), false),
            &mask(out[0].1.clone(), false),
        );
    }
}

#[test]
fn without_with_secrets_nothing_secret_is_printed_and_no_key_is_needed() {
    let home = Home::new();
    init(&home, "v1.13.9");
    let bundle = home.bundle("proj");
    // No identity at all: rendering still works and shows <redacted>.
    std::fs::remove_dir_all(home.config()).unwrap();
    let r = home.ok(&["render", "proj"]);
    assert!(r.stdout.contains("token: <redacted>"));
    for s in bundle.secret_values() {
        assert!(
            !r.stdout.contains(&s) && !r.stderr.contains(&s),
            "a secret leaked"
        );
    }
    // --with-secrets without an identity stops with the fix.
    let r = home.run(&["render", "proj", "--with-secrets"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no age identity found"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn a_missing_bundle_stops_the_run_and_is_never_regenerated() {
    let home = Home::new();
    init(&home, "v1.13.9");
    std::fs::remove_file(home.path("proj/secrets.yaml.age")).unwrap();
    let r = home.run(&["render", "proj", "--with-secrets"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("secrets.yaml.age"), "{}", r.stderr);
    assert!(r.stderr.contains("machinist secrets gen"), "{}", r.stderr);
    assert!(!home.path("proj/secrets.yaml.age").exists());
    // `secrets gen` makes one explicitly, and refuses to replace it.
    home.ok(&["secrets", "gen", "proj"]);
    let first = std::fs::read(home.path("proj/secrets.yaml.age")).unwrap();
    let r = home.run(&["secrets", "gen", "proj"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
    assert_eq!(
        std::fs::read(home.path("proj/secrets.yaml.age")).unwrap(),
        first
    );
}

#[test]
fn an_unreadable_identity_file_is_named_with_the_variable_that_points_at_it() {
    let home = Home::new();
    init(&home, "v1.13.9");
    let missing = home.path("nowhere/key.txt");
    let r = home.run_with(
        &["render", "proj", "--with-secrets"],
        &[("MACHINIST_AGE_KEY_FILE", missing.to_str().unwrap())],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(&format!(
            "cannot read the age identity file {} named by MACHINIST_AGE_KEY_FILE",
            missing.display()
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("unset it to use the default identity"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "nothing rendered");
}

#[test]
fn rekey_adds_and_removes_readers_without_changing_the_secrets() {
    let home = Home::new();
    init(&home, "v1.13.9");
    let before = home.bundle("proj");
    let (teammate, teammate_recipient) = machinist_secrets::atrest::new_identity();
    let as_teammate = [("MACHINIST_AGE_KEY", teammate.as_str())];
    // The teammate cannot read the bundle yet.
    let r = home.run_with(&["render", "proj", "--with-secrets"], &as_teammate);
    assert_eq!(r.code, 1, "{}", r.stderr);

    // Add them to Chart.yaml and re-encrypt: both can read it, and the secrets are the same.
    let chart_path = home.path("proj/Chart.yaml");
    let chart = std::fs::read_to_string(&chart_path).unwrap();
    let mine = chart
        .lines()
        .find_map(|l| l.trim().strip_prefix("- age1").map(|r| format!("age1{r}")))
        .unwrap();
    std::fs::write(
        &chart_path,
        chart.replace(
            &format!("    - {mine}\n"),
            &format!("    - {mine}\n    - {teammate_recipient}\n"),
        ),
    )
    .unwrap();
    let r = home.ok(&["secrets", "rekey", "proj"]);
    assert!(r.stderr.contains("to 2 recipients"), "{}", r.stderr);
    let mine_out = home.ok(&["render", "proj", "--with-secrets"]).stdout;
    let r = home.run_with(&["render", "proj", "--with-secrets"], &as_teammate);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, mine_out, "the same secrets for both readers");
    assert_eq!(home.bundle("proj").to_yaml(), before.to_yaml());

    // Dropping yourself is refused unless asked for; then only the teammate can read it.
    std::fs::write(
        &chart_path,
        std::fs::read_to_string(&chart_path)
            .unwrap()
            .replace(&format!("    - {mine}\n"), ""),
    )
    .unwrap();
    let r = home.run(&["secrets", "rekey", "proj"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("--remove-myself"), "{}", r.stderr);
    home.ok(&["secrets", "rekey", "proj", "--remove-myself"]);
    assert_eq!(home.run(&["render", "proj", "--with-secrets"]).code, 1);
    let r = home.run_with(&["render", "proj", "--with-secrets"], &as_teammate);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, mine_out);
}

#[test]
fn init_writes_a_complete_project_and_refuses_to_overwrite() {
    let home = Home::new();
    let r = home.ok(&[
        "init",
        "proj",
        "--name",
        "homelab",
        "--endpoint",
        "https://192.168.1.10:6443",
    ]);
    let identity = home.config().join("machinist/age-identity.txt");
    assert!(
        r.stderr.contains(&identity.display().to_string()),
        "{}",
        r.stderr
    );
    let home_dir = home.dir.path().display().to_string();
    insta::with_settings!({ filters => vec![(home_dir.as_str(), "[HOME]")] }, {
        insta::assert_snapshot!("init_output", r.stderr);
    });
    for f in [
        "Chart.yaml",
        "values.yaml",
        "templates/controlplane.yaml",
        "templates/worker.yaml",
        "layers/role/controlplane.yaml",
        "layers/role/worker.yaml",
        "nodes/cp-01.yaml",
        "nodes/worker-01.yaml",
        "secrets.yaml.age",
        "talosconfig",
        ".gitignore",
    ] {
        assert!(home.path("proj").join(f).is_file(), "{f} missing");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&identity), 0o600);
        assert_eq!(mode(&home.path("proj/talosconfig")), 0o600);
        assert_eq!(mode(&home.path("proj/secrets.yaml.age")), 0o600);
        assert_eq!(mode(&home.path("proj/Chart.yaml")), 0o644);
    }
    let chart = std::fs::read_to_string(home.path("proj/Chart.yaml")).unwrap();
    assert!(chart.starts_with("# yaml-language-server: $schema=schema/chart.schema.json\n"));
    let recipient = std::fs::read_to_string(&identity)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: ").map(str::to_string))
        .unwrap();
    assert!(
        chart.contains(&format!(
            "secrets:\n  file: secrets.yaml.age\n  recipients:\n    - {recipient}\n"
        )),
        "{chart}"
    );
    assert!(chart.contains("talosVersion: v1.13.9\nkubernetesVersion: v1.36.3\nendpoint: https://192.168.1.10:6443\n"), "{chart}");
    let node = std::fs::read_to_string(home.path("proj/nodes/cp-01.yaml")).unwrap();
    assert!(node.starts_with("# yaml-language-server: $schema=../schema/node.schema.json\n"));
    let ignore = std::fs::read_to_string(home.path("proj/.gitignore")).unwrap();
    for line in [
        "talosconfig",
        "age-identity.txt",
        "secrets.yaml",
        machinist_secrets::fsutil::TEMP_GLOB,
        ".machinist-sim/",
    ] {
        assert!(ignore.lines().any(|l| l == line), "{line} not ignored");
    }
    // The talosconfig targets the control planes and trusts the bundle's OS CA.
    let tc = machinist_secrets::Talosconfig::load(&home.path("proj/talosconfig")).unwrap();
    assert_eq!(tc.context, "homelab");
    let ctx = tc.current().unwrap();
    // The example control plane sits at the endpoint's address, the worker ten further on.
    assert_eq!(ctx.endpoints, ["192.168.1.10"]);
    let worker = std::fs::read_to_string(home.path("proj/nodes/worker-01.yaml")).unwrap();
    assert!(worker.contains("\naddress: 192.168.1.20\n"), "{worker}");
    assert_eq!(
        ctx.ca.as_deref(),
        Some(home.bundle("proj").certs.os.crt.as_str())
    );

    // A second init into the same directory changes nothing.
    let before = std::fs::read(home.path("proj/secrets.yaml.age")).unwrap();
    let r = home.run(&[
        "init",
        "proj",
        "--name",
        "other",
        "--endpoint",
        "https://10.0.0.1:6443",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("never overwrites"), "{}", r.stderr);
    insta::assert_snapshot!("init_refuses_existing_project", r.stderr);
    assert_eq!(
        std::fs::read(home.path("proj/secrets.yaml.age")).unwrap(),
        before
    );
    assert_eq!(
        std::fs::read_to_string(home.path("proj/Chart.yaml")).unwrap(),
        chart
    );

    // A bad endpoint is refused before anything is written.
    let r = home.run(&["init", "other", "--name", "x", "--endpoint", "192.168.1.10"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("https://"), "{}", r.stderr);
    assert!(!home.path("other").exists());
}

#[test]
fn fresh_projects_lint_clean_in_every_contract() {
    for (talos, endpoint) in [
        ("v1.11.6", "https://10.0.0.10:6443"),
        ("v1.12.7", "https://10.0.0.10:6443"),
        ("v1.13.9", "https://10.0.0.10:6443"),
        ("v1.14.0", "https://[fd00::10]:6443"),
        ("v1.15.0", "https://10.0.0.10:6443"),
    ] {
        let home = Home::new();
        home.ok(&[
            "init",
            "proj",
            "--name",
            "lab",
            "--endpoint",
            endpoint,
            "--talos-version",
            talos,
        ]);
        let run = home.ok(&["lint", "proj"]);
        assert!(
            run.stdout.ends_with("cluster checks passed\n"),
            "{talos}: {}",
            run.stdout
        );
        assert_eq!(run.stderr, "", "{talos}: no warnings on a fresh project");
    }
}

#[test]
fn talosconfig_regeneration_reads_the_bundle_only() {
    let home = Home::new();
    init(&home, "v1.13.9");
    let bundle_before = std::fs::read(home.path("proj/secrets.yaml.age")).unwrap();
    let tc_before = std::fs::read_to_string(home.path("proj/talosconfig")).unwrap();
    let r = home.ok(&["talosconfig", "proj", "--roles", "os:reader"]);
    assert!(r.stderr.contains("os:reader"), "{}", r.stderr);
    assert_eq!(
        std::fs::read(home.path("proj/secrets.yaml.age")).unwrap(),
        bundle_before
    );
    let tc = machinist_secrets::Talosconfig::load(&home.path("proj/talosconfig")).unwrap();
    let crt = tc.current().unwrap().crt.clone().unwrap();
    assert_ne!(
        std::fs::read_to_string(home.path("proj/talosconfig")).unwrap(),
        tc_before
    );
    assert_eq!(
        machinist_secrets::x509::subject_organizations(&crt).unwrap(),
        ["os:reader"]
    );
}

#[test]
fn talosconfig_endpoints_are_the_rendered_control_plane_addresses() {
    let home = Home::new();
    init(&home, "v1.13.9");
    // Addresses that are expressions, as in a copied homelab project.
    std::fs::write(
        home.path("proj/values.yaml"),
        std::fs::read_to_string(home.path("proj/values.yaml")).unwrap()
            + "lan: { subnet: 10.77.0.0/24, firstHost: 11 }\n",
    )
    .unwrap();
    for (node, role) in [("cp-01", "controlplane"), ("worker-01", "worker")] {
        std::fs::write(
            home.path(&format!("proj/nodes/{node}.yaml")),
            format!(
                "address: '{{{{ cidrhost(values.lan.subnet, values.lan.firstHost + node.index + {}) }}}}'\nfacets: {{ role: {role} }}\n",
                if role == "worker" { 10 } else { 0 }
            ),
        )
        .unwrap();
    }
    let r = home.ok(&["talosconfig", "proj"]);
    assert!(r.stderr.contains("endpoints 10.77.0.11,"), "{}", r.stderr);
    let tc = machinist_secrets::Talosconfig::load(&home.path("proj/talosconfig")).unwrap();
    let text = std::fs::read_to_string(home.path("proj/talosconfig")).unwrap();
    assert!(!text.contains("{{"), "{text}");
    assert_eq!(tc.current().unwrap().endpoints, ["10.77.0.11"]);
    // The shared value flags reach the addresses too.
    home.ok(&["talosconfig", "proj", "--set", "lan.firstHost=50"]);
    let tc = machinist_secrets::Talosconfig::load(&home.path("proj/talosconfig")).unwrap();
    assert_eq!(tc.current().unwrap().endpoints, ["10.77.0.50"]);
}

#[test]
fn a_talosconfig_of_another_cluster_is_warned_about() {
    let home = Home::new();
    init(&home, "v1.13.9");
    let cp = std::fs::read_to_string(home.path("proj/nodes/cp-01.yaml")).unwrap();
    let addr = cp
        .lines()
        .find_map(|l| l.strip_prefix("address: "))
        .unwrap()
        .trim()
        .to_string();
    // Nothing listens on 127.83.0.1: the run fails after the warning, whatever the reason.
    let tc = std::fs::read_to_string(home.path("proj/talosconfig")).unwrap();
    std::fs::write(
        home.path("proj/talosconfig"),
        tc.replace(&format!("- {addr}\n"), "- 127.83.0.1\n"),
    )
    .unwrap();
    let r = home.run(&["diff", "proj", "--timeout", "2s"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let want = format!(
        "warning: proj/talosconfig dials 127.83.0.1, which is not a control plane of this project (cp-01 {addr}); it may belong to another cluster\n = hint: regenerate it with `machinist talosconfig`, or pass --endpoints\n",
    );
    assert!(r.stderr.contains(&want), "{}", r.stderr);
    // The error says which address was dialled and why: an endpoint, not the node's own.
    assert!(
        r.stderr.contains(&format!("error: node cp-01: unreachable at 127.83.0.1:50000 (an endpoint from the talosconfig or --endpoints, forwarding to the node's own address {addr}): ")),
        "{}",
        r.stderr
    );
    // Without endpoints each node is dialled at its own address, and the error says so.
    std::fs::write(
        home.path("proj/talosconfig"),
        tc.lines()
            .filter(|l| l.trim() != format!("- {addr}"))
            .map(|l| if l.trim() == "endpoints:" { l.replace("endpoints:", "endpoints: []") } else { l.to_string() } + "\n")
            .collect::<String>(),
    )
    .unwrap();
    let worker = std::fs::read_to_string(home.path("proj/nodes/worker-01.yaml")).unwrap();
    let waddr = worker
        .lines()
        .find_map(|l| l.strip_prefix("address: "))
        .unwrap()
        .trim()
        .to_string();
    std::fs::write(
        home.path("proj/nodes/worker-01.yaml"),
        worker.replace(&waddr, "127.83.0.21"),
    )
    .unwrap();
    let r = home.run(&["diff", "proj", "--timeout", "2s", "--node", "worker-01"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "error: node worker-01: unreachable at 127.83.0.21:50000 (the node's own address): "
        ),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("warning:"), "{}", r.stderr);
    // Its own talosconfig raises no warning.
    home.ok(&["talosconfig", "proj"]);
    let r = home.run(&["diff", "proj", "--timeout", "2s", "--node", "worker-01"]);
    assert!(!r.stderr.contains("warning:"), "{}", r.stderr);
}

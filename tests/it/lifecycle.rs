//! The cluster lifecycle end to end against `machinist-sim` on loopback: `up` from maintenance to
//! a kubeconfig (checked with openssl against the bundle's Kubernetes CA), `status`, an upgrade
//! after a schematic change in a layer (control planes never two at once, from the sim's event
//! log), the upgrade-fallback fault, `reset --node` and `up` again, and the three unsafe cases of
//! issue #9: first install of three control planes, swapped addresses in a project made by
//! `init` (no hostnames), and a role value spelled `control-plane`. Each test uses its own
//! 127.<n>.240.x addresses; the project (and its slow RSA secrets) is made by `machinist init`
//! once per test binary and copied.

use crate::common;

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use crate::sim_lab::SimLab;

const NODES: [(&str, u8, bool); 5] = [
    ("cp-01", 11, true),
    ("cp-02", 12, true),
    ("cp-03", 13, true),
    ("worker-01", 21, false),
    ("worker-02", 22, false),
];

/// `machinist init` once: a home with an age identity and the project `proj`.
fn template() -> &'static Path {
    static T: OnceLock<tempfile::TempDir> = OnceLock::new();
    T.get_or_init(|| {
        let home = tempfile::tempdir().unwrap();
        let (identity, _) = machinist_secrets::atrest::new_identity();
        std::fs::write(home.path().join("age.key"), identity).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_machinist"))
            .args([
                "init",
                "proj",
                "--name",
                "lab",
                "--endpoint",
                "https://127.0.240.11:6443",
            ])
            .current_dir(home.path())
            .env("HOME", home.path())
            .env("MACHINIST_AGE_KEY_FILE", home.path().join("age.key"))
            .env_remove("MACHINIST_AGE_KEY")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        home
    })
    .path()
}

/// A [`SimLab`] of the init project on 127.<net>.240.x, run from the home directory.
struct Lab {
    lab: SimLab,
    net: u8,
}

crate::sim_lab::deref_to_sim_lab!(Lab);

impl Lab {
    /// A copy of the init project with 3 control planes and 2 workers on 127.<net>.240.x. With
    /// `spelling`, the role facet value of control planes is that string (node files, `when:`,
    /// layer file).
    fn new(net: u8, spelling: &str) -> Lab {
        let home = tempfile::tempdir().unwrap();
        common::copy_dir(template(), home.path());
        let (proj, cwd) = (home.path().join("proj"), home.path().to_path_buf());
        let lab = Lab {
            lab: SimLab::new(home, proj, None, cwd, NODES.len(), "300ms"),
            net,
        };
        let proj = lab.dir();
        std::fs::remove_dir_all(proj.join("nodes")).unwrap();
        std::fs::create_dir_all(proj.join("nodes")).unwrap();
        for (name, last, cp) in NODES {
            let role = if cp { spelling } else { "worker" };
            std::fs::write(
                proj.join(format!("nodes/{name}.yaml")),
                format!(
                    "address: {}\nfacets: {{ role: {role} }}\nvalues: {{}}\n",
                    lab.addr(last)
                ),
            )
            .unwrap();
        }
        if spelling != "controlplane" {
            lab.edit(
                "Chart.yaml",
                "when: { role: controlplane }",
                &format!("when: {{ role: {spelling} }}"),
            );
            std::fs::rename(
                proj.join("layers/role/controlplane.yaml"),
                proj.join(format!("layers/role/{spelling}.yaml")),
            )
            .unwrap();
        }
        lab.edit(
            "Chart.yaml",
            "endpoint: https://127.0.240.11:6443",
            &format!("endpoint: https://{}:6443", lab.addr(11)),
        );
        let r = lab.run(&["talosconfig", "proj"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        lab
    }

    fn addr(&self, last: u8) -> String {
        format!("127.{}.240.{last}", self.net)
    }

    fn status_json(&self) -> (i32, serde_json::Value) {
        let r = self.run(&["status", "proj", "--format", "json"]);
        let v = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
        (r.code, v)
    }
}

/// Asserts that, per the event log, no two control planes were between `start` and their next
/// `up` event at the same time.
fn assert_control_planes_one_at_a_time(events: &[(String, String)], start: &str) {
    let mut busy: Option<String> = None;
    let mut seen = 0;
    for (node, ev) in events {
        if !node.starts_with("cp-") {
            continue;
        }
        if ev.starts_with(start) {
            assert!(
                busy.is_none(),
                "{node} started `{start}` while {busy:?} was not back: {events:#?}"
            );
            busy = Some(node.clone());
            seen += 1;
        } else if ev.starts_with("up version=") && busy.as_deref() == Some(node) {
            busy = None;
        }
    }
    assert_eq!(
        seen, 3,
        "every control plane went through `{start}`: {events:#?}"
    );
}

fn openssl_verify(lab: &Lab, kubeconfig: &Path) {
    let kc: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(kubeconfig).unwrap()).unwrap();
    use base64::Engine as _;
    let b64 = |s: &serde_yaml_ng::Value| {
        base64::engine::general_purpose::STANDARD
            .decode(s.as_str().unwrap())
            .unwrap()
    };
    let server = kc["clusters"][0]["cluster"]["server"].as_str().unwrap();
    assert_eq!(server, format!("https://{}:6443", lab.addr(11)));
    let client = b64(&kc["users"][0]["user"]["client-certificate-data"]);
    let project = machinist::project::Project::load(lab.dir()).unwrap();
    let env = machinist_secrets::atrest::IdentityEnv {
        key_file: Some(lab.home.path().join("age.key")),
        ..Default::default()
    };
    let bundle =
        machinist_secrets::load_bundle(&lab.dir().join(&project.chart.secrets.file), &env).unwrap();
    let aux = tempfile::tempdir().unwrap();
    std::fs::write(aux.path().join("ca.pem"), &bundle.certs.k8s.crt).unwrap();
    std::fs::write(aux.path().join("client.pem"), client).unwrap();
    let out = Command::new("openssl")
        .args(["verify", "-CAfile", "ca.pem", "client.pem"])
        .current_dir(aux.path())
        .output()
        .expect("openssl runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("client.pem: OK"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn up_installs_a_fresh_cluster_and_the_unsafe_cases_are_refused() {
    // The role value spelled `control-plane`, and workers applied 6 at a time: control planes
    // must still go one at a time (the role comes from machine.type).
    let mut lab = Lab::new(1, "control-plane");
    lab.start_sim(&[]);
    let r = lab.ok(&["up", "proj", "--parallel", "6"]);
    assert!(
        r.stdout
            .contains("summary: 5 done, 0 unchanged, 0 failed, 0 not started"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("bootstrapped etcd on cp-01"),
        "{}",
        r.stdout
    );
    assert_control_planes_one_at_a_time(&lab.events(), "install");
    // Facts were recorded at first install; the kubeconfig is 0600 and chains to the K8s CA.
    for (name, _, _) in NODES {
        let f = std::fs::read_to_string(lab.dir().join(format!("facts/{name}.yaml"))).unwrap();
        assert!(f.contains("uuid:"), "{f}");
    }
    let kc = lab.dir().join("kubeconfig");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&kc).unwrap().permissions().mode() & 0o777,
        0o600
    );
    openssl_verify(&lab, &kc);
    let gitignore = std::fs::read_to_string(lab.dir().join(".gitignore")).unwrap();
    assert!(gitignore.lines().any(|l| l == "kubeconfig"), "{gitignore}");

    // status: everything as the project says.
    let (code, st) = lab.status_json();
    assert_eq!(code, 0, "{st:#}");
    assert_eq!(st["nodes"][0]["etcd_member"], true);

    // up again: nothing changes.
    let r = lab.ok(&["up", "proj"]);
    assert!(r.stdout.contains("nothing changed"), "{}", r.stdout);
    assert!(
        r.stdout.contains("summary: 0 done, 5 unchanged"),
        "{}",
        r.stdout
    );

    // --insecure against configured nodes.
    let r = lab.run(&["apply", "proj", "--insecure"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("already configured: run without --insecure"),
        "{}",
        r.stdout
    );

    // Swap the addresses of cp-01 and worker-01 (no hostnames in this project), and change
    // something so apply has work: both directions are refused, nothing is applied.
    let before = lab.events().len();
    let cp = std::fs::read_to_string(lab.dir().join("nodes/cp-01.yaml")).unwrap();
    let w = std::fs::read_to_string(lab.dir().join("nodes/worker-01.yaml")).unwrap();
    std::fs::write(
        lab.dir().join("nodes/cp-01.yaml"),
        cp.replace(&lab.addr(11), &lab.addr(21)),
    )
    .unwrap();
    std::fs::write(
        lab.dir().join("nodes/worker-01.yaml"),
        w.replace(&lab.addr(21), &lab.addr(11)),
    )
    .unwrap();
    lab.edit("values.yaml", "nodeLabels: {}", "nodeLabels: { tier: lab }");
    // With facts recorded, the SMBIOS uuid tells.
    let r = lab.run(&["apply", "proj", "--parallel", "6"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("(node worker-01 of this project), but facts/cp-01.yaml records"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("(node cp-01 of this project), but facts/worker-01.yaml records"),
        "{}",
        r.stdout
    );
    assert_eq!(lab.events().len(), before, "nothing may reach any node");
    // Without facts (a project made by init, before any `up`), the live machine type tells.
    std::fs::remove_dir_all(lab.dir().join("facts")).unwrap();
    let r = lab.run(&["apply", "proj", "--parallel", "6"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!(
            "node cp-01: refusing: the machine at {} runs a worker config",
            lab.addr(21)
        )) && r.stdout.contains("likely node worker-01 of this project"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "node worker-01: refusing: the machine at {} runs a control plane config",
            lab.addr(11)
        )) && r.stdout.contains("likely node cp-01 of this project"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("summary: 0 done, 0 unchanged, 2 failed, 3 not started"),
        "{}",
        r.stdout
    );
    assert_eq!(lab.events().len(), before, "nothing may reach any node");
    std::fs::write(lab.dir().join("nodes/cp-01.yaml"), cp).unwrap();
    std::fs::write(lab.dir().join("nodes/worker-01.yaml"), w).unwrap();
    lab.edit("values.yaml", "nodeLabels: { tier: lab }", "nodeLabels: {}");

    // Bad input: a worker as bootstrap node, an unknown node, reset without --yes off a terminal.
    let r = lab.run(&["bootstrap", "proj", "--node", "worker-01"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("node worker-01 (--node) is a worker: only a control plane can bootstrap etcd; pick one of: cp-01, cp-02, cp-03"), "{}", r.stderr);
    let r = lab.run(&["upgrade", "proj", "--node", "cp-9"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("no node `cp-9`")
            && r.stderr
                .contains("cp-01, cp-02, cp-03, worker-01, worker-02"),
        "{}",
        r.stderr
    );
    let r = lab.run(&["reset", "proj", "--node", "worker-01"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("node worker-01: reset node worker-01")
            && r.stderr.contains("pass --yes"),
        "{}",
        r.stderr
    );
    let r = lab.run(&["reset", "proj"]);
    assert_eq!(r.code, 64);
    assert!(r.stderr.contains("reset needs --node NAME"), "{}", r.stderr);
    let (code, _) = lab.status_json();
    assert_eq!(code, 0, "the refusals changed nothing");
}

/// Puts a new installer (another schematic, a patch release later) into both role layers.
fn bump_installer(lab: &Lab) {
    const IMAGE: &str = "factory.talos.dev/installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.13.10";
    for layer in ["controlplane", "worker"] {
        let p = lab.dir().join(format!("layers/role/{layer}.yaml"));
        let text = std::fs::read_to_string(&p).unwrap().replace("{}\n", "");
        std::fs::write(&p, format!("{text}install:\n  image: {IMAGE}\n")).unwrap();
    }
}

fn running_versions(lab: &Lab) -> Vec<String> {
    let (_, st) = lab.status_json();
    st["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["running"].as_str().unwrap_or("-").to_string())
        .collect()
}

#[test]
fn upgrade_after_a_schematic_change_then_reset_a_worker_and_bring_it_back() {
    let mut lab = Lab::new(2, "controlplane");
    lab.start_sim(&[]);
    lab.ok(&["up", "proj"]);
    bump_installer(&lab);
    let (code, _) = lab.status_json();
    assert_eq!(code, 2, "the project now wants another installer");

    // The plan: every node, nothing sent.
    let before = lab.events().len();
    let r = lab.ok(&["upgrade", "proj", "--dry-run"]);
    assert!(
        r.stdout.contains("upgrade  cp-01  v1.13.9 → v1.13.10"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("summary: 5 done"), "{}", r.stdout);
    assert_eq!(lab.events().len(), before, "a dry run sends nothing");

    let r = lab.ok(&["upgrade", "proj", "--parallel", "10"]);
    assert!(
        r.stdout
            .contains("summary: 5 done, 0 unchanged, 0 failed, 0 not started"),
        "{}",
        r.stdout
    );
    assert_control_planes_one_at_a_time(&lab.events()[before..], "upgrade-start");
    assert_eq!(running_versions(&lab), vec!["v1.13.10"; 5]);
    assert_eq!(lab.status_json().0, 0);
    // Re-run: nothing to do.
    let r = lab.ok(&["upgrade", "proj"]);
    assert!(
        r.stdout.contains("summary: 0 done, 5 unchanged"),
        "{}",
        r.stdout
    );

    // Reset one worker: it ends in maintenance mode; `up` brings it back.
    let r = lab.ok(&["reset", "proj", "--node", "worker-01", "--reboot", "--yes"]);
    assert!(
        r.stdout.contains("back in maintenance mode"),
        "{}",
        r.stdout
    );
    let (code, st) = lab.status_json();
    assert_eq!(code, 2);
    assert_eq!(st["nodes"][3]["stage"], "maintenance", "{st:#}");
    assert_eq!(st["nodes"][4]["stage"], "running", "{st:#}");
    let r = lab.ok(&["up", "proj"]);
    assert!(
        r.stdout.contains("summary: 1 done, 4 unchanged"),
        "{}",
        r.stdout
    );
    let (_, st) = lab.status_json();
    assert_eq!(st["nodes"][3]["stage"], "running", "{st:#}");
}

#[test]
fn apply_installs_three_control_planes_and_an_upgrade_fallback_stops_the_rollout() {
    let mut lab = Lab::new(3, "controlplane");
    lab.start_sim(&["--fault", "upgrade-fallback=worker-01"]);
    // Issue #9 case 1: first install of three control planes with `apply --insecure`.
    let r = lab.ok(&["apply", "proj", "--insecure"]);
    assert!(
        r.stdout
            .contains("summary: 5 done, 0 unchanged, 0 failed, 0 not started"),
        "{}",
        r.stdout
    );
    let r = lab.ok(&["bootstrap", "proj"]);
    assert_eq!(r.stdout, "bootstrapped etcd on cp-01\n");
    let r = lab.ok(&["bootstrap", "proj", "--node", "cp-02"]);
    assert_eq!(r.stdout, "cp-02: already bootstrapped (nothing to do)\n");
    lab.ok(&["up", "proj"]);

    bump_installer(&lab);
    let r = lab.run(&["upgrade", "proj"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("summary: 3 done, 0 unchanged, 1 failed, 1 not started"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("node worker-01: came back on v1.13.9, not v1.13.10 (A/B fallback"),
        "{}",
        r.stdout
    );
    assert_eq!(
        running_versions(&lab),
        vec!["v1.13.10", "v1.13.10", "v1.13.10", "v1.13.9", "v1.13.9"],
        "worker-02 was not touched"
    );
}

#[test]
fn an_unreachable_node_stops_up_before_anything_is_installed() {
    let mut lab = Lab::new(4, "controlplane");
    lab.start_sim(&[
        "--node",
        "cp-01",
        "--node",
        "cp-02",
        "--node",
        "cp-03",
        "--node",
        "worker-01",
    ]);
    let r = lab.run(&["up", "proj", "--timeout", "2s"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("summary: 0 done, 0 unchanged, 1 failed, 4 not started"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "failed       worker-02  node worker-02: unreachable at {}",
            lab.addr(22)
        )),
        "{}",
        r.stdout
    );
    assert!(
        !lab.events().iter().any(|(_, e)| e == "install"),
        "nothing is installed when a node of the plan is unreachable"
    );
}

const SCHEMATIC: &str = "ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515";

/// Puts an Image Factory installer of the *same* Talos version into both role layers: only the
/// schematic changes.
fn change_schematic_only(lab: &Lab) {
    let image = format!("factory.talos.dev/installer/{SCHEMATIC}:v1.13.9");
    for layer in ["controlplane", "worker"] {
        let p = lab.dir().join(format!("layers/role/{layer}.yaml"));
        let text = std::fs::read_to_string(&p).unwrap().replace("{}\n", "");
        std::fs::write(&p, format!("{text}install:\n  image: {image}\n")).unwrap();
    }
}

fn schematics(lab: &Lab) -> Vec<String> {
    let (_, st) = lab.status_json();
    st["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["schematic"].as_str().unwrap_or("-").to_string())
        .collect()
}

#[test]
fn apply_before_upgrade_still_upgrades_to_the_new_schematic() {
    // The user's sequence: a schematic change in a layer, `apply` (which writes the new
    // machine.install.image into every live config), then `upgrade`. The upgrade must compare
    // with what the nodes run, not with their live configs.
    let mut lab = Lab::new(41, "controlplane");
    lab.start_sim(&["--fault", "upgrade-fallback:node=worker-02,count=1"]);
    lab.ok(&["up", "proj"]);
    assert_eq!(
        schematics(&lab),
        vec!["-"; 5],
        "plain installer: no schematic"
    );
    change_schematic_only(&lab);

    let r = lab.ok(&["apply", "proj"]);
    assert!(
        r.stdout
            .contains("summary: 5 done, 0 unchanged, 0 failed, 0 not started"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("(it runs schematic none, the project wants ce4c9805: apply only records the installer image; run `machinist upgrade --node cp-01` to install it)"),
        "{}",
        r.stdout
    );
    assert!(
        !lab.events().iter().any(|(_, e)| e.starts_with("upgrade-")),
        "apply installs nothing"
    );
    // The configs are in sync, but the nodes do not run what the project says.
    let (code, st) = lab.status_json();
    assert_eq!(code, 2, "{st:#}");
    assert_eq!(st["nodes"][0]["in_sync"], true, "{st:#}");
    assert_eq!(st["nodes"][0]["wanted_schematic"], SCHEMATIC, "{st:#}");
    assert_eq!(
        st["nodes"][0]["schematic"],
        serde_json::Value::Null,
        "{st:#}"
    );
    let r = lab.run(&["status", "proj"]);
    assert!(
        r.stdout.contains("v1.13.9 (schematic none, want ce4c9805)"),
        "{}",
        r.stdout
    );

    let r = lab.ok(&["upgrade", "proj", "--dry-run"]);
    assert!(
        r.stdout.contains(&format!(
            "upgrade  cp-01  v1.13.9 → v1.13.9  (factory.talos.dev/installer/{SCHEMATIC}:v1.13.9)  schematic none → ce4c9805"
        )),
        "{}",
        r.stdout
    );

    // worker-02 falls back once: with the version unchanged, the schematic tells.
    let before = lab.events().len();
    let r = lab.run(&["upgrade", "proj"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("summary: 4 done, 0 unchanged, 1 failed, 0 not started"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "node worker-02: came back on v1.13.9 with schematic none, not ce4c9805 (A/B fallback"
        ),
        "{}",
        r.stdout
    );
    assert_control_planes_one_at_a_time(&lab.events()[before..], "upgrade-start");
    assert_eq!(
        schematics(&lab),
        [SCHEMATIC, SCHEMATIC, SCHEMATIC, SCHEMATIC, "-"]
    );

    // Resumable: only worker-02 is left; then nothing.
    let r = lab.ok(&["upgrade", "proj"]);
    assert!(
        r.stdout.contains("summary: 1 done, 4 unchanged"),
        "{}",
        r.stdout
    );
    let r = lab.ok(&["upgrade", "proj"]);
    assert!(
        r.stdout.contains("summary: 0 done, 5 unchanged"),
        "{}",
        r.stdout
    );
    assert_eq!(schematics(&lab), vec![SCHEMATIC; 5]);
    assert_eq!(lab.status_json().0, 0);
}

#[test]
fn a_control_plane_missing_from_etcd_stops_status_and_upgrade() {
    let mut lab = Lab::new(42, "controlplane");
    lab.start_sim(&[]);
    lab.ok(&["up", "proj"]);
    // cp-03 drops out of etcd (the simulator restarted with the fault, state kept).
    lab.stop_sim();
    lab.start_sim(&["--fault", "etcd-member-missing=cp-03"]);

    let (code, st) = lab.status_json();
    assert_eq!(code, 2, "{st:#}");
    let etcd: Vec<_> = st["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["etcd_member"].clone())
        .collect();
    assert_eq!(
        etcd,
        [
            true.into(),
            true.into(),
            false.into(),
            serde_json::Value::Null,
            serde_json::Value::Null
        ],
        "{st:#}"
    );
    let r = lab.run(&["status", "proj"]);
    let line = r
        .stdout
        .lines()
        .find(|l| l.starts_with("cp-03"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(
        line.contains("missing") && line.contains("not healthy: etcd (Preparing)"),
        "{line}"
    );

    bump_installer(&lab);
    let before = lab.events().len();
    let r = lab.run(&["upgrade", "proj"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!(
            "node cp-01: etcd is not healthy, so no control plane is upgraded: control plane cp-03 ({}) is not an etcd member (as cp-01 lists them)",
            lab.addr(13)
        )),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("summary: 0 done, 0 unchanged, 3 failed, 2 not started"),
        "{}",
        r.stdout
    );
    assert!(
        !lab.events()[before..]
            .iter()
            .any(|(_, e)| e.starts_with("upgrade-")),
        "nothing was upgraded"
    );
}

//! Hostile input found by a security review (issue 11), each pinned as what the user sees:
//! a clear error with exit 1 or 2 (never a panic, a stack overflow, a silent success or a read
//! outside the project).

use crate::common;

use common::{Run, machinist, project_with, transcript};

fn render(p: &std::path::Path, extra: &[&str]) -> Run {
    let mut args = vec!["render", "."];
    args.extend_from_slice(extra);
    machinist(p, &args)
}

fn no_panic(run: &Run) {
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("overflow") && run.code != 101,
        "crashed:\n{}",
        transcript(run)
    );
}

// Item 3: a NUL byte must not silently truncate a layer.
#[test]
fn nul_byte_in_a_layer_is_an_error_with_its_position() {
    let p = project_with(
        "basic",
        &[("layers/env/lab.yaml", "# x\0\nnetwork: {mtu: 9000}\n")],
    );
    let run = render(p.path(), &[]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(
        run.stderr.contains("layers/env/lab.yaml:1:4"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("NUL"), "{}", run.stderr);
}

#[test]
fn validate_reports_a_nul_byte_instead_of_valid() {
    let p = tempfile::tempdir().unwrap();
    std::fs::write(p.path().join("w.yaml"), "type: worker\0\n: : [\n").unwrap();
    let run = machinist(p.path(), &["validate", "w.yaml"]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(run.stderr.contains("NUL"), "{}", run.stderr);
}

// Item 4: everything a project reads resolves inside the project.
#[cfg(unix)]
#[test]
fn symlinked_templates_folder_outside_the_project_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("config.yaml"),
        "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQ\n: [\n",
    )
    .unwrap();
    let p = project_with("basic", &[]);
    std::fs::remove_dir_all(p.path().join("templates")).unwrap();
    std::os::unix::fs::symlink(outside.path(), p.path().join("templates")).unwrap();
    let run = render(p.path(), &[]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(
        run.stderr.contains("outside the project directory"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("AGE-SECRET-KEY"), "{}", run.stderr);
}

#[test]
fn node_patches_outside_the_project_are_refused_at_load() {
    let outside = tempfile::tempdir().unwrap();
    let patch = outside.path().join("p.yaml");
    std::fs::write(&patch, "machine:\n  network:\n    hostname: evil\n").unwrap();
    for listed in [patch.display().to_string(), "../p.yaml".to_string()] {
        let node = format!(
            "address: 10.5.0.21\nfacets: {{ env: lab, role: worker }}\npatches: [\"{listed}\"]\n"
        );
        let p = project_with("basic", &[("nodes/wk-1.yaml", &node)]);
        let run = render(p.path(), &[]);
        assert_eq!(run.code, 1, "{}", transcript(&run));
        assert!(
            run.stderr.contains(&format!(
                "patch `{listed}` is outside the project directory"
            )),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("nodes/wk-1.yaml:3:"), "{}", run.stderr);
        assert!(!run.stdout.contains("evil"));
    }
}

// Item 5: extreme arguments are errors, not crashes.
#[test]
fn huge_durations_are_usage_errors_not_panics() {
    let p = project_with("basic", &[]);
    for args in [
        &["diff", ".", "--timeout", "99999999999999999999h"][..],
        &["apply", ".", "--wait-timeout", "99999999999999999999h"][..],
        &[
            "apply",
            ".",
            "--mode",
            "try",
            "--try-timeout",
            "99999999999999999999h",
        ][..],
    ] {
        let run = machinist(p.path(), args);
        no_panic(&run);
        // A bad flag value is a usage error (64), never a panic (101).
        assert_eq!(run.code, 64, "{args:?}: {}", transcript(&run));
        assert!(
            run.stderr.contains(
                "`99999999999999999999h` is longer than the longest duration accepted, 168h"
            ),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn compound_durations_are_accepted() {
    let p = project_with("basic", &[]);
    // No node answers on this address range; the flag must parse (exit is not 2).
    let run = machinist(
        p.path(),
        &["diff", ".", "--timeout", "1m30s", "--node", "nope"],
    );
    assert!(!run.stderr.contains("not a duration"), "{}", run.stderr);
    assert_ne!(run.code, 2, "{}", transcript(&run));
}

#[test]
fn simulator_durations_are_bounded_too() {
    let p = project_with("basic", &[]);
    for args in [
        &["--reboot-delay", "99999999999999999999h"][..],
        &["--fault", "latency=99999999999999999999h"][..],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_machinist-sim"))
            .arg(p.path())
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(1 | 2)),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("longer than the longest"), "{stderr}");
    }
}

#[test]
fn deep_set_path_is_an_error_not_a_stack_overflow() {
    let p = project_with("basic", &[]);
    let deep = vec!["a"; 30_000].join(".") + "=1";
    let run = render(p.path(), &["--set", &deep]);
    no_panic(&run);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(
        run.stderr.contains("deeper than 200 levels"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn endless_values_file_stops_at_the_size_limit() {
    let p = project_with("basic", &[]);
    let run = render(p.path(), &["-f", "/dev/zero"]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(
        run.stderr.contains("/dev/zero") && run.stderr.contains("larger than 64 MiB"),
        "{}",
        run.stderr
    );
}

// Item 7: node names are hostnames.
#[test]
fn node_name_dot_dot_is_refused_with_the_rule() {
    let p = project_with(
        "basic",
        &[(
            "nodes/...yaml",
            "address: 10.5.0.30\nfacets: { env: lab, role: worker }\n",
        )],
    );
    let run = render(p.path(), &[]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(
        run.stderr
            .contains("node name `..`, which is not a valid hostname"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("RFC 1123"), "{}", run.stderr);
}

#[test]
fn control_characters_in_a_node_name_never_reach_the_terminal() {
    let p = project_with(
        "basic",
        &[(
            "nodes/x\u{1b}[2Jy.yaml",
            "address: 10.5.0.30\nfacets: { env: lab, role: worker }\n",
        )],
    );
    let run = render(p.path(), &[]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
    assert!(run.stderr.contains("x\\u{1b}[2Jy"), "{}", run.stderr);
}

// Item 9: messages that name the real problem.
#[test]
fn set_on_the_values_root_index_is_rejected() {
    let p = project_with("basic", &[]);
    let run = render(p.path(), &["--set", "[0]=1"]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(
        run.stderr
            .contains("starts with a list index, but the values root is a map"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("undefined"), "{}", run.stderr);
}

#[test]
fn output_onto_a_plain_file_names_the_path() {
    let p = project_with("basic", &[("out", "not a folder\n")]);
    let run = render(p.path(), &["-o", "out"]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(run.stderr.contains("`out`"), "{}", run.stderr);
    assert!(run.stderr.contains("not a directory"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn output_onto_a_dangling_symlink_names_the_path() {
    let p = project_with("basic", &[]);
    std::os::unix::fs::symlink("/nonexistent/machinist-out", p.path().join("out")).unwrap();
    let run = render(p.path(), &["-o", "out"]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(run.stderr.contains("`out`"), "{}", run.stderr);
    assert!(
        !run.stderr.starts_with("error: File exists"),
        "{}",
        run.stderr
    );
}

// Item 6: temporary files of a killed run are reported by --check and removed by the next run.
#[cfg(target_os = "linux")]
#[test]
fn leftover_temporary_files_are_reported_by_check_and_cleaned_by_the_next_render() {
    let p = project_with("basic", &[]);
    let run = render(p.path(), &["-o", "out"]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    // What `kill -9` mid-write leaves: a temporary file of a process that no longer exists.
    let leftover = p.path().join("out/.machinist-4294967-XnwGjm.tmp");
    std::fs::write(&leftover, "machine:\n  token: half-written\n").unwrap();
    let run = render(p.path(), &["-o", "out", "--check"]);
    // Stale output is "differs from the project": exit 2.
    assert_eq!(run.code, 2, "{}", transcript(&run));
    assert!(
        run.stderr
            .contains(".machinist-4294967-XnwGjm.tmp: left-over temporary file"),
        "{}",
        run.stderr
    );
    let run = render(p.path(), &["-o", "out"]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert!(!leftover.exists(), "the next render removes it");
    let run = render(p.path(), &["-o", "out", "--check"]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
}

// Item 1: error snippets never show a secret field's value.
#[test]
fn validate_snippet_on_a_token_line_hides_the_token() {
    let p = tempfile::tempdir().unwrap();
    std::fs::write(
        p.path().join("cp.yaml"),
        "version: v1alpha1\nmachine:\n  type: controlplane\n  token: abcdef.0123456789abcdef: x\ncluster:\n  secret: c2VjcmV0c2VjcmV0\n",
    )
    .unwrap();
    let run = machinist(p.path(), &["validate", "cp.yaml"]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(run.stderr.contains("cp.yaml:4:"), "{}", run.stderr);
    assert!(run.stderr.contains("token: <redacted>"), "{}", run.stderr);
    assert!(!run.stderr.contains("0123456789abcdef"), "{}", run.stderr);
}

// Item 1: import strips secrets by the same list the redaction uses, user secrets included.
#[test]
fn import_strips_every_secret_field_of_the_one_list() {
    let mut docs = machinist_patch::parse_documents(
        "cp.yaml",
        "version: v1alpha1\nmachine:\n  token: abcdef.0123456789abcdef\n  ca:\n    crt: Y3J0\n    key: a2V5\n  network:\n    interfaces:\n      - interface: wg0\n        wireguard:\n          privateKey: d2cta2V5\n          listenPort: 51820\ncluster:\n  clusterName: demo\n  secret: c2VjcmV0\n---\napiVersion: v1alpha1\nkind: WireguardConfig\nname: wg1\nprivateKey: d2cta2V5Mg==\n",
    )
    .unwrap();
    let stripped = machinist::import::configs::strip_secrets(&mut docs);
    let text = machinist_patch::to_yaml(&docs);
    for secret in ["abcdef", "a2V5", "d2cta2V5", "c2VjcmV0"] {
        assert!(!text.contains(secret), "{secret} kept:\n{text}");
    }
    assert!(text.contains("listenPort: 51820"), "{text}");
    assert!(!text.contains("ca:"), "emptied maps go too:\n{text}");
    assert!(
        stripped.contains("v1alpha1: machine.network.interfaces.0.wireguard.privateKey"),
        "{stripped:?}"
    );
    assert!(
        stripped.contains("WireguardConfig/wg1: privateKey"),
        "{stripped:?}"
    );
}

#[test]
fn the_secrets_bundle_path_stays_inside_the_project() {
    let chart = std::fs::read_to_string(common::fixture("basic/Chart.yaml")).unwrap()
        + "secrets:\n  file: ../../elsewhere/secrets.yaml.age\n";
    let p = project_with("basic", &[("Chart.yaml", &chart)]);
    let run = render(p.path(), &[]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(
        run.stderr.contains(
            "`secrets.file` `../../elsewhere/secrets.yaml.age` is outside the project directory"
        ),
        "{}",
        run.stderr
    );
}

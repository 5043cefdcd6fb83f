//! The command line's contract: every command that renders takes the same value and patch flags,
//! exit codes are the documented ones (usage errors 64, never 2), and `--help` says so.

use crate::common;

use common::{fixture, machinist, transcript};

/// Commands that render the project, with the arguments they need besides the flags.
const RENDERING: &[&[&str]] = &[
    &["render", "."],
    &["explain", ".", "cp-1", "network.mtu"],
    &["lint", "."],
    &["diff", "."],
    &["apply", "."],
    &["talosconfig", "."],
    &["schematic", "."],
];

#[test]
fn every_rendering_command_takes_the_values_and_patch_flags() {
    let basic = fixture("basic");
    for cmd in RENDERING {
        for flags in [
            &["--set-json", "network={bad"][..],
            &["-f", "missing-values.yaml"][..],
        ] {
            let args: Vec<&str> = cmd.iter().chain(flags).copied().collect();
            let run = machinist(&basic, &args);
            // The flag is accepted and read: its own error, exit 1, not a usage error.
            assert_eq!(run.code, 1, "{args:?}\n{}", transcript(&run));
            assert!(
                run.stderr.contains("network={bad") || run.stderr.contains("missing-values.yaml"),
                "{args:?}\n{}",
                transcript(&run)
            );
        }
        let args: Vec<&str> = cmd
            .iter()
            .chain(&["-p", "no-such-patch.yaml"])
            .copied()
            .collect();
        let run = machinist(&basic, &args);
        // Commands that need the secrets (diff, apply, talosconfig) stop at the missing bundle
        // of this fixture before they read patches; `explain` lists patches, never reads them.
        if matches!(cmd[0], "render" | "lint") {
            assert_eq!(run.code, 1, "{args:?}\n{}", transcript(&run));
            assert!(
                run.stderr.contains("no-such-patch.yaml"),
                "{args:?}\n{}",
                transcript(&run)
            );
        }
    }
}

#[test]
fn lint_sees_set_values_and_patches() {
    let p = tempfile::tempdir().unwrap();
    common::copy_dir(&common::repo().join("examples/homelab"), p.path());
    std::fs::write(p.path().join("extra.yaml"), "machine:\n  nosuchfield: 1\n").unwrap();
    let run = machinist(p.path(), &["lint", "."]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    let run = machinist(p.path(), &["lint", ".", "-p", "extra.yaml"]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(run.stderr.contains("nosuchfield"), "{}", transcript(&run));
    let run = machinist(p.path(), &["lint", ".", "--set", "installDisk=null"]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(run.stderr.contains("installDisk"), "{}", transcript(&run));
}

#[test]
fn usage_errors_exit_64_not_the_changes_code() {
    let basic = fixture("basic");
    let run = machinist(&basic, &["diff", ".", "--bogus"]);
    assert_eq!(run.code, 64);
    insta::assert_snapshot!("usage_error", transcript(&run));
    assert_eq!(machinist(&basic, &["render", ".", "--check"]).code, 64);
    assert_eq!(machinist(&basic, &["no-such-command"]).code, 64);
    assert_eq!(machinist(&basic, &["--version"]).code, 0);
    assert_eq!(machinist(&basic, &["render", "--help"]).code, 0);
}

#[test]
fn help_prints_flags_and_exit_codes() {
    let basic = fixture("basic");
    for cmd in ["diff", "render", "lint", "schematic"] {
        let run = machinist(&basic, &[cmd, "--help"]);
        assert_eq!(run.code, 0);
        assert!(run.stdout.contains("Exit status:"), "{cmd}: {}", run.stdout);
        assert!(
            run.stdout.contains("64  usage error"),
            "{cmd}: {}",
            run.stdout
        );
        insta::assert_snapshot!(format!("help_{cmd}"), run.stdout);
    }
    // Only commands that compare document a 2.
    let lint = machinist(&basic, &["lint", "--help"]).stdout;
    assert!(!lint.contains("  2   "), "{lint}");
    let top = machinist(&basic, &["--help"]);
    insta::assert_snapshot!("help_top", top.stdout);
}

#[test]
fn completions_cover_every_command_and_flag() {
    let basic = fixture("basic");
    for (shell, needle) in [
        ("bash", "machinist,schematic)"),
        ("zsh", "#compdef machinist"),
        ("fish", "complete -c machinist"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let run = machinist(&basic, &["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains(needle), "{shell}: no `{needle}`");
        for word in ["schematic", "talosconfig", "set-json", "register"] {
            assert!(run.stdout.contains(word), "{shell}: no `{word}`");
        }
    }
    assert_eq!(machinist(&basic, &["completions", "tcsh"]).code, 64);
}

#[test]
fn man_pages_for_every_command_with_exit_codes() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("man");
    let run = machinist(out.path(), &["man", "-o", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for want in [
        "machinist.1",
        "machinist-diff.1",
        "machinist-schematic.1",
        "machinist-secrets-rekey.1",
        "machinist-completions.1",
    ] {
        assert!(pages.iter().any(|p| p == want), "{want} in {pages:?}");
    }
    let diff = std::fs::read_to_string(dir.join("machinist-diff.1")).unwrap();
    assert!(
        diff.starts_with(".ie \\n(.g .ds Aq"),
        "roff: {}",
        &diff[..40]
    );
    assert!(diff.contains("Exit status:"), "{diff}");
    assert!(diff.contains("\\-\\-set\\-json"), "{diff}");
}

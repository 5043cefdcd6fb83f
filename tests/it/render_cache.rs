//! The `render -o` cache, end to end: a second run with the same inputs and an untouched output
//! directory renders nothing; any changed input, or an output file edited or deleted by hand, makes
//! it render (and repair) again; a corrupt record is ignored; `--no-cache` neither reads nor
//! writes records. Each test has its own cache directory (`XDG_CACHE_HOME`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Run, project_with};

struct Lab {
    project: tempfile::TempDir,
    cache: tempfile::TempDir,
    out: PathBuf,
}

impl Lab {
    fn new() -> Lab {
        // Facts and patches are inputs too: make both visible in the output.
        let project = project_with(
            "basic",
            &[("patches/all.yaml", "machine:\n  env:\n    PATCHED: one\n")],
        );
        let config = project.path().join("templates/config.yaml");
        let text = std::fs::read_to_string(&config).unwrap();
        std::fs::write(
            &config,
            text.replacen(
                "  type: {{ node.role }}\n",
                "  type: {{ node.role }}\n  nodeLabels:\n    serial: \"{{ node.facts.serial | default('none') }}\"\n",
                1,
            ),
        )
        .unwrap();
        let wk = project.path().join("nodes/wk-1.yaml");
        let text = std::fs::read_to_string(&wk).unwrap();
        std::fs::write(&wk, format!("{text}patches: [patches/all.yaml]\n")).unwrap();
        let out = project.path().join("rendered");
        Lab {
            project,
            cache: tempfile::tempdir().unwrap(),
            out,
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.project.path().join(rel)
    }

    fn render(&self, extra: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_machinist"))
            .args(["render", ".", "-o", "rendered"])
            .args(extra)
            .current_dir(self.project.path())
            .env("NO_COLOR", "1")
            .env("XDG_CACHE_HOME", self.cache.path())
            .env_remove("MACHINIST_AGE_KEY")
            .env_remove("MACHINIST_AGE_KEY_FILE")
            .output()
            .expect("machinist runs");
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert_eq!(run.code, 0, "{}", run.stderr);
        run
    }

    fn output(&self, node: &str) -> String {
        std::fs::read_to_string(self.out.join(format!("{node}.yaml"))).unwrap()
    }

    fn records(&self) -> Vec<PathBuf> {
        let dir = self.cache.path().join("machinist/render");
        match std::fs::read_dir(dir) {
            Ok(rd) => rd.map(|e| e.unwrap().path()).collect(),
            Err(_) => Vec::new(),
        }
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Renders, renders again (the cached run must leave the same files), changes one input with
/// `change`, renders once more and returns the worker's new output.
fn after_change(
    label: &str,
    lab: &Lab,
    extra: &[&str],
    change: impl FnOnce(),
    extra_after: &[&str],
) -> String {
    lab.render(extra);
    let before = lab.output("wk-1");
    let again = lab.render(extra);
    assert_eq!(again.stderr, "wrote 0 files to rendered (2 unchanged)\n");
    assert_eq!(lab.output("wk-1"), before);
    change();
    let r = lab.render(extra_after);
    assert!(
        r.stderr.starts_with("wrote 1 file") || r.stderr.starts_with("wrote 2 files"),
        "{label}: {}",
        r.stderr
    );
    lab.output("wk-1")
}

#[test]
fn a_second_run_writes_nothing_and_prints_the_same_summary() {
    let lab = Lab::new();
    let first = lab.render(&[]);
    assert_eq!(first.stderr, "wrote 2 files to rendered\n");
    assert_eq!(
        lab.records().len(),
        1,
        "one record for the output directory"
    );
    let plain = lab.render(&["--no-cache"]);
    let cached = lab.render(&[]);
    assert_eq!(cached.stderr, plain.stderr);
    assert_eq!(cached.stdout, plain.stdout);
    let check = lab.render(&["--check"]);
    assert_eq!(
        check.stdout,
        "2 rendered files are in rendered up to date\n"
    );
}

#[test]
fn each_project_input_kind_changed_renders_again() {
    let cases: [(&str, &str, &str, &str); 7] = [
        (
            "templates/config.yaml",
            "hostname: {{ node.name }}",
            "hostname: x-{{ node.name }}",
            "hostname: x-wk-1",
        ),
        ("values.yaml", "mtu: 1500", "mtu: 1400", "mtu: 1400"),
        (
            "layers/env/lab.yaml",
            "",
            "disks: [{device: /dev/sdc, mountpoint: /var/c}]\n",
            "mountpoint: /var/c",
        ),
        ("nodes/wk-1.yaml", "10.5.0.21", "10.5.0.29", "10.5.0.29/24"),
        (
            "Chart.yaml",
            "name: basic",
            "name: renamed",
            "clusterName: renamed",
        ),
        (
            "patches/all.yaml",
            "PATCHED: one",
            "PATCHED: two",
            "PATCHED: two",
        ),
        ("facts/wk-1.yaml", "", "serial: s42\n", "serial: s42"),
    ];
    for (file, from, to, expect) in cases {
        let lab = Lab::new();
        let path = lab.path(file);
        let new = after_change(
            file,
            &lab,
            &[],
            || {
                if from.is_empty() {
                    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                    let old = std::fs::read_to_string(&path).unwrap_or_default();
                    std::fs::write(&path, format!("{old}{to}")).unwrap();
                } else {
                    edit(&path, from, to);
                }
            },
            &[],
        );
        assert!(new.contains(expect), "{file}: {new}");
    }
}

#[test]
fn command_line_inputs_changed_render_again() {
    // --set
    let lab = Lab::new();
    let new = after_change(
        "--set",
        &lab,
        &["--set", "network.mtu=1300"],
        || {},
        &["--set", "network.mtu=1301"],
    );
    assert!(new.contains("mtu: 1301"), "{new}");
    // -f: same path, new contents
    let lab = Lab::new();
    let values = lab.path("extra.yaml");
    std::fs::write(&values, "network:\n  mtu: 1111\n").unwrap();
    let new = after_change(
        "-f",
        &lab,
        &["-f", "extra.yaml"],
        || edit(&values, "1111", "2222"),
        &["-f", "extra.yaml"],
    );
    assert!(new.contains("mtu: 2222"), "{new}");
    // -p outside the project: same path, new contents
    let lab = Lab::new();
    let outside = tempfile::tempdir().unwrap();
    let patch = outside.path().join("p.yaml");
    std::fs::write(&patch, "machine:\n  env:\n    EXTRA: a\n").unwrap();
    let arg = patch.to_str().unwrap().to_string();
    let new = after_change(
        "-p",
        &lab,
        &["-p", &arg],
        || edit(&patch, "EXTRA: a", "EXTRA: b"),
        &["-p", &arg],
    );
    assert!(new.contains("EXTRA: b"), "{new}");
}

#[test]
fn outputs_edited_or_deleted_by_hand_are_repaired() {
    let lab = Lab::new();
    lab.render(&[]);
    let good = lab.output("cp-1");
    std::fs::write(lab.out.join("cp-1.yaml"), good.replace("cp-1", "cp-X")).unwrap();
    let r = lab.render(&[]);
    assert_eq!(r.stderr, "wrote 1 file to rendered (1 unchanged)\n");
    assert_eq!(lab.output("cp-1"), good);
    std::fs::remove_file(lab.out.join("cp-1.yaml")).unwrap();
    let r = lab.render(&[]);
    assert_eq!(r.stderr, "wrote 1 file to rendered (1 unchanged)\n");
    assert_eq!(lab.output("cp-1"), good);
    // A file added by hand is left alone, and the directory with it is current again.
    std::fs::write(lab.out.join("README"), "rendered by machinist\n").unwrap();
    lab.render(&[]);
    let check = lab.render(&["--check"]);
    assert_eq!(
        check.stdout,
        "2 rendered files are in rendered up to date\n"
    );
    assert_eq!(
        std::fs::read_to_string(lab.out.join("README")).unwrap(),
        "rendered by machinist\n"
    );
}

#[test]
fn a_corrupt_record_is_ignored_and_replaced() {
    let lab = Lab::new();
    lab.render(&[]);
    let [record] = &lab.records()[..] else {
        panic!("one record: {:?}", lab.records());
    };
    std::fs::write(record, "{\"version\": 1, \"digest\": ").unwrap();
    edit(&lab.path("values.yaml"), "mtu: 1500", "mtu: 1499");
    let r = lab.render(&[]);
    assert_eq!(r.stderr, "wrote 1 file to rendered (1 unchanged)\n");
    assert!(lab.output("wk-1").contains("mtu: 1499"));
    let text = std::fs::read_to_string(record).unwrap();
    assert!(
        serde_json::from_str::<serde_json::Value>(&text).is_ok(),
        "the record is whole again: {text}"
    );
}

#[test]
fn no_cache_neither_reads_nor_writes_records() {
    let lab = Lab::new();
    lab.render(&["--no-cache"]);
    assert!(lab.records().is_empty());
    let r = lab.render(&["--no-cache"]);
    assert_eq!(r.stderr, "wrote 0 files to rendered (2 unchanged)\n");
    assert!(lab.records().is_empty());
}

/// `--with-secrets` output depends on the age identity, which lives outside the project: such a
/// render is never answered from the cache, so a lost identity is an error on every run, not a
/// silent "up to date".
#[test]
fn renders_with_secrets_are_never_cached() {
    let home = tempfile::tempdir().unwrap();
    let cache = home.path().join("cache");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_machinist"))
            .args(args)
            .current_dir(home.path())
            .env("NO_COLOR", "1")
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_CACHE_HOME", &cache)
            .env_remove("MACHINIST_AGE_KEY")
            .env_remove("MACHINIST_AGE_KEY_FILE")
            .output()
            .expect("machinist runs")
    };
    let init = run(&[
        "init",
        "proj",
        "--name",
        "lab",
        "--endpoint",
        "https://10.9.0.10:6443",
    ]);
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let render = ["render", "proj", "-o", "out", "--with-secrets"];
    for _ in 0..2 {
        let r = run(&render);
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    }
    assert!(
        !cache.join("machinist/render").exists(),
        "no record for a render with secrets"
    );
    std::fs::remove_file(home.path().join("config/machinist/age-identity.txt")).unwrap();
    let r = run(&render);
    assert_eq!(
        r.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
}

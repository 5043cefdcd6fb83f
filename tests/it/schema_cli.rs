//! `machinist schema`, `machinist validate` and `machinist lint` as users run them: the committed
//! `schema/` directory is what the generator writes (this test fails when it is stale), `--check`
//! names stale files, validation errors carry `file:line:col` and a snippet, patches validate with
//! `--patch`, and the example projects lint clean.

use crate::common;

use common::{machinist, repo, transcript};

#[test]
fn committed_schemas_are_up_to_date() {
    let run = machinist(&repo(), &["schema", "--check"]);
    assert_eq!(
        run.code,
        0,
        "schema/ is stale: run `cargo run -- schema` and commit\n{}",
        transcript(&run)
    );
    assert_eq!(run.stdout, "13 schema files in schema are up to date\n");
}

#[test]
fn check_names_missing_changed_and_extra_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("schema");
    let o = out.to_str().unwrap();
    let run = machinist(dir.path(), &["schema", "--out", o]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert_eq!(
        machinist(dir.path(), &["schema", "--out", o, "--check"]).code,
        0
    );

    std::fs::remove_file(out.join("node.schema.json")).unwrap();
    let chart = out.join("chart.schema.json");
    let text = std::fs::read_to_string(&chart).unwrap();
    std::fs::write(&chart, text.replace("machinist/v1", "machinist/v0")).unwrap();
    std::fs::write(out.join("v1.10.schema.json"), "{}").unwrap();
    let run = machinist(dir.path(), &["schema", "--out", "schema", "--check"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr, @r"
    schema/chart.schema.json: stale (+2 -2 lines)
    schema/node.schema.json: missing
    schema/v1.10.schema.json: not generated any more
    error: 3 schema file(s) in schema are out of date; run `machinist schema --out schema` and commit the result
    ");
    // Writing again repairs the generated files.
    assert_eq!(
        machinist(dir.path(), &["schema", "--out", "schema"]).code,
        0
    );
    std::fs::remove_file(out.join("v1.10.schema.json")).unwrap();
    assert_eq!(
        machinist(dir.path(), &["schema", "--out", "schema", "--check"]).code,
        0
    );
}

#[test]
fn validate_points_at_file_line_and_column() {
    let run = machinist(
        &repo(),
        &["validate", "tests/fixtures/validate/bad-config.yaml"],
    );
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn validate_accepts_patches_with_delete_markers() {
    let file = "tests/fixtures/validate/patch.yaml";
    let run = machinist(&repo(), &["validate", "--patch", file]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert_eq!(
        run.stdout,
        "tests/fixtures/validate/patch.yaml: valid Talos v1.13 patch\n"
    );
    // Not a complete config: `$patch` is only for patches.
    let run = machinist(&repo(), &["validate", file]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("unknown key `$patch`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .ends_with("error: 1 of 1 file(s) are not valid Talos v1.13 configs\n"),
        "{}",
        run.stderr
    );
    // A patch with a misspelt key fails as a patch.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "machine:\n  kubelet:\n    extraArg: {}\n").unwrap();
    let run = machinist(dir.path(), &["validate", "--patch", bad.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .ends_with("error: 1 of 1 file(s) are not valid Talos v1.13 patches\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn validate_names_the_contract_a_kind_belongs_to() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hostname.yaml");
    std::fs::write(
        &file,
        "apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: cp-01\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let run = machinist(dir.path(), &["validate", "--talos-version", "v1.11.3", f]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("`HostnameConfig` is not accepted by Talos v1.11; it exists from v1.12"),
        "{}",
        run.stderr
    );
    let run = machinist(dir.path(), &["validate", "--talos-version", "v1.12", f]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    let run = machinist(dir.path(), &["validate", "--talos-version", "v2.0", f]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("unsupported Talos version `v2.0`"));
}

#[test]
fn examples_lint_clean_and_their_files_match_the_project_schemas() {
    for example in ["examples/homelab", "examples/fleet"] {
        let run = machinist(&repo(), &["lint", example]);
        assert_eq!(run.code, 0, "{}", transcript(&run));
        assert!(
            run.stdout.ends_with("cluster checks passed\n"),
            "{example}: {}",
            run.stdout
        );
        assert_eq!(run.stderr, "", "{example}: no deprecated fields either");
    }

    let chart = jsonschema::validator_for(&machinist_model::schema::chart_schema()).unwrap();
    let node = jsonschema::validator_for(&machinist_model::schema::node_schema()).unwrap();
    for example in ["examples/homelab", "examples/fleet", "tests/fixtures/basic"] {
        let dir = repo().join(example);
        let text = std::fs::read_to_string(dir.join("Chart.yaml")).unwrap();
        let value: serde_json::Value = serde_yaml_ng::from_str(&text).unwrap();
        let errors: Vec<String> = chart.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{example}/Chart.yaml: {errors:?}");
        for entry in std::fs::read_dir(dir.join("nodes")).unwrap() {
            let path = entry.unwrap().path();
            let value: serde_json::Value =
                serde_yaml_ng::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let errors: Vec<String> = node.iter_errors(&value).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        }
    }
}

#[test]
fn render_validation_names_node_document_path_value_and_values_file() {
    let values = std::fs::read_to_string(common::fixture("basic").join("values.yaml"))
        .unwrap()
        .replace("  mtu: 1500", "  mtu: jumbo");
    let project = common::project_with("basic", &[("values.yaml", &values)]);
    let run = machinist(project.path(), &["render", "."]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr, @r#"
    error: node `wk-1`: document `v1alpha1`, `machine.network.interfaces[0].mtu`: expected integer, found string (value "jumbo")
      ┌─ values.yaml:3:8
      │
    3 │   mtu: jumbo
      │        ^
      │
      = the value was set by values.yaml at `network.mtu`

    error: rendering failed with 1 error
    "#);
}

#[test]
fn lint_groups_deprecated_fields_as_warnings_that_do_not_fail_the_run() {
    // The basic fixture sets `machine.network` and `machine.disks`, both deprecated in v1.13:
    // warnings, grouped by field with the nodes, and the exit status stays 0.
    let run = machinist(&repo(), &["lint", "tests/fixtures/basic"]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert!(run.stderr.starts_with(
        "warning: v1alpha1: `machine.network` is deprecated since Talos v1.13; Talos still accepts it for now (nodes `cp-1`, `wk-1`)\n\n\
         warning: v1alpha1: `machine.disks` is deprecated since Talos v1.13; Talos still accepts it for now (nodes `cp-1`, `wk-1`)\n \
         = hint: move this setting to a `UserVolumeConfig` document\n"
    ), "{}", run.stderr);
    // The role layers set `schedulable`, which no template of the fixture reads.
    assert!(
        run.stderr.contains(
            "warning: `values.schedulable` is set in layer `role/controlplane` but no template reads it"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.ends_with(
            "cluster checks passed; 2 deprecation warning(s), 2 unused layer value(s)\n"
        ),
        "{}",
        run.stdout
    );

    // Without an install section, Talos v1.13 refuses the config in metal mode: an error.
    let mut chart =
        std::fs::read_to_string(common::fixture("basic").join("templates/config.yaml")).unwrap();
    chart = chart.replacen("  install:\n    disk: /dev/sda\n", "", 1);
    let project = common::project_with("basic", &[("templates/config.yaml", &chart)]);
    let run = machinist(project.path(), &["lint", "."]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(
        run.stderr
            .contains("`machine`: install instructions are required in \"metal\" mode"),
        "{}",
        run.stderr
    );
}

#[test]
fn validate_and_lint_report_json_for_ci() {
    let run = machinist(
        &repo(),
        &[
            "validate",
            "--format",
            "json",
            "tests/fixtures/validate/bad-config.yaml",
        ],
    );
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "", "JSON mode keeps stderr empty");
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(
        (v["errors"].as_u64(), v["warnings"].as_u64()),
        (Some(4), Some(1))
    );
    let typo = &v["findings"][0];
    assert_eq!(typo["severity"], "error");
    assert_eq!(typo["file"], "tests/fixtures/validate/bad-config.yaml");
    assert_eq!(
        (typo["line"].as_u64(), typo["column"].as_u64()),
        (Some(5), Some(5))
    );
    assert_eq!(typo["hint"], "did you mean `hostname`?");

    let run = machinist(
        &repo(),
        &["lint", "--format", "json", "tests/fixtures/basic"],
    );
    assert_eq!(run.code, 0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (v["ok"].as_bool(), v["nodes"].as_u64()),
        (Some(true), Some(2))
    );
    let kinds: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["severity"].as_str().unwrap(), f["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("warning", "deprecated"),
            ("warning", "deprecated"),
            ("warning", "warning"),
            ("warning", "warning")
        ]
    );

    let run = machinist(&repo(), &["lint", "--format", "json", "examples/homelab"]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["findings"], serde_json::json!([]));
    assert_eq!(v["contract"], "v1.12");

    // A project that does not render is a report too, with the render errors in it.
    let values = std::fs::read_to_string(common::fixture("basic").join("values.yaml"))
        .unwrap()
        .replace("  mtu: 1500", "  mtu: jumbo");
    let project = common::project_with("basic", &[("values.yaml", &values)]);
    let run = machinist(project.path(), &["lint", "--format", "json", "."]);
    assert_eq!(run.code, 1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["findings"][0]["kind"], "validation");
    assert_eq!(v["findings"][0]["node"], "wk-1");
    assert_eq!(v["findings"][0]["file"], "values.yaml");
}

#[test]
fn validate_a_project_directory_checks_every_rendered_node() {
    let run = machinist(&repo(), &["validate", "examples/homelab"]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert_eq!(
        run.stdout,
        "node cp-01: valid Talos v1.12 config\nnode cp-02: valid Talos v1.12 config\nnode cp-03: valid Talos v1.12 config\nnode worker-01: valid Talos v1.12 config\n"
    );
    // A value that renders but is not valid: every node is reported, with where the value came from.
    let basic = "tests/fixtures/basic";
    let run = machinist(&repo(), &["validate", basic, "--set", "network.mtu=abc"]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(
        run.stderr.contains(
            "`machine.network.interfaces[0].mtu`: expected integer, found string (value \"abc\")"
        ) && run
            .stderr
            .contains("the value was set by --set network.mtu=abc")
            && run
                .stderr
                .contains("error: 2 of 2 node(s) are not valid Talos v1.13 configs: cp-1, wk-1"),
        "{}",
        run.stderr
    );
    // One node, as one JSON report.
    let run = machinist(
        &repo(),
        &[
            "validate",
            basic,
            "--node",
            "wk-1",
            "--set",
            "network.mtu=abc",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 1, "{}", transcript(&run));
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (v["ok"].clone(), v["nodes"].clone(), v["invalid"].clone()),
        (false.into(), 1.into(), 1.into())
    );
    assert_eq!(v["findings"][0]["node"], "wk-1");
    // Flags that mean something else for files are usage errors with a project.
    for (args, says) in [
        (
            vec!["validate", basic, "--patch"],
            "--patch checks patch files",
        ),
        (
            vec!["validate", basic, "--talos-version", "v1.12"],
            "run `machinist migrate tests/fixtures/basic --to V`",
        ),
        (
            vec!["validate", basic, "examples/homelab"],
            "validate takes config files, or one project directory alone",
        ),
        (
            vec![
                "validate",
                "tests/fixtures/validate/bad-config.yaml",
                "--set",
                "a=b",
            ],
            "give its directory",
        ),
    ] {
        let run = machinist(&repo(), &args);
        assert_eq!(run.code, 64, "{args:?}: {}", transcript(&run));
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
}

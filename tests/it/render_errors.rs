//! Every error a user can hit while rendering, each pinned as the exact text machinist prints:
//! the file, line and column, the node, a snippet and a hint. Exit status 1 for all of them.

use crate::common;

use common::{machinist, project_with, transcript};

fn render_err(files: &[(&str, &str)]) -> String {
    let p = project_with("basic", files);
    let run = machinist(p.path(), &["render", "."]);
    assert_eq!(run.code, 1, "expected failure, got:\n{}", transcript(&run));
    assert!(run.stdout.is_empty(), "nothing on stdout on error");
    run.stderr
}

#[test]
fn undefined_value_names_template_line_and_closest_value() {
    let tpl = std::fs::read_to_string(common::fixture("basic/templates/config.yaml"))
        .unwrap()
        .replace("values.network.mtu", "values.network.mut");
    insta::assert_snapshot!(render_err(&[("templates/config.yaml", &tpl)]));
}

#[test]
fn undefined_top_level_value_lists_what_exists() {
    let tpl = "version: v1alpha1\nmachine:\n  type: {{ values.installDisk }}\n";
    insta::assert_snapshot!(render_err(&[("templates/config.yaml", tpl)]));
}

#[test]
fn yaml_syntax_error_in_a_layer() {
    insta::assert_snapshot!(render_err(&[(
        "layers/env/lab.yaml",
        "network:\n  nameservers: [10.5.0.1\nextraSANs: []\n"
    )]));
}

#[test]
fn yaml_syntax_error_in_chart_yaml() {
    insta::assert_snapshot!(render_err(&[(
        "Chart.yaml",
        "apiVersion: machinist/v1\nname: basic\n  layers: [env]\n"
    )]));
}

#[test]
fn duplicate_key_in_a_node_file() {
    insta::assert_snapshot!(render_err(&[(
        "nodes/wk-1.yaml",
        "address: 10.5.0.21\nfacets: { env: lab, role: worker }\naddress: 10.5.0.22\n"
    )]));
}

#[test]
fn unknown_chart_key_suggests_the_right_one() {
    let chart = std::fs::read_to_string(common::fixture("basic/Chart.yaml"))
        .unwrap()
        .replace("layers:", "layer:");
    insta::assert_snapshot!(render_err(&[("Chart.yaml", &chart)]));
}

#[test]
fn node_without_address() {
    insta::assert_snapshot!(render_err(&[(
        "nodes/wk-1.yaml",
        "facets: { env: lab, role: worker }\n"
    )]));
}

#[test]
fn template_syntax_error() {
    insta::assert_snapshot!(render_err(&[(
        "templates/controlplane.yaml",
        "name: {{ values.network.vip }\n"
    )]));
}

#[test]
fn include_outside_the_project_is_refused() {
    let stderr = render_err(&[(
        "templates/controlplane.yaml",
        "{% include \"../../../../etc/passwd\" %}\n",
    )]);
    assert!(!stderr.contains("root:"), "file content must never be read");
    insta::assert_snapshot!(stderr);
}

#[test]
fn rendered_output_that_is_not_yaml() {
    insta::assert_snapshot!(render_err(&[(
        "templates/controlplane.yaml",
        "apiVersion: v1alpha1\nkind: Layer2VIPConfig\nname: {{ values.network.vip }}\n  link: [eth0\n"
    )]));
}

#[test]
fn document_separator_glued_to_the_next_line() {
    // `{#-` after `---` eats the line break: the output reads `---apiVersion: ...`, which YAML
    // takes for a key, so the two documents would merge without this check.
    insta::assert_snapshot!(render_err(&[(
        "templates/controlplane.yaml",
        "apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: a\n---\n{#- the VIP #}\napiVersion: v1alpha1\nkind: Layer2VIPConfig\nname: {{ values.network.vip }}\nlink: eth0\n"
    )]));
}

#[test]
fn facet_value_without_layer_file() {
    insta::assert_snapshot!(render_err(&[(
        "nodes/wk-1.yaml",
        "address: 10.5.0.21\nfacets: { env: labb, role: worker }\n"
    )]));
}

#[test]
fn every_error_of_every_node_is_reported() {
    let stderr = render_err(&[
        (
            "nodes/wk-1.yaml",
            "address: 10.5.0.21\nfacets: { env: staging, role: worker }\n",
        ),
        (
            "nodes/wk-2.yaml",
            "address: 10.5.0.22\nfacets: { env: qa, role: worker }\n",
        ),
    ]);
    assert!(stderr.contains("node `wk-1`"), "{stderr}");
    assert!(stderr.contains("node `wk-2`"), "{stderr}");
    assert!(
        stderr.contains("rendering failed with 2 errors"),
        "{stderr}"
    );
}

#[test]
fn errors_in_several_templates_of_several_nodes_are_all_reported() {
    let stderr = render_err(&[
        (
            "templates/config.yaml",
            "version: v1alpha1\nmachine:\n  type: {{ values.nope }}\n",
        ),
        (
            "templates/controlplane.yaml",
            "kind: {{ fail('controlplane template refuses') }}\n",
        ),
    ]);
    // Both nodes miss `values.nope`, but they have different values nearby (wk-1's layer adds
    // `debugLevel`), so the two errors are not the same and both print. (Errors that are the
    // same on several nodes print once: see the snapshot of the first test.)
    assert_eq!(
        stderr.matches("`values.nope` is undefined").count(),
        2,
        "{stderr}"
    );
    assert!(stderr.contains("controlplane template refuses"), "{stderr}");
    assert!(
        stderr.contains("rendering failed with 3 errors"),
        "{stderr}"
    );
}

#[test]
fn alias_bomb_in_values_is_an_error() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..15 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let stderr = render_err(&[("values.yaml", &bomb)]);
    assert!(stderr.contains("values.yaml"), "{stderr}");
    assert!(stderr.contains("alias bomb"), "{stderr}");
}

#[test]
fn ten_thousand_deep_nesting_is_an_error() {
    let deep = format!("x: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let stderr = render_err(&[("layers/env/lab.yaml", &deep)]);
    assert!(stderr.contains("layers/env/lab.yaml"), "{stderr}");
    assert!(
        stderr.contains("nesting deeper than 200 levels"),
        "{stderr}"
    );
    assert!(
        stderr.len() < 2_000,
        "the snippet shows a window of the long line, not all of it"
    );
}

#[test]
fn template_that_never_ends_runs_out_of_fuel() {
    let tpl = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n";
    let stderr = render_err(&[("templates/controlplane.yaml", tpl)]);
    assert!(stderr.contains("fuel"), "{stderr}");
    assert!(stderr.contains("templates/controlplane.yaml"), "{stderr}");
}

#[test]
fn template_that_recurses_forever_hits_the_recursion_limit() {
    let tpl = "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}\n";
    let stderr = render_err(&[("templates/controlplane.yaml", tpl)]);
    assert!(stderr.contains("recursion"), "{stderr}");
}

#[test]
fn unknown_node_on_the_command_line() {
    let p = project_with("basic", &[]);
    let run = machinist(p.path(), &["render", ".", "--node", "cp-2"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn malformed_set_flag() {
    let p = project_with("basic", &[]);
    let run = machinist(p.path(), &["render", ".", "--set", "network.mtu"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn not_a_project() {
    let tmp = tempfile::tempdir().unwrap();
    let run = machinist(tmp.path(), &["render", "."]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn values_schema_violation_points_at_the_file_that_set_the_value() {
    let schema = r#"{
  "type": "object",
  "properties": {
    "network": {
      "type": "object",
      "properties": { "mtu": { "type": "integer", "maximum": 9000 } }
    }
  }
}"#;
    insta::assert_snapshot!(render_err(&[("values.schema.json", schema)]));
}

#[test]
fn undefined_value_in_an_included_partial_gets_its_own_spot() {
    let tpl = std::fs::read_to_string(common::fixture("basic/templates/config.yaml"))
        .unwrap()
        .replace(
            "        mtu: {{ values.network.mtu }}",
            "        {% include \"_mtu.j2\" %}",
        );
    insta::assert_snapshot!(render_err(&[
        ("templates/config.yaml", &tpl),
        ("templates/_mtu.j2", "mtu: {{ values.network.mut }}\n"),
    ]));
}

#[test]
fn missing_endif_points_at_the_opening_tag() {
    let tpl = std::fs::read_to_string(common::fixture("basic/templates/config.yaml"))
        .unwrap()
        .replacen("{% endif %}\n", "", 1);
    insta::assert_snapshot!(render_err(&[("templates/config.yaml", &tpl)]));
}

#[test]
fn misspelled_layer_key_names_the_layer_line_once() {
    let values = std::fs::read_to_string(common::fixture("basic/values.yaml"))
        .unwrap()
        .replace("  vip: 10.5.0.10\n", "  vip: 10.5.0.10\n  firstHost: 11\n");
    let lab = "network:\n  subnte: 10.6.0.0/24\n";
    let node = |role: &str| {
        format!(
            "address: '{{{{ cidrhost(values.network.subnet, values.network.firstHost + node.index) }}}}'\nfacets: {{ env: lab, role: {role} }}\n"
        )
    };
    insta::assert_snapshot!(render_err(&[
        ("values.yaml", &values),
        ("layers/env/lab.yaml", lab),
        ("nodes/cp-1.yaml", &node("controlplane")),
        ("nodes/wk-1.yaml", &node("worker")),
    ]));
}

#[test]
fn invalid_boolean_lists_true_and_false() {
    let run = machinist(
        &common::repo(),
        &["render", "charts/talos", "--set", "install.wipe=maybe"],
    );
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn bad_field_in_a_patch_names_the_patch_file_and_line() {
    let p = project_with(
        "basic",
        &[(
            "extra.yaml",
            "machine:\n  network:\n    hostname: x\n  nosuchfield: 1\n",
        )],
    );
    let run = machinist(p.path(), &["render", ".", "-p", "extra.yaml"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stderr);
}

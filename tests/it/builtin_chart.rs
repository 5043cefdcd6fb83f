//! The built-in chart (`charts/talos`, what `machinist init` writes) rendered for every supported
//! contract, secrets redacted: the configs a user gets before touching anything, pinned as
//! snapshots. Rendering needs no bundle and no key.

use crate::common;

use common::{machinist, repo, transcript};

fn render_contract(talos: &str, extra: &[&str]) -> String {
    let tmp = common::builtin_chart(talos);
    let dir = tmp.path().to_string_lossy().into_owned();
    let mut args = vec!["render", dir.as_str()];
    args.extend_from_slice(extra);
    let run = machinist(&repo(), &args);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert!(!run.stderr.contains("error"), "{}", run.stderr);
    run.stdout
}

#[test]
fn chart_v1_11() {
    insta::assert_snapshot!(render_contract("v1.11.6", &[]));
}

#[test]
fn chart_v1_12() {
    insta::assert_snapshot!(render_contract("v1.12.11", &[]));
}

#[test]
fn chart_v1_13() {
    insta::assert_snapshot!(render_contract("v1.13.9", &[]));
}

#[test]
fn chart_v1_14() {
    insta::assert_snapshot!(render_contract("v1.14.0", &[]));
}

#[test]
fn chart_v1_15_with_extra_labels_and_sans() {
    insta::assert_snapshot!(render_contract(
        "v1.15.0",
        &[
            "--set",
            "certSANs[0]=cp.example.com",
            "--set",
            "nodeLabels.zone=a"
        ]
    ));
}

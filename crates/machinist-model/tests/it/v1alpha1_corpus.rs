//! Every v1alpha1 document of the reference corpus (Talos's own test data and real community
//! configs and patches) deserializes into [`Config`] and reads back unchanged after being written;
//! Talos's generated configs also round-trip to the very same YAML value.

use crate::v1alpha1_support;

use std::path::Path;

use machinist_model::v1alpha1::Config;
use v1alpha1_support::{is_v1alpha1_document, parse_stream, strip_patch_directives, yaml_files};

/// Files that hold a v1alpha1-looking document which is not a Talos machine config or patch.
const NOT_MACHINE_CONFIGS: &[(&str, &str)] = &[
    (
        "pkg__machinery__config__generate__secrets__testdata__secrets.yaml",
        "a `talosctl gen secrets` bundle: its `cluster` key holds the cluster id and secret, \
         not a cluster config",
    ),
    (
        "pkg__machinery__config__configloader__internal__decoder__testdata__delete__delete.yaml",
        "decoder fixture for `$patch: delete` parsing only: it puts `hostname` directly under \
         `machine`, writes `machine.network` as a list and uses a `dhcp6` key, none of which \
         Talos's v1alpha1 types have",
    ),
    (
        "talos__patches__admission-control.yaml",
        "talhelper input: `$$patch` is talhelper's escape for `$patch`, not valid Talos YAML",
    ),
];

struct Outcome {
    checked: Vec<String>,
    failures: Vec<String>,
}

fn check_dir(dir: &Path) -> Outcome {
    let mut out = Outcome {
        checked: Vec::new(),
        failures: Vec::new(),
    };
    for path in yaml_files(dir) {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if NOT_MACHINE_CONFIGS.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(docs) = parse_stream(&text) else {
            // Template sources (talhelper, talm) are not YAML until rendered; they hold no
            // machine-config document to check.
            continue;
        };
        for (index, mut doc) in docs.into_iter().enumerate() {
            if !is_v1alpha1_document(&doc) {
                continue;
            }
            let label = format!("{} (document {})", path.display(), index + 1);
            strip_patch_directives(&mut doc);
            match serde_yaml_ng::from_value::<Config>(doc.clone()) {
                Ok(cfg) => {
                    // What the model writes, it reads back unchanged.
                    let written = serde_yaml_ng::to_value(&cfg).unwrap();
                    match serde_yaml_ng::from_value::<Config>(written) {
                        Ok(again) if again == cfg => {}
                        Ok(_) => out.failures.push(format!("{label}: changes when re-read")),
                        Err(err) => out.failures.push(format!("{label}: re-read fails: {err}")),
                    }
                    if name.contains("testdata__stability") {
                        let back = serde_yaml_ng::to_value(&cfg).unwrap();
                        if back != doc {
                            out.failures
                                .push(format!("{label}: does not round-trip unchanged"));
                        }
                    }
                    out.checked.push(label);
                }
                Err(err) => out.failures.push(format!("{label}: {err}")),
            }
        }
    }
    out
}

#[test]
fn talos_corpus_v1alpha1_documents_deserialize() {
    let Some(reference) = machinist_testkit::reference_or_skip() else {
        return;
    };
    let outcome = check_dir(&reference.join("corpus/talos"));
    assert!(
        outcome.failures.is_empty(),
        "v1alpha1 documents rejected:\n{}",
        outcome.failures.join("\n")
    );
    println!("{} v1alpha1 documents accepted", outcome.checked.len());
    // The generated configs of every contract in the corpus must be among them.
    for stem in [
        "stability__v1.13__base-controlplane",
        "stability__v1.13__overrides-worker",
        "stability__v1.15__base-controlplane",
        "stability__v1.15__base-worker",
        "stability__v1.15__overrides-controlplane",
        "stability__v1.15__overrides-worker",
        "stability__patch-pre14",
        "strategic__003__right",
        "patchdelete__strategic1",
        "patchdelete__strategic3",
        "airgapped-timesync",
        "decoder__testdata__controlplane",
    ] {
        assert!(
            outcome.checked.iter().any(|c| c.contains(stem)),
            "{stem} was not checked; checked: {:#?}",
            outcome.checked
        );
    }
    assert!(outcome.checked.len() >= 17, "{:#?}", outcome.checked);
}

#[test]
fn community_corpus_v1alpha1_documents_deserialize() {
    let Some(reference) = machinist_testkit::reference_or_skip() else {
        return;
    };
    let outcome = check_dir(&reference.join("corpus/community"));
    assert!(
        outcome.failures.is_empty(),
        "v1alpha1 documents rejected:\n{}",
        outcome.failures.join("\n")
    );
    println!("{} v1alpha1 documents accepted", outcome.checked.len());
    assert!(outcome.checked.len() >= 30, "{:#?}", outcome.checked);
}

#[test]
fn files_judged_invalid_are_rejected() {
    let Some(reference) = machinist_testkit::reference_or_skip() else {
        return;
    };
    for (name, reason) in NOT_MACHINE_CONFIGS {
        let path = yaml_files(&reference.join("corpus"))
            .into_iter()
            .find(|p| p.file_name().is_some_and(|n| n == *name))
            .unwrap_or_else(|| panic!("{name} is not in the corpus any more"));
        let docs = parse_stream(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let rejected = docs
            .into_iter()
            .filter(is_v1alpha1_document)
            .map(|mut doc| {
                strip_patch_directives(&mut doc);
                serde_yaml_ng::from_value::<Config>(doc).is_err()
            })
            .collect::<Vec<_>>();
        assert!(
            !rejected.is_empty() && rejected.iter().all(|r| *r),
            "{name} is listed as invalid ({reason}) but the model accepts it"
        );
    }
}

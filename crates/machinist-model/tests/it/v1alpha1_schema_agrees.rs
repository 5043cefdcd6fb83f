//! The JSON schema generated from the model agrees with the model's own decoding: every corpus
//! document the model reads is valid against the schema, and every document the model refuses
//! (unknown keys, wrong shapes) is invalid against it. This is what lets the validator use the
//! schema alone.

use crate::v1alpha1_support;

use machinist_model::v1alpha1::Config;
use serde_json::Value;
use v1alpha1_support::{
    UNKNOWN_KEYS, WRONG_SHAPES, is_v1alpha1_document, parse_stream, strip_patch_directives,
    yaml_files,
};

fn validator() -> jsonschema::Validator {
    let schema = serde_json::to_value(schemars::schema_for!(Config)).unwrap();
    jsonschema::validator_for(&schema).expect("the generated schema compiles")
}

fn to_json(yaml: &str) -> Value {
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(yaml).unwrap();
    serde_json::to_value(value).unwrap()
}

#[test]
fn documents_the_model_refuses_are_invalid_against_the_schema() {
    let validator = validator();
    for (yaml, what) in UNKNOWN_KEYS.iter().chain(WRONG_SHAPES) {
        assert!(
            serde_yaml_ng::from_str::<Config>(yaml).is_err(),
            "model accepts {yaml}"
        );
        assert!(
            !validator.is_valid(&to_json(yaml)),
            "schema accepts a document with {what}:\n{yaml}"
        );
    }
}

#[test]
fn shapes_the_model_reads_are_valid_against_the_schema() {
    let validator = validator();
    for yaml in [
        "debug: yes\npersist: true\nmachine:\n  type: worker\n",
        "machine:\n  sysctls:\n    net.ipv4.ip_forward: 1\n    a.b:\n",
        "machine:\n  files:\n    - path: /var/a\n      permissions: 0644\n      op: create\n",
        "machine:\n  files:\n    - permissions: 0o600\n",
        "machine:\n  install:\n    diskSelector:\n      size: '>= 1TB'\n",
        "machine:\n  time:\n    bootTimeout: 2m30s\n",
        "machine:\n  logging:\n    destinations:\n      - endpoint: udp://10.0.0.1:514\n        format: json_lines\n",
        "cluster:\n  apiServer:\n    extraArgs:\n      feature-gates: [A=true]\n      max-requests-inflight: 400\n",
        "cluster:\n  controlPlane:\n    endpoint: https://10.0.0.10:6443\n",
        "cluster:\n  acceptedCAs:\n    - crt: abc\n",
    ] {
        serde_yaml_ng::from_str::<Config>(yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"));
        let instance = to_json(yaml);
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{yaml}: {errors:#?}");
    }
}

#[test]
fn what_talos_refuses_on_validation_is_invalid_against_the_schema() {
    let validator = validator();
    for yaml in [
        "persist: false\n",
        "persist: 'no'\n",
        "machine:\n  logging:\n    destinations:\n      - endpoint: http://10.0.0.1:514\n",
        "cluster:\n  controlPlane:\n    endpoint: http://10.0.0.10:6443\n",
        "machine:\n  features:\n    nodeAddressSortAlgorithm: v3\n",
        "machine:\n  time:\n    bootTimeout: soon\n",
    ] {
        assert!(!validator.is_valid(&to_json(yaml)), "schema accepts {yaml}");
    }
}

#[test]
fn corpus_documents_are_valid_against_the_schema() {
    let Some(reference) = machinist_testkit::reference_or_skip() else {
        return;
    };
    let validator = validator();
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in yaml_files(&reference.join("corpus")) {
        let Ok(docs) = parse_stream(&std::fs::read_to_string(&path).unwrap()) else {
            continue;
        };
        for mut doc in docs.into_iter().filter(is_v1alpha1_document) {
            strip_patch_directives(&mut doc);
            // Only documents the model reads; the rest are listed with reasons in the corpus test.
            if serde_yaml_ng::from_value::<Config>(doc.clone()).is_err() {
                continue;
            }
            checked += 1;
            let instance = serde_json::to_value(&doc).unwrap();
            for e in validator.iter_errors(&instance) {
                failures.push(format!(
                    "{}: {} at {}",
                    path.display(),
                    e,
                    e.instance_path()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 50, "only {checked} documents checked");
}

//! Injection and redaction against Talos's own generated configs: strip every secret from a
//! `talosctl gen config` output, import the bundle from it, inject it back, and the result is the
//! original document for document, key for key, in the same order. Redaction leaves no secret.

use crate::common;

use machinist_model::Contract;
use machinist_secrets::inject::{Role, inject, inject_redacted, redact};
use machinist_secrets::{Bundle, import};
use serde::Deserialize;
use serde_yaml_ng::Value;

fn docs(text: &str) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|d| Value::deserialize(d).unwrap())
        .collect()
}

fn dump(docs: &[Value]) -> String {
    docs.iter()
        .map(|d| serde_yaml_ng::to_string(d).unwrap())
        .collect::<Vec<_>>()
        .join("---\n")
}

const SECRET_ONLY_DOCS: &[&str] = &[
    "DiscoveryIdentityConfig",
    "KubeAPIServerCAConfig",
    "KubeAggregatorCAConfig",
    "KubeEtcdEncryptionConfig",
];

fn remove(v: &mut Value, path: &[&str]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = v;
    for p in parents {
        match cur.get_mut(*p) {
            Some(c) => cur = c,
            None => return,
        }
    }
    if let Some(m) = cur.as_mapping_mut() {
        m.shift_remove(*last);
    }
}

fn prune_empty(v: &mut Value) {
    if let Some(m) = v.as_mapping_mut() {
        for (_, c) in m.iter_mut() {
            prune_empty(c);
        }
        // Remove maps that became empty by stripping (Talos never writes these keys empty).
        m.retain(|k, c| {
            !(c.as_mapping().is_some_and(|m| m.is_empty())
                && matches!(
                    k.as_str(),
                    Some("ca" | "etcd" | "aggregatorCA" | "serviceAccount" | "issuer")
                ))
        });
    }
}

/// Removes everything injection is responsible for.
fn strip(mut docs: Vec<Value>) -> Vec<Value> {
    docs.retain(|d| {
        !SECRET_ONLY_DOCS.contains(&machinist_secrets::inject::doc_kind(d).unwrap_or(""))
    });
    for d in &mut docs {
        for p in machinist_secrets::inject::SECRET_PATHS {
            if Some(p.kind) == machinist_secrets::inject::doc_kind(d) && !p.path.contains(&"*") {
                remove(d, p.path);
            }
        }
        prune_empty(d);
    }
    docs
}

fn roundtrip(contract: Contract, role: Role, golden: &str, bundle: &Bundle) {
    let original = docs(golden);
    let mut stripped = strip(original.clone());
    assert_ne!(
        dump(&stripped),
        dump(&original),
        "stripping removed something"
    );
    for s in bundle.secret_values() {
        assert!(
            !dump(&stripped).contains(&s),
            "stripped output still holds a secret"
        );
    }
    let mut redacted_view = stripped.clone();
    inject(contract, role, &mut stripped, bundle);
    let (want, got) = (dump(&original), dump(&stripped));
    if want != got {
        let diff: Vec<String> = want
            .lines()
            .zip(got.lines().chain(std::iter::repeat("<end>")))
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}: talos `{a}` machinist `{b}`", i + 1))
            .collect();
        panic!("injected output differs from Talos's:\n{}", diff.join("\n"));
    }

    // Without the bundle: the same shape with every secret shown as <redacted>, identical to
    // redacting Talos's own output.
    inject_redacted(contract, role, &mut redacted_view);
    let mut talos_redacted = original.clone();
    assert!(redact(&mut talos_redacted) > 0);
    assert_eq!(dump(&redacted_view), dump(&talos_redacted));
    for s in bundle.secret_values() {
        assert!(
            !dump(&talos_redacted).contains(&s),
            "redaction left a secret"
        );
    }
}

#[test]
fn v1_13_controlplane_matches_talos_key_for_key() {
    let Some(cp) = common::corpus_file("stability__v1.13__base-controlplane.yaml") else {
        return;
    };
    let bundle = import(&cp, "base-controlplane.yaml").unwrap();
    roundtrip(Contract::V1_13, Role::ControlPlane, &cp, &bundle);
}

#[test]
fn v1_15_controlplane_and_worker_match_talos_key_for_key() {
    let Some(cp) = common::corpus_file("stability__v1.15__base-controlplane.yaml") else {
        return;
    };
    let Some(worker) = common::corpus_file("stability__v1.15__base-worker.yaml") else {
        return;
    };
    let bundle = import(&cp, "base-controlplane.yaml").unwrap();
    roundtrip(Contract::V1_15, Role::ControlPlane, &cp, &bundle);
    roundtrip(Contract::V1_15, Role::Worker, &worker, &bundle);
}

#[test]
fn both_layouts_import_to_the_same_bundle() {
    let Some(v13) = common::corpus_file("stability__v1.13__base-controlplane.yaml") else {
        return;
    };
    let Some(v15) = common::corpus_file("stability__v1.15__base-controlplane.yaml") else {
        return;
    };
    let a = import(&v13, "v1.13").unwrap();
    let b = import(&v15, "v1.15").unwrap();
    assert_eq!(a, b, "the stability files share one test bundle");
    assert_eq!(a.trustd_token, "d8cwfa.eyvpi0xwxyarbfid");
    assert_eq!(a.secrets.bootstrap_token, "inn7ol.u4ehnti8qyls9ymo");
    assert!(
        a.certs
            .os
            .key
            .starts_with("-----BEGIN ED25519 PRIVATE KEY-----")
    );
    // The imported bundle round-trips through secrets.yaml.
    assert_eq!(Bundle::from_yaml(&a.to_yaml(), "x").unwrap(), a);
}

#[test]
fn importing_a_worker_config_is_refused_with_the_reason() {
    let Some(w) = common::corpus_file("stability__v1.15__base-worker.yaml") else {
        return;
    };
    let err = import(&w, "worker.yaml").unwrap_err().to_string();
    assert!(
        err.contains("worker.yaml") && err.contains("controlplane"),
        "{err}"
    );
}

#[test]
fn injection_into_a_generated_bundle_puts_no_key_on_workers() {
    let Some(cp) = common::corpus_file("stability__v1.13__base-controlplane.yaml") else {
        return;
    };
    let bundle = import(&cp, "cp").unwrap();
    let mut docs =
        docs("version: v1alpha1\nmachine:\n    type: worker\ncluster:\n    clusterName: x\n");
    inject(Contract::V1_13, Role::Worker, &mut docs, &bundle);
    let out = dump(&docs);
    for key in [
        &bundle.certs.os.key,
        &bundle.certs.k8s.key,
        &bundle.certs.etcd.key,
        &bundle.certs.k8s_aggregator.key,
        &bundle.certs.k8s_service_account.key,
    ] {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(key.as_bytes());
        assert!(!out.contains(&b64), "a worker received a CA key");
    }
    let m = &docs[0];
    assert_eq!(m["machine"]["ca"]["key"], Value::from(""));
    assert_eq!(m["cluster"]["ca"]["key"], Value::from(""));
    assert!(m["cluster"].get("etcd").is_none());
    assert!(m["cluster"].get("secretboxEncryptionSecret").is_none());
    // Keys land in Talos's order even when the template wrote only some of the section.
    let keys: Vec<&str> = m["cluster"]
        .as_mapping()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(keys, ["id", "secret", "clusterName", "token", "ca"]);
}

#[test]
fn secret_path_lookup_serves_the_diff() {
    use machinist_secrets::inject::is_secret_path;
    let p = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert!(is_secret_path(
        "v1alpha1",
        &p(&["cluster", "ca", "key"]),
        true
    ));
    assert!(!is_secret_path(
        "v1alpha1",
        &p(&["cluster", "ca", "crt"]),
        true
    ));
    assert!(is_secret_path(
        "v1alpha1",
        &p(&["cluster", "ca", "crt"]),
        false
    ));
    assert!(is_secret_path(
        "KubeEtcdEncryptionConfig",
        &p(&[
            "config",
            "resources",
            "0",
            "providers",
            "0",
            "secretbox",
            "keys",
            "0",
            "secret"
        ]),
        true
    ));
    assert!(!is_secret_path(
        "v1alpha1",
        &p(&["cluster", "clusterName"]),
        false
    ));
}

#[test]
fn one_list_decides_what_every_view_redacts() {
    use machinist_secrets::inject::{holds_redacted_path, is_redacted_path};
    let v1 = Some("v1alpha1");
    assert!(is_redacted_path(v1, &["machine", "token"], false));
    assert!(is_redacted_path(
        v1,
        &["cluster", "secretboxEncryptionSecret"],
        false
    ));
    assert!(is_redacted_path(v1, &["cluster", "id"], false));
    assert!(
        !is_redacted_path(v1, &["cluster", "ca", "crt"], false),
        "certificates show"
    );
    assert!(!is_redacted_path(v1, &["machine", "type"], false));
    assert!(is_redacted_path(
        v1,
        &[
            "machine",
            "network",
            "interfaces",
            "0",
            "wireguard",
            "privateKey"
        ],
        false
    ));
    assert!(is_redacted_path(
        Some("DiscoveryIdentityConfig"),
        &["clusterSecret"],
        false
    ));
    assert!(is_redacted_path(
        Some("DiscoveryIdentityConfig"),
        &["clusterID"],
        false
    ));
    assert!(!is_redacted_path(
        Some("DiscoveryIdentityConfig"),
        &["token"],
        false
    ));
    // Unknown kind: any document's secret field counts.
    assert!(is_redacted_path(None, &["privateKey"], false));
    // A cut-off path (a diff hunk): the end is enough.
    assert!(is_redacted_path(None, &["token"], true));
    assert!(is_redacted_path(None, &["ca", "key"], true));
    assert!(!is_redacted_path(None, &["ca", "crt"], true));
    assert!(
        !is_redacted_path(None, &["token"], false),
        "no top-level token field"
    );
    assert!(holds_redacted_path(v1, &["machine", "ca"]));
    assert!(!holds_redacted_path(
        v1,
        &["machine", "network", "hostname"]
    ));
}

#[test]
fn configs_with_overrides_round_trip_too() {
    let Some(cp) = common::corpus_file("stability__v1.15__overrides-controlplane.yaml") else {
        return;
    };
    let Some(w15) = common::corpus_file("stability__v1.15__overrides-worker.yaml") else {
        return;
    };
    let Some(w13) = common::corpus_file("stability__v1.13__overrides-worker.yaml") else {
        return;
    };
    let bundle = import(&cp, "overrides-controlplane.yaml").unwrap();
    roundtrip(Contract::V1_15, Role::ControlPlane, &cp, &bundle);
    roundtrip(Contract::V1_15, Role::Worker, &w15, &bundle);
    roundtrip(Contract::V1_13, Role::Worker, &w13, &bundle);
}

#[test]
fn a_created_service_account_document_gets_the_cluster_endpoint_as_issuer() {
    // Talos refuses a KubeServiceAccountConfig without `issuer.issuerURL`; the v1alpha1 layout
    // used the cluster endpoint, so a document machinist creates carries that.
    let mut d = docs(
        "apiVersion: v1alpha1\nkind: KubeClusterConfig\nclusterName: lab\nendpoint: https://10.0.0.10:6443\n",
    );
    inject_redacted(Contract::V1_15, Role::ControlPlane, &mut d);
    let sa = d
        .iter()
        .find(|x| x.get("kind").and_then(Value::as_str) == Some("KubeServiceAccountConfig"))
        .expect("a KubeServiceAccountConfig is added");
    assert_eq!(
        sa["issuer"]["issuerURL"].as_str(),
        Some("https://10.0.0.10:6443")
    );
    // An issuer the templates chose stays.
    let mut d = docs(
        "apiVersion: v1alpha1\nkind: KubeClusterConfig\nclusterName: lab\nendpoint: https://10.0.0.10:6443\n---\napiVersion: v1alpha1\nkind: KubeServiceAccountConfig\nissuer:\n  issuerURL: https://issuer.example:6443\n",
    );
    inject_redacted(Contract::V1_15, Role::ControlPlane, &mut d);
    let sa = d
        .iter()
        .find(|x| x.get("kind").and_then(Value::as_str) == Some("KubeServiceAccountConfig"))
        .unwrap();
    assert_eq!(
        sa["issuer"]["issuerURL"].as_str(),
        Some("https://issuer.example:6443")
    );
}

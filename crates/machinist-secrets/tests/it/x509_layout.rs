//! The CA certificates `x509.rs` writes have the layout of the ones Talos generates: the same
//! version, signature algorithm, subject, serial size, lifetime and extensions (OID, criticality and
//! order, key usage bits, basic constraints), compared field by field against the bundle Talos
//! generated for its own test data (read from ../shared/reference/corpus; keys, serials and dates
//! differ by nature and are not compared).

use crate::common;

use machinist_model::Contract;
use machinist_secrets::{Bundle, pem};
use x509_parser::prelude::*;

/// Everything about a certificate's layout that does not depend on the key, serial or date.
#[derive(Debug, PartialEq)]
struct Layout {
    version: u32,
    signature: String,
    subject: String,
    self_issued: bool,
    serial_up_to_128_bits: bool,
    lifetime_hours: i64,
    extensions: Vec<(String, bool)>,
    key_usage: Option<u16>,
    basic_constraints: Option<(bool, Option<u32>)>,
    ext_key_usage: Option<(bool, bool)>,
}

fn layout(cert_pem: &str) -> Layout {
    let der = pem::cert_der(cert_pem).unwrap();
    let (_, c) = X509Certificate::from_der(&der).unwrap();
    let lifetime = c.validity().not_after.timestamp() - c.validity().not_before.timestamp();
    Layout {
        version: c.version().0,
        signature: c.signature_algorithm.algorithm.to_id_string(),
        subject: c.subject().to_string(),
        self_issued: c.subject() == c.issuer(),
        // Go draws a random serial below 2^128; its top bits may be zero.
        serial_up_to_128_bits: (65..=128).contains(&c.serial.bits()),
        lifetime_hours: lifetime / 3600,
        extensions: c
            .extensions()
            .iter()
            .map(|e| (e.oid.to_id_string(), e.critical))
            .collect(),
        key_usage: c.key_usage().unwrap().map(|k| k.value.flags),
        basic_constraints: c
            .basic_constraints()
            .unwrap()
            .map(|b| (b.value.ca, b.value.path_len_constraint)),
        ext_key_usage: c
            .extended_key_usage()
            .unwrap()
            .map(|e| (e.value.server_auth, e.value.client_auth)),
    }
}

#[test]
fn generated_cas_have_the_layout_of_talos_generated_cas() {
    let Some(talos_text) = common::corpus_file("generate__secrets__testdata__secrets.yaml") else {
        return;
    };
    let talos = Bundle::from_yaml(&talos_text, "corpus secrets.yaml").unwrap();
    let ours = Bundle::generate(Contract::V1_13).unwrap();
    for (name, theirs, mine) in [
        ("os", &talos.certs.os.crt, &ours.certs.os.crt),
        ("etcd", &talos.certs.etcd.crt, &ours.certs.etcd.crt),
        ("k8s", &talos.certs.k8s.crt, &ours.certs.k8s.crt),
        (
            "k8saggregator",
            &talos.certs.k8s_aggregator.crt,
            &ours.certs.k8s_aggregator.crt,
        ),
    ] {
        let want = layout(theirs);
        assert!(want.extensions.len() >= 3, "certs.{name}: {want:?}");
        assert_eq!(layout(mine), want, "certs.{name}");
    }
}

//! A generated bundle, its talosconfig client certificate and an issued server certificate,
//! re-read with independent parsers (x509-parser and the openssl CLI): algorithms, subjects,
//! lifetimes, usages, key encodings and the CA chain are what Talos makes.

use crate::common;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use machinist_model::Contract;
use machinist_secrets::pem;
use machinist_secrets::{Bundle, Talosconfig};
use x509_parser::prelude::*;

/// One bundle shared by the tests of this file (RSA-4096 generation takes seconds).
fn bundle() -> &'static Bundle {
    static B: std::sync::OnceLock<Bundle> = std::sync::OnceLock::new();
    B.get_or_init(|| Bundle::generate(Contract::V1_13).unwrap())
}

const OID_ED25519: &str = "1.3.101.112";
const OID_ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";

fn parse(pem_text: &str) -> Vec<u8> {
    pem::cert_der(pem_text).unwrap()
}

fn orgs(name: &X509Name<'_>) -> Vec<String> {
    name.iter_organization()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

fn check_ca(pem_text: &str, sig_oid: &str, org: Option<&str>) -> (i64, Vec<u8>) {
    let der = parse(pem_text);
    let (_, c) = X509Certificate::from_der(&der).unwrap();
    assert_eq!(c.signature_algorithm.algorithm.to_id_string(), sig_oid);
    assert_eq!(
        orgs(c.subject()),
        org.map(|o| vec![o.to_string()]).unwrap_or_default()
    );
    assert_eq!(c.subject().iter_common_name().count(), 0, "CAs carry no CN");
    assert_eq!(c.subject().as_raw(), c.issuer().as_raw(), "self-signed");
    let life = c.validity().not_after.timestamp() - c.validity().not_before.timestamp();
    assert_eq!(life, 87_600 * 3600, "ten years");
    let bc = c.basic_constraints().unwrap().unwrap();
    assert!(bc.critical && bc.value.ca && bc.value.path_len_constraint.is_none());
    let ku = c.key_usage().unwrap().unwrap();
    assert!(ku.critical);
    assert!(ku.value.digital_signature() && ku.value.key_cert_sign());
    assert_eq!(
        ku.value.flags, 0b100001,
        "exactly DigitalSignature|CertSign"
    );
    let eku = c.extended_key_usage().unwrap().unwrap().value;
    assert!(eku.server_auth && eku.client_auth && eku.other.is_empty());
    let skid = c
        .extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
            _ => None,
        })
        .expect("CA has a subject key id");
    assert_eq!(skid.len(), 20);
    assert!(c.raw_serial().len() <= 17, "serial below 2^128");
    (c.validity().not_before.timestamp(), skid)
}

#[test]
fn generated_bundle_matches_talos_algorithms_subjects_lifetimes_and_usages() {
    let b = bundle();
    let (t_os, _) = check_ca(&b.certs.os.crt, OID_ED25519, Some("talos"));
    let (t_etcd, _) = check_ca(&b.certs.etcd.crt, OID_ECDSA_SHA256, Some("etcd"));
    let (t_k8s, _) = check_ca(&b.certs.k8s.crt, OID_ECDSA_SHA256, Some("kubernetes"));
    let (t_agg, _) = check_ca(&b.certs.k8s_aggregator.crt, OID_ECDSA_SHA256, None);
    assert!(
        t_os == t_etcd && t_etcd == t_k8s && t_k8s == t_agg,
        "one NotBefore"
    );

    // Key encodings and labels as Talos writes them.
    let os_key = pem::decode_one(&b.certs.os.key).unwrap();
    assert_eq!(os_key.label, "ED25519 PRIVATE KEY");
    assert_eq!(os_key.der.len(), 48, "PKCS#8 v1 without public key");
    for k in [
        &b.certs.etcd.key,
        &b.certs.k8s.key,
        &b.certs.k8s_aggregator.key,
    ] {
        let block = pem::decode_one(k).unwrap();
        assert_eq!(block.label, "EC PRIVATE KEY");
        assert_eq!(
            block.der.len(),
            121,
            "SEC1 with curve and public key, like Go"
        );
    }
    assert_eq!(
        pem::decode_one(&b.certs.k8s_service_account.key)
            .unwrap()
            .label,
        "RSA PRIVATE KEY"
    );

    // Token and secret formats.
    assert!(machinist_secrets::bundle::is_token(
        &b.secrets.bootstrap_token
    ));
    assert!(machinist_secrets::bundle::is_token(&b.trustd_token));
    assert_ne!(b.secrets.bootstrap_token, b.trustd_token);
    let sb = b.secrets.secretbox_encryption_secret.as_deref().unwrap();
    assert_eq!(sb.len(), 44);
    assert_eq!(STANDARD.decode(sb).unwrap().len(), 32);
    assert!(b.secrets.aescbc_encryption_secret.is_none());
    assert_eq!(URL_SAFE.decode(&b.cluster.id).unwrap().len(), 32);
    assert_eq!(STANDARD.decode(&b.cluster.secret).unwrap().len(), 32);

    // Keys match their certificates and parse with openssl.
    let dir = tempfile::tempdir().unwrap();
    for (name, ck) in [
        ("etcd", &b.certs.etcd),
        ("k8s", &b.certs.k8s),
        ("agg", &b.certs.k8s_aggregator),
        ("os", &b.certs.os),
    ] {
        let crt = common::write(dir.path(), &format!("{name}.crt"), &ck.crt);
        let key = common::write(
            dir.path(),
            &format!("{name}.key"),
            &pem::key_to_pkcs8_pem(&ck.key).unwrap(),
        );
        let text = common::openssl(&["x509", "-in", &crt, "-text", "-noout"]);
        assert!(text.contains("CA:TRUE"), "{text}");
        common::openssl(&["verify", "-CAfile", &crt, &crt]);
        let from_cert = common::openssl(&["x509", "-in", &crt, "-pubkey", "-noout"]);
        let from_key = common::openssl(&["pkey", "-in", &key, "-pubout"]);
        assert_eq!(from_cert, from_key, "{name}: key matches certificate");
    }
    let ec = common::write(dir.path(), "sec1.key", &b.certs.k8s.key);
    let text = common::openssl(&["ec", "-in", &ec, "-text", "-noout"]);
    assert!(text.contains("prime256v1"), "{text}");
    let sa = common::write(dir.path(), "sa.key", &b.certs.k8s_service_account.key);
    let text = common::openssl(&["rsa", "-in", &sa, "-check", "-noout", "-text"]);
    assert!(text.contains("Private-Key: (4096 bit"), "{text}");
    assert!(text.contains("RSA key ok"), "{text}");
}

#[test]
fn contract_selects_cluster_id_alphabet() {
    let b = Bundle::generate(Contract::V1_15).unwrap();
    // v1.14+ uses the standard alphabet; decode proves 32 bytes either way.
    assert_eq!(STANDARD.decode(&b.cluster.id).unwrap().len(), 32);
    assert!(!b.cluster.id.contains('-') && !b.cluster.id.contains('_'));
}

#[test]
fn secrets_yaml_round_trips_and_uses_talosctl_layout() {
    let b = bundle();
    let text = b.to_yaml();
    let keys: Vec<&str> = text.lines().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "cluster",
            "    id",
            "    secret",
            "secrets",
            "    bootstraptoken",
            "    secretboxencryptionsecret",
            "trustdinfo",
            "    token",
            "certs",
            "    etcd",
            "        crt",
            "        key",
            "    k8s",
            "        crt",
            "        key",
            "    k8saggregator",
            "        crt",
            "        key",
            "    k8sserviceaccount",
            "        key",
            "    os",
            "        crt",
            "        key",
        ]
    );
    assert_eq!(&Bundle::from_yaml(&text, "test").unwrap(), b);
}

#[test]
fn talos_sample_secrets_yaml_loads_and_rewrites_byte_for_byte() {
    let Some(text) = common::corpus_file("generate__secrets__testdata__secrets.yaml") else {
        return;
    };
    let b = Bundle::from_yaml(&text, "secrets.yaml").unwrap();
    assert_eq!(b.to_yaml(), text);
    // Its OS CA loads (Ed25519 label quirk handled) and can issue.
    let ca = b.os_ca().unwrap();
    ca.issue_client(&["os:reader".to_string()]).unwrap();
}

#[test]
fn talosconfig_client_certificate_is_ed25519_client_auth_one_year_signed_by_os_ca() {
    let b = bundle();
    let tc = Talosconfig::generate(
        "homelab",
        b,
        &["os:reader".into(), "os:admin".into()],
        &["192.168.1.11".into()],
        &[],
    )
    .unwrap();
    let ctx = tc.current().unwrap();
    assert_eq!(ctx.ca.as_deref(), Some(b.certs.os.crt.as_str()));
    let der = parse(ctx.crt.as_deref().unwrap());
    let (_, c) = X509Certificate::from_der(&der).unwrap();
    assert_eq!(c.signature_algorithm.algorithm.to_id_string(), OID_ED25519);
    assert_eq!(
        c.public_key().algorithm.algorithm.to_id_string(),
        OID_ED25519
    );
    assert_eq!(orgs(c.subject()), ["os:admin", "os:reader"], "roles sorted");
    assert_eq!(c.subject().iter_common_name().count(), 0);
    assert_eq!(orgs(c.issuer()), ["talos"]);
    let life = c.validity().not_after.timestamp() - c.validity().not_before.timestamp();
    assert_eq!(life, 8_760 * 3600);
    let eku = c.extended_key_usage().unwrap().unwrap().value;
    assert!(eku.client_auth && !eku.server_auth && eku.other.is_empty() && !eku.any);
    assert!(
        c.basic_constraints().unwrap().is_none(),
        "no basic constraints on leaves"
    );
    let ku = c.key_usage().unwrap().unwrap();
    assert!(ku.critical && ku.value.flags == 1, "DigitalSignature only");
    let os_der = parse(&b.certs.os.crt);
    let (_, os) = X509Certificate::from_der(&os_der).unwrap();
    let aki = c
        .extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                a.key_identifier.as_ref().map(|k| k.0.to_vec())
            }
            _ => None,
        })
        .unwrap();
    let skid = os
        .extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
            _ => None,
        })
        .unwrap();
    assert_eq!(aki, skid);
    let key = pem::decode_one(ctx.key.as_deref().unwrap()).unwrap();
    assert_eq!(key.label, "ED25519 PRIVATE KEY");

    let dir = tempfile::tempdir().unwrap();
    let ca = common::write(dir.path(), "ca.crt", &b.certs.os.crt);
    let crt = common::write(dir.path(), "client.crt", ctx.crt.as_deref().unwrap());
    common::openssl(&["x509", "-in", &crt, "-text", "-noout"]);
    common::openssl(&["verify", "-CAfile", &ca, "-purpose", "sslclient", &crt]);

    // The file round-trips, is 0600, and has talosctl's layout.
    let path = dir.path().join("talosconfig");
    tc.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("context: homelab\ncontexts:\n    homelab:\n        endpoints:\n            - 192.168.1.11\n        ca: "), "{text}");
    assert!(!text.contains("nodes:"), "empty nodes are omitted");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let loaded = Talosconfig::load(&path).unwrap();
    assert_eq!(loaded, tc);
    let pkcs8 = loaded.current().unwrap().key_pkcs8_pem().unwrap().unwrap();
    assert!(pkcs8.starts_with("-----BEGIN PRIVATE KEY-----"));
}

#[test]
fn server_certificates_carry_ip_and_dns_sans_and_chain_to_the_os_ca() {
    let b = bundle();
    let ca = b.os_ca().unwrap();
    let ips = ["127.0.1.11".parse().unwrap(), "::1".parse().unwrap()];
    let cert = ca
        .issue_server(
            "cp-01",
            &["cp-01".into()],
            &ips,
            machinist_secrets::x509::SERVER_VALIDITY,
        )
        .unwrap();
    let der = parse(&cert.cert_pem);
    let (_, c) = X509Certificate::from_der(&der).unwrap();
    assert_eq!(
        c.subject()
            .iter_common_name()
            .next()
            .unwrap()
            .as_str()
            .unwrap(),
        "cp-01"
    );
    let eku = c.extended_key_usage().unwrap().unwrap().value;
    assert!(eku.server_auth && !eku.client_auth);
    let san = c.subject_alternative_name().unwrap().unwrap().value;
    let names: Vec<String> = san.general_names.iter().map(|g| g.to_string()).collect();
    assert!(names.contains(&"DNSName(cp-01)".to_string()), "{names:?}");
    assert!(
        names.contains(&"IPAddress(7f:00:01:0b)".to_string()),
        "{names:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    let caf = common::write(dir.path(), "ca.crt", &b.certs.os.crt);
    let crt = common::write(dir.path(), "server.crt", &cert.cert_pem);
    let text = common::openssl(&["x509", "-in", &crt, "-text", "-noout"]);
    assert!(text.contains("IP Address:127.0.1.11"), "{text}");
    common::openssl(&["verify", "-CAfile", &caf, "-purpose", "sslserver", &crt]);
    // The key is usable by rustls after relabeling.
    assert!(
        pem::key_to_pkcs8_pem(&cert.key_pem)
            .unwrap()
            .contains("BEGIN PRIVATE KEY")
    );
}

#[test]
fn a_key_that_does_not_match_its_certificate_is_rejected() {
    let a = bundle();
    let mut b = a.clone();
    b.certs.k8s.key = a.certs.etcd.key.clone();
    let err = b.validate("secrets.yaml").unwrap_err().to_string();
    assert!(err.contains("certs.k8s.key"), "{err}");
    assert!(err.contains("does not match"), "{err}");
}

#[test]
fn malformed_files_are_reported_without_quoting_their_values() {
    let secret = "SuperSecretValue0123456789";
    let err = Bundle::from_yaml(&format!("certs:\n    os: {secret}\n"), "secrets.yaml")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("secrets.yaml: "), "{err}");
    assert!(!err.contains(secret), "{err}");
    let err = Talosconfig::from_yaml(
        &format!("context: a\ncontexts:\n    a:\n        key: [{secret}]\n"),
        "talosconfig",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("contexts.a"), "{err}");
    assert!(!err.contains(secret), "{err}");
}

//! X.509 certificates the way Talos (Go's `crypto/x509` via siderolabs/crypto) makes them. In: key
//! pairs, a subject, usages and a validity window. Out: DER certificates with Go's layout — subject
//! `O=` values in one multi-valued RDN, extensions in Go's order (key usage, extended key usage,
//! basic constraints, subject key id, authority key id, alternative names), random 128-bit serials
//! and random 20-byte subject key ids on CAs — and the [`CertificateAuthority`] that issues leaves.

use std::net::IpAddr;

use rand::RngCore;
use rand::rngs::OsRng;
use rcgen::{KeyPair, PublicKeyData, SigningKey};
use time::{Duration, OffsetDateTime};
use yasna::models::{GeneralizedTime, ObjectIdentifier, UTCTime};
use yasna::{DERWriter, Tag};

use crate::error::{Result, SecretsError};
use crate::pem::{self, KeyKind};

const OID_ED25519: &[u64] = &[1, 3, 101, 112];
const OID_ECDSA_SHA256: &[u64] = &[1, 2, 840, 10045, 4, 3, 2];
const OID_ORGANIZATION: &[u64] = &[2, 5, 4, 10];
const OID_COMMON_NAME: &[u64] = &[2, 5, 4, 3];
const OID_KEY_USAGE: &[u64] = &[2, 5, 29, 15];
const OID_EXT_KEY_USAGE: &[u64] = &[2, 5, 29, 37];
const OID_BASIC_CONSTRAINTS: &[u64] = &[2, 5, 29, 19];
const OID_SUBJECT_KEY_ID: &[u64] = &[2, 5, 29, 14];
const OID_AUTHORITY_KEY_ID: &[u64] = &[2, 5, 29, 35];
const OID_SUBJECT_ALT_NAME: &[u64] = &[2, 5, 29, 17];
const OID_SERVER_AUTH: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 1];
const OID_CLIENT_AUTH: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 2];

/// Validity of Talos CAs: 87600 hours (10 years).
pub const CA_VALIDITY: Duration = Duration::hours(87_600);
/// Validity of talosconfig client certificates: 8760 hours (one year).
pub const CLIENT_VALIDITY: Duration = Duration::hours(8_760);
/// Validity Talos gives apid server certificates: 24 hours.
pub const SERVER_VALIDITY: Duration = Duration::hours(24);

/// An extended key usage Talos sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtKeyUsage {
    /// TLS server authentication.
    ServerAuth,
    /// TLS client authentication.
    ClientAuth,
}

/// What goes into one certificate, apart from the keys.
#[derive(Debug, Clone, Default)]
pub struct CertSpec {
    /// Subject organizations (`O=`), written as one multi-valued RDN like Go does.
    pub organizations: Vec<String>,
    /// Subject common name, written after the organizations.
    pub common_name: Option<String>,
    /// Start of validity (whole seconds).
    pub not_before: Option<OffsetDateTime>,
    /// End of validity.
    pub not_after: Option<OffsetDateTime>,
    /// A CA certificate: basic constraints `CA:TRUE`, key usage CertSign|DigitalSignature, and a
    /// random subject key id.
    pub is_ca: bool,
    /// Extended key usages, in order.
    pub ext_key_usage: Vec<ExtKeyUsage>,
    /// DNS subject alternative names.
    pub dns_names: Vec<String>,
    /// IP subject alternative names.
    pub ip_addresses: Vec<IpAddr>,
}

/// The current time truncated to whole seconds, as certificates store it.
pub fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(0).unwrap_or(t)
}

/// Random bytes from the operating system.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    OsRng.fill_bytes(&mut out);
    out
}

/// A fresh key pair of `kind` (Ed25519 or P-256; RSA keys are never used to sign certificates here)
/// with its PEM in Talos's encoding.
pub fn generate_key(kind: KeyKind) -> Result<(KeyPair, String)> {
    match kind {
        KeyKind::Ed25519 => {
            let seed = random_bytes::<32>();
            let der = pem::ed25519_pkcs8_from_seed(&seed);
            let kp = KeyPair::try_from(der.as_slice())
                .map_err(|e| SecretsError::generate("Ed25519 key", e))?;
            Ok((kp, pem::ed25519_key_pem(&seed)))
        }
        KeyKind::EcdsaP256 => {
            use p256::pkcs8::EncodePrivateKey;
            let key = loop {
                if let Ok(k) = p256::SecretKey::from_slice(&random_bytes::<32>()) {
                    break k;
                }
            };
            let pkcs8 = key
                .to_pkcs8_der()
                .map_err(|e| SecretsError::generate("P-256 key", e))?;
            let kp = KeyPair::try_from(pkcs8.as_bytes())
                .map_err(|e| SecretsError::generate("P-256 key", e))?;
            let pem = pem::ec_key_pem(&key).map_err(|e| SecretsError::generate("P-256 key", e))?;
            Ok((kp, pem))
        }
        KeyKind::Rsa => Err(SecretsError::generate(
            "signing key",
            "RSA signing keys are not used by Talos CAs",
        )),
    }
}

/// Loads a key PEM in any label Talos uses into a signing key pair.
pub fn load_key(field: &str, key_pem: &str) -> Result<(KeyKind, KeyPair)> {
    let (kind, der) = pem::key_to_pkcs8(key_pem).map_err(|e| SecretsError::pem(field, e))?;
    if kind == KeyKind::Rsa {
        return Err(SecretsError::cert(
            field,
            "RSA CA keys are not supported (Talos CAs are Ed25519 or ECDSA P-256)",
        ));
    }
    let kp =
        KeyPair::try_from(der.as_slice()).map_err(|e| SecretsError::cert(field, e.to_string()))?;
    Ok((kind, kp))
}

fn kind_of(kp: &KeyPair) -> KeyKind {
    if kp.is_compatible(&rcgen::PKCS_ED25519) {
        KeyKind::Ed25519
    } else {
        KeyKind::EcdsaP256
    }
}

fn write_oid(w: DERWriter, oid: &[u64]) {
    w.write_oid(&ObjectIdentifier::from_slice(oid));
}

fn write_alg(w: DERWriter, kind: KeyKind) {
    w.write_sequence(|s| match kind {
        KeyKind::Ed25519 => write_oid(s.next(), OID_ED25519),
        _ => write_oid(s.next(), OID_ECDSA_SHA256),
    });
}

fn is_printable(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || " '()+,-./:=?".contains(c))
}

fn write_string(w: DERWriter, s: &str) {
    if is_printable(s) {
        w.write_printable_string(s);
    } else {
        w.write_utf8_string(s);
    }
}

/// DER of a subject name: one RDN holding every organization, then one holding the common name.
fn name_der(organizations: &[String], common_name: Option<&str>) -> Vec<u8> {
    yasna::construct_der(|w| {
        w.write_sequence(|seq| {
            let orgs: Vec<&String> = organizations.iter().filter(|o| !o.is_empty()).collect();
            if !orgs.is_empty() {
                seq.next().write_set(|set| {
                    for o in &orgs {
                        set.next().write_sequence(|atv| {
                            write_oid(atv.next(), OID_ORGANIZATION);
                            write_string(atv.next(), o);
                        });
                    }
                });
            }
            if let Some(cn) = common_name.filter(|c| !c.is_empty()) {
                seq.next().write_set(|set| {
                    set.next().write_sequence(|atv| {
                        write_oid(atv.next(), OID_COMMON_NAME);
                        write_string(atv.next(), cn);
                    });
                });
            }
        });
    })
}

fn write_time(w: DERWriter, t: OffsetDateTime) {
    if t.year() < 2050 {
        w.write_utctime(&UTCTime::from_datetime(t));
    } else {
        w.write_generalized_time(&GeneralizedTime::from_datetime(t));
    }
}

fn write_ext(w: DERWriter, oid: &[u64], critical: bool, value: Vec<u8>) {
    w.write_sequence(|s| {
        write_oid(s.next(), oid);
        if critical {
            s.next().write_bool(true);
        }
        s.next().write_bytes(&value);
    });
}

/// The signer of a certificate: its key and, for leaves, the issuing CA's name and key id.
struct Signer<'a> {
    key: &'a KeyPair,
    name_der: &'a [u8],
    key_id: Option<&'a [u8]>,
}

/// Builds and signs one certificate for `subject_key`.
fn build(spec: &CertSpec, subject_key: &dyn PublicKeyData, signer: &Signer<'_>) -> Result<Vec<u8>> {
    let now = now();
    let not_before = spec.not_before.unwrap_or(now);
    let not_after = spec.not_after.unwrap_or(not_before + SERVER_VALIDITY);
    let mut serial = random_bytes::<16>();
    if serial.iter().all(|b| *b == 0) {
        serial[15] = 1;
    }
    let subject = name_der(&spec.organizations, spec.common_name.as_deref());
    let skid: Option<[u8; 20]> = spec.is_ca.then(random_bytes::<20>);
    let (issuer_name, issuer_kid, signing_key) = (signer.name_der, signer.key_id, signer.key);
    let alg = kind_of(signing_key);
    let spki = subject_key.subject_public_key_info();
    let tbs = yasna::construct_der(|w| {
        w.write_sequence(|s| {
            s.next().write_tagged(Tag::context(0), |w| w.write_u8(2));
            s.next().write_bigint_bytes(&serial, true);
            write_alg(s.next(), alg);
            s.next().write_der(issuer_name);
            s.next().write_sequence(|v| {
                write_time(v.next(), not_before);
                write_time(v.next(), not_after);
            });
            s.next().write_der(&subject);
            s.next().write_der(&spki);
            s.next().write_tagged(Tag::context(3), |w| {
                w.write_sequence(|exts| {
                    let ku = yasna::construct_der(|w| {
                        if spec.is_ca {
                            w.write_bitvec_bytes(&[0x84], 6);
                        } else {
                            w.write_bitvec_bytes(&[0x80], 1);
                        }
                    });
                    write_ext(exts.next(), OID_KEY_USAGE, true, ku);
                    if !spec.ext_key_usage.is_empty() {
                        let eku = yasna::construct_der(|w| {
                            w.write_sequence(|s| {
                                for u in &spec.ext_key_usage {
                                    match u {
                                        ExtKeyUsage::ServerAuth => {
                                            write_oid(s.next(), OID_SERVER_AUTH)
                                        }
                                        ExtKeyUsage::ClientAuth => {
                                            write_oid(s.next(), OID_CLIENT_AUTH)
                                        }
                                    }
                                }
                            })
                        });
                        write_ext(exts.next(), OID_EXT_KEY_USAGE, false, eku);
                    }
                    if spec.is_ca {
                        let bc = yasna::construct_der(|w| {
                            w.write_sequence(|s| s.next().write_bool(true))
                        });
                        write_ext(exts.next(), OID_BASIC_CONSTRAINTS, true, bc);
                    }
                    if let Some(skid) = &skid {
                        let v = yasna::construct_der(|w| w.write_bytes(skid));
                        write_ext(exts.next(), OID_SUBJECT_KEY_ID, false, v);
                    }
                    if let Some(kid) = issuer_kid.filter(|_| !spec.is_ca) {
                        let v = yasna::construct_der(|w| {
                            w.write_sequence(|s| {
                                s.next()
                                    .write_tagged_implicit(Tag::context(0), |w| w.write_bytes(kid))
                            })
                        });
                        write_ext(exts.next(), OID_AUTHORITY_KEY_ID, false, v);
                    }
                    if !spec.dns_names.is_empty() || !spec.ip_addresses.is_empty() {
                        let v = yasna::construct_der(|w| {
                            w.write_sequence(|s| {
                                for d in &spec.dns_names {
                                    s.next().write_tagged_implicit(Tag::context(2), |w| {
                                        w.write_ia5_string(d)
                                    });
                                }
                                for ip in &spec.ip_addresses {
                                    let bytes = match ip {
                                        IpAddr::V4(v4) => v4.octets().to_vec(),
                                        IpAddr::V6(v6) => v6.octets().to_vec(),
                                    };
                                    s.next().write_tagged_implicit(Tag::context(7), |w| {
                                        w.write_bytes(&bytes)
                                    });
                                }
                            })
                        });
                        write_ext(exts.next(), OID_SUBJECT_ALT_NAME, false, v);
                    }
                })
            });
        })
    });
    let signature = signing_key
        .sign(&tbs)
        .map_err(|e| SecretsError::generate("certificate signature", e))?;
    Ok(yasna::construct_der(|w| {
        w.write_sequence(|s| {
            s.next().write_der(&tbs);
            write_alg(s.next(), alg);
            s.next().write_bitvec_bytes(&signature, signature.len() * 8);
        })
    }))
}

/// The subject organizations (`O=`) of a PEM certificate: the Talos roles of a client certificate.
pub fn subject_organizations(cert_pem: &str) -> Result<Vec<String>> {
    let der = pem::cert_der(cert_pem).map_err(|e| SecretsError::pem("certificate", e))?;
    let (_, cert) = x509_parser::parse_x509_certificate(&der)
        .map_err(|e| SecretsError::cert("certificate", e.to_string()))?;
    Ok(cert
        .subject()
        .iter_organization()
        .filter_map(|o| o.as_str().ok())
        .filter(|o| !o.is_empty())
        .map(str::to_string)
        .collect())
}

/// A certificate authority: certificate and key in Talos's PEM forms plus a loaded signing key.
pub struct CertificateAuthority {
    /// The CA certificate, PEM (`CERTIFICATE`).
    pub cert_pem: String,
    /// The CA key, PEM in Talos's label (`ED25519 PRIVATE KEY` or `EC PRIVATE KEY`).
    pub key_pem: String,
    der: Vec<u8>,
    key: KeyPair,
    subject_der: Vec<u8>,
    key_id: Option<Vec<u8>>,
}

impl std::fmt::Debug for CertificateAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateAuthority")
            .field("cert_pem", &self.cert_pem)
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

/// A leaf certificate with its key.
#[derive(Clone)]
pub struct IssuedCert {
    /// The certificate, PEM.
    pub cert_pem: String,
    /// The key, PEM in Talos's label.
    pub key_pem: String,
}

impl std::fmt::Debug for IssuedCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCert")
            .field("cert_pem", &self.cert_pem)
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

impl CertificateAuthority {
    /// Makes a new self-signed CA like Talos's `NewSelfSignedCertificateAuthority`: subject
    /// `O=<organization>` (none when empty), CertSign|DigitalSignature, ServerAuth+ClientAuth,
    /// `CA:TRUE`, a random 20-byte subject key id, valid from `not_before` for ten years.
    pub fn generate(kind: KeyKind, organization: &str, not_before: OffsetDateTime) -> Result<Self> {
        let (key, key_pem) = generate_key(kind)?;
        let orgs: Vec<String> = if organization.is_empty() {
            vec![]
        } else {
            vec![organization.to_string()]
        };
        let subject_der = name_der(&orgs, None);
        let spec = CertSpec {
            organizations: orgs,
            not_before: Some(not_before),
            not_after: Some(not_before + CA_VALIDITY),
            is_ca: true,
            ext_key_usage: vec![ExtKeyUsage::ServerAuth, ExtKeyUsage::ClientAuth],
            ..CertSpec::default()
        };
        let signer = Signer {
            key: &key,
            name_der: &subject_der,
            key_id: None,
        };
        let der = build(&spec, &key, &signer)?;
        Self::from_parts(pem::encode(pem::CERTIFICATE, &der), key_pem, "generated CA")
    }

    /// Loads a CA from its certificate and key PEM (any key label Talos uses). `field` names the
    /// source in errors, e.g. `certs.os`.
    pub fn from_pem(cert_pem: &str, key_pem: &str, field: &str) -> Result<Self> {
        Self::from_parts(cert_pem.to_string(), key_pem.to_string(), field)
    }

    fn from_parts(cert_pem: String, key_pem: String, field: &str) -> Result<Self> {
        let der =
            pem::cert_der(&cert_pem).map_err(|e| SecretsError::pem(format!("{field}.crt"), e))?;
        let (_, key) = load_key(&format!("{field}.key"), &key_pem)?;
        let (_, cert) = x509_parser::parse_x509_certificate(&der)
            .map_err(|e| SecretsError::cert(format!("{field}.crt"), e.to_string()))?;
        if cert.public_key().raw != key.subject_public_key_info().as_slice() {
            return Err(SecretsError::cert(
                format!("{field}.key"),
                "the key does not match the certificate's public key",
            ));
        }
        let subject_der = cert.tbs_certificate.subject.as_raw().to_vec();
        let key_id =
            cert.tbs_certificate
                .extensions()
                .iter()
                .find_map(|e| match e.parsed_extension() {
                    x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(k) => {
                        Some(k.0.to_vec())
                    }
                    _ => None,
                });
        Ok(CertificateAuthority {
            cert_pem,
            key_pem,
            der,
            key,
            subject_der,
            key_id,
        })
    }

    /// The CA certificate, DER.
    pub fn cert_der(&self) -> &[u8] {
        &self.der
    }

    /// The CA key as a standard PKCS#8 `PRIVATE KEY` PEM (for rustls and tonic).
    pub fn key_pkcs8_pem(&self) -> String {
        pem::encode(pem::PRIVATE_KEY, self.key.serialized_der())
    }

    /// The key algorithm of the CA (leaves use the same).
    pub fn key_kind(&self) -> KeyKind {
        kind_of(&self.key)
    }

    fn issue(&self, spec: &CertSpec) -> Result<IssuedCert> {
        let (leaf_key, key_pem) = generate_key(self.key_kind())?;
        let signer = Signer {
            key: &self.key,
            name_der: &self.subject_der,
            key_id: self.key_id.as_deref(),
        };
        let der = build(spec, &leaf_key, &signer)?;
        Ok(IssuedCert {
            cert_pem: pem::encode(pem::CERTIFICATE, &der),
            key_pem,
        })
    }

    /// Issues a client certificate like talosctl's admin certificate: `O=` the roles (sorted, no CN),
    /// DigitalSignature, ExtKeyUsage ClientAuth only, valid one year from now.
    pub fn issue_client(&self, roles: &[String]) -> Result<IssuedCert> {
        let mut roles = roles.to_vec();
        roles.sort();
        roles.dedup();
        let not_before = now();
        self.issue(&CertSpec {
            organizations: roles,
            not_before: Some(not_before),
            not_after: Some(not_before + CLIENT_VALIDITY),
            ext_key_usage: vec![ExtKeyUsage::ClientAuth],
            ..CertSpec::default()
        })
    }

    /// Issues a server certificate like apid's: CN `common_name`, the given DNS and IP alternative
    /// names, DigitalSignature, ExtKeyUsage ServerAuth, valid for `validity` from now.
    pub fn issue_server(
        &self,
        common_name: &str,
        dns_names: &[String],
        ip_addresses: &[IpAddr],
        validity: Duration,
    ) -> Result<IssuedCert> {
        let not_before = now();
        self.issue(&CertSpec {
            common_name: Some(common_name.to_string()),
            not_before: Some(not_before),
            not_after: Some(not_before + validity),
            ext_key_usage: vec![ExtKeyUsage::ServerAuth],
            dns_names: dns_names.to_vec(),
            ip_addresses: ip_addresses.to_vec(),
            ..CertSpec::default()
        })
    }

    /// Issues a leaf from a free-form spec (for tests and simulators that need other shapes).
    pub fn issue_custom(&self, spec: &CertSpec) -> Result<IssuedCert> {
        self.issue(spec)
    }
}

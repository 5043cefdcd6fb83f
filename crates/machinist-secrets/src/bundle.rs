//! The cluster secrets bundle, in the exact format of `talosctl gen secrets`. In: a config contract
//! (to generate), or the YAML text of a `secrets.yaml` (to load). Out: a [`Bundle`] holding the
//! cluster identity, tokens, encryption secret and the five CAs/keys as PEM text, and its YAML in
//! talosctl's layout (4-space indent, Talos's field order, base64 of PEM for certificates and keys).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use machinist_model::Contract;
use serde::Deserialize;

use crate::error::{Result, SecretsError};
use crate::pem::{self, KeyKind};
use crate::x509::{self, CertificateAuthority};
use crate::yamlout::{Node, to_yaml};

/// The value Talos writes in place of a redacted key.
pub const REDACTED_KEY: &str = "******";

/// A certificate with its private key, both PEM text.
#[derive(Clone, PartialEq, Eq)]
pub struct CertAndKey {
    /// Certificate PEM (`CERTIFICATE`).
    pub crt: String,
    /// Private key PEM in Talos's label.
    pub key: String,
}

/// A private key alone, PEM text.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyOnly {
    /// Private key PEM in Talos's label.
    pub key: String,
}

/// Cluster identity used by the discovery service.
#[derive(Clone, PartialEq, Eq)]
pub struct ClusterIdentity {
    /// `cluster.id`: base64 of 32 random bytes (URL alphabet up to contract v1.13, standard after).
    pub id: String,
    /// `cluster.secret`: base64 (standard) of 32 random bytes.
    pub secret: String,
}

/// Kubernetes bootstrap and encryption secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct KubeSecrets {
    /// `secrets.bootstraptoken`: `[a-z0-9]{6}.[a-z0-9]{16}`.
    pub bootstrap_token: String,
    /// `secrets.aescbcencryptionsecret`: only in bundles of contracts up to v1.2.
    pub aescbc_encryption_secret: Option<String>,
    /// `secrets.secretboxencryptionsecret`: base64 of 32 random bytes.
    pub secretbox_encryption_secret: Option<String>,
}

/// The certificates and keys of a bundle.
#[derive(Clone, PartialEq, Eq)]
pub struct Certs {
    /// etcd CA (ECDSA P-256, `O=etcd`).
    pub etcd: CertAndKey,
    /// Kubernetes CA (ECDSA P-256, `O=kubernetes`).
    pub k8s: CertAndKey,
    /// Kubernetes front-proxy (aggregator) CA (ECDSA P-256, empty subject).
    pub k8s_aggregator: CertAndKey,
    /// Kubernetes service-account signing key (RSA-4096 PKCS#1 for current contracts).
    pub k8s_service_account: KeyOnly,
    /// Talos OS CA (Ed25519, `O=talos`): signs apid and talosconfig certificates.
    pub os: CertAndKey,
}

/// A Talos cluster secrets bundle (`secrets.yaml`).
#[derive(Clone, PartialEq, Eq)]
pub struct Bundle {
    /// `cluster`: discovery identity.
    pub cluster: ClusterIdentity,
    /// `secrets`: bootstrap token and encryption secret.
    pub secrets: KubeSecrets,
    /// `trustdinfo.token`: the token workers present to trustd.
    pub trustd_token: String,
    /// `certs`.
    pub certs: Certs,
}

impl std::fmt::Debug for Bundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Bundle { <redacted> }")
    }
}

const TOKEN_ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// A random string of `len` characters drawn uniformly from `[0-9a-z]` (bytes >= 252 are rejected so
/// every character is equally likely).
fn random_token_part(len: usize) -> String {
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in x509::random_bytes::<32>() {
            if b < 252 && out.len() < len {
                out.push(TOKEN_ALPHABET[(b % 36) as usize] as char);
            }
        }
    }
    out
}

/// A kubeadm-format token: six characters, a dot, sixteen characters.
pub fn generate_token() -> String {
    format!("{}.{}", random_token_part(6), random_token_part(16))
}

/// Whether `s` has the kubeadm token format.
pub fn is_token(s: &str) -> bool {
    let ok = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| TOKEN_ALPHABET.contains(&b));
    matches!(s.split_once('.'), Some((a, b)) if ok(a, 6) && ok(b, 16))
}

impl Bundle {
    /// Generates a new bundle for `contract` exactly as `talosctl gen secrets --talos-version` does:
    /// all CAs share one NotBefore and are valid ten years.
    pub fn generate(contract: Contract) -> Result<Bundle> {
        let now = x509::now();
        let ca = |kind, org: &str| -> Result<CertAndKey> {
            let ca = CertificateAuthority::generate(kind, org, now)?;
            Ok(CertAndKey {
                crt: ca.cert_pem,
                key: ca.key_pem,
            })
        };
        let id_bytes = x509::random_bytes::<32>();
        let id = if contract <= Contract::V1_13 {
            URL_SAFE.encode(id_bytes)
        } else {
            STANDARD.encode(id_bytes)
        };
        Ok(Bundle {
            cluster: ClusterIdentity {
                id,
                secret: STANDARD.encode(x509::random_bytes::<32>()),
            },
            secrets: KubeSecrets {
                bootstrap_token: generate_token(),
                aescbc_encryption_secret: None,
                secretbox_encryption_secret: Some(STANDARD.encode(x509::random_bytes::<32>())),
            },
            trustd_token: generate_token(),
            certs: Certs {
                etcd: ca(KeyKind::EcdsaP256, "etcd")?,
                k8s: ca(KeyKind::EcdsaP256, "kubernetes")?,
                k8s_aggregator: ca(KeyKind::EcdsaP256, "")?,
                k8s_service_account: KeyOnly {
                    key: generate_service_account_key()?,
                },
                os: ca(KeyKind::Ed25519, "talos")?,
            },
        })
    }

    /// The Talos OS CA, loaded for issuing apid server and talosconfig client certificates.
    pub fn os_ca(&self) -> Result<CertificateAuthority> {
        CertificateAuthority::from_pem(&self.certs.os.crt, &self.certs.os.key, "certs.os")
    }

    /// Parses a `secrets.yaml` as talosctl writes it. `source_name` names the input in errors.
    pub fn from_yaml(text: &str, source_name: &str) -> Result<Bundle> {
        let raw: RawBundle = serde_yaml_ng::from_str(text).map_err(|e| SecretsError::Yaml {
            source_name: source_name.to_string(),
            reason: crate::error::yaml_reason(&e),
        })?;
        let req = |v: Option<String>, field: &str| {
            v.filter(|s| !s.is_empty())
                .ok_or_else(|| SecretsError::Missing {
                    source_name: source_name.to_string(),
                    field: field.to_string(),
                })
        };
        let cert = |c: Option<RawCertKey>, field: &str| -> Result<CertAndKey> {
            let c = c.unwrap_or_default();
            Ok(CertAndKey {
                crt: decode_b64_pem(
                    &req(c.crt, &format!("certs.{field}.crt"))?,
                    &format!("certs.{field}.crt"),
                )?,
                key: decode_b64_pem(
                    &req(c.key, &format!("certs.{field}.key"))?,
                    &format!("certs.{field}.key"),
                )?,
            })
        };
        let cluster = raw.cluster.unwrap_or_default();
        let secrets = raw.secrets.unwrap_or_default();
        let certs = raw.certs.unwrap_or_default();
        let sa = certs.k8sserviceaccount.unwrap_or_default();
        let bundle = Bundle {
            cluster: ClusterIdentity {
                id: req(cluster.id, "cluster.id")?,
                secret: req(cluster.secret, "cluster.secret")?,
            },
            secrets: KubeSecrets {
                bootstrap_token: req(secrets.bootstraptoken, "secrets.bootstraptoken")?,
                aescbc_encryption_secret: secrets.aescbcencryptionsecret.filter(|s| !s.is_empty()),
                secretbox_encryption_secret: secrets
                    .secretboxencryptionsecret
                    .filter(|s| !s.is_empty()),
            },
            trustd_token: req(raw.trustdinfo.unwrap_or_default().token, "trustdinfo.token")?,
            certs: Certs {
                etcd: cert(certs.etcd, "etcd")?,
                k8s: cert(certs.k8s, "k8s")?,
                k8s_aggregator: cert(certs.k8saggregator, "k8saggregator")?,
                k8s_service_account: KeyOnly {
                    key: decode_b64_pem(
                        &req(sa.key, "certs.k8sserviceaccount.key")?,
                        "certs.k8sserviceaccount.key",
                    )?,
                },
                os: cert(certs.os, "os")?,
            },
        };
        bundle.validate(source_name)?;
        Ok(bundle)
    }

    /// Checks what Talos's `Bundle.Validate` checks: exactly one encryption secret, and every
    /// certificate and key parses.
    pub fn validate(&self, source_name: &str) -> Result<()> {
        let invalid = |reason: String| SecretsError::Invalid {
            source_name: source_name.to_string(),
            reason,
        };
        match (
            &self.secrets.aescbc_encryption_secret,
            &self.secrets.secretbox_encryption_secret,
        ) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "both aescbcencryptionsecret and secretboxencryptionsecret are set; keep one"
                        .into(),
                ));
            }
            (None, None) => {
                return Err(invalid("missing secrets.secretboxencryptionsecret".into()));
            }
            _ => {}
        }
        for (field, ck) in [
            ("certs.etcd", &self.certs.etcd),
            ("certs.k8s", &self.certs.k8s),
            ("certs.k8saggregator", &self.certs.k8s_aggregator),
            ("certs.os", &self.certs.os),
        ] {
            if ck.key == REDACTED_KEY {
                return Err(invalid(format!(
                    "{field}.key is redacted (******); use an unredacted secrets.yaml"
                )));
            }
            CertificateAuthority::from_pem(&ck.crt, &ck.key, field)?;
        }
        let sa = &self.certs.k8s_service_account.key;
        if sa == REDACTED_KEY {
            return Err(invalid(
                "certs.k8sserviceaccount.key is redacted (******)".into(),
            ));
        }
        pem::key_to_pkcs8(sa).map_err(|e| SecretsError::pem("certs.k8sserviceaccount.key", e))?;
        Ok(())
    }

    /// The bundle as `secrets.yaml` text, byte-compatible in layout with talosctl's output.
    pub fn to_yaml(&self) -> String {
        let b64 = |pem: &str| {
            if pem == REDACTED_KEY {
                pem.to_string()
            } else {
                STANDARD.encode(pem.as_bytes())
            }
        };
        let ck = |c: &CertAndKey| {
            Node::map([
                ("crt", Node::str(b64(&c.crt))),
                ("key", Node::str(b64(&c.key))),
            ])
        };
        let mut secrets = vec![("bootstraptoken", Node::str(&self.secrets.bootstrap_token))];
        if let Some(s) = &self.secrets.aescbc_encryption_secret {
            secrets.push(("aescbcencryptionsecret", Node::str(s)));
        }
        if let Some(s) = &self.secrets.secretbox_encryption_secret {
            secrets.push(("secretboxencryptionsecret", Node::str(s)));
        }
        let doc = Node::map([
            (
                "cluster",
                Node::map([
                    ("id", Node::str(&self.cluster.id)),
                    ("secret", Node::str(&self.cluster.secret)),
                ]),
            ),
            ("secrets", Node::map(secrets)),
            (
                "trustdinfo",
                Node::map([("token", Node::str(&self.trustd_token))]),
            ),
            (
                "certs",
                Node::map([
                    ("etcd", ck(&self.certs.etcd)),
                    ("k8s", ck(&self.certs.k8s)),
                    ("k8saggregator", ck(&self.certs.k8s_aggregator)),
                    (
                        "k8sserviceaccount",
                        Node::map([("key", Node::str(b64(&self.certs.k8s_service_account.key)))]),
                    ),
                    ("os", ck(&self.certs.os)),
                ]),
            ),
        ]);
        to_yaml(&doc)
    }

    /// Every secret string of the bundle in every form it can take in an output: tokens, the
    /// encryption secret, cluster id and secret, and each private key as PEM text, as base64 of the
    /// PEM, and as each PEM body line. Tests scan outputs for these to prove nothing leaked.
    pub fn secret_values(&self) -> Vec<String> {
        let mut out = vec![
            self.cluster.id.clone(),
            self.cluster.secret.clone(),
            self.secrets.bootstrap_token.clone(),
            self.trustd_token.clone(),
        ];
        out.extend(self.secrets.aescbc_encryption_secret.iter().cloned());
        out.extend(self.secrets.secretbox_encryption_secret.iter().cloned());
        for key in [
            &self.certs.etcd.key,
            &self.certs.k8s.key,
            &self.certs.k8s_aggregator.key,
            &self.certs.k8s_service_account.key,
            &self.certs.os.key,
        ] {
            out.push(key.clone());
            out.push(STANDARD.encode(key.as_bytes()));
            out.extend(
                key.lines()
                    .filter(|l| !l.starts_with("-----") && l.len() >= 16)
                    .map(str::to_string),
            );
        }
        out
    }
}

/// The form Talos stores PEM text in `secrets.yaml` and v1alpha1 fields: standard base64 of the
/// whole PEM.
pub fn b64_pem(pem: &str) -> String {
    STANDARD.encode(pem.as_bytes())
}

/// An RSA-4096 key in PKCS#1 PEM (`RSA PRIVATE KEY`), as Talos makes the service-account key.
pub fn generate_service_account_key() -> Result<String> {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 4096)
        .map_err(|e| SecretsError::generate("service-account key", e))?;
    let der = key
        .to_pkcs1_der()
        .map_err(|e| SecretsError::generate("service-account key", e))?;
    Ok(pem::encode(pem::RSA_PRIVATE_KEY, der.as_bytes()))
}

/// Decodes a base64-of-PEM field; the redaction marker passes through unchanged.
pub(crate) fn decode_b64_pem(value: &str, field: &str) -> Result<String> {
    if value == REDACTED_KEY {
        return Ok(value.to_string());
    }
    let bytes = STANDARD
        .decode(value.trim().as_bytes())
        .map_err(|_| SecretsError::Base64 {
            field: field.to_string(),
        })?;
    let text = String::from_utf8(bytes).map_err(|_| SecretsError::Base64 {
        field: field.to_string(),
    })?;
    pem::decode_one(&text).map_err(|e| SecretsError::pem(field, e))?;
    Ok(text)
}

#[derive(Deserialize, Default)]
struct RawBundle {
    cluster: Option<RawCluster>,
    secrets: Option<RawSecrets>,
    trustdinfo: Option<RawTrustd>,
    certs: Option<RawCerts>,
}

#[derive(Deserialize, Default)]
struct RawCluster {
    id: Option<String>,
    secret: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawSecrets {
    bootstraptoken: Option<String>,
    aescbcencryptionsecret: Option<String>,
    secretboxencryptionsecret: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawTrustd {
    token: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawCertKey {
    crt: Option<String>,
    key: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawCerts {
    etcd: Option<RawCertKey>,
    k8s: Option<RawCertKey>,
    k8saggregator: Option<RawCertKey>,
    k8sserviceaccount: Option<RawCertKey>,
    os: Option<RawCertKey>,
}

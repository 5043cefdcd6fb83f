//! Certificates for the simulator. In: the cluster's OS CA (PEM certificate and key, Talos's
//! `ED25519 PRIVATE KEY` label accepted) or nothing. Out: Ed25519 server certificates for a node's
//! addresses signed by that CA, a per-boot self-signed maintenance CA, client certificates
//! with chosen roles (for tests and demos), and — from the Kubernetes CA — the admin client
//! certificate of a generated kubeconfig.

use std::net::IpAddr;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};

/// Why a certificate could not be made.
#[derive(Debug, thiserror::Error)]
#[error("{what}: {reason}")]
pub struct PkiError {
    what: String,
    reason: String,
}

fn err<E: std::fmt::Display>(what: &str) -> impl Fn(E) -> PkiError + '_ {
    move |e| PkiError {
        what: what.to_owned(),
        reason: e.to_string(),
    }
}

/// A certificate and its private key, both PEM.
#[derive(Clone)]
pub struct CertPem {
    /// The certificate (PEM).
    pub cert_pem: String,
    /// The private key (PEM, PKCS#8).
    pub key_pem: String,
}

impl std::fmt::Debug for CertPem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CertPem { .. }")
    }
}

/// A CA able to sign certificates.
pub struct Ca {
    /// The CA certificate and key.
    pub pem: CertPem,
    issuer: Issuer<'static, KeyPair>,
}

fn validity(params: &mut CertificateParams, days: i64) {
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::minutes(5);
    params.not_after = now + time::Duration::days(days);
}

impl Ca {
    /// Loads a CA from PEM (the OS CA of a secrets bundle).
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<Self, PkiError> {
        let key_text =
            machinist_secrets::pem::key_to_pkcs8_pem(key_pem).map_err(err("OS CA key"))?;
        let key = KeyPair::from_pem(&key_text).map_err(err("OS CA key"))?;
        let issuer = Issuer::from_ca_cert_pem(cert_pem, key).map_err(err("OS CA certificate"))?;
        Ok(Ca {
            pem: CertPem {
                cert_pem: cert_pem.to_owned(),
                key_pem: key_text,
            },
            issuer,
        })
    }

    /// A new self-signed Ed25519 CA with `O=<organization>` (empty: no subject), 10 years.
    pub fn generate(organization: &str) -> Result<Self, PkiError> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ED25519).map_err(err("CA key"))?;
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        if !organization.is_empty() {
            params
                .distinguished_name
                .push(DnType::OrganizationName, organization);
        }
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        validity(&mut params, 3650);
        let cert = params.self_signed(&key).map_err(err("CA certificate"))?;
        let pem = CertPem {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        };
        Ok(Ca {
            pem,
            issuer: Issuer::new(params, key),
        })
    }

    /// An Ed25519 server certificate (EKU ServerAuth, 24 h) for `ips` and `dns` names.
    pub fn server_cert(
        &self,
        cn: &str,
        ips: &[IpAddr],
        dns: &[String],
    ) -> Result<CertPem, PkiError> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ED25519).map_err(err("server key"))?;
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, cn);
        params.subject_alt_names = ips.iter().map(|ip| SanType::IpAddress(*ip)).collect();
        for d in dns {
            if let Ok(name) = d.clone().try_into() {
                params.subject_alt_names.push(SanType::DnsName(name));
            }
        }
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        validity(&mut params, 1);
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(err("server certificate"))?;
        Ok(CertPem {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }

    /// The Kubernetes admin client certificate Talos puts in the kubeconfig it generates
    /// (`pkg/kubeconfig/generate.go`): ECDSA P-256, `CN=admin`, `O=system:masters`, KeyUsage
    /// DigitalSignature + KeyEncipherment, EKU ClientAuth, backdated 10 s, valid one year.
    pub fn kube_admin_cert(&self) -> Result<CertPem, PkiError> {
        let key =
            KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(err("client key"))?;
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, "admin");
        params
            .distinguished_name
            .push(DnType::OrganizationName, "system:masters");
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::seconds(10);
        params.not_after = now + time::Duration::days(365);
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(err("kubernetes admin certificate"))?;
        Ok(CertPem {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }

    /// An Ed25519 client certificate with `O = roles` (EKU exactly ClientAuth, 1 year), the way
    /// talosctl makes admin certificates. `eku_client_auth = false` makes a certificate Talos
    /// rejects (ServerAuth only), for tests.
    pub fn client_cert(&self, roles: &[&str], eku_client_auth: bool) -> Result<CertPem, PkiError> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ED25519).map_err(err("client key"))?;
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        for r in roles {
            params.distinguished_name.push(DnType::OrganizationName, *r);
        }
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![if eku_client_auth {
            ExtendedKeyUsagePurpose::ClientAuth
        } else {
            ExtendedKeyUsagePurpose::ServerAuth
        }];
        validity(&mut params, 365);
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(err("client certificate"))?;
        Ok(CertPem {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }
}

//! PEM and X.509 helpers for Talos's encodings. In: PEM text as Talos writes it (certificates,
//! `ED25519 PRIVATE KEY` keys) or DER certificates. Out: rustls-ready DER values, the SPKI
//! fingerprint talosctl's `--cert-fingerprint` uses, and the Talos roles a client certificate
//! carries in its Organization.

use base64::Engine as _;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::Digest as _;

/// Why PEM or certificate material could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PemError {
    /// No certificate block in the text.
    #[error("{what}: no PEM certificate found")]
    NoCertificate {
        /// What was being read (e.g. "talosconfig ca").
        what: String,
    },
    /// No usable private key block.
    #[error("{what}: no usable PEM private key found ({reason})")]
    NoKey {
        /// What was being read.
        what: String,
        /// The parser's complaint.
        reason: String,
    },
    /// A certificate that cannot be parsed.
    #[error("{what}: invalid certificate: {reason}")]
    BadCertificate {
        /// What was being read.
        what: String,
        /// The parser's complaint.
        reason: String,
    },
}

/// Rewrites Talos's non-standard `ED25519 PRIVATE KEY` PEM label to `PRIVATE KEY`; the body is
/// already PKCS#8, so rustls can then load it.
pub fn normalize_key_pem(pem: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(pem);
    text.replace("BEGIN ED25519 PRIVATE KEY", "BEGIN PRIVATE KEY")
        .replace("END ED25519 PRIVATE KEY", "END PRIVATE KEY")
        .into_bytes()
}

/// Every certificate in a PEM text, in order.
pub fn certificates(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>, PemError> {
    let certs: Vec<_> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|e| PemError::BadCertificate {
            what: what.to_owned(),
            reason: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(PemError::NoCertificate {
            what: what.to_owned(),
        });
    }
    Ok(certs)
}

/// The private key in a PEM text (PKCS#8, SEC1 or PKCS#1; Talos's Ed25519 label accepted).
pub fn private_key(pem: &[u8], what: &str) -> Result<PrivateKeyDer<'static>, PemError> {
    PrivateKeyDer::from_pem_slice(&normalize_key_pem(pem)).map_err(|e| PemError::NoKey {
        what: what.to_owned(),
        reason: e.to_string(),
    })
}

/// talosctl's certificate fingerprint: standard base64 of SHA-256 over the certificate's DER
/// SubjectPublicKeyInfo.
pub fn spki_fingerprint(cert_der: &[u8]) -> Result<String, PemError> {
    let (_, cert) =
        x509_parser::parse_x509_certificate(cert_der).map_err(|e| PemError::BadCertificate {
            what: "server certificate".into(),
            reason: e.to_string(),
        })?;
    let digest = sha2::Sha256::digest(cert.tbs_certificate.subject_pki.raw);
    Ok(base64::engine::general_purpose::STANDARD.encode(digest))
}

/// The Talos roles of a client certificate: its non-empty Subject Organization values.
pub fn roles(cert_der: &[u8]) -> Result<Vec<String>, PemError> {
    let (_, cert) =
        x509_parser::parse_x509_certificate(cert_der).map_err(|e| PemError::BadCertificate {
            what: "client certificate".into(),
            reason: e.to_string(),
        })?;
    Ok(cert
        .subject()
        .iter_organization()
        .filter_map(|o| o.as_str().ok())
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Talos's extra client-certificate rule: a leaf's extended key usage must be exactly
/// `[ClientAuth]`. Returns the complaint Talos logs when it is not.
pub fn check_client_auth_eku(cert_der: &[u8]) -> Result<(), String> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der).map_err(|e| e.to_string())?;
    let subject = cert.subject().to_string();
    let ok = match cert.extended_key_usage() {
        Ok(Some(eku)) => {
            let e = &eku.value;
            e.client_auth
                && !e.server_auth
                && !e.any
                && !e.code_signing
                && !e.email_protection
                && !e.time_stamping
                && !e.ocsp_signing
                && e.other.is_empty()
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "certificate {subject:?} is missing the client auth extended key usage"
        ))
    }
}

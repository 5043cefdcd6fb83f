//! What a DER certificate says, as the Talos API reads it. In: DER certificates (PEM framing and
//! key encodings live in `machinist_secrets::pem`). Out: the SPKI fingerprint talosctl's
//! `--cert-fingerprint` uses, the Talos roles a client certificate carries in its Organization,
//! and Talos's client-auth extended-key-usage rule.

use base64::Engine as _;
use sha2::Digest as _;

/// A certificate that cannot be parsed.
#[derive(Debug, thiserror::Error)]
#[error("{what}: invalid certificate: {reason}")]
pub struct CertError {
    /// What was being read (e.g. "server certificate").
    pub what: String,
    /// The parser's complaint.
    pub reason: String,
}

/// talosctl's certificate fingerprint: standard base64 of SHA-256 over the certificate's DER
/// SubjectPublicKeyInfo.
pub fn spki_fingerprint(cert_der: &[u8]) -> Result<String, CertError> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der).map_err(|e| CertError {
        what: "server certificate".into(),
        reason: e.to_string(),
    })?;
    let digest = sha2::Sha256::digest(cert.tbs_certificate.subject_pki.raw);
    Ok(base64::engine::general_purpose::STANDARD.encode(digest))
}

/// The Talos roles of a client certificate: its non-empty Subject Organization values.
pub fn roles(cert_der: &[u8]) -> Result<Vec<String>, CertError> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der).map_err(|e| CertError {
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

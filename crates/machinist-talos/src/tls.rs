//! rustls client settings for the Talos API. In: talosconfig credentials (mutual TLS) or the
//! maintenance-mode choice with an optional certificate fingerprint pin. Out: a
//! [`rustls::ClientConfig`] offering ALPN `h2` over TLS 1.2/1.3 with the ring provider.

use std::sync::Arc;

use machinist_secrets::PemError;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::talosconfig::Credentials;

/// Why TLS settings could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    /// Bad PEM material.
    #[error("{what}: {source}")]
    Pem {
        /// What was being read (e.g. "talosconfig ca").
        what: String,
        /// The PEM layer's complaint.
        source: PemError,
    },
    /// rustls refused the material.
    #[error("{what}: {source}")]
    Rustls {
        /// What was being set up.
        what: &'static str,
        /// The rustls error.
        source: rustls::Error,
    },
}

/// Every certificate of a PEM text, as rustls takes them.
pub fn certificates(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    machinist_secrets::pem::certificates(&String::from_utf8_lossy(pem))
        .map(|ders| ders.into_iter().map(CertificateDer::from).collect())
        .map_err(|source| TlsSetupError::Pem {
            what: what.to_owned(),
            source,
        })
}

/// The private key of a PEM text in any label Talos writes (`ED25519 PRIVATE KEY`, SEC1, PKCS#1,
/// PKCS#8), converted to the PKCS#8 form rustls takes.
pub fn private_key(pem: &[u8], what: &str) -> Result<PrivateKeyDer<'static>, TlsSetupError> {
    let (_, der) =
        machinist_secrets::pem::key_to_pkcs8(&String::from_utf8_lossy(pem)).map_err(|source| {
            TlsSetupError::Pem {
                what: what.to_owned(),
                source,
            }
        })?;
    Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der)))
}

/// The crypto provider used everywhere (ring: builds without cmake or clang).
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn builder() -> rustls::ConfigBuilder<rustls::ClientConfig, rustls::WantsVerifier> {
    rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .expect("ring supports TLS 1.2 and 1.3")
}

/// Mutual TLS: trust only the cluster CA from the talosconfig and present the client certificate.
pub fn mtls_config(creds: &Credentials) -> Result<rustls::ClientConfig, TlsSetupError> {
    let mut roots = RootCertStore::empty();
    for ca in certificates(&creds.ca_pem, "talosconfig ca")? {
        roots.add(ca).map_err(|source| TlsSetupError::Rustls {
            what: "talosconfig ca",
            source,
        })?;
    }
    let chain = certificates(&creds.cert_pem, "talosconfig crt")?;
    let key = private_key(&creds.key_pem, "talosconfig key")?;
    let mut cfg = builder()
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .map_err(|source| TlsSetupError::Rustls {
            what: "talosconfig crt/key",
            source,
        })?;
    cfg.alpn_protocols = vec![b"h2".to_vec()];
    Ok(cfg)
}

/// Maintenance mode: no client certificate and no chain verification (the node's certificate is
/// self-signed per boot). With `fingerprint`, the server's SPKI fingerprint must match it.
pub fn insecure_config(fingerprint: Option<String>) -> rustls::ClientConfig {
    let verifier = InsecureVerifier {
        fingerprint,
        algs: provider().signature_verification_algorithms,
    };
    let mut cfg = builder()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    cfg.alpn_protocols = vec![b"h2".to_vec()];
    cfg
}

#[derive(Debug)]
struct InsecureVerifier {
    fingerprint: Option<String>,
    algs: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for InsecureVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(want) = &self.fingerprint {
            let got = crate::certinfo::spki_fingerprint(end_entity)
                .map_err(|e| rustls::Error::General(e.to_string()))?;
            if &got != want {
                return Err(rustls::Error::General(format!(
                    "server certificate fingerprint {got} does not match --cert-fingerprint {want}"
                )));
            }
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }
}

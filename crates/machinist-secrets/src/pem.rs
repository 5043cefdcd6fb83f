//! PEM text and private-key encodings as Talos writes them. In: PEM text or DER bytes. Out: PEM text
//! with Talos's labels (`ED25519 PRIVATE KEY` over a 48-byte PKCS#8 v1 body, `EC PRIVATE KEY` over
//! SEC1, `RSA PRIVATE KEY` over PKCS#1), and the standard forms other Rust libraries expect
//! (`PRIVATE KEY` PKCS#8), converting between them.

use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};

use crate::error::PemError;

/// PEM label of a certificate.
pub const CERTIFICATE: &str = "CERTIFICATE";
/// Talos's label for an Ed25519 PKCS#8 key.
pub const ED25519_PRIVATE_KEY: &str = "ED25519 PRIVATE KEY";
/// Label of a SEC1 elliptic-curve key (Go's `MarshalECPrivateKey`).
pub const EC_PRIVATE_KEY: &str = "EC PRIVATE KEY";
/// Label of a PKCS#1 RSA key.
pub const RSA_PRIVATE_KEY: &str = "RSA PRIVATE KEY";
/// Label of a generic PKCS#8 key.
pub const PRIVATE_KEY: &str = "PRIVATE KEY";

/// The DER prefix of an Ed25519 PKCS#8 v1 key: version 0, algorithm 1.3.101.112, then an octet
/// string wrapping the 32-byte seed (as Go's `MarshalPKCS8PrivateKey` writes it).
const ED25519_PKCS8_V1_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// One PEM block: its label and DER body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The text between `BEGIN ` and the closing dashes, e.g. `CERTIFICATE`.
    pub label: String,
    /// The decoded body.
    pub der: Vec<u8>,
}

/// Encodes a DER body as PEM text with 64-character lines, `\n` line ends and a trailing newline,
/// like Go's `pem.EncodeToMemory`.
pub fn encode(label: &str, der: &[u8]) -> String {
    let config = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
    pem::encode_config(&pem::Pem::new(label, der), config)
}

/// Decodes every PEM block of `text`, in order (framing by the `pem` crate). Text outside blocks
/// is ignored; a `BEGIN` line without its `END` line, RFC 1421 headers and bad base64 are errors.
pub fn decode_all(text: &str) -> Result<Vec<Block>, PemError> {
    let parsed = pem::parse_many(text).map_err(|e| match e {
        pem::PemError::MismatchedTags(begin, _) => PemError::Unterminated(begin),
        pem::PemError::InvalidData(_) => PemError::Base64(first_label(text)),
        pem::PemError::InvalidHeader(_) => PemError::Headers(first_label(text)),
        _ => PemError::Framing(e.to_string()),
    })?;
    let begins = text.matches("-----BEGIN ").count();
    if begins > parsed.len() {
        // The pem crate stops quietly at a block without its END line.
        let label = text
            .rsplit("-----BEGIN ")
            .next()
            .and_then(|rest| rest.split("-----").next())
            .unwrap_or_default();
        return Err(PemError::Unterminated(label.to_owned()));
    }
    parsed
        .into_iter()
        .map(|p| {
            if p.headers().iter().next().is_some() {
                // RFC 1421 headers (Proc-Type and friends) are not used by Talos.
                return Err(PemError::Headers(p.tag().to_owned()));
            }
            Ok(Block {
                label: p.tag().to_owned(),
                der: p.into_contents(),
            })
        })
        .collect()
}

fn first_label(text: &str) -> String {
    text.split("-----BEGIN ")
        .nth(1)
        .and_then(|rest| rest.split("-----").next())
        .unwrap_or_default()
        .to_owned()
}

/// Decodes the single PEM block of `text`; no block is an error.
pub fn decode_one(text: &str) -> Result<Block, PemError> {
    decode_all(text)?
        .into_iter()
        .next()
        .ok_or(PemError::NoBlock)
}

/// The kind of a private key, as recognised from its PEM label and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Ed25519.
    Ed25519,
    /// ECDSA over P-256.
    EcdsaP256,
    /// RSA of any size.
    Rsa,
}

/// Builds the 48-byte PKCS#8 v1 document of an Ed25519 seed.
pub fn ed25519_pkcs8_from_seed(seed: &[u8; 32]) -> Vec<u8> {
    let mut der = ED25519_PKCS8_V1_PREFIX.to_vec();
    der.extend_from_slice(seed);
    der
}

/// Extracts the Ed25519 seed from a PKCS#8 document (v1 as Go writes it, or v2 with the public key
/// appended as ring writes it).
pub fn ed25519_seed_from_pkcs8(der: &[u8]) -> Option<[u8; 32]> {
    // Both versions carry: SEQ { INT v, SEQ { OID 1.3.101.112 }, OCTET STRING { OCTET STRING seed } ...}
    let oid = [0x06, 0x03, 0x2b, 0x65, 0x70];
    let pos = der.windows(oid.len()).position(|w| w == oid)?;
    let rest = der.get(pos + oid.len()..)?;
    if rest.get(..4)? != [0x04, 0x22, 0x04, 0x20] {
        return None;
    }
    rest.get(4..36)?.try_into().ok()
}

/// Ed25519 key PEM as Talos writes it (`ED25519 PRIVATE KEY`, PKCS#8 v1).
pub fn ed25519_key_pem(seed: &[u8; 32]) -> String {
    encode(ED25519_PRIVATE_KEY, &ed25519_pkcs8_from_seed(seed))
}

/// P-256 key PEM as Talos writes it (`EC PRIVATE KEY`, SEC1 with curve and public key).
pub fn ec_key_pem(key: &p256::SecretKey) -> Result<String, PemError> {
    let der = key.to_sec1_der().map_err(|_| PemError::Encode("EC"))?;
    Ok(encode(EC_PRIVATE_KEY, &der))
}

/// Recognises a private key PEM in any of the labels Talos reads and returns its kind with a PKCS#8
/// DER body that rcgen, rustls and ring accept.
pub fn key_to_pkcs8(text: &str) -> Result<(KeyKind, Vec<u8>), PemError> {
    let block = decode_all(text)?
        .into_iter()
        .find(|b| b.label.ends_with("PRIVATE KEY"))
        .ok_or(PemError::NoKey)?;
    match block.label.as_str() {
        ED25519_PRIVATE_KEY => {
            let seed = ed25519_seed_from_pkcs8(&block.der).ok_or(PemError::BadKey("ED25519"))?;
            Ok((KeyKind::Ed25519, ed25519_pkcs8_from_seed(&seed)))
        }
        EC_PRIVATE_KEY => {
            let key = p256::SecretKey::from_sec1_der(&block.der)
                .map_err(|_| PemError::BadKey("EC (P-256 SEC1)"))?;
            let der = key.to_pkcs8_der().map_err(|_| PemError::Encode("PKCS#8"))?;
            Ok((KeyKind::EcdsaP256, der.as_bytes().to_vec()))
        }
        RSA_PRIVATE_KEY => {
            use rsa::pkcs1::DecodeRsaPrivateKey;
            use rsa::pkcs8::EncodePrivateKey as _;
            let key = rsa::RsaPrivateKey::from_pkcs1_der(&block.der)
                .map_err(|_| PemError::BadKey("RSA (PKCS#1)"))?;
            let der = key.to_pkcs8_der().map_err(|_| PemError::Encode("PKCS#8"))?;
            Ok((KeyKind::Rsa, der.as_bytes().to_vec()))
        }
        PRIVATE_KEY => {
            if let Some(seed) = ed25519_seed_from_pkcs8(&block.der) {
                return Ok((KeyKind::Ed25519, ed25519_pkcs8_from_seed(&seed)));
            }
            if p256::SecretKey::from_pkcs8_der(&block.der).is_ok() {
                return Ok((KeyKind::EcdsaP256, block.der));
            }
            use rsa::pkcs8::DecodePrivateKey as _;
            if rsa::RsaPrivateKey::from_pkcs8_der(&block.der).is_ok() {
                return Ok((KeyKind::Rsa, block.der));
            }
            Err(PemError::BadKey("PKCS#8"))
        }
        other => Err(PemError::UnknownLabel(other.to_string())),
    }
}

/// Rewrites a Talos key PEM into the standard `PRIVATE KEY` (PKCS#8) PEM that rustls and tonic load:
/// relabels `ED25519 PRIVATE KEY` and converts SEC1 `EC PRIVATE KEY` and PKCS#1 `RSA PRIVATE KEY`.
pub fn key_to_pkcs8_pem(text: &str) -> Result<String, PemError> {
    let (_, der) = key_to_pkcs8(text)?;
    Ok(encode(PRIVATE_KEY, &der))
}

/// Rewrites a standard PKCS#8 `PRIVATE KEY` PEM (or any key PEM) into the label and encoding Talos
/// writes for that key type.
pub fn key_to_talos_pem(text: &str) -> Result<String, PemError> {
    let (kind, der) = key_to_pkcs8(text)?;
    match kind {
        KeyKind::Ed25519 => {
            let seed = ed25519_seed_from_pkcs8(&der).ok_or(PemError::BadKey("ED25519"))?;
            Ok(ed25519_key_pem(&seed))
        }
        KeyKind::EcdsaP256 => {
            let key = p256::SecretKey::from_pkcs8_der(&der).map_err(|_| PemError::BadKey("EC"))?;
            ec_key_pem(&key)
        }
        KeyKind::Rsa => {
            use rsa::pkcs1::EncodeRsaPrivateKey;
            use rsa::pkcs8::DecodePrivateKey as _;
            let key =
                rsa::RsaPrivateKey::from_pkcs8_der(&der).map_err(|_| PemError::BadKey("RSA"))?;
            let der = key.to_pkcs1_der().map_err(|_| PemError::Encode("PKCS#1"))?;
            Ok(encode(RSA_PRIVATE_KEY, der.as_bytes()))
        }
    }
}

/// The DER of the first `CERTIFICATE` block of `text`.
pub fn cert_der(text: &str) -> Result<Vec<u8>, PemError> {
    decode_all(text)?
        .into_iter()
        .find(|b| b.label == CERTIFICATE)
        .map(|b| b.der)
        .ok_or(PemError::NoCertificate)
}

/// The DER of every `CERTIFICATE` block of `text`, in order; none is an error.
pub fn certificates(text: &str) -> Result<Vec<Vec<u8>>, PemError> {
    let certs: Vec<_> = decode_all(text)?
        .into_iter()
        .filter(|b| b.label == CERTIFICATE)
        .map(|b| b.der)
        .collect();
    if certs.is_empty() {
        return Err(PemError::NoCertificate);
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The OS CA key from Talos's own stability test data (test PKI, not a live secret).
    const TALOS_ED25519: &str = "-----BEGIN ED25519 PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIMDWnIDuZRvXPqmmm+znMyIc+vNwf7gbK/JdwX/b7guE\n-----END ED25519 PRIVATE KEY-----\n";

    #[test]
    fn talos_ed25519_key_relabels_to_pkcs8_and_back_byte_for_byte() {
        let std_pem = key_to_pkcs8_pem(TALOS_ED25519).unwrap();
        assert!(std_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert_eq!(decode_one(&std_pem).unwrap().der.len(), 48);
        assert_eq!(key_to_talos_pem(&std_pem).unwrap(), TALOS_ED25519);
        // rcgen (ring) accepts the converted key.
        let der = decode_one(&std_pem).unwrap().der;
        let kp = rcgen::KeyPair::try_from(der.as_slice()).unwrap();
        assert!(kp.is_compatible(&rcgen::PKCS_ED25519));
    }

    #[test]
    fn sec1_ec_key_converts_to_pkcs8_that_rcgen_loads_and_back() {
        let key = p256::SecretKey::from_slice(&[7u8; 32]).unwrap();
        let sec1 = ec_key_pem(&key).unwrap();
        // Go's MarshalECPrivateKey output for P-256 is 121 bytes: `MHcCAQEE...`.
        assert!(sec1.contains("\nMHcCAQEE"), "{sec1}");
        let (kind, der) = key_to_pkcs8(&sec1).unwrap();
        assert_eq!(kind, KeyKind::EcdsaP256);
        let kp = rcgen::KeyPair::try_from(der.as_slice()).unwrap();
        assert!(kp.is_compatible(&rcgen::PKCS_ECDSA_P256_SHA256));
        assert_eq!(key_to_talos_pem(&encode(PRIVATE_KEY, &der)).unwrap(), sec1);
    }

    #[test]
    fn malformed_pem_is_reported() {
        assert_eq!(decode_one("nothing here"), Err(PemError::NoBlock));
        assert!(matches!(
            decode_all("-----BEGIN CERTIFICATE-----\nAAAA\n"),
            Err(PemError::Unterminated(_))
        ));
        assert!(matches!(
            key_to_pkcs8("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
            Err(PemError::NoKey)
        ));
        let with_headers = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(
            decode_all(with_headers),
            Err(PemError::Headers("RSA PRIVATE KEY".into()))
        );
    }

    #[test]
    fn encode_writes_go_framing_and_certificates_reads_every_block() {
        let der: Vec<u8> = (0..=99).collect();
        let text = encode(CERTIFICATE, &der);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "-----BEGIN CERTIFICATE-----");
        assert_eq!(lines[1].len(), 64);
        assert_eq!(lines.last(), Some(&"-----END CERTIFICATE-----"));
        assert!(text.ends_with("-----\n") && !text.contains('\r'));
        let two = format!("junk\n{text}{}", encode(CERTIFICATE, &[1, 2, 3]));
        assert_eq!(certificates(&two).unwrap(), vec![der, vec![1, 2, 3]]);
        assert_eq!(certificates(TALOS_ED25519), Err(PemError::NoCertificate));
    }
}

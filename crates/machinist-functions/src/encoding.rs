//! Text encodings used by templates. In: serializable values, text or bytes. Out: YAML or JSON
//! text, parsed YAML values, base64 text, decoded bytes and SHA-256 hex digests, or an
//! [`EncodingError`] naming what could not be converted.
//!
//! Output is deterministic: maps keep their insertion order (nothing is re-sorted), and the same
//! input always gives the same bytes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A value that cannot be encoded or text that cannot be decoded.
#[derive(Debug, thiserror::Error)]
pub enum EncodingError {
    /// The value has no YAML form.
    #[error("cannot write the value as YAML: {0}")]
    ToYaml(String),
    /// The value has no JSON form.
    #[error("cannot write the value as JSON: {0}")]
    ToJson(String),
    /// The text is not valid YAML.
    #[error("the text is not valid YAML: {0}")]
    FromYaml(String),
    /// The text is not standard base64.
    #[error("{text:?} is not valid base64 ({reason})")]
    Base64 {
        /// The input, shortened when long.
        text: String,
        /// What the decoder found.
        reason: String,
    },
    /// Decoded bytes that are not UTF-8 text.
    #[error("the decoded bytes are not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
}

type Result<T> = std::result::Result<T, EncodingError>;

/// YAML text for `value`, without the trailing newline (so `{{ x | to_yaml }}` composes with
/// `indent`, like Helm's `toYaml`).
pub fn to_yaml<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    let text = serde_yaml_ng::to_string(value).map_err(|e| EncodingError::ToYaml(e.to_string()))?;
    Ok(text.strip_suffix('\n').unwrap_or(&text).to_string())
}

/// JSON text for `value`: compact, or pretty-printed with `indent` spaces.
pub fn to_json<T: Serialize + ?Sized>(value: &T, indent: Option<usize>) -> Result<String> {
    let fail = |e: serde_json::Error| EncodingError::ToJson(e.to_string());
    match indent {
        None => serde_json::to_string(value).map_err(fail),
        Some(n) => {
            let spaces = " ".repeat(n);
            let formatter = serde_json::ser::PrettyFormatter::with_indent(spaces.as_bytes());
            let mut out = Vec::new();
            let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
            value.serialize(&mut ser).map_err(fail)?;
            Ok(String::from_utf8(out).expect("serde_json writes UTF-8"))
        }
    }
}

/// Parses one YAML document. Empty text is `null`.
pub fn from_yaml(text: &str) -> Result<serde_yaml_ng::Value> {
    serde_yaml_ng::from_str(text).map_err(|e| EncodingError::FromYaml(e.to_string()))
}

/// Standard base64 (RFC 4648 alphabet, with `=` padding).
pub fn b64encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes standard base64 with padding. Line breaks (as in wrapped PEM bodies) are skipped;
/// anything else outside the alphabet is an error.
pub fn b64decode(text: &str) -> Result<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !matches!(c, '\n' | '\r')).collect();
    STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| EncodingError::Base64 {
            text: shorten(text),
            reason: describe_base64_error(&e),
        })
}

fn describe_base64_error(e: &base64::DecodeError) -> String {
    use base64::DecodeError as E;
    match e {
        E::InvalidByte(offset, byte) => format!(
            "character {:?} at offset {offset} is not in the base64 alphabet",
            char::from(*byte)
        ),
        E::InvalidLength(len) => {
            format!("{len} characters cannot be base64; check for a truncated value")
        }
        E::InvalidLastSymbol(offset, byte) => format!(
            "the last character {:?} at offset {offset} has bits that must be zero",
            char::from(*byte)
        ),
        E::InvalidPadding => "the `=` padding is missing or wrong".to_string(),
    }
}

/// Decodes base64 that must hold UTF-8 text.
pub fn b64decode_text(text: &str) -> Result<String> {
    String::from_utf8(b64decode(text)?).map_err(|e| EncodingError::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn shorten(text: &str) -> String {
    if text.len() > 40 {
        format!("{}...", &text[..text.floor_char_boundary(37)])
    } else {
        text.to_string()
    }
}

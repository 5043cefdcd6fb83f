//! Error types of the secrets crate. In: failures of PEM decoding, certificate building, file access,
//! age encryption and bundle parsing. Out: typed errors whose messages name the file or field and,
//! where there is one, the fix. No message ever contains secret material.

use std::path::PathBuf;

/// A PEM text that could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PemError {
    /// No `-----BEGIN` line at all.
    #[error("no PEM block found")]
    NoBlock,
    /// A block without its END line.
    #[error("PEM block `{0}` has no END line")]
    Unterminated(String),
    /// PEM headers are not supported.
    #[error("PEM block `{0}` has headers, which are not supported")]
    Headers(String),
    /// Framing the `pem` crate rejects for another reason.
    #[error("malformed PEM: {0}")]
    Framing(String),
    /// The body is not base64.
    #[error("PEM block `{0}` does not hold valid base64")]
    Base64(String),
    /// No private key block.
    #[error("no private key PEM block found")]
    NoKey,
    /// No certificate block.
    #[error("no CERTIFICATE PEM block found")]
    NoCertificate,
    /// A key block whose body does not parse as its label says.
    #[error("{0} private key does not parse")]
    BadKey(&'static str),
    /// A key label Talos does not use.
    #[error("unsupported private key label `{0}`")]
    UnknownLabel(String),
    /// Encoding a key failed.
    #[error("cannot encode key as {0}")]
    Encode(&'static str),
}

/// Any failure of the secrets crate.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The identity file that `MACHINIST_AGE_KEY_FILE` names cannot be read.
    #[error(
        "cannot read the age identity file {} named by MACHINIST_AGE_KEY_FILE: {source}; point the variable at an identity file (age-keygen writes one) or unset it to use the default identity",
        path.display()
    )]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A field holding PEM text is malformed.
    #[error("{field}: {source}")]
    Pem {
        /// Where the PEM came from, e.g. `certs.os.key`.
        field: String,
        /// The cause.
        source: PemError,
    },
    /// A field is not valid base64.
    #[error("{field}: not valid base64")]
    Base64 {
        /// The field, e.g. `certs.k8s.crt`.
        field: String,
    },
    /// A certificate could not be parsed or is not what it should be.
    #[error("{field}: {reason}")]
    Certificate {
        /// The field, e.g. `certs.os.crt`.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A bundle or config misses a required field.
    #[error("{source_name}: missing `{field}`")]
    Missing {
        /// The file or input the field was looked up in.
        source_name: String,
        /// The dotted path of the missing field.
        field: String,
    },
    /// A YAML document could not be parsed.
    #[error("{source_name}: {reason}")]
    Yaml {
        /// The file or input.
        source_name: String,
        /// The parser's message.
        reason: String,
    },
    /// The encrypted bundle does not exist.
    #[error(
        "{}: secrets bundle not found; create one with `machinist secrets gen` or adopt an existing cluster with `machinist secrets import FILE` (machinist never generates new secrets for an existing project on its own)",
        path.display()
    )]
    BundleMissing {
        /// The expected file.
        path: PathBuf,
    },
    /// The bundle exists but none of the identities decrypts it.
    #[error(
        "{}: cannot decrypt the secrets bundle: {reason}; point MACHINIST_AGE_KEY_FILE at an age identity listed as a recipient in Chart.yaml (tried: {tried})",
        path.display()
    )]
    Decrypt {
        /// The encrypted file.
        path: PathBuf,
        /// Why decryption failed.
        reason: String,
        /// Where identities were looked for.
        tried: String,
    },
    /// The bundle file is truncated or altered: it is not what was encrypted.
    #[error(
        "{}: the secrets bundle is damaged ({reason}): the file was truncated or changed after it was encrypted, so no identity can open it; restore it from git (`git checkout -- {}`, or find a good version with `git log -- {}`)",
        path.display(), path.display(), path.display()
    )]
    Damaged {
        /// The encrypted file.
        path: PathBuf,
        /// What age found wrong.
        reason: String,
    },
    /// No identity is available at all.
    #[error(
        "no age identity found (tried: {tried}); set MACHINIST_AGE_KEY_FILE to an age identity file, set MACHINIST_AGE_KEY to an AGE-SECRET-KEY-1... value, or run `machinist init` / `age-keygen -o {default_path}`"
    )]
    NoIdentity {
        /// Where identities were looked for.
        tried: String,
        /// The default identity location.
        default_path: String,
    },
    /// An identity file or value is malformed.
    #[error("{origin}: not a valid age identity: {reason}")]
    BadIdentity {
        /// Where the identity came from.
        origin: String,
        /// The parser's message.
        reason: String,
    },
    /// A recipient string is malformed.
    #[error("recipient `{value}` is not an age X25519 recipient (age1...)")]
    BadRecipient {
        /// The offending value (recipients are public).
        value: String,
    },
    /// Encryption failed.
    #[error("{}: cannot encrypt: {reason}", path.display())]
    Encrypt {
        /// The output file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A talosconfig whose contexts do not give what a client needs.
    #[error("{source_name}: {reason}")]
    Talosconfig {
        /// The file.
        source_name: String,
        /// What is wrong, naming the context and field.
        reason: String,
    },
    /// The decrypted bundle or imported file is not a valid secrets bundle.
    #[error("{source_name}: invalid secrets bundle: {reason}")]
    Invalid {
        /// The file or input.
        source_name: String,
        /// What is wrong.
        reason: String,
    },
    /// Cryptographic generation failed (random source or signing).
    #[error("cannot generate {what}: {reason}")]
    Generate {
        /// What was being generated.
        what: String,
        /// Why.
        reason: String,
    },
}

impl SecretsError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        SecretsError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn pem(field: impl Into<String>, source: PemError) -> Self {
        SecretsError::Pem {
            field: field.into(),
            source,
        }
    }

    pub(crate) fn cert(field: impl Into<String>, reason: impl Into<String>) -> Self {
        SecretsError::Certificate {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn generate(what: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        SecretsError::Generate {
            what: what.into(),
            reason: reason.to_string(),
        }
    }
}

/// A YAML error described by position only: serde's message can quote the offending value, which
/// in these files may be a secret.
pub(crate) fn yaml_reason(e: &serde_yaml_ng::Error) -> String {
    match e.location() {
        Some(l) => format!(
            "not valid YAML of the expected layout (line {}, column {})",
            l.line(),
            l.column()
        ),
        None => "not valid YAML of the expected layout".to_string(),
    }
}

/// Result alias of this crate.
pub type Result<T, E = SecretsError> = std::result::Result<T, E>;

//! The bundle at rest: age encryption to the project's recipients. In: a [`Bundle`] and recipient
//! strings (`age1...`), or an encrypted file and the user's identity. Out: `secrets.yaml.age` (ASCII
//! armored age, readable by the `age` CLI) written atomically with mode 0600, or the decrypted
//! bundle. Identities come from `MACHINIST_AGE_KEY_FILE`, `MACHINIST_AGE_KEY` or the user config
//! directory — never from the project directory.

use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::ExposeSecret;

use crate::bundle::Bundle;
use crate::error::{Result, SecretsError};
use crate::fsutil;

/// Environment variable naming an age identity file.
pub const ENV_KEY_FILE: &str = "MACHINIST_AGE_KEY_FILE";
/// Environment variable holding an age identity (`AGE-SECRET-KEY-1...`).
pub const ENV_KEY: &str = "MACHINIST_AGE_KEY";
/// File name of the default identity inside the user config directory.
pub const IDENTITY_FILE: &str = "age-identity.txt";

/// Where identities are looked for. Built from the process environment with
/// [`IdentityEnv::from_process`], or by hand in tests.
#[derive(Debug, Clone, Default)]
pub struct IdentityEnv {
    /// Value of `MACHINIST_AGE_KEY_FILE`.
    pub key_file: Option<PathBuf>,
    /// Value of `MACHINIST_AGE_KEY`.
    pub key: Option<String>,
    /// The user config directory (`$XDG_CONFIG_HOME` or `~/.config`).
    pub config_dir: Option<PathBuf>,
}

impl IdentityEnv {
    /// Reads `MACHINIST_AGE_KEY_FILE`, `MACHINIST_AGE_KEY`, `XDG_CONFIG_HOME` and `HOME`.
    pub fn from_process() -> IdentityEnv {
        let non_empty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        let config_dir = non_empty("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| non_empty("HOME").map(|h| PathBuf::from(h).join(".config")));
        IdentityEnv {
            key_file: non_empty(ENV_KEY_FILE).map(PathBuf::from),
            key: std::env::var(ENV_KEY).ok().filter(|v| !v.trim().is_empty()),
            config_dir,
        }
    }

    /// The default identity file: `<config dir>/machinist/age-identity.txt`.
    pub fn default_identity_path(&self) -> Option<PathBuf> {
        self.config_dir
            .as_ref()
            .map(|d| d.join("machinist").join(IDENTITY_FILE))
    }

    fn tried(&self) -> String {
        let mut t = vec![format!("${ENV_KEY_FILE}"), format!("${ENV_KEY}")];
        if let Some(p) = self.default_identity_path() {
            t.push(p.display().to_string());
        }
        t.join(", ")
    }
}

/// Loaded age identities and a description of where they came from.
pub struct Identities {
    identities: Vec<Box<dyn age::Identity + Send + Sync>>,
    /// Where the identities were read from (a path or an environment variable name).
    pub origin: String,
}

impl std::fmt::Debug for Identities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Identities({} from {})",
            self.identities.len(),
            self.origin
        )
    }
}

fn parse_identities(text: &str, origin: &str) -> Result<Identities> {
    let bad = |reason: String| SecretsError::BadIdentity {
        origin: origin.to_string(),
        reason,
    };
    let file = age::IdentityFile::from_buffer(BufReader::new(text.as_bytes()))
        .map_err(|e| bad(e.to_string()))?;
    let identities = file.into_identities().map_err(|e| bad(e.to_string()))?;
    if identities.is_empty() {
        return Err(bad("no AGE-SECRET-KEY-1 line".into()));
    }
    Ok(Identities {
        identities,
        origin: origin.to_string(),
    })
}

/// Finds the user's identities: `MACHINIST_AGE_KEY_FILE` first, then `MACHINIST_AGE_KEY`, then
/// the default file in the user config directory.
pub fn find_identities(env: &IdentityEnv) -> Result<Identities> {
    if let Some(path) = &env.key_file {
        let text = std::fs::read_to_string(path).map_err(|source| SecretsError::KeyFile {
            path: path.clone(),
            source,
        })?;
        return parse_identities(&text, &path.display().to_string());
    }
    if let Some(key) = &env.key {
        return parse_identities(key, &format!("${ENV_KEY}"));
    }
    if let Some(path) = env.default_identity_path().filter(|p| p.exists()) {
        let text = std::fs::read_to_string(&path).map_err(|e| SecretsError::io(&path, e))?;
        return parse_identities(&text, &path.display().to_string());
    }
    Err(SecretsError::NoIdentity {
        tried: env.tried(),
        default_path: env
            .default_identity_path()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| format!("~/.config/machinist/{IDENTITY_FILE}")),
    })
}

/// The recipients of the user's identity (found like [`find_identities`]) and where it came from,
/// or `None` when no identity is configured.
pub fn user_recipients(env: &IdentityEnv) -> Result<Option<(Vec<String>, String)>> {
    let (text, origin) = if let Some(path) = &env.key_file {
        let text = std::fs::read_to_string(path).map_err(|source| SecretsError::KeyFile {
            path: path.clone(),
            source,
        })?;
        (text, path.display().to_string())
    } else if let Some(key) = &env.key {
        (key.clone(), format!("${ENV_KEY}"))
    } else if let Some(path) = env.default_identity_path().filter(|p| p.exists()) {
        let text = std::fs::read_to_string(&path).map_err(|e| SecretsError::io(&path, e))?;
        (text, path.display().to_string())
    } else {
        return Ok(None);
    };
    let recipients = recipients_of(&text, &origin)?;
    if recipients.is_empty() {
        return Err(SecretsError::BadIdentity {
            origin,
            reason: "no AGE-SECRET-KEY-1 line".into(),
        });
    }
    Ok(Some((recipients, origin)))
}

/// A new X25519 identity in `age-keygen`'s file format, and its recipient string.
pub fn new_identity() -> (String, String) {
    let id = age::x25519::Identity::generate();
    let recipient = id.to_public().to_string();
    let created = crate::x509::now()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let text = format!(
        "# created: {created}\n# public key: {recipient}\n{}\n",
        id.to_string().expose_secret()
    );
    (text, recipient)
}

/// Creates a new identity file at `path` (mode 0600, parent directories created) and returns its
/// recipient. Refuses to replace an existing file.
pub fn create_identity_file(path: &Path) -> Result<String> {
    if path.exists() {
        return Err(SecretsError::io(
            path,
            std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "identity file already exists; not replacing it",
            ),
        ));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| SecretsError::io(parent, e))?;
    }
    let (text, recipient) = new_identity();
    fsutil::write_private(path, text.as_bytes())?;
    Ok(recipient)
}

/// The recipients (`age1...`) of the X25519 identities in an identity file's text.
pub fn recipients_of(identity_text: &str, origin: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for line in identity_text.lines().map(str::trim) {
        if line.starts_with("AGE-SECRET-KEY-") {
            let id: age::x25519::Identity =
                line.parse().map_err(|e: &str| SecretsError::BadIdentity {
                    origin: origin.to_string(),
                    reason: e.to_string(),
                })?;
            out.push(id.to_public().to_string());
        }
    }
    Ok(out)
}

fn parse_recipients(recipients: &[String]) -> Result<Vec<age::x25519::Recipient>> {
    recipients
        .iter()
        .map(|r| {
            r.trim()
                .parse::<age::x25519::Recipient>()
                .map_err(|_| SecretsError::BadRecipient { value: r.clone() })
        })
        .collect()
}

/// Encrypts `plaintext` to every recipient, ASCII armored.
pub fn encrypt(plaintext: &[u8], recipients: &[String], path_for_errors: &Path) -> Result<Vec<u8>> {
    let enc_err = |reason: String| SecretsError::Encrypt {
        path: path_for_errors.to_path_buf(),
        reason,
    };
    let parsed = parse_recipients(recipients)?;
    if parsed.is_empty() {
        return Err(enc_err("no recipients; list at least one age1... recipient under `secrets.recipients` in Chart.yaml".into()));
    }
    let encryptor =
        age::Encryptor::with_recipients(parsed.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| enc_err(e.to_string()))?;
    let mut out = Vec::new();
    let armor = age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)
        .map_err(|e| enc_err(e.to_string()))?;
    let mut writer = encryptor
        .wrap_output(armor)
        .map_err(|e| enc_err(e.to_string()))?;
    writer
        .write_all(plaintext)
        .map_err(|e| enc_err(e.to_string()))?;
    writer
        .finish()
        .and_then(|armor| armor.finish())
        .map_err(|e| enc_err(e.to_string()))?;
    Ok(out)
}

/// Decrypts an age file (armored or binary) with the given identities.
pub fn decrypt(
    ciphertext: &[u8],
    identities: &Identities,
    path: &Path,
    env: &IdentityEnv,
) -> Result<Vec<u8>> {
    let fail = |reason: String| SecretsError::Decrypt {
        path: path.to_path_buf(),
        reason,
        tried: identities.origin.clone() + " (from " + &env.tried() + ")",
    };
    // Only "no identity matches" is about the identity; anything else means the file is not
    // what was encrypted (truncated, flipped bytes, not an age file at all).
    let damaged = |reason: String| SecretsError::Damaged {
        path: path.to_path_buf(),
        reason,
    };
    let classify = |e: age::DecryptError| match e {
        age::DecryptError::NoMatchingKeys | age::DecryptError::KeyDecryptionFailed => {
            fail(e.to_string())
        }
        e => damaged(e.to_string()),
    };
    let reader = age::armor::ArmoredReader::new(ciphertext);
    let decryptor = age::Decryptor::new(reader).map_err(classify)?;
    let mut plain = decryptor
        .decrypt(
            identities
                .identities
                .iter()
                .map(|i| i.as_ref() as &dyn age::Identity),
        )
        .map_err(classify)?;
    let mut out = Vec::new();
    plain
        .read_to_end(&mut out)
        .map_err(|e| damaged(e.to_string()))?;
    Ok(out)
}

/// Encrypts the bundle's `secrets.yaml` text to `recipients` and writes it to `path` (0600, atomic).
pub fn save_bundle(path: &Path, bundle: &Bundle, recipients: &[String]) -> Result<()> {
    let ciphertext = encrypt(bundle.to_yaml().as_bytes(), recipients, path)?;
    fsutil::write_private(path, &ciphertext)
}

/// Re-encrypts the bundle at `path` to `recipients` (to add or remove someone): decrypts it with
/// the user's identity, checks that it is a bundle, and writes the same plaintext, byte for byte,
/// encrypted to the new list (0600, atomic). The secrets themselves never change.
pub fn rekey_bundle(path: &Path, env: &IdentityEnv, recipients: &[String]) -> Result<()> {
    let text = read_plaintext(path, env)?;
    Bundle::from_yaml(&text, &path.display().to_string())?;
    let ciphertext = encrypt(text.as_bytes(), recipients, path)?;
    fsutil::write_private(path, &ciphertext)
}

/// The decrypted text of the bundle file at `path`.
fn read_plaintext(path: &Path, env: &IdentityEnv) -> Result<String> {
    if !path.exists() {
        return Err(SecretsError::BundleMissing {
            path: path.to_path_buf(),
        });
    }
    let ciphertext = std::fs::read(path).map_err(|e| SecretsError::io(path, e))?;
    let identities = find_identities(env)?;
    let plain = decrypt(&ciphertext, &identities, path, env)?;
    String::from_utf8(plain).map_err(|_| SecretsError::Invalid {
        source_name: path.display().to_string(),
        reason: "decrypted content is not UTF-8 text".into(),
    })
}

/// Reads and decrypts the bundle at `path`. A missing file or one no identity opens is an error
/// that names the file and the fix; nothing is ever generated in its place.
pub fn load_bundle(path: &Path, env: &IdentityEnv) -> Result<Bundle> {
    let text = read_plaintext(path, env)?;
    Bundle::from_yaml(&text, &path.display().to_string())
}

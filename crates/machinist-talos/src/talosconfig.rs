//! The talosctl client configuration file ("talosconfig"). In: the file's YAML text (or the rules
//! that find it: `--talosconfig`, the project's `talosconfig`, `$TALOSCONFIG`, `~/.talos/config`).
//! Out: the selected context's endpoints and decoded PEM credentials (cluster CA, client
//! certificate, client key).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::Deserialize;

/// Why a talosconfig could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TalosConfigError {
    /// No file was given and none was found in the usual places.
    #[error(
        "no talosconfig found (looked for {looked}); pass --talosconfig FILE or create one with `machinist secrets gen`"
    )]
    NotFound {
        /// The places searched, in order.
        looked: String,
    },
    /// The file could not be read.
    #[error("cannot read talosconfig {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a talosconfig.
    #[error("{path}: not a valid talosconfig: {reason}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the YAML parser said.
        reason: String,
    },
    /// The selected context does not exist.
    #[error("{path}: context `{context}` not found (contexts: {known})")]
    NoContext {
        /// The file.
        path: PathBuf,
        /// The requested context.
        context: String,
        /// The contexts the file has.
        known: String,
    },
    /// A credential is missing or not base64.
    #[error("{path}: context `{context}` field `{field}` {problem}")]
    Credential {
        /// The file.
        path: PathBuf,
        /// The context.
        context: String,
        /// `ca`, `crt` or `key`.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

/// One context of a talosconfig, as written by talosctl.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Context {
    /// Addresses of the API endpoints (host, host:port or URL).
    #[serde(default)]
    pub endpoints: Vec<String>,
    /// Default target nodes (machinist targets the project's nodes instead).
    #[serde(default)]
    pub nodes: Vec<String>,
    /// Base64 of the PEM cluster (OS) CA certificate.
    #[serde(default)]
    pub ca: Option<String>,
    /// Base64 of the PEM client certificate.
    #[serde(default)]
    pub crt: Option<String>,
    /// Base64 of the PEM client private key.
    #[serde(default)]
    pub key: Option<String>,
}

/// A parsed talosconfig file.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TalosConfig {
    /// The name of the current context.
    #[serde(default)]
    pub context: Option<String>,
    /// Every context by name.
    #[serde(default)]
    pub contexts: BTreeMap<String, Context>,
    /// Where the file was read from (for messages).
    #[serde(skip)]
    pub path: PathBuf,
}

/// PEM material to talk to nodes with mutual TLS.
#[derive(Clone)]
pub struct Credentials {
    /// The cluster CA certificate(s), PEM.
    pub ca_pem: Vec<u8>,
    /// The client certificate, PEM.
    pub cert_pem: Vec<u8>,
    /// The client private key, PEM (Talos's `ED25519 PRIVATE KEY` label is accepted).
    pub key_pem: Vec<u8>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("ca_pem", &format_args!("{} bytes", self.ca_pem.len()))
            .field("cert_pem", &format_args!("{} bytes", self.cert_pem.len()))
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

/// Finds the talosconfig to use. Precedence: the explicit `--talosconfig` path, then the project's
/// own `talosconfig` file, then `$TALOSCONFIG`, then `~/.talos/config`. The project file comes
/// before the environment so a shell set up for another cluster never silently targets it.
pub fn locate(
    explicit: Option<&Path>,
    project_dir: Option<&Path>,
) -> Result<PathBuf, TalosConfigError> {
    let mut looked = Vec::new();
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(dir) = project_dir {
        let p = dir.join("talosconfig");
        if p.is_file() {
            return Ok(p);
        }
        looked.push(p.display().to_string());
    }
    if let Some(p) = std::env::var_os("TALOSCONFIG").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    looked.push("$TALOSCONFIG".into());
    if let Some(home) = std::env::var_os("HOME") {
        let p = Path::new(&home).join(".talos/config");
        if p.is_file() {
            return Ok(p);
        }
        looked.push(p.display().to_string());
    }
    Err(TalosConfigError::NotFound {
        looked: looked.join(", "),
    })
}

impl TalosConfig {
    /// Reads and parses a talosconfig file.
    pub fn load(path: &Path) -> Result<Self, TalosConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| TalosConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses talosconfig text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, TalosConfigError> {
        let mut cfg: TalosConfig =
            serde_yaml_ng::from_str(text).map_err(|e| TalosConfigError::Parse {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        cfg.path = path.to_path_buf();
        Ok(cfg)
    }

    /// The context named `name`, or the current one (the only one when `context` is unset).
    pub fn context(&self, name: Option<&str>) -> Result<(&str, &Context), TalosConfigError> {
        let wanted = name.map(str::to_owned).or_else(|| self.context.clone());
        let found = match &wanted {
            Some(w) => self.contexts.get_key_value(w.as_str()),
            None if self.contexts.len() == 1 => self.contexts.iter().next(),
            None => None,
        };
        found
            .map(|(k, v)| (k.as_str(), v))
            .ok_or_else(|| TalosConfigError::NoContext {
                path: self.path.clone(),
                context: wanted.unwrap_or_else(|| "(none selected)".into()),
                known: self.contexts.keys().cloned().collect::<Vec<_>>().join(", "),
            })
    }

    /// Decodes the mutual-TLS credentials of a context.
    pub fn credentials(&self, name: Option<&str>) -> Result<Credentials, TalosConfigError> {
        let (ctx_name, ctx) = self.context(name)?;
        let field = |field: &'static str, v: &Option<String>| {
            let v = v
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| TalosConfigError::Credential {
                    path: self.path.clone(),
                    context: ctx_name.to_owned(),
                    field,
                    problem: "is missing".into(),
                })?;
            base64::engine::general_purpose::STANDARD
                .decode(v.trim())
                .map_err(|e| TalosConfigError::Credential {
                    path: self.path.clone(),
                    context: ctx_name.to_owned(),
                    field,
                    problem: format!("is not base64: {e}"),
                })
        };
        Ok(Credentials {
            ca_pem: field("ca", &ctx.ca)?,
            cert_pem: field("crt", &ctx.crt)?,
            key_pem: field("key", &ctx.key)?,
        })
    }
}

/// Normalises an endpoint the way talosctl does: `https://host` without a port becomes
/// `host:443`, a URL is reduced to `host:port`, and a bare host gets port 50000.
pub fn normalize_endpoint(endpoint: &str) -> String {
    let e = endpoint.trim();
    if let Some((scheme, rest)) = e.split_once("://") {
        let hostport = rest.split('/').next().unwrap_or(rest);
        if has_port(hostport) {
            return hostport.to_owned();
        }
        let port = if scheme.eq_ignore_ascii_case("https") {
            443
        } else {
            80
        };
        return format!("{}:{port}", bracket(hostport));
    }
    if has_port(e) {
        e.to_owned()
    } else {
        format!("{}:50000", bracket(e))
    }
}

fn bracket(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

fn has_port(hostport: &str) -> bool {
    if let Some(rest) = hostport.strip_prefix('[') {
        return rest.contains("]:");
    }
    matches!(hostport.matches(':').count(), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_follow_talosctl_rules() {
        assert_eq!(normalize_endpoint("10.0.0.1"), "10.0.0.1:50000");
        assert_eq!(normalize_endpoint("10.0.0.1:1234"), "10.0.0.1:1234");
        assert_eq!(normalize_endpoint("https://cp.example"), "cp.example:443");
        assert_eq!(
            normalize_endpoint("https://cp.example:8443/x"),
            "cp.example:8443"
        );
        assert_eq!(normalize_endpoint("fd00::1"), "[fd00::1]:50000");
        assert_eq!(normalize_endpoint("[fd00::1]:50001"), "[fd00::1]:50001");
    }

    #[test]
    fn credentials_are_decoded_from_the_current_context() {
        let b = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let text = format!(
            "context: prod\ncontexts:\n  prod:\n    endpoints: [10.0.0.1]\n    ca: {}\n    crt: {}\n    key: {}\n  lab:\n    endpoints: []\n",
            b("CA"),
            b("CRT"),
            b("KEY")
        );
        let cfg = TalosConfig::parse(&text, Path::new("talosconfig")).unwrap();
        let creds = cfg.credentials(None).unwrap();
        assert_eq!(creds.ca_pem, b"CA");
        assert_eq!(creds.key_pem, b"KEY");
        assert_eq!(cfg.context(None).unwrap().1.endpoints, vec!["10.0.0.1"]);
        let err = cfg.credentials(Some("lab")).unwrap_err().to_string();
        assert_eq!(
            err, "talosconfig: context `lab` field `ca` is missing",
            "{err}"
        );
        let err = cfg.context(Some("nope")).unwrap_err().to_string();
        assert!(
            err.contains("context `nope` not found (contexts: lab, prod)"),
            "{err}"
        );
    }

    #[test]
    fn explicit_path_wins_and_project_file_beats_environment() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("talosconfig"), "contexts: {}\n").unwrap();
        let explicit = Path::new("/x/tc");
        assert_eq!(locate(Some(explicit), Some(dir.path())).unwrap(), explicit);
        assert_eq!(
            locate(None, Some(dir.path())).unwrap(),
            dir.path().join("talosconfig")
        );
    }
}

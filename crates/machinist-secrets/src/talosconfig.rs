//! talosconfig, the client credentials file of talosctl: the one model, reader and writer (the
//! node API client reads it through here too). In: a [`Bundle`] (its OS CA), a context name,
//! endpoints, nodes and roles — or the YAML text of an existing talosconfig. Out: a [`Talosconfig`]
//! whose current context holds the OS CA certificate and a fresh Ed25519 client certificate signed
//! by it (`O=` the roles, ClientAuth only, one year), written in talosctl's YAML layout; and, for a
//! client, the selected context's endpoints and mutual-TLS [`Credentials`].
//!
//! Reading follows talosctl (`pkg/machinery/client/config`): a context's deprecated `target` is
//! appended to its endpoints; a current context that `contexts` does not define is an error naming
//! it; `--context` must name a defined context. One addition: with no current context and exactly
//! one context, that context is used (talosctl would refuse).

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use crate::bundle::Bundle;
use crate::error::{Result, SecretsError};
use crate::fsutil;
use crate::pem;
use crate::yamlout::{Node, to_yaml};

/// The role given to generated client certificates when none is asked for.
pub const DEFAULT_ROLE: &str = "os:admin";

/// One talosconfig context, with PEM fields decoded.
#[derive(Clone, PartialEq, Eq)]
pub struct Context {
    /// Endpoints the client dials (`host`, `host:port` or URL).
    pub endpoints: Vec<String>,
    /// Default target nodes.
    pub nodes: Vec<String>,
    /// The CA certificate that signs apid server certificates, PEM.
    pub ca: Option<String>,
    /// The client certificate, PEM.
    pub crt: Option<String>,
    /// The client key, PEM (Talos writes Ed25519 keys as `ED25519 PRIVATE KEY`).
    pub key: Option<String>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("endpoints", &self.endpoints)
            .field("nodes", &self.nodes)
            .field("ca", &self.ca.as_ref().map(|_| "<pem>"))
            .field("crt", &self.crt.as_ref().map(|_| "<pem>"))
            .field("key", &self.key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Context {
    /// The client key as a standard PKCS#8 `PRIVATE KEY` PEM, which rustls and tonic load.
    pub fn key_pkcs8_pem(&self) -> Result<Option<String>> {
        self.key
            .as_deref()
            .map(|k| pem::key_to_pkcs8_pem(k).map_err(|e| SecretsError::pem("talosconfig key", e)))
            .transpose()
    }
}

/// A talosconfig file: the current context's name and every context in file order.
#[derive(Debug, Clone)]
pub struct Talosconfig {
    /// Name of the current context.
    pub context: String,
    /// Contexts in file order.
    pub contexts: Vec<(String, Context)>,
    /// Where the file was read from, for messages (empty for a generated one).
    pub source_name: String,
}

/// Two talosconfigs are equal when their contexts are; where they were read from does not count.
impl PartialEq for Talosconfig {
    fn eq(&self, other: &Self) -> bool {
        self.context == other.context && self.contexts == other.contexts
    }
}

impl Eq for Talosconfig {}

/// PEM material to talk to nodes with mutual TLS, from one context.
#[derive(Clone)]
pub struct Credentials {
    /// The cluster CA certificate(s), PEM.
    pub ca_pem: Vec<u8>,
    /// The client certificate, PEM.
    pub cert_pem: Vec<u8>,
    /// The client private key, PEM (any label Talos writes).
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

impl Talosconfig {
    /// A new talosconfig with one context named `name` (talosctl names it after the cluster), holding
    /// the bundle's OS CA and a new client certificate for `roles` (default `os:admin`). The bundle
    /// is only read.
    pub fn generate(
        name: &str,
        bundle: &Bundle,
        roles: &[String],
        endpoints: &[String],
        nodes: &[String],
    ) -> Result<Talosconfig> {
        let roles: Vec<String> = if roles.is_empty() {
            vec![DEFAULT_ROLE.to_string()]
        } else {
            roles.to_vec()
        };
        let client = bundle.os_ca()?.issue_client(&roles)?;
        Ok(Talosconfig {
            context: name.to_string(),
            contexts: vec![(
                name.to_string(),
                Context {
                    endpoints: endpoints.to_vec(),
                    nodes: nodes.to_vec(),
                    ca: Some(bundle.certs.os.crt.clone()),
                    crt: Some(client.cert_pem),
                    key: Some(client.key_pem),
                },
            )],
            source_name: String::new(),
        })
    }

    /// The current context.
    pub fn current(&self) -> Option<&Context> {
        self.contexts
            .iter()
            .find(|(n, _)| *n == self.context)
            .map(|(_, c)| c)
    }

    /// The context a client uses: `name` (from `--context`) when given, which must be defined;
    /// otherwise the current context; otherwise the only context.
    pub fn context(&self, name: Option<&str>) -> Result<(&str, &Context)> {
        let known = || {
            self.contexts
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let wanted = name.or((!self.context.is_empty()).then_some(self.context.as_str()));
        let found = match wanted {
            Some(w) => self.contexts.iter().find(|(n, _)| n == w),
            None if self.contexts.len() == 1 => self.contexts.first(),
            None => None,
        };
        found.map(|(n, c)| (n.as_str(), c)).ok_or_else(|| {
            let reason = match wanted {
                Some(w) => format!("context `{w}` not found (contexts: {})", known()),
                None if self.contexts.is_empty() => {
                    "no contexts defined; create one with `machinist talosconfig`".to_string()
                }
                None => format!(
                    "no current context set and several contexts defined ({}); pick one with --context",
                    known()
                ),
            };
            SecretsError::Talosconfig {
                source_name: self.source_name.clone(),
                reason,
            }
        })
    }

    /// The mutual-TLS credentials of the context [`Talosconfig::context`] selects; each of `ca`,
    /// `crt` and `key` must be present.
    pub fn credentials(&self, name: Option<&str>) -> Result<Credentials> {
        let (ctx_name, ctx) = self.context(name)?;
        let field = |field: &str, v: &Option<String>| {
            v.as_ref()
                .map(|v| v.clone().into_bytes())
                .ok_or_else(|| SecretsError::Talosconfig {
                    source_name: self.source_name.clone(),
                    reason: format!("context `{ctx_name}` field `{field}` is missing"),
                })
        };
        Ok(Credentials {
            ca_pem: field("ca", &ctx.ca)?,
            cert_pem: field("crt", &ctx.crt)?,
            key_pem: field("key", &ctx.key)?,
        })
    }

    /// Reads a talosconfig file.
    pub fn load(path: &Path) -> Result<Talosconfig> {
        let text = std::fs::read_to_string(path).map_err(|e| SecretsError::io(path, e))?;
        Self::from_yaml(&text, &path.display().to_string())
    }

    /// Parses talosconfig text; `source_name` names it in errors.
    pub fn from_yaml(text: &str, source_name: &str) -> Result<Talosconfig> {
        let raw: RawConfig = serde_yaml_ng::from_str(text).map_err(|e| SecretsError::Yaml {
            source_name: source_name.to_string(),
            reason: crate::error::yaml_reason(&e),
        })?;
        let decode = |v: Option<String>, name: &str, field: &str| -> Result<Option<String>> {
            match v.filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(b) => {
                    let field = format!("{source_name}: contexts.{name}.{field}");
                    let bytes =
                        STANDARD
                            .decode(b.trim().as_bytes())
                            .map_err(|_| SecretsError::Base64 {
                                field: field.clone(),
                            })?;
                    let text = String::from_utf8(bytes).map_err(|_| SecretsError::Base64 {
                        field: field.clone(),
                    })?;
                    pem::decode_one(&text).map_err(|e| SecretsError::pem(field, e))?;
                    Ok(Some(text))
                }
            }
        };
        let mut contexts = Vec::new();
        for (name, c) in raw.contexts.unwrap_or_default() {
            let yaml_err = |reason: String| SecretsError::Yaml {
                source_name: source_name.to_string(),
                reason,
            };
            let name = name
                .as_str()
                .ok_or_else(|| yaml_err("context names must be strings".into()))?
                .to_string();
            let c: RawContext = serde_yaml_ng::from_value(c).map_err(|e| {
                yaml_err(format!(
                    "contexts.{name}: {}",
                    crate::error::yaml_reason(&e)
                ))
            })?;
            let mut endpoints = c.endpoints.unwrap_or_default();
            if let Some(t) = c.target.filter(|t| !t.is_empty()) {
                endpoints.push(t);
            }
            let ctx = Context {
                endpoints,
                nodes: c.nodes.unwrap_or_default(),
                ca: decode(c.ca, &name, "ca")?,
                crt: decode(c.crt, &name, "crt")?,
                key: decode(c.key, &name, "key")?,
            };
            contexts.push((name, ctx));
        }
        let context = raw.context.unwrap_or_default();
        if !context.is_empty() && !contexts.iter().any(|(n, _)| *n == context) {
            return Err(SecretsError::Talosconfig {
                source_name: source_name.to_string(),
                reason: format!("current context `{context}` is not defined under `contexts`"),
            });
        }
        Ok(Talosconfig {
            context,
            contexts,
            source_name: source_name.to_string(),
        })
    }

    /// The file text in talosctl's layout (4-space indent; `endpoints` always written, `nodes`
    /// omitted when empty, PEM fields as base64).
    pub fn to_yaml(&self) -> String {
        let contexts = self.contexts.iter().map(|(name, c)| {
            let mut m = vec![(
                "endpoints",
                Node::Seq(c.endpoints.iter().map(Node::str).collect()),
            )];
            if !c.nodes.is_empty() {
                m.push(("nodes", Node::Seq(c.nodes.iter().map(Node::str).collect())));
            }
            for (k, v) in [("ca", &c.ca), ("crt", &c.crt), ("key", &c.key)] {
                if let Some(v) = v {
                    m.push((k, Node::str(STANDARD.encode(v.as_bytes()))));
                }
            }
            (name.clone(), Node::map(m))
        });
        to_yaml(&Node::map([
            ("context".to_string(), Node::str(&self.context)),
            ("contexts".to_string(), Node::map(contexts)),
        ]))
    }

    /// Writes the file atomically with mode 0600 (it holds a private key).
    pub fn save(&self, path: &Path) -> Result<()> {
        fsutil::write_private(path, self.to_yaml().as_bytes())
    }
}

#[derive(Deserialize)]
struct RawConfig {
    context: Option<String>,
    contexts: Option<serde_yaml_ng::Mapping>,
}

#[derive(Deserialize)]
struct RawContext {
    endpoints: Option<Vec<String>>,
    nodes: Option<Vec<String>>,
    ca: Option<String>,
    crt: Option<String>,
    key: Option<String>,
    target: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        STANDARD.encode(s)
    }

    const CERT: &str = "-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n";
    const KEY: &str =
        "-----BEGIN ED25519 PRIVATE KEY-----\nAQID\n-----END ED25519 PRIVATE KEY-----\n";

    #[test]
    fn an_undefined_current_context_is_an_error_naming_it() {
        let err = Talosconfig::from_yaml(
            "context: prod\ncontexts:\n    lab:\n        endpoints: [10.0.0.1]\n",
            "tc.yaml",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "tc.yaml: current context `prod` is not defined under `contexts`"
        );
    }

    #[test]
    fn a_single_context_without_a_current_one_is_used_and_several_are_refused() {
        let one =
            Talosconfig::from_yaml("contexts:\n    lab:\n        endpoints: [10.0.0.1]\n", "tc")
                .unwrap();
        assert_eq!(one.context(None).unwrap().0, "lab");
        let two = Talosconfig::from_yaml("contexts:\n    a: {}\n    b: {}\n", "tc").unwrap();
        let err = two.context(None).unwrap_err().to_string();
        assert!(err.contains("several contexts defined (a, b)"), "{err}");
        assert_eq!(two.context(Some("b")).unwrap().0, "b");
        let err = two.context(Some("c")).unwrap_err().to_string();
        assert_eq!(err, "tc: context `c` not found (contexts: a, b)");
    }

    #[test]
    fn target_is_appended_to_endpoints_and_nodes_are_kept() {
        let tc = Talosconfig::from_yaml(
            "context: a\ncontexts:\n    a:\n        target: 10.0.0.9\n        endpoints: [10.0.0.1]\n        nodes: [10.0.0.2]\n",
            "tc",
        )
        .unwrap();
        let (_, c) = tc.context(None).unwrap();
        assert_eq!(c.endpoints, ["10.0.0.1", "10.0.0.9"]);
        assert_eq!(c.nodes, ["10.0.0.2"]);
        // Written back without `target`, as talosctl's upgrade does.
        assert!(!tc.to_yaml().contains("target"));
    }

    #[test]
    fn credentials_are_decoded_pem_and_a_missing_field_is_named() {
        let text = format!(
            "context: prod\ncontexts:\n    prod:\n        ca: {}\n        crt: {}\n        key: {}\n    lab:\n        crt: {}\n",
            b64(CERT),
            b64(CERT),
            b64(KEY),
            b64(CERT)
        );
        let tc = Talosconfig::from_yaml(&text, "tc").unwrap();
        let creds = tc.credentials(None).unwrap();
        assert_eq!(creds.ca_pem, CERT.as_bytes());
        assert_eq!(creds.key_pem, KEY.as_bytes());
        assert!(!format!("{creds:?}").contains("AQID"));
        let err = tc.credentials(Some("lab")).unwrap_err().to_string();
        assert_eq!(err, "tc: context `lab` field `ca` is missing");
    }
}

//! The legacy `machine.registries` section: image registry mirrors, TLS and credentials. In: the
//! YAML mapping under `machine.registries`. Out: [`RegistriesConfig`]. From v1.12 on the same is
//! written as `RegistryMirrorConfig`, `RegistryTLSConfig` and `RegistryAuthConfig` documents.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{CertificateAndKey, Flag};

/// Registry mirrors and per-registry settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.RegistriesConfig")]
pub struct RegistriesConfig {
    /// Mirrors keyed by registry host (the first part of an image reference, `docker.io` when
    /// it has none, with the port if any). The key `*` sets a mirror for every registry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirrors: Option<BTreeMap<String, RegistryMirrorConfig>>,
    /// TLS and authentication keyed by registry host and port. `*` is not allowed here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<BTreeMap<String, RegistryConfig>>,
}

/// Mirrors of one registry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.RegistryMirrorConfig")]
pub struct RegistryMirrorConfig {
    /// Mirror URLs, tried in order. The scheme chooses HTTP or HTTPS; the path defaults to
    /// `/v2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<String>>,
    /// Use each endpoint's path as written instead of appending `/v2/` (for several mirrors
    /// served by one registry).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub override_path: Option<Flag>,
    /// Never fall back to the original registry when the mirrors fail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_fallback: Option<Flag>,
}

/// TLS and authentication for one registry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.RegistryConfig")]
pub struct RegistryConfig {
    /// TLS settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<RegistryTLSConfig>,
    /// Credentials. Containerd only picks up changes after a reboot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<RegistryAuthConfig>,
}

/// Credentials for a registry, with the meaning they have in `~/.docker/config.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.RegistryAuthConfig")]
pub struct RegistryAuthConfig {
    /// User name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Base64 of `user:password`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<String>,
    /// Bearer token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_token: Option<String>,
}

/// TLS settings for a registry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.RegistryTLSConfig")]
pub struct RegistryTLSConfig {
    /// Client certificate and key for mutual TLS, each base64 of the PEM text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_identity: Option<CertificateAndKey>,
    /// CA certificate to trust for this registry, base64 of the PEM text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca: Option<String>,
    /// Do not verify the registry's certificate (unsafe).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure_skip_verify: Option<Flag>,
}

//! Container runtime (containerd/CRI) documents: registry mirrors, credentials and TLS, image
//! cache,
//! base runtime spec and containerd customisations. In: YAML documents of those kinds. Out: typed
//! values and their JSON schemas.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

kind_tag!(CRIBaseRuntimeSpecConfigKind, "CRIBaseRuntimeSpecConfig");
kind_tag!(CRICustomizationConfigKind, "CRICustomizationConfig");
kind_tag!(ImageCacheConfigKind, "ImageCacheConfig");
kind_tag!(RegistryAuthConfigKind, "RegistryAuthConfig");
kind_tag!(RegistryMirrorConfigKind, "RegistryMirrorConfig");
kind_tag!(RegistryTLSConfigKind, "RegistryTLSConfig");

/// Changes to the base OCI runtime spec used for every CRI container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct CRIBaseRuntimeSpecConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `CRIBaseRuntimeSpecConfig`.
    pub kind: CRIBaseRuntimeSpecConfigKind,
    /// Fields merged into the default OCI runtime spec of CRI containers (cannot be combined with
    /// `machine.baseRuntimeSpecOverrides`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<Object>,
}

/// A named fragment of containerd (CRI) configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct CRICustomizationConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `CRICustomizationConfig`.
    pub kind: CRICustomizationConfigKind,
    /// Name of the customisation; fragments are merged in name order.
    pub name: String,
    /// containerd configuration fragment, in TOML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

/// Settings of the image cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct ImageCacheConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `ImageCacheConfig`.
    pub kind: ImageCacheConfigKind,
    /// Image cache stored on the machine itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<LocalImageCacheConfig>,
}

/// Settings of the on-machine image cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LocalImageCacheConfig {
    /// Whether the local image cache is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// Credentials for one registry endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct RegistryAuthConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `RegistryAuthConfig`.
    pub kind: RegistryAuthConfigKind,
    /// Registry endpoint host (and port) the credentials are for, for example
    /// `my-mirror.local:5000`.
    pub name: String,
    /// User name for basic authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Password for basic authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Pre-encoded `auth` string, as in a Docker config file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<String>,
    /// Identity (refresh) token to authenticate with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_token: Option<String>,
}

/// One mirror endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RegistryEndpoint {
    /// URL of the mirror, for example `https://mirror.local:5000`.
    #[schemars(pattern(r"^(http|https)://"))]
    pub url: String,
    /// Use the URL's path as given instead of appending `/v2/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_path: Option<bool>,
}

/// Mirror endpoints used instead of (or before) one registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct RegistryMirrorConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `RegistryMirrorConfig`.
    pub kind: RegistryMirrorConfigKind,
    /// Registry the mirrors stand in for (the first part of image names, such as `docker.io`), or
    /// `*` for every registry.
    pub name: String,
    /// Mirror endpoints, tried in order before the original registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<RegistryEndpoint>>,
    /// Never fall back to the original registry when no mirror serves the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_fallback: Option<bool>,
}

/// TLS settings for one registry endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.12"))]
pub struct RegistryTLSConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `RegistryTLSConfig`.
    pub kind: RegistryTLSConfigKind,
    /// Registry endpoint host (and port) the TLS settings are for.
    pub name: String,
    /// Client certificate and key (PEM) for mutual TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_identity: Option<RegistryClientIdentity>,
    /// CA certificate (PEM) trusted for this registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca: Option<String>,
    /// Do not verify the registry's certificate (unsafe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure_skip_verify: Option<bool>,
}

/// Client certificate and key presented to a registry for mutual TLS. The v1.13 schema names the
/// certificate `crt`; from v1.14 it is `cert`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RegistryClientIdentity {
    /// The client certificate, PEM-encoded (spelling used up to v1.13).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-removed" = "v1.14"))]
    pub crt: Option<String>,
    /// The client certificate, PEM-encoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-talos-since" = "v1.14"))]
    pub cert: Option<String>,
    /// The client private key, PEM-encoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

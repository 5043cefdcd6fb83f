//! Trust documents: extra trusted CA roots and the image signature verification policy. In: YAML
//! documents of those kinds. Out: typed values and their JSON schemas.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

kind_tag!(TrustedRootsConfigKind, "TrustedRootsConfig");
kind_tag!(ImageVerificationConfigKind, "ImageVerificationConfig");

/// Extra CA certificates the node trusts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TrustedRootsConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `TrustedRootsConfig`.
    pub kind: TrustedRootsConfigKind,
    /// Name of this set of roots.
    pub name: String,
    /// PEM CA certificates, several concatenated in one string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificates: Option<String>,
}

/// Image signature verification policy: an ordered list of rules matched against each image
/// reference Talos pulls; the first rule whose pattern matches decides how the image is checked.
/// Talos's decoder accepts this kind although the published schema leaves it out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.13"))]
pub struct ImageVerificationConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `ImageVerificationConfig`.
    pub kind: ImageVerificationConfigKind,
    /// Verification rules, tried in order; the first match wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<ImageVerificationRule>>,
}

/// One image verification rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ImageVerificationRule {
    /// Glob pattern the image's registry and repository must match (tag and digest are ignored),
    /// for example `ghcr.io/siderolabs/*`. References are normalised first, so Docker Hub
    /// images are written `docker.io/library/nginx*`.
    pub image: String,
    /// Accept matching images without checking any signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip: Option<bool>,
    /// Refuse to pull matching images at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deny: Option<bool>,
    /// Require a keyless (Sigstore/Fulcio) signature from the given identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyless: Option<KeylessVerifier>,
    /// Require a signature made with the given public key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<PublicKeyVerifier>,
}

/// The signer identity a keyless signature must carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KeylessVerifier {
    /// OIDC issuer that vouched for the signer (for example `https://accounts.google.com`).
    pub issuer: String,
    /// Exact signer identity (e-mail address or URI) required in the certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Regular expression the signer identity must match, instead of an exact `subject`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_regex: Option<String>,
}

/// A fixed key that image signatures must verify against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PublicKeyVerifier {
    /// PEM certificate carrying the public key that must have signed the image.
    pub certificate: String,
}

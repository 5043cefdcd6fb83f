//! Cluster membership documents: the discovery-service identity and endpoints, and the SideroLink
//! connection to Omni. In: YAML documents of those kinds. Out: typed values and their JSON schemas.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

kind_tag!(DiscoveryIdentityConfigKind, "DiscoveryIdentityConfig");
kind_tag!(DiscoveryServiceConfigKind, "DiscoveryServiceConfig");
kind_tag!(SideroLinkConfigKind, "SideroLinkConfig");

/// The cluster identity (ID and shared secret) used with the discovery service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct DiscoveryIdentityConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `DiscoveryIdentityConfig`.
    pub kind: DiscoveryIdentityConfigKind,
    /// Cluster identifier shared by every member: 32 random bytes, base64-encoded.
    #[serde(rename = "clusterID")]
    pub cluster_id: String,
    /// Secret shared by the members to encrypt what they publish (32 random bytes, base64); never
    /// sent to the service.
    pub cluster_secret: String,
}

/// A discovery service the node registers with and learns the other members from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("x-talos-since" = "v1.14"))]
pub struct DiscoveryServiceConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `DiscoveryServiceConfig`.
    pub kind: DiscoveryServiceConfigKind,
    /// Name of this discovery service entry (for example `default`).
    pub name: String,
    /// URL of the discovery service, for example `https://discovery.talos.dev/`.
    #[schemars(pattern(r"^(http|https|grpc)://"))]
    pub endpoint: String,
}

/// Connects the node to Omni (or another SideroLink endpoint) over a WireGuard tunnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SideroLinkConfig {
    /// The API version of the document; always `v1alpha1`.
    pub api_version: ApiVersion,
    /// The document kind; always `SideroLinkConfig`.
    pub kind: SideroLinkConfigKind,
    /// SideroLink API URL to connect to, including the join token as a query parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^(https|grpc)://"))]
    pub api_url: Option<String>,
    /// Per-machine token presented on connection; a value stored in META takes precedence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique_token: Option<String>,
}

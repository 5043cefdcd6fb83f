//! Building blocks shared by every multi-document kind. In: nothing. Out: the `apiVersion` and
//! `kind` tag types, free-form objects, and small value types (argument values, port specs,
//! certificate pairs) that several kinds reuse.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A free-form YAML object whose contents Talos passes through to another component (for example a
/// Kubernetes configuration file embedded in a document).
pub type Object = serde_json::Map<String, serde_json::Value>;

/// A string-keyed map of values, ordered by key.
pub type StringMap<T> = BTreeMap<String, T>;

/// The `apiVersion` of every multi-document kind: `v1alpha1`, the only version Talos defines for
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[schemars(inline)]
pub enum ApiVersion {
    #[default]
    #[serde(rename = "v1alpha1")]
    V1Alpha1,
}

/// Declares the single-value type that pins a document's `kind` field to its kind name.
macro_rules! kind_tag {
    ($name:ident, $kind:literal) => {
        #[doc = concat!("The `kind` of the document: always `", $kind, "`.")]
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Default,
            serde::Serialize,
            serde::Deserialize,
            schemars::JsonSchema,
        )]
        #[schemars(inline)]
        pub enum $name {
            #[default]
            #[serde(rename = $kind)]
            Tag,
        }
    };
}
pub(crate) use kind_tag;

/// The value of one extra command-line argument: a single string, or a list of strings when the
/// flag is repeated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ArgValue {
    /// The flag is passed once with this value.
    One(String),
    /// The flag is passed once per value.
    Many(Vec<String>),
}

/// A firewall port: a single port number, or a range written `from-to` (for example `8000-8100`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PortSpec {
    /// One port.
    Port(u16),
    /// A single port or an inclusive range, as text.
    Range(String),
}

/// A PEM-encoded certificate with its private key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CertAndKey {
    /// The certificate, PEM-encoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert: Option<String>,
    /// The private key, PEM-encoded. Leave it out on nodes that only need to trust the certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

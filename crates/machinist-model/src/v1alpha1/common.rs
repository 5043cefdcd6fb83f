//! Value shapes shared by several sections of the v1alpha1 document. In: YAML scalars, lists and
//! maps as Talos's Go decoder accepts them. Out: typed values and the JSON schema fragments that
//! describe what is accepted (for instance a map value that may be a string, a number or a bool).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A free-form object passed through to another program unchanged (a Kubernetes manifest, a
/// kubelet configuration fragment, an OCI runtime spec patch). Talos does not check its contents.
pub type Unstructured = serde_json::Map<String, serde_json::Value>;

/// A map of names to scalar values (labels, annotations, sysctls, environment variables).
pub type ScalarMap = BTreeMap<String, Scalar>;

/// Command-line flags for a component: flag name (without the leading `--`) to value.
pub type ExtraArgs = BTreeMap<String, ArgValue>;

/// A scalar written where Talos stores a string.
///
/// Talos's YAML decoder copies the text of any scalar into a string field, so `22`, `true` and
/// `1.5` are accepted and become `"22"`, `"true"` and `"1.5"`. Real configs rely on this for
/// sysctls and flags (`net.ipv4.ip_forward: 1`), so the model accepts the same.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Scalar(pub String);

impl Scalar {
    /// The value as Talos sees it: the scalar's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Scalar {
    fn from(s: &str) -> Self {
        Scalar(s.to_string())
    }
}

impl Serialize for Scalar {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

struct ScalarVisitor;

impl Visitor<'_> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number or boolean")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

impl JsonSchema for Scalar {
    fn schema_name() -> Cow<'static, str> {
        "v1alpha1.Scalar".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": ["string", "number", "boolean"],
            "description": "A string; numbers and booleans are accepted and read as their text."
        })
    }
}

/// The value of one command-line flag: a single value, or a list that repeats the flag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ArgValue {
    /// One value: the flag is passed once.
    One(Scalar),
    /// Several values: the flag is passed once per value.
    #[schemars(extend("x-talos-since" = "v1.13"))]
    Many(Vec<Scalar>),
}

/// A certificate and its private key, each the base64 encoding of a PEM block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.CertificateAndKey")]
pub struct CertificateAndKey {
    /// The certificate: base64 of the PEM text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crt: Option<String>,
    /// The private key: base64 of the PEM text. Empty on nodes that only need to trust the
    /// certificate (workers carry the certificate alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// A certificate without its key, as base64 of the PEM text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.Certificate")]
pub struct Certificate {
    /// The certificate: base64 of the PEM text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crt: Option<String>,
}

/// A private key alone, as base64 of the PEM text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.PrivateKey")]
pub struct PrivateKey {
    /// The private key: base64 of the PEM text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// A Go duration such as `30s`, `5m`, `1h30m` or `8760h`.
pub const DURATION_PATTERN: &str = r"^[-+]?(((\d+(\.\d*)?|\d*(\.\d+)+)([nuµm]?s|m|h))|0)+$";

/// A byte size: a number of bytes, or a human-readable size such as `100 MB` or `4GiB`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ByteSize {
    /// A number of bytes.
    Bytes(u64),
    /// A size with a unit, such as `512MiB` or `1 TB`.
    Text(String),
}

/// Extra volume mounted into a control-plane static pod.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.VolumeMountConfig")]
pub struct VolumeMountConfig {
    /// Directory or file on the node to mount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_path: Option<String>,
    /// Where the volume appears inside the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mount_path: Option<String>,
    /// Mount the volume read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readonly: Option<bool>,
}

/// CPU and memory requests and limits of a control-plane static pod, in Kubernetes quantity
/// notation (for example `cpu: 500m`, `memory: 1Gi`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.ResourcesConfig")]
pub struct ResourcesConfig {
    /// Resources reserved for the container (`cpu`, `memory`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<Unstructured>,
    /// Upper bounds on what the container may use (`cpu`, `memory`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<Unstructured>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_accepts_numbers_and_bools_as_their_text() {
        let m: ScalarMap = serde_yaml_ng::from_str("a: 1\nb: true\nc: x\nd: 1.5\n").unwrap();
        assert_eq!(m["a"].as_str(), "1");
        assert_eq!(m["b"].as_str(), "true");
        assert_eq!(m["c"].as_str(), "x");
        assert_eq!(m["d"].as_str(), "1.5");
        assert!(serde_yaml_ng::from_str::<ScalarMap>("a: [1]\n").is_err());
        assert!(serde_yaml_ng::from_str::<ScalarMap>("a: {b: c}\n").is_err());
    }

    #[test]
    fn extra_args_take_one_value_or_a_list() {
        let m: ExtraArgs = serde_yaml_ng::from_str(
            "feature-gates: A=true\nnode-cidr-mask-size: 22\ntls: [a, b]\n",
        )
        .unwrap();
        assert_eq!(m["feature-gates"], ArgValue::One("A=true".into()));
        assert_eq!(m["node-cidr-mask-size"], ArgValue::One("22".into()));
        assert_eq!(m["tls"], ArgValue::Many(vec!["a".into(), "b".into()]));
    }
}

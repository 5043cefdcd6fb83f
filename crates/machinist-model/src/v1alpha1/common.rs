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
/// `1.5` are accepted and become `"22"`, `"true"` and `"1.5"`, and a missing value becomes `""`.
/// Real configs rely on this for sysctls, flags and labels (`net.ipv4.ip_forward: 1`,
/// `node-role.kubernetes.io/worker:`), so the model accepts the same.
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

    /// A key with no value (`node-role.kubernetes.io/worker:`) is the empty string to Talos.
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar(String::new()))
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
            "type": ["string", "number", "boolean", "null"],
            "description": "A string; numbers and booleans are read as their text, and no value as the empty string."
        })
    }
}

/// The value of one command-line flag: a single value, or a list that repeats the flag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "v1alpha1.ArgValue")]
pub enum ArgValue {
    /// One value: the flag is passed once.
    One(Scalar),
    /// Several values: the flag is passed once per value.
    #[schemars(extend("x-talos-since" = "v1.13"))]
    Many(Vec<Scalar>),
}

/// A boolean as Talos reads it.
///
/// Besides `true` and `false`, Talos's YAML library takes the YAML 1.1 spellings `yes`/`no`,
/// `on`/`off` and `y`/`n` (in lower, title or upper case) for boolean fields, even when quoted;
/// Talos's own documentation lists `yes` and `no` as allowed values. A YAML 1.2 reader sees those
/// words as strings, so the model reads them here. It always writes `true` or `false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flag(pub bool);

/// The spellings Talos's YAML library reads as `true`, apart from the booleans themselves.
const YAML11_TRUE: [&str; 8] = ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"];
/// The spellings Talos's YAML library reads as `false`, apart from the booleans themselves.
const YAML11_FALSE: [&str; 8] = ["n", "N", "no", "No", "NO", "off", "Off", "OFF"];

impl Flag {
    /// The value.
    pub fn get(self) -> bool {
        self.0
    }
}

impl From<bool> for Flag {
    fn from(b: bool) -> Self {
        Flag(b)
    }
}

impl PartialEq<bool> for Flag {
    fn eq(&self, other: &bool) -> bool {
        self.0 == *other
    }
}

impl Serialize for Flag {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(self.0)
    }
}

struct FlagVisitor;

impl Visitor<'_> for FlagVisitor {
    type Value = Flag;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("true or false")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Flag, E> {
        Ok(Flag(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Flag, E> {
        if YAML11_TRUE.contains(&v) {
            Ok(Flag(true))
        } else if YAML11_FALSE.contains(&v) {
            Ok(Flag(false))
        } else {
            Err(E::custom(format!(
                "expected true or false, found the string `{v}`"
            )))
        }
    }
}

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FlagVisitor)
    }
}

impl JsonSchema for Flag {
    fn schema_name() -> Cow<'static, str> {
        "v1alpha1.Flag".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let words: Vec<&str> = YAML11_TRUE.iter().chain(&YAML11_FALSE).copied().collect();
        json_schema!({
            "anyOf": [
                {"type": "boolean"},
                {"type": "string", "enum": words}
            ]
        })
    }
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
#[schemars(rename = "v1alpha1.ByteSize")]
pub enum ByteSize {
    /// A number of bytes.
    Bytes(u64),
    /// A size with a unit, such as `512MiB` or `1 TB`.
    Text(String),
}

/// Unix permission bits of a file.
///
/// Talos reads YAML 1.1 integers here, so `0644` is octal like `0o644`. A YAML 1.2 reader (such
/// as the one machinist uses) sees `0644` as the string `"0644"`; the model reads that string as
/// octal too, so both spellings mean what Talos makes of them. It is written back as a plain
/// integer, which every reader agrees on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FileMode(pub u32);

impl Serialize for FileMode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(self.0)
    }
}

struct FileModeVisitor;

impl Visitor<'_> for FileModeVisitor {
    type Value = FileMode;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("file permissions as an integer such as 0o644 or 420")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<FileMode, E> {
        u32::try_from(v)
            .map(FileMode)
            .map_err(|_| E::custom(format!("file permissions {v} are out of range")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<FileMode, E> {
        u64::try_from(v)
            .map_err(|_| E::custom(format!("file permissions {v} are negative")))
            .and_then(|v| self.visit_u64(v))
    }

    /// Only the YAML 1.1 octal spelling (`0644`) reaches here as a string when the YAML was read
    /// as 1.2; anything else (a quoted `"0o644"` or `"420"`) is a string to Talos as well, which
    /// it refuses.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<FileMode, E> {
        let octal = v
            .strip_prefix('0')
            .filter(|d| !d.is_empty() && d.bytes().all(|b| (b'0'..=b'7').contains(&b)));
        match octal.map(|d| u32::from_str_radix(d, 8)) {
            Some(Ok(mode)) => Ok(FileMode(mode)),
            _ => Err(E::custom(format!(
                "file permissions `{v}` must be a number, not a string: write them as 0o644"
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for FileMode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FileModeVisitor)
    }
}

impl JsonSchema for FileMode {
    fn schema_name() -> Cow<'static, str> {
        "v1alpha1.FileMode".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "anyOf": [
                {"type": "integer", "minimum": 0},
                {"type": "string", "pattern": "^0[0-7]{1,4}$"}
            ],
            "description": "Unix permission bits, usually in octal: 0o644 (or 0644)."
        })
    }
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
    pub readonly: Option<Flag>,
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
        let m: ScalarMap = serde_yaml_ng::from_str("a: 1\nb: true\nc: x\nd: 1.5\ne:\n").unwrap();
        assert_eq!(m["e"].as_str(), "");
        assert_eq!(m["a"].as_str(), "1");
        assert_eq!(m["b"].as_str(), "true");
        assert_eq!(m["c"].as_str(), "x");
        assert_eq!(m["d"].as_str(), "1.5");
        assert!(serde_yaml_ng::from_str::<ScalarMap>("a: [1]\n").is_err());
        assert!(serde_yaml_ng::from_str::<ScalarMap>("a: {b: c}\n").is_err());
    }

    #[test]
    fn file_mode_reads_octal_spellings_and_writes_an_integer() {
        let m: BTreeMap<String, FileMode> =
            serde_yaml_ng::from_str("a: 0o644\nb: 0644\nc: 420\nd: 0o600\n").unwrap();
        assert_eq!(m["a"], FileMode(0o644));
        assert_eq!(m["b"], FileMode(0o644));
        assert_eq!(m["c"], FileMode(0o644));
        assert_eq!(m["d"], FileMode(0o600));
        assert_eq!(serde_yaml_ng::to_string(&m["a"]).unwrap(), "420\n");
        for bad in [
            "a: '0o644'\n",
            "a: '420'\n",
            "a: '0'\n",
            "a: 0o9\n",
            "a: rw\n",
            "a: -1\n",
            "a: ''\n",
        ] {
            let err = serde_yaml_ng::from_str::<BTreeMap<String, FileMode>>(bad).unwrap_err();
            assert!(err.to_string().contains("permissions"), "{bad}: {err}");
        }
    }

    #[test]
    fn flags_read_yaml_1_1_words_and_write_booleans() {
        let m: BTreeMap<String, Flag> =
            serde_yaml_ng::from_str("a: yes\nb: 'Off'\nc: true\nd: N\ne: ON\n").unwrap();
        assert_eq!(m["a"], Flag(true));
        assert_eq!(m["b"], Flag(false));
        assert_eq!(m["c"], Flag(true));
        assert_eq!(m["d"], Flag(false));
        assert_eq!(m["e"], Flag(true));
        assert_eq!(serde_yaml_ng::to_string(&m["a"]).unwrap(), "true\n");
        // Talos refuses a quoted `"true"` and numbers for boolean fields.
        for bad in ["a: 'true'\n", "a: 1\n", "a: maybe\n", "a: yEs\n"] {
            assert!(
                serde_yaml_ng::from_str::<BTreeMap<String, Flag>>(bad).is_err(),
                "{bad}"
            );
        }
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

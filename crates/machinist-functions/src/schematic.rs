//! Talos Image Factory schematics, computed offline. In: a schematic as a JSON-like value (the
//! same map a user would POST to the factory). Out: the schematic ID (lowercase hex SHA-256 of
//! the canonical YAML the factory hashes) and installer image references built from it.
//!
//! The factory parses schematics strictly (unknown keys are errors) into Go structs and hashes
//! `yaml.Marshal` of them, so this module does the same: [`Schematic::from_value`] checks the
//! shape and rejects unknown keys, and [`Schematic::canonical_yaml`] writes the struct the way
//! yaml.v3 would (field order overlay, customization; `omitempty` fields dropped; `customization:
//! {}` when empty; 4-space indentation; see [`crate::goyaml`] for the quoting rules). List order
//! is kept as given: the factory does not sort extensions, so order changes the ID.
//!
//! Supported fields: `overlay.{image, name, options}`, `customization.extraKernelArgs`,
//! `customization.meta[].{key, value}`, `customization.systemExtensions.officialExtensions`,
//! `customization.secureboot.includeWellKnownCertificates`. Overlay options may hold any mix of
//! strings, numbers, booleans, nulls, lists and maps (map keys are sorted as yaml.v3 sorts them).
//! Multi-line strings are written as yaml.v3 writes them (literal block scalars); the one form
//! that is not reproduced (text containing the Unicode separators U+2028/U+2029) and map keys
//! with line breaks are errors rather than wrong IDs.

use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use crate::goyaml::{self, Node};

/// A schematic that cannot be hashed, or an installer reference that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchematicError {
    /// A key the factory does not know.
    #[error("unknown key `{path}` in the schematic (expected one of: {expected})")]
    UnknownKey {
        /// Dotted path of the key.
        path: String,
        /// The keys allowed at that level.
        expected: &'static str,
    },
    /// A value of the wrong type or range.
    #[error("`{path}` must be {expected}, got {got}")]
    WrongType {
        /// Dotted path of the value.
        path: String,
        /// What was expected.
        expected: &'static str,
        /// A short rendering of what was found.
        got: String,
    },
    /// A required key is missing.
    #[error("`{path}` is required")]
    Missing {
        /// Dotted path of the missing key.
        path: String,
    },
    /// A value the offline marshaller does not reproduce byte for byte.
    #[error("`{path}`: {reason}")]
    Unsupported {
        /// Dotted path of the value.
        path: String,
        /// Why it cannot be hashed offline.
        reason: String,
    },
    /// A string that is not a 64-character lowercase hex schematic ID.
    #[error("{0:?} is not a schematic ID (expected 64 lowercase hex characters)")]
    BadId(String),
    /// A Talos version that cannot be an image tag.
    #[error("{0:?} is not a Talos version (expected a tag such as v1.12.7)")]
    BadVersion(String),
    /// A factory host that cannot prefix an image reference.
    #[error(
        "{0:?} is not an image registry host (expected a host such as factory.talos.dev, without https://)"
    )]
    BadFactory(String),
}

type Result<T> = std::result::Result<T, SchematicError>;

/// The default public Image Factory host.
pub const DEFAULT_FACTORY: &str = "factory.talos.dev";

/// A parsed Image Factory schematic.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schematic {
    /// Board overlay (single-board computers).
    pub overlay: Overlay,
    /// Changes to the Talos image.
    pub customization: Customization,
}

/// A board overlay.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overlay {
    /// Overlay image, e.g. `siderolabs/sbc-raspberrypi`.
    pub image: String,
    /// Overlay name, e.g. `rpi_generic`.
    pub name: String,
    /// Free-form overlay options, keys sorted as yaml.v3 sorts them.
    pub options: Vec<(String, Json)>,
}

/// Image customization.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Customization {
    /// Extra kernel command-line arguments, in order.
    pub extra_kernel_args: Vec<String>,
    /// Initial META partition values, in order.
    pub meta: Vec<MetaValue>,
    /// Official system extensions (`siderolabs/...`), in order.
    pub official_extensions: Vec<String>,
    /// Whether secure-boot images enroll the well-known UEFI certificates.
    pub include_well_known_certificates: bool,
}

/// One initial META value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaValue {
    /// META key, 0–255.
    pub key: u8,
    /// The value.
    pub value: String,
}

impl Overlay {
    fn is_zero(&self) -> bool {
        self.image.is_empty() && self.name.is_empty() && self.options.is_empty()
    }
}

impl Schematic {
    /// Reads a schematic from a JSON-like value, rejecting unknown keys and wrong types. `null`
    /// anywhere means "not set", as in the factory's Go decoder.
    pub fn from_value(value: &Json) -> Result<Self> {
        let mut out = Schematic::default();
        for (key, v) in object(value, "schematic")? {
            match key.as_str() {
                "overlay" => out.overlay = overlay(v)?,
                "customization" => out.customization = customization(v)?,
                other => return Err(unknown(other, "", "overlay, customization")),
            }
        }
        Ok(out)
    }

    /// The YAML text the factory hashes, byte for byte.
    pub fn canonical_yaml(&self) -> Result<String> {
        let mut root = Vec::new();
        if !self.overlay.is_zero() {
            let mut o = vec![
                ("image".to_string(), Node::Str(self.overlay.image.clone())),
                ("name".to_string(), Node::Str(self.overlay.name.clone())),
            ];
            if !self.overlay.options.is_empty() {
                let options = self
                    .overlay
                    .options
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), json_node(v, &format!("overlay.options.{k}"))?)))
                    .collect::<Result<Vec<_>>>()?;
                o.push(("options".to_string(), Node::Map(options)));
            }
            root.push(("overlay".to_string(), Node::Map(o)));
        }
        let c = &self.customization;
        let mut cust = Vec::new();
        let strings = |list: &[String]| Node::Seq(list.iter().cloned().map(Node::Str).collect());
        if !c.extra_kernel_args.is_empty() {
            cust.push(("extraKernelArgs".to_string(), strings(&c.extra_kernel_args)));
        }
        if !c.meta.is_empty() {
            let items = c
                .meta
                .iter()
                .map(|m| {
                    Node::Map(vec![
                        ("key".to_string(), Node::Uint(u64::from(m.key))),
                        ("value".to_string(), Node::Str(m.value.clone())),
                    ])
                })
                .collect();
            cust.push(("meta".to_string(), Node::Seq(items)));
        }
        if !c.official_extensions.is_empty() {
            cust.push((
                "systemExtensions".to_string(),
                Node::Map(vec![(
                    "officialExtensions".to_string(),
                    strings(&c.official_extensions),
                )]),
            ));
        }
        if c.include_well_known_certificates {
            cust.push((
                "secureboot".to_string(),
                Node::Map(vec![(
                    "includeWellKnownCertificates".to_string(),
                    Node::Bool(true),
                )]),
            ));
        }
        root.push(("customization".to_string(), Node::Map(cust)));
        goyaml::marshal(&Node::Map(root)).map_err(|e| SchematicError::Unsupported {
            path: "schematic".to_string(),
            reason: e.0,
        })
    }

    /// The schematic ID: lowercase hex SHA-256 of [`Schematic::canonical_yaml`].
    pub fn id(&self) -> Result<String> {
        Ok(hex::encode(Sha256::digest(
            self.canonical_yaml()?.as_bytes(),
        )))
    }
}

/// Computes the schematic ID of a schematic given as a JSON-like value.
pub fn schematic_id(value: &Json) -> Result<String> {
    Schematic::from_value(value)?.id()
}

/// Checks that `id` looks like a schematic ID (64 lowercase hex characters).
pub fn check_id(id: &str) -> Result<()> {
    if id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(())
    } else {
        Err(SchematicError::BadId(id.to_string()))
    }
}

/// The installer image reference `<factory>/installer/<id>:<version>` (or
/// `installer-secureboot`).
pub fn installer_image(id: &str, version: &str, factory: &str, secureboot: bool) -> Result<String> {
    check_id(id)?;
    let version_ok = version.len() > 1
        && version.starts_with('v')
        && version[1..].starts_with(|c: char| c.is_ascii_digit())
        && version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+'));
    if !version_ok {
        return Err(SchematicError::BadVersion(version.to_string()));
    }
    let factory_ok = !factory.is_empty()
        && !factory.contains("://")
        && !factory.ends_with('/')
        && factory
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'/'));
    if !factory_ok {
        return Err(SchematicError::BadFactory(factory.to_string()));
    }
    let repo = if secureboot {
        "installer-secureboot"
    } else {
        "installer"
    };
    // OCI tags cannot contain '+'; Talos versions use '-' for pre-releases.
    Ok(format!(
        "{factory}/{repo}/{id}:{}",
        version.replace('+', "_")
    ))
}

fn unknown(key: &str, parent: &str, expected: &'static str) -> SchematicError {
    SchematicError::UnknownKey {
        path: join(parent, key),
        expected,
    }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

fn describe(v: &Json) -> String {
    let text = match v {
        Json::Null => "null".to_string(),
        Json::Bool(b) => format!("boolean {b}"),
        Json::Number(n) => format!("number {n}"),
        Json::String(s) => format!("string {s:?}"),
        Json::Array(_) => "a list".to_string(),
        Json::Object(_) => "a map".to_string(),
    };
    if text.len() > 60 {
        format!("{}...", &text[..text.floor_char_boundary(57)])
    } else {
        text
    }
}

fn wrong(path: &str, expected: &'static str, got: &Json) -> SchematicError {
    SchematicError::WrongType {
        path: path.to_string(),
        expected,
        got: describe(got),
    }
}

/// The entries of a map; `null` is an empty map.
fn object<'a>(v: &'a Json, path: &str) -> Result<Vec<(&'a String, &'a Json)>> {
    match v {
        Json::Null => Ok(Vec::new()),
        Json::Object(map) => Ok(map.iter().collect()),
        other => Err(wrong(path, "a map", other)),
    }
}

fn string(v: &Json, path: &str) -> Result<String> {
    match v {
        Json::Null => Ok(String::new()),
        Json::String(s) => checked(s, path),
        other => Err(wrong(path, "a string (quote it)", other)),
    }
}

/// Refuses map keys whose canonical form is not reproduced offline (multi-line, very long).
fn check_key(key: &str, path: &str) -> Result<String> {
    let reason = if key.len() > 128 {
        format!("the key {key:?} is longer than 128 bytes")
    } else {
        match goyaml::scalar_str(key) {
            Ok(_) => return Ok(key.to_string()),
            Err(e) => e.0,
        }
    };
    Err(SchematicError::Unsupported {
        path: path.to_string(),
        reason,
    })
}

/// Refuses strings whose canonical form is not reproduced offline.
fn checked(s: &str, path: &str) -> Result<String> {
    goyaml::value_str(s, 0).map_err(|e| SchematicError::Unsupported {
        path: path.to_string(),
        reason: e.0,
    })?;
    Ok(s.to_string())
}

fn string_list(v: &Json, path: &str) -> Result<Vec<String>> {
    match v {
        Json::Null => Ok(Vec::new()),
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Json::String(s) => checked(s, &format!("{path}[{i}]")),
                other => Err(wrong(&format!("{path}[{i}]"), "a string", other)),
            })
            .collect(),
        other => Err(wrong(path, "a list of strings", other)),
    }
}

fn overlay(v: &Json) -> Result<Overlay> {
    let mut out = Overlay::default();
    for (key, v) in object(v, "overlay")? {
        match key.as_str() {
            "image" => out.image = string(v, "overlay.image")?,
            "name" => out.name = string(v, "overlay.name")?,
            "options" => {
                let mut options: Vec<(String, Json)> = object(v, "overlay.options")?
                    .into_iter()
                    .map(|(k, v)| Ok((check_key(k, "overlay.options")?, v.clone())))
                    .collect::<Result<_>>()?;
                goyaml::sort_keys(&mut options);
                out.options = options;
            }
            other => return Err(unknown(other, "overlay", "image, name, options")),
        }
    }
    Ok(out)
}

fn customization(v: &Json) -> Result<Customization> {
    const KEYS: &str = "extraKernelArgs, meta, systemExtensions, secureboot";
    let mut out = Customization::default();
    for (key, v) in object(v, "customization")? {
        match key.as_str() {
            "extraKernelArgs" => {
                out.extra_kernel_args = string_list(v, "customization.extraKernelArgs")?;
            }
            "meta" => out.meta = meta(v)?,
            "systemExtensions" => {
                for (k, v) in object(v, "customization.systemExtensions")? {
                    match k.as_str() {
                        "officialExtensions" => {
                            out.official_extensions = string_list(
                                v,
                                "customization.systemExtensions.officialExtensions",
                            )?;
                        }
                        other => {
                            return Err(unknown(
                                other,
                                "customization.systemExtensions",
                                "officialExtensions",
                            ));
                        }
                    }
                }
            }
            "secureboot" => {
                for (k, v) in object(v, "customization.secureboot")? {
                    match k.as_str() {
                        "includeWellKnownCertificates" => {
                            out.include_well_known_certificates = match v {
                                Json::Null => false,
                                Json::Bool(b) => *b,
                                other => {
                                    return Err(wrong(
                                        "customization.secureboot.includeWellKnownCertificates",
                                        "true or false",
                                        other,
                                    ));
                                }
                            };
                        }
                        other => {
                            return Err(unknown(
                                other,
                                "customization.secureboot",
                                "includeWellKnownCertificates",
                            ));
                        }
                    }
                }
            }
            other => return Err(unknown(other, "customization", KEYS)),
        }
    }
    Ok(out)
}

fn meta(v: &Json) -> Result<Vec<MetaValue>> {
    let items = match v {
        Json::Null => return Ok(Vec::new()),
        Json::Array(items) => items,
        other => {
            return Err(wrong(
                "customization.meta",
                "a list of {key, value} maps",
                other,
            ));
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("customization.meta[{i}]");
        let (mut key, mut value) = (None, None);
        for (k, v) in object(item, &path)? {
            match k.as_str() {
                "key" => {
                    key = Some(
                        v.as_u64()
                            .and_then(|n| u8::try_from(n).ok())
                            .ok_or_else(|| {
                                wrong(&format!("{path}.key"), "a whole number from 0 to 255", v)
                            })?,
                    );
                }
                "value" => value = Some(string(v, &format!("{path}.value"))?),
                other => return Err(unknown(other, &path, "key, value")),
            }
        }
        out.push(MetaValue {
            key: key.ok_or_else(|| SchematicError::Missing {
                path: format!("{path}.key"),
            })?,
            value: value.ok_or_else(|| SchematicError::Missing {
                path: format!("{path}.value"),
            })?,
        });
    }
    Ok(out)
}

/// Converts an overlay option value into a node, sorting nested map keys like yaml.v3.
fn json_node(v: &Json, path: &str) -> Result<Node> {
    Ok(match v {
        Json::Null => Node::Null,
        Json::Bool(b) => Node::Bool(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Node::Int(i)
            } else if let Some(u) = n.as_u64() {
                Node::Uint(u)
            } else {
                Node::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Json::String(s) => Node::Str(checked(s, path)?),
        Json::Array(items) => Node::Seq(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| json_node(item, &format!("{path}[{i}]")))
                .collect::<Result<_>>()?,
        ),
        Json::Object(map) => {
            let mut entries = map
                .iter()
                .map(|(k, v)| {
                    check_key(k, path)?;
                    Ok((k.clone(), json_node(v, &format!("{path}.{k}"))?))
                })
                .collect::<Result<Vec<_>>>()?;
            goyaml::sort_keys(&mut entries);
            Node::Map(entries)
        }
    })
}

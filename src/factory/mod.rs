//! Talos Image Factory, from a project. In: the rendered nodes (the installer image each node's
//! config installs), each node's merged values (`schematic`, `imageFactory.platform`,
//! `imageFactory.arch`) and the factory base URL (Chart.yaml `imageFactory`). Out: one
//! [`Image`] per distinct schematic, Talos version, platform, architecture and secure-boot flavour,
//! with the nodes using it, its installer image(s) and its boot asset URLs.
//!
//! The schematic ID is read from the installer image the node's config actually uses (a factory
//! image `<host>/<repo>/<id>:<version>`); an installer that is not a factory image (the default
//! `ghcr.io/siderolabs/installer`) is the vanilla schematic (`customization: {}`). The schematic
//! itself — needed to register it — is the node's `schematic` value when its ID matches.

pub mod register;

use std::collections::BTreeMap;

use machinist_functions::schematic::{self, Schematic};
use serde_json::Value as Json;
use serde_yaml_ng::Value;

use crate::render::RenderedNode;

/// The public Image Factory, used when Chart.yaml sets no `imageFactory`.
pub const DEFAULT_FACTORY_URL: &str = "https://factory.talos.dev";
/// The platform when a node's values set no `imageFactory.platform`.
pub const DEFAULT_PLATFORM: &str = "metal";
/// The architecture when a node's values set no `imageFactory.arch`.
pub const DEFAULT_ARCH: &str = "amd64";
/// The installer Talos uses when a config names none (the vanilla schematic).
pub const DEFAULT_INSTALLER: &str = "ghcr.io/siderolabs/installer";
/// The canonical YAML of the vanilla schematic (no extensions, no kernel arguments).
pub const VANILLA: &str = "customization: {}\n";

/// Why a node's image cannot be described.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactoryError {
    /// The installer image has no tag to read the Talos version from.
    #[error("node {node}: installer image `{image}` has no version tag")]
    NoVersion {
        /// The node.
        node: String,
        /// The image.
        image: String,
    },
    /// The node's `schematic` value cannot be hashed.
    #[error("node {node}: the `schematic` value is not a valid schematic: {reason}")]
    BadSchematic {
        /// The node.
        node: String,
        /// Why.
        reason: String,
    },
    /// A value under `imageFactory` has the wrong type.
    #[error("node {node}: `imageFactory.{key}` must be a string such as `{example}`")]
    BadSetting {
        /// The node.
        node: String,
        /// `platform` or `arch`.
        key: &'static str,
        /// An example value.
        example: &'static str,
    },
}

/// One bootable image: a schematic at one Talos version for one platform and architecture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// The schematic ID.
    pub id: String,
    /// The schematic's canonical YAML, when the project has it (needed to register it).
    pub schematic: Option<String>,
    /// The Talos version (the installer image's tag).
    pub version: String,
    /// The platform (`metal`, `aws`, `nocloud`, ...).
    pub platform: String,
    /// The architecture (`amd64`, `arm64`).
    pub arch: String,
    /// Secure boot images (`installer-secureboot`).
    pub secureboot: bool,
    /// The installer image(s) the nodes' configs name, as written.
    pub installers: Vec<String>,
    /// The nodes using it, by name.
    pub nodes: Vec<String>,
    /// Things the user should know (a `schematic` value the installer image does not use, ...).
    pub notes: Vec<String>,
}

/// The download URLs of an [`Image`] on one factory.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BootAssets {
    /// ISO (USB stick, virtual CD).
    pub iso: String,
    /// Raw disk image (dd to a disk, cloud imports), xz-compressed.
    pub disk: String,
    /// PXE kernel.
    pub kernel: String,
    /// PXE initramfs.
    pub initramfs: String,
    /// iPXE script that boots kernel and initramfs with the right arguments.
    pub ipxe: String,
}

impl Image {
    /// The boot asset URLs on the factory at `base` (`https://factory.talos.dev`).
    pub fn assets(&self, base: &str) -> BootAssets {
        let base = base.trim_end_matches('/');
        let (id, v, p, a) = (&self.id, &self.version, &self.platform, &self.arch);
        let sb = if self.secureboot { "-secureboot" } else { "" };
        BootAssets {
            iso: format!("{base}/image/{id}/{v}/{p}-{a}{sb}.iso"),
            disk: format!("{base}/image/{id}/{v}/{p}-{a}{sb}.raw.xz"),
            kernel: format!("{base}/image/{id}/{v}/kernel-{a}"),
            initramfs: format!("{base}/image/{id}/{v}/initramfs-{a}.xz"),
            ipxe: format!("{base}/pxe/{id}/{v}/{p}-{a}{sb}"),
        }
    }
}

/// What one node installs.
struct NodeImage {
    id: String,
    schematic: Option<String>,
    version: String,
    platform: String,
    arch: String,
    secureboot: bool,
    installer: String,
    note: Option<String>,
}

/// The installer image a rendered config installs: `machine.install.image` of the v1alpha1
/// document, else `installer.image` of an `UnattendedInstallConfig` document.
pub fn installer_image(node: &RenderedNode) -> Option<String> {
    let get = |v: &Value, path: &[&str]| {
        path.iter()
            .try_fold(v, |v, k| v.get(*k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let v1 = node
        .documents
        .iter()
        .find_map(|d| get(d, &["machine", "install", "image"]));
    v1.or_else(|| {
        node.documents
            .iter()
            .filter(|d| d.get("kind").and_then(Value::as_str) == Some("UnattendedInstallConfig"))
            .find_map(|d| get(d, &["installer", "image"]))
    })
}

/// Splits `<host>/<repo>/<id>:<tag>`: the schematic ID (when the repository path holds one),
/// whether the repository is a secure-boot installer, and the tag.
fn parse_installer(image: &str) -> (Option<String>, bool, Option<String>) {
    let (name, tag) = match image.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, Some(t.to_string())),
        _ => (image, None),
    };
    let name = name.split('@').next().unwrap_or(name);
    let segs: Vec<&str> = name.split('/').collect();
    let id = segs
        .iter()
        .find(|s| schematic::check_id(s).is_ok())
        .map(|s| s.to_string());
    let secureboot = segs.iter().any(|s| s.ends_with("-secureboot"));
    // OCI tags spell a version's '+' as '_'.
    (id, secureboot, tag.map(|t| t.replace('_', "+")))
}

fn setting(
    values: &Json,
    node: &str,
    key: &'static str,
    default: &str,
    example: &'static str,
) -> Result<String, FactoryError> {
    match values.get("imageFactory").and_then(|f| f.get(key)) {
        None | Some(Json::Null) => Ok(default.to_string()),
        Some(Json::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(_) => Err(FactoryError::BadSetting {
            node: node.to_string(),
            key,
            example,
        }),
    }
}

fn node_image(
    node: &RenderedNode,
    values: &Json,
    talos_version: &str,
) -> Result<NodeImage, FactoryError> {
    let name = &node.name;
    // Without an installer image Talos installs its default one, of the project's version.
    let installer =
        installer_image(node).unwrap_or_else(|| format!("{DEFAULT_INSTALLER}:{talos_version}"));
    let (id, secureboot, version) = parse_installer(&installer);
    let version = version.ok_or_else(|| FactoryError::NoVersion {
        node: name.clone(),
        image: installer.clone(),
    })?;
    let own = match values.get("schematic") {
        None | Some(Json::Null) => None,
        Some(v) => {
            let s = Schematic::from_value(v).and_then(|s| Ok((s.id()?, s.canonical_yaml()?)));
            Some(s.map_err(|e| FactoryError::BadSchematic {
                node: name.clone(),
                reason: e.to_string(),
            })?)
        }
    };
    let (id, vanilla) = match id {
        Some(id) => (id, false),
        None => (
            schematic::schematic_id(&serde_json::json!({"customization": {}}))
                .expect("the vanilla schematic hashes"),
            true,
        ),
    };
    let (schematic, note) = match own {
        Some((own_id, yaml)) if own_id == id => (Some(yaml), None),
        Some((own_id, _)) => (
            vanilla.then(|| VANILLA.to_string()),
            Some(format!(
                "node {name}: its `schematic` value has ID {own_id}, but its installer image `{installer}` uses {id}; the config installs the latter"
            )),
        ),
        None if vanilla => (Some(VANILLA.to_string()), None),
        None => (None, None),
    };
    Ok(NodeImage {
        id,
        schematic,
        version,
        platform: setting(values, name, "platform", DEFAULT_PLATFORM, "metal")?,
        arch: setting(values, name, "arch", DEFAULT_ARCH, "amd64")?,
        secureboot,
        installer,
        note,
    })
}

/// Groups the nodes by the image they boot, in order of schematic ID, version, platform, arch.
/// `values` holds each node's merged values, in the order of `nodes`; `talos_version` is the
/// project's, for nodes whose config names no installer image.
pub fn images(
    nodes: &[RenderedNode],
    values: &[Json],
    talos_version: &str,
) -> Result<Vec<Image>, Vec<FactoryError>> {
    let mut out: BTreeMap<(String, String, String, String, bool), Image> = BTreeMap::new();
    let mut errors = Vec::new();
    for (node, vals) in nodes.iter().zip(values) {
        let n = match node_image(node, vals, talos_version) {
            Ok(n) => n,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let key = (
            n.id.clone(),
            n.version.clone(),
            n.platform.clone(),
            n.arch.clone(),
            n.secureboot,
        );
        let img = out.entry(key).or_insert_with(|| Image {
            id: n.id.clone(),
            schematic: None,
            version: n.version.clone(),
            platform: n.platform.clone(),
            arch: n.arch.clone(),
            secureboot: n.secureboot,
            installers: Vec::new(),
            nodes: Vec::new(),
            notes: Vec::new(),
        });
        if img.schematic.is_none() {
            img.schematic = n.schematic;
        }
        if !img.installers.contains(&n.installer) {
            img.installers.push(n.installer);
        }
        img.nodes.push(node.name.clone());
        img.notes.extend(n.note);
    }
    if errors.is_empty() {
        Ok(out.into_values().collect())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installer_references_parse() {
        let id = "ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515";
        assert_eq!(
            parse_installer(&format!("factory.talos.dev/installer/{id}:v1.12.7")),
            (Some(id.to_string()), false, Some("v1.12.7".into()))
        );
        assert_eq!(
            parse_installer(&format!(
                "f.lan:5000/installer-secureboot/{id}:v1.13.0-beta.1_x"
            )),
            (Some(id.to_string()), true, Some("v1.13.0-beta.1+x".into()))
        );
        assert_eq!(
            parse_installer("ghcr.io/siderolabs/installer:v1.13.0"),
            (None, false, Some("v1.13.0".into()))
        );
        assert_eq!(parse_installer("localhost:5000/installer").2, None);
    }

    #[test]
    fn asset_urls_follow_the_factory_layout() {
        let img = Image {
            id: "abc".into(),
            schematic: None,
            version: "v1.12.7".into(),
            platform: "metal".into(),
            arch: "arm64".into(),
            secureboot: true,
            installers: vec![],
            nodes: vec![],
            notes: vec![],
        };
        let a = img.assets("https://f.example/");
        assert_eq!(
            a.iso,
            "https://f.example/image/abc/v1.12.7/metal-arm64-secureboot.iso"
        );
        assert_eq!(
            a.disk,
            "https://f.example/image/abc/v1.12.7/metal-arm64-secureboot.raw.xz"
        );
        assert_eq!(a.kernel, "https://f.example/image/abc/v1.12.7/kernel-arm64");
        assert_eq!(
            a.initramfs,
            "https://f.example/image/abc/v1.12.7/initramfs-arm64.xz"
        );
        assert_eq!(
            a.ipxe,
            "https://f.example/pxe/abc/v1.12.7/metal-arm64-secureboot"
        );
    }
}

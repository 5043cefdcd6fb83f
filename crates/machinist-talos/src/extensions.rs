//! What a node runs beyond its Talos version: the loaded system extensions (COSI
//! `ExtensionStatuses.runtime.talos.dev`, namespace `runtime`) and, among them, the Image Factory
//! schematic. In: a `cosi.resource.Resource` from `State/List` (client), an installer image
//! reference, or a schematic ID (simulator). Out: typed [`ExtensionInfo`] values, the schematic ID
//! an Image Factory installer reference names, and the resource a node with that schematic serves.
//!
//! Image Factory puts one extension named `schematic` into every image it builds, whose version is
//! the schematic ID (Talos's `constants.ImageFactorySchematicExtensionName`; Talos v1.14 also
//! derives an `ImageFactorySchematic` resource from it, older versions only have the extension).
//! So the running schematic is read from the extension, which every supported version serves.

use prost::Message as _;
use serde_yaml_ng::{Mapping, Value};

use crate::hardware::{DecodeError, Kind, id_of, put, put_text, resource, spec, text, yaml};
use crate::proto::cosi::resource::Resource;
use crate::proto::definitions::extensions::{Layer, Metadata};

/// Extension statuses (namespace `runtime`, one resource per loaded layer).
pub const EXTENSION_STATUSES: Kind = Kind {
    namespace: "runtime",
    r#type: "ExtensionStatuses.runtime.talos.dev",
    owner: "runtime.ExtensionStatusController",
};

/// The name of the extension Image Factory adds to carry the schematic ID.
pub const SCHEMATIC_EXTENSION: &str = "schematic";

/// One loaded system extension.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtensionInfo {
    /// Resource id.
    pub id: String,
    /// The layer image file (`schematic.sqsh`).
    pub image: String,
    /// Extension name (`schematic`, `qemu-guest-agent`).
    pub name: String,
    /// Extension version (for `schematic`: the schematic ID).
    pub version: String,
    /// Author (`Image Factory`).
    pub author: String,
}

/// The extension in an ExtensionStatus resource.
pub fn extension(r: &Resource) -> Result<ExtensionInfo, DecodeError> {
    const WHAT: &str = "ExtensionStatus";
    let s = spec(r, WHAT)?;
    let id = id_of(r);
    if !s.proto_spec.is_empty() {
        let p = Layer::decode(s.proto_spec.as_slice())
            .map_err(|e| DecodeError::Proto(WHAT, e.to_string()))?;
        let m = p.metadata.unwrap_or_default();
        return Ok(ExtensionInfo {
            id,
            image: p.image,
            name: m.name,
            version: m.version,
            author: m.author,
        });
    }
    let v = yaml(s, WHAT)?;
    let m = v.get("metadata").cloned().unwrap_or(Value::Null);
    Ok(ExtensionInfo {
        id,
        image: text(&v, "image"),
        name: text(&m, "name"),
        version: text(&m, "version"),
        author: text(&m, "author"),
    })
}

/// The schematic ID among a node's extensions, if it runs an Image Factory image.
pub fn running_schematic(extensions: &[ExtensionInfo]) -> Option<&str> {
    extensions
        .iter()
        .find(|e| e.name == SCHEMATIC_EXTENSION && !e.version.is_empty())
        .map(|e| e.version.as_str())
}

/// The schematic ID an Image Factory installer reference names: the path segment after an
/// `installer`, `installer-secureboot`, `<platform>-installer` or `<platform>-installer-secureboot`
/// repository, when it is 64 lower-case hex digits (`factory.talos.dev/installer/<id>:v1.13.2`).
/// `None` for other images (`ghcr.io/siderolabs/installer:v1.13.2`, a private registry).
pub fn schematic_of_image(image: &str) -> Option<&str> {
    let no_digest = image.split('@').next().unwrap_or(image);
    let mut parts = no_digest.rsplit('/');
    let last = parts.next()?;
    let id = last.split(':').next().unwrap_or(last);
    let repo = parts.next()?;
    let installer = repo == "installer"
        || repo.ends_with("-installer")
        || repo == "installer-secureboot"
        || repo.ends_with("-installer-secureboot");
    let hex = id.len() == 64
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    (installer && hex).then_some(id)
}

/// The ExtensionStatus resource of the schematic extension Image Factory images carry
/// (simulator). `id` is the resource id (Talos: the layer image name without `.sqsh`).
pub fn schematic_resource(id: &str, schematic: &str) -> Resource {
    let author = "Image Factory";
    let description = "Image Factory schematic";
    let image = format!("{id}.sqsh");
    let p = Layer {
        image: image.clone(),
        metadata: Some(Metadata {
            name: SCHEMATIC_EXTENSION.into(),
            version: schematic.into(),
            author: author.into(),
            description: description.into(),
            ..Default::default()
        }),
    };
    let mut m = Mapping::new();
    put(&mut m, "name", SCHEMATIC_EXTENSION);
    put(&mut m, "version", schematic);
    put(&mut m, "author", author);
    put(&mut m, "description", description);
    put(&mut m, "compatibility", Value::Mapping(Mapping::new()));
    let mut y = Mapping::new();
    put_text(&mut y, "image", &image);
    put(&mut y, "metadata", Value::Mapping(m));
    resource(EXTENSION_STATUSES, id, p.encode_to_vec(), y)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";

    #[test]
    fn factory_installers_name_their_schematic_and_others_do_not() {
        for image in [
            format!("factory.talos.dev/installer/{ID}:v1.13.2"),
            format!("factory.talos.dev/metal-installer/{ID}:v1.13.2"),
            format!("factory.talos.dev/installer-secureboot/{ID}:v1.13.2@sha256:00"),
            format!("factory.example.com:8443/aws-installer-secureboot/{ID}:v1.14.0"),
        ] {
            assert_eq!(schematic_of_image(&image), Some(ID), "{image}");
        }
        for image in [
            "ghcr.io/siderolabs/installer:v1.13.2".to_string(),
            format!("registry.local/mirror/{ID}:v1.13.2"),
            "factory.talos.dev/installer/not-an-id:v1.13.2".to_string(),
            format!("factory.talos.dev/installer/{}:v1.13.2", ID.to_uppercase()),
        ] {
            assert_eq!(schematic_of_image(&image), None, "{image}");
        }
    }

    #[test]
    fn both_spec_forms_decode_and_the_schematic_is_found() {
        let mut r = schematic_resource("0", ID);
        let want = ExtensionInfo {
            id: "0".into(),
            image: "0.sqsh".into(),
            name: "schematic".into(),
            version: ID.into(),
            author: "Image Factory".into(),
        };
        assert_eq!(extension(&r).unwrap(), want);
        r.spec.as_mut().unwrap().proto_spec.clear();
        assert_eq!(extension(&r).unwrap(), want, "yaml_spec only");
        let other = ExtensionInfo {
            name: "qemu-guest-agent".into(),
            version: "9.2.0".into(),
            ..Default::default()
        };
        assert_eq!(running_schematic(&[other.clone(), want]), Some(ID));
        assert_eq!(running_schematic(&[other]), None);
    }
}

//! Schematic IDs against the Image Factory's own test vectors, the quoting rules of yaml.v3, and
//! the errors for schematics the factory would reject.

use machinist_functions::schematic::{Schematic, SchematicError, installer_image, schematic_id};
use serde_json::json;

const VANILLA: &str = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";

fn id(v: serde_json::Value) -> String {
    schematic_id(&v).unwrap()
}

fn yaml(v: serde_json::Value) -> String {
    Schematic::from_value(&v).unwrap().canonical_yaml().unwrap()
}

#[test]
fn factory_vectors() {
    assert_eq!(id(json!({})), VANILLA);
    assert_eq!(id(json!({"customization": {}})), VANILLA);
    assert_eq!(id(json!({"customization": {"extraKernelArgs": []}})), VANILLA);
    assert_eq!(
        id(json!({"customization": {"extraKernelArgs": ["noapic", "nolapic"]}})),
        "9cba8e32753f91a16c1837ab8abf356af021706ef284aef07380780177d9a06c"
    );
    assert_eq!(
        id(json!({"customization": {"extraKernelArgs": ["noapic", "nolapic"], "systemExtensions": {}}})),
        "9cba8e32753f91a16c1837ab8abf356af021706ef284aef07380780177d9a06c"
    );
    assert_eq!(
        id(json!({"customization": {"meta": [{"key": 10, "value": "foo"}], "extraKernelArgs": [], "systemExtensions": {}}})),
        "d308a2a5ee2277bed5fbaa104fcbc8d59122abfa737df987a95b4ca763459a7f"
    );
    assert_eq!(
        id(json!({"overlay": {"name": "rpi_generic", "image": "siderolabs/sbc-raspberrypi"}})),
        "ee21ef4a5ef808a9b7484cc0dda0f25075021691c8c09a276591eedb638ea1f9"
    );
    assert_eq!(
        id(json!({"overlay": {"name": "rpi_generic", "image": "siderolabs/sbc-raspberrypi"}, "customization": {}})),
        "ee21ef4a5ef808a9b7484cc0dda0f25075021691c8c09a276591eedb638ea1f9"
    );
    assert_eq!(
        id(json!({"customization": {"secureboot": {"includeWellKnownCertificates": true}}})),
        "fa8e05f142a851d3ee568eb0a8e5841eaf6b0ebc8df9a63df16ac5ed2c04f3e6"
    );
    assert_eq!(
        id(json!({"customization": {"systemExtensions": {"officialExtensions": ["siderolabs/qemu-guest-agent"]}}})),
        "ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515"
    );
}

/// The homelab example's schematic: the order of extensions is part of the ID.
#[test]
fn homelab_schematic() {
    let exts = [
        "siderolabs/iscsi-tools",
        "siderolabs/util-linux-tools",
        "siderolabs/intel-ucode",
        "siderolabs/i915-ucode",
        "siderolabs/qemu-guest-agent",
    ];
    let s = json!({"customization": {"systemExtensions": {"officialExtensions": exts}}});
    assert_eq!(
        yaml(s.clone()),
        "customization:\n    systemExtensions:\n        officialExtensions:\n            - siderolabs/iscsi-tools\n            - siderolabs/util-linux-tools\n            - siderolabs/intel-ucode\n            - siderolabs/i915-ucode\n            - siderolabs/qemu-guest-agent\n"
    );
    assert_eq!(id(s), HOMELAB_ID);
    let mut reversed = exts;
    reversed.reverse();
    let other = id(json!({"customization": {"systemExtensions": {"officialExtensions": reversed}}}));
    assert_ne!(other, HOMELAB_ID);
}

const HOMELAB_ID: &str = "6147aa21a1247ea7780c8273110fe0ba30694da0ead8010b9e00e62a35400258";

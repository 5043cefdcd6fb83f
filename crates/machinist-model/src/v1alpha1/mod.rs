//! The legacy root document (`version: v1alpha1`, no `kind`). In: the YAML of that document, a
//! full machine config or a partial patch. Out: the typed [`Config`] and, through schemars, its
//! JSON schema.
//!
//! The model follows what Talos's Go decoder accepts rather than the published JSON schema, which
//! leaves out fields Talos still reads (see the "v1alpha1 document" section of the book's schema
//! decisions page). Every field is optional so that patches, which carry only the keys they
//! change, deserialize too. Contract annotations on fields:
//! - `x-talos-since` / `x-talos-removed`: the first contract that accepts / no longer accepts it;
//! - `deprecated: true`: deprecated in every supported contract (v1.11 to v1.15);
//! - `x-talos-deprecated`: the first contract in which the field is deprecated in favour of a
//!   multi-document kind (`v1.12`, `v1.13` or `v1.14`); earlier contracts use it normally;
//! - `x-talos-replaced-by`: the kind that takes over a deprecated field's settings.
//!
//! The sections live in their own modules: [`machine`] (the node itself), [`machine_kubelet`],
//! [`machine_install`], [`machine_features`], [`machine_network`], [`machine_storage`],
//! [`machine_registries`], [`cluster`] and [`cluster_components`] (the Kubernetes control plane).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub mod cluster;
pub mod cluster_components;
pub mod common;
pub mod machine;
pub mod machine_features;
pub mod machine_install;
pub mod machine_kubelet;
pub mod machine_network;
pub mod machine_registries;
pub mod machine_storage;

pub use cluster::ClusterConfig;
pub use common::{ArgValue, ByteSize, ExtraArgs, FileMode, Flag, Scalar, ScalarMap, Unstructured};
pub use machine::MachineConfig;

/// The v1alpha1 machine configuration document: the node's own settings under `machine` and the
/// cluster-wide settings under `cluster`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "v1alpha1.Config")]
pub struct Config {
    /// Format of this document; always `v1alpha1`. Patches may leave it out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<ConfigVersion>,
    /// Send the logs of every system service to the console. Only turn this on when the serial
    /// console can keep up with a large volume of output, or boot may stall.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debug: Option<Flag>,
    /// Leftover switch from early Talos releases; it no longer does anything, but Talos still
    /// accepts it and `talosctl gen config` still writes `persist: true`. Talos refuses `false`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "deprecated" = true,
        "not" = {"enum": [false, "n", "N", "no", "No", "NO", "off", "Off", "OFF"]}
    ))]
    pub persist: Option<Flag>,
    /// Settings of this node: its role, PKI, kubelet, install target, network, files and so on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machine: Option<MachineConfig>,
    /// Settings shared by every node of the cluster: control-plane endpoint, Kubernetes PKI,
    /// networking and the control-plane components.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterConfig>,
}

/// The `version` value of the root document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "v1alpha1.ConfigVersion")]
pub enum ConfigVersion {
    /// The only version of the root document.
    #[default]
    #[serde(rename = "v1alpha1")]
    V1alpha1,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_document_round_trips() {
        let yaml = "version: v1alpha1\ndebug: false\npersist: true\nmachine:\n  type: worker\n";
        let cfg: Config = serde_yaml_ng::from_str(yaml).unwrap();
        assert_eq!(cfg.version, Some(ConfigVersion::V1alpha1));
        assert_eq!(cfg.persist, Some(Flag(true)));
        let back = serde_yaml_ng::to_string(&cfg).unwrap();
        assert_eq!(back, yaml);
    }

    #[test]
    fn other_versions_are_rejected() {
        let err = serde_yaml_ng::from_str::<Config>("version: v1alpha2\n").unwrap_err();
        assert!(err.to_string().contains("v1alpha2"), "{err}");
    }

    #[test]
    fn unknown_top_level_key_is_rejected() {
        let err = serde_yaml_ng::from_str::<Config>("version: v1alpha1\nmachin: {}\n").unwrap_err();
        assert!(err.to_string().contains("unknown field `machin`"), "{err}");
    }

    #[test]
    fn schema_carries_talos_decisions() {
        let schema = serde_json::to_value(schemars::schema_for!(Config)).unwrap();
        let persist = &schema["properties"]["persist"];
        assert_eq!(persist["deprecated"], true);
        assert_eq!(persist["not"]["enum"][0], false);
        let machine = &schema["$defs"]["v1alpha1.MachineConfig"]["properties"];
        assert_eq!(machine["network"]["x-talos-deprecated"], "v1.13");
        assert_eq!(machine["install"]["x-talos-deprecated"], "v1.14");
        assert!(machine["features"].get("x-talos-deprecated").is_none());
        assert_eq!(schema["additionalProperties"], false);
        let defs = schema["$defs"].as_object().unwrap();
        assert!(
            defs.keys().all(|k| k.starts_with("v1alpha1.")),
            "{:?}",
            defs.keys()
        );
    }
}

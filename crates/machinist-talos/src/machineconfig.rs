//! The MachineConfig COSI resource. In: a `cosi.resource.Resource` from `State/Get`. Out: the
//! machine configuration bytes the node runs. `proto_spec` (a `MachineConfigSpec` holding the exact
//! submitted bytes) is preferred; `yaml_spec` is the fallback in both of its forms: a YAML string
//! scalar holding the whole config (v1.12+, marked by the `talos.dev/yaml-spec: "1"` annotation)
//! or the raw YAML document (older nodes).

use prost::Message as _;

use crate::proto::cosi::resource::{Metadata, Resource, Spec};
use crate::proto::resource::config::MachineConfigSpec;

/// Namespace of the MachineConfig resource.
pub const NAMESPACE: &str = "config";
/// Canonical type of the MachineConfig resource (the server resolves no aliases).
pub const TYPE: &str = "MachineConfigs.config.talos.dev";
/// Id of the active (running) configuration.
pub const ACTIVE_ID: &str = "v1alpha1";
/// Annotation that marks the v1.12+ string-scalar `yaml_spec` form.
pub const YAML_SPEC_ANNOTATION: &str = "talos.dev/yaml-spec";

/// Why the resource's spec could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The resource carried no spec.
    #[error("machine config resource has no spec")]
    Missing,
    /// `proto_spec` was not a `MachineConfigSpec`.
    #[error("machine config proto_spec cannot be decoded: {0}")]
    Proto(String),
    /// `yaml_spec` claimed the string form but was not a YAML string.
    #[error("machine config yaml_spec is not a YAML string: {0}")]
    Yaml(String),
}

/// The configuration bytes carried by a MachineConfig resource.
pub fn config_bytes(resource: &Resource) -> Result<Vec<u8>, SpecError> {
    let spec = resource.spec.as_ref().ok_or(SpecError::Missing)?;
    if !spec.proto_spec.is_empty() {
        let decoded = MachineConfigSpec::decode(spec.proto_spec.as_slice())
            .map_err(|e| SpecError::Proto(e.to_string()))?;
        return Ok(decoded.yaml_marshalled);
    }
    if spec.yaml_spec.is_empty() {
        return Err(SpecError::Missing);
    }
    let string_form = resource
        .metadata
        .as_ref()
        .and_then(|m| m.annotations.get(YAML_SPEC_ANNOTATION))
        .is_some_and(|v| v == "1");
    if string_form {
        let s: String =
            serde_yaml_ng::from_str(&spec.yaml_spec).map_err(|e| SpecError::Yaml(e.to_string()))?;
        Ok(s.into_bytes())
    } else {
        Ok(spec.yaml_spec.clone().into_bytes())
    }
}

/// Builds the resource a node returns for its active config: both spec forms filled in, as Talos
/// v1.12+ does (used by the simulator and by tests).
pub fn resource_for(config: &[u8], version: u64) -> Resource {
    let text = String::from_utf8_lossy(config).into_owned();
    let yaml_spec =
        serde_yaml_ng::to_string(&serde_yaml_ng::Value::String(text)).unwrap_or_default();
    let mut annotations = std::collections::HashMap::new();
    annotations.insert(YAML_SPEC_ANNOTATION.to_owned(), "1".to_owned());
    Resource {
        metadata: Some(Metadata {
            namespace: NAMESPACE.into(),
            r#type: TYPE.into(),
            id: ACTIVE_ID.into(),
            version: version.to_string(),
            phase: "running".into(),
            annotations,
            ..Default::default()
        }),
        spec: Some(Spec {
            proto_spec: MachineConfigSpec {
                yaml_marshalled: config.to_vec(),
            }
            .encode_to_vec(),
            yaml_spec,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CFG: &str = "# comment kept\nversion: v1alpha1\nmachine:\n  type: worker\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: w-01\n";

    #[test]
    fn proto_spec_gives_the_exact_submitted_bytes() {
        let r = resource_for(CFG.as_bytes(), 3);
        assert_eq!(config_bytes(&r).unwrap(), CFG.as_bytes());
    }

    #[test]
    fn string_scalar_yaml_spec_is_unwrapped() {
        let mut r = resource_for(CFG.as_bytes(), 1);
        r.spec.as_mut().unwrap().proto_spec.clear();
        assert!(r.spec.as_ref().unwrap().yaml_spec.starts_with('|'));
        assert_eq!(config_bytes(&r).unwrap(), CFG.as_bytes());
    }

    #[test]
    fn raw_yaml_spec_is_taken_as_is_without_the_annotation() {
        let r = Resource {
            metadata: Some(Metadata::default()),
            spec: Some(Spec {
                proto_spec: vec![],
                yaml_spec: "version: v1alpha1\n".into(),
            }),
        };
        assert_eq!(config_bytes(&r).unwrap(), b"version: v1alpha1\n");
        let empty = Resource::default();
        assert!(matches!(config_bytes(&empty), Err(SpecError::Missing)));
    }
}

//! The role of a node, as one typed value. In: a node's rendered documents (or a `machine.type`
//! value). Out: [`Role::ControlPlane`] or [`Role::Worker`], decided by the v1alpha1 document's
//! `machine.type` (`controlplane` and `init` are control planes, `worker` and `join` workers).
//! Every part of machinist that treats control planes differently (apply and upgrade order,
//! lint, talosconfig endpoints, secrets injection) asks this type; a node's facet names and
//! values never decide it.

use serde_yaml_ng::Value;

use crate::v1alpha1::machine::MachineType;

/// Whether a node runs the control plane or only workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Runs etcd and the Kubernetes control plane; receives every CA key.
    ControlPlane,
    /// Runs workloads only.
    Worker,
}

impl From<MachineType> for Role {
    fn from(t: MachineType) -> Self {
        match t {
            MachineType::Controlplane | MachineType::Init => Role::ControlPlane,
            MachineType::Worker | MachineType::Join => Role::Worker,
        }
    }
}

impl Role {
    /// The role for a `machine.type` value; `None` when it is not one Talos knows.
    pub fn from_machine_type(value: &str) -> Option<Role> {
        serde_yaml_ng::from_value::<MachineType>(Value::String(value.to_string()))
            .ok()
            .map(Role::from)
    }

    /// The role a node's documents give it: `machine.type` of the v1alpha1 document (the one
    /// without `kind`). `None` when no document sets it.
    pub fn of_documents(docs: &[Value]) -> Option<Role> {
        docs.iter()
            .filter(|d| d.get("kind").is_none())
            .find_map(|d| d.get("machine")?.get("type")?.as_str())
            .and_then(Role::from_machine_type)
    }

    /// Whether this is a control plane.
    pub fn is_control_plane(self) -> bool {
        self == Role::ControlPlane
    }

    /// The `machine.type` Talos writes for the role.
    pub fn machine_type(self) -> &'static str {
        match self {
            Role::ControlPlane => "controlplane",
            Role::Worker => "worker",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Role::ControlPlane => "control plane",
            Role::Worker => "worker",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(yaml: &str) -> Vec<Value> {
        vec![serde_yaml_ng::from_str(yaml).unwrap()]
    }

    #[test]
    fn machine_type_decides_the_role() {
        assert_eq!(
            Role::from_machine_type("controlplane"),
            Some(Role::ControlPlane)
        );
        assert_eq!(Role::from_machine_type("init"), Some(Role::ControlPlane));
        assert_eq!(Role::from_machine_type("worker"), Some(Role::Worker));
        assert_eq!(Role::from_machine_type("join"), Some(Role::Worker));
        // A facet spelling is not a machine type.
        assert_eq!(Role::from_machine_type("control-plane"), None);
    }

    #[test]
    fn documents_give_the_role_from_the_v1alpha1_document_only() {
        let d = docs("version: v1alpha1\nmachine:\n  type: init\n");
        assert_eq!(Role::of_documents(&d), Some(Role::ControlPlane));
        let other = docs("apiVersion: v1alpha1\nkind: HostnameConfig\nmachine:\n  type: worker\n");
        assert_eq!(Role::of_documents(&other), None);
        assert_eq!(Role::of_documents(&[]), None);
    }
}

//! A fake [`NodeApi`] for the rollout unit tests. In: machines keyed by address. Out: answers
//! like Talos (maintenance nodes refuse mutual TLS; configured nodes refuse clients without a
//! certificate), and a log of every apply with the peak number of control planes in flight.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use machinist_talos::{
    ApplyMode, ApplyOutcome, ApplyRequest, NodeApi, NodeError, NodeTarget, SystemInfo,
    client::NodeVersion,
};

use crate::render::Role;

/// One simulated machine.
#[derive(Debug, Clone, Default)]
pub(super) struct Machine {
    pub config: Option<Vec<u8>>,
    pub uuid: String,
    /// The schematic ID of the image it runs (served as the `schematic` extension).
    pub schematic: Option<String>,
}

#[derive(Debug, Default)]
pub(super) struct State {
    pub machines: HashMap<String, Machine>,
    /// (address, role of the config sent)
    pub applied: Vec<(String, Option<Role>)>,
    pub cp_in_flight: usize,
    pub cp_peak: usize,
    /// The etcd members every control plane lists.
    pub members: Vec<machinist_talos::EtcdMember>,
    /// Addresses that received Bootstrap.
    pub bootstrapped: Vec<String>,
}

/// The fake; `secure` tells which client it plays.
pub(super) struct Fake {
    pub state: std::sync::Arc<Mutex<State>>,
    pub secure: bool,
}

impl Fake {
    fn tls(t: &NodeTarget) -> NodeError {
        NodeError::Tls {
            node: t.name.clone(),
            endpoint: t.address.clone(),
            reason: "UnknownIssuer".into(),
        }
    }
    fn machine(&self, t: &NodeTarget) -> Result<Machine, NodeError> {
        let st = self.state.lock().unwrap();
        let m = st
            .machines
            .get(&t.address)
            .cloned()
            .ok_or_else(|| NodeError::Unreachable {
                node: t.name.clone(),
                endpoint: t.address.clone(),
                route: "the node's own address".into(),
                reason: "connection refused".into(),
                not_sent: true,
            })?;
        // Configured machines need a client certificate; maintenance ones have none to check.
        if m.config.is_some() != self.secure {
            return Err(Fake::tls(t));
        }
        Ok(m)
    }
}

#[tonic::async_trait]
impl NodeApi for Fake {
    async fn version(&self, t: &NodeTarget) -> Result<NodeVersion, NodeError> {
        let m = self.machine(t)?;
        Ok(NodeVersion {
            tag: "v1.13.0".into(),
            platform: "metal".into(),
            configured: m.config.is_some(),
        })
    }
    async fn bootstrap(
        &self,
        t: &NodeTarget,
    ) -> Result<machinist_talos::BootstrapOutcome, NodeError> {
        self.machine(t)?;
        self.state
            .lock()
            .unwrap()
            .bootstrapped
            .push(t.address.clone());
        Ok(machinist_talos::BootstrapOutcome::Bootstrapped)
    }
    async fn machine_config(&self, t: &NodeTarget) -> Result<Option<Vec<u8>>, NodeError> {
        Ok(self.machine(t)?.config)
    }
    async fn system_info(&self, t: &NodeTarget) -> Result<SystemInfo, NodeError> {
        let st = self.state.lock().unwrap();
        let m = st.machines.get(&t.address).cloned().unwrap_or_default();
        Ok(SystemInfo {
            uuid: m.uuid,
            ..Default::default()
        })
    }
    async fn extensions(
        &self,
        t: &NodeTarget,
    ) -> Result<Vec<machinist_talos::ExtensionInfo>, NodeError> {
        let m = self.machine(t)?;
        Ok(m.schematic
            .map(|id| machinist_talos::ExtensionInfo {
                name: "schematic".into(),
                version: id,
                ..Default::default()
            })
            .into_iter()
            .collect())
    }
    async fn services(
        &self,
        t: &NodeTarget,
    ) -> Result<Vec<machinist_talos::ServiceInfo>, NodeError> {
        self.machine(t)?;
        Ok(vec![machinist_talos::ServiceInfo {
            id: "kubelet".into(),
            state: "Running".into(),
            healthy: Some(true),
        }])
    }
    async fn etcd_members(
        &self,
        t: &NodeTarget,
    ) -> Result<Vec<machinist_talos::EtcdMember>, NodeError> {
        self.machine(t)?;
        Ok(self.state.lock().unwrap().members.clone())
    }
    async fn apply(&self, t: &NodeTarget, req: &ApplyRequest) -> Result<ApplyOutcome, NodeError> {
        self.machine(t)?;
        let docs = crate::diff::parse_docs(&req.data).unwrap();
        let role = Role::of_documents(&docs);
        {
            let mut st = self.state.lock().unwrap();
            if role == Some(Role::ControlPlane) {
                st.cp_in_flight += 1;
                st.cp_peak = st.cp_peak.max(st.cp_in_flight);
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        let mut st = self.state.lock().unwrap();
        if role == Some(Role::ControlPlane) {
            st.cp_in_flight -= 1;
        }
        st.applied.push((t.address.clone(), role));
        st.machines.get_mut(&t.address).unwrap().config = Some(req.data.clone());
        Ok(ApplyOutcome {
            mode: ApplyMode::NoReboot,
            mode_details: String::new(),
            warnings: Vec::new(),
        })
    }
}

/// A rendered node of an `init`-style project (no hostname).
pub(super) fn node(name: &str, address: &str, role: Role) -> crate::render::RenderedNode {
    let yaml = format!(
        "version: v1alpha1\nmachine:\n  type: {}\n  install:\n    disk: /dev/sda\ncluster:\n  clusterName: c\n",
        role.machine_type()
    );
    crate::render::RenderedNode {
        name: name.into(),
        address: address.into(),
        role,
        role_facet: Some("control-plane".into()),
        documents: crate::diff::parse_docs(yaml.as_bytes()).unwrap(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;
    use crate::rollout::apply::{self, ApplyOptions};
    use crate::rollout::identity::Known;
    use crate::rollout::{Clients, NodeStatus, Waits, quiet};

    fn cluster(
        nodes: &[crate::render::RenderedNode],
        configured: bool,
    ) -> (Clients, Arc<Mutex<State>>) {
        let mut st = State::default();
        for (i, n) in nodes.iter().enumerate() {
            st.machines.insert(
                n.address.clone(),
                Machine {
                    config: configured.then(|| n.to_yaml().into_bytes()),
                    uuid: format!("uuid-{i}"),
                    schematic: None,
                },
            );
        }
        let state = Arc::new(Mutex::new(st));
        let clients = Clients {
            secure: Some(Arc::new(Fake {
                state: state.clone(),
                secure: true,
            })),
            watch: Some(Arc::new(Fake {
                state: state.clone(),
                secure: true,
            })),
            insecure: Arc::new(Fake {
                state: state.clone(),
                secure: false,
            }),
        };
        (clients, state)
    }

    fn opts() -> ApplyOptions {
        ApplyOptions {
            waits: Waits {
                timeout: Duration::from_secs(2),
                poll: Duration::from_millis(5),
            },
            parallel: 4,
            ..Default::default()
        }
    }

    fn three_plus_two() -> Vec<crate::render::RenderedNode> {
        vec![
            node("cp-01", "a1", Role::ControlPlane),
            node("cp-02", "a2", Role::ControlPlane),
            node("cp-03", "a3", Role::ControlPlane),
            node("worker-01", "a4", Role::Worker),
            node("worker-02", "a5", Role::Worker),
        ]
    }

    #[tokio::test]
    async fn first_install_of_three_control_planes_checks_each_at_its_own_address() {
        let nodes = three_plus_two();
        let (clients, state) = cluster(&nodes, false);
        let facts = BTreeMap::new();
        let known = Known {
            nodes: &nodes,
            facts: &facts,
        };
        let out = apply::apply(&clients, &nodes, known, &opts(), &quiet()).await;
        assert!(
            out.iter().all(|s| matches!(s, NodeStatus::Done(_))),
            "{out:?}"
        );
        let st = state.lock().unwrap();
        assert_eq!(st.cp_peak, 1, "control planes went more than one at a time");
        // Control planes first, then workers.
        let roles: Vec<_> = st.applied.iter().map(|(_, r)| r.unwrap()).collect();
        assert_eq!(&roles[..3], &[Role::ControlPlane; 3]);
    }

    #[tokio::test]
    async fn swapped_roles_without_hostnames_are_refused_both_ways_and_nothing_is_sent() {
        let nodes = three_plus_two();
        let (clients, state) = cluster(&nodes, true);
        // Swap the addresses of cp-01 and worker-01 in the project, and change every render so
        // the apply would send something.
        let mut swapped = nodes.clone();
        swapped[0].address = "a4".into();
        swapped[3].address = "a1".into();
        for n in &mut swapped {
            n.documents[0]["cluster"]["clusterName"] = "changed".into();
        }
        let facts = BTreeMap::new();
        let known = Known {
            nodes: &swapped,
            facts: &facts,
        };
        let out = apply::apply(&clients, &swapped, known, &opts(), &quiet()).await;
        let NodeStatus::Failed(cp) = &out[0] else {
            panic!("{out:?}")
        };
        assert!(
            cp.contains("node cp-01: refusing") && cp.contains("worker-01"),
            "{cp}"
        );
        let NodeStatus::Failed(w) = &out[3] else {
            panic!("{out:?}")
        };
        assert!(
            w.contains("node worker-01: refusing") && w.contains("cp-01"),
            "{w}"
        );
        assert!(matches!(out[1], NodeStatus::NotStarted(_)));
        assert!(state.lock().unwrap().applied.is_empty());
    }

    #[tokio::test]
    async fn recorded_uuid_catches_swapped_nodes_of_the_same_role() {
        let nodes = three_plus_two();
        let (clients, state) = cluster(&nodes, true);
        let mut swapped = nodes.clone();
        swapped[3].address = "a5".into();
        swapped[4].address = "a4".into();
        let mut facts = BTreeMap::new();
        facts.insert(
            "worker-01".to_string(),
            serde_json::json!({"system": {"uuid": "uuid-3"}}),
        );
        facts.insert(
            "worker-02".to_string(),
            serde_json::json!({"system": {"uuid": "uuid-4"}}),
        );
        let known = Known {
            nodes: &swapped,
            facts: &facts,
        };
        let out = apply::apply(&clients, &swapped, known, &opts(), &quiet()).await;
        let NodeStatus::Failed(w) = &out[3] else {
            panic!("{out:?}")
        };
        assert!(
            w.contains("SMBIOS uuid uuid-4 (node worker-02 of this project)"),
            "{w}"
        );
        assert!(state.lock().unwrap().applied.is_empty());
    }

    #[tokio::test]
    async fn insecure_against_a_configured_node_says_so() {
        let nodes = three_plus_two();
        let (clients, state) = cluster(&nodes, true);
        let facts = BTreeMap::new();
        let known = Known {
            nodes: &nodes,
            facts: &facts,
        };
        let o = ApplyOptions {
            insecure: true,
            ..opts()
        };
        let out = apply::apply(&clients, &nodes, known, &o, &quiet()).await;
        let NodeStatus::Failed(m) = &out[0] else {
            panic!("{out:?}")
        };
        assert_eq!(m, "node cp-01: already configured: run without --insecure");
        assert!(state.lock().unwrap().applied.is_empty());
    }

    #[tokio::test]
    async fn an_unchanged_cluster_is_left_alone() {
        let nodes = three_plus_two();
        let (clients, state) = cluster(&nodes, true);
        let facts = BTreeMap::new();
        let known = Known {
            nodes: &nodes,
            facts: &facts,
        };
        let out = apply::apply(&clients, &nodes, known, &opts(), &quiet()).await;
        assert!(
            out.iter().all(|s| matches!(s, NodeStatus::Unchanged(_))),
            "{out:?}"
        );
        assert!(state.lock().unwrap().applied.is_empty());
    }

    #[tokio::test]
    async fn a_control_plane_missing_from_etcd_refuses_the_upgrade_plan() {
        let mut nodes = three_plus_two();
        for n in &mut nodes {
            n.documents[0]["machine"]["install"]["image"] =
                "ghcr.io/siderolabs/installer:v1.13.1".into();
        }
        let (clients, state) = cluster(&nodes, true);
        state.lock().unwrap().members = ["a1", "a2"]
            .iter()
            .enumerate()
            .map(|(i, a)| machinist_talos::EtcdMember {
                id: i as u64,
                hostname: String::new(),
                peer_urls: vec![format!("https://{a}:2380")],
                client_urls: Vec::new(),
                is_learner: false,
            })
            .collect();
        let facts = BTreeMap::new();
        let known = Known {
            nodes: &nodes,
            facts: &facts,
        };
        let out = crate::rollout::upgrade::plan(&clients, &nodes, known, "v1.13.0")
            .await
            .unwrap_err();
        let NodeStatus::Failed(m) = &out[0] else {
            panic!("{out:?}")
        };
        assert!(
            m.contains("control plane cp-03 (a3) is not an etcd member"),
            "{m}"
        );
        assert!(matches!(out[3], NodeStatus::NotStarted(_)));
    }

    #[tokio::test]
    async fn an_installer_newer_than_the_project_minor_is_refused() {
        let mut nodes = three_plus_two();
        nodes[0].documents[0]["machine"]["install"]["image"] =
            "ghcr.io/siderolabs/installer:v1.14.0".into();
        let err = crate::rollout::upgrade::target_of(&nodes[0], "v1.13.9").unwrap_err();
        assert!(err.contains("run `machinist migrate`"), "{err}");
    }

    #[tokio::test]
    async fn bootstrap_refuses_a_worker_answering_at_the_control_planes_address() {
        let nodes = three_plus_two();
        let (clients, state) = cluster(&nodes, true);
        // The project's cp-01 now points at the machine that runs worker-01's config.
        let mut swapped = nodes.clone();
        swapped[0].address = "a4".into();
        swapped[3].address = "a1".into();
        let facts = BTreeMap::new();
        let known = Known {
            nodes: &swapped,
            facts: &facts,
        };
        let secure = clients.secure.clone().unwrap();
        let err = crate::rollout::cluster::bootstrap_checked(
            &secure,
            &swapped[0],
            known,
            Waits::default(),
        )
        .await
        .unwrap_err();
        assert!(
            err.contains("node cp-01: refusing") && err.contains("worker-01"),
            "{err}"
        );
        assert!(state.lock().unwrap().bootstrapped.is_empty());
        // At its real address the same node is bootstrapped.
        let known = Known {
            nodes: &nodes,
            facts: &facts,
        };
        crate::rollout::cluster::bootstrap_checked(&secure, &nodes[0], known, Waits::default())
            .await
            .unwrap();
        assert_eq!(state.lock().unwrap().bootstrapped, vec!["a1".to_string()]);
    }
}

//! Talos's apid director, as the simulator plays it. In: a request's `node` / `nodes` metadata,
//! the caller and the method's full name. Out: where the request goes — the node that accepted
//! it, one named node, or (`nodes`, one-to-many) several, whose unary replies are merged the way
//! apid merges them (`backend/apid.go` `AppendInfo` / `BuildError`): each target's messages
//! stamped with `metadata.hostname` = the target as named, and a target that fails contributes
//! one message carrying only `metadata.hostname`, `metadata.error` (Go's `rpc error: code = …
//! desc = …`) and `metadata.status`.
//!
//! Rules (v1.13 `director.go`): a `node` key with several values is InvalidArgument; `nodes`
//! wins over `node`; one-to-many is allowed for `/machine.MachineService/` (and the cluster,
//! inspect, storage and time services the simulator does not serve) — any other method answers
//! InvalidArgument `one-2-many proxying is not supported for method M` (v1.12: everything but
//! COSI, `... for COSI methods`); in v1.13+ maintenance mode routing is off and every request is
//! served locally.

use std::sync::Arc;

use tonic::{Request, Status};

use super::service::Svc;
use super::{Caller, Node};
use crate::proto::common::Metadata;
use crate::proto::google::rpc::Status as RpcStatus;
use crate::proto::machine::{
    ApplyConfigurationResponse, BootstrapResponse, EtcdMemberListResponse, RebootResponse,
    ResetResponse, ServiceListResponse, UpgradeResponse, VersionResponse,
};

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Route {
    /// The node that accepted the connection.
    Local,
    /// One node, by address or name (`node`).
    One(String),
    /// Several nodes, replies merged (`nodes`).
    Many(Vec<String>),
}

/// Method prefixes apid proxies one-to-many (v1.13+).
const ONE_TO_MANY: &[&str] = &[
    "/machine.MachineService/",
    "/cluster.ClusterService/",
    "/inspect.InspectService/",
    "/storage.StorageService/",
    "/time.TimeService/",
];

fn values<T>(req: &Request<T>, key: &str) -> Vec<String> {
    req.metadata()
        .get_all(key)
        .iter()
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .collect()
}

impl Svc {
    /// The route of a request to `method` (`/machine.MachineService/Version`).
    pub(super) fn route<T>(
        &self,
        req: &Request<T>,
        c: &Caller,
        method: &str,
    ) -> Result<Route, Status> {
        let minor = self.cluster.minor;
        if c.maintenance && minor >= 13 {
            return Ok(Route::Local); // maintenance mode disables node routing
        }
        let node = values(req, "node");
        if node.len() > 1 {
            return Err(Status::invalid_argument(
                "node metadata must be single-valued",
            ));
        }
        let nodes = values(req, "nodes");
        if !nodes.is_empty() {
            if minor >= 13 && !ONE_TO_MANY.iter().any(|p| method.starts_with(p)) {
                return Err(Status::invalid_argument(format!(
                    "one-2-many proxying is not supported for method {method}"
                )));
            }
            if minor <= 12 && method.starts_with("/cosi.") {
                return Err(Status::invalid_argument(
                    "one-2-many proxying is not supported for COSI methods",
                ));
            }
            return Ok(Route::Many(nodes));
        }
        Ok(node.into_iter().next().map_or(Route::Local, Route::One))
    }

    /// The running node a target names (its address or name), else the dial error apid gives.
    pub(super) fn lookup(&self, wanted: &str) -> Result<Arc<Node>, Status> {
        self.cluster
            .nodes
            .iter()
            .find(|n| n.spec.ip.to_string() == wanted || n.spec.name == wanted)
            .filter(|n| *n.up.borrow())
            .cloned()
            .ok_or_else(|| {
                Status::unavailable(format!(
                    "connection error: desc = \"transport: Error while dialing: dial tcp {wanted}:50000: connect: connection refused\""
                ))
            })
    }

    /// The one node a request goes to; several (`nodes` with more than one value) only where
    /// the handler merges replies, so here that is refused in words that say so.
    pub(super) fn target<T>(
        &self,
        req: &Request<T>,
        c: &Caller,
        method: &str,
    ) -> Result<Arc<Node>, Status> {
        match self.route(req, c, method)? {
            Route::Local => Ok(self.cluster.nodes[c.local].clone()),
            Route::One(t) => self.lookup(&t),
            Route::Many(ts) if ts.len() == 1 => self.lookup(&ts[0]),
            Route::Many(_) => Err(Status::unimplemented(format!(
                "machinist-sim does not merge the streams of several nodes for {method}; send one call per node (the `node` key)"
            ))),
        }
    }
}

/// A unary reply apid can merge: a list of messages, each with a `metadata` field.
pub(super) trait Merge: Sized {
    /// Stamps every message with `hostname` (apid's `AppendInfo`).
    fn stamp(self, hostname: &str) -> Self;
    /// Appends `other`'s messages.
    fn append(&mut self, other: Self);
    /// The one-message reply of a target that failed (apid's `BuildError`).
    fn failed(hostname: &str, err: &Status) -> Self;
    /// An empty reply.
    fn empty() -> Self;
}

fn host(hostname: &str) -> Metadata {
    Metadata {
        hostname: hostname.to_owned(),
        ..Default::default()
    }
}

fn error_metadata(hostname: &str, err: &Status) -> Metadata {
    Metadata {
        hostname: hostname.to_owned(),
        error: format!(
            "rpc error: code = {:?} desc = {}",
            err.code(),
            err.message()
        ),
        status: Some(RpcStatus {
            code: err.code() as i32,
            message: err.message().to_owned(),
            details: Vec::new(),
        }),
    }
}

macro_rules! merge {
    ($($resp:ty),* $(,)?) => {$(
        impl Merge for $resp {
            fn stamp(mut self, hostname: &str) -> Self {
                for m in &mut self.messages {
                    m.metadata = Some(host(hostname));
                }
                self
            }
            fn append(&mut self, other: Self) {
                self.messages.extend(other.messages);
            }
            fn failed(hostname: &str, err: &Status) -> Self {
                let mut out = Self::default();
                out.messages.push(Default::default());
                out.messages[0].metadata = Some(error_metadata(hostname, err));
                out
            }
            fn empty() -> Self {
                Self::default()
            }
        }
    )*};
}

merge!(
    ApplyConfigurationResponse,
    BootstrapResponse,
    EtcdMemberListResponse,
    RebootResponse,
    ResetResponse,
    ServiceListResponse,
    UpgradeResponse,
    VersionResponse,
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::cosi::resource::ListRequest;
    use crate::proto::cosi::resource::state_server::State as _;
    use crate::proto::machine::machine_service_server::MachineService as _;
    use crate::sim::pki::Ca;
    use crate::sim::{NodeSpec, SimOptions, Simulator};

    fn caller(local: usize) -> Caller {
        Caller {
            roles: vec!["os:reader".into()],
            maintenance: false,
            local,
            kill: Arc::new(tokio::sync::Notify::new()),
        }
    }

    fn request<T>(msg: T, key: &'static str, targets: &[&str]) -> Request<T> {
        let mut req = Request::new(msg);
        req.extensions_mut().insert(caller(0));
        for t in targets {
            req.metadata_mut().append(key, t.parse().unwrap());
        }
        req
    }

    #[tokio::test]
    async fn nodes_fans_machine_calls_out_and_merges_replies_like_apid() {
        let state = tempfile::tempdir().unwrap();
        let sim = Simulator::start(SimOptions {
            nodes: ["n1", "n2"]
                .iter()
                .enumerate()
                .map(|(i, n)| NodeSpec {
                    name: (*n).into(),
                    ip: format!("127.78.23.{}", i + 1).parse().unwrap(),
                    port: 50000,
                })
                .collect(),
            os_ca: Ca::generate("talos").unwrap(),
            state_dir: state.path().join("state"),
            talos_version: "v1.13.9".into(),
            reboot_delay: std::time::Duration::from_millis(300),
            faults: Vec::new(),
            kube_ca: None,
            uuids: Default::default(),
        })
        .await
        .unwrap();
        let svc = Svc {
            cluster: sim.cluster.clone(),
        };
        let req = request((), "nodes", &["127.78.23.2", "n1", "10.9.9.9"]);
        let reply = svc.version(req).await.unwrap().into_inner();
        let hosts: Vec<_> = reply
            .messages
            .iter()
            .map(|m| m.metadata.clone().unwrap())
            .collect();
        assert_eq!(
            hosts
                .iter()
                .map(|m| m.hostname.as_str())
                .collect::<Vec<_>>(),
            ["127.78.23.2", "n1", "10.9.9.9"]
        );
        assert_eq!(reply.messages[0].version.as_ref().unwrap().tag, "v1.13.9");
        assert!(hosts[0].error.is_empty() && hosts[1].error.is_empty());
        assert!(
            hosts[2]
                .error
                .starts_with("rpc error: code = Unavailable desc = connection error"),
            "{}",
            hosts[2].error
        );
        // `node` still routes one-to-one, unstamped; several values are refused.
        let one = svc.version(request((), "node", &["n2"])).await.unwrap();
        assert_eq!(one.into_inner().messages[0].metadata, None);
        let err = svc
            .version(request((), "node", &["n1", "n2"]))
            .await
            .unwrap_err();
        assert_eq!(err.message(), "node metadata must be single-valued");
        // COSI is never one-to-many.
        let list = ListRequest {
            namespace: "hardware".into(),
            r#type: "SystemInformations.hardware.talos.dev".into(),
            options: None,
        };
        let err = match svc.list(request(list, "nodes", &["n1"])).await {
            Err(e) => e,
            Ok(_) => panic!("COSI with `nodes` must be refused"),
        };
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
        assert_eq!(
            err.message(),
            "one-2-many proxying is not supported for method /cosi.resource.State/List"
        );
        sim.shutdown().await;
    }

    #[test]
    fn a_failed_target_is_one_message_with_its_error() {
        let st = Status::unavailable("dial tcp 10.0.0.9:50000: connect: connection refused");
        let r = VersionResponse::failed("10.0.0.9", &st);
        assert_eq!(r.messages.len(), 1);
        let m = r.messages[0].metadata.clone().unwrap();
        assert_eq!(m.hostname, "10.0.0.9");
        assert_eq!(
            m.error,
            "rpc error: code = Unavailable desc = dial tcp 10.0.0.9:50000: connect: connection refused"
        );
        assert_eq!(m.status.unwrap().code, tonic::Code::Unavailable as i32);
        assert!(r.messages[0].version.is_none());
    }
}

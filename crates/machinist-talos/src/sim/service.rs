//! The simulated node's gRPC handlers. In: requests (with the caller's roles attached by the
//! connection) and the `node` metadata key. Out: Talos-shaped replies, errors with Talos's codes
//! and messages, and the node state changes an apply causes (persist, switch, reboot, rollback).

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tonic::{Request, Response, Status};

use super::fault::{Call, FaultKind};
use super::semantics;
use super::{Caller, Cluster, Node};
use crate::client::ApplyMode;
use crate::machineconfig;
use crate::proto::cosi::resource::state_server::{State, StateServer};
use crate::proto::cosi::resource::{GetRequest, GetResponse, ListRequest, ListResponse};
use crate::proto::machine::image_service_server::ImageServiceServer;
use crate::proto::machine::lifecycle_service_server::LifecycleServiceServer;
use crate::proto::machine::machine_service_server::{MachineService, MachineServiceServer};
use crate::proto::machine::{
    ApplyConfiguration, ApplyConfigurationRequest, ApplyConfigurationResponse, BootstrapRequest,
    BootstrapResponse, EtcdMemberListRequest, EtcdMemberListResponse, FeaturesInfo, PlatformInfo,
    RebootRequest, RebootResponse, ResetRequest, ResetResponse, ServiceListResponse,
    UpgradeRequest, UpgradeResponse, Version, VersionInfo, VersionResponse,
};

pub(super) fn routes(cluster: Arc<Cluster>) -> tonic::service::Routes {
    let svc = Svc { cluster };
    tonic::service::Routes::new(MachineServiceServer::new(svc.clone()))
        .add_service(LifecycleServiceServer::new(svc.clone()))
        .add_service(ImageServiceServer::new(svc.clone()))
        .add_service(StateServer::new(svc))
        .prepare()
}

#[derive(Clone)]
pub(super) struct Svc {
    pub(super) cluster: Arc<Cluster>,
}

const NO_REBOOT_DETAILS: &str = "Applied configuration without a reboot";
const REBOOT_DETAILS: &str = "Applied configuration with a reboot";
const STAGED_DETAILS: &str = "Staged configuration to be applied after the next reboot";

/// Go's `time.Duration.String()` for whole and fractional seconds (`1m0s`, `30s`, `1.5s`).
fn go_duration(d: Duration) -> String {
    let total = d.as_secs();
    let frac = d.subsec_millis();
    let secs = if frac == 0 {
        format!("{}s", total % 60)
    } else {
        format!(
            "{}.{}s",
            total % 60,
            format!("{frac:03}").trim_end_matches('0')
        )
    };
    match (total / 3600, (total % 3600) / 60) {
        (0, 0) => secs,
        (0, m) => format!("{m}m{secs}"),
        (h, m) => format!("{h}h{m}m{secs}"),
    }
}

pub(super) fn caller<T>(req: &Request<T>) -> Result<Caller, Status> {
    req.extensions()
        .get::<Caller>()
        .cloned()
        .ok_or_else(|| Status::internal("no caller information on the connection"))
}

pub(super) fn has_role(c: &Caller, roles: &[&str]) -> bool {
    c.roles.iter().any(|r| roles.contains(&r.as_str()))
}

pub(super) fn not_authorized() -> Status {
    Status::permission_denied("not authorized")
}

impl Svc {
    /// The node a request is for: the `node` metadata key, or the node that accepted it.
    pub(super) fn target<T>(&self, req: &Request<T>, c: &Caller) -> Result<Arc<Node>, Status> {
        let local = self.cluster.nodes[c.local].clone();
        if c.maintenance && self.cluster.minor >= 13 {
            return Ok(local); // maintenance mode disables node routing
        }
        if req.metadata().get("nodes").is_some() {
            return Err(Status::invalid_argument(
                "one-2-many proxying (the `nodes` key) is not supported by machinist-sim; use `node`",
            ));
        }
        let values: Vec<_> = req.metadata().get_all("node").iter().collect();
        let wanted = match values.as_slice() {
            [] => return Ok(local),
            [one] => one.to_str().unwrap_or_default().to_owned(),
            _ => {
                return Err(Status::invalid_argument(
                    "node metadata must be single-valued",
                ));
            }
        };
        let found = self
            .cluster
            .nodes
            .iter()
            .find(|n| n.spec.ip.to_string() == wanted || n.spec.name == wanted)
            .filter(|n| *n.up.borrow());
        found.cloned().ok_or_else(|| {
            Status::unavailable(format!(
                "connection error: desc = \"transport: Error while dialing: dial tcp {wanted}:50000: connect: connection refused\""
            ))
        })
    }

    /// Latency and drop faults for a call.
    /// What every call does first: who is calling, which node the call is for (node routing),
    /// and that node's faults for `call` (latency, refusals, crashes).
    async fn enter<T>(&self, req: &Request<T>, call: Call) -> Result<(Arc<Node>, Caller), Status> {
        let c = caller(req)?;
        let node = self.target(req, &c)?;
        self.faults(&node, call, &c).await?;
        Ok((node, c))
    }

    pub(super) async fn faults(&self, node: &Node, call: Call, c: &Caller) -> Result<(), Status> {
        for f in &self.cluster.faults {
            match f.kind {
                FaultKind::Latency(d) if f.fires(&node.spec.name, call) => {
                    tokio::time::sleep(d).await
                }
                FaultKind::Drop if f.fires(&node.spec.name, call) => {
                    c.kill.notify_one();
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    return Err(Status::unavailable("connection dropped"));
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn crash_fault(&self, node: &Node, kind: FaultKind) -> bool {
        self.cluster
            .faults
            .iter()
            .any(|f| f.kind == kind && f.fires(&node.spec.name, Call::Apply))
    }

    fn persist(node: &Node, data: &[u8]) -> Result<(), Status> {
        super::store::write_private(&node.dir.join("config.yaml"), data)
            .map_err(|e| Status::internal(format!("failed to save config: {e}")))
    }

    async fn do_apply(
        &self,
        node: Arc<Node>,
        c: &Caller,
        req: ApplyConfigurationRequest,
    ) -> Result<ApplyConfiguration, Status> {
        let minor = self.cluster.minor;
        let (maintenance, running) = {
            let st = node.state.lock().expect("node state");
            (st.active.is_none(), st.active.clone())
        };
        if !maintenance && !has_role(c, &["os:admin"]) {
            return Err(not_authorized());
        }
        if maintenance && minor >= 13 && !has_role(c, &["os:admin", "os:reader"]) {
            return Err(not_authorized());
        }
        let Ok(_guard) = node.apply_lock.try_lock() else {
            return Err(Status::failed_precondition(
                "another apply configuration is already in progress",
            ));
        };
        let requested =
            crate::proto::machine::apply_configuration_request::Mode::try_from(req.mode)
                .map(|m| ApplyMode::from_proto(m as i32))
                .map_err(|_| {
                    Status::invalid_argument(format!(
                        "incorrect mode '{}' specified for the apply config call",
                        req.mode
                    ))
                })?;
        let new = semantics::parse(&req.data).map_err(Status::invalid_argument)?;
        semantics::validate(&new).map_err(|e| {
            if maintenance && minor <= 12 {
                Status::invalid_argument(format!("configuration validation failed: {e}"))
            } else {
                Status::invalid_argument(e)
            }
        })?;
        let old = running
            .as_deref()
            .map(semantics::parse)
            .transpose()
            .ok()
            .flatten();

        // Maintenance mode on v1.12 and older: a separate, simpler server.
        if maintenance && minor <= 12 {
            return self.legacy_maintenance_apply(node.clone(), requested, &req);
        }
        let (mode, reboot_reason) =
            resolve_mode(minor, maintenance, requested, old.as_ref(), &new)?;
        let mut details = match mode {
            ApplyMode::NoReboot | ApplyMode::Try => NO_REBOOT_DETAILS.to_owned(),
            ApplyMode::Staged => STAGED_DETAILS.to_owned(),
            ApplyMode::Reboot => match &reboot_reason {
                Some(r) => format!("{REBOOT_DETAILS}: {r}"),
                None => REBOOT_DETAILS.to_owned(),
            },
            ApplyMode::Auto => unreachable!("AUTO is always resolved"),
        };
        if req.dry_run {
            let text = format!(
                "Dry run summary:\n{details} (skipped in dry-run).\n{}",
                semantics::diff_part(old.as_ref(), &new)
            );
            return Ok(reply(mode, text));
        }

        if mode != ApplyMode::Try
            && let Some(h) = node.state.lock().expect("node state").try_revert.take()
        {
            h.abort();
        }
        if self.crash_fault(&node, FaultKind::CrashBeforePersist) {
            self.cluster.reboot(node.clone(), true);
            std::future::pending::<()>().await;
        }
        if maintenance && mode != ApplyMode::Staged {
            self.install(node.clone(), &req.data)?;
            return Ok(reply(mode, details));
        }
        if mode == ApplyMode::Try {
            details.push_str(&Self::apply_try(&node, &req));
        } else {
            Self::apply_persisted(&node, mode, &req.data)?;
        }
        if self.crash_fault(&node, FaultKind::CrashAfterPersist) {
            self.cluster.reboot(node.clone(), true);
            std::future::pending::<()>().await;
        }
        if mode == ApplyMode::Reboot {
            self.cluster.reboot(node.clone(), false);
        }
        Ok(reply(mode, details))
    }

    /// Apply in maintenance mode on v1.12 and older, a separate and simpler server: no
    /// `no-reboot` or `staged`, the config is installed and the reply always says reboot.
    fn legacy_maintenance_apply(
        &self,
        node: Arc<Node>,
        requested: ApplyMode,
        req: &ApplyConfigurationRequest,
    ) -> Result<ApplyConfiguration, Status> {
        if matches!(requested, ApplyMode::NoReboot | ApplyMode::Staged) {
            let word = if requested == ApplyMode::Staged {
                "staged"
            } else {
                "no-reboot"
            };
            return Err(Status::unimplemented(format!(
                "apply configuration --mode='{word}' is not supported in maintenance mode"
            )));
        }
        let details = if req.dry_run {
            "Dry run summary:\nNode is running in maintenance mode and does not have a config yet."
                .into()
        } else {
            self.install(node, &req.data)?;
            String::new()
        };
        Ok(reply(ApplyMode::Reboot, details))
    }

    /// `try` mode: the config runs at once and is reverted to the persistent one after the
    /// request's timeout (60 s by default). Returns the line the reply's details gain.
    fn apply_try(node: &Arc<Node>, req: &ApplyConfigurationRequest) -> String {
        let timeout = req
            .try_mode_timeout
            .map(|d| Duration::new(d.seconds.max(0) as u64, d.nanos.max(0) as u32))
            .unwrap_or(Duration::from_secs(60));
        let n2 = node.clone();
        let revert = tokio::spawn(async move {
            tokio::time::sleep(timeout).await;
            let mut st = n2.state.lock().expect("node state");
            st.active = st.persistent.clone();
            st.version += 1;
            st.try_revert = None;
        });
        let mut st = node.state.lock().expect("node state");
        st.active = Some(req.data.clone());
        st.version += 1;
        st.try_revert = Some(revert);
        format!(
            "\nThe config is applied in 'try' mode and will be automatically reverted back in {}",
            go_duration(timeout)
        )
    }

    /// Every other mode: the config is saved; with `no-reboot` it also runs at once.
    fn apply_persisted(node: &Node, mode: ApplyMode, data: &[u8]) -> Result<(), Status> {
        Self::persist(node, data)?;
        let mut st = node.state.lock().expect("node state");
        st.persistent = Some(data.to_vec());
        if mode == ApplyMode::NoReboot {
            st.active = Some(data.to_vec());
            st.version += 1;
        }
        Ok(())
    }

    /// First config in maintenance mode: save it, run it, and switch the API to mutual TLS
    /// (open maintenance connections are closed shortly after the reply).
    fn install(&self, node: Arc<Node>, data: &[u8]) -> Result<(), Status> {
        Self::persist(&node, data)?;
        {
            let mut st = node.state.lock().expect("node state");
            st.persistent = Some(data.to_vec());
            st.active = Some(data.to_vec());
            st.version += 1;
        }
        self.cluster.installing(node.clone());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            node.maintenance_generation.send_modify(|g| *g += 1);
        });
        Ok(())
    }

    fn check_config_resource(&self, c: &Caller, namespace: &str, ty: &str) -> Result<(), Status> {
        if namespace != machineconfig::NAMESPACE {
            return Err(Status::permission_denied(format!(
                "namespace {namespace:?} is not supported"
            )));
        }
        if ty != machineconfig::TYPE {
            return Err(Status::permission_denied(format!(
                "resource type {ty:?} is not supported"
            )));
        }
        if !has_role(c, &["os:admin"]) || c.maintenance {
            return Err(not_authorized());
        }
        Ok(())
    }
}

/// The mode an apply runs in, and why it reboots when AUTO decides to: REBOOT is gone from
/// v1.14 (outside maintenance); AUTO means no-reboot from v1.14 and in maintenance, else a reboot
/// exactly when the change cannot apply immediately; up to v1.13 an explicit no-reboot or try
/// that cannot apply immediately is refused.
fn resolve_mode(
    minor: u32,
    maintenance: bool,
    requested: ApplyMode,
    old: Option<&semantics::Config>,
    new: &semantics::Config,
) -> Result<(ApplyMode, Option<String>), Status> {
    let immediate = || old.map(|o| semantics::can_apply_immediate(o, new));
    let mode = match requested {
        ApplyMode::Reboot if minor >= 14 && !maintenance => {
            return Err(Status::unimplemented(
                "the REBOOT mode is not supported, please use AUTO or NO_REBOOT modes instead",
            ));
        }
        ApplyMode::Reboot if maintenance => ApplyMode::NoReboot,
        ApplyMode::Auto if minor >= 14 || maintenance => ApplyMode::NoReboot,
        ApplyMode::Auto => match immediate() {
            Some(Err(reason)) => return Ok((ApplyMode::Reboot, Some(reason))),
            _ => ApplyMode::NoReboot,
        },
        ApplyMode::NoReboot | ApplyMode::Try if minor <= 13 && !maintenance => {
            if let Some(Err(reason)) = immediate() {
                return Err(Status::invalid_argument(reason));
            }
            requested
        }
        m => m,
    };
    Ok((mode, None))
}

fn reply(mode: ApplyMode, details: String) -> ApplyConfiguration {
    ApplyConfiguration {
        metadata: None,
        warnings: Vec::new(),
        mode: mode.to_proto(),
        mode_details: details,
    }
}

#[tonic::async_trait]
impl MachineService for Svc {
    async fn apply_configuration(
        &self,
        req: Request<ApplyConfigurationRequest>,
    ) -> Result<Response<ApplyConfigurationResponse>, Status> {
        let (node, c) = self.enter(&req, Call::Apply).await?;
        let msg = self.do_apply(node, &c, req.into_inner()).await?;
        Ok(Response::new(ApplyConfigurationResponse {
            messages: vec![msg],
        }))
    }

    async fn bootstrap(
        &self,
        req: Request<BootstrapRequest>,
    ) -> Result<Response<BootstrapResponse>, Status> {
        let (node, c) = self.enter(&req, Call::Lifecycle).await?;
        Ok(Response::new(self.do_bootstrap(node, &c).await?))
    }

    async fn etcd_member_list(
        &self,
        req: Request<EtcdMemberListRequest>,
    ) -> Result<Response<EtcdMemberListResponse>, Status> {
        let (node, c) = self.enter(&req, Call::Lifecycle).await?;
        Ok(Response::new(self.do_etcd_members(node, &c).await?))
    }

    type KubeconfigStream = KubeconfigStream;

    async fn kubeconfig(&self, req: Request<()>) -> Result<Response<KubeconfigStream>, Status> {
        let (node, c) = self.enter(&req, Call::Lifecycle).await?;
        Ok(Response::new(self.do_kubeconfig(node, &c).await?))
    }

    async fn reboot(
        &self,
        req: Request<RebootRequest>,
    ) -> Result<Response<RebootResponse>, Status> {
        let (node, c) = self.enter(&req, Call::Lifecycle).await?;
        Ok(Response::new(self.do_reboot(node, &c).await?))
    }

    async fn reset(&self, req: Request<ResetRequest>) -> Result<Response<ResetResponse>, Status> {
        let (node, c) = self.enter(&req, Call::Lifecycle).await?;
        Ok(Response::new(
            self.do_reset(node, &c, req.into_inner()).await?,
        ))
    }

    async fn service_list(
        &self,
        req: Request<()>,
    ) -> Result<Response<ServiceListResponse>, Status> {
        let (node, c) = self.enter(&req, Call::Lifecycle).await?;
        Ok(Response::new(self.do_services(node, &c).await?))
    }

    async fn upgrade(
        &self,
        req: Request<UpgradeRequest>,
    ) -> Result<Response<UpgradeResponse>, Status> {
        let (node, c) = self.enter(&req, Call::Lifecycle).await?;
        Ok(Response::new(
            self.do_upgrade(node, &c, req.into_inner()).await?,
        ))
    }

    async fn version(&self, req: Request<()>) -> Result<Response<VersionResponse>, Status> {
        let (node, c) = self.enter(&req, Call::Version).await?;
        let (configured, tag) = {
            let st = node.state.lock().expect("node state");
            (st.active.is_some(), st.tag.clone())
        };
        if !configured && self.cluster.minor <= 12 {
            return Err(Status::unimplemented(
                "API is not implemented in maintenance mode",
            ));
        }
        if !has_role(&c, &["os:admin", "os:operator", "os:reader"]) {
            return Err(not_authorized());
        }
        Ok(Response::new(VersionResponse {
            messages: vec![Version {
                metadata: None,
                version: Some(VersionInfo {
                    tag,
                    sha: "sim".into(),
                    built: String::new(),
                    go_version: "go1.24.0".into(),
                    os: "linux".into(),
                    arch: "amd64".into(),
                }),
                platform: Some(PlatformInfo {
                    name: "metal".into(),
                    mode: "metal".into(),
                }),
                features: configured.then_some(FeaturesInfo { rbac: true }),
            }],
        }))
    }
}

type KubeconfigStream = Pin<
    Box<
        dyn tokio_stream::Stream<Item = Result<crate::proto::common::Data, Status>>
            + Send
            + 'static,
    >,
>;

type ListStream =
    Pin<Box<dyn tokio_stream::Stream<Item = Result<ListResponse, Status>> + Send + 'static>>;

#[tonic::async_trait]
impl State for Svc {
    async fn get(&self, req: Request<GetRequest>) -> Result<Response<GetResponse>, Status> {
        let (node, c) = self.enter(&req, Call::Get).await?;
        let r = req.get_ref();
        if let Some(found) = self.hardware(&node, &c, &r.namespace, &r.r#type)? {
            let resource = found
                .into_iter()
                .find(|x| x.metadata.as_ref().is_some_and(|m| m.id == r.id))
                .ok_or_else(|| {
                    Status::not_found(format!(
                        "resource {}({}/{}@undefined) doesn't exist",
                        r.r#type, r.namespace, r.id
                    ))
                })?;
            return Ok(Response::new(GetResponse {
                resource: Some(resource),
            }));
        }
        self.check_config_resource(&c, &r.namespace, &r.r#type)?;
        let st = node.state.lock().expect("node state");
        let data = match r.id.as_str() {
            machineconfig::ACTIVE_ID => st.active.clone(),
            "persistent" => st.persistent.clone(),
            _ => None,
        };
        let data = data.ok_or_else(|| {
            Status::not_found(format!(
                "resource {}({}/{}@undefined) doesn't exist",
                machineconfig::TYPE,
                machineconfig::NAMESPACE,
                r.id
            ))
        })?;
        let mut resource = machineconfig::resource_for(&data, st.version);
        if let Some(m) = resource.metadata.as_mut() {
            m.id = r.id.clone();
        }
        Ok(Response::new(GetResponse {
            resource: Some(resource),
        }))
    }

    type ListStream = ListStream;

    async fn list(&self, req: Request<ListRequest>) -> Result<Response<ListStream>, Status> {
        let (node, c) = self.enter(&req, Call::Get).await?;
        let r = req.get_ref();
        if let Some(found) = self.hardware(&node, &c, &r.namespace, &r.r#type)? {
            let items: Vec<_> = found
                .into_iter()
                .map(|x| Ok(ListResponse { resource: Some(x) }))
                .collect();
            return Ok(Response::new(Box::pin(tokio_stream::iter(items))));
        }
        self.check_config_resource(&c, &r.namespace, &r.r#type)?;
        let st = node.state.lock().expect("node state");
        let mut items = Vec::new();
        for (id, data) in [
            (machineconfig::ACTIVE_ID, &st.active),
            ("persistent", &st.persistent),
        ] {
            if let Some(d) = data {
                let mut res = machineconfig::resource_for(d, st.version);
                if let Some(m) = res.metadata.as_mut() {
                    m.id = id.into();
                }
                items.push(Ok(ListResponse {
                    resource: Some(res),
                }));
            }
        }
        Ok(Response::new(Box::pin(tokio_stream::iter(items))))
    }
}

#[cfg(test)]
mod tests {
    use super::go_duration;
    use std::time::Duration;

    #[test]
    fn durations_print_like_go() {
        assert_eq!(go_duration(Duration::from_secs(60)), "1m0s");
        assert_eq!(go_duration(Duration::from_secs(30)), "30s");
        assert_eq!(go_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(go_duration(Duration::from_secs(3725)), "1h2m5s");
    }
}

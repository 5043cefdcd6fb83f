//! The simulated node's gRPC handlers. In: requests (with the caller's roles attached by the
//! connection) and the `node` / `nodes` metadata keys (routing and reply merging: `route.rs`). Out: Talos-shaped replies, errors with Talos's codes
//! and messages, and the node state changes an apply causes (persist, switch, reboot, rollback).

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tonic::{Request, Response, Status};

use super::fault::{Call, FaultKind};
use super::route::{Merge, Route};
use super::{Caller, Cluster, Node};
use super::{definitions, semantics};
use crate::client::ApplyMode;
use crate::machineconfig;
use crate::proto::cosi::resource::state_server::{State, StateServer};
use crate::proto::cosi::resource::{GetRequest, GetResponse, ListRequest, ListResponse, Resource};
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
    /// Latency and drop faults for a call.
    /// What every call does first: who is calling, which node the call is for (node routing),
    /// and that node's faults for `call` (latency, refusals, crashes).
    pub(super) async fn enter<T>(
        &self,
        req: &Request<T>,
        method: &str,
        call: Call,
    ) -> Result<(Arc<Node>, Caller), Status> {
        let c = caller(req)?;
        let node = self.target(req, &c, method)?;
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

    /// Talos's COSI access policy, in its order: the type must be registered (a
    /// ResourceDefinition), a sensitive one needs os:admin (never in maintenance mode), and the
    /// namespace must exist.
    fn access(&self, c: &Caller, namespace: &str, ty: &str) -> Result<(), Status> {
        let Some(sensitive) = definitions::sensitive(ty) else {
            return Err(Status::permission_denied(format!(
                "resource type {ty:?} is not supported"
            )));
        };
        if sensitive && (!has_role(c, &["os:admin"]) || c.maintenance) {
            return Err(not_authorized());
        }
        if !definitions::NAMESPACES.contains(&namespace) {
            return Err(Status::permission_denied(format!(
                "namespace {namespace:?} is not supported"
            )));
        }
        Ok(())
    }

    /// The ResourceDefinitions when `ty` names them (none outside namespace `meta`).
    fn definitions(namespace: &str, ty: &str) -> Option<Vec<Resource>> {
        (ty == definitions::TYPE).then(|| {
            if namespace == definitions::NAMESPACE {
                definitions::all()
            } else {
                Vec::new()
            }
        })
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

impl Svc {
    async fn do_version(&self, node: Arc<Node>, c: &Caller) -> Result<VersionResponse, Status> {
        let (configured, tag) = {
            let st = node.state.lock().expect("node state");
            (st.active.is_some(), st.tag.clone())
        };
        if !configured && self.cluster.minor <= 12 {
            return Err(Status::unimplemented(
                "API is not implemented in maintenance mode",
            ));
        }
        if !has_role(c, &["os:admin", "os:operator", "os:reader"]) {
            return Err(not_authorized());
        }
        Ok(VersionResponse {
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
        })
    }
}

/// One unary MachineService handler: routes the request by its `node` / `nodes` metadata, runs
/// the faults of each target, and merges the replies of several targets like apid
/// ([`Merge`]). `|node, c, r| body`: the target node, the caller, the request message.
macro_rules! unary {
    ($svc:ident, $req:ident, $name:literal, $call:expr, |$node:ident, $c:ident, $r:ident| $body:expr) => {{
        let $c = caller(&$req)?;
        let method = concat!("/machine.MachineService/", $name);
        match $svc.route(&$req, &$c, method)? {
            Route::Many(targets) => {
                let inner = $req.into_inner();
                let mut merged = Merge::empty();
                for t in targets {
                    let $r = inner.clone();
                    let one = async {
                        let $node = $svc.lookup(&t)?;
                        $svc.faults(&$node, $call, &$c).await?;
                        let $c = $c.clone();
                        $body.await
                    }
                    .await;
                    match one {
                        Ok(resp) => Merge::append(&mut merged, Merge::stamp(resp, &t)),
                        Err(e) => Merge::append(&mut merged, Merge::failed(&t, &e)),
                    }
                }
                Ok(Response::new(merged))
            }
            Route::One(t) => {
                let $node = $svc.lookup(&t)?;
                $svc.faults(&$node, $call, &$c).await?;
                let $r = $req.into_inner();
                Ok(Response::new($body.await?))
            }
            Route::Local => {
                let $node = $svc.cluster.nodes[$c.local].clone();
                $svc.faults(&$node, $call, &$c).await?;
                let $r = $req.into_inner();
                Ok(Response::new($body.await?))
            }
        }
    }};
}

#[tonic::async_trait]
impl MachineService for Svc {
    async fn apply_configuration(
        &self,
        req: Request<ApplyConfigurationRequest>,
    ) -> Result<Response<ApplyConfigurationResponse>, Status> {
        unary!(
            self,
            req,
            "ApplyConfiguration",
            Call::Apply,
            |node, c, r| async move {
                let msg = self.do_apply(node, &c, r).await?;
                Ok::<_, Status>(ApplyConfigurationResponse {
                    messages: vec![msg],
                })
            }
        )
    }

    async fn bootstrap(
        &self,
        req: Request<BootstrapRequest>,
    ) -> Result<Response<BootstrapResponse>, Status> {
        unary!(self, req, "Bootstrap", Call::Lifecycle, |node, c, _r| self
            .do_bootstrap(node, &c))
    }

    async fn etcd_member_list(
        &self,
        req: Request<EtcdMemberListRequest>,
    ) -> Result<Response<EtcdMemberListResponse>, Status> {
        unary!(
            self,
            req,
            "EtcdMemberList",
            Call::Lifecycle,
            |node, c, _r| self.do_etcd_members(node, &c)
        )
    }

    type KubeconfigStream = KubeconfigStream;

    async fn kubeconfig(&self, req: Request<()>) -> Result<Response<KubeconfigStream>, Status> {
        let (node, c) = self
            .enter(&req, "/machine.MachineService/Kubeconfig", Call::Lifecycle)
            .await?;
        Ok(Response::new(self.do_kubeconfig(node, &c).await?))
    }

    async fn reboot(
        &self,
        req: Request<RebootRequest>,
    ) -> Result<Response<RebootResponse>, Status> {
        unary!(self, req, "Reboot", Call::Lifecycle, |node, c, _r| self
            .do_reboot(node, &c))
    }

    async fn reset(&self, req: Request<ResetRequest>) -> Result<Response<ResetResponse>, Status> {
        unary!(self, req, "Reset", Call::Lifecycle, |node, c, r| self
            .do_reset(node, &c, r))
    }

    async fn service_list(
        &self,
        req: Request<()>,
    ) -> Result<Response<ServiceListResponse>, Status> {
        unary!(self, req, "ServiceList", Call::Lifecycle, |node, c, _r| {
            self.do_services(node, &c)
        })
    }

    async fn upgrade(
        &self,
        req: Request<UpgradeRequest>,
    ) -> Result<Response<UpgradeResponse>, Status> {
        unary!(self, req, "Upgrade", Call::Lifecycle, |node, c, r| self
            .do_upgrade(node, &c, r))
    }

    async fn version(&self, req: Request<()>) -> Result<Response<VersionResponse>, Status> {
        unary!(self, req, "Version", Call::Version, |node, c, _r| self
            .do_version(node, &c))
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
        let (node, c) = self
            .enter(&req, "/cosi.resource.State/Get", Call::Get)
            .await?;
        let r = req.get_ref();
        self.access(&c, &r.namespace, &r.r#type)?;
        let found = match Self::definitions(&r.namespace, &r.r#type) {
            Some(d) => Some(d),
            None => self.hardware(&node, &c, &r.namespace, &r.r#type)?,
        };
        if let Some(found) = found {
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
        let (node, c) = self
            .enter(&req, "/cosi.resource.State/List", Call::Get)
            .await?;
        let r = req.get_ref();
        self.access(&c, &r.namespace, &r.r#type)?;
        let found = match Self::definitions(&r.namespace, &r.r#type) {
            Some(d) => Some(d),
            None => self.hardware(&node, &c, &r.namespace, &r.r#type)?,
        };
        if let Some(found) = found {
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

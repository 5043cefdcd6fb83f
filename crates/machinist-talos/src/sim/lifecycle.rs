//! The simulated node's lifecycle. In: lifecycle requests (with the caller's roles) and the
//! cluster's shared state. Out: Talos-shaped replies and the state changes they cause — the stages
//! maintenance → installing → running, reboots that take a node off the network for the reboot
//! delay and boot a staged upgrade image (or fall back to the old version under the
//! `upgrade-fallback` fault), bootstrap and etcd membership shared by every control plane, reset
//! back to maintenance, service health, the discovery resources, the `schematic` extension of the
//! installer image the node booted (install or upgrade), the admin kubeconfig, and one
//! `events.log` line per step.

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use sha2::Digest as _;
use tonic::{Request, Response, Status};

use super::fault::{Call, FaultKind};
use super::service::{Svc, has_role, not_authorized};
use super::store::{self, Member};
use super::{Caller, Cluster, Node, kubeconfig, semantics};
use crate::proto::common::Data;
use crate::proto::cosi::resource::Resource;
use crate::proto::machine::image_service_server::ImageService;
use crate::proto::machine::lifecycle_service_install_progress::Response as Progress;
use crate::proto::machine::lifecycle_service_server::LifecycleService;
use crate::proto::machine::{
    Bootstrap, BootstrapResponse, EtcdMember, EtcdMemberListResponse, EtcdMembers,
    ImageServicePullRequest, ImageServicePullResponse, LifecycleServiceInstallProgress,
    LifecycleServiceUpgradeRequest, LifecycleServiceUpgradeResponse, Reboot, RebootResponse, Reset,
    ResetRequest, ResetResponse, ServiceHealth, ServiceInfo, ServiceList, ServiceListResponse,
    Upgrade, UpgradeRequest, UpgradeResponse, image_service_pull_response, reset_request,
};
use crate::{extensions, hardware};

type Stream<T> = Pin<Box<dyn tokio_stream::Stream<Item = Result<T, Status>> + Send + 'static>>;

/// The tag of an image reference (`repo/installer:v1.13.1@sha256:...` → `v1.13.1`).
pub fn image_tag(image: &str) -> Option<&str> {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    last.split_once(':')
        .map(|(_, t)| t)
        .filter(|t| !t.is_empty())
}

fn applied(node: &Node) -> Option<semantics::Config> {
    let st = node.state.lock().expect("node state");
    st.active.as_deref().and_then(|b| semantics::parse(b).ok())
}

/// The installer image a config installs from: `machine.install.image`, or `installer.image` of
/// an `UnattendedInstallConfig` document.
fn install_image(cfg: &semantics::Config) -> Option<String> {
    let v1 = cfg
        .v1alpha1
        .as_ref()
        .and_then(|v| v.get("machine")?.get("install")?.get("image")?.as_str());
    let unattended = cfg.others.iter().find_map(|d| {
        (d.get("kind")?.as_str()? == "UnattendedInstallConfig")
            .then(|| d.get("installer")?.get("image")?.as_str())
            .flatten()
    });
    v1.or(unattended).map(str::to_owned)
}

fn machine_type(cfg: &semantics::Config) -> &str {
    cfg.v1alpha1
        .as_ref()
        .and_then(|v| v.get("machine"))
        .and_then(|m| m.get("type"))
        .and_then(serde_yaml_ng::Value::as_str)
        .unwrap_or("")
}

/// Whether the node's running config makes it a control plane.
pub(super) fn is_control_plane(node: &Node) -> bool {
    applied(node).is_some_and(|c| matches!(machine_type(&c), "controlplane" | "init"))
}

/// Configured, past the install, and on the network.
fn running(node: &Node) -> bool {
    let st = node.state.lock().expect("node state");
    st.active.is_some() && !st.installing && *node.up.borrow()
}

fn member_of(cluster: &Cluster, node: &Node) -> bool {
    let etcd = cluster.etcd.lock().expect("etcd");
    etcd.bootstrapped && etcd.members.iter().any(|m| m.node == node.spec.name)
}

fn new_member_id(name: &str) -> u64 {
    let d = sha2::Sha256::digest(format!("{name}/{}", store::now_rfc3339()).as_bytes());
    u64::from_be_bytes(d[..8].try_into().expect("8 bytes"))
}

impl Cluster {
    pub(super) fn event(&self, node: &Node, text: &str) {
        self.events.record(&node.spec.name, text);
    }

    fn save_etcd(&self, etcd: &store::EtcdFile) {
        let _ = store::write_yaml(&self.state_dir.join("etcd.yaml"), etcd);
    }

    pub(super) fn save_node(&self, node: &Node) {
        let file = {
            let st = node.state.lock().expect("node state");
            store::NodeFile {
                version: st.tag.clone(),
                staged_image: st.staged_image.clone(),
                image: st.image.clone(),
            }
        };
        let _ = store::write_yaml(&node.dir.join("node.yaml"), &file);
    }

    /// Whether the `etcd-member-missing` fault keeps `node` out of etcd.
    fn kept_out_of_etcd(&self, node: &str) -> bool {
        self.faults
            .iter()
            .any(|f| f.kind == FaultKind::EtcdMemberMissing && f.node.as_deref() == Some(node))
    }

    /// Running control planes that are not etcd members join once the cluster is bootstrapped;
    /// a node the `etcd-member-missing` fault names is removed instead (and does not rejoin).
    pub(super) fn reconcile_etcd(&self) {
        let joiners: Vec<&Arc<Node>> = self
            .nodes
            .iter()
            .filter(|n| running(n) && is_control_plane(n))
            .filter(|n| !self.kept_out_of_etcd(&n.spec.name))
            .collect();
        let mut etcd = self.etcd.lock().expect("etcd");
        if !etcd.bootstrapped {
            return;
        }
        let mut changed = false;
        let (kept_out, stay): (Vec<Member>, Vec<Member>) = std::mem::take(&mut etcd.members)
            .into_iter()
            .partition(|m| self.kept_out_of_etcd(&m.node));
        etcd.members = stay;
        for m in kept_out {
            self.events.record(&m.node, "etcd-member-missing (fault)");
            changed = true;
        }
        for n in joiners {
            if etcd.members.iter().any(|m| m.node == n.spec.name) {
                continue;
            }
            etcd.members.push(Member {
                id: new_member_id(&n.spec.name),
                node: n.spec.name.clone(),
                ip: n.spec.ip.to_string(),
            });
            self.event(n, "etcd-join");
            changed = true;
        }
        if changed {
            self.save_etcd(&etcd);
        }
    }

    fn fallback_fault(&self, node: &Node) -> bool {
        self.faults
            .iter()
            .any(|f| f.kind == FaultKind::UpgradeFallback && f.fires(&node.spec.name, Call::Any))
    }

    /// Brings a node back from a reboot: it loads its saved config, boots a staged upgrade image
    /// (unless the fallback fault fires), and control planes join etcd.
    fn boot(&self, node: &Node) {
        let mut fell_back = None;
        {
            let mut st = node.state.lock().expect("node state");
            if let Some(h) = st.try_revert.take() {
                h.abort();
            }
            if st.active != st.persistent {
                st.active = st.persistent.clone();
                st.version += 1;
            }
            if let Some(image) = st.staged_image.take() {
                if self.fallback_fault(node) {
                    fell_back = Some(image);
                } else {
                    if let Some(tag) = image_tag(&image) {
                        st.tag = tag.to_owned();
                    }
                    st.image = Some(image);
                }
            }
            st.upgrading = false;
            st.installing = false;
        }
        if let Some(image) = fell_back {
            self.event(node, &format!("upgrade-fallback image={image}"));
        }
        self.save_node(node);
        let (tag, maintenance) = {
            let st = node.state.lock().expect("node state");
            (st.tag.clone(), st.active.is_none())
        };
        let _ = node.up.send(true);
        let suffix = if maintenance { " maintenance" } else { "" };
        self.event(node, &format!("up version={tag}{suffix}"));
        self.reconcile_etcd();
    }

    fn go_down(node: &Node) {
        let _ = node.up.send(false);
        node.generation.send_modify(|g| *g += 1);
    }

    /// Takes the node off the network for the reboot delay, then boots it. `crash` closes
    /// connections at once, so a pending reply is never sent; otherwise the reply goes out first.
    pub(super) fn reboot(self: &Arc<Self>, node: Arc<Node>, crash: bool) {
        let cluster = self.clone();
        if crash {
            cluster.event(&node, "crash");
            Self::go_down(&node);
        }
        tokio::spawn(async move {
            if !crash {
                tokio::time::sleep(Duration::from_millis(50)).await;
                cluster.event(&node, "reboot");
                Self::go_down(&node);
            }
            tokio::time::sleep(cluster.reboot_delay).await;
            cluster.boot(&node);
        });
    }

    /// The first config is installed: the node is configured at once (mutual TLS) and finishes
    /// installing after the reboot delay.
    pub(super) fn installing(self: &Arc<Self>, node: Arc<Node>) {
        let image = applied(&node).and_then(|c| install_image(&c));
        {
            let mut st = node.state.lock().expect("node state");
            st.installing = true;
            // Talos installs only when the disk holds no system yet (its Install task checks
            // `Installed()`); otherwise the installed system, and its schematic, stays.
            if st.image.is_none() {
                st.image = image;
            }
        }
        self.event(&node, "install");
        let cluster = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(cluster.reboot_delay).await;
            let tag = {
                let mut st = node.state.lock().expect("node state");
                if !st.installing || !*node.up.borrow() {
                    // Rebooted or reset meanwhile: that boot ends the install and says so.
                    return;
                }
                st.installing = false;
                st.tag.clone()
            };
            cluster.save_node(&node);
            cluster.event(&node, &format!("up version={tag}"));
            cluster.reconcile_etcd();
        });
    }
}

fn unavailable_in_maintenance() -> Status {
    Status::unimplemented("API is not implemented in maintenance mode")
}

/// Talos's `machinehelper.CheckControlplane`.
fn only_control_planes(node: &Node, api: &str) -> Result<(), Status> {
    match applied(node) {
        None => Err(Status::unimplemented(format!(
            "machine type is not set, cannot use {api} API"
        ))),
        Some(c) if matches!(machine_type(&c), "controlplane" | "init") => Ok(()),
        Some(_) => Err(Status::unimplemented(format!(
            "{api} is only available on control plane nodes"
        ))),
    }
}

impl Svc {
    /// Talos's gate for MachineService calls: v1.12 maintenance serves none of them, else the
    /// caller needs one of `roles`.
    fn gate(&self, c: &Caller, roles: &[&str]) -> Result<(), Status> {
        if c.maintenance && self.cluster.minor <= 12 {
            return Err(unavailable_in_maintenance());
        }
        if !has_role(c, roles) {
            return Err(not_authorized());
        }
        Ok(())
    }

    /// The discovery resources of `node` when `(namespace, type)` names one of them; `None` for
    /// any other type. Non-sensitive: every role may read them, in maintenance mode too.
    pub(super) fn hardware(
        &self,
        node: &Node,
        c: &Caller,
        namespace: &str,
        ty: &str,
    ) -> Result<Option<Vec<Resource>>, Status> {
        let kinds = [
            hardware::SYSTEM_INFORMATION,
            hardware::DISKS,
            hardware::LINK_STATUSES,
            extensions::EXTENSION_STATUSES,
        ];
        let Some(kind) = kinds.iter().find(|k| k.r#type == ty) else {
            return Ok(None);
        };
        if !super::definitions::NAMESPACES.contains(&namespace) {
            return Err(Status::permission_denied(format!(
                "namespace {namespace:?} is not supported"
            )));
        }
        if !has_role(c, &["os:admin", "os:operator", "os:reader"]) {
            return Err(not_authorized());
        }
        if kind.namespace != namespace {
            // A namespace that exists but holds no such resources: Get is NotFound, List empty.
            return Ok(Some(Vec::new()));
        }
        let name = &node.spec.name;
        let out = if *kind == extensions::EXTENSION_STATUSES {
            // Only Image Factory images carry the `schematic` extension.
            let st = node.state.lock().expect("node state");
            st.image
                .as_deref()
                .and_then(extensions::schematic_of_image)
                .map(|id| vec![extensions::schematic_resource("0", id)])
                .unwrap_or_default()
        } else if *kind == hardware::SYSTEM_INFORMATION {
            vec![hardware::system_info_resource(&node.identity)]
        } else if *kind == hardware::DISKS {
            super::identity::disks(name)
                .iter()
                .map(hardware::disk_resource)
                .collect()
        } else {
            super::identity::links(name)
                .iter()
                .enumerate()
                .map(|(i, l)| hardware::link_resource(l, i as u32 + 1))
                .collect()
        };
        Ok(Some(out))
    }

    pub(super) async fn do_bootstrap(
        &self,
        node: Arc<Node>,
        c: &Caller,
    ) -> Result<BootstrapResponse, Status> {
        self.gate(c, &["os:admin"])?;
        if node.state.lock().expect("node state").installing {
            return Err(Status::failed_precondition(
                "bootstrap is not available yet",
            ));
        }
        only_control_planes(&node, "bootstrap")?;
        {
            let mut etcd = self.cluster.etcd.lock().expect("etcd");
            if etcd.bootstrapped {
                return Err(Status::already_exists("etcd data directory is not empty"));
            }
            etcd.bootstrapped = true;
            etcd.members = vec![Member {
                id: new_member_id(&node.spec.name),
                node: node.spec.name.clone(),
                ip: node.spec.ip.to_string(),
            }];
            self.cluster.save_etcd(&etcd);
        }
        self.cluster.event(&node, "bootstrap");
        self.cluster.reconcile_etcd();
        Ok(BootstrapResponse {
            messages: vec![Bootstrap { metadata: None }],
        })
    }

    pub(super) async fn do_kubeconfig(
        &self,
        node: Arc<Node>,
        c: &Caller,
    ) -> Result<Stream<Data>, Status> {
        self.gate(c, &["os:admin"])?;
        only_control_planes(&node, "kubeconfig")?;
        let cfg = applied(&node).ok_or_else(|| Status::failed_precondition("no config"))?;
        let (cluster, endpoint) =
            kubeconfig::cluster_of(&cfg).map_err(Status::failed_precondition)?;
        let ca = self.cluster.kube_ca.as_ref().ok_or_else(|| {
            Status::failed_precondition(
                "machinist-sim was started without the Kubernetes CA (give it the project's secrets)",
            )
        })?;
        let text = kubeconfig::kubeconfig(ca, &cluster, &endpoint).map_err(|e| {
            Status::internal(format!(
                "error generating Kubernetes client certificate: {e}"
            ))
        })?;
        let bytes =
            kubeconfig::targz(text.as_bytes()).map_err(|e| Status::internal(e.to_string()))?;
        let data = Data {
            metadata: None,
            bytes,
        };
        Ok(Box::pin(tokio_stream::iter(vec![Ok(data)])))
    }

    fn start_upgrade(&self, node: &Node) -> Result<(), Status> {
        let mut st = node.state.lock().expect("node state");
        if st.active.is_none() {
            return Err(Status::failed_precondition("Talos is not installed"));
        }
        if st.upgrading {
            return Err(Status::failed_precondition(
                "another installation/upgrade is already in progress",
            ));
        }
        st.upgrading = true;
        Ok(())
    }

    pub(super) async fn do_upgrade(
        &self,
        node: Arc<Node>,
        c: &Caller,
        req: UpgradeRequest,
    ) -> Result<UpgradeResponse, Status> {
        self.gate(c, &["os:admin"])?;
        if req.image.is_empty() {
            return Err(Status::invalid_argument("installer image name is required"));
        }
        self.start_upgrade(&node)?;
        {
            let mut st = node.state.lock().expect("node state");
            st.staged_image = Some(req.image.clone());
            if req.stage {
                st.upgrading = false;
            }
        }
        self.cluster.save_node(&node);
        if req.stage {
            self.cluster
                .event(&node, &format!("upgrade-staged image={}", req.image));
        } else {
            self.cluster
                .event(&node, &format!("upgrade-start image={}", req.image));
            self.cluster.reboot(node.clone(), false);
        }
        Ok(UpgradeResponse {
            messages: vec![Upgrade {
                metadata: None,
                ack: "Upgrade request received".into(),
                actor_id: super::identity::name_uuid(&store::now_rfc3339()),
            }],
        })
    }

    async fn do_lifecycle_upgrade(
        &self,
        node: Arc<Node>,
        c: &Caller,
        req: LifecycleServiceUpgradeRequest,
    ) -> Result<Stream<LifecycleServiceUpgradeResponse>, Status> {
        if self.cluster.minor <= 12 {
            return Err(Status::unimplemented(
                "unknown service machine.LifecycleService",
            ));
        }
        if !has_role(c, &["os:admin"]) {
            return Err(not_authorized());
        }
        let image = req.source.map(|s| s.image_name).unwrap_or_default();
        if image.is_empty() {
            return Err(Status::invalid_argument("installer image name is required"));
        }
        if node.state.lock().expect("node state").active.is_none() {
            return Err(Status::failed_precondition("machine is not installed"));
        }
        self.start_upgrade(&node)?;
        self.cluster
            .event(&node, &format!("upgrade-start image={image}"));
        let msg = |m: String| {
            Ok(LifecycleServiceUpgradeResponse {
                progress: Some(LifecycleServiceInstallProgress {
                    response: Some(Progress::Message(m)),
                }),
            })
        };
        let exit = |code: i32| {
            Ok(LifecycleServiceUpgradeResponse {
                progress: Some(LifecycleServiceInstallProgress {
                    response: Some(Progress::ExitCode(code)),
                }),
            })
        };
        let pulled = {
            let mut st = node.state.lock().expect("node state");
            let pulled = st.pulled.contains(&image);
            if pulled {
                st.staged_image = Some(image.clone());
            }
            st.upgrading = false;
            pulled
        };
        let items = if pulled {
            self.cluster.save_node(&node);
            self.cluster
                .event(&node, &format!("upgrade-installed image={image}"));
            vec![
                msg(format!("using installer image {image}")),
                msg("installing Talos to the system disk /dev/sda".into()),
                msg("upgrade completed, reboot to boot the new version".into()),
                exit(0),
            ]
        } else {
            self.cluster
                .event(&node, &format!("upgrade-failed image={image}"));
            vec![
                msg(format!(
                    "failed to get image {image}: image \"{image}\": not found (pull it with ImageService/Pull first)"
                )),
                exit(1),
            ]
        };
        Ok(Box::pin(tokio_stream::iter(items)))
    }

    async fn do_pull(
        &self,
        node: Arc<Node>,
        c: &Caller,
        req: ImageServicePullRequest,
    ) -> Result<Stream<ImageServicePullResponse>, Status> {
        if c.maintenance && self.cluster.minor <= 12 {
            return Err(unavailable_in_maintenance());
        }
        if !has_role(c, &["os:admin", "os:operator"]) {
            return Err(not_authorized());
        }
        if req.image_ref.is_empty() {
            return Err(Status::invalid_argument("image reference is required"));
        }
        node.state
            .lock()
            .expect("node state")
            .pulled
            .insert(req.image_ref.clone());
        let reply = ImageServicePullResponse {
            response: Some(image_service_pull_response::Response::Name(req.image_ref)),
        };
        Ok(Box::pin(tokio_stream::iter(vec![Ok(reply)])))
    }

    pub(super) async fn do_reboot(
        &self,
        node: Arc<Node>,
        c: &Caller,
    ) -> Result<RebootResponse, Status> {
        self.gate(c, &["os:admin", "os:operator"])?;
        self.cluster.reboot(node, false);
        Ok(RebootResponse {
            messages: vec![Reboot {
                metadata: None,
                actor_id: super::identity::name_uuid(&store::now_rfc3339()),
            }],
        })
    }

    pub(super) async fn do_reset(
        &self,
        node: Arc<Node>,
        c: &Caller,
        req: ResetRequest,
    ) -> Result<ResetResponse, Status> {
        self.gate(c, &["os:admin"])?;
        let mode = reset_request::WipeMode::try_from(req.mode)
            .map_err(|_| Status::invalid_argument(format!("invalid wipe mode {}", req.mode)))?;
        // No partition list: the whole system disk, BOOT included, so the next config installs
        // again (from its own installer image); with a list (STATE, EPHEMERAL) the installed
        // system stays and boots into maintenance mode.
        let wipes_disk =
            mode != reset_request::WipeMode::UserDisks && req.system_partitions_to_wipe.is_empty();
        let wipes_state = mode != reset_request::WipeMode::UserDisks
            && (req.system_partitions_to_wipe.is_empty()
                || req
                    .system_partitions_to_wipe
                    .iter()
                    .any(|p| p.label == "STATE"));
        if req.graceful && is_control_plane(&node) {
            let mut etcd = self.cluster.etcd.lock().expect("etcd");
            let before = etcd.members.len();
            etcd.members.retain(|m| m.node != node.spec.name);
            if etcd.members.len() != before {
                if etcd.members.is_empty() {
                    etcd.bootstrapped = false;
                }
                self.cluster.save_etcd(&etcd);
                drop(etcd);
                self.cluster.event(&node, "etcd-leave");
            }
        }
        self.cluster.event(
            &node,
            &format!(
                "reset graceful={} reboot={} mode={}",
                req.graceful,
                req.reboot,
                mode.as_str_name().to_lowercase()
            ),
        );
        if wipes_state {
            store::remove(&node.dir.join("config.yaml"))
                .map_err(|e| Status::internal(format!("failed to wipe STATE: {e}")))?;
            let mut st = node.state.lock().expect("node state");
            st.persistent = None;
            st.staged_image = None;
            if wipes_disk {
                st.image = None;
            }
        }
        self.cluster.save_node(&node);
        if req.reboot {
            self.cluster.reboot(node, false);
        } else {
            let cluster = self.cluster.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                cluster.event(&node, "poweroff");
                Cluster::go_down(&node);
            });
        }
        Ok(ResetResponse {
            messages: vec![Reset {
                metadata: None,
                actor_id: super::identity::name_uuid(&store::now_rfc3339()),
            }],
        })
    }

    pub(super) async fn do_etcd_members(
        &self,
        node: Arc<Node>,
        c: &Caller,
    ) -> Result<EtcdMemberListResponse, Status> {
        self.gate(
            c,
            &["os:admin", "os:operator", "os:reader", "os:etcd:backup"],
        )?;
        only_control_planes(&node, "member list")?;
        let etcd = self.cluster.etcd.lock().expect("etcd").clone();
        if !etcd.bootstrapped {
            return Err(Status::unavailable(
                "etcd is not running on any control plane: the cluster is not bootstrapped",
            ));
        }
        let members: Vec<EtcdMember> = etcd
            .members
            .iter()
            .map(|m| EtcdMember {
                id: m.id,
                hostname: m.node.clone(),
                peer_urls: vec![format!("https://{}:2380", url_host(&m.ip))],
                client_urls: vec![format!("https://{}:2379", url_host(&m.ip))],
                is_learner: false,
            })
            .collect();
        Ok(EtcdMemberListResponse {
            messages: vec![EtcdMembers {
                metadata: None,
                legacy_members: members.iter().map(|m| m.hostname.clone()).collect(),
                members,
            }],
        })
    }

    pub(super) async fn do_services(
        &self,
        node: Arc<Node>,
        c: &Caller,
    ) -> Result<ServiceListResponse, Status> {
        self.gate(c, &["os:admin", "os:operator", "os:reader"])?;
        let (configured, installing) = {
            let st = node.state.lock().expect("node state");
            (st.active.is_some(), st.installing)
        };
        let up = |id: &str| service(id, "Running", Some(true));
        let mut list = vec![up("apid"), up("machined"), up("syslogd"), up("udevd")];
        if configured && !installing {
            list.extend([up("containerd"), up("cri"), up("kubelet")]);
            if is_control_plane(&node) {
                list.push(up("trustd"));
                if member_of(&self.cluster, &node) {
                    list.push(up("etcd"));
                } else {
                    list.push(service("etcd", "Preparing", None));
                }
            }
        }
        list.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(ServiceListResponse {
            messages: vec![ServiceList {
                metadata: None,
                services: list,
            }],
        })
    }
}

fn url_host(ip: &str) -> String {
    if ip.contains(':') {
        format!("[{ip}]")
    } else {
        ip.to_owned()
    }
}

fn service(id: &str, state: &str, healthy: Option<bool>) -> ServiceInfo {
    ServiceInfo {
        id: id.into(),
        state: state.into(),
        events: None,
        health: Some(ServiceHealth {
            unknown: healthy.is_none(),
            healthy: healthy.unwrap_or(false),
            last_message: String::new(),
            last_change: None,
        }),
    }
}

#[tonic::async_trait]
impl LifecycleService for Svc {
    type UpgradeStream = Stream<LifecycleServiceUpgradeResponse>;

    async fn upgrade(
        &self,
        req: Request<LifecycleServiceUpgradeRequest>,
    ) -> Result<Response<Self::UpgradeStream>, Status> {
        let (node, c) = self
            .enter(&req, "/machine.LifecycleService/Upgrade", Call::Lifecycle)
            .await?;
        let s = self
            .do_lifecycle_upgrade(node, &c, req.into_inner())
            .await?;
        Ok(Response::new(s))
    }
}

#[tonic::async_trait]
impl ImageService for Svc {
    type PullStream = Stream<ImageServicePullResponse>;

    async fn pull(
        &self,
        req: Request<ImageServicePullRequest>,
    ) -> Result<Response<Self::PullStream>, Status> {
        let (node, c) = self
            .enter(&req, "/machine.ImageService/Pull", Call::Lifecycle)
            .await?;
        let s = self.do_pull(node, &c, req.into_inner()).await?;
        Ok(Response::new(s))
    }
}

#[cfg(test)]
mod tests {
    use super::image_tag;

    #[test]
    fn image_tags_ignore_registry_ports_and_digests() {
        assert_eq!(
            image_tag("factory.talos.dev/installer/abc:v1.13.1"),
            Some("v1.13.1")
        );
        assert_eq!(
            image_tag("registry:5000/siderolabs/installer:v1.12.0@sha256:00"),
            Some("v1.12.0")
        );
        assert_eq!(image_tag("registry:5000/siderolabs/installer"), None);
    }
}

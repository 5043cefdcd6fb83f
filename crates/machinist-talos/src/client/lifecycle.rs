//! The lifecycle calls of [`TalosClient`] over gRPC. In: a node target and the typed requests of
//! [`crate::lifecycle`]. Out: the typed answers — discovery through COSI `State/Get` and `List`
//! (SystemInformation, Disks, LinkStatuses), Bootstrap (a refusal because etcd is already
//! bootstrapped becomes [`BootstrapOutcome::AlreadyBootstrapped`]), the `kubeconfig` file out of
//! the streamed tar.gz, Upgrade (ImageService/Pull + LifecycleService/Upgrade + Reboot on v1.13+,
//! MachineService/Upgrade when the node answers Unimplemented), Reset, Reboot, EtcdMemberList and
//! ServiceList.

use std::io::Read as _;

use tokio_stream::StreamExt as _;

use super::{NodeError, NodeTarget, TalosClient, first_message};
use crate::extensions::{self, ExtensionInfo};
use crate::hardware::{self, Kind};
use crate::lifecycle::{
    BootstrapOutcome, DiskInfo, EtcdMember, LinkInfo, ResetRequest, ServiceInfo, SystemInfo,
    UpgradeApi, UpgradeOutcome, UpgradeRequest, WipeMode,
};
use crate::proto::common::{ContainerDriver, ContainerdInstance, ContainerdNamespace};
use crate::proto::cosi::resource::state_client::StateClient;
use crate::proto::cosi::resource::{GetRequest, ListRequest, Resource};
use crate::proto::machine::image_service_client::ImageServiceClient;
use crate::proto::machine::image_service_pull_response::Response as PullReply;
use crate::proto::machine::lifecycle_service_client::LifecycleServiceClient;
use crate::proto::machine::lifecycle_service_install_progress::Response as Progress;
use crate::proto::machine::machine_service_client::MachineServiceClient;
use crate::proto::machine::{
    BootstrapRequest, EtcdMemberListRequest, ImageServicePullRequest, InstallArtifactsSource,
    LifecycleServiceUpgradeRequest, RebootRequest, ResetRequest as WireReset,
    UpgradeRequest as WireUpgrade, reset_request,
};

/// The containerd instance talosctl uses for the installer image (`--namespace system`).
fn system_containerd() -> ContainerdInstance {
    ContainerdInstance {
        driver: ContainerDriver::Cri as i32,
        namespace: ContainerdNamespace::NsSystem as i32,
    }
}

fn protocol(node: &NodeTarget, reason: impl Into<String>) -> NodeError {
    NodeError::Protocol {
        node: node.name.clone(),
        reason: reason.into(),
    }
}

fn unimplemented(e: &NodeError) -> bool {
    matches!(
        e,
        NodeError::Refused {
            code: tonic::Code::Unimplemented,
            ..
        }
    )
}

/// The `kubeconfig` file inside the tar.gz a node streams.
pub fn kubeconfig_from_targz(archive: &[u8]) -> Result<Vec<u8>, String> {
    let gz = flate2::read::GzDecoder::new(archive);
    let mut tar = tar::Archive::new(gz);
    let entries = tar
        .entries()
        .map_err(|e| format!("kubeconfig archive: {e}"))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("kubeconfig archive: {e}"))?;
        let path = entry
            .path()
            .map_err(|e| format!("kubeconfig archive: {e}"))?
            .to_string_lossy()
            .trim_start_matches("./")
            .to_owned();
        if path == "kubeconfig" {
            let mut out = Vec::new();
            entry
                .read_to_end(&mut out)
                .map_err(|e| format!("kubeconfig archive: {e}"))?;
            return Ok(out);
        }
    }
    Err("the archive the node sent holds no `kubeconfig` file".into())
}

impl TalosClient {
    /// `cosi.resource.State/Get` of one resource (`namespace`, `r#type`, `id`): the one COSI read
    /// the discovery calls and `machine_config` share.
    pub(super) async fn get_resource(
        &self,
        node: &NodeTarget,
        namespace: &str,
        r#type: &str,
        id: &str,
    ) -> Result<Resource, NodeError> {
        let get = GetRequest {
            namespace: namespace.into(),
            r#type: r#type.into(),
            id: id.into(),
            options: None,
        };
        let reply = self
            .call(node, false, |ch| {
                let get = get.clone();
                async move {
                    StateClient::new(ch)
                        .get(self.request(node, get))
                        .await
                        .map(|r| r.into_inner())
                }
            })
            .await?;
        reply
            .resource
            .ok_or_else(|| protocol(node, "State/Get returned no resource"))
    }

    async fn list_resources(
        &self,
        node: &NodeTarget,
        kind: Kind,
    ) -> Result<Vec<Resource>, NodeError> {
        self.list(node, kind.namespace, kind.r#type).await
    }

    /// `cosi.resource.State/List` of every resource of `r#type` in `namespace` (the call behind
    /// `talosctl get`), as the node sends them.
    pub async fn list(
        &self,
        node: &NodeTarget,
        namespace: &str,
        r#type: &str,
    ) -> Result<Vec<Resource>, NodeError> {
        let list = ListRequest {
            namespace: namespace.into(),
            r#type: r#type.into(),
            options: None,
        };
        self.call(node, false, |ch| {
            let list = list.clone();
            async move {
                let mut stream = StateClient::new(ch)
                    .list(self.request(node, list))
                    .await?
                    .into_inner();
                let mut out = Vec::new();
                while let Some(item) = stream.next().await {
                    if let Some(r) = item?.resource {
                        out.push(r);
                    }
                }
                Ok(out)
            }
        })
        .await
    }

    pub(super) async fn lc_system_info(&self, node: &NodeTarget) -> Result<SystemInfo, NodeError> {
        let r = self
            .get_resource(
                node,
                hardware::SYSTEM_INFORMATION.namespace,
                hardware::SYSTEM_INFORMATION.r#type,
                hardware::SYSTEM_INFORMATION_ID,
            )
            .await?;
        hardware::system_info(&r).map_err(|e| protocol(node, e.to_string()))
    }

    /// Every resource of `kind`, decoded by `decode`, sorted by `id`.
    async fn list_decoded<T>(
        &self,
        node: &NodeTarget,
        kind: Kind,
        decode: impl Fn(&Resource) -> Result<T, hardware::DecodeError>,
        id: impl Fn(&T) -> &str,
    ) -> Result<Vec<T>, NodeError> {
        let mut out = self
            .list_resources(node, kind)
            .await?
            .iter()
            .map(decode)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| protocol(node, e.to_string()))?;
        out.sort_by(|a, b| id(a).cmp(id(b)));
        Ok(out)
    }

    pub(super) async fn lc_disks(&self, node: &NodeTarget) -> Result<Vec<DiskInfo>, NodeError> {
        self.list_decoded(node, hardware::DISKS, hardware::disk, |d| &d.id)
            .await
    }

    pub(super) async fn lc_links(&self, node: &NodeTarget) -> Result<Vec<LinkInfo>, NodeError> {
        self.list_decoded(node, hardware::LINK_STATUSES, hardware::link, |l| &l.id)
            .await
    }

    pub(super) async fn lc_extensions(
        &self,
        node: &NodeTarget,
    ) -> Result<Vec<ExtensionInfo>, NodeError> {
        let mut out = self
            .list_resources(node, extensions::EXTENSION_STATUSES)
            .await?
            .iter()
            .map(extensions::extension)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| protocol(node, e.to_string()))?;
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    pub(super) async fn lc_bootstrap(
        &self,
        node: &NodeTarget,
    ) -> Result<BootstrapOutcome, NodeError> {
        let reply = self
            .machine(
                node,
                true,
                BootstrapRequest::default(),
                |mut c, r| async move { c.bootstrap(r).await },
            )
            .await;
        match reply {
            // Talos: `AlreadyExists "etcd data directory is not empty"`.
            Err(NodeError::Refused {
                code: tonic::Code::AlreadyExists,
                ..
            }) => Ok(BootstrapOutcome::AlreadyBootstrapped),
            Err(e) => Err(e),
            Ok(r) => {
                if let Some(m) = r.messages.first() {
                    first_message(&node.name, vec![m.clone()], |m| m.metadata.as_ref())?;
                }
                Ok(BootstrapOutcome::Bootstrapped)
            }
        }
    }

    pub(super) async fn lc_kubeconfig(&self, node: &NodeTarget) -> Result<Vec<u8>, NodeError> {
        let archive = self
            .call(node, false, |ch| async move {
                let mut stream = MachineServiceClient::new(ch)
                    .kubeconfig(self.request(node, ()))
                    .await?
                    .into_inner();
                let mut chunks = Vec::new();
                while let Some(d) = stream.next().await {
                    chunks.push(d?);
                }
                Ok(chunks)
            })
            .await?;
        let mut bytes = Vec::new();
        for d in archive {
            if let Some(m) = d.metadata.as_ref().filter(|m| !m.error.is_empty()) {
                return Err(NodeError::Refused {
                    node: node.name.clone(),
                    code: tonic::Code::Unknown,
                    message: m.error.clone(),
                });
            }
            bytes.extend_from_slice(&d.bytes);
        }
        kubeconfig_from_targz(&bytes).map_err(|e| protocol(node, e))
    }

    pub(super) async fn lc_upgrade(
        &self,
        node: &NodeTarget,
        req: &UpgradeRequest,
    ) -> Result<UpgradeOutcome, NodeError> {
        match self.upgrade_lifecycle(node, req).await {
            Err(e) if unimplemented(&e) => self.upgrade_legacy(node, req).await,
            other => other,
        }
    }

    /// v1.13+: pull the installer, install it, then reboot into it (unless `stage`: the new
    /// version then starts at the next reboot).
    async fn upgrade_lifecycle(
        &self,
        node: &NodeTarget,
        req: &UpgradeRequest,
    ) -> Result<UpgradeOutcome, NodeError> {
        let pull = ImageServicePullRequest {
            containerd: Some(system_containerd()),
            image_ref: req.image.clone(),
        };
        let name = self
            .call(node, true, |ch| {
                let pull = pull.clone();
                async move {
                    let mut stream = ImageServiceClient::new(ch)
                        .pull(self.request(node, pull))
                        .await?
                        .into_inner();
                    let mut name = None;
                    while let Some(r) = stream.next().await {
                        if let Some(PullReply::Name(n)) = r?.response {
                            name = Some(n);
                        }
                    }
                    Ok(name)
                }
            })
            .await?
            .unwrap_or_else(|| req.image.clone());
        let upgrade = LifecycleServiceUpgradeRequest {
            containerd: Some(system_containerd()),
            source: Some(InstallArtifactsSource {
                image_name: name.clone(),
            }),
        };
        let (messages, exit) = self
            .call(node, true, |ch| {
                let upgrade = upgrade.clone();
                async move {
                    let mut stream = LifecycleServiceClient::new(ch)
                        .upgrade(self.request(node, upgrade))
                        .await?
                        .into_inner();
                    let mut messages = Vec::new();
                    let mut exit = None;
                    while let Some(r) = stream.next().await {
                        match r?.progress.and_then(|p| p.response) {
                            Some(Progress::Message(m)) => messages.push(m),
                            Some(Progress::ExitCode(c)) => exit = Some(c),
                            None => {}
                        }
                    }
                    Ok((messages, exit))
                }
            })
            .await?;
        match exit {
            Some(0) => {}
            Some(code) => {
                let last = messages.last().cloned().unwrap_or_default();
                return Err(protocol(
                    node,
                    format!("upgrade to {name} failed with exit code {code}: {last}"),
                ));
            }
            None => {
                return Err(protocol(
                    node,
                    format!("upgrade to {name}: the stream ended without an exit code"),
                ));
            }
        }
        if !req.stage {
            self.lc_reboot(node).await?;
        }
        Ok(UpgradeOutcome {
            api: UpgradeApi::Lifecycle,
            messages,
        })
    }

    async fn upgrade_legacy(
        &self,
        node: &NodeTarget,
        req: &UpgradeRequest,
    ) -> Result<UpgradeOutcome, NodeError> {
        let msg = WireUpgrade {
            image: req.image.clone(),
            preserve: req.preserve,
            stage: req.stage,
            force: req.force,
            reboot_mode: 0,
        };
        let reply = self
            .machine(
                node,
                true,
                msg,
                |mut c, r| async move { c.upgrade(r).await },
            )
            .await?;
        let m = first_message(&node.name, reply.messages, |m| m.metadata.as_ref())?;
        Ok(UpgradeOutcome {
            api: UpgradeApi::Machine,
            messages: vec![m.ack],
        })
    }

    pub(super) async fn lc_reset(
        &self,
        node: &NodeTarget,
        req: &ResetRequest,
    ) -> Result<(), NodeError> {
        let msg = WireReset {
            graceful: req.graceful,
            reboot: req.reboot,
            system_partitions_to_wipe: Vec::new(),
            user_disks_to_wipe: Vec::new(),
            mode: match req.wipe {
                WipeMode::All => reset_request::WipeMode::All,
                WipeMode::SystemDisk => reset_request::WipeMode::SystemDisk,
                WipeMode::UserDisks => reset_request::WipeMode::UserDisks,
            } as i32,
        };
        let reply = self
            .machine(node, true, msg, |mut c, r| async move { c.reset(r).await })
            .await?;
        if !reply.messages.is_empty() {
            first_message(&node.name, reply.messages, |m| m.metadata.as_ref())?;
        }
        Ok(())
    }

    pub(super) async fn lc_reboot(&self, node: &NodeTarget) -> Result<(), NodeError> {
        let reply = self
            .machine(
                node,
                true,
                RebootRequest::default(),
                |mut c, r| async move { c.reboot(r).await },
            )
            .await?;
        if !reply.messages.is_empty() {
            first_message(&node.name, reply.messages, |m| m.metadata.as_ref())?;
        }
        Ok(())
    }

    pub(super) async fn lc_etcd_members(
        &self,
        node: &NodeTarget,
    ) -> Result<Vec<EtcdMember>, NodeError> {
        let reply = self
            .machine(
                node,
                false,
                EtcdMemberListRequest::default(),
                |mut c, r| async move { c.etcd_member_list(r).await },
            )
            .await?;
        let m = first_message(&node.name, reply.messages, |m| m.metadata.as_ref())?;
        Ok(m.members
            .into_iter()
            .map(|m| EtcdMember {
                id: m.id,
                hostname: m.hostname,
                peer_urls: m.peer_urls,
                client_urls: m.client_urls,
                is_learner: m.is_learner,
            })
            .collect())
    }

    pub(super) async fn lc_services(
        &self,
        node: &NodeTarget,
    ) -> Result<Vec<ServiceInfo>, NodeError> {
        let reply = self
            .machine(node, false, (), |mut c, r| async move {
                c.service_list(r).await
            })
            .await?;
        let m = first_message(&node.name, reply.messages, |m| m.metadata.as_ref())?;
        Ok(m.services
            .into_iter()
            .map(|s| ServiceInfo {
                healthy: s.health.filter(|h| !h.unknown).map(|h| h.healthy),
                id: s.id,
                state: s.state,
            })
            .collect())
    }
}

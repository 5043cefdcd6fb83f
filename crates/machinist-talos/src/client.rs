//! Talking to Talos nodes. In: node targets (name + address), TLS settings and endpoints. Out: each
//! node's version, live machine configuration bytes and apply outcome, or a [`NodeError`] that
//! names the node. [`NodeApi`] is the seam the diff and apply logic is written against;
//! [`TalosClient`] implements it over gRPC (one HTTP/2 connection per endpoint, reused by every
//! call; one call per node with the `node` metadata key; bounded retries for transient failures).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod classify;
mod lifecycle;

pub use lifecycle::kubeconfig_from_targz;

use hyper_util::rt::TokioIo;
use tonic::transport::{Channel, Endpoint};

use crate::extensions::ExtensionInfo;
use crate::lifecycle::{
    BootstrapOutcome, DiskInfo, EtcdMember, LinkInfo, ResetRequest, ServiceInfo, SystemInfo,
    UpgradeOutcome, UpgradeRequest,
};
use crate::machineconfig;
use crate::proto::machine::ApplyConfigurationRequest;
use crate::proto::machine::apply_configuration_request::Mode;
use crate::proto::machine::machine_service_client::MachineServiceClient;
use crate::talosconfig::{Credentials, normalize_endpoint};
use crate::tls::{self, TlsSetupError};
use classify::classify;

/// A node to talk to: its project name (for messages) and the address its API answers on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NodeTarget {
    /// The node's name in the project (file stem of its node file).
    pub name: String,
    /// The node's address (IP or host name, optionally with a port).
    pub address: String,
}

/// How a configuration is applied; mirrors `ApplyConfigurationRequest.Mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyMode {
    /// Apply now, rebooting only when the change needs it (Talos's default).
    Auto,
    /// Apply now without a reboot; refused when the change needs one (v1.13 and older).
    NoReboot,
    /// Apply and reboot (refused by v1.14+ outside maintenance mode).
    Reboot,
    /// Only store the configuration; it takes effect at the next reboot.
    Staged,
    /// Apply now and roll back automatically after the try timeout.
    Try,
}

impl ApplyMode {
    /// The protobuf enum value.
    pub fn to_proto(self) -> i32 {
        (match self {
            ApplyMode::Auto => Mode::Auto,
            ApplyMode::NoReboot => Mode::NoReboot,
            ApplyMode::Reboot => Mode::Reboot,
            ApplyMode::Staged => Mode::Staged,
            ApplyMode::Try => Mode::Try,
        }) as i32
    }

    /// The mode for a protobuf enum value (unknown values read as REBOOT, the zero value).
    pub fn from_proto(v: i32) -> Self {
        match Mode::try_from(v).unwrap_or(Mode::Reboot) {
            Mode::Auto => ApplyMode::Auto,
            Mode::NoReboot => ApplyMode::NoReboot,
            Mode::Reboot => ApplyMode::Reboot,
            Mode::Staged => ApplyMode::Staged,
            Mode::Try => ApplyMode::Try,
        }
    }

    /// Talos's name for the mode (`NO_REBOOT`, ...), as shown in replies.
    pub fn talos_name(self) -> &'static str {
        match self {
            ApplyMode::Auto => "AUTO",
            ApplyMode::NoReboot => "NO_REBOOT",
            ApplyMode::Reboot => "REBOOT",
            ApplyMode::Staged => "STAGED",
            ApplyMode::Try => "TRY",
        }
    }

    /// Parses talosctl's spelling (`auto`, `no-reboot`, `reboot`, `staged`, `try`).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "auto" => ApplyMode::Auto,
            "no-reboot" => ApplyMode::NoReboot,
            "reboot" => ApplyMode::Reboot,
            "staged" => ApplyMode::Staged,
            "try" => ApplyMode::Try,
            _ => return None,
        })
    }
}

/// An ApplyConfiguration call.
#[derive(Debug, Clone)]
pub struct ApplyRequest {
    /// The configuration bytes, sent exactly as given.
    pub data: Vec<u8>,
    /// The requested mode.
    pub mode: ApplyMode,
    /// Ask what would happen without changing anything.
    pub dry_run: bool,
    /// How long a TRY apply lasts before the node reverts (server default: 1 minute).
    pub try_timeout: Option<Duration>,
}

/// What a node answered to ApplyConfiguration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyOutcome {
    /// The mode the node actually used (AUTO resolved to NO_REBOOT or REBOOT).
    pub mode: ApplyMode,
    /// The node's human-readable account (dry runs: the summary and config diff).
    pub mode_details: String,
    /// Validation warnings.
    pub warnings: Vec<String>,
}

/// What a node answered to Version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeVersion {
    /// Release tag, e.g. `v1.13.9`.
    pub tag: String,
    /// Platform name, e.g. `metal`.
    pub platform: String,
    /// Whether the node has a machine config loaded (Talos sets the RBAC feature flag then).
    pub configured: bool,
}

/// A failed call, always naming the node.
#[derive(Debug, Clone, thiserror::Error)]
pub enum NodeError {
    /// The node (or its endpoint) could not be reached.
    #[error("node {node}: unreachable at {endpoint} ({route}): {reason}")]
    Unreachable {
        /// Node name.
        node: String,
        /// The endpoint dialled.
        endpoint: String,
        /// Why that address was dialled: the node's own, or an endpoint that forwards to it.
        route: String,
        /// What failed.
        reason: String,
        /// True when the request was never sent (connection not established).
        not_sent: bool,
    },
    /// TLS failed: wrong CA, rejected client certificate, fingerprint mismatch. Never retried and
    /// never downgraded to insecure.
    #[error("node {node}: TLS handshake with {endpoint} failed: {reason}")]
    Tls {
        /// Node name.
        node: String,
        /// The endpoint dialled.
        endpoint: String,
        /// What rustls said, with a hint.
        reason: String,
    },
    /// No answer in time.
    #[error("node {node}: no answer from {endpoint} within {seconds:.1}s")]
    Timeout {
        /// Node name.
        node: String,
        /// The endpoint dialled.
        endpoint: String,
        /// The timeout.
        seconds: f64,
    },
    /// The node answered with a gRPC error (refusal, validation failure, permission denied).
    #[error("node {node}: {code:?}: {message}")]
    Refused {
        /// Node name.
        node: String,
        /// The gRPC status code.
        code: tonic::Code,
        /// The server's message, verbatim.
        message: String,
    },
    /// The node answered something machinist cannot use.
    #[error("node {node}: unexpected reply: {reason}")]
    Protocol {
        /// Node name.
        node: String,
        /// What was wrong.
        reason: String,
    },
}

impl NodeError {
    /// The node the error is about.
    pub fn node(&self) -> &str {
        match self {
            NodeError::Unreachable { node, .. }
            | NodeError::Tls { node, .. }
            | NodeError::Timeout { node, .. }
            | NodeError::Refused { node, .. }
            | NodeError::Protocol { node, .. } => node,
        }
    }

    /// Whether retrying a read-only call may help.
    pub fn is_transient(&self) -> bool {
        match self {
            NodeError::Unreachable { .. } | NodeError::Timeout { .. } => true,
            NodeError::Refused { code, .. } => {
                // Cancelled: the connection was closed under the call (the node rebooted).
                matches!(
                    code,
                    tonic::Code::Unavailable
                        | tonic::Code::ResourceExhausted
                        | tonic::Code::Cancelled
                )
            }
            _ => false,
        }
    }
}

/// The operations machinist needs from a node. Implemented over gRPC by [`TalosClient`] and by
/// fakes in tests.
#[tonic::async_trait]
pub trait NodeApi: Send + Sync {
    /// `machine.MachineService/Version`.
    async fn version(&self, node: &NodeTarget) -> Result<NodeVersion, NodeError>;
    /// The active machine config (`cosi.resource.State/Get` of `config`/`v1alpha1`); `None` when
    /// the node has none.
    async fn machine_config(&self, node: &NodeTarget) -> Result<Option<Vec<u8>>, NodeError>;
    /// `machine.MachineService/ApplyConfiguration`.
    async fn apply(&self, node: &NodeTarget, req: &ApplyRequest)
    -> Result<ApplyOutcome, NodeError>;

    /// SMBIOS identity (COSI `SystemInformations.hardware.talos.dev/systeminformation`); served
    /// in maintenance mode too.
    async fn system_info(&self, node: &NodeTarget) -> Result<SystemInfo, NodeError> {
        Err(not_served(node, "system_info"))
    }
    /// Disks (COSI `Disks.block.talos.dev`).
    async fn disks(&self, node: &NodeTarget) -> Result<Vec<DiskInfo>, NodeError> {
        Err(not_served(node, "disks"))
    }
    /// Links (COSI `LinkStatuses.net.talos.dev`, namespace `network`).
    async fn links(&self, node: &NodeTarget) -> Result<Vec<LinkInfo>, NodeError> {
        Err(not_served(node, "links"))
    }
    /// Loaded system extensions (COSI `ExtensionStatuses.runtime.talos.dev`, namespace
    /// `runtime`); an Image Factory image carries the `schematic` one.
    async fn extensions(&self, node: &NodeTarget) -> Result<Vec<ExtensionInfo>, NodeError> {
        Err(not_served(node, "extensions"))
    }
    /// `machine.MachineService/Bootstrap`; "already bootstrapped" is an outcome, not an error.
    async fn bootstrap(&self, node: &NodeTarget) -> Result<BootstrapOutcome, NodeError> {
        Err(not_served(node, "bootstrap"))
    }
    /// `machine.MachineService/Kubeconfig`: the `kubeconfig` file out of the streamed tar.gz.
    async fn kubeconfig(&self, node: &NodeTarget) -> Result<Vec<u8>, NodeError> {
        Err(not_served(node, "kubeconfig"))
    }
    /// `machine.LifecycleService/Upgrade` where served (after `ImageService/Pull`, then `Reboot`
    /// unless `req.stage`), else `machine.MachineService/Upgrade` (which reboots by itself). Either
    /// way the node reboots into the new version unless staged.
    async fn upgrade(
        &self,
        node: &NodeTarget,
        req: &UpgradeRequest,
    ) -> Result<UpgradeOutcome, NodeError> {
        let _ = req;
        Err(not_served(node, "upgrade"))
    }
    /// `machine.MachineService/Reset`.
    async fn reset(&self, node: &NodeTarget, req: &ResetRequest) -> Result<(), NodeError> {
        let _ = req;
        Err(not_served(node, "reset"))
    }
    /// `machine.MachineService/Reboot`.
    async fn reboot(&self, node: &NodeTarget) -> Result<(), NodeError> {
        Err(not_served(node, "reboot"))
    }
    /// `machine.MachineService/EtcdMemberList` as this control plane sees it.
    async fn etcd_members(&self, node: &NodeTarget) -> Result<Vec<EtcdMember>, NodeError> {
        Err(not_served(node, "etcd_members"))
    }
    /// `machine.MachineService/ServiceList`.
    async fn services(&self, node: &NodeTarget) -> Result<Vec<ServiceInfo>, NodeError> {
        Err(not_served(node, "services"))
    }
}

/// The error of a [`NodeApi`] method an implementation does not serve.
fn not_served(node: &NodeTarget, call: &str) -> NodeError {
    NodeError::Protocol {
        node: node.name.clone(),
        reason: format!("{call} is not served by this client"),
    }
}

/// Bounded retries with exponential backoff, for transient failures only.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Total attempts (1 = no retry).
    pub attempts: u32,
    /// Delay before the second attempt; doubles each time.
    pub base_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(200),
        }
    }
}

/// How [`TalosClient`] connects.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Endpoints to dial (normalised like talosctl). Empty: dial each node's own address.
    pub endpoints: Vec<String>,
    /// Maintenance mode: no client certificate, no chain check, no `node` metadata.
    pub insecure: bool,
    /// Maintenance mode only: the SPKI fingerprint the node's certificate must have.
    pub cert_fingerprint: Option<String>,
    /// TCP + TLS connection timeout.
    pub connect_timeout: Duration,
    /// Per-call timeout.
    pub call_timeout: Duration,
    /// Retry policy for read-only calls (apply retries only when nothing was sent).
    pub retry: RetryPolicy,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            endpoints: Vec::new(),
            insecure: false,
            cert_fingerprint: None,
            connect_timeout: Duration::from_secs(5),
            call_timeout: Duration::from_secs(20),
            retry: RetryPolicy::default(),
        }
    }
}

/// The gRPC client for Talos nodes.
pub struct TalosClient {
    opts: ClientOptions,
    tls: Arc<rustls::ClientConfig>,
    channels: Mutex<HashMap<String, Channel>>,
}

#[derive(Debug, thiserror::Error)]
enum ConnectError {
    #[error("{0}")]
    Tcp(std::io::Error),
    #[error("{0}")]
    Tls(std::io::Error),
    #[error("connect timed out")]
    Timeout,
    #[error("bad endpoint host `{0}`")]
    BadName(String),
}

impl TalosClient {
    /// A client using mutual TLS with `creds` (or maintenance mode when `opts.insecure`).
    pub fn new(opts: ClientOptions, creds: Option<&Credentials>) -> Result<Self, TlsSetupError> {
        let tls = match (opts.insecure, creds) {
            (false, Some(c)) => tls::mtls_config(c)?,
            _ => tls::insecure_config(opts.cert_fingerprint.clone()),
        };
        Ok(TalosClient {
            opts,
            tls: Arc::new(tls),
            channels: Mutex::new(HashMap::new()),
        })
    }

    /// The endpoint (`host:port`) that serves calls for `node`.
    pub fn endpoint_for(&self, node: &NodeTarget) -> String {
        if self.opts.insecure || self.opts.endpoints.is_empty() {
            return normalize_endpoint(&node.address);
        }
        let idx = node
            .name
            .bytes()
            .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
        normalize_endpoint(&self.opts.endpoints[idx % self.opts.endpoints.len()])
    }

    /// Why `endpoint_for(node)` is the address dialled, for error messages.
    fn route(&self, node: &NodeTarget) -> String {
        if self.opts.insecure || self.opts.endpoints.is_empty() {
            "the node's own address".to_string()
        } else {
            format!(
                "an endpoint from the talosconfig or --endpoints, forwarding to the node's own address {}",
                node_address_only(&node.address)
            )
        }
    }

    /// Forgets the connection that served `node` when it was the node's own (each node dialled
    /// directly), so a run over many nodes holds only the connections in use. A shared
    /// `--endpoints` connection stays: every node's calls go through it.
    pub fn release(&self, node: &NodeTarget) {
        if self.opts.insecure || self.opts.endpoints.is_empty() {
            let endpoint = self.endpoint_for(node);
            self.channels
                .lock()
                .expect("channel map poisoned")
                .remove(&endpoint);
        }
    }

    /// How many connections are cached (for tests).
    pub fn open_channels(&self) -> usize {
        self.channels.lock().expect("channel map poisoned").len()
    }

    fn channel(&self, endpoint: &str) -> Result<Channel, String> {
        let mut map = self.channels.lock().expect("channel map poisoned");
        if let Some(c) = map.get(endpoint) {
            return Ok(c.clone());
        }
        let ep = Endpoint::from_shared(format!("http://{endpoint}"))
            .map_err(|e| format!("bad endpoint: {e}"))?
            .connect_timeout(self.opts.connect_timeout)
            .timeout(self.opts.call_timeout);
        let tls = tokio_rustls::TlsConnector::from(self.tls.clone());
        let connect_timeout = self.opts.connect_timeout;
        let connector = tower::service_fn(move |uri: http::Uri| {
            let tls = tls.clone();
            async move {
                let host = uri.host().unwrap_or_default().to_owned();
                let port = uri.port_u16().unwrap_or(50000);
                let bare = host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_owned();
                let name = rustls::pki_types::ServerName::try_from(bare.clone())
                    .map_err(|_| ConnectError::BadName(bare.clone()))?;
                let fut = async {
                    let tcp = tokio::net::TcpStream::connect((bare.as_str(), port))
                        .await
                        .map_err(ConnectError::Tcp)?;
                    let _ = tcp.set_nodelay(true);
                    tls.connect(name, tcp).await.map_err(ConnectError::Tls)
                };
                let stream = tokio::time::timeout(connect_timeout, fut)
                    .await
                    .map_err(|_| ConnectError::Timeout)??;
                Ok::<_, ConnectError>(TokioIo::new(stream))
            }
        });
        let ch = ep.connect_with_connector_lazy(connector);
        map.insert(endpoint.to_owned(), ch.clone());
        Ok(ch)
    }

    fn request<T>(&self, node: &NodeTarget, msg: T) -> tonic::Request<T> {
        let mut req = tonic::Request::new(msg);
        if !self.opts.insecure {
            let addr = node_address_only(&node.address);
            if let Ok(v) = addr.parse() {
                req.metadata_mut().insert("node", v);
            }
        }
        req
    }

    /// One unary `MachineService` call: `method` on a client over the node's channel with `msg`
    /// (cloned per attempt), retried as [`Self::call`] retries, the reply unwrapped.
    async fn machine<Req, Resp, F, Fut>(
        &self,
        node: &NodeTarget,
        only_unsent: bool,
        msg: Req,
        method: F,
    ) -> Result<Resp, NodeError>
    where
        Req: Clone,
        F: Fn(MachineServiceClient<Channel>, tonic::Request<Req>) -> Fut,
        Fut: Future<Output = Result<tonic::Response<Resp>, tonic::Status>>,
    {
        self.call(node, only_unsent, |ch| {
            let reply = method(
                MachineServiceClient::new(ch),
                self.request(node, msg.clone()),
            );
            async move { reply.await.map(tonic::Response::into_inner) }
        })
        .await
    }

    async fn call<T, F, Fut>(
        &self,
        node: &NodeTarget,
        only_unsent: bool,
        f: F,
    ) -> Result<T, NodeError>
    where
        F: Fn(Channel) -> Fut,
        Fut: Future<Output = Result<T, tonic::Status>>,
    {
        let endpoint = self.endpoint_for(node);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let channel = self
                .channel(&endpoint)
                .map_err(|reason| NodeError::Protocol {
                    node: node.name.clone(),
                    reason,
                })?;
            let result = match tokio::time::timeout(self.opts.call_timeout, f(channel)).await {
                Ok(Ok(v)) => return Ok(v),
                Ok(Err(status)) => classify(
                    &node.name,
                    &endpoint,
                    &self.route(node),
                    &status,
                    self.opts.call_timeout,
                ),
                Err(_) => NodeError::Timeout {
                    node: node.name.clone(),
                    endpoint: endpoint.clone(),
                    seconds: self.opts.call_timeout.as_secs_f64(),
                },
            };
            let retry = if only_unsent {
                matches!(result, NodeError::Unreachable { not_sent: true, .. })
            } else {
                result.is_transient()
            };
            if !retry || attempt >= self.opts.retry.attempts {
                return Err(result);
            }
            let delay = self.opts.retry.base_delay * 2u32.saturating_pow(attempt - 1);
            tokio::time::sleep(delay).await;
        }
    }
}

/// The host part of a node address (the `node` metadata carries no port).
fn node_address_only(address: &str) -> String {
    let a = address.trim();
    if let Some(rest) = a.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest).to_owned();
    }
    match a.matches(':').count() {
        1 => a.split(':').next().unwrap_or(a).to_owned(),
        _ => a.to_owned(),
    }
}

fn first_message<M>(
    node: &str,
    messages: Vec<M>,
    meta: impl Fn(&M) -> Option<&crate::proto::common::Metadata>,
) -> Result<M, NodeError> {
    let msg = messages
        .into_iter()
        .next()
        .ok_or_else(|| NodeError::Protocol {
            node: node.into(),
            reason: "empty reply".into(),
        })?;
    if let Some(m) = meta(&msg).filter(|m| !m.error.is_empty()) {
        let code = m
            .status
            .as_ref()
            .map(|s| tonic::Code::from_i32(s.code))
            .unwrap_or(tonic::Code::Unknown);
        return Err(NodeError::Refused {
            node: node.into(),
            code,
            message: m.error.clone(),
        });
    }
    Ok(msg)
}

#[tonic::async_trait]
impl NodeApi for TalosClient {
    async fn version(&self, node: &NodeTarget) -> Result<NodeVersion, NodeError> {
        let reply = self
            .machine(
                node,
                false,
                (),
                |mut c, r| async move { c.version(r).await },
            )
            .await?;
        let v = first_message(&node.name, reply.messages, |m| m.metadata.as_ref())?;
        Ok(NodeVersion {
            tag: v
                .version
                .as_ref()
                .map(|i| i.tag.clone())
                .unwrap_or_default(),
            platform: v
                .platform
                .as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            configured: v.features.is_some_and(|f| f.rbac),
        })
    }

    async fn machine_config(&self, node: &NodeTarget) -> Result<Option<Vec<u8>>, NodeError> {
        let resource = match self
            .get_resource(
                node,
                machineconfig::NAMESPACE,
                machineconfig::TYPE,
                machineconfig::ACTIVE_ID,
            )
            .await
        {
            Err(NodeError::Refused {
                code: tonic::Code::NotFound,
                ..
            }) => return Ok(None),
            other => other?,
        };
        machineconfig::config_bytes(&resource)
            .map(Some)
            .map_err(|e| NodeError::Protocol {
                node: node.name.clone(),
                reason: e.to_string(),
            })
    }

    async fn apply(
        &self,
        node: &NodeTarget,
        req: &ApplyRequest,
    ) -> Result<ApplyOutcome, NodeError> {
        let msg = ApplyConfigurationRequest {
            data: req.data.clone(),
            mode: req.mode.to_proto(),
            dry_run: req.dry_run,
            try_mode_timeout: req.try_timeout.map(|d| prost_types::Duration {
                seconds: d.as_secs() as i64,
                nanos: d.subsec_nanos() as i32,
            }),
        };
        let reply = self
            .machine(node, true, msg, |c, r| async move {
                c.max_decoding_message_size(32 << 20)
                    .apply_configuration(r)
                    .await
            })
            .await?;
        let m = first_message(&node.name, reply.messages, |m| m.metadata.as_ref())?;
        Ok(ApplyOutcome {
            mode: ApplyMode::from_proto(m.mode),
            mode_details: m.mode_details,
            warnings: m.warnings,
        })
    }

    async fn system_info(&self, node: &NodeTarget) -> Result<SystemInfo, NodeError> {
        self.lc_system_info(node).await
    }

    async fn disks(&self, node: &NodeTarget) -> Result<Vec<DiskInfo>, NodeError> {
        self.lc_disks(node).await
    }

    async fn links(&self, node: &NodeTarget) -> Result<Vec<LinkInfo>, NodeError> {
        self.lc_links(node).await
    }

    async fn extensions(&self, node: &NodeTarget) -> Result<Vec<ExtensionInfo>, NodeError> {
        self.lc_extensions(node).await
    }

    async fn bootstrap(&self, node: &NodeTarget) -> Result<BootstrapOutcome, NodeError> {
        self.lc_bootstrap(node).await
    }

    async fn kubeconfig(&self, node: &NodeTarget) -> Result<Vec<u8>, NodeError> {
        self.lc_kubeconfig(node).await
    }

    async fn upgrade(
        &self,
        node: &NodeTarget,
        req: &UpgradeRequest,
    ) -> Result<UpgradeOutcome, NodeError> {
        self.lc_upgrade(node, req).await
    }

    async fn reset(&self, node: &NodeTarget, req: &ResetRequest) -> Result<(), NodeError> {
        self.lc_reset(node, req).await
    }

    async fn reboot(&self, node: &NodeTarget) -> Result<(), NodeError> {
        self.lc_reboot(node).await
    }

    async fn etcd_members(&self, node: &NodeTarget) -> Result<Vec<EtcdMember>, NodeError> {
        self.lc_etcd_members(node).await
    }

    async fn services(&self, node: &NodeTarget) -> Result<Vec<ServiceInfo>, NodeError> {
        self.lc_services(node).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_from_the_server_names_the_timeout_in_force() {
        let status = tonic::Status::deadline_exceeded("Timeout expired");
        let err = classify(
            "cp-1",
            "10.5.0.2:50000",
            "the node's own address",
            &status,
            Duration::from_secs(20),
        );
        assert_eq!(
            err.to_string(),
            "node cp-1: no answer from 10.5.0.2:50000 within 20.0s"
        );
    }

    #[test]
    fn node_metadata_carries_the_host_only() {
        assert_eq!(node_address_only("10.0.0.5"), "10.0.0.5");
        assert_eq!(node_address_only("10.0.0.5:50000"), "10.0.0.5");
        assert_eq!(node_address_only("[fd00::5]:50000"), "fd00::5");
        assert_eq!(node_address_only("fd00::5"), "fd00::5");
    }

    #[test]
    fn modes_round_trip_through_the_wire_enum() {
        for m in [
            ApplyMode::Auto,
            ApplyMode::NoReboot,
            ApplyMode::Reboot,
            ApplyMode::Staged,
            ApplyMode::Try,
        ] {
            assert_eq!(ApplyMode::from_proto(m.to_proto()), m);
        }
        assert_eq!(
            ApplyMode::Reboot.to_proto(),
            0,
            "REBOOT is Talos's zero value"
        );
        assert_eq!(ApplyMode::parse("no-reboot"), Some(ApplyMode::NoReboot));
        assert_eq!(ApplyMode::parse("NO_REBOOT"), None);
    }
}

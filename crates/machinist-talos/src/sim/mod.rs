//! The simulator behind `machinist-sim`. In: a list of nodes (name, IP, port), the cluster's OS CA,
//! a state directory, a Talos version, a reboot delay and faults. Out: one TLS gRPC listener per
//! node that answers `machine.MachineService/{Version,ApplyConfiguration}` and
//! `cosi.resource.State/{Get,List}` like a Talos node of that version: maintenance mode (self-signed
//! certificate, reader rights, no config) until the first apply, then mutual TLS with a server
//! certificate from the OS CA, roles from the client certificate's Organization, per-version apply
//! semantics, reboots that take the node off the network, and state kept on disk. The lifecycle
//! calls (Bootstrap, Kubeconfig, Upgrade on both services, ImageService/Pull, Reset, Reboot,
//! EtcdMemberList, ServiceList) and the discovery resources (SystemInformation, Disks,
//! LinkStatuses) are served too; every step is appended to `<state>/events.log`.

pub mod definitions;
pub mod fault;
pub mod identity;
mod kubeconfig;
mod lifecycle;
pub mod pki;
mod route;
pub mod semantics;
mod service;
mod store;

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use fault::{Call, Fault, FaultKind};
pub use lifecycle::image_tag;
use pki::Ca;
pub use store::{Event, read_events};

/// One simulated node.
#[derive(Debug, Clone)]
pub struct NodeSpec {
    /// The node's name (its node file stem).
    pub name: String,
    /// The address it listens on (a loopback address in tests).
    pub ip: IpAddr,
    /// The port (50000 like Talos, or another to avoid collisions in tests).
    pub port: u16,
}

/// Everything the simulator needs.
pub struct SimOptions {
    /// The nodes to serve.
    pub nodes: Vec<NodeSpec>,
    /// The cluster's OS CA (signs server certificates, verifies client certificates).
    pub os_ca: Ca,
    /// Where each node keeps its saved config (`DIR/<node>/config.yaml`).
    pub state_dir: PathBuf,
    /// The Talos version the nodes claim and whose apply semantics they follow (e.g. `v1.13.9`).
    pub talos_version: String,
    /// How long a reboot (or crash) keeps a node off the network.
    pub reboot_delay: Duration,
    /// Injected faults.
    pub faults: Vec<Fault>,
    /// The cluster's Kubernetes CA (signs the admin certificate of kubeconfigs); without it
    /// `Kubeconfig` is refused.
    pub kube_ca: Option<Ca>,
    /// SMBIOS UUIDs by node name, overriding the name-based default.
    pub uuids: HashMap<String, String>,
}

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A certificate could not be made.
    #[error(transparent)]
    Pki(#[from] pki::PkiError),
    /// A listener could not be bound.
    #[error("node {node}: cannot listen on {addr}: {source}{hint}")]
    Bind {
        /// Node name.
        node: String,
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
        /// What to do about it (may be empty).
        hint: &'static str,
    },
    /// The state directory could not be read or written.
    #[error("state {path}: {source}")]
    State {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A bad Talos version.
    #[error("unsupported talos version `{0}` (expected v1.11 to v1.15, e.g. v1.13.9)")]
    Version(String),
    /// rustls refused the generated material.
    #[error("tls setup: {0}")]
    Tls(String),
}

/// Mutable state of one node.
#[derive(Default)]
struct NodeState {
    /// The running config; `None` = maintenance mode.
    active: Option<Vec<u8>>,
    /// The saved config (what a reboot loads).
    persistent: Option<Vec<u8>>,
    /// Resource version of the active config.
    version: u64,
    /// Pending TRY rollback.
    try_revert: Option<JoinHandle<()>>,
    /// The Talos version the node runs.
    tag: String,
    /// An upgrade image installed to disk, booted at the next reboot.
    staged_image: Option<String>,
    /// The installer image the running system came from (its schematic is served as the
    /// `schematic` extension).
    image: Option<String>,
    /// Configured but still installing (the first reboot delay after the maintenance apply).
    installing: bool,
    /// An upgrade is in progress.
    upgrading: bool,
    /// Images pulled through ImageService/Pull since the simulator started.
    pulled: HashSet<String>,
}

/// A simulated node.
struct Node {
    spec: NodeSpec,
    dir: PathBuf,
    state: Mutex<NodeState>,
    /// `true` while the node is reachable.
    up: watch::Sender<bool>,
    /// Bumped to close every open connection (reboot, crash).
    generation: watch::Sender<u64>,
    /// Bumped to close the maintenance-mode connections once a config is installed.
    maintenance_generation: watch::Sender<u64>,
    apply_lock: tokio::sync::Mutex<()>,
    maintenance_tls: Arc<rustls::ServerConfig>,
    configured_tls: Arc<rustls::ServerConfig>,
    /// The SMBIOS identity it reports.
    identity: crate::lifecycle::SystemInfo,
}

/// Shared by every node of one simulator.
struct Cluster {
    nodes: Vec<Arc<Node>>,
    minor: u32,
    reboot_delay: Duration,
    faults: Vec<Fault>,
    state_dir: PathBuf,
    kube_ca: Option<Ca>,
    /// etcd, shared by every control plane.
    etcd: Mutex<store::EtcdFile>,
    events: store::EventLog,
}

/// A running simulator.
pub struct Simulator {
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    ready: Vec<(String, SocketAddr)>,
    cluster: Arc<Cluster>,
}

fn parse_minor(v: &str) -> Option<u32> {
    let mut parts = v.trim_start_matches('v').split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next()?.split('-').next()?.parse().ok()?;
    (major == 1 && (11..=15).contains(&minor)).then_some(minor)
}

fn server_tls(
    cert: &pki::CertPem,
    client_ca: Option<&str>,
) -> Result<Arc<rustls::ServerConfig>, SimError> {
    let provider = crate::tls::provider();
    let chain = crate::tls::certificates(cert.cert_pem.as_bytes(), "server certificate")
        .map_err(|e| SimError::Tls(e.to_string()))?;
    let key = crate::tls::private_key(cert.key_pem.as_bytes(), "server key")
        .map_err(|e| SimError::Tls(e.to_string()))?;
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| SimError::Tls(e.to_string()))?;
    let builder = match client_ca {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for c in crate::tls::certificates(ca.as_bytes(), "OS CA")
                .map_err(|e| SimError::Tls(e.to_string()))?
            {
                roots.add(c).map_err(|e| SimError::Tls(e.to_string()))?;
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .map_err(|e| SimError::Tls(e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut cfg = builder
        .with_single_cert(chain, key)
        .map_err(|e| SimError::Tls(e.to_string()))?;
    cfg.alpn_protocols = vec![b"h2".to_vec()];
    cfg.send_tls13_tickets = 0;
    Ok(Arc::new(cfg))
}

impl Simulator {
    /// Starts every node and returns once all are listening.
    pub async fn start(opts: SimOptions) -> Result<Simulator, SimError> {
        let minor = parse_minor(&opts.talos_version)
            .ok_or_else(|| SimError::Version(opts.talos_version.clone()))?;
        let tag = if opts.talos_version.starts_with('v') {
            opts.talos_version.clone()
        } else {
            format!("v{}", opts.talos_version)
        };
        let state_err = |path: &std::path::Path, e: String| SimError::State {
            path: path.to_path_buf(),
            source: std::io::Error::other(e),
        };
        store::private_dir(&opts.state_dir).map_err(|source| SimError::State {
            path: opts.state_dir.clone(),
            source,
        })?;
        let etcd_path = opts.state_dir.join("etcd.yaml");
        let etcd: store::EtcdFile =
            store::read_yaml(&etcd_path).map_err(|e| state_err(&etcd_path, e))?;
        let mut nodes = Vec::new();
        for spec in &opts.nodes {
            let dir = opts.state_dir.join(&spec.name);
            let node_path = dir.join("node.yaml");
            let node_file: store::NodeFile =
                store::read_yaml(&node_path).map_err(|e| state_err(&node_path, e))?;
            let saved_path = dir.join("config.yaml");
            let saved = match std::fs::read(&saved_path) {
                Ok(b) => Some(b),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(source) => {
                    return Err(SimError::State {
                        path: saved_path,
                        source,
                    });
                }
            };
            let maint_ca = Ca::generate("")?;
            let loopback: [IpAddr; 2] = ["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()];
            let maint_cert = maint_ca.server_cert(
                "maintenance-service.talos.dev",
                &[&[spec.ip][..], &loopback[..]].concat(),
                &[],
            )?;
            let node_cert =
                opts.os_ca
                    .server_cert(&spec.name, &[spec.ip], std::slice::from_ref(&spec.name))?;
            let (up, _) = watch::channel(true);
            let (generation, _) = watch::channel(0);
            let (maintenance_generation, _) = watch::channel(0);
            nodes.push(Arc::new(Node {
                spec: spec.clone(),
                dir,
                state: Mutex::new(NodeState {
                    active: saved.clone(),
                    persistent: saved.clone(),
                    version: u64::from(saved.is_some()),
                    try_revert: None,
                    tag: if node_file.version.is_empty() {
                        tag.clone()
                    } else {
                        node_file.version
                    },
                    staged_image: node_file.staged_image,
                    image: node_file.image,
                    installing: false,
                    upgrading: false,
                    pulled: HashSet::new(),
                }),
                up,
                generation,
                maintenance_generation,
                apply_lock: tokio::sync::Mutex::new(()),
                maintenance_tls: server_tls(&maint_cert, None)?,
                configured_tls: server_tls(&node_cert, Some(&opts.os_ca.pem.cert_pem))?,
                identity: identity::system_info(
                    &spec.name,
                    opts.uuids.get(&spec.name).map(String::as_str),
                ),
            }));
        }
        let cluster = Arc::new(Cluster {
            nodes,
            minor,
            reboot_delay: opts.reboot_delay,
            faults: opts.faults,
            events: store::EventLog::new(&opts.state_dir),
            state_dir: opts.state_dir,
            kube_ca: opts.kube_ca,
            etcd: Mutex::new(etcd),
        });
        cluster.reconcile_etcd();
        let (shutdown, _) = watch::channel(false);
        let mut tasks = Vec::new();
        let mut ready = Vec::new();
        for (idx, node) in cluster.nodes.iter().enumerate() {
            let addr = SocketAddr::new(node.spec.ip, node.spec.port);
            let listener = bind(&node.spec.name, addr).await?;
            let actual = listener.local_addr().unwrap_or(addr);
            ready.push((node.spec.name.clone(), actual));
            tasks.push(tokio::spawn(serve_node(
                cluster.clone(),
                idx,
                actual,
                Some(listener),
                shutdown.subscribe(),
            )));
        }
        Ok(Simulator {
            shutdown,
            tasks,
            ready,
            cluster,
        })
    }

    /// `(node name, listening address)` of every node, in the order given.
    pub fn ready(&self) -> &[(String, SocketAddr)] {
        &self.ready
    }

    /// The Talos minor version being simulated (13 for v1.13.x).
    pub fn minor(&self) -> u32 {
        self.cluster.minor
    }

    /// Stops every listener and connection.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
        for n in &self.cluster.nodes {
            if let Some(h) = n.state.lock().expect("node state").try_revert.take() {
                h.abort();
            }
        }
    }
}

async fn bind(node: &str, addr: SocketAddr) -> Result<tokio::net::TcpListener, SimError> {
    let mut last = None;
    for _ in 0..20 {
        let sock = if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()
        } else {
            tokio::net::TcpSocket::new_v6()
        };
        let res = sock.and_then(|s| {
            s.set_reuseaddr(true)?;
            s.bind(addr)?;
            s.listen(1024)
        });
        match res {
            Ok(l) => return Ok(l),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                last = Some(e);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(source) => {
                let hint = if source.kind() == std::io::ErrorKind::AddrNotAvailable {
                    " (the address is not on this machine: use loopback addresses such as 127.0.1.11 in node files, or run a subset with --node)"
                } else {
                    ""
                };
                return Err(SimError::Bind {
                    node: node.into(),
                    addr,
                    source,
                    hint,
                });
            }
        }
    }
    Err(SimError::Bind {
        node: node.into(),
        addr,
        source: last.unwrap_or_else(|| std::io::Error::other("address in use")),
        hint: " (another machinist-sim or Talos node is listening there)",
    })
}

/// The caller of one connection, attached to every request on it.
#[derive(Clone)]
struct Caller {
    roles: Vec<String>,
    maintenance: bool,
    /// The node whose listener accepted the connection.
    local: usize,
    /// Closes this connection (the `drop` fault).
    kill: Arc<tokio::sync::Notify>,
}

async fn serve_node(
    cluster: Arc<Cluster>,
    idx: usize,
    addr: SocketAddr,
    mut listener: Option<tokio::net::TcpListener>,
    mut shutdown: watch::Receiver<bool>,
) {
    let node = cluster.nodes[idx].clone();
    let mut up = node.up.subscribe();
    loop {
        if *shutdown.borrow() {
            return;
        }
        if !*up.borrow_and_update() {
            listener = None;
            tokio::select! {
                _ = shutdown.changed() => return,
                _ = up.changed() => continue,
            }
        }
        let l = match listener.take() {
            Some(l) => l,
            None => match bind(&node.spec.name, addr).await {
                Ok(l) => l,
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            },
        };
        loop {
            tokio::select! {
                _ = shutdown.changed() => return,
                _ = up.changed() => {
                    if !*up.borrow_and_update() { break; }
                }
                acc = l.accept() => {
                    let Ok((tcp, _)) = acc else { continue };
                    let refused = cluster.faults.iter().any(|f| {
                        f.kind == FaultKind::Refuse && f.fires(&node.spec.name, Call::Any)
                    });
                    if refused {
                        drop(tcp);
                        continue;
                    }
                    tokio::spawn(serve_conn(cluster.clone(), idx, tcp, shutdown.clone()));
                }
            }
        }
        drop(l);
        // Listener closed: the loop waits for the node to come back up.
    }
}

async fn serve_conn(
    cluster: Arc<Cluster>,
    idx: usize,
    tcp: tokio::net::TcpStream,
    mut shutdown: watch::Receiver<bool>,
) {
    let node = cluster.nodes[idx].clone();
    let mut gen_rx = node.generation.subscribe();
    gen_rx.borrow_and_update();
    let mut maint_rx = node.maintenance_generation.subscribe();
    maint_rx.borrow_and_update();
    let maintenance = node.state.lock().expect("node state").active.is_none();
    let tls = if maintenance {
        node.maintenance_tls.clone()
    } else {
        node.configured_tls.clone()
    };
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    let Ok(Ok(stream)) = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await
    else {
        return;
    };
    let roles = if maintenance {
        vec!["os:reader".to_owned()]
    } else {
        let (_, conn) = stream.get_ref();
        let Some(leaf) = conn.peer_certificates().and_then(|c| c.first()) else {
            return;
        };
        if crate::certinfo::check_client_auth_eku(leaf).is_err() {
            // Talos refuses the connection after the handshake; closing it has the same effect.
            return;
        }
        crate::certinfo::roles(leaf).unwrap_or_default()
    };
    let caller = Caller {
        roles,
        maintenance,
        local: idx,
        kill: Arc::new(tokio::sync::Notify::new()),
    };
    let kill = caller.kill.clone();
    let routes = service::routes(cluster.clone());
    let svc = tower::ServiceBuilder::new()
        .map_request(move |mut req: http::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(caller.clone());
            req
        })
        .service(routes);
    let conn = hyper::server::conn::http2::Builder::new(TokioExecutor::new()).serve_connection(
        TokioIo::new(stream),
        hyper_util::service::TowerToHyperService::new(svc),
    );
    tokio::select! {
        _ = conn => {}
        _ = gen_rx.changed() => {}
        _ = maint_rx.changed(), if maintenance => {}
        _ = kill.notified() => {}
        _ = shutdown.changed() => {}
    }
}

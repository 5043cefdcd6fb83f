//! The simulator harness of the client tests. In: a loopback prefix and network number (each test
//! file has its own `127.<a>.<net>.x` range), node names, a Talos version, a reboot delay and an
//! optional Kubernetes CA. Out: an [`Env`] running an in-process simulator with its own OS CA and
//! state directory, clients for it (mutual TLS for a role, or maintenance-mode insecure), its event
//! log, and [`until`], which waits on a condition instead of sleeping a fixed time.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use machinist_talos::client::{ClientOptions, RetryPolicy};
use machinist_talos::sim::pki::Ca;
use machinist_talos::sim::{Fault, NodeSpec, SimOptions, Simulator};
use machinist_talos::{Credentials, NodeTarget, TalosClient};

/// One simulated cluster: the running simulator (None while stopped) and what restarts it.
pub struct Env {
    pub sim: Option<Simulator>,
    pub os_ca: Ca,
    /// The Kubernetes CA (certificate, SEC1 key) the simulator signs kubeconfigs with, if any.
    pub kube_ca_pem: Option<(String, String)>,
    /// Scratch space of the test; the simulator keeps its state in `state/` below it.
    pub state: tempfile::TempDir,
    pub nodes: Vec<NodeTarget>,
    pub specs: Vec<NodeSpec>,
    pub version: String,
    pub reboot_delay: Duration,
}

/// Nodes `names` on `<prefix>.<net>.1`, `.2`, … (port 50000).
pub fn specs(prefix: &str, net: u8, names: &[&str]) -> Vec<NodeSpec> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| NodeSpec {
            name: (*n).to_owned(),
            ip: format!("{prefix}.{net}.{}", i + 1)
                .parse::<IpAddr>()
                .unwrap(),
            port: 50000,
        })
        .collect()
}

impl Env {
    /// A new OS CA and state directory for `specs`; the simulator is not started yet.
    pub fn new(
        specs: Vec<NodeSpec>,
        version: &str,
        reboot_delay: Duration,
        kube_ca_pem: Option<(String, String)>,
    ) -> Env {
        Env {
            sim: None,
            os_ca: Ca::generate("talos").unwrap(),
            kube_ca_pem,
            state: tempfile::tempdir().unwrap(),
            nodes: specs
                .iter()
                .map(|s| NodeTarget {
                    name: s.name.clone(),
                    address: s.ip.to_string(),
                })
                .collect(),
            specs,
            version: version.into(),
            reboot_delay,
        }
    }

    /// Where the simulator keeps its state (configs, event log).
    pub fn state_dir(&self) -> PathBuf {
        self.state.path().join("state")
    }

    /// The simulator options for this cluster with `faults` and fixed `uuids`.
    pub fn options(&self, faults: &[&str], uuids: &[(&str, &str)]) -> SimOptions {
        let kube_ca = self.kube_ca_pem.as_ref().map(|(crt, key)| {
            let key = machinist_secrets::pem::key_to_pkcs8_pem(key).unwrap();
            Ca::from_pem(crt, &key).unwrap()
        });
        SimOptions {
            nodes: self.specs.clone(),
            os_ca: Ca::from_pem(&self.os_ca.pem.cert_pem, &self.os_ca.pem.key_pem).unwrap(),
            state_dir: self.state_dir(),
            talos_version: self.version.clone(),
            reboot_delay: self.reboot_delay,
            faults: faults.iter().map(|f| Fault::parse(f).unwrap()).collect(),
            kube_ca,
            uuids: uuids
                .iter()
                .map(|(n, u)| ((*n).to_owned(), (*u).to_owned()))
                .collect(),
        }
    }

    /// Starts the simulator (it must be stopped).
    pub async fn start(&mut self, faults: &[&str], uuids: &[(&str, &str)]) {
        assert!(self.sim.is_none(), "the simulator is already running");
        self.sim = Some(Simulator::start(self.options(faults, uuids)).await.unwrap());
    }

    /// Stops the simulator; its state stays.
    pub async fn stop(&mut self) {
        self.sim
            .take()
            .expect("the simulator is running")
            .shutdown()
            .await;
    }

    /// Stops and starts the simulator again with `faults` and `uuids`.
    pub async fn restart(&mut self, faults: &[&str], uuids: &[(&str, &str)]) {
        self.stop().await;
        self.start(faults, uuids).await;
    }

    /// `<node> <event>` for every line of the event log, in order.
    pub fn events(&self) -> Vec<String> {
        machinist_talos::sim::read_events(&self.state_dir())
            .unwrap()
            .into_iter()
            .map(|ev| format!("{} {}", ev.node, ev.what))
            .collect()
    }

    /// Whether the event log has the line `<node> <event>`.
    pub fn logged(&self, line: &str) -> bool {
        self.events().iter().any(|l| l == line)
    }

    /// A mutual-TLS client with a certificate for `roles`, its key in PKCS#8 `PRIVATE KEY` form.
    pub fn client(&self, roles: &[&str]) -> TalosClient {
        TalosClient::new(opts(), Some(&creds(&self.os_ca, roles, false))).unwrap()
    }
}

/// Client credentials signed by `ca` for `roles`; with `talos_label`, the key carries Talos's own
/// `ED25519 PRIVATE KEY` label (as in a talosconfig), which must be accepted too.
pub fn creds(ca: &Ca, roles: &[&str], talos_label: bool) -> Credentials {
    let c = ca.client_cert(roles, true).unwrap();
    let key_pem = if talos_label {
        c.key_pem.replace("PRIVATE KEY", "ED25519 PRIVATE KEY")
    } else {
        c.key_pem
    };
    Credentials {
        ca_pem: ca.pem.cert_pem.clone().into_bytes(),
        cert_pem: c.cert_pem.into_bytes(),
        key_pem: key_pem.into_bytes(),
    }
}

/// Short call timeouts and three quick retries.
pub fn opts() -> ClientOptions {
    ClientOptions {
        call_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(100),
        },
        ..Default::default()
    }
}

/// A maintenance-mode client: no client certificate, server certificate not checked.
pub fn insecure() -> TalosClient {
    TalosClient::new(
        ClientOptions {
            insecure: true,
            ..opts()
        },
        None,
    )
    .unwrap()
}

/// Waits (polling every 10 ms, no fixed sleep) until `cond` holds; gives up after 10 s naming
/// `what` (a hang guard, not a speed target).
pub async fn until<F, Fut>(what: &str, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let t = Instant::now();
    while !cond().await {
        assert!(t.elapsed() < Duration::from_secs(10), "never: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

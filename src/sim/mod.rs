//! Glue between a cluster project and the simulator library (`machinist_talos::sim`). In: a
//! project directory and the secrets that hold its OS CA. Out: one simulated node per node file —
//! its name and the address (and port, when the node's `address` carries one) it listens on — and
//! the CAs from the secrets: the OS CA (signs the nodes' server certificates) and the Kubernetes CA
//! (signs the admin certificate of the kubeconfigs control planes hand out).

use std::net::IpAddr;
use std::path::Path;

use base64::Engine as _;
use machinist_talos::sim::NodeSpec;
use machinist_talos::sim::pki::Ca;

use crate::project::Project;
use crate::render::{RenderOptions, render};

/// Why a project cannot be simulated.
#[derive(Debug, thiserror::Error)]
pub enum SimSetupError {
    /// The project does not load or render.
    #[error("{0}")]
    Project(String),
    /// A node address is not an IP address.
    #[error(
        "node {node}: address `{address}` is not an IP address (the simulator listens on loopback IPs such as 127.0.1.11)"
    )]
    Address {
        /// Node name.
        node: String,
        /// Its address.
        address: String,
    },
    /// The secrets file is unusable.
    #[error("{path}: {reason}")]
    Secrets {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// Diagnostics of loading or rendering the project, as one message.
fn project_error(diags: &[crate::diagnostics::Diagnostic]) -> SimSetupError {
    SimSetupError::Project(
        diags
            .iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// The nodes of a project, with the address each listens on (port 50000 unless the node's
/// address names one, e.g. `127.0.0.1:50011`).
pub fn project_nodes(dir: &Path) -> Result<(Project, Vec<NodeSpec>), SimSetupError> {
    let project = Project::load(dir).map_err(|d| project_error(&d))?;
    let rendered = render(&project, RenderOptions::default()).map_err(|d| project_error(&d))?;
    let mut specs = Vec::new();
    for n in rendered {
        let (ip, port) = split_address(&n.address).ok_or_else(|| SimSetupError::Address {
            node: n.name.clone(),
            address: n.address.clone(),
        })?;
        specs.push(NodeSpec {
            name: n.name,
            ip,
            port,
        });
    }
    Ok((project, specs))
}

/// `ip` or `ip:port` (`[v6]:port`), default port 50000.
pub fn split_address(address: &str) -> Option<(IpAddr, u16)> {
    if let Ok(ip) = address.parse::<IpAddr>() {
        return Some((ip, 50000));
    }
    let sa: std::net::SocketAddr = address.parse().ok()?;
    Some((sa.ip(), sa.port()))
}

/// The CAs the simulator needs from a cluster's secrets.
pub struct SimCas {
    /// The Talos OS CA.
    pub os: Ca,
    /// The Kubernetes CA (`None` when a plaintext `secrets.yaml` has no `certs.k8s`: Kubeconfig
    /// is then refused).
    pub kubernetes: Option<Ca>,
}

/// A CA whose key may be in Talos's labels (`ED25519 PRIVATE KEY`, SEC1 `EC PRIVATE KEY`).
fn ca_from_talos_pem(cert_pem: &str, key_pem: &str) -> Result<Ca, String> {
    let key = machinist_secrets::pem::key_to_pkcs8_pem(key_pem).map_err(|e| e.to_string())?;
    Ca::from_pem(cert_pem, &key).map_err(|e| e.to_string())
}

/// The OS CA from a talosctl-format `secrets.yaml` (`certs.os.crt` / `certs.os.key`, base64 PEM).
pub fn os_ca_from_secrets_yaml(path: &Path) -> Result<Ca, SimSetupError> {
    Ok(cas_from_secrets_yaml(path)?.os)
}

/// The OS and Kubernetes CAs from a talosctl-format `secrets.yaml` (`certs.os` and `certs.k8s`,
/// base64 PEM).
pub fn cas_from_secrets_yaml(path: &Path) -> Result<SimCas, SimSetupError> {
    let bad = |reason: String| SimSetupError::Secrets {
        path: path.display().to_string(),
        reason,
    };
    let text = crate::fsutil::read_input(path).map_err(|e| bad(e.to_string()))?;
    let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let field = |ca: &str, name: &str| -> Result<String, SimSetupError> {
        let b64 = v
            .get("certs")
            .and_then(|c| c.get(ca))
            .and_then(|o| o.get(name))
            .and_then(serde_yaml_ng::Value::as_str)
            .ok_or_else(|| bad(format!("certs.{ca}.{name} is missing")))?;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map_err(|e| bad(format!("certs.{ca}.{name} is not base64: {e}")))?;
        String::from_utf8(raw).map_err(|_| bad(format!("certs.{ca}.{name} is not PEM text")))
    };
    let load = |ca: &str| -> Result<Ca, SimSetupError> {
        ca_from_talos_pem(&field(ca, "crt")?, &field(ca, "key")?)
            .map_err(|e| bad(format!("certs.{ca}: {e}")))
    };
    let has_k8s = v.get("certs").and_then(|c| c.get("k8s")).is_some();
    Ok(SimCas {
        os: load("os")?,
        kubernetes: if has_k8s { Some(load("k8s")?) } else { None },
    })
}

/// The OS CA from the project's encrypted bundle (Chart.yaml `secrets.file`), decrypted with the
/// user's age identity exactly as `machinist render --with-secrets` does.
pub fn os_ca_from_project(project: &Project) -> Result<Ca, SimSetupError> {
    Ok(cas_from_project(project)?.os)
}

/// The OS and Kubernetes CAs from the project's encrypted bundle.
pub fn cas_from_project(project: &Project) -> Result<SimCas, SimSetupError> {
    let path = project.root.join(&project.chart.secrets.file);
    let bad = |reason: String| SimSetupError::Secrets {
        path: path.display().to_string(),
        reason,
    };
    let env = machinist_secrets::IdentityEnv::from_process();
    let bundle = machinist_secrets::load_bundle(&path, &env).map_err(|e| bad(e.to_string()))?;
    let os = ca_from_talos_pem(&bundle.certs.os.crt, &bundle.certs.os.key)
        .map_err(|e| bad(format!("certs.os: {e}")))?;
    let kubernetes = ca_from_talos_pem(&bundle.certs.k8s.crt, &bundle.certs.k8s.key)
        .map_err(|e| bad(format!("certs.k8s: {e}")))?;
    Ok(SimCas {
        os,
        kubernetes: Some(kubernetes),
    })
}

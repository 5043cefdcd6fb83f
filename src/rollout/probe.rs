//! What state a node is in, and waiting for it to reach one. In: the clients and a node target.
//! Out: [`NodeState`] — maintenance mode (no config: it answers without a client certificate
//! and reports `configured: false`), configured (answers over mutual TLS) or unreachable — and
//! waits that poll the node *at its own address* until it answers configured, answers a given
//! version, or is back in maintenance mode.

use std::time::Instant;

use machinist_talos::client::NodeVersion;
use machinist_talos::{NodeError, NodeTarget};

use super::{Api, Clients, Progress, Waits, step};

/// What a node is now.
#[derive(Debug, Clone)]
pub enum NodeState {
    /// Maintenance mode: waiting for its first config.
    Maintenance(NodeVersion),
    /// Configured: answers over mutual TLS.
    Configured(NodeVersion),
    /// No usable answer.
    Unreachable(NodeError),
}

impl NodeState {
    /// A one-word name (`maintenance`, `running`, `unreachable`).
    pub fn word(&self) -> &'static str {
        match self {
            NodeState::Maintenance(_) => "maintenance",
            NodeState::Configured(_) => "running",
            NodeState::Unreachable(_) => "unreachable",
        }
    }
}

/// Asks the node over mutual TLS, then (when that fails on TLS, or there is no talosconfig) in
/// maintenance mode.
pub async fn probe(clients: &Clients, t: &NodeTarget) -> NodeState {
    let secure_err = match &clients.secure {
        Some(s) => match s.version(t).await {
            Ok(v) if v.configured => return NodeState::Configured(v),
            Ok(v) => return NodeState::Maintenance(v),
            Err(e @ NodeError::Tls { .. }) => Some(e),
            Err(e) => return NodeState::Unreachable(e),
        },
        None => None,
    };
    match clients.insecure.version(t).await {
        Ok(v) if !v.configured => NodeState::Maintenance(v),
        Ok(v) => NodeState::Configured(v),
        // Its release is not told: the tag stays empty.
        Err(e) if old_maintenance_refusal(&e) => NodeState::Maintenance(NodeVersion {
            tag: String::new(),
            platform: String::new(),
            configured: false,
        }),
        Err(e) => NodeState::Unreachable(secure_err.unwrap_or(e)),
    }
}

/// Talos v1.12 and older answer Version in maintenance mode only to an admin (`assertAdminRole`
/// in `internal/app/maintenance/server.go`), so a client without certificate gets
/// `Unimplemented` "… maintenance mode": that node is in maintenance mode too.
fn old_maintenance_refusal(e: &NodeError) -> bool {
    matches!(
        e,
        NodeError::Refused {
            code: tonic::Code::Unimplemented,
            message,
            ..
        } if message.contains("maintenance mode")
    )
}

/// Whether the node answers the maintenance API (no config yet). A configured node refuses a
/// client without certificate, or reports `configured: true`; Talos v1.12 and older refuse in
/// maintenance mode too, in their own words ([`old_maintenance_refusal`]).
pub async fn in_maintenance(insecure: &Api, t: &NodeTarget) -> Result<bool, NodeError> {
    match insecure.version(t).await {
        Ok(v) => Ok(!v.configured),
        Err(e) if old_maintenance_refusal(&e) => Ok(true),
        Err(NodeError::Tls { .. }) => Ok(false),
        Err(NodeError::Refused {
            code: tonic::Code::PermissionDenied | tonic::Code::Unauthenticated,
            ..
        }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Polls `api` until the node answers Version with `configured: true` (and, when `want_tag` is
/// given, that release). `seen_down` starts true when the caller knows the node went away.
/// Errs with the last answer when `waits.timeout` passes.
pub async fn wait_configured(
    api: &Api,
    t: &NodeTarget,
    waits: Waits,
    progress: &Progress,
    what: &str,
) -> Result<NodeVersion, String> {
    let start = Instant::now();
    step(progress, &t.name, what.to_string());
    loop {
        // The timeout bounds the whole wait, each call included.
        let left = waits.timeout.saturating_sub(start.elapsed());
        let last = match tokio::time::timeout(left, api.version(t)).await {
            Ok(Ok(v)) if v.configured => return Ok(v),
            Ok(Ok(v)) => format!("answers {} but has no config yet", v.tag),
            Ok(Err(e)) => e.to_string(),
            Err(_) => "no answer yet".to_string(),
        };
        if start.elapsed() >= waits.timeout {
            return Err(format!(
                "did not answer over mutual TLS at {} within {} (--wait-timeout): {last}",
                t.address,
                machinist_talos::duration::display(waits.timeout)
            ));
        }
        tokio::time::sleep(waits.poll).await;
    }
}

/// Polls until the node stops answering, at most `waits.timeout`; true when it went down.
pub async fn wait_down(api: &Api, t: &NodeTarget, waits: Waits) -> bool {
    let start = Instant::now();
    while start.elapsed() < waits.timeout {
        if api.version(t).await.is_err() {
            return true;
        }
        tokio::time::sleep(waits.poll).await;
    }
    false
}

/// Polls until the node answers in maintenance mode.
pub async fn wait_maintenance(
    insecure: &Api,
    t: &NodeTarget,
    waits: Waits,
    progress: &Progress,
) -> Result<(), String> {
    let start = Instant::now();
    step(progress, &t.name, "waiting for maintenance mode");
    loop {
        let last = match insecure.version(t).await {
            Ok(v) if !v.configured => return Ok(()),
            Ok(_) => "still configured".to_string(),
            Err(e) => e.to_string(),
        };
        if start.elapsed() >= waits.timeout {
            return Err(format!(
                "did not come back in maintenance mode at {} within {:.0}s: {last}",
                t.address,
                waits.timeout.as_secs_f64()
            ));
        }
        tokio::time::sleep(waits.poll).await;
    }
}

/// Polls until the node has booted its installed system: it answers over mutual TLS and lists
/// the `kubelet` service (maintenance mode and the installer run no kubelet).
pub async fn wait_installed(
    api: &Api,
    t: &NodeTarget,
    waits: Waits,
    progress: &Progress,
) -> Result<NodeVersion, String> {
    let start = Instant::now();
    let v = wait_configured(
        api,
        t,
        waits,
        progress,
        "waiting for it to answer over mutual TLS",
    )
    .await?;
    step(
        progress,
        &t.name,
        "waiting for it to boot the installed system",
    );
    loop {
        let last = match api.services(t).await {
            Ok(s) if s.iter().any(|s| s.id == "kubelet") => return Ok(v),
            Ok(_) => "still installing (no kubelet service yet)".to_string(),
            Err(e) => e.to_string(),
        };
        if start.elapsed() >= waits.timeout {
            return Err(format!(
                "did not finish installing within {:.0}s: {last}",
                waits.timeout.as_secs_f64()
            ));
        }
        tokio::time::sleep(waits.poll).await;
    }
}

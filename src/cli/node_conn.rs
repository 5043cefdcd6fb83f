//! Shared plumbing for the commands that talk to nodes (`diff`, `apply`). In: the project
//! directory, connection flags and the rendered nodes. Out: a gRPC client (mutual TLS from the
//! talosconfig, or maintenance mode), the node targets and a tokio runtime.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use machinist::render::RenderedNode;
use machinist_talos::client::ClientOptions;
use machinist_talos::talosconfig::{self, Talosconfig};
use machinist_talos::{NodeTarget, TalosClient};

/// How to reach the nodes.
#[derive(Debug, Clone, Args)]
pub(super) struct ConnArgs {
    /// The talosconfig to use (default: the project's `talosconfig`, then `$TALOSCONFIG`, then
    /// `~/.talos/config`).
    #[arg(long, value_name = "FILE")]
    pub talosconfig: Option<PathBuf>,
    /// The talosconfig context (default: its current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// Dial these endpoints and reach each node through them with the `node` key (comma
    /// separated or repeated; default: the talosconfig's endpoints, else each node directly).
    #[arg(long = "endpoints", value_name = "ADDR", value_delimiter = ',')]
    pub endpoints: Vec<String>,
    /// Per-call timeout.
    #[arg(long, value_name = "D", default_value = "20s", value_parser = duration)]
    pub timeout: Duration,
}

/// Parses a duration flag (`500ms`, `30s`, `2m30s`), at most 168h: the one parser every
/// duration flag uses (see `machinist_talos::duration`).
pub(super) fn duration(s: &str) -> Result<Duration, String> {
    machinist_talos::duration::parse(s).map_err(|e| e.to_string())
}

/// A client with mutual TLS from the talosconfig.
pub(super) fn secure_client(dir: &Path, args: &ConnArgs) -> Result<Arc<TalosClient>, String> {
    let path =
        talosconfig::locate(args.talosconfig.as_deref(), Some(dir)).map_err(|e| e.to_string())?;
    let cfg = Talosconfig::load(&path).map_err(|e| e.to_string())?;
    let creds = cfg
        .credentials(args.context.as_deref())
        .map_err(|e| e.to_string())?;
    let endpoints = if args.endpoints.is_empty() {
        let endpoints = cfg
            .context(args.context.as_deref())
            .map(|(_, c)| c.endpoints.clone())
            .unwrap_or_default();
        if let Some(w) = super::controlplanes::check(&path.display().to_string(), &endpoints) {
            eprintln!("warning: {w}");
        }
        endpoints
    } else {
        args.endpoints.clone()
    };
    let opts = ClientOptions {
        endpoints,
        call_timeout: args.timeout,
        ..Default::default()
    };
    TalosClient::new(opts, Some(&creds))
        .map(Arc::new)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// A maintenance-mode client (no client certificate, optional fingerprint pin).
pub(super) fn insecure_client(args: &ConnArgs, fingerprint: Option<String>) -> Arc<TalosClient> {
    let opts = ClientOptions {
        insecure: true,
        cert_fingerprint: fingerprint,
        call_timeout: args.timeout,
        ..Default::default()
    };
    Arc::new(TalosClient::new(opts, None).expect("maintenance TLS settings need no material"))
}

/// The API target of a rendered node.
pub(super) fn target(n: &RenderedNode) -> NodeTarget {
    NodeTarget {
        name: n.name.clone(),
        address: n.address.clone(),
    }
}

/// A multi-threaded runtime for the network calls.
pub(super) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime starts")
}

//! `machinist-sim`: a wire-compatible Talos node simulator for tests, examples and demos. Serves
//! one simulated node per node file of a project on that node's address (port 50000), prints
//! `ready <node> <address>:<port>` per node once listening, and stops cleanly on SIGTERM or Ctrl-C.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use machinist_talos::sim::{Fault, SimOptions, Simulator};

/// Simulate the Talos nodes of a machinist project on loopback addresses.
#[derive(Debug, Parser)]
#[command(name = "machinist-sim", version, max_term_width = 100)]
struct Args {
    /// The project directory (its node files give names and addresses).
    #[arg(default_value = ".")]
    project: PathBuf,
    /// Where nodes keep their saved configs across restarts (default: PROJECT/.machinist-sim).
    #[arg(long, value_name = "DIR")]
    state: Option<PathBuf>,
    /// The Talos version to play, e.g. v1.13.9 (default: Chart.yaml's talosVersion).
    #[arg(long, value_name = "V")]
    talos_version: Option<String>,
    /// How long a reboot (or crash) keeps a node off the network.
    #[arg(long, value_name = "D", default_value = "5s", value_parser = duration)]
    reboot_delay: Duration,
    /// Inject a fault (repeatable), e.g. `latency=200ms:node=cp-01`, `refuse:count=2`,
    /// `drop:node=w-01,call=apply,count=1`, `crash-after-persist:node=cp-02`,
    /// `upgrade-fallback=w-01` (an upgrade comes back on the old version),
    /// `etcd-member-missing=cp-03` (that control plane is not an etcd member).
    #[arg(long = "fault", value_name = "SPEC")]
    faults: Vec<String>,
    /// Read more fault specs from a file (one per line, `#` comments).
    #[arg(long, value_name = "FILE")]
    fault_file: Option<PathBuf>,
    /// Take the OS and Kubernetes CAs from a plaintext talosctl `secrets.yaml` instead of the
    /// project's encrypted bundle (which is decrypted with the same age identity machinist uses).
    #[arg(long, value_name = "FILE")]
    secrets: Option<PathBuf>,
    /// Simulate only this node (repeatable; default: every node of the project).
    #[arg(long = "node", value_name = "NAME")]
    nodes: Vec<String>,
    /// The SMBIOS UUID a node reports, e.g. `cp-01=4c4c4544-0042-3510-8050-b4c04f4e3232`
    /// (repeatable; default: a stable UUID derived from the node name).
    #[arg(long = "uuid", value_name = "NODE=UUID", value_parser = node_uuid)]
    uuids: Vec<(String, String)>,
}

fn node_uuid(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((n, u)) if !n.is_empty() && !u.is_empty() => Ok((n.to_owned(), u.to_owned())),
        _ => Err(format!("`{s}` is not NODE=UUID")),
    }
}

fn duration(s: &str) -> Result<Duration, String> {
    machinist_talos::duration::parse(s).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    // Bad arguments fail before the project and its secrets are read.
    let mut specs = args.faults.clone();
    if let Some(f) = &args.fault_file {
        let text = machinist::fsutil::read_input(f).map_err(|e| format!("{}: {e}", f.display()))?;
        specs.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string),
        );
    }
    let faults = specs
        .iter()
        .map(|s| Fault::parse(s).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let (project, mut nodes) =
        machinist::sim::project_nodes(&args.project).map_err(|e| e.to_string())?;
    let known: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();
    for name in args.nodes.iter().chain(args.uuids.iter().map(|(n, _)| n)) {
        if !known.contains(name) {
            return Err(format!(
                "no node `{name}` in {} (nodes: {})",
                args.project.display(),
                known.join(", ")
            ));
        }
    }
    if !args.nodes.is_empty() {
        nodes.retain(|n| args.nodes.contains(&n.name));
    }
    let cas = match &args.secrets {
        Some(file) => machinist::sim::cas_from_secrets_yaml(file).map_err(|e| e.to_string())?,
        None => machinist::sim::cas_from_project(&project).map_err(|e| e.to_string())?,
    };
    let opts = SimOptions {
        nodes,
        os_ca: cas.os,
        kube_ca: cas.kubernetes,
        uuids: args.uuids.iter().cloned().collect(),
        state_dir: args
            .state
            .clone()
            .unwrap_or_else(|| args.project.join(".machinist-sim")),
        talos_version: args
            .talos_version
            .clone()
            .unwrap_or_else(|| project.chart.talos_version.clone()),
        reboot_delay: args.reboot_delay,
        faults,
    };
    let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let sim = Simulator::start(opts).await.map_err(|e| e.to_string())?;
        for (name, addr) in sim.ready() {
            println!("ready {name} {addr}");
        }
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|e| e.to_string())?;
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        sim.shutdown().await;
        eprintln!("machinist-sim: stopped");
        Ok(())
    })
}

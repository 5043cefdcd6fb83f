//! `machinist init DIR`: a new, working cluster project from the built-in chart `charts/talos`
//! (embedded in the binary). In: a directory, the cluster name and endpoint, optionally the Talos
//! and Kubernetes versions. Out: Chart.yaml (with the secrets settings), values.yaml, templates,
//! role layers, one example node per role (at the endpoint's address when it is an IP, so the new
//! project lints clean), `secrets.yaml.age` generated natively and encrypted to
//! the user's age identity (created in the user config directory when there is none), a 0600
//! talosconfig, and a .gitignore. Refuses to touch an existing project.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use clap::Args;
use machinist::project::Project;
use machinist_model::Contract;
use machinist_secrets::Bundle;
use machinist_secrets::atrest::{self, IdentityEnv};

use super::exit::ExitStatus;
use super::report;
use super::secrets::{controlplane_endpoints, issue_talosconfig};
use super::values_args::ValuesArgs;

/// The built-in chart, file by file (path in the project, content).
pub(super) const CHART: &[(&str, &str)] = &[
    ("Chart.yaml", include_str!("../../charts/talos/Chart.yaml")),
    (
        "values.yaml",
        include_str!("../../charts/talos/values.yaml"),
    ),
    (
        "templates/_helpers.j2",
        include_str!("../../charts/talos/templates/_helpers.j2"),
    ),
    (
        "templates/_machine.j2",
        include_str!("../../charts/talos/templates/_machine.j2"),
    ),
    (
        "templates/controlplane.yaml",
        include_str!("../../charts/talos/templates/controlplane.yaml"),
    ),
    (
        "templates/worker.yaml",
        include_str!("../../charts/talos/templates/worker.yaml"),
    ),
    (
        "layers/role/controlplane.yaml",
        include_str!("../../charts/talos/layers/role/controlplane.yaml"),
    ),
    (
        "layers/role/worker.yaml",
        include_str!("../../charts/talos/layers/role/worker.yaml"),
    ),
    (
        "nodes/cp-01.yaml",
        include_str!("../../charts/talos/nodes/cp-01.yaml"),
    ),
    (
        "nodes/worker-01.yaml",
        include_str!("../../charts/talos/nodes/worker-01.yaml"),
    ),
];

/// What `.gitignore` keeps out of git.
pub(super) const GITIGNORE: &str = "# Written by machinist init. Credentials and decrypted secrets never belong in git;\n# the encrypted secrets.yaml.age does.\ntalosconfig\nkubeconfig\nsecrets.yaml\n*.agekey\nage-identity.txt\n# Temporary files of interrupted writes, and the simulator's state (it holds CA keys).\n.machinist-*.tmp\n.machinist-sim/\n";

/// The Talos version `init` uses when none is given: the newest stable release.
pub(super) const DEFAULT_TALOS_VERSION: &str = "v1.13.9";

/// Create a new cluster project with fresh secrets.
#[derive(Debug, Args)]
pub(super) struct InitArgs {
    /// The directory to create (or an empty one).
    pub dir: PathBuf,
    /// The cluster name.
    #[arg(long)]
    pub name: String,
    /// The Kubernetes API endpoint, `https://host:port`.
    #[arg(long)]
    pub endpoint: String,
    /// The Talos version whose config contract applies.
    #[arg(long, default_value = DEFAULT_TALOS_VERSION)]
    pub talos_version: String,
    /// The Kubernetes version (default: the one that Talos version ships with).
    #[arg(long)]
    pub kubernetes_version: Option<String>,
}

/// The Kubernetes version `talosctl gen config` defaults to for a contract.
pub(super) fn default_kubernetes_version(contract: Contract) -> &'static str {
    match contract {
        Contract::V1_11 => "v1.34.1",
        Contract::V1_12 => "v1.35.4",
        Contract::V1_13 => "v1.36.3",
        Contract::V1_14 => "v1.37.0-rc.0",
        Contract::V1_15 => "v1.37.0-rc.1",
    }
}

/// Checks the endpoint the way talosctl does: `https://host:port`.
fn check_endpoint(endpoint: &str) -> Result<(), String> {
    let rest = endpoint.strip_prefix("https://").ok_or_else(|| {
        format!("endpoint `{endpoint}` must start with https:// (e.g. https://192.168.1.10:6443)")
    })?;
    let port = rest.rsplit_once(':').map(|(_, p)| p);
    match port {
        Some(p)
            if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && !rest.contains('/') =>
        {
            Ok(())
        }
        _ => Err(format!(
            "endpoint `{endpoint}` must be https://host:port (e.g. https://192.168.1.10:6443)"
        )),
    }
}

/// The example nodes' addresses for an endpoint: when the endpoint's host is an IP address, the
/// control plane answers there (one control plane: the endpoint is that node) and the worker ten
/// addresses further on; for a DNS name, the built-in placeholders stay.
pub(super) fn example_addresses(endpoint: &str) -> Option<(IpAddr, IpAddr)> {
    let host = machinist::address::host(endpoint);
    let cp: IpAddr = host.parse().ok()?;
    let worker = match cp {
        IpAddr::V4(a) => IpAddr::V4(u32::from(a).checked_add(10)?.into()),
        IpAddr::V6(a) => IpAddr::V6(u128::from(a).checked_add(0x10)?.into()),
    };
    Some((cp, worker))
}

/// A node file of the built-in chart with its `address:` line replaced.
fn with_address(content: &str, address: IpAddr) -> String {
    content
        .lines()
        .map(|l| {
            if l.starts_with("address:") {
                format!("address: {address}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

fn yaml_str(s: &str) -> String {
    serde_yaml_ng::to_string(s).map_or_else(|_| format!("{s:?}"), |t| t.trim_end().to_string())
}

/// Chart.yaml of the new project: the built-in one with the cluster's name, versions, endpoint and
/// secrets settings.
pub(super) fn chart_yaml(
    name: &str,
    endpoint: &str,
    talos: &str,
    kubernetes: &str,
    recipients: &[String],
) -> String {
    let mut out = String::new();
    for line in CHART[0].1.lines() {
        let line = match line.split_once(':').map(|(k, _)| k) {
            Some("name") => format!("name: {}", yaml_str(name)),
            Some("talosVersion") => format!("talosVersion: {}", yaml_str(talos)),
            Some("kubernetesVersion") => format!("kubernetesVersion: {}", yaml_str(kubernetes)),
            Some("endpoint") => format!("endpoint: {}", yaml_str(endpoint)),
            _ => line.to_string(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("# The encrypted cluster secrets and who can decrypt them (age recipients).\nsecrets:\n  file: secrets.yaml.age\n  recipients:\n");
    for r in recipients {
        out.push_str(&format!("    - {r}\n"));
    }
    out
}

/// Everything `init` did, for the summary.
#[derive(Debug)]
pub(super) struct InitOutcome {
    /// Files written, relative to the project.
    pub files: Vec<String>,
    /// The identity file created, when there was none.
    pub created_identity: Option<PathBuf>,
    /// Where the identity used came from.
    pub identity_origin: String,
}

/// Creates the project. Fails without writing anything when a project (or any file init would
/// write) already exists.
pub(super) fn init(args: &InitArgs, env: &IdentityEnv) -> Result<InitOutcome, String> {
    let contract: Contract = args
        .talos_version
        .parse()
        .map_err(|e: machinist_model::contract::UnsupportedVersion| e.to_string())?;
    check_endpoint(&args.endpoint)?;
    if args.name.trim().is_empty() || args.name.chars().any(char::is_whitespace) {
        return Err(format!(
            "cluster name `{}` must be non-empty and without spaces",
            args.name
        ));
    }
    let dir = &args.dir;
    let mut targets: Vec<&str> = CHART.iter().map(|(p, _)| *p).collect();
    targets.extend(["secrets.yaml.age", "talosconfig", ".gitignore"]);
    if let Some(existing) = targets.iter().find(|t| dir.join(t).exists()) {
        return Err(format!(
            "{}: already exists; `machinist init` never overwrites a project (choose a new directory)",
            dir.join(existing).display()
        ));
    }
    // The identity: the user's existing one, or a new one in the user config dir.
    let (recipients, origin, created) = match atrest::user_recipients(env)
        .map_err(|e| e.to_string())?
    {
        Some((r, origin)) => (r, origin, None),
        None => {
            let path = env
                .default_identity_path()
                .ok_or("cannot locate the user config directory (set HOME or XDG_CONFIG_HOME, or MACHINIST_AGE_KEY_FILE)")?;
            let r = atrest::create_identity_file(&path).map_err(|e| e.to_string())?;
            (vec![r], path.display().to_string(), Some(path))
        }
    };
    let kubernetes = args
        .kubernetes_version
        .clone()
        .unwrap_or_else(|| default_kubernetes_version(contract).to_string());
    // RSA-4096 key generation takes seconds: say what the pause is.
    eprintln!(
        "generating the cluster secrets (certificate authorities, RSA-4096 service-account key; this takes a few seconds)..."
    );
    let bundle = Bundle::generate(contract).map_err(|e| e.to_string())?;

    let mut files = Vec::new();
    for (rel, content) in CHART {
        let text = if *rel == "Chart.yaml" {
            chart_yaml(
                &args.name,
                &args.endpoint,
                &args.talos_version,
                &kubernetes,
                &recipients,
            )
        } else {
            match (*rel, example_addresses(&args.endpoint)) {
                ("nodes/cp-01.yaml", Some((cp, _))) => with_address(content, cp),
                ("nodes/worker-01.yaml", Some((_, worker))) => with_address(content, worker),
                _ => content.to_string(),
            }
        };
        write(dir, rel, &text)?;
        files.push(rel.to_string());
    }
    // The schemas the files' `# yaml-language-server: $schema=` lines point at, so editors check
    // the project with no set-up and no network.
    for schema in machinist_model::schema::schema_files() {
        let rel = format!("schema/{}", schema.path);
        write(dir, &rel, &schema.contents)?;
    }
    files.push("schema/".into());
    write(dir, ".gitignore", GITIGNORE)?;
    files.push(".gitignore".into());
    atrest::save_bundle(&dir.join("secrets.yaml.age"), &bundle, &recipients)
        .map_err(|e| e.to_string())?;
    files.push("secrets.yaml.age".into());
    let project = Project::load(dir).map_err(|diags| {
        report::print(&diags);
        "the new project does not load (this is a bug in the built-in chart)".to_string()
    })?;
    let endpoints = controlplane_endpoints(&project, &ValuesArgs::default())?;
    issue_talosconfig(&project, &bundle, &[], &endpoints, &dir.join("talosconfig"))?;
    files.push("talosconfig".into());
    Ok(InitOutcome {
        files,
        created_identity: created,
        identity_origin: origin,
    })
}

fn write(dir: &Path, rel: &str, text: &str) -> Result<(), String> {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    machinist::fsutil::write_atomic(&path, text.as_bytes(), Some(0o644))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs `machinist init`.
pub(super) fn run(args: InitArgs) -> ExitStatus {
    match init(&args, &IdentityEnv::from_process()) {
        Ok(outcome) => {
            if let Some(p) = &outcome.created_identity {
                eprintln!(
                    "created a new age identity in {} (mode 0600): keep it safe, it decrypts the cluster secrets",
                    p.display()
                );
            } else {
                eprintln!(
                    "encrypting the secrets to the age identity in {}",
                    outcome.identity_origin
                );
            }
            eprintln!("created project {} with:", args.dir.display());
            for f in &outcome.files {
                eprintln!("  {f}");
            }
            eprintln!(
                "next: edit nodes/*.yaml (addresses) and values.yaml, then `machinist render {}`",
                args.dir.display()
            );
            ExitStatus::Success
        }
        Err(e) => {
            report::error(&e);
            ExitStatus::Failure
        }
    }
}

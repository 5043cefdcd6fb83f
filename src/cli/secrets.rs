//! `machinist secrets gen|import|rekey` and `machinist talosconfig`: create the project's
//! encrypted secrets bundle natively or from an existing cluster, re-encrypt it when the list of
//! recipients changes, and (re)issue client credentials from it.
//! In: a project directory (its Chart.yaml names the bundle file and the age recipients) and the
//! user's age identity. Out: `secrets.yaml.age` or `talosconfig`, written 0600 and atomically.
//! Secrets are never printed.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use machinist::project::Project;
use machinist::render::render;
use machinist_secrets::atrest::{self, IdentityEnv};
use machinist_secrets::{Bundle, Talosconfig};

use super::exit::ExitStatus;
use super::report;
use super::values_args::ValuesArgs;

/// Create or adopt the cluster secrets bundle.
#[derive(Debug, Args)]
pub(super) struct SecretsArgs {
    #[command(subcommand)]
    pub command: SecretsCommand,
}

/// The `secrets` subcommands.
#[derive(Debug, Subcommand)]
pub(super) enum SecretsCommand {
    /// Generate a new bundle (CAs, keys, tokens) in `talosctl gen secrets` format, encrypted to the
    /// recipients in Chart.yaml. Refuses to replace an existing bundle.
    Gen(GenArgs),
    /// Adopt an existing cluster: read a talosctl `secrets.yaml` or a controlplane machine config
    /// and store its secrets as the project's encrypted bundle.
    Import(ImportArgs),
    /// Re-encrypt the bundle to the recipients now listed in Chart.yaml (after adding or removing
    /// someone). The secrets themselves do not change.
    Rekey(RekeyArgs),
}

/// Arguments of `secrets rekey`.
#[derive(Debug, Args)]
pub(super) struct RekeyArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Re-encrypt even though your own identity is not among the recipients (you will no longer
    /// be able to read the bundle).
    #[arg(long)]
    pub remove_myself: bool,
}

/// Arguments of `secrets gen`.
#[derive(Debug, Args)]
pub(super) struct GenArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// Arguments of `secrets import`.
#[derive(Debug, Args)]
pub(super) struct ImportArgs {
    /// A talosctl `secrets.yaml` or a controlplane machine config.
    pub file: PathBuf,
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// Issue a talosconfig (client certificate signed by the cluster's OS CA). The bundle is only
/// read; regenerating the talosconfig never changes it.
#[derive(Debug, Args)]
pub(super) struct TalosconfigArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Roles of the client certificate (its `O=` values), comma separated.
    #[arg(long, value_delimiter = ',', default_value = "os:admin")]
    pub roles: Vec<String>,
    /// Where to write it (default: DIR/talosconfig).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub values: ValuesArgs,
}

/// Runs `machinist secrets ...`.
pub(super) fn run(args: SecretsArgs) -> ExitStatus {
    let result = match args.command {
        SecretsCommand::Gen(a) => gen_bundle(&a.dir),
        SecretsCommand::Import(a) => import_bundle(&a.file, &a.dir),
        SecretsCommand::Rekey(a) => rekey(&a),
    };
    finish(result)
}

/// Runs `machinist talosconfig`.
pub(super) fn run_talosconfig(args: TalosconfigArgs) -> ExitStatus {
    finish(write_talosconfig(&args))
}

fn finish(result: Result<String, String>) -> ExitStatus {
    match result {
        Ok(msg) => {
            eprintln!("{msg}");
            ExitStatus::Success
        }
        Err(e) => {
            report::error(&e);
            ExitStatus::Failure
        }
    }
}

fn load_project(dir: &Path) -> Result<Project, String> {
    Project::load(dir).map_err(|diags| {
        report::print(&diags);
        format!("cannot load the project in {}", dir.display())
    })
}

/// The recipients to encrypt to: Chart.yaml's, else the user's own identity's (with a note).
fn recipients(project: &Project) -> Result<(Vec<String>, Option<String>), String> {
    if !project.chart.secrets.recipients.is_empty() {
        return Ok((project.chart.secrets.recipients.clone(), None));
    }
    match atrest::user_recipients(&IdentityEnv::from_process()).map_err(|e| e.to_string())? {
        Some((r, origin)) => {
            let note = format!(
                "note: Chart.yaml lists no `secrets.recipients`; encrypted to the identity in {origin} ({}). Add it under `secrets: {{ recipients: [...] }}` so others know",
                r.join(", ")
            );
            Ok((r, Some(note)))
        }
        None => Err(
            "Chart.yaml lists no `secrets.recipients` and no age identity is configured; add `secrets: { recipients: [age1...] }` to Chart.yaml or run `machinist init` to create an identity".into(),
        ),
    }
}

/// The bundle path, or an error when a bundle is already there.
fn new_bundle_path(project: &Project) -> Result<PathBuf, String> {
    let path = project.root.join(&project.chart.secrets.file);
    if path.exists() {
        return Err(format!(
            "{}: a secrets bundle already exists; machinist never replaces cluster secrets (move the file away first if you really mean to)",
            path.display()
        ));
    }
    Ok(path)
}

fn store(project: &Project, bundle: &Bundle, what: &str) -> Result<String, String> {
    let path = new_bundle_path(project)?;
    let (recipients, note) = recipients(project)?;
    atrest::save_bundle(&path, bundle, &recipients).map_err(|e| e.to_string())?;
    let mut msg = format!(
        "{what} {} (encrypted to {} recipient{})",
        path.display(),
        recipients.len(),
        if recipients.len() == 1 { "" } else { "s" }
    );
    if let Some(n) = note {
        msg = format!("{n}\n{msg}");
    }
    Ok(msg)
}

fn gen_bundle(dir: &Path) -> Result<String, String> {
    let project = load_project(dir)?;
    new_bundle_path(&project)?;
    let bundle = Bundle::generate(project.chart.contract).map_err(|e| e.to_string())?;
    store(&project, &bundle, "generated")
}

fn import_bundle(file: &Path, dir: &Path) -> Result<String, String> {
    let project = load_project(dir)?;
    new_bundle_path(&project)?;
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let bundle =
        machinist_secrets::import(&text, &file.display().to_string()).map_err(|e| e.to_string())?;
    store(
        &project,
        &bundle,
        &format!("imported {} into", file.display()),
    )
}

fn rekey(args: &RekeyArgs) -> Result<String, String> {
    let project = load_project(&args.dir)?;
    let recipients = &project.chart.secrets.recipients;
    if recipients.is_empty() {
        return Err(
            "Chart.yaml lists no `secrets.recipients`; list everyone who should read the bundle (age1...) under `secrets: { recipients: [...] }`, then run `machinist secrets rekey` again".into(),
        );
    }
    let env = IdentityEnv::from_process();
    if let Some((mine, origin)) = atrest::user_recipients(&env).map_err(|e| e.to_string())?
        && !mine.iter().any(|m| recipients.contains(m))
        && !args.remove_myself
    {
        return Err(format!(
            "your identity ({origin}, {}) is not among Chart.yaml's `secrets.recipients`: after re-encrypting you could no longer read the bundle; add it, or pass --remove-myself if that is what you want",
            mine.join(", ")
        ));
    }
    let path = project.root.join(&project.chart.secrets.file);
    atrest::rekey_bundle(&path, &env, recipients).map_err(|e| e.to_string())?;
    Ok(format!(
        "re-encrypted {} to {} recipient{}: {}",
        path.display(),
        recipients.len(),
        if recipients.len() == 1 { "" } else { "s" },
        recipients.join(", ")
    ))
}

/// The control-plane nodes' rendered addresses (talosctl's endpoints): the project rendered
/// without secrets, with the command line's values and patches, roles from `machine.type`.
pub(super) fn controlplane_endpoints(
    project: &Project,
    values: &ValuesArgs,
) -> Result<Vec<String>, String> {
    let options = values.render_options(&[], false).map_err(|d| {
        report::print(&d);
        "invalid values or patches on the command line".to_string()
    })?;
    let nodes = render(project, options).map_err(|d| {
        report::print(&d);
        format!(
            "cannot render {} to find the control planes' addresses",
            project.root.display()
        )
    })?;
    Ok(super::controlplanes::controlplanes(&nodes)
        .into_iter()
        .map(|(_, a)| a)
        .collect())
}

/// Issues a talosconfig for `project` from `bundle` and writes it to `path` (0600).
pub(super) fn issue_talosconfig(
    project: &Project,
    bundle: &Bundle,
    roles: &[String],
    endpoints: &[String],
    path: &Path,
) -> Result<(), String> {
    let tc = Talosconfig::generate(&project.chart.name, bundle, roles, endpoints, &[])
        .map_err(|e| e.to_string())?;
    tc.save(path).map_err(|e| e.to_string())
}

fn write_talosconfig(args: &TalosconfigArgs) -> Result<String, String> {
    let project = load_project(&args.dir)?;
    let endpoints = controlplane_endpoints(&project, &args.values)?;
    let bundle_path = project.root.join(&project.chart.secrets.file);
    let bundle = atrest::load_bundle(&bundle_path, &IdentityEnv::from_process())
        .map_err(|e| e.to_string())?;
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| project.root.join("talosconfig"));
    let roles: Vec<String> = args
        .roles
        .iter()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    issue_talosconfig(&project, &bundle, &roles, &endpoints, &out)?;
    Ok(format!(
        "wrote {} (context `{}`, endpoints {}, roles {}, valid one year)",
        out.display(),
        project.chart.name,
        if endpoints.is_empty() {
            "none: no control plane".to_string()
        } else {
            endpoints.join(", ")
        },
        if roles.is_empty() {
            "os:admin".to_string()
        } else {
            roles.join(",")
        }
    ))
}

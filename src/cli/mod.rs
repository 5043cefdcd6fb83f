//! The command line. In: `std::env::args`. Out: the exit status; every subcommand lives in its own
//! file with its clap arguments and a `run` function. Only this module prints.

mod apply;
mod bootstrap;
mod diff;
mod dircheck;
mod explain;
mod facts;
mod import;
mod init;
mod kubeconfig;
mod lifecycle;
mod lint;
mod node_conn;
mod patch;
mod render;
mod report;
mod reset;
mod schema;
mod secrets;
mod status;
mod up;
mod upgrade;
mod validate;
mod values_args;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Helm for Talos machine configs: render, validate, diff and apply Talos configs from a chart of
/// templates and layered values.
#[derive(Debug, Parser)]
#[command(name = "machinist", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Render(render::RenderArgs),
    Explain(explain::ExplainArgs),
    Diff(diff::DiffArgs),
    Apply(apply::ApplyArgs),
    Init(init::InitArgs),
    Secrets(secrets::SecretsArgs),
    Talosconfig(secrets::TalosconfigArgs),
    Patch(patch::PatchArgs),
    Import(import::ImportArgs),
    Schema(schema::SchemaArgs),
    Validate(validate::ValidateArgs),
    Lint(lint::LintArgs),
    Up(up::UpArgs),
    Bootstrap(bootstrap::BootstrapArgs),
    Kubeconfig(kubeconfig::KubeconfigArgs),
    Upgrade(upgrade::UpgradeArgs),
    Reset(reset::ResetArgs),
    Status(status::StatusArgs),
    Facts(facts::FactsArgs),
}

/// Runs the command line and returns the process exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Render(args) => render::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Apply(args) => apply::run(args),
        Command::Init(args) => init::run(args),
        Command::Secrets(args) => secrets::run(args),
        Command::Talosconfig(args) => secrets::run_talosconfig(args),
        Command::Patch(args) => patch::run(args),
        Command::Import(args) => import::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Up(args) => up::run(args),
        Command::Bootstrap(args) => bootstrap::run(args),
        Command::Kubeconfig(args) => kubeconfig::run(args),
        Command::Upgrade(args) => upgrade::run(args),
        Command::Reset(args) => reset::run(args),
        Command::Status(args) => status::run(args),
        Command::Facts(args) => facts::run(args),
    };
    ExitCode::from(code)
}

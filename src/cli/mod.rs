//! The command line. In: `std::env::args`. Out: the exit status; every subcommand lives in its own
//! file with its clap arguments and a `run` function. Only this module prints.

mod apply;
mod bootstrap;
mod color;
mod completions;
mod controlplanes;
mod diff;
mod dircheck;
mod exit;
mod explain;
mod facts;
mod import;
mod init;
mod kubeconfig;
mod lifecycle;
mod lint;
mod migrate;
mod node_conn;
mod patch;
mod render;
mod report;
mod reset;
mod schema;
mod schematic;
mod secrets;
mod status;
mod up;
mod upgrade;
mod validate;
mod values_args;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub(crate) use exit::ExitStatus;

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
    Schematic(schematic::SchematicArgs),
    Validate(validate::ValidateArgs),
    Lint(lint::LintArgs),
    Completions(completions::CompletionsArgs),
    Man(completions::ManArgs),
    Up(up::UpArgs),
    Bootstrap(bootstrap::BootstrapArgs),
    Kubeconfig(kubeconfig::KubeconfigArgs),
    Upgrade(upgrade::UpgradeArgs),
    Reset(reset::ResetArgs),
    Status(status::StatusArgs),
    Facts(facts::FactsArgs),
    Migrate(migrate::MigrateArgs),
}

/// The clap command tree, with the exit-status paragraph on every command's `--help`.
pub(crate) fn command() -> clap::Command {
    exit::document(Cli::command())
}

/// Parses the command line; a usage error prints clap's message and exits 64, `--help` and
/// `--version` print and exit 0.
fn parse() -> Result<Cli, ExitStatus> {
    let parsed = command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    parsed.map_err(|e| {
        let _ = e.print();
        if e.use_stderr() {
            ExitStatus::Usage
        } else {
            ExitStatus::Success
        }
    })
}

/// Runs the command line and returns the process exit status.
pub(crate) fn main() -> ExitCode {
    let cli = match parse() {
        Ok(c) => c,
        Err(status) => return status.into(),
    };
    let status = match cli.command {
        Command::Render(args) => render::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Apply(args) => ExitStatus::from_code(apply::run(args)),
        Command::Init(args) => init::run(args),
        Command::Secrets(args) => secrets::run(args),
        Command::Talosconfig(args) => secrets::run_talosconfig(args),
        Command::Patch(args) => patch::run(args),
        Command::Import(args) => import::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Schematic(args) => schematic::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Completions(args) => completions::completions(args),
        Command::Man(args) => completions::man(args),
        Command::Up(args) => ExitStatus::from_code(up::run(args)),
        Command::Bootstrap(args) => ExitStatus::from_code(bootstrap::run(args)),
        Command::Kubeconfig(args) => ExitStatus::from_code(kubeconfig::run(args)),
        Command::Upgrade(args) => ExitStatus::from_code(upgrade::run(args)),
        Command::Reset(args) => ExitStatus::from_code(reset::run(args)),
        Command::Status(args) => ExitStatus::from_code(status::run(args)),
        Command::Facts(args) => ExitStatus::from_code(facts::run(args)),
        Command::Migrate(args) => ExitStatus::from_code(migrate::run(args)),
    };
    status.into()
}

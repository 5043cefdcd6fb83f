//! The command line. In: `std::env::args`. Out: the exit status; every subcommand lives in its own
//! file with its clap arguments and a `run` function. Only this module prints.

mod apply;
mod diff;
mod dircheck;
mod explain;
mod import;
mod init;
mod lint;
mod migrate;
mod node_conn;
mod patch;
mod render;
mod report;
mod schema;
mod secrets;
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
    Migrate(migrate::MigrateArgs),
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
        Command::Migrate(args) => migrate::run(args),
    };
    ExitCode::from(code)
}

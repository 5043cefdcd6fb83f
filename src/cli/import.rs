//! `machinist import talhelper|configs ... -o DIR`: turns a talhelper project or existing machine
//! configs into a machinist project. Writes the project (the directory must be new or empty),
//! then lists on stderr every field that could not be translated. Exit 1 on errors.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use machinist::import::{self, ImportError, ImportedProject};

use super::exit::ExitStatus;
use super::report;

/// Import an existing Talos setup as a machinist project.
#[derive(Debug, Args)]
pub(super) struct ImportArgs {
    #[command(subcommand)]
    pub source: Source,
}

/// What to import.
#[derive(Debug, Subcommand)]
pub(super) enum Source {
    /// A talhelper talconfig.yaml (with its patch files).
    Talhelper {
        /// The talconfig.yaml file.
        talconfig: PathBuf,
        /// A plain talenv.yaml with the `${VAR}` values.
        #[arg(long, value_name = "FILE")]
        env: Option<PathBuf>,
        /// The project directory to create.
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        output: PathBuf,
    },
    /// Machine configs of one cluster, one file per node.
    Configs {
        /// The machine config files.
        #[arg(required = true)]
        configs: Vec<PathBuf>,
        /// The project directory to create.
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        output: PathBuf,
    },
}

/// Runs `machinist import`.
pub(super) fn run(args: ImportArgs) -> ExitStatus {
    let (result, out) = match &args.source {
        Source::Talhelper {
            talconfig,
            env,
            output,
        } => (import::talhelper::import(talconfig, env.as_deref()), output),
        Source::Configs { configs, output } => (import::configs::import(configs), output),
    };
    match result.and_then(|p| p.write(out).map(|()| p)) {
        Ok(p) => {
            print_summary(&p, out);
            ExitStatus::Success
        }
        Err(e) => {
            report::error(&e.to_string());
            if matches!(e, ImportError::NotEmpty { .. }) {
                eprintln!("hint: pass a new directory to -o");
            }
            ExitStatus::Failure
        }
    }
}

fn print_summary(p: &ImportedProject, out: &std::path::Path) {
    let nodes = p.files.keys().filter(|f| f.starts_with("nodes")).count();
    eprintln!(
        "wrote {} files ({} nodes) to {}",
        p.files.len(),
        nodes,
        out.display()
    );
    if p.untranslated.is_empty() {
        eprintln!("everything was translated");
    } else {
        eprintln!("not translated ({}):", p.untranslated.len());
        for u in &p.untranslated {
            eprintln!("  - {u}");
        }
    }
}

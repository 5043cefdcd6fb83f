//! `machinist patch CONFIG -p PATCH... [-o OUT]`: a drop-in for `talosctl machineconfig patch`.
//! Reads a machine config, applies the patches in order (strategic merge or JSON 6902, detected
//! like talosctl does), and prints the result, or replaces OUT atomically. Exit 1 on any error,
//! with nothing written.

use std::path::PathBuf;

use clap::Args;
use machinist_patch::{Patch, apply_patches, parse_documents};

use super::exit::ExitStatus;
use super::report;

/// Patch a Talos machine config file (like `talosctl machineconfig patch`).
#[derive(Debug, Args)]
pub struct PatchArgs {
    /// The machine config to patch.
    pub config: PathBuf,
    /// A patch: a file, `@FILE`, or the patch text itself (repeatable, applied in order).
    #[arg(short = 'p', long = "patch", value_name = "PATCH", required = true)]
    pub patches: Vec<String>,
    /// Write the result here (atomically) instead of to stdout.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
}

/// Runs `machinist patch`.
pub fn run(args: PatchArgs) -> ExitStatus {
    match patch(&args) {
        Ok(()) => ExitStatus::Success,
        Err(message) => {
            report::error(&message);
            ExitStatus::Failure
        }
    }
}

fn patch(args: &PatchArgs) -> Result<(), String> {
    let name = args.config.display().to_string();
    let text = machinist::fsutil::read_input(&args.config)
        .map_err(|e| format!("{name}: cannot read: {e}"))?;
    let mut docs = parse_documents(&name, &text).map_err(|e| e.to_string())?;
    let patches = args
        .patches
        .iter()
        .map(|p| Patch::from_arg(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    apply_patches(&mut docs, &patches).map_err(|e| e.to_string())?;
    let out = machinist::render::output::to_yaml(&docs);
    match &args.output {
        Some(path) => machinist::fsutil::write_atomic(path, out.as_bytes(), None)
            .map_err(|e| format!("{}: cannot write: {e}", path.display())),
        None => {
            use std::io::Write;
            let mut o = std::io::stdout().lock();
            match o.write_all(out.as_bytes()).and_then(|()| o.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.to_string()),
                _ => Ok(()),
            }
        }
    }
}

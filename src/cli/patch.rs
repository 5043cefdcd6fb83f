//! `machinist patch CONFIG -p PATCH... [-o OUT]`: a drop-in for `talosctl machineconfig patch`.
//! Reads a machine config, applies the patches in order (strategic merge or JSON 6902, detected
//! like talosctl does), and prints the result, or replaces OUT atomically. Like talosctl, each
//! patch is loaded strictly (unknown keys, documents without `apiVersion`/`kind` and files that
//! are not Talos documents are errors) and the result must load as a config of the contract
//! (`--talos-version`, default v1.13). Exit 1 on any error, with nothing written.

use std::path::PathBuf;

use clap::Args;
use machinist::render::stage_patches::check_strictly;
use machinist::render::stage_validate::finding_message;
use machinist_model::schema::yaml_to_json;
use machinist_model::{Contract, check_loaded};
use machinist_patch::{Patch, apply_patches, parse_documents};

use super::exit::ExitStatus;
use super::report;

/// Patch a Talos machine config file (like `talosctl machineconfig patch`).
#[derive(Debug, Args)]
pub(super) struct PatchArgs {
    /// The machine config to patch.
    pub config: PathBuf,
    /// A patch: a file, `@FILE`, or the patch text itself (repeatable, applied in order).
    #[arg(short = 'p', long = "patch", value_name = "PATCH", required = true)]
    pub patches: Vec<String>,
    /// Write the result here (atomically) instead of to stdout.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// The Talos version whose config contract the patches and the result must follow.
    #[arg(long, value_name = "V", default_value = "v1.13")]
    pub talos_version: String,
}

/// Runs `machinist patch`.
pub(super) fn run(args: PatchArgs) -> ExitStatus {
    match patch(&args) {
        Ok(()) => ExitStatus::Success,
        Err(message) => {
            report::error(&message);
            ExitStatus::Failure
        }
    }
}

fn patch(args: &PatchArgs) -> Result<(), String> {
    let contract: Contract = args.talos_version.parse().map_err(|e| format!("{e}"))?;
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
    for p in &patches {
        check_strictly(p, contract).map_err(|d| {
            let mut m = d.message.clone();
            for n in &d.notes {
                m.push_str(&format!("\n  {n}"));
            }
            if let Some(h) = &d.hint {
                m.push_str(&format!("\n  hint: {h}"));
            }
            m
        })?;
    }
    apply_patches(&mut docs, &patches).map_err(|e| e.to_string())?;
    let json: Vec<serde_json::Value> = docs.iter().map(yaml_to_json).collect();
    let report = check_loaded(contract, &json);
    if let Some(first) = report.errors.first() {
        let mut m = format!(
            "the patched config would not load in Talos {contract}: {}",
            finding_message(first)
        );
        for f in &report.errors[1..] {
            m.push_str(&format!("\n  {}", finding_message(f)));
        }
        return Err(m);
    }
    let out = machinist_patch::to_yaml(&docs);
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

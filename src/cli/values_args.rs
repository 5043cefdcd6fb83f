//! The value and patch flags shared by every command that renders a project (render, explain,
//! lint, diff, apply, talosconfig, schematic): `-f`, `--set`, `--set-string`, `--set-json` and
//! `-p` ([`ValuesArgs`]; `validate DIR` takes the value flags alone, [`ValueFlags`], because its
//! `--patch` means "the files are patches"). In: the flags as given. Out: [`Overrides`] in
//! precedence order (files in order, then `--set-json`, `--set`, `--set-string`, each in order —
//! Helm's order) and the [`RenderOptions`] that carry them and the extra patches into the renderer.

use std::path::PathBuf;

use clap::Args;
use machinist::diagnostics::{Diagnostic, Kind};
use machinist::render::RenderOptions;
use machinist::values::{self, Overrides, SetKind};

/// Values and patches given on the command line.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Values and patches")]
pub(super) struct ValuesArgs {
    #[command(flatten)]
    pub values: ValueFlags,
    /// A Talos patch applied to every rendered node after the project's own patches (repeatable).
    #[arg(short = 'p', long = "patch", value_name = "FILE")]
    pub patches: Vec<PathBuf>,
}

/// The value flags alone (`-f`, `--set*`), for `validate DIR`, whose `--patch` is older and
/// means "the files are patches".
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Values and patches")]
pub(super) struct ValueFlags {
    /// A values file applied after the project's own files (repeatable; later wins).
    #[arg(id = "values", short = 'f', long = "values", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Set a value: `a.b=c`, `list[0]=x`, `a={x,y}`. Integers, true/false and null are typed;
    /// everything else (IPs, versions) stays a string. `null` deletes the key.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Set a value that is always a string.
    #[arg(long = "set-string", value_name = "PATH=VALUE")]
    pub set_string: Vec<String>,
    /// Set a value from JSON: `ntp={"servers":["a"]}`.
    #[arg(long = "set-json", value_name = "PATH=JSON")]
    pub set_json: Vec<String>,
}

impl ValueFlags {
    /// Reads the files and parses the flags.
    pub(super) fn resolve(&self) -> Result<Overrides, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let files = values::read_value_files(&self.files).unwrap_or_else(|e| {
            errors.push(e);
            Vec::new()
        });
        let mut sets = Vec::new();
        for (kind, args) in [
            (SetKind::Json, &self.set_json),
            (SetKind::Typed, &self.set),
            (SetKind::String, &self.set_string),
        ] {
            for a in args {
                match values::set::parse(kind, a) {
                    Ok(v) => sets.extend(v),
                    Err(e) => errors.push(Diagnostic::new(Kind::Argument, e.to_string())),
                }
            }
        }
        if errors.is_empty() {
            Ok(Overrides { files, sets })
        } else {
            Err(errors)
        }
    }

    /// Whether any value flag was given.
    pub(super) fn is_empty(&self) -> bool {
        self.files.is_empty()
            && self.set.is_empty()
            && self.set_string.is_empty()
            && self.set_json.is_empty()
    }
}

impl ValuesArgs {
    /// Reads the files and parses the flags.
    pub(super) fn resolve(&self) -> Result<Overrides, Vec<Diagnostic>> {
        self.values.resolve()
    }

    /// The render options for `nodes` (empty = every node) with these values and patches.
    pub(super) fn render_options(
        &self,
        nodes: &[String],
        with_secrets: bool,
    ) -> Result<RenderOptions, Vec<Diagnostic>> {
        Ok(RenderOptions {
            overrides: self.resolve()?,
            nodes: nodes.to_vec(),
            with_secrets,
            patch_files: self.patches.clone(),
            mode: Default::default(),
        })
    }
}

//! `machinist schema`: writes the generated JSON schemas (machine config and patch per Talos
//! contract, Chart.yaml, node files, values files) into `schema/`, or with `--check` compares them
//! with what is there and exits 1 when any file is missing, different or left over.

use std::path::{Path, PathBuf};

use clap::Args;
use machinist_model::schema::{SchemaFile, schema_files};

use super::exit::ExitStatus;
use super::report;

/// Write the JSON schemas for editors and CI.
#[derive(Debug, Args)]
pub(super) struct SchemaArgs {
    /// Directory to write into.
    #[arg(long, default_value = "schema", value_name = "DIR")]
    pub out: PathBuf,
    /// Write nothing; exit 1 when the files in DIR are not what would be written.
    #[arg(long)]
    pub check: bool,
}

/// What differs between the wanted files and DIR, one line per file.
pub(super) fn stale(dir: &Path, files: &[SchemaFile]) -> Vec<String> {
    let wanted: Vec<(String, String)> = files
        .iter()
        .map(|f| (f.path.clone(), f.contents.clone()))
        .collect();
    super::dircheck::stale(dir, &wanted, "json", true)
}

/// Runs `machinist schema`.
pub(super) fn run(args: SchemaArgs) -> ExitStatus {
    let files = schema_files();
    if args.check {
        let problems = stale(&args.out, &files);
        if problems.is_empty() {
            println!(
                "{} schema files in {} are up to date",
                files.len(),
                args.out.display()
            );
            return ExitStatus::Success;
        }
        for p in &problems {
            eprintln!("{p}");
        }
        report::error(&format!(
            "{} schema file(s) in {} are out of date; run `machinist schema --out {}` and commit the result",
            problems.len(),
            args.out.display(),
            args.out.display()
        ));
        return ExitStatus::Failure;
    }
    for f in &files {
        let path = args.out.join(&f.path);
        if let Some(parent) = path.parent()
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            report::error(&format!("cannot create {}: {e}", parent.display()));
            return ExitStatus::Failure;
        }
        if std::fs::read_to_string(&path).is_ok_and(|t| t == f.contents) {
            continue;
        }
        if let Err(e) = machinist::fsutil::write_atomic(&path, f.contents.as_bytes(), None) {
            report::error(&format!("cannot write {}: {e}", path.display()));
            return ExitStatus::Failure;
        }
    }
    println!(
        "wrote {} schema files to {}",
        files.len(),
        args.out.display()
    );
    ExitStatus::Success
}

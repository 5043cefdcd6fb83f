//! `machinist migrate config FILE --to V [-o OUT]` and `machinist migrate [DIR] --to V`: parse the
//! arguments, call `machinist::migrate`, print. The config form writes the migrated config (stdout,
//! or `-o` atomically, only when everything checked out) and reports on stderr what moved, what
//! stays and why, the default changes crossed, and whether behaviour is preserved. The project form
//! reports per template file and line which fields the target contract deprecates or refuses.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use machinist::fsutil::write_atomic;
use machinist::migrate::config::migrate_file;
use machinist::migrate::project::{
    ProjectError, ProjectFinding, Severity, report as project_report,
};
use machinist::migrate::write::write as write_project;
use machinist::project::Project;
use machinist_model::Contract;

use super::report;

/// Move a config (or report what a project must change) to a newer Talos contract.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(super) struct MigrateArgs {
    #[command(subcommand)]
    pub command: Option<MigrateCommand>,
    /// The project directory (default: the current directory).
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The Talos version to move to (v1.12 to v1.15).
    #[arg(long, value_name = "V")]
    pub to: Option<String>,
    /// Rewrite the project's plain patch files, list what the templates still need, and bump
    /// `talosVersion` in Chart.yaml when every node validates under the target.
    #[arg(long)]
    pub write: bool,
}

/// What to migrate.
#[derive(Debug, Subcommand)]
pub(super) enum MigrateCommand {
    /// Rewrite one plain Talos config (multi-document YAML) for the target contract.
    Config(ConfigArgs),
}

/// `migrate config` arguments.
#[derive(Debug, Args)]
pub(super) struct ConfigArgs {
    /// The config file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The Talos version to move to (v1.12 to v1.15).
    #[arg(long, value_name = "V")]
    pub to: String,
    /// The Talos version the config is written for.
    #[arg(long, value_name = "V", default_value = "v1.13")]
    pub from: String,
    /// Write the migrated config here (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The file is a patch: every key optional.
    #[arg(long)]
    pub patch: bool,
    /// Fail (and write nothing) when any deprecated field has to stay where it is.
    #[arg(long)]
    pub strict: bool,
}

fn contract(flag: &str, v: &str) -> Result<Contract, u8> {
    v.parse().map_err(|e| {
        report::error(&format!("--{flag}: {e}"));
        1
    })
}

/// Runs `machinist migrate`.
pub(super) fn run(args: MigrateArgs) -> u8 {
    match args.command {
        Some(MigrateCommand::Config(c)) => run_config(c),
        None => {
            let Some(to) = args.to else {
                report::error("--to V is required: the Talos version to move to");
                return 64;
            };
            let dir = args.dir.unwrap_or_else(|| PathBuf::from("."));
            if args.write {
                run_write(dir, &to)
            } else {
                run_project(dir, &to)
            }
        }
    }
}

fn run_config(args: ConfigArgs) -> u8 {
    let (from, to) = match (contract("from", &args.from), contract("to", &args.to)) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(c), _) | (_, Err(c)) => return c,
    };
    let done = match migrate_file(&args.file, from, to, args.patch) {
        Ok(d) => d,
        Err(e) => {
            report::error(&e.to_string());
            eprintln!("nothing written");
            return 1;
        }
    };
    let m = &done.migration;
    let file = args.file.display();
    for w in &m.warnings {
        eprintln!("warning: {file}: `{}`: {}", w.path, w.message);
    }
    if args.strict && !m.warnings.is_empty() {
        report::error(&format!(
            "{file}: {} deprecated field(s) stay where they are (--strict); nothing written",
            m.warnings.len()
        ));
        return 1;
    }
    for n in &m.notes {
        eprintln!("note: {n}");
    }
    print_defaults(from, to);
    if let Some(out) = &args.output {
        if let Err(e) = write_atomic(out, done.text.as_bytes(), None) {
            report::error(&format!("cannot write {}: {e}", out.display()));
            return 1;
        }
    } else {
        print!("{}", done.text);
    }
    let groups: std::collections::BTreeSet<&str> = m.moved.iter().map(|x| x.group).collect();
    eprintln!(
        "{file}: {from} -> {to}: moved {} field(s) into {} new document(s) ({}); behaviour preserved",
        m.moved.len(),
        m.added,
        if groups.is_empty() {
            "nothing to move".to_string()
        } else {
            groups.into_iter().collect::<Vec<_>>().join(", ")
        }
    );
    0
}

fn run_project(dir: PathBuf, to: &str) -> u8 {
    let (to, project) = match target_and_project(&dir, to) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let rep = match project_report(&project, to) {
        Ok(r) => r,
        Err(e) => return project_error(e, "the project does not render under its own contract"),
    };
    for f in &rep.findings {
        println!("{}", finding_line(f));
    }
    print_defaults(rep.from, rep.to);
    let refused = rep
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Refused)
        .count();
    println!(
        "{} node(s) rendered under {}; {} finding(s) for {} ({} refused)",
        rep.nodes,
        rep.from,
        rep.findings.len(),
        rep.to,
        refused
    );
    u8::from(refused > 0)
}

/// The target contract (`--to`) and the loaded project, or the exit status after saying why not.
fn target_and_project(dir: &std::path::Path, to: &str) -> Result<(Contract, Project), u8> {
    let to = contract("to", to)?;
    match Project::load(dir) {
        Ok(p) => Ok((to, p)),
        Err(diags) => {
            report::print(&diags);
            report::error("the project does not load");
            Err(1)
        }
    }
}

/// Prints why a project migration failed (`render`: what to say when rendering did); exit 1.
fn project_error(e: ProjectError, render: &str) -> u8 {
    match e {
        ProjectError::Migrate(e) => report::error(&e.to_string()),
        ProjectError::Render(diags) => {
            report::print(&diags);
            report::error(render);
        }
    }
    1
}

/// The defaults Talos changes for new clusters between `from` and `to`, as notes on stderr, each
/// with how to keep the old behaviour.
fn print_defaults(from: Contract, to: Contract) {
    for d in machinist_model::migrate::defaults::between(from, to) {
        eprintln!(
            "note: Talos {} changes a default for new clusters: {}; {}",
            d.since, d.what, d.how
        );
    }
}

fn finding_line(f: &ProjectFinding) -> String {
    let at = match &f.at {
        Some((file, line)) => format!("{}:{line}", file.display()),
        None => "(values, patches or built-in settings)".to_string(),
    };
    let what = match f.severity {
        Severity::Refused => "refused",
        Severity::Movable => "deprecated",
        Severity::Stays => "deprecated, stays",
    };
    format!(
        "{at}: {what}: {}: {} (nodes {})",
        f.field,
        f.instead,
        f.nodes.join(", ")
    )
}

fn run_write(dir: PathBuf, to: &str) -> u8 {
    let (to, project) = match target_and_project(&dir, to) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let rep = match write_project(&dir, &project, to) {
        Ok(r) => r,
        Err(e) => return project_error(e, "the project does not render"),
    };
    for (file, n) in &rep.rewritten {
        println!("rewrote {} ({n} field(s) moved)", file.display());
    }
    for (file, what) in &rep.written {
        println!("wrote {} ({what})", file.display());
    }
    for (file, why) in &rep.refused {
        println!("left unchanged: {}: {why}", file.display());
    }
    for f in &rep.human {
        println!("needs a human: {}", finding_line(f));
    }
    print_defaults(project.chart.contract, to);
    match &rep.bumped {
        Some(v) => {
            println!("Chart.yaml: talosVersion: {v}");
            u8::from(!rep.refused.is_empty())
        }
        None => {
            report::print(&rep.blocking);
            report::error(&format!(
                "Chart.yaml unchanged: {} problem(s) to fix before the project moves to {to}",
                rep.blocking.len()
            ));
            1
        }
    }
}

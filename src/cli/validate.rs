//! `machinist validate FILE...`: checks existing Talos machine configs (or, with `--patch`,
//! patches) offline against the schema of one Talos contract, like `talosctl validate` without
//! talosctl. Every problem is reported with `file:line:col` and a snippet; exit 1 on any error.
//! Deprecated fields are reported as warnings and do not fail the file. `--format json` prints one
//! report on stdout instead, with a record per problem (file, line, column, path, message).
//!
//! `machinist validate DIR` (one project directory instead of files) renders every node (or the
//! `--node` ones) with the project's own contract, validates each, and reports like `lint` does
//! without the cluster-wide checks; `-f`/`--set*` apply. `--patch` and `--talos-version` are
//! usage errors there: the rendered configs are whole configs of Chart.yaml's `talosVersion`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use machinist::diagnostics::{Diagnostic, Kind};
use machinist::lint;
use machinist::project::Project;
use machinist::render::stage_validate::finding_message;
use machinist::render::{RenderOptions, render};
use machinist::yaml::{self, Kind as YKind, Node, Pos};
use machinist_model::schema::Finding;
use machinist_model::{Contract, Mode, check_json_documents};

use super::exit::ExitStatus;
use super::report;
use super::values_args::ValueFlags;

/// The contract files are checked against without `--talos-version`.
const DEFAULT_VERSION: &str = "v1.13";

/// Check Talos configs, patches or a whole project against the schema, offline.
#[derive(Debug, Args)]
pub(super) struct ValidateArgs {
    /// Files to check (YAML or JSON; multi-document streams are fine), or one project directory:
    /// every node is rendered and checked against Chart.yaml's talosVersion.
    #[arg(required = true, value_name = "FILE|DIR")]
    pub files: Vec<PathBuf>,
    /// The Talos version whose config contract applies to the files (v1.11 to v1.15; default
    /// v1.13). A project uses Chart.yaml's talosVersion.
    #[arg(long, value_name = "V")]
    pub talos_version: Option<String>,
    /// The files are patches: every key is optional, `$patch: delete` is allowed, documents may
    /// repeat, and JSON 6902 operation lists are accepted.
    #[arg(long)]
    pub patch: bool,
    /// The runtime mode Talos validates in: `metal` (default), `container` or `cloud`.
    #[arg(long, value_name = "MODE", default_value = "metal")]
    pub mode: Mode,
    /// `text` (diagnostics on stderr, a line per valid file) or `json` (one report on stdout).
    #[arg(long, value_enum, default_value_t = report::Format::Text)]
    pub format: report::Format,
    /// With a project directory: only this node (repeatable).
    #[arg(long = "node", value_name = "NAME")]
    pub nodes: Vec<String>,
    /// With a project directory: values applied when rendering.
    #[command(flatten)]
    pub values: ValueFlags,
}

/// The project directory when the arguments name one (and only it), `Err` with a usage message
/// when they mix directories and files, or give project flags without a project.
fn project_dir(args: &ValidateArgs) -> Result<Option<&Path>, String> {
    let dirs: Vec<&PathBuf> = args.files.iter().filter(|f| f.is_dir()).collect();
    match (dirs.as_slice(), args.files.len()) {
        ([], _) if !args.nodes.is_empty() || !args.values.is_empty() => Err(
            "--node, -f/--values and --set* render a project: give its directory, e.g. `machinist validate .`".into(),
        ),
        ([], _) => Ok(None),
        ([dir], 1) => {
            if args.patch {
                return Err(format!(
                    "{} is a project directory: --patch checks patch files, while a project is rendered into whole configs (its patches are checked as part of every node)",
                    dir.display()
                ));
            }
            if args.talos_version.is_some() {
                return Err(format!(
                    "{} is a project directory: it is validated against Chart.yaml's talosVersion; to check it against another version, run `machinist migrate {} --to V`",
                    dir.display(),
                    dir.display()
                ));
            }
            Ok(Some(dir.as_path()))
        }
        ([dir, ..], _) => Err(format!(
            "{} is a directory: validate takes config files, or one project directory alone",
            dir.display()
        )),
    }
}

/// Where the value at `pointer` starts in a document; for a map key, where the key starts, and
/// the key's length.
pub(super) fn locate(doc: &Node, pointer: &str) -> (Pos, usize) {
    let mut node = doc;
    let mut at = (doc.pos, 1);
    for seg in pointer.split('/').skip(1) {
        let seg = machinist_patch::pointer::unescape(seg);
        match &node.kind {
            YKind::Map(entries) => match entries.iter().find(|(k, _, _)| *k == seg) {
                Some((k, kpos, v)) => {
                    at = (*kpos, k.chars().count());
                    node = v;
                }
                None => break,
            },
            YKind::Seq(items) => match seg.parse::<usize>().ok().and_then(|i| items.get(i)) {
                Some(item) => {
                    at = (item.pos, 1);
                    node = item;
                }
                None => break,
            },
            _ => break,
        }
    }
    at
}

/// Validates the text of one file; findings become diagnostics pointing into the file. Errors
/// come first, then warnings (Talos's, and deprecated fields the file sets).
pub(super) fn check_text(
    path: &Path,
    text: &str,
    contract: Contract,
    mode: Mode,
    patch: bool,
) -> Vec<Diagnostic> {
    let source: Arc<str> = Arc::from(text);
    let docs = match yaml::parse_documents(text) {
        Ok(d) => d,
        Err(e) => {
            let mut d = Diagnostic::new(Kind::YamlSyntax, format!("not valid YAML: {}", e.message));
            if let Some(pos) = e.pos {
                d = d.at(path, pos, Some(source));
            }
            return vec![d];
        }
    };
    let docs: Vec<Node> = docs
        .into_iter()
        .filter(|d| !matches!(d.kind, YKind::Null))
        .collect();
    let json: Vec<serde_json::Value> = docs.iter().map(Node::to_json).collect();
    let report = check_json_documents(contract, mode, &json, patch);
    let (errors, warnings) = (report.errors, report.warnings);
    let diag = |kind: Kind, f: &Finding| {
        let (pos, len) = locate(&docs[f.document], &f.pointer);
        let mut d = Diagnostic::new(kind, finding_message(f))
            .at(path, pos, Some(source.clone()))
            .with_len(len);
        if let Some(r) = &f.related {
            let (other, _) = locate(&docs[r.document], &r.pointer);
            d = d.note(format!(
                "the other place: {}:{}:{}",
                path.display(),
                other.line,
                other.col
            ));
        }
        if let Some(h) = &f.hint {
            d = d.hint(h.clone());
        }
        d
    };
    let warning_kind = |f: &Finding| {
        if f.rule.is_some() {
            Kind::Warning
        } else {
            Kind::Deprecated
        }
    };
    errors
        .iter()
        .map(|f| diag(Kind::Validation, f))
        .chain(warnings.iter().map(|f| diag(warning_kind(f), f)))
        .collect()
}

/// Runs `machinist validate`.
pub(super) fn run(args: ValidateArgs) -> ExitStatus {
    match project_dir(&args) {
        Err(e) => {
            report::error(&e);
            return ExitStatus::Usage;
        }
        Ok(Some(dir)) => return run_project(dir, &args),
        Ok(None) => {}
    }
    let version = args.talos_version.as_deref().unwrap_or(DEFAULT_VERSION);
    let contract: Contract = match version.parse() {
        Ok(c) => c,
        Err(e) => {
            report::error(&e.to_string());
            return ExitStatus::Failure;
        }
    };
    let what = if args.patch { "patch" } else { "config" };
    let json = args.format == report::Format::Json;
    let mut failed = 0;
    let mut all = Vec::new();
    for file in &args.files {
        let diags = match machinist::fsutil::read_input(file) {
            Ok(text) => check_text(file, &text, contract, args.mode, args.patch),
            Err(e) => vec![
                Diagnostic::new(Kind::Io, format!("cannot read {}: {e}", file.display())).at(
                    file,
                    Pos { line: 1, col: 1 },
                    None,
                ),
            ],
        };
        let warnings = diags.iter().filter(|d| d.is_warning()).count();
        let valid = warnings == diags.len();
        failed += usize::from(!valid);
        if json {
            all.extend(diags);
            continue;
        }
        report::print(&diags);
        if valid {
            let tail = match warnings {
                0 => String::new(),
                n => format!(" ({n} deprecation warning(s))"),
            };
            println!("{}: valid Talos {contract} {what}{tail}", file.display());
        }
    }
    if json {
        report::print_json_report(
            &all,
            serde_json::json!({
                "ok": failed == 0,
                "contract": contract.as_str(),
                "files": args.files.len(),
                "invalid": failed,
            }),
        );
    } else if failed > 0 {
        report::error(&format!(
            "{failed} of {} file(s) are not valid Talos {contract} {}",
            args.files.len(),
            if args.patch { "patches" } else { "configs" }
        ));
    }
    ExitStatus::failure_if(failed > 0)
}

/// `machinist validate DIR`: renders the selected nodes (which validates each against the
/// project's contract) and reports every problem of every node; deprecated fields are warnings.
fn run_project(dir: &Path, args: &ValidateArgs) -> ExitStatus {
    let json = args.format == report::Format::Json;
    let fail = |diags: &[Diagnostic], head: serde_json::Value, summary: String| {
        if json {
            report::print_json_report(diags, head);
        } else {
            report::print(diags);
            report::error(&summary);
        }
        ExitStatus::Failure
    };
    let project = match Project::load(dir) {
        Ok(p) => p,
        Err(diags) => {
            return fail(
                &diags,
                serde_json::json!({ "ok": false }),
                format!("the project {} does not load", dir.display()),
            );
        }
    };
    let contract = project.chart.contract;
    let overrides = match args.values.resolve() {
        Ok(o) => o,
        Err(diags) => {
            return fail(
                &diags,
                serde_json::json!({ "ok": false }),
                "invalid values".into(),
            );
        }
    };
    let options = RenderOptions {
        overrides,
        nodes: args.nodes.clone(),
        with_secrets: false,
        patch_files: Vec::new(),
        mode: args.mode,
    };
    let selected = if args.nodes.is_empty() {
        project.nodes.len()
    } else {
        args.nodes.len()
    };
    match render(&project, options) {
        Ok(nodes) => {
            let warnings = lint::deprecation_warnings(&nodes, contract);
            if json {
                report::print_json_report(
                    &warnings,
                    serde_json::json!({
                        "ok": true,
                        "contract": contract.as_str(),
                        "nodes": nodes.len(),
                        "invalid": 0,
                    }),
                );
                return ExitStatus::Success;
            }
            report::print(&warnings);
            for n in &nodes {
                println!("node {}: valid Talos {contract} config", n.name);
            }
            ExitStatus::Success
        }
        Err(diags) => {
            let mut invalid: Vec<&str> = diags
                .iter()
                .filter(|d| !d.is_warning())
                .filter_map(|d| d.node.as_deref())
                .collect();
            invalid.sort_unstable();
            invalid.dedup();
            let summary = if invalid.is_empty() {
                format!(
                    "{} problem(s) found while rendering the project",
                    diags.len()
                )
            } else {
                format!(
                    "{} of {selected} node(s) are not valid Talos {contract} configs: {}",
                    invalid.len(),
                    invalid.join(", ")
                )
            };
            fail(
                &diags,
                serde_json::json!({
                    "ok": false,
                    "contract": contract.as_str(),
                    "nodes": selected,
                    "invalid": invalid.len(),
                }),
                summary,
            )
        }
    }
}

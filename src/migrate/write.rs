//! `migrate DIR --write`: what can be rewritten safely, rewritten. In: a project directory, the
//! loaded project and the target contract. Out: a [`WriteReport`]: every plain Talos patch file
//! the project lists (node and layer `patches:`) migrated in place (atomically, only when the
//! migration preserves behaviour), the template findings that need a human (template logic is not
//! rewritten), the files written (a template that keeps kube-apiserver's etcd encryption providers
//! when the target contract's secrets stage would drop one, see [`super::encryption`]), and
//! whether `talosVersion` in Chart.yaml was bumped — only when every node renders and validates
//! under the target contract and runs the encryption providers it ran.

use std::path::{Path, PathBuf};

use machinist_model::Contract;
use machinist_model::migrate::effective::Effective;

use super::config::{ConfigError, migrate_file};
use super::encryption::{self, Keep};
use super::project::{ProjectError, ProjectFinding, report};
use crate::diagnostics::{Diagnostic, Kind};
use crate::fsutil::write_atomic;
use crate::project::Project;
use crate::render::{RenderOptions, render};

/// What `--write` did.
#[derive(Debug)]
pub struct WriteReport {
    /// Patch files rewritten, with the number of fields moved.
    pub rewritten: Vec<(PathBuf, usize)>,
    /// Patch files that could not be migrated, with why (left unchanged).
    pub refused: Vec<(PathBuf, String)>,
    /// What the templates still write that the target deprecates or refuses.
    pub human: Vec<ProjectFinding>,
    /// Files added to the project, with what they keep.
    pub written: Vec<(PathBuf, String)>,
    /// The new `talosVersion`, when Chart.yaml was bumped.
    pub bumped: Option<String>,
    /// Why it was not bumped: the render or validation errors under the target.
    pub blocking: Vec<Diagnostic>,
}

/// Rewrites the project's patch files for `to`, then bumps Chart.yaml when every node validates.
pub fn write(dir: &Path, project: &Project, to: Contract) -> Result<WriteReport, ProjectError> {
    let from = project.chart.contract;
    if to < from {
        return Err(ProjectError::Migrate(
            machinist_model::migrate::MigrateError::Backwards { from, to },
        ));
    }
    let mut files: Vec<&String> = project
        .nodes
        .iter()
        .flat_map(|n| n.patches.iter())
        .chain(project.layers.values().flat_map(|l| l.patches.iter()))
        .collect();
    files.sort();
    files.dedup();
    let effective = |p: &Project| -> Result<Vec<(String, Effective)>, ProjectError> {
        let nodes = render(p, RenderOptions::default()).map_err(ProjectError::Render)?;
        Ok(nodes
            .into_iter()
            .map(|n| (n.name, Effective::of(&n.documents)))
            .collect())
    };
    let before = effective(project)?;
    let (mut rewritten, mut refused) = (Vec::new(), Vec::new());
    let mut originals: Vec<(PathBuf, String)> = Vec::new();
    for rel in files {
        let path = dir.join(rel);
        match migrate_file(&path, from, to, true) {
            Ok(m) if m.migration.moved.is_empty() => {}
            Ok(m) => {
                let original = std::fs::read_to_string(&path).unwrap_or_default();
                match write_atomic(&path, m.text.as_bytes(), None) {
                    Ok(()) => {
                        originals.push((path.clone(), original));
                        rewritten.push((PathBuf::from(rel), m.migration.moved.len()));
                    }
                    Err(e) => refused.push((PathBuf::from(rel), format!("cannot write: {e}"))),
                }
            }
            Err(ConfigError::Migrate { source, .. }) => {
                refused.push((PathBuf::from(rel), source.to_string()))
            }
            Err(e) => refused.push((PathBuf::from(rel), e.to_string())),
        }
    }
    // A patch that moved is merged into what the templates render: when that changes what a
    // node runs (e.g. the templates already write the document the patch now adds, and lists
    // append), every rewrite is undone and named.
    let mut reloaded = Project::load(dir).map_err(ProjectError::Render)?;
    if !originals.is_empty() {
        let after = effective(&reloaded)?;
        let changed: Vec<String> = before
            .iter()
            .zip(&after)
            .flat_map(|((name, b), (_, a))| {
                b.differences(a)
                    .into_iter()
                    .map(move |d| format!("{name}: {}", d.setting))
            })
            .collect();
        if !changed.is_empty() {
            for (path, text) in &originals {
                write_atomic(path, text.as_bytes(), None).map_err(|e| {
                    ProjectError::Render(vec![Diagnostic::new(
                        Kind::Io,
                        format!("cannot restore {}: {e}", path.display()),
                    )])
                })?;
            }
            let why = format!(
                "rewriting the patches would change {} (the templates already write those documents?); restored",
                changed.join(", ")
            );
            refused.extend(rewritten.drain(..).map(|(f, _)| (f, why.clone())));
            reloaded = Project::load(dir).map_err(ProjectError::Render)?;
        }
    }
    // The project as it is now, under its own contract (what is left for a human)...
    let human = report(&reloaded, to)?.findings;
    // ...and under the target: every node must render and validate, and run the etcd
    // encryption providers it ran, before Chart.yaml moves.
    let mut target = reloaded.clone();
    target.chart.contract = to;
    let mut written = Vec::new();
    let (bumped, blocking) = match encryption::plan(dir, &before, &mut target) {
        Err(diags) => (None, diags),
        Ok(Keep::Blocked(d)) => (None, vec![*d]),
        Ok(Keep::Same) => (Some(bump_chart(dir, to, None).map_err(io)?), Vec::new()),
        Ok(Keep::Write {
            template,
            chart_line,
            providers,
        }) => {
            let rel = Path::new("templates").join(encryption::FILE);
            let path = dir.join(&rel);
            if path.exists() {
                return Err(io(Diagnostic::new(
                    Kind::Io,
                    format!(
                        "{} appeared while migrating; not overwritten",
                        path.display()
                    ),
                )));
            }
            write_atomic(&path, template.as_bytes(), None).map_err(|e| {
                io(Diagnostic::new(
                    Kind::Io,
                    format!("cannot write {}: {e}", path.display()),
                ))
            })?;
            written.push((
                rel,
                format!("keeps the etcd encryption providers {providers}"),
            ));
            (
                Some(bump_chart(dir, to, chart_line).map_err(io)?),
                Vec::new(),
            )
        }
    };
    Ok(WriteReport {
        rewritten,
        refused,
        human,
        written,
        bumped,
        blocking,
    })
}

fn io(d: Diagnostic) -> ProjectError {
    ProjectError::Render(vec![d])
}

/// Sets `talosVersion: vX.Y.0` in Chart.yaml and inserts `line` (before the 0-based line index),
/// leaving every other line as it is.
fn bump_chart(
    dir: &Path,
    to: Contract,
    line: Option<(usize, String)>,
) -> Result<String, Diagnostic> {
    let path = dir.join("Chart.yaml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Diagnostic::new(Kind::Io, format!("cannot read {}: {e}", path.display())))?;
    let version = format!("{to}.0");
    let mut found = false;
    let mut out: Vec<String> = text
        .lines()
        .map(|l| {
            if !found && l.starts_with("talosVersion:") {
                found = true;
                format!("talosVersion: {version}")
            } else {
                l.to_string()
            }
        })
        .collect();
    if !found {
        return Err(Diagnostic::new(
            Kind::Io,
            format!(
                "{}: no top-level `talosVersion:` line to bump",
                path.display()
            ),
        ));
    }
    if let Some((at, l)) = line {
        out.insert(at.min(out.len()), l);
    }
    let mut joined = out.join("\n");
    if text.ends_with('\n') {
        joined.push('\n');
    }
    write_atomic(&path, joined.as_bytes(), None)
        .map_err(|e| Diagnostic::new(Kind::Io, format!("cannot write {}: {e}", path.display())))?;
    Ok(version)
}

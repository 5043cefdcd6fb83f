//! Rendering. In: a loaded [`Project`] and [`RenderOptions`]. Out: one [`RenderedNode`] per
//! selected node — its Talos documents after templates, patches, secrets and validation — or every
//! [`Diagnostic`] of every node. Templates compile once; nodes render in parallel; the same input
//! gives the same bytes (no clock, no network, no randomness).

pub mod cache;
pub mod context;
pub mod env;
pub mod errors;
pub mod lazy;
pub mod outdir;
pub mod output;
pub mod stage_patches;
pub mod stage_secrets;
pub mod stage_validate;

use std::path::PathBuf;

use rayon::prelude::*;
use serde_json::Value as Json;
use serde_yaml_ng::Value;

pub use machinist_model::Role;

use crate::diagnostics::{Diagnostic, Kind, did_you_mean};
use crate::project::{NodeFile, Project};
use crate::values::{self, NodeValues, Overrides};

/// What to render and how.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// `-f` files and `--set` flags.
    pub overrides: Overrides,
    /// Only these nodes (`--node`); empty = every node.
    pub nodes: Vec<String>,
    /// Put real secrets in the output (`--with-secrets`); otherwise `<redacted>`.
    pub with_secrets: bool,
    /// Extra Talos patch files (`-p`), applied after the project's own.
    pub patch_files: Vec<PathBuf>,
    /// The runtime mode Talos's rules are checked in (`--mode`; default metal).
    pub mode: machinist_model::Mode,
}

/// One node's rendered configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedNode {
    /// The node's name.
    pub name: String,
    /// Where its API answers.
    pub address: String,
    /// Its role, from the rendered `machine.type` (never from a facet).
    pub role: Role,
    /// Its `role` facet as written in the node file (shown to users; decides nothing).
    pub role_facet: Option<String>,
    /// The Talos documents, in order.
    pub documents: Vec<Value>,
}

impl RenderedNode {
    /// The node's config as YAML text (documents separated by `---`).
    pub fn to_yaml(&self) -> String {
        machinist_patch::to_yaml(&self.documents)
    }
}

/// What the stages of one node's pipeline can see.
#[derive(Debug)]
pub struct NodeCtx<'a> {
    /// The project.
    pub project: &'a Project,
    /// The node file.
    pub node: &'a NodeFile,
    /// The node's merged values.
    pub values: &'a NodeValues,
    /// The run's options.
    pub options: &'a RenderOptions,
}

/// A project made ready to render: templates compiled, every node's values merged, the cluster
/// context built and secrets loaded, once.
pub struct Renderer<'p> {
    project: &'p Project,
    options: RenderOptions,
    env: minijinja::Environment<'static>,
    values: Vec<NodeValues>,
    cluster: context::Shared,
    secrets: stage_secrets::Prepared,
    patches: stage_patches::Cache,
}

impl<'p> Renderer<'p> {
    /// Prepares `project` for rendering with `options`.
    pub fn new(project: &'p Project, options: RenderOptions) -> Result<Self, Vec<Diagnostic>> {
        warm_up_validation(project.chart.contract);
        let mut errors = check_selection(project, &options.nodes);
        let env = match env::build(project) {
            Ok(env) => Some(env),
            Err(e) => {
                errors.extend(e);
                None
            }
        };
        let merged = values::all_node_values(project, &options.overrides);
        let mut values = Vec::with_capacity(merged.len());
        for m in merged {
            match m {
                Ok(v) => values.push(v),
                Err(e) => errors.push(e),
            }
        }
        if let Some(schema) = &project.values_schema
            && errors.is_empty()
        {
            errors.extend(check_values_schema(
                project,
                schema,
                &values,
                &options.overrides,
            ));
        }
        let (Some(env), true) = (env, errors.is_empty()) else {
            return Err(errors);
        };
        let facts = context::NodeFacts::build(project, &env, &values, &options.overrides)?;
        let cluster = context::Shared::build(project, &env, &values, &options.overrides, &facts)
            .map_err(|e| vec![e])?;
        let secrets = stage_secrets::prepare(project, options.with_secrets).map_err(|e| vec![e])?;
        Ok(Renderer {
            project,
            options,
            env,
            values,
            cluster,
            secrets,
            patches: stage_patches::Cache::default(),
        })
    }

    /// The rendered cluster endpoint (Chart.yaml `endpoint`), if set.
    pub fn endpoint(&self) -> Option<&str> {
        self.cluster.endpoint.as_deref()
    }

    /// Renders every selected node, in parallel. Returns all errors of all nodes on failure.
    pub fn render(&self) -> Result<Vec<RenderedNode>, Vec<Diagnostic>> {
        self.render_with(|n| n)
    }

    /// Renders every selected node in parallel and maps each result with `f` as soon as it is
    /// ready, so a large fleet never holds every node's document tree at once (e.g. map to the
    /// YAML text). Results are in node order; on failure, all errors of all nodes.
    pub fn render_with<T: Send>(
        &self,
        f: impl Fn(RenderedNode) -> T + Sync,
    ) -> Result<Vec<T>, Vec<Diagnostic>> {
        let selected: Vec<usize> = (0..self.project.nodes.len())
            .filter(|&i| {
                self.options.nodes.is_empty()
                    || self.options.nodes.contains(&self.project.nodes[i].name)
            })
            .collect();
        // Each piece of work gets its own `cluster` value (see `context::Shared::cluster`) and its
        // own converted values (see `lazy::Converted`); pieces are large enough that building them
        // is noise.
        let pieces = 4 * rayon::current_num_threads();
        let results: Vec<Result<T, Vec<Diagnostic>>> = selected
            .par_iter()
            .with_min_len(selected.len().div_ceil(pieces).max(1))
            .map_init(
                || {
                    (
                        self.cluster.cluster(self.project),
                        lazy::Converted::default(),
                    )
                },
                |(cluster, converted), &i| self.render_node(i, cluster, converted).map(&f),
            )
            .collect();
        let mut nodes = Vec::new();
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok(n) => nodes.push(n),
                Err(e) => errors.extend(e),
            }
        }
        if errors.is_empty() {
            Ok(nodes)
        } else {
            Err(errors)
        }
    }

    fn render_node(
        &self,
        i: usize,
        cluster: &minijinja::Value,
        converted: &mut lazy::Converted,
    ) -> Result<RenderedNode, Vec<Diagnostic>> {
        let node = &self.project.nodes[i];
        let values = &self.values[i];
        let ctx = self
            .cluster
            .node_context(self.project, i, values, cluster, converted);
        let mut docs = Vec::new();
        let mut errors = Vec::new();
        for name in self.project.selected_templates(node) {
            let rendered = self.env.get_template(name).and_then(|t| t.render(&ctx));
            match rendered {
                Ok(text) => match output::parse(&text, name, &node.name) {
                    Ok(d) => docs.extend(d),
                    Err(e) => errors.push(e),
                },
                Err(e) => {
                    let json = self.cluster.node_context_json(self.project, i, values);
                    errors.push(errors::template_error(
                        self.project,
                        &e,
                        Some(&node.name),
                        Some(&json),
                    ));
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let nctx = NodeCtx {
            project: self.project,
            node,
            values,
            options: &self.options,
        };
        let mut docs = stage_patches::apply(&nctx, &self.patches, docs)?;
        stage_secrets::inject(&nctx, &self.secrets, &mut docs)?;
        let findings = stage_validate::validate(&nctx, &docs);
        if !findings.is_empty() {
            return Err(findings);
        }
        // The secrets stage refuses documents without a machine type, so this always finds one.
        let Some(role) = Role::of_documents(&docs) else {
            return Err(vec![
                Diagnostic::new(
                    Kind::Secrets,
                    format!("node `{}` has no `machine.type`", node.name),
                )
                .for_node(&node.name)
                .hint(
                    "set `machine.type` (controlplane or worker) in the node's v1alpha1 document",
                ),
            ]);
        };
        Ok(RenderedNode {
            name: node.name.clone(),
            address: self.cluster.address(i).to_string(),
            role,
            role_facet: node.role().map(str::to_string),
            documents: docs,
        })
    }
}

/// Builds the schema validator of `contract` on another thread, the first time a process renders,
/// while templates compile and values merge: it is most of the start-up time of a small render,
/// and validation waits for it only if it is not ready yet.
fn warm_up_validation(contract: machinist_model::Contract) {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        std::thread::spawn(move || machinist_model::schema::warm_up_config(contract));
    });
}

/// Renders `project`: a shorthand for [`Renderer::new`] then [`Renderer::render`].
pub fn render(
    project: &Project,
    options: RenderOptions,
) -> Result<Vec<RenderedNode>, Vec<Diagnostic>> {
    Renderer::new(project, options)?.render()
}

fn check_selection(project: &Project, wanted: &[String]) -> Vec<Diagnostic> {
    wanted
        .iter()
        .filter(|w| project.node(w).is_none())
        .map(|w| {
            let names: Vec<&str> = project.nodes.iter().map(|n| n.name.as_str()).collect();
            let d = Diagnostic::new(Kind::UnknownNode, format!("no node `{w}` in this project"));
            match did_you_mean(w, names.iter().copied()) {
                Some(s) => d.hint(format!("did you mean `{s}`?")),
                None => d.note(format!("nodes: {}", names.join(", "))),
            }
        })
        .collect()
}

fn check_values_schema(
    project: &Project,
    schema: &Json,
    values: &[NodeValues],
    overrides: &Overrides,
) -> Vec<Diagnostic> {
    let validator = match jsonschema::validator_for(schema) {
        Ok(v) => v,
        Err(e) => {
            return vec![Diagnostic::new(
                Kind::ValuesSchema,
                format!("`values.schema.json` is not a valid JSON schema: {e}"),
            )];
        }
    };
    let mut out = Vec::new();
    for (node, v) in project.nodes.iter().zip(values) {
        let merged = v.values.to_json();
        let errs: Vec<_> = validator.iter_errors(&merged).collect();
        if errs.is_empty() {
            continue;
        }
        let prov = values::node_values(project, node, overrides, true)
            .map(|v| v.provenance)
            .unwrap_or_default();
        for e in errs {
            let path = pointer_to_path(e.instance_path().as_str());
            let shown = if path.is_empty() {
                "(top level)".to_string()
            } else {
                values::display_path(&path)
            };
            let mut d = Diagnostic::new(
                Kind::ValuesSchema,
                format!("values do not match values.schema.json at `{shown}`: {e}"),
            )
            .for_node(&node.name);
            if let Some(s) = prov.for_path(&path).last()
                && let (Some(file), Some(pos)) = (&s.origin.file, s.origin.pos)
            {
                let text = source_text(project, file);
                d = d.at(file, pos, text);
            }
            out.push(d);
        }
    }
    out
}

/// The text of a project file, for snippets.
pub fn source_text(project: &Project, file: &std::path::Path) -> Option<std::sync::Arc<str>> {
    if file == project.values.path {
        return Some(project.values.text.clone());
    }
    project
        .layers
        .values()
        .map(|l| &l.source)
        .chain(project.nodes.iter().map(|n| &n.source))
        .find(|s| s.path == file)
        .map(|s| s.text.clone())
}

fn pointer_to_path(pointer: &str) -> Vec<values::Seg> {
    pointer
        .split('/')
        .skip(1)
        .map(|p| {
            let p = machinist_patch::pointer::unescape(p);
            match p.parse::<usize>() {
                Ok(i) => values::Seg::Index(i),
                Err(_) => values::Seg::Key(p),
            }
        })
        .collect()
}

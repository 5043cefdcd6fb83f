//! `machinist explain DIR NODE PATH`: the final value at a values path for one node, and every
//! setting that shaped it — file, line, what it did — in the order they were applied.

use std::path::PathBuf;

use clap::Args;
use machinist::diagnostics::{Diagnostic, Kind, did_you_mean};
use machinist::project::Project;
use machinist::render::stage_patches;
use machinist::values::{self, Action, Seg, display_path};

use super::exit::ExitStatus;
use super::report;
use super::values_args::ValuesArgs;

/// Show a node's final value at a path and every layer that set it.
#[derive(Debug, Args)]
pub(super) struct ExplainArgs {
    /// The project directory.
    pub dir: PathBuf,
    /// The node.
    pub node: String,
    /// The values path, e.g. `network.vip` or `ntp.servers[0]`.
    pub path: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub values: ValuesArgs,
}

/// Runs `machinist explain`.
pub(super) fn run(args: ExplainArgs) -> ExitStatus {
    match explain(&args) {
        Ok(text) => {
            print!("{text}");
            ExitStatus::Success
        }
        Err(diags) => {
            report::print(&diags);
            ExitStatus::Failure
        }
    }
}

fn explain(args: &ExplainArgs) -> Result<String, Vec<Diagnostic>> {
    let project = Project::load(&args.dir)?;
    let overrides = args.values.resolve()?;
    let Some(node) = project.node(&args.node) else {
        let names: Vec<&str> = project.nodes.iter().map(|n| n.name.as_str()).collect();
        let d = Diagnostic::new(
            Kind::UnknownNode,
            format!("no node `{}` in this project", args.node),
        );
        return Err(vec![
            match did_you_mean(&args.node, names.iter().copied()) {
                Some(s) => d.hint(format!("did you mean `{s}`?")),
                None => d.note(format!("nodes: {}", names.join(", "))),
            },
        ]);
    };
    let path = values::set::parse_path(&args.path).map_err(|e| {
        vec![Diagnostic::new(
            Kind::Argument,
            format!("invalid path `{}`: {e}", args.path),
        )]
    })?;
    let merged = values::node_values(&project, node, &overrides, true).map_err(|e| vec![e])?;
    let settings = merged.provenance.for_path(&path);
    let all = merged.values.to_json();
    let value = values::lookup(&all, &path);
    if value.is_none() && settings.is_empty() {
        return Err(vec![missing(&all, &path, &node.name)]);
    }
    let patches = stage_patches::node_patches(&project, node, &merged.layers, &args.values.patches);
    if args.json {
        let v = serde_json::json!({
            "node": node.name,
            "path": display_path(&path),
            "value": value,
            "layers": merged.layers.iter().map(|(f, v)| format!("layers/{f}/{v}.yaml")).collect::<Vec<_>>(),
            "patches": patches.iter().map(|p| serde_json::json!({"patch": p.shown, "attachedBy": p.attached_by})).collect::<Vec<_>>(),
            "settings": settings.iter().map(|s| serde_json::json!({
                "path": display_path(&s.path),
                "action": action_name(s.action),
                "value": s.value,
                "source": s.origin.label,
                "line": s.origin.pos.map(|p| p.line),
                "column": s.origin.pos.map(|p| p.col),
            })).collect::<Vec<_>>(),
        });
        return Ok(serde_json::to_string_pretty(&v).expect("JSON values serialize") + "\n");
    }
    let mut out = String::new();
    let shown = display_path(&path);
    match value {
        Some(v) if v.is_object() || v.is_array() => {
            out.push_str(&format!("{} {shown}:\n", node.name));
            let yaml = serde_yaml_ng::to_string(v).expect("JSON values serialize to YAML");
            for line in yaml.lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
        Some(v) => out.push_str(&format!("{} {shown} = {}\n", node.name, inline(v))),
        None => out.push_str(&format!("{} {shown} is not set (deleted)\n", node.name)),
    }
    out.push_str("\nset by, in order (later wins):\n");
    let width = settings.iter().map(|s| where_(s).len()).max().unwrap_or(0);
    for (i, s) in settings.iter().enumerate() {
        let what = match s.action {
            Action::Delete => format!("deleted {}", display_path(&s.path)),
            a => format!(
                "{} {} = {}",
                action_name(a),
                display_path(&s.path),
                inline(&s.value)
            ),
        };
        out.push_str(&format!("  {:>2}. {:<width$}  {what}\n", i + 1, where_(s)));
    }
    if !patches.is_empty() {
        out.push_str("\nTalos patches applied to the rendered config afterwards, in order:\n");
        for (i, p) in patches.iter().enumerate() {
            out.push_str(&format!(
                "  {:>2}. {}  (from {})\n",
                i + 1,
                p.shown,
                p.attached_by
            ));
        }
    }
    Ok(out)
}

fn where_(s: &values::Setting) -> String {
    match s.origin.pos {
        Some(p) => format!("{}:{}", s.origin.label, p.line),
        None => s.origin.label.clone(),
    }
}

fn action_name(a: Action) -> &'static str {
    match a {
        Action::Set => "set",
        Action::Append => "append",
        Action::MergeByKey => "merge-by-key",
        Action::Delete => "delete",
    }
}

fn inline(v: &serde_json::Value) -> String {
    let s = serde_json::to_string(v).expect("JSON values serialize");
    if s.len() > 80 {
        format!("{}…", &s[..s.floor_char_boundary(79)])
    } else {
        s
    }
}

fn missing(values: &serde_json::Value, path: &[Seg], node: &str) -> Diagnostic {
    let mut cur = values;
    for (i, seg) in path.iter().enumerate() {
        let next = match seg {
            Seg::Key(k) => cur.get(k),
            Seg::Index(n) => cur.get(n),
        };
        match next {
            Some(v) => cur = v,
            None => {
                let d = Diagnostic::new(
                    Kind::Argument,
                    format!("no value at `{}` for node `{node}`", display_path(path)),
                );
                let keys: Vec<&str> = cur
                    .as_object()
                    .map(|m| m.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                let parent = display_path(&path[..i]);
                let d = if keys.is_empty() {
                    d
                } else {
                    d.note(format!(
                        "keys under `{}`: {}",
                        if parent.is_empty() {
                            "(top level)"
                        } else {
                            &parent
                        },
                        keys.join(", ")
                    ))
                };
                let suggestion = match seg {
                    Seg::Key(k) => did_you_mean(k, keys.iter().copied()),
                    Seg::Index(_) => None,
                };
                if let Some(s) = suggestion {
                    let mut p = path[..i].to_vec();
                    p.push(Seg::Key(s.to_string()));
                    return d.hint(format!("did you mean `{}`?", display_path(&p)));
                }
                return d;
            }
        }
    }
    Diagnostic::new(
        Kind::Argument,
        format!("no value at `{}`", display_path(path)),
    )
}

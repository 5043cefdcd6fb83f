//! `machinist render`: renders every (or each `--node`) node's Talos config to stdout, or to
//! `OUT/<node>.yaml` with `-o`. Secrets are `<redacted>` unless `--with-secrets`. Exit 1 on any
//! error, after reporting every error of every node; with `-o`, nothing is written then.
//! `-o OUT --check` writes nothing and exits 2 when OUT is not what would be written.

use std::borrow::Cow;
use std::io::Write;

use machinist::render::{RenderOptions, cache};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use machinist::project::Project;
use machinist::render::{RenderedNode, Renderer};

use super::exit::ExitStatus;
use super::report;
use super::values_args::{ValueFlags, ValuesArgs};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum Format {
    /// YAML documents; on stdout each node is preceded by `# machinist: node=<name>`.
    Yaml,
    /// One JSON object: `{"nodes": [{"name", "address", "role", "documents"}]}`.
    Json,
}

/// Render the machine config of every node.
#[derive(Debug, Args)]
pub(super) struct RenderArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Write `OUT/<node>.yaml` (atomically) instead of printing.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// With `-o OUT`: write nothing; exit 2 when the files in OUT are not what would be written
    /// (stale, missing, or a node that no longer exists), for CI over committed renders.
    #[arg(long, requires = "output")]
    pub check: bool,
    /// Only this node (repeatable).
    #[arg(long = "node", value_name = "NAME")]
    pub nodes: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Yaml)]
    pub format: Format,
    /// Put the real secrets in the output (needs the age identity). Without it every secret is
    /// `<redacted>` and no key is needed.
    #[arg(long)]
    pub with_secrets: bool,
    /// The runtime mode Talos's rules are checked in: `metal` (default; an install is required),
    /// `container` or `cloud`.
    #[arg(long, value_name = "MODE", default_value = "metal")]
    pub mode: machinist_model::Mode,
    /// With `-o OUT`: render even when the cache says OUT is up to date for these inputs, and
    /// store no record (book: Rendering, The render cache).
    #[arg(long)]
    pub no_cache: bool,
    #[command(flatten)]
    pub values: ValuesArgs,
}

/// Runs `machinist render`.
pub(super) fn run(args: RenderArgs) -> ExitStatus {
    let cache = Cache::for_run(&args);
    if let Some(c) = &cache
        && let Some(record) = cache::lookup(&c.dir, &c.out, &c.digest)
        // `--check` also judges files the render did not write (a removed node's file): only a
        // directory holding nothing else can be answered from the record.
        && (!args.check || record.others.is_empty())
    {
        for w in &record.warnings {
            eprintln!("{w}");
        }
        if args.check {
            print_up_to_date(&c.out, record.files.len());
        } else {
            print_written(&c.out, 0, record.files.len());
        }
        return ExitStatus::Success;
    }
    let project = match Project::load(&args.dir) {
        Ok(p) => p,
        Err(diags) => {
            report::print(&diags);
            return ExitStatus::Failure;
        }
    };
    let options = match args.values.render_options(&args.nodes, args.with_secrets) {
        Ok(o) => RenderOptions {
            mode: args.mode,
            ..o
        },
        Err(diags) => {
            report::print(&diags);
            return ExitStatus::Failure;
        }
    };
    // Each node is turned into its output text as soon as it renders, so a large fleet never
    // holds every node's document tree at once.
    let format = args.format;
    let nodes = match Renderer::new(&project, options)
        .and_then(|r| r.render_with(|n| Output::new(&n, format)))
    {
        Ok(n) => n,
        Err(diags) => {
            report::print(&diags);
            eprintln!(
                "error: rendering failed with {} error{}",
                diags.len(),
                if diags.len() == 1 { "" } else { "s" }
            );
            return ExitStatus::Failure;
        }
    };
    if args.check
        && let Some(dir) = &args.output
    {
        return check_files(dir, &nodes, args.format, args.nodes.is_empty());
    }
    let result = match &args.output {
        Some(dir) => write_files(dir, &nodes, &args, cache.as_ref()),
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            match args.format {
                Format::Yaml => write_yaml_stream(&mut out, &nodes),
                Format::Json => out.write_all(json_text(&nodes).as_bytes()),
            }
            .and_then(|()| out.flush())
        }
    };
    match result {
        Ok(()) => ExitStatus::Success,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitStatus::Success,
        Err(e) => {
            report::error(&e.to_string());
            ExitStatus::Failure
        }
    }
}

/// One rendered node, already in its output form.
pub(super) struct Output {
    name: String,
    text: String,
    json: Option<serde_json::Value>,
}

impl Output {
    fn new(n: &RenderedNode, format: Format) -> Output {
        match format {
            Format::Yaml => Output {
                name: n.name.clone(),
                text: n.to_yaml(),
                json: None,
            },
            Format::Json => Output {
                name: n.name.clone(),
                text: String::new(),
                json: Some(node_json(n)),
            },
        }
    }
}

/// Writes every node's YAML, each preceded by its `# machinist: node=<name>` line (node by node:
/// a large fleet's output is never held twice).
fn write_yaml_stream(out: &mut impl Write, nodes: &[Output]) -> std::io::Result<()> {
    for (i, n) in nodes.iter().enumerate() {
        if i > 0 {
            out.write_all(b"---\n")?;
        }
        writeln!(out, "# machinist: node={}", n.name)?;
        out.write_all(n.text.as_bytes())?;
    }
    Ok(())
}

fn node_json(n: &RenderedNode) -> serde_json::Value {
    serde_json::json!({
        "name": n.name,
        "address": n.address,
        "role": n.role_facet,
        "documents": n.documents,
    })
}

fn json_text(nodes: &[Output]) -> String {
    let v =
        serde_json::json!({ "nodes": nodes.iter().map(|n| n.json.clone()).collect::<Vec<_>>() });
    serde_json::to_string_pretty(&v).expect("documents serialize to JSON") + "\n"
}

/// Each node's file under `-o`: its name and contents (YAML borrowed, not copied: a large fleet's
/// output is held once).
fn files(nodes: &[Output], format: Format) -> Vec<(String, Cow<'_, str>)> {
    nodes
        .iter()
        .map(|n| match format {
            Format::Yaml => (format!("{}.yaml", n.name), Cow::Borrowed(n.text.as_str())),
            Format::Json => (
                format!("{}.json", n.name),
                Cow::Owned(
                    serde_json::to_string_pretty(&n.json).expect("documents serialize to JSON")
                        + "\n",
                ),
            ),
        })
        .collect()
}

/// `--check`: compares what would be written with `dir`. Files of nodes that no longer exist
/// count only when every node was rendered (no `--node`).
fn check_files(dir: &Path, nodes: &[Output], format: Format, all: bool) -> ExitStatus {
    let ext = match format {
        Format::Yaml => "yaml",
        Format::Json => "json",
    };
    let files: Vec<(String, String)> = files(nodes, format)
        .into_iter()
        .map(|(name, text)| (name, text.into_owned()))
        .collect();
    let problems = super::dircheck::stale(dir, &files, ext, all);
    if problems.is_empty() {
        print_up_to_date(dir, nodes.len());
        return ExitStatus::Success;
    }
    for p in &problems {
        eprintln!("{p}");
    }
    report::error(&format!(
        "{} file(s) in {} differ from what the project renders; run the same command without --check to update them",
        problems.len(),
        dir.display()
    ));
    ExitStatus::Changes
}

fn print_up_to_date(dir: &Path, n: usize) {
    println!(
        "{n} rendered file{} in {} up to date",
        if n == 1 { " is" } else { "s are" },
        dir.display()
    );
}

fn print_written(dir: &Path, changed: usize, unchanged: usize) {
    eprintln!(
        "wrote {changed} file{} to {}{}",
        if changed == 1 { "" } else { "s" },
        dir.display(),
        if unchanged > 0 {
            format!(" ({unchanged} unchanged)")
        } else {
            String::new()
        }
    );
}

fn write_files(
    dir: &Path,
    nodes: &[Output],
    args: &RenderArgs,
    cache: Option<&Cache>,
) -> std::io::Result<()> {
    machinist::fsutil::ensure_dir(dir)?;
    let mode = if args.with_secrets { Some(0o600) } else { None };
    let files = files(nodes, args.format);
    let written = machinist::render::outdir::write(dir, &files, mode)
        .map_err(|e| std::io::Error::new(e.source.kind(), e.to_string()))?;
    print_written(dir, written.changed, written.unchanged);
    // The record says "these inputs give these files": only when no input changed while the
    // render ran (the digest is taken again). A record that cannot be stored only costs the next
    // run its shortcut.
    if let Some(c) = cache
        && Cache::for_run(args).is_some_and(|again| again.digest == c.digest)
    {
        let record = cache::Record::new(&c.digest, &c.out, &files, Vec::new());
        let _ = cache::store(&c.dir, &c.out, record);
    }
    Ok(())
}

/// The cache of one `render -o` run: where records live, the output directory and the digest of
/// this run's inputs.
struct Cache {
    dir: PathBuf,
    out: PathBuf,
    digest: cache::Digest,
}

impl Cache {
    /// The cache for `args`, or `None`: no `-o`, `--no-cache`, `--with-secrets` (the output
    /// depends on the age identity, which is not an input the digest can see), no cache directory,
    /// or an input that cannot be read (the render reports it).
    fn for_run(args: &RenderArgs) -> Option<Cache> {
        // Every field is named, so an option added later must be placed here: hashed, or not.
        let RenderArgs {
            dir,
            output,
            check: _,
            nodes,
            format,
            with_secrets,
            mode,
            no_cache,
            values,
        } = args;
        let out = output.as_ref()?;
        if *no_cache || *with_secrets {
            return None;
        }
        let cache_dir = cache::default_dir()?;
        let mut inputs = cache::Inputs::new();
        inputs.text("dir", &std::path::absolute(dir).ok()?.to_string_lossy());
        inputs.text("nodes", &format!("{nodes:?}"));
        inputs.text("format", &format!("{format:?}"));
        inputs.text("mode", &format!("{mode:?}"));
        let ValuesArgs {
            values:
                ValueFlags {
                    files,
                    set,
                    set_string,
                    set_json,
                },
            patches,
        } = values;
        inputs.text("set", &format!("{set:?} {set_string:?} {set_json:?}"));
        for f in files {
            inputs.file(f).ok()?;
        }
        inputs.text("patches", &format!("{patches:?}"));
        for p in patches {
            inputs.file(p).ok()?;
        }
        inputs.tree(dir, Some(out)).ok()?;
        Some(Cache {
            dir: cache_dir,
            out: out.clone(),
            digest: inputs.finish(),
        })
    }
}

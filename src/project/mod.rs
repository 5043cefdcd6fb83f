//! Loading a cluster project. In: a directory laid out as DESIGN §1 describes. Out: a [`Project`]
//! holding the parsed Chart.yaml, values.yaml, every layer file, every node file, the template
//! sources and recorded facts, each with its text and positions for later errors. Every problem in
//! every file is reported, not just the first.

pub mod chart;
pub mod fields;
pub mod inside;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use chart::{Chart, ListPolicy, MergeRule, TemplateRule};
pub use fields::SourceFile;

use crate::diagnostics::{Diagnostic, Kind};
use crate::yaml::{self, Node, Pos};

/// A node file (`nodes/<name>.yaml`).
#[derive(Debug, Clone)]
pub struct NodeFile {
    /// The node's name: the file stem.
    pub name: String,
    /// How the node API is reached.
    pub address: String,
    /// Facet name → value, in file order.
    pub facets: Vec<(String, Pos, String)>,
    /// Node-specific values (a map, or `Null`).
    pub values: Node,
    /// Talos patch files, relative to the project.
    pub patches: Vec<String>,
    /// The file.
    pub source: SourceFile,
}

impl NodeFile {
    /// The value of facet `name`, if the node has it.
    pub fn facet(&self, name: &str) -> Option<&str> {
        self.facets
            .iter()
            .find(|(k, _, _)| k == name)
            .map(|(_, _, v)| v.as_str())
    }

    /// The node's role (`facets.role`), if any.
    pub fn role(&self) -> Option<&str> {
        self.facet("role")
    }
}

/// A layer file (`layers/<facet>/<value>.yaml`).
#[derive(Debug, Clone)]
pub struct LayerFile {
    /// The facet name (directory).
    pub facet: String,
    /// The facet value (file stem).
    pub value: String,
    /// The values the layer sets (the file without its `patches:` key).
    pub values: Node,
    /// Talos patch files listed under `patches:`, relative to the project.
    pub patches: Vec<String>,
    /// The file.
    pub source: SourceFile,
}

/// A loaded cluster project.
#[derive(Debug, Clone)]
pub struct Project {
    /// The project directory.
    pub root: PathBuf,
    /// Chart.yaml.
    pub chart: Chart,
    /// values.yaml (an empty map when absent).
    pub values: SourceFile,
    /// values.schema.json, when present.
    pub values_schema: Option<serde_json::Value>,
    /// Layer files by (facet, value).
    pub layers: BTreeMap<(String, String), LayerFile>,
    /// Node files, ordered by name.
    pub nodes: Vec<NodeFile>,
    /// Template sources by name (path under templates/, `/`-separated).
    pub templates: BTreeMap<String, Arc<str>>,
    /// Recorded facts per node name (`facts/<name>.yaml`).
    pub facts: BTreeMap<String, serde_json::Value>,
}

/// Reads a project file: inside the project after following symlinks, bounded in size.
fn read(root: &Path, rel: &Path) -> Result<String, Diagnostic> {
    inside::read(root, rel).map_err(|e| {
        let d = Diagnostic::new(Kind::Io, e.to_string());
        match e {
            inside::OutsideError::Io { .. } => d,
            _ => d.hint("a project reads only files inside its directory; copy the file in instead of linking to it"),
        }
    })
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.is_file()
                    && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl Project {
    /// Loads the project in `root`. Returns every problem found when any file is wrong.
    pub fn load(root: &Path) -> Result<Project, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        if !root.join("Chart.yaml").is_file() {
            return Err(vec![
                Diagnostic::new(
                    Kind::Io,
                    format!(
                        "`{}` is not a machinist project: it has no Chart.yaml",
                        root.display()
                    ),
                )
                .hint("run `machinist init DIR --name NAME --endpoint URL` to create one"),
            ]);
        }
        let chart = read(root, Path::new("Chart.yaml"))
            .and_then(|t| SourceFile::parse("Chart.yaml", t))
            .and_then(Chart::parse);

        let values = if root.join("values.yaml").is_file() {
            read(root, Path::new("values.yaml")).and_then(|t| SourceFile::parse("values.yaml", t))
        } else {
            SourceFile::parse("values.yaml", String::new())
        };
        let values = values.and_then(|v| v.map().map(|_| ()).map(|()| v));

        let values_schema = match root
            .join("values.schema.json")
            .is_file()
            .then(|| read(root, Path::new("values.schema.json")))
            .transpose()
        {
            Err(e) => {
                errors.push(e);
                None
            }
            Ok(None) => None,
            Ok(Some(t)) => match serde_json::from_str(&t) {
                Ok(v) => Some(v),
                Err(e) => {
                    errors.push(
                        Diagnostic::new(
                            Kind::YamlSyntax,
                            format!("invalid JSON in `values.schema.json`: {e}"),
                        )
                        .at(
                            "values.schema.json",
                            Pos {
                                line: e.line(),
                                col: e.column(),
                            },
                            Some(Arc::from(t)),
                        ),
                    );
                    None
                }
            },
        };

        let layers = load_layers(root, &mut errors);
        let nodes = load_nodes(root, &mut errors);
        let templates = load_templates(root, &mut errors);
        let facts = load_facts(root, &mut errors);

        let (chart, values) = match (chart, values) {
            (Ok(c), Ok(v)) => (c, v),
            (c, v) => {
                errors.extend(c.err());
                errors.extend(v.err());
                return Err(errors);
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let project = Project {
            root: root.to_path_buf(),
            chart,
            values,
            values_schema,
            layers,
            nodes,
            templates,
            facts,
        };
        project.check_templates()?;
        project.check_facets()?;
        Ok(project)
    }

    /// The node called `name`.
    pub fn node(&self, name: &str) -> Option<&NodeFile> {
        self.nodes.iter().find(|n| n.name == name)
    }

    /// Whether `template` renders for `node` (Chart.yaml `templates:` rules).
    pub fn selected_templates(&self, node: &NodeFile) -> Vec<&str> {
        match &self.chart.templates {
            Some(rules) => rules
                .iter()
                .filter(|r| {
                    r.when.iter().all(|(facet, vals)| {
                        node.facet(facet)
                            .is_some_and(|v| vals.iter().any(|x| x == v))
                    })
                })
                .map(|r| r.file.as_str())
                .collect(),
            None => self
                .templates
                .keys()
                .filter(|k| !k.rsplit('/').next().unwrap_or(k).starts_with('_'))
                .map(String::as_str)
                .collect(),
        }
    }

    /// Every facet a node file names must be a Chart.yaml layer or a facet a `templates:` rule
    /// selects on: a misspelt facet would otherwise silently drop its layer.
    fn check_facets(&self) -> Result<(), Vec<Diagnostic>> {
        let mut known: Vec<&str> = self.chart.layers.iter().map(String::as_str).collect();
        for rule in self.chart.templates.iter().flatten() {
            known.extend(rule.when.iter().map(|(f, _)| f.as_str()));
        }
        let mut errors = Vec::new();
        for node in &self.nodes {
            for (facet, pos, _) in &node.facets {
                if known.contains(&facet.as_str()) {
                    continue;
                }
                let d = node.source.error(
                    *pos,
                    format!("unknown facet `{facet}` in node `{}`", node.name),
                );
                let d = match crate::diagnostics::did_you_mean(facet, known.iter().copied()) {
                    Some(s) => d.hint(format!("did you mean `{s}`?")),
                    None => d.hint(format!(
                        "facets are the layers of Chart.yaml (`layers: [{}]`): add `{facet}` there or remove it",
                        self.chart.layers.join(", ")
                    )),
                };
                errors.push(d);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn check_templates(&self) -> Result<(), Vec<Diagnostic>> {
        let Some(rules) = &self.chart.templates else {
            return Ok(());
        };
        let src = &self.chart.source;
        let errors: Vec<Diagnostic> = rules
            .iter()
            .filter(|r| !self.templates.contains_key(&r.file))
            .map(|r| {
                let mut d = src.error(
                    r.pos,
                    format!("template `{}` does not exist in templates/", r.file),
                );
                let names: Vec<&str> = self.templates.keys().map(String::as_str).collect();
                if let Some(s) = crate::diagnostics::did_you_mean(&r.file, names.iter().copied()) {
                    d = d.hint(format!("did you mean `{s}`?"));
                }
                d
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn load_layers(root: &Path, errors: &mut Vec<Diagnostic>) -> BTreeMap<(String, String), LayerFile> {
    let mut layers = BTreeMap::new();
    let Ok(rd) = std::fs::read_dir(root.join("layers")) else {
        return layers;
    };
    let mut dirs: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let facet = dir
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        for file in yaml_files(&dir) {
            let rel = Path::new("layers")
                .join(&facet)
                .join(file.file_name().unwrap_or_default());
            let parsed = read(root, &rel)
                .and_then(|t| SourceFile::parse(&rel, t))
                .and_then(|s| {
                    let map = s.map()?.to_vec();
                    let mut patches = Vec::new();
                    let mut kept = Vec::new();
                    for (k, p, v) in map {
                        if k == "patches" {
                            patches = s.patch_paths(&v)?;
                        } else {
                            kept.push((k, p, v));
                        }
                    }
                    let values = Node {
                        kind: yaml::Kind::Map(kept),
                        pos: s.root.pos,
                    };
                    Ok((values, patches, s))
                });
            match parsed {
                Ok((values, patches, source)) => {
                    let value = stem(&file);
                    layers.insert(
                        (facet.clone(), value.clone()),
                        LayerFile {
                            facet: facet.clone(),
                            value,
                            values,
                            patches,
                            source,
                        },
                    );
                }
                Err(e) => errors.push(e),
            }
        }
    }
    layers
}

const NODE_KEYS: &[&str] = &["address", "facets", "values", "patches"];

fn load_nodes(root: &Path, errors: &mut Vec<Diagnostic>) -> Vec<NodeFile> {
    let mut nodes = Vec::new();
    for file in yaml_files(&root.join("nodes")) {
        let rel = Path::new("nodes").join(file.file_name().unwrap_or_default());
        let parsed = read(root, &rel)
            .and_then(|t| SourceFile::parse(&rel, t))
            .and_then(|s| {
                let map = s.map()?;
                s.check_keys(map, NODE_KEYS, "a node file")?;
                let get = |k: &str| map.iter().find(|(key, _, _)| key == k).map(|(_, _, v)| v);
                let address = match get("address") {
                    Some(v) => s.string(v, "address")?,
                    None => {
                        return Err(s
                            .error(
                                s.root.pos,
                                format!("node file `{}` has no `address`", rel.display()),
                            )
                            .hint("add `address: <IP or host where the node API answers>`"));
                    }
                };
                let facets = match get("facets") {
                    Some(v) => s.string_map(v, "facets")?,
                    None => Vec::new(),
                };
                let values = match get("values") {
                    Some(v) if matches!(v.kind, yaml::Kind::Map(_) | yaml::Kind::Null) => v.clone(),
                    Some(v) => {
                        return Err(s.error(
                            v.pos,
                            format!("`values` must be a map, found {}", v.type_name()),
                        ));
                    }
                    None => Node {
                        kind: yaml::Kind::Null,
                        pos: s.root.pos,
                    },
                };
                let patches = match get("patches") {
                    Some(v) => s.patch_paths(v)?,
                    None => Vec::new(),
                };
                let name = stem(&file);
                check_node_name(&name, &rel)?;
                Ok(NodeFile {
                    name,
                    address,
                    facets,
                    values,
                    patches,
                    source: s,
                })
            });
        match parsed {
            Ok(n) => nodes.push(n),
            Err(e) => errors.push(e),
        }
    }
    nodes.sort_by(|a, b| a.name.cmp(&b.name));
    nodes
}

fn load_templates(root: &Path, errors: &mut Vec<Diagnostic>) -> BTreeMap<String, Arc<str>> {
    let mut templates = BTreeMap::new();
    let dir = root.join("templates");
    for entry in walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        // Symlinks are read through `read`, which refuses any that lead out of the project.
        if !(entry.file_type().is_file() || entry.path_is_symlink() && entry.path().is_file()) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&dir) else {
            continue;
        };
        let name = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        match read(root, &Path::new("templates").join(rel)) {
            Ok(t) => {
                templates.insert(name, Arc::from(t));
            }
            Err(e) => errors.push(e),
        }
    }
    templates
}

fn load_facts(root: &Path, errors: &mut Vec<Diagnostic>) -> BTreeMap<String, serde_json::Value> {
    let mut facts = BTreeMap::new();
    for file in yaml_files(&root.join("facts")) {
        let rel = Path::new("facts").join(file.file_name().unwrap_or_default());
        match read(root, &rel).and_then(|t| SourceFile::parse(&rel, t)) {
            Ok(s) => {
                facts.insert(stem(&file), s.root.to_json());
            }
            Err(e) => errors.push(e),
        }
    }
    facts
}

/// The rule node names follow: an RFC 1123 hostname — dot-separated labels of ASCII letters,
/// digits and `-`, each 1-63 characters and not starting or ending with `-`; 253 characters in
/// all. Node names become file names (`-o OUT/<node>.yaml`, the simulator's state folders) and
/// terminal output, so `..`, `/` or control characters must never get in.
pub fn valid_node_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

fn check_node_name(name: &str, rel: &Path) -> Result<(), Diagnostic> {
    if valid_node_name(name) {
        return Ok(());
    }
    Err(Diagnostic::new(
        Kind::ProjectFile,
        format!(
            "node file `{}` gives the node name `{}`, which is not a valid hostname",
            crate::diagnostics::escape_controls(&rel.display().to_string()),
            crate::diagnostics::escape_controls(name)
        ),
    )
    .note("node names are RFC 1123 hostnames: dot-separated labels of letters, digits and `-`, each 1-63 characters, not starting or ending with `-`")
    .hint("rename the file, e.g. `nodes/cp-01.yaml`"))
}

//! `Chart.yaml`. In: the parsed file. Out: a [`Chart`]: metadata, the Talos contract, the facet
//! order of layers, which templates render for which nodes, list merge policies and where the
//! secrets bundle lives. Unknown keys are errors with a suggestion.

use machinist_model::Contract;

use super::fields::SourceFile;
use crate::diagnostics::Diagnostic;
use crate::yaml::{self, Node, Pos};

/// The only `apiVersion` this release reads.
pub const API_VERSION: &str = "machinist/v1";

/// How a list in values merges when a later layer sets it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListPolicy {
    /// The later list replaces the earlier one (the default).
    Replace,
    /// The later list is appended to the earlier one.
    Append,
    /// Items are maps; items with the same value at `key` merge, others are appended.
    MergeByKey(String),
}

/// One `merge:` entry of Chart.yaml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeRule {
    /// Dotted path of the list in values (no indices), e.g. `network.interfaces`.
    pub path: String,
    /// The policy.
    pub lists: ListPolicy,
}

/// One `templates:` entry: a template file and the facets a node must have for it to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRule {
    /// Path under `templates/`.
    pub file: String,
    /// Facet name → accepted values (any of them); empty = every node.
    pub when: Vec<(String, Vec<String>)>,
    /// Where the entry is, for errors.
    pub pos: Pos,
}

/// Where the secrets bundle lives and who can decrypt it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecretsSettings {
    /// The encrypted bundle, relative to the project (default `secrets.yaml.age`).
    pub file: String,
    /// age recipients the bundle is encrypted to.
    pub recipients: Vec<String>,
}

/// The parsed `Chart.yaml`.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Project name, also the cluster name.
    pub name: String,
    /// Chart version.
    pub version: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// The Talos version as written (e.g. `v1.13.0`).
    pub talos_version: String,
    /// The config contract that version selects.
    pub contract: Contract,
    /// The Kubernetes version.
    pub kubernetes_version: Option<String>,
    /// The cluster endpoint: a URL, or a template expression over values.
    pub endpoint: Option<String>,
    /// The control plane that bootstraps etcd (`bootstrap:`); default: the first by name.
    pub bootstrap: Option<String>,
    /// Facet names in precedence order (later wins).
    pub layers: Vec<String>,
    /// Template selection; `None` = every template not starting with `_` renders for every node.
    pub templates: Option<Vec<TemplateRule>>,
    /// List merge policies for values.
    pub merge: Vec<MergeRule>,
    /// The secrets bundle settings.
    pub secrets: SecretsSettings,
    /// Facets whose values group nodes for `node.index` (default: `[role]`).
    pub index_by: Vec<String>,
    /// The Image Factory base URL (`imageFactory`, e.g. `https://factory.talos.dev`) for
    /// `machinist schematic`; `None` = the public factory.
    pub image_factory: Option<String>,
    /// The `role` facet values that make a node a control plane, for `cluster.controlplanes` and
    /// `cluster.workers` (default: [`DEFAULT_CONTROL_PLANE_ROLES`]).
    pub control_plane_roles: Vec<String>,
    /// The file, for error positions and for `chart` in templates.
    pub source: SourceFile,
}

const KEYS: &[&str] = &[
    "apiVersion",
    "name",
    "version",
    "description",
    "talosVersion",
    "kubernetesVersion",
    "endpoint",
    "imageFactory",
    "layers",
    "templates",
    "merge",
    "secrets",
    "indexBy",
    "bootstrap",
    "controlPlaneRoles",
];

/// The `role` values that are control planes unless Chart.yaml's `controlPlaneRoles` says
/// otherwise: the Talos machine types of a control plane, which is what `machine.type` is written
/// from when the role facet feeds it (`type: {{ node.role }}`).
pub const DEFAULT_CONTROL_PLANE_ROLES: &[&str] = &["controlplane", "init"];

impl Chart {
    /// Reads Chart.yaml.
    pub fn parse(source: SourceFile) -> Result<Chart, Diagnostic> {
        let map = source.map()?;
        source.check_keys(map, KEYS, "Chart.yaml")?;
        let get = |k: &str| {
            map.iter()
                .find(|(key, _, _)| key == k)
                .map(|(_, p, v)| (*p, v))
        };
        let missing = |k: &str| {
            source
                .error(Pos { line: 1, col: 1 }, format!("Chart.yaml has no `{k}`"))
                .hint(format!("add `{k}:` at the top level of Chart.yaml"))
        };

        let (_, api) = get("apiVersion").ok_or_else(|| missing("apiVersion"))?;
        let api_s = source.string(api, "apiVersion")?;
        if api_s != API_VERSION {
            return Err(source
                .error(api.pos, format!("unsupported apiVersion `{api_s}`"))
                .hint(format!("this machinist reads `apiVersion: {API_VERSION}`")));
        }
        let (_, name) = get("name").ok_or_else(|| missing("name"))?;
        let name = source.string(name, "name")?;
        let opt = |k: &str| -> Result<Option<String>, Diagnostic> {
            get(k).map(|(_, v)| source.string(v, k)).transpose()
        };
        let talos_version = opt("talosVersion")?.unwrap_or_else(|| "v1.13.0".to_string());
        let contract = talos_version.parse::<Contract>().map_err(|e| {
            let pos = get("talosVersion").map_or(Pos { line: 1, col: 1 }, |(_, v)| v.pos);
            source.error(pos, e.to_string())
        })?;
        let layers = match get("layers") {
            Some((_, v)) => source.strings(v, "layers")?,
            None => Vec::new(),
        };
        let templates = match get("templates") {
            Some((_, v)) => Some(parse_templates(&source, v)?),
            None => None,
        };
        let merge = match get("merge") {
            Some((_, v)) => parse_merge(&source, v)?,
            None => Vec::new(),
        };
        let index_by = match get("indexBy") {
            Some((_, v)) => source.strings(v, "indexBy")?,
            None => vec!["role".to_string()],
        };
        if let Some((_, v)) = get("imageFactory") {
            let url = source.string(v, "imageFactory")?;
            if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() < 9 {
                return Err(source
                    .error(
                        v.pos,
                        format!("`imageFactory` must be an http(s) URL, got `{url}`"),
                    )
                    .hint("the factory's base URL, such as `https://factory.talos.dev`"));
            }
        }
        let control_plane_roles = match get("controlPlaneRoles") {
            Some((_, v)) => match &v.kind {
                yaml::Kind::Seq(_) => source.strings(v, "controlPlaneRoles")?,
                _ => vec![source.string(v, "controlPlaneRoles")?],
            },
            None => DEFAULT_CONTROL_PLANE_ROLES
                .iter()
                .map(|r| r.to_string())
                .collect(),
        };
        let secrets = match get("secrets") {
            Some((_, v)) => parse_secrets(&source, v)?,
            None => SecretsSettings::default(),
        };
        Ok(Chart {
            name,
            version: opt("version")?,
            description: opt("description")?,
            talos_version,
            contract,
            kubernetes_version: opt("kubernetesVersion")?,
            endpoint: opt("endpoint")?,
            image_factory: opt("imageFactory")?,
            bootstrap: opt("bootstrap")?,
            layers,
            templates,
            merge,
            index_by,
            control_plane_roles,
            secrets: SecretsSettings {
                file: if secrets.file.is_empty() {
                    "secrets.yaml.age".to_string()
                } else {
                    secrets.file
                },
                ..secrets
            },
            source,
        })
    }

    /// The list policy for the values list at `path`.
    pub fn list_policy(&self, path: &str) -> &ListPolicy {
        self.merge
            .iter()
            .find(|r| r.path == path)
            .map_or(&ListPolicy::Replace, |r| &r.lists)
    }
}

fn entries<'a>(
    source: &SourceFile,
    node: &'a Node,
    what: &str,
) -> Result<&'a [(String, Pos, Node)], Diagnostic> {
    node.as_map().ok_or_else(|| {
        source.error(
            node.pos,
            format!(
                "each `{what}` entry must be a map, found {}",
                node.type_name()
            ),
        )
    })
}

fn items<'a>(source: &SourceFile, node: &'a Node, what: &str) -> Result<&'a [Node], Diagnostic> {
    match &node.kind {
        yaml::Kind::Seq(items) => Ok(items),
        yaml::Kind::Null => Ok(&[]),
        _ => Err(source.error(
            node.pos,
            format!("`{what}` must be a list, found {}", node.type_name()),
        )),
    }
}

fn parse_templates(source: &SourceFile, node: &Node) -> Result<Vec<TemplateRule>, Diagnostic> {
    let mut rules = Vec::new();
    for item in items(source, node, "templates")? {
        let map = entries(source, item, "templates")?;
        source.check_keys(map, &["file", "when"], "a `templates` entry")?;
        let file = map
            .iter()
            .find(|(k, _, _)| k == "file")
            .map(|(_, _, v)| source.string(v, "file"))
            .transpose()?
            .ok_or_else(|| source.error(item.pos, "a `templates` entry has no `file`"))?;
        let mut when = Vec::new();
        if let Some((_, _, w)) = map.iter().find(|(k, _, _)| k == "when") {
            let wmap = entries(source, w, "when")?;
            for (facet, _, v) in wmap {
                let values = match &v.kind {
                    yaml::Kind::Seq(_) => source.strings(v, facet)?,
                    _ => vec![source.string(v, facet)?],
                };
                when.push((facet.clone(), values));
            }
        }
        rules.push(TemplateRule {
            file,
            when,
            pos: item.pos,
        });
    }
    Ok(rules)
}

fn parse_merge(source: &SourceFile, node: &Node) -> Result<Vec<MergeRule>, Diagnostic> {
    let mut rules = Vec::new();
    for item in items(source, node, "merge")? {
        let map = entries(source, item, "merge")?;
        source.check_keys(map, &["path", "lists", "key"], "a `merge` entry")?;
        let field = |k: &str| -> Result<Option<(Pos, String)>, Diagnostic> {
            map.iter()
                .find(|(key, _, _)| key == k)
                .map(|(_, _, v)| Ok((v.pos, source.string(v, k)?)))
                .transpose()
        };
        let (_, path) = field("path")?
            .ok_or_else(|| source.error(item.pos, "a `merge` entry has no `path`"))?;
        let (lpos, lists) = field("lists")?
            .ok_or_else(|| source.error(item.pos, "a `merge` entry has no `lists`"))?;
        let key = field("key")?;
        let lists = match (lists.as_str(), key) {
            ("append", None) => ListPolicy::Append,
            ("replace", None) => ListPolicy::Replace,
            ("merge-by-key", Some((_, k))) => ListPolicy::MergeByKey(k),
            ("merge-by-key", None) => {
                return Err(source
                    .error(lpos, format!("`merge-by-key` for `{path}` needs a `key`"))
                    .hint("add `key: <field that identifies an item>`, e.g. `key: name`"));
            }
            ("append" | "replace", Some((kpos, _))) => {
                return Err(source.error(kpos, "`key` only applies to `lists: merge-by-key`"));
            }
            (other, _) => {
                return Err(source
                    .error(lpos, format!("unknown list policy `{other}`"))
                    .hint("use one of `append`, `replace`, `merge-by-key`"));
            }
        };
        rules.push(MergeRule { path, lists });
    }
    Ok(rules)
}

fn parse_secrets(source: &SourceFile, node: &Node) -> Result<SecretsSettings, Diagnostic> {
    let map = entries(source, node, "secrets")?;
    source.check_keys(map, &["file", "recipients"], "`secrets`")?;
    let mut s = SecretsSettings::default();
    for (k, _, v) in map {
        match k.as_str() {
            "file" => {
                s.file = source.string(v, "secrets.file")?;
                if !super::inside::is_relative_inside(&s.file) {
                    return Err(source
                        .error(
                            v.pos,
                            format!("`secrets.file` `{}` is outside the project directory", s.file),
                        )
                        .hint("the encrypted bundle lives in the project, e.g. `file: secrets.yaml.age`"));
                }
            }
            _ => s.recipients = source.strings(v, "secrets.recipients")?,
        }
    }
    Ok(s)
}

//! Reading typed fields out of a positioned YAML map. In: a [`Node`] and the file it came from.
//! Out: strings, lists and maps, or a [`Diagnostic`] that points at the offending key or value and
//! suggests the right key name for a typo.

use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Kind, did_you_mean};
use crate::yaml::{self, Node, Pos};

/// A parsed project file: its display path, text and top-level node.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the project root (or as given on the command line).
    pub path: std::path::PathBuf,
    /// The file's text.
    pub text: Arc<str>,
    /// The parsed document (`Null` for an empty file).
    pub root: Node,
}

impl SourceFile {
    /// Parses `text` as a single YAML document.
    pub fn parse(path: impl Into<std::path::PathBuf>, text: String) -> Result<Self, Diagnostic> {
        let path = path.into();
        let text: Arc<str> = Arc::from(text);
        match yaml::parse_single(&text) {
            Ok(root) => Ok(SourceFile { path, text, root }),
            Err(e) => {
                let pos = e.pos.unwrap_or(Pos { line: 1, col: 1 });
                Err(Diagnostic::new(
                    Kind::YamlSyntax,
                    format!("invalid YAML in `{}`: {}", path.display(), e.message),
                )
                .at(path, pos, Some(text)))
            }
        }
    }

    /// A diagnostic pointing at `pos` in this file.
    pub fn error(&self, pos: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Kind::ProjectFile, message).at(&self.path, pos, Some(self.text.clone()))
    }

    /// The top-level map; an empty file counts as an empty map.
    pub fn map(&self) -> Result<&[(String, Pos, Node)], Diagnostic> {
        match &self.root.kind {
            yaml::Kind::Map(m) => Ok(m),
            yaml::Kind::Null => Ok(&[]),
            _ => Err(self.error(
                self.root.pos,
                format!(
                    "`{}` must hold a map of keys, found {}",
                    self.path.display(),
                    self.root.type_name()
                ),
            )),
        }
    }

    /// Errors for every key of `map` not in `known`, with a suggestion.
    pub fn check_keys(
        &self,
        map: &[(String, Pos, Node)],
        known: &[&str],
        what: &str,
    ) -> Result<(), Diagnostic> {
        for (k, pos, _) in map {
            if !known.contains(&k.as_str()) {
                let mut d = self
                    .error(*pos, format!("unknown key `{k}` in {what}"))
                    .with_len(k.chars().count());
                d = match did_you_mean(k, known.iter().copied()) {
                    Some(s) => d.hint(format!("did you mean `{s}`?")),
                    None => d.note(format!("known keys: {}", known.join(", "))),
                };
                return Err(d);
            }
        }
        Ok(())
    }

    /// A string value (numbers and booleans are accepted and turned into text).
    pub fn string(&self, node: &Node, key: &str) -> Result<String, Diagnostic> {
        match &node.kind {
            yaml::Kind::Str(s) => Ok(s.clone()),
            yaml::Kind::Int(i) => Ok(i.to_string()),
            yaml::Kind::Float(f) => Ok(f.to_string()),
            yaml::Kind::Bool(b) => Ok(b.to_string()),
            _ => Err(self.error(
                node.pos,
                format!("`{key}` must be a string, found {}", node.type_name()),
            )),
        }
    }

    /// A list of strings.
    pub fn strings(&self, node: &Node, key: &str) -> Result<Vec<String>, Diagnostic> {
        match &node.kind {
            yaml::Kind::Seq(items) => items.iter().map(|i| self.string(i, key)).collect(),
            yaml::Kind::Null => Ok(Vec::new()),
            _ => Err(self.error(
                node.pos,
                format!(
                    "`{key}` must be a list of strings, found {}",
                    node.type_name()
                ),
            )),
        }
    }

    /// A `patches:` list: strings naming files inside the project (relative, no `..`).
    pub fn patch_paths(&self, node: &Node) -> Result<Vec<String>, Diagnostic> {
        let paths = self.strings(node, "patches")?;
        if let yaml::Kind::Seq(items) = &node.kind {
            for (item, p) in items.iter().zip(&paths) {
                if !super::inside::is_relative_inside(p) {
                    return Err(self
                        .error(
                            item.pos,
                            format!("patch `{p}` is outside the project directory"),
                        )
                        .with_len(p.chars().count())
                        .hint("project patches are paths relative to the project, without `..`; pass a patch from elsewhere with `-p FILE`"));
                }
            }
        }
        Ok(paths)
    }

    /// A map of strings to strings.
    pub fn string_map(
        &self,
        node: &Node,
        key: &str,
    ) -> Result<Vec<(String, Pos, String)>, Diagnostic> {
        match &node.kind {
            yaml::Kind::Map(m) => m
                .iter()
                .map(|(k, p, v)| Ok((k.clone(), *p, self.string(v, &format!("{key}.{k}"))?)))
                .collect(),
            yaml::Kind::Null => Ok(Vec::new()),
            _ => Err(self.error(
                node.pos,
                format!("`{key}` must be a map, found {}", node.type_name()),
            )),
        }
    }
}

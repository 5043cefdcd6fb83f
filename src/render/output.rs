//! Rendered text to documents and back. In: the text a template produced. Out: its YAML documents
//! (empty documents dropped), or an error with the offending rendered lines; and, the other way,
//! the canonical YAML text of a node's documents.

use std::sync::Arc;

use serde_yaml_ng::Value;

use crate::diagnostics::{Diagnostic, Kind};
use crate::yaml::Pos;

/// Parses every document of rendered text, reading scalars as Talos does (see
/// [`crate::yaml::resolve_plain`]): a plain `0644` is the octal number 420, never the string
/// `'0644'`.
pub fn parse(text: &str, template: &str, node: &str) -> Result<Vec<Value>, Diagnostic> {
    match crate::yaml::parse_documents(text) {
        Ok(docs) => Ok(docs
            .iter()
            .filter(|d| !matches!(d.kind, crate::yaml::Kind::Null))
            .map(crate::yaml::Node::to_yaml_value)
            .collect()),
        Err(e) => {
            let pos = e.pos.unwrap_or(Pos { line: 1, col: 1 });
            Err(Diagnostic::new(
                Kind::RenderedYaml,
                format!("template `{template}` rendered invalid YAML: {}", e.message),
            )
            .at(
                format!("<output of templates/{template} for {node}>"),
                pos,
                Some(Arc::from(text)),
            )
            .for_node(node)
            .hint("check the indentation the template produces, e.g. use `| indent(n)` after `to_yaml`"))
        }
    }
}

/// The YAML text of `docs`, separated by `---`.
pub fn to_yaml(docs: &[Value]) -> String {
    let mut out = String::new();
    for (i, doc) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&serde_yaml_ng::to_string(doc).expect("YAML values always serialize"));
    }
    out
}

//! Rendered text to documents. In: the text a template produced. Out: its YAML documents (empty
//! documents dropped), or an error with the offending rendered lines. The way back, documents to
//! YAML text, is the one multi-document writer [`machinist_patch::to_yaml`].

use std::sync::Arc;

use serde_yaml_ng::Value;

use crate::diagnostics::{Diagnostic, Kind};
use crate::yaml::Pos;

/// Parses every document of rendered text, reading scalars as Talos does (see
/// [`crate::yaml::resolve_plain`]): a plain `0644` is the octal number 420, never the string
/// `'0644'`.
pub fn parse(text: &str, template: &str, node: &str) -> Result<Vec<Value>, Diagnostic> {
    if let Some(d) = glued_separator(text, template, node) {
        return Err(d);
    }
    match crate::yaml::parse_documents(text) {
        Ok(docs) => Ok(docs
            .into_iter()
            .filter(|d| !matches!(d.kind, crate::yaml::Kind::Null))
            .map(crate::yaml::Node::into_yaml_value)
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

/// A `---` separator joined to the text after it (`---apiVersion: v1alpha1`) is valid YAML, a
/// plain key, so the documents would silently merge and the schema would report keys that look
/// fine in the template. It happens when whitespace control (`{%-`, `{#-`, `-%}`) next to the
/// separator eats its line break; say so directly.
fn glued_separator(text: &str, template: &str, node: &str) -> Option<Diagnostic> {
    let (index, line) = text.lines().enumerate().find(|(_, l)| {
        l.strip_prefix("---")
            .and_then(|rest| rest.chars().next())
            .is_some_and(char::is_alphanumeric)
    })?;
    Some(
        Diagnostic::new(
            Kind::RenderedYaml,
            format!(
                "template `{template}` joined a `---` document separator to the next line: `{}`",
                line.chars().take(40).collect::<String>()
            ),
        )
        .at(
            format!("<output of templates/{template} for {node}>"),
            Pos {
                line: index + 1,
                col: 1,
            },
            Some(Arc::from(text)),
        )
        .with_len(3)
        .for_node(node)
        .hint(
            "whitespace control next to the `---` removed its line break: drop the `-` of the \
             `{%-`, `{#-` or `-%}` right after or before it",
        ),
    )
}

//! Rendered text to documents and back. In: the text a template produced. Out: its YAML documents
//! (empty documents dropped), or an error with the offending rendered lines; and, the other way,
//! the canonical YAML text of a node's documents.

use std::sync::Arc;

use serde::Deserialize;
use serde_yaml_ng::Value;

use crate::diagnostics::{Diagnostic, Kind};
use crate::yaml::Pos;

/// Parses every document of rendered text.
pub fn parse(text: &str, template: &str, node: &str) -> Result<Vec<Value>, Diagnostic> {
    let mut docs = Vec::new();
    for de in serde_yaml_ng::Deserializer::from_str(text) {
        match Value::deserialize(de) {
            Ok(Value::Null) => {}
            Ok(v) => docs.push(v),
            Err(e) => {
                let pos = e.location().map_or(Pos { line: 1, col: 1 }, |l| Pos {
                    line: l.line(),
                    col: l.column(),
                });
                let msg = e.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                return Err(Diagnostic::new(
                    Kind::RenderedYaml,
                    format!("template `{template}` rendered invalid YAML: {msg}"),
                )
                .at(
                    format!("<output of templates/{template} for {node}>"),
                    pos,
                    Some(Arc::from(text)),
                )
                .for_node(node)
                .hint("check the indentation the template produces, e.g. use `| indent(n)` after `to_yaml`"));
            }
        }
    }
    Ok(docs)
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

//! A tiny YAML writer for the files talosctl writes (secrets.yaml, talosconfig). In: a tree of maps,
//! lists and string scalars. Out: YAML text in Go yaml.v3's style with a 4-space indent, lists
//! indented under their key, keys in the given order.

/// One YAML node.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A string scalar.
    Str(String),
    /// A mapping with keys in order.
    Map(Vec<(String, Node)>),
    /// A sequence.
    Seq(Vec<Node>),
}

impl Node {
    /// A string scalar.
    pub fn str(s: impl Into<String>) -> Node {
        Node::Str(s.into())
    }

    /// A mapping from `(key, value)` pairs, in order.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Node)>) -> Node {
        Node::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

/// Formats a string scalar, quoting it only when plain style would change its meaning.
fn scalar(s: &str) -> String {
    if s.is_empty() {
        return "\"\"".to_string();
    }
    match serde_yaml_ng::to_string(s) {
        Ok(t) => t.trim_end_matches('\n').to_string(),
        Err(_) => format!("{s:?}"),
    }
}

fn write(node: &Node, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match node {
        Node::Str(s) => {
            out.push_str(&scalar(s));
            out.push('\n');
        }
        Node::Map(entries) => {
            for (k, v) in entries {
                out.push_str(&pad);
                out.push_str(&scalar(k));
                out.push(':');
                write_value(v, indent, out);
            }
        }
        Node::Seq(items) => {
            for item in items {
                out.push_str(&pad);
                out.push_str("- ");
                match item {
                    Node::Str(s) => {
                        out.push_str(&scalar(s));
                        out.push('\n');
                    }
                    other => {
                        // Nested collections in lists are not used by the files written here;
                        // write them on their own lines for correctness.
                        out.push('\n');
                        write(other, indent + 4, out);
                    }
                }
            }
        }
    }
}

fn write_value(v: &Node, indent: usize, out: &mut String) {
    match v {
        Node::Str(s) => {
            out.push(' ');
            out.push_str(&scalar(s));
            out.push('\n');
        }
        Node::Map(m) if m.is_empty() => out.push_str(" {}\n"),
        Node::Seq(s) if s.is_empty() => out.push_str(" []\n"),
        other => {
            out.push('\n');
            write(other, indent + 4, out);
        }
    }
}

/// Writes `node` as a YAML document.
pub fn to_yaml(node: &Node) -> String {
    let mut out = String::new();
    write(node, 0, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_go_yaml_v3_layout_with_four_space_indent() {
        let doc = Node::map([
            ("context", Node::str("homelab")),
            (
                "contexts",
                Node::map([(
                    "homelab",
                    Node::map([
                        (
                            "endpoints",
                            Node::Seq(vec![Node::str("10.0.0.1"), Node::str("10.0.0.2")]),
                        ),
                        ("nodes", Node::Seq(vec![])),
                        ("ca", Node::str("")),
                    ]),
                )]),
            ),
        ]);
        assert_eq!(
            to_yaml(&doc),
            "context: homelab\ncontexts:\n    homelab:\n        endpoints:\n            - 10.0.0.1\n            - 10.0.0.2\n        nodes: []\n        ca: \"\"\n"
        );
    }

    #[test]
    fn quotes_scalars_that_would_change_meaning() {
        assert_eq!(scalar("true"), "'true'");
        assert_eq!(scalar("a: b"), "'a: b'");
        assert_eq!(scalar("abc+/="), "abc+/=");
    }
}

//! The YAML writer for the files talosctl writes (secrets.yaml, talosconfig). In: a
//! [`goyaml::Node`] tree (maps in talosctl's key order, lists, string scalars). Out: the text Go's
//! yaml.v3 `Marshal` writes for it, by `machinist_functions::goyaml` (4-space indent, lists under
//! their key, yaml.v3's quoting: `"true"`, not `'true'`).

pub(crate) use machinist_functions::goyaml::Node;
use machinist_functions::goyaml::marshal;

/// Writes `node` as a YAML document. The few strings goyaml does not reproduce byte for byte
/// (U+2028/U+2029 inside a value) are written by serde_yaml_ng instead: still valid YAML that
/// reads back to the same values, only not laid out exactly as Go would.
pub(crate) fn to_yaml(node: &Node) -> String {
    marshal(node).unwrap_or_else(|_| serde_yaml_ng::to_string(&to_value(node)).unwrap_or_default())
}

fn to_value(node: &Node) -> serde_yaml_ng::Value {
    use serde_yaml_ng::Value;
    match node {
        Node::Str(s) => Value::String(s.clone()),
        Node::Int(i) => Value::from(*i),
        Node::Uint(u) => Value::from(*u),
        Node::Float(f) => Value::from(*f),
        Node::Bool(b) => Value::Bool(*b),
        Node::Null => Value::Null,
        Node::Seq(items) => Value::Sequence(items.iter().map(to_value).collect()),
        Node::Map(entries) => Value::Mapping(
            entries
                .iter()
                .map(|(k, v)| (Value::String(k.clone()), to_value(v)))
                .collect(),
        ),
    }
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
    fn quotes_scalars_as_yaml_v3_does() {
        // yaml.v3 double-quotes strings that would read back as another type ("true", "1", "~")
        // and single-quotes those that start with an indicator or hold `: `.
        let doc = Node::map([
            ("a", Node::str("true")),
            ("b", Node::str("a: b")),
            ("c", Node::str("abc+/=")),
            ("d", Node::str("0123")),
        ]);
        assert_eq!(
            to_yaml(&doc),
            "a: \"true\"\nb: 'a: b'\nc: abc+/=\nd: \"0123\"\n"
        );
    }

    #[test]
    fn a_value_goyaml_cannot_lay_out_still_round_trips() {
        let doc = Node::map([("token", Node::str("a\u{2028}b"))]);
        let text = to_yaml(&doc);
        let back: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
        assert_eq!(back["token"].as_str(), Some("a\u{2028}b"));
    }
}

//! The yaml.v3 re-implementation on its own: Go's float format, yaml.v3's map-key order and the
//! indentation of nested collections.

use machinist_functions::goyaml::{
    Node, go_float, key_less, marshal, scalar_str, sort_keys, value_str,
};

#[test]
fn floats_use_go_shortest_g_format() {
    let cases: &[(f64, &str)] = &[
        (1.0, "1"),
        (100.0, "100"),
        (0.1, "0.1"),
        (-2.5, "-2.5"),
        (123_456.0, "123456"),
        (1e6, "1e+06"),
        (1_234_567.0, "1.234567e+06"),
        (1e21, "1e+21"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (1.5e-7, "1.5e-07"),
        (1e100, "1e+100"),
        (0.0, "0"),
        (f64::INFINITY, ".inf"),
        (f64::NEG_INFINITY, "-.inf"),
        (f64::NAN, ".nan"),
    ];
    for (f, text) in cases {
        assert_eq!(go_float(*f), *text, "{f}");
    }
}

#[test]
fn map_keys_sort_naturally() {
    assert!(key_less("a2", "a10"), "digit runs compare by value");
    assert!(!key_less("a10", "a2"));
    assert!(key_less("B", "a"), "letters compare by code point");
    assert!(key_less("a", "a1"), "a prefix sorts first");
    assert!(key_less("a_b", "ab"), "a non-letter sorts before a letter");
    assert!(key_less("1a", "1_"), "after a digit, a letter sorts first");
    let mut keys: Vec<(String, ())> = ["b", "a10", "a9", "A", "a"]
        .iter()
        .map(|k| (k.to_string(), ()))
        .collect();
    sort_keys(&mut keys);
    let order: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(order, ["A", "a", "a9", "a10", "b"]);
}

#[test]
fn nested_collections_are_indented_like_yaml_v3() {
    let node = Node::Map(vec![(
        "top".into(),
        Node::Seq(vec![
            Node::Map(vec![
                ("k".into(), Node::Int(1)),
                ("list".into(), Node::Seq(vec![Node::Str("x".into())])),
                (
                    "map".into(),
                    Node::Map(vec![("deep".into(), Node::Bool(false))]),
                ),
                ("empty".into(), Node::Map(vec![])),
            ]),
            Node::Seq(vec![Node::Str("a".into()), Node::Str("b".into())]),
            Node::Seq(vec![]),
            Node::Null,
        ]),
    )]);
    assert_eq!(
        marshal(&node).unwrap(),
        "top:\n    - k: 1\n      list:\n        - x\n      map:\n        deep: false\n      empty: {}\n    - - a\n      - b\n    - []\n    - null\n"
    );
}

#[test]
fn line_breaks_in_keys_are_refused() {
    assert_eq!(
        scalar_str("a\nb").unwrap_err().to_string(),
        "the key \"a\\nb\" contains a line break; keys must be single-line"
    );
    assert_eq!(
        value_str("a\u{2028}b", 4).unwrap_err().to_string(),
        "the string \"a\\u{2028}b\" contains a Unicode line or paragraph separator, which is not supported"
    );
    assert_eq!(value_str("a\nb", 4).unwrap(), "|-\n    a\n    b");
    assert_eq!(value_str("a\rb", 4).unwrap(), "\"a\\rb\"");
    assert!(
        scalar_str("a\rb").is_err(),
        "a key with any line break is refused"
    );
}

//! The typed encoding helpers: deterministic YAML/JSON, strict base64, SHA-256, and YAML input
//! that cannot blow up (alias bombs, deep nesting).

use std::time::Instant;

use machinist_functions::encoding;
use serde_json::json;

#[test]
fn yaml_and_json_keep_insertion_order() {
    let v = json!({"zeta": 1, "alpha": {"b": [1, "two"], "a": null}});
    assert_eq!(
        encoding::to_yaml(&v).unwrap(),
        "zeta: 1\nalpha:\n  b:\n  - 1\n  - two\n  a: null"
    );
    assert_eq!(
        encoding::to_json(&v, None).unwrap(),
        r#"{"zeta":1,"alpha":{"b":[1,"two"],"a":null}}"#
    );
    assert_eq!(
        encoding::to_json(&json!({"a": [1]}), Some(4)).unwrap(),
        "{\n    \"a\": [\n        1\n    ]\n}"
    );
    // Strings that would read back as other types are quoted.
    assert_eq!(
        encoding::to_yaml(&json!({"v": "10.0"})).unwrap(),
        "v: '10.0'"
    );
}

#[test]
fn from_yaml_parses_one_document() {
    let v = encoding::from_yaml("a: [1, two]\nb: {c: true}\n").unwrap();
    assert_eq!(
        serde_json::to_value(&v).unwrap(),
        json!({"a": [1, "two"], "b": {"c": true}})
    );
    assert_eq!(encoding::from_yaml("").unwrap(), serde_yaml_ng::Value::Null);
    let e = encoding::from_yaml("a: 1\n---\nb: 2\n")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("the text is not valid YAML: "), "{e}");
}

#[test]
fn hostile_yaml_ends_in_an_error_quickly() {
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..9 {
        let prev = (b'a' + i) as char;
        let next = (b'a' + i + 1) as char;
        bomb.push_str(&format!("{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    let start = Instant::now();
    let e = encoding::from_yaml(&bomb).unwrap_err().to_string();
    assert!(e.contains("repetition limit exceeded"), "{e}");
    let deep = "[".repeat(10_000);
    let e = encoding::from_yaml(&deep).unwrap_err().to_string();
    assert!(e.contains("recursion limit exceeded"), "{e}");
    assert!(start.elapsed().as_secs() < 5);
}

#[test]
fn base64_round_trip_and_strictness() {
    assert_eq!(encoding::b64encode(b"talos"), "dGFsb3M=");
    assert_eq!(encoding::b64encode(&[0xff, 0x00]), "/wA=");
    assert_eq!(encoding::b64decode("/wA=").unwrap(), vec![0xff, 0x00]);
    assert_eq!(
        encoding::b64decode_text("dGFs\nb3M=\n").unwrap(),
        "talos",
        "line breaks are skipped"
    );
    let err = |s: &str| encoding::b64decode(s).unwrap_err().to_string();
    assert_eq!(
        err("dGFsb3M"),
        "\"dGFsb3M\" is not valid base64 (the `=` padding is missing or wrong)"
    );
    assert_eq!(
        err("dGFsb"),
        "\"dGFsb\" is not valid base64 (5 characters cannot be base64; check for a truncated value)"
    );
    assert_eq!(
        err("dGFsb3M*"),
        "\"dGFsb3M*\" is not valid base64 (character '*' at offset 7 is not in the base64 alphabet)"
    );
    assert_eq!(
        err("dGFsb3N="),
        "\"dGFsb3N=\" is not valid base64 (the last character 'N' at offset 6 has bits that must be zero)"
    );
    assert_eq!(
        err("dGFsb3M=="),
        "\"dGFsb3M==\" is not valid base64 (character '=' at offset 7 is not in the base64 alphabet)"
    );
    assert_eq!(
        encoding::b64decode_text("gA==").unwrap_err().to_string(),
        "the decoded bytes are not UTF-8 text (invalid byte at offset 0)"
    );
}

#[test]
fn sha256_hex() {
    assert_eq!(
        encoding::sha256_hex(b"customization: {}\n"),
        "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba"
    );
}

//! Every example on the book's function reference page (`book/src/functions.md`) is rendered
//! and compared with the result the page promises, so the documentation cannot drift.

use std::path::Path;

use minijinja::{Environment, UndefinedBehavior};

#[test]
fn book_examples_render_as_documented() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book/src/functions.md");
    let page = std::fs::read_to_string(&path).expect("book/src/functions.md is part of the repo");
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    machinist_functions::register(&mut env);

    let mut in_jinja = false;
    let mut checked = 0;
    for (lineno, line) in page.lines().enumerate() {
        if line.starts_with("```") {
            in_jinja = line.trim() == "```jinja";
            continue;
        }
        if !in_jinja {
            continue;
        }
        let (template, comment) = line
            .split_once("{#")
            .unwrap_or_else(|| panic!("functions.md:{}: example without a result", lineno + 1));
        let comment = comment
            .trim()
            .strip_suffix("#}")
            .expect("comment closes")
            .trim();
        let template = template.trim();
        let rendered = env.render_str(template, ());
        let at = format!("functions.md:{}: {template}", lineno + 1);
        if let Some(expected) = comment.strip_prefix("→ ") {
            let got = rendered.unwrap_or_else(|e| panic!("{at}: {e:#}"));
            assert_eq!(got, expected.replace("\\n", "\n"), "{at}");
        } else if let Some(expected) = comment.strip_prefix("error: ") {
            let e = rendered.expect_err(&at);
            assert_eq!(e.detail().unwrap_or_default(), expected, "{at}");
        } else {
            panic!("{at}: the comment must start with `→ ` or `error: `");
        }
        checked += 1;
    }
    assert!(
        checked >= 60,
        "only {checked} examples found in functions.md"
    );
}

//! Helpers shared by the integration tests: finding ../shared/reference and reading YAML streams.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// `shared/reference` beside the repository root, walking up from this crate.
pub fn reference_dir() -> Option<PathBuf> {
    let mut dir = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    loop {
        let candidate = dir.join("shared/reference");
        if candidate.is_dir() {
            return Some(candidate);
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// [`reference_dir`], saying the test is skipped when it is missing (and failing under `CI=true`).
pub fn reference_or_skip() -> Option<PathBuf> {
    let found = reference_dir();
    if found.is_none() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "../shared/reference not found and CI=true: reference tests must run in CI, not skip"
        );
        println!("skipped: ../shared/reference not found");
    }
    found
}

/// Every document of a YAML stream, empty documents left out.
pub fn documents(text: &str) -> Vec<serde_yaml_ng::Value> {
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|d| serde_yaml_ng::Value::deserialize(d).expect("corpus files parse"))
        .filter(|d| !d.is_null())
        .collect()
}

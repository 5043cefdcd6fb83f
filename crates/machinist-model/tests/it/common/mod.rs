//! Helpers shared by the integration tests: finding ../shared/reference (from `machinist_testkit`)
//! and reading YAML streams.

#![allow(dead_code)]

use serde::Deserialize;

pub use machinist_testkit::reference_or_skip;

/// Every document of a YAML stream, empty documents left out.
pub fn documents(text: &str) -> Vec<serde_yaml_ng::Value> {
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|d| serde_yaml_ng::Value::deserialize(d).expect("corpus files parse"))
        .filter(|d| !d.is_null())
        .collect()
}

//! Typed model of the Talos machine configuration. In: YAML documents (as `serde_yaml_ng::Value`).
//! Out: JSON schemas generated from the model per config contract, and validation findings that name
//! the document and the path of each problem.

pub mod contract;

pub use contract::Contract;

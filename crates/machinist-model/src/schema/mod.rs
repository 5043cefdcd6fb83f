//! Schema generation and validation. In: a [`crate::Contract`] and YAML documents. Out: the JSON
//! schemas of that contract (machine config, patch) and validation findings.
//!
//! Owned by the schema helper.

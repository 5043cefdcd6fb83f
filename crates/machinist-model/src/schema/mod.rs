//! Schema generation and validation. In: a [`crate::Contract`] and YAML documents. Out: the JSON
//! schemas of that contract (machine config, patch), the schemas of the project files, and
//! validation [`Finding`]s.
//!
//! The schemas come from the typed model ([`crate::v1alpha1::Config`] and
//! [`crate::kinds::registry`]): [`generate`] turns them into one bundle of definitions that keeps
//! the `x-talos-since` / `x-talos-removed` annotations, then filters it per contract. The written
//! schemas drop those annotations (each file is for one contract already) and keep `deprecated`.

pub mod deprecations;
pub mod finding;
pub mod generate;
pub mod project;
pub mod resolve;
pub mod validate;

pub use deprecations::deprecated_fields;
pub use generate::{Bundle, Flavor, KindEntry, ModelSource, document_schema};
pub use project::{chart_schema, node_schema, values_schema};
pub use validate::{
    Finding, ROOT_KIND, SchemaSet, short_value, validate_documents, validate_json_documents,
    warm_up, warm_up_config, yaml_path, yaml_to_json,
};

use crate::Contract;

/// The machine-config schema of `contract` (one document, dispatched on `kind`).
pub fn config_schema(contract: Contract) -> serde_json::Value {
    document_schema(SchemaSet::machinist().bundle(), contract, Flavor::Config)
}

/// The patch schema of `contract`: the same shapes, every key optional, `$patch: delete`
/// allowed on any map and as any value, or a list of JSON 6902 operations.
pub fn patch_schema(contract: Contract) -> serde_json::Value {
    document_schema(SchemaSet::machinist().bundle(), contract, Flavor::Patch)
}

/// One file `machinist schema` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaFile {
    /// Path relative to the schema directory, with `/` separators.
    pub path: String,
    /// The file contents (pretty JSON, ending with a newline).
    pub contents: String,
}

fn pretty(value: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("schemas serialize");
    s.push('\n');
    s
}

/// Every schema file, in a stable order: per contract `<contract>/config.schema.json` and
/// `<contract>/patch.schema.json`, then `chart.schema.json`, `node.schema.json` and
/// `values.schema.json`.
pub fn schema_files() -> Vec<SchemaFile> {
    let mut files = Vec::new();
    for contract in Contract::ALL {
        files.push(SchemaFile {
            path: format!("{contract}/config.schema.json"),
            contents: pretty(&config_schema(contract)),
        });
        files.push(SchemaFile {
            path: format!("{contract}/patch.schema.json"),
            contents: pretty(&patch_schema(contract)),
        });
    }
    for (path, schema) in [
        ("chart.schema.json", chart_schema()),
        ("node.schema.json", node_schema()),
        ("values.schema.json", values_schema()),
    ] {
        files.push(SchemaFile {
            path: path.into(),
            contents: pretty(&schema),
        });
    }
    files
}

#[cfg(test)]
mod tests;

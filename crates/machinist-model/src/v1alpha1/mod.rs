//! The legacy root document (`version: v1alpha1`, no `kind`). In: the YAML of that document. Out:
//! the typed [`Config`] and, through schemars, its JSON schema.
//!
//! Owned by the model-v1 helper; the placeholder below is replaced by the full model.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The v1alpha1 machine configuration document.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Config {
    /// Always `v1alpha1`.
    pub version: String,
}

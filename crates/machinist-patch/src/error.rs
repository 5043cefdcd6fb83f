//! Errors of loading and applying patches. In: the failure site (patch file, document, path).
//! Out: a [`PatchError`] whose message names all three and suggests a fix where there is one.

/// Everything that can go wrong while loading or applying a patch.
///
/// `patch` is the name the user gave the patch (a file path, or `<inline>`); `doc` names the
/// document inside the patch or config (`v1alpha1`, `HostnameConfig`, `LinkConfig/eth0`);
/// `path` is a dotted path inside that document (list items are shown as `[i]` where known).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PatchError {
    /// The patch file could not be read.
    #[error("{patch}: cannot read patch: {message}")]
    Io {
        /// Patch name (the path as given).
        patch: String,
        /// The operating-system message.
        message: String,
    },
    /// The patch text is not valid YAML.
    #[error("{patch}: invalid yaml: {message}")]
    Yaml {
        /// Patch name.
        patch: String,
        /// Parser message.
        message: String,
    },
    /// A strategic-merge document is not a mapping.
    #[error(
        "{patch}: document {index} is a {found}, not a mapping: a strategic merge patch holds config documents, a JSON patch is one list of operations"
    )]
    NotAMapping {
        /// Patch name.
        patch: String,
        /// 1-based index of the document in the patch.
        index: usize,
        /// What was found instead (`list`, `string`, ...).
        found: &'static str,
    },
    /// JSON 6902 patches need a config with exactly one document (Talos's rule).
    #[error(
        "{patch}: JSON6902 patches are not supported for multi-document machine configuration (the config has {documents} documents); write the change as a strategic merge patch"
    )]
    JsonPatchMultiDoc {
        /// Patch name.
        patch: String,
        /// Number of documents in the config.
        documents: usize,
    },
    /// A JSON 6902 operation is malformed (missing `op`, `path`, `value` or `from`, unknown op).
    #[error("{patch}: operation {index}: {message}")]
    JsonPatchInvalid {
        /// Patch name.
        patch: String,
        /// 1-based operation index.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// A JSON 6902 operation could not be applied.
    #[error("{patch}: operation {index} ({op} {path}): {message}")]
    JsonPatchFailed {
        /// Patch name.
        patch: String,
        /// 1-based operation index.
        index: usize,
        /// The op name.
        op: String,
        /// The JSON pointer.
        path: String,
        /// What failed.
        message: String,
    },
    /// `$patch: delete` sits below a list element (Talos refuses this too).
    #[error(
        "{patch}: {doc}: cannot delete an inner key in '{path}': a delete inside a list must be a list item with a selector key, e.g. `- {{interface: eth0, $patch: delete}}`"
    )]
    DeleteInnerKey {
        /// Patch name.
        patch: String,
        /// Document label.
        doc: String,
        /// Path of the list.
        path: String,
    },
    /// A whole-document delete aimed at the v1alpha1 document.
    #[error(
        "{patch}: {doc}: can't delete the root of the legacy document; delete the keys you want gone instead"
    )]
    DeleteLegacyRoot {
        /// Patch name.
        patch: String,
        /// Document label.
        doc: String,
    },
    /// A `$patch` directive or an `x-machinist-lists` entry is malformed.
    #[error("{patch}: {doc}: {path}: {message}")]
    Directive {
        /// Patch name.
        patch: String,
        /// Document label.
        doc: String,
        /// Where the directive sits.
        path: String,
        /// What is wrong and how to write it.
        message: String,
    },
    /// The patch and the config disagree about the shape of a value.
    #[error(
        "{patch}: {doc}: {path}: cannot merge a {patch_kind} into a {base_kind}; use `$patch: replace` to replace the value"
    )]
    TypeMismatch {
        /// Patch name.
        patch: String,
        /// Document label.
        doc: String,
        /// Path of the value.
        path: String,
        /// Shape in the config.
        base_kind: &'static str,
        /// Shape in the patch.
        patch_kind: &'static str,
    },
}

/// A short name for the shape of a YAML value, used in messages.
pub(crate) fn kind_name(v: &serde_yaml_ng::Value) -> &'static str {
    use serde_yaml_ng::Value;
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Sequence(_) => "list",
        Value::Mapping(_) => "mapping",
        Value::Tagged(_) => "tagged value",
    }
}

//! The multi-document kinds (`apiVersion: v1alpha1`, `kind: ...`). In: nothing. Out: the
//! [`registry`] of every kind Talos accepts, with its identity rule, the contracts where it exists,
//! and a function producing its JSON schema.
//!
//! Owned by the model-kinds helper; the registry below is filled by the full model.

use crate::Contract;

/// One document kind.
#[derive(Debug, Clone, Copy)]
pub struct KindInfo {
    /// The `kind:` value, as Talos's decoder spells it.
    pub kind: &'static str,
    /// Whether documents of this kind carry a `name` that identifies them (duplicates of
    /// (kind, name) are rejected); unnamed kinds may appear at most once.
    pub named: bool,
    /// The first contract that accepts the kind.
    pub since: Contract,
    /// The first contract that no longer accepts it, if any.
    pub removed: Option<Contract>,
    /// Produces the JSON schema of the document.
    pub schema: fn(&mut schemars::SchemaGenerator) -> schemars::Schema,
}

/// Every multi-document kind machinist knows, in a stable order.
pub fn registry() -> &'static [KindInfo] {
    &[]
}

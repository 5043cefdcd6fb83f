//! Typed model of the Talos machine configuration. In: YAML documents (as `serde_yaml_ng::Value`).
//! Out: JSON schemas generated from the model per config contract, and validation findings that name
//! the document and the path of each problem.
//!
//! Conventions shared by every type of the model (the schema generator relies on them):
//! - every struct derives `Serialize, Deserialize, JsonSchema` with `#[serde(deny_unknown_fields)]`
//!   and camelCase field names as Talos spells them; every field is optional unless Talos requires it;
//! - doc comments are the descriptions (editor hover text), in our own words;
//! - a field or kind that exists only from some contract on carries
//!   `#[schemars(extend("x-talos-since" = "v1.12"))]`; one that Talos stopped accepting carries
//!   `#[schemars(extend("x-talos-removed" = "v1.14"))]` (the first contract without it);
//! - deprecated-but-accepted fields carry `#[schemars(extend("deprecated" = true))]`;
//! - a field deprecated only from some contract on (still the normal way before it) carries
//!   `#[schemars(extend("x-talos-deprecated" = "v1.14"))]` instead; a contract's schema should
//!   treat it as `deprecated: true` from that contract on. `x-talos-replaced-by` names the kind
//!   that takes over its settings, for messages that suggest the replacement.

// Library code never prints: only src/cli/ and src/bin/ talk to the terminal.
#![deny(clippy::print_stdout, clippy::print_stderr)]
#![warn(unreachable_pub)]

pub mod check;
pub mod contract;
pub mod kinds;
pub mod lookalike;
pub mod migrate;
pub mod net;
pub mod role;
pub mod rules;
pub mod schema;
pub mod suggest;
pub mod v1alpha1;

pub use check::{Report, check_errors, check_json_documents, check_loaded};
pub use contract::Contract;
pub use role::Role;
pub use rules::Mode;
pub use schema::{Finding, validate_documents};
pub use suggest::did_you_mean;

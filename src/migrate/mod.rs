//! `migrate`: moving configs and projects to a newer Talos contract. In: a plain Talos config file
//! (or a project directory) and the source and target contracts. Out: the migrated config text with
//! its [`Migration`](machinist_model::migrate::Migration) record and the behaviour comparison
//! ([`config`]), or a per-node, per-template report of what a project would have to change
//! ([`project`]). The field mapping itself lives in `machinist_model::migrate`.

pub mod config;
pub mod encryption;
pub mod project;
pub mod write;

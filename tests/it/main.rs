//! The integration tests of `machinist`, linked into one test binary instead of one binary per
//! file (each binary links the whole crate and its dependencies again). Each file below is a
//! module named as the file was; the helpers they share are modules too. Run one file's tests with
//! a filter on its module path, e.g. `cargo test -p machinist --test it -- validation_parity::`.
//! The tests share one process: none may change the environment, the current directory or a
//! fixed port.

mod common;
mod sim_lab;

mod book;
mod builtin_chart;
mod cli_flags;
mod examples;
mod fuzz;
mod hardening;
mod import;
mod lifecycle;
mod lsp;
mod migrate;
mod migrate_encryption;
mod migrate_sim;
mod node_api;
mod patches_cli;
mod render_cache;
mod render_cli;
mod render_errors;
mod schema_cli;
mod schematic_cli;
mod secrets_init;
mod validation_parity;

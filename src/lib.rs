//! machinist: Helm for Talos machine configs.
//!
//! The library behind the `machinist` binary. A cluster project on disk goes through these stages,
//! each a module (or a crate of the workspace) with one job:
//!
//! 1. [`project`] loads `Chart.yaml`, `values.yaml`, layers and node files (with line positions);
//! 2. [`values`] layers them per node, with list merge policies, `--set` flags and provenance;
//! 3. [`render`] runs the minijinja templates per node, turns the output into YAML documents, then
//!    applies patches, injects secrets and validates;
//! 4. [`diff`] compares rendered documents with what a node runs;
//! 5. the node API lives in the `machinist-talos` crate and is only used by the CLI.
//!
//! Library code never prints and never exits; the binary's `cli` module talks to the terminal.

// Library code never prints: only src/cli/ and src/bin/ talk to the terminal.
#![deny(clippy::print_stdout, clippy::print_stderr)]
#![warn(unreachable_pub)]

pub mod address;
pub mod diagnostics;
pub mod diff;
pub mod factory;
pub mod fsutil;
pub mod import;
pub mod lint;
pub mod migrate;
pub mod project;
pub mod render;
pub mod rollout;
pub mod sim;
pub mod values;
pub mod yaml;

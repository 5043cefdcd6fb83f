//! Template functions for machinist. In: a `minijinja::Environment`. Out: the same environment
//! with every function of DESIGN §2 (IP math, Image Factory schematics, encodings) registered both as
//! a function and as a filter. The functions themselves are pure and usable from Rust directly:
//! [`ipmath`] for addresses and prefixes, [`schematic`] for Image Factory schematic IDs and
//! installer images, [`encoding`] for YAML/JSON/base64/SHA-256.

// Library code never prints: only src/cli/ and src/bin/ talk to the terminal.
#![deny(clippy::print_stdout, clippy::print_stderr)]
#![warn(unreachable_pub)]

pub mod encoding;
pub mod goyaml;
pub mod ipmath;
mod register;
pub mod schematic;

pub use register::register;

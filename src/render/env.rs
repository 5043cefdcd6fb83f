//! The template environment. In: a project's template sources. Out: one compiled
//! `minijinja::Environment` (strict undefined values, fuel and recursion limits, machinist's
//! functions, includes confined to `templates/`), built once per run and shared by every node.

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};

use super::errors::template_error;
use crate::diagnostics::Diagnostic;
use crate::project::Project;

/// Instructions one template render may execute (about 64 bytes of data each). A real machine
/// config template needs a few thousand; a loop that never ends runs out in well under a second.
pub const FUEL: u64 = 5_000_000;

/// Builds the environment and compiles every template of `project`.
pub fn build(project: &Project) -> Result<Environment<'static>, Vec<Diagnostic>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_auto_escape_callback(|_| AutoEscape::None);
    // Print booleans and none as YAML does (`true`, `null`), not as Python does (`True`, `none`,
    // which YAML would read as a string).
    env.set_formatter(|out, state, value| {
        if value.kind() == minijinja::value::ValueKind::Bool {
            out.write_str(if value.is_true() { "true" } else { "false" })?;
            Ok(())
        } else if value.is_none() {
            out.write_str("null")?;
            Ok(())
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("default delimiters are valid"),
    );
    env.set_loader(|name| {
        if name.contains("..") || name.starts_with('/') || name.contains('\\') {
            Err(Error::new(
                ErrorKind::InvalidOperation,
                format!(
                    "`{name}` is outside the project's templates/ directory: includes and imports are resolved inside templates/ only"
                ),
            ))
        } else {
            Ok(None::<String>)
        }
    });
    machinist_functions::register(&mut env);
    let mut errors = Vec::new();
    for (name, source) in &project.templates {
        if let Err(e) = env.add_template_owned(name.clone(), source.to_string()) {
            errors.push(template_error(project, &e, None, None));
        }
    }
    if errors.is_empty() {
        Ok(env)
    } else {
        Err(errors)
    }
}

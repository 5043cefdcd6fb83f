//! The mapping table as Markdown, for the book. In: [`GROUPS`](super::table::GROUPS),
//! [`NO_EQUIVALENT`](super::table::NO_EQUIVALENT) and the default changes. Out: the text between
//! the `mapping-table` markers of `book/src/migrate.md`; a test in the main crate fails when the
//! page and the table disagree.

use std::fmt::Write;

use super::defaults::CHANGES;
use super::table::{GROUPS, NO_EQUIVALENT};
use crate::Contract;

/// The Markdown of the mapping table, one section per contract step.
pub fn mapping_markdown() -> String {
    let mut out = String::new();
    for (i, step) in Contract::ALL.iter().enumerate().skip(1) {
        let prev = Contract::ALL[i - 1];
        let groups: Vec<_> = GROUPS.iter().filter(|g| g.step == *step).collect();
        let _ = writeln!(out, "### {prev} → {step}\n");
        if groups.is_empty() {
            let _ = writeln!(
                out,
                "No v1alpha1 field is deprecated in favour of a document in this step.\n"
            );
            continue;
        }
        let _ = writeln!(out, "| v1alpha1 field | document | field | exact | notes |");
        let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
        for g in groups {
            for r in g.rows {
                let field = if r.field.is_empty() {
                    "(same names)"
                } else {
                    r.field
                };
                let _ = writeln!(
                    out,
                    "| `{}` | {} | `{}` | {} | {} |",
                    r.source,
                    r.kind,
                    field,
                    if r.exact { "yes" } else { "no" },
                    r.note.replace('|', "\\|")
                );
            }
        }
        out.push('\n');
    }
    let _ = writeln!(out, "### Fields that stay in v1alpha1\n");
    let _ = writeln!(out, "| v1alpha1 field | why, and what to do |");
    let _ = writeln!(out, "| --- | --- |");
    for (path, why) in NO_EQUIVALENT {
        let _ = writeln!(out, "| `{path}` | {} |", why.replace('|', "\\|"));
    }
    let _ = writeln!(out, "\n### Defaults that change for new clusters\n");
    let _ = writeln!(out, "| from | what changes | a migrated config |");
    let _ = writeln!(out, "| --- | --- | --- |");
    for c in CHANGES {
        let _ = writeln!(out, "| {} | {} | {} |", c.since, c.what, c.how);
    }
    out
}

//! Migration moves in a diff. In: a node's live documents, the documents machinist rendered for
//! it and the contract they were rendered for. Out: a [`NodeDiff`] whose `moves` name every
//! deprecated v1alpha1 field the live config sets and the rendered config moved into its own
//! document (per the mapping table of `machinist_model::migrate`), and whose document changes are
//! what differs once the live config is migrated the same way: a move whose value also changed
//! shows both the move and the change (its document headed `live (moved)`), and any other change
//! is reported as by [`diff_docs`].
//!
//! A field counts as moved only when the rendered v1alpha1 document no longer has it and the
//! rendered config has a document of a kind the table moves it to; the live config is migrated
//! group by group, only for such fields, so a field both sides still keep in v1alpha1 is never
//! reported as moved.

use machinist_model::Contract;
use machinist_model::migrate::table::rows;
use machinist_model::migrate::value::{get, is_v1alpha1, kind_of, related};
use machinist_model::migrate::{Moved, migrate_where};
use serde_yaml_ng::Value;

use super::{NodeDiff, diff_docs, keys};

/// A row's source path up to its first list (`machine.network.interfaces[].vlans` →
/// `machine.network.interfaces`), the path a migration takes it by.
fn list_root(source: &str) -> &str {
    source.split("[]").next().unwrap_or(source)
}

/// A deprecated v1alpha1 field the rendered config moved into its own document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// The v1alpha1 path in the live config, e.g. `machine.network.hostname`.
    pub from: String,
    /// Where the rendered config has it, e.g. `HostnameConfig.hostname`.
    pub to: String,
}

impl Move {
    fn of(m: &Moved) -> Move {
        Move {
            from: m.source.clone(),
            to: m.target(),
        }
    }
}

/// Compares a node's live documents with its rendered ones (for contract `to`), reporting fields
/// that moved out of v1alpha1 as moves rather than a removal plus an addition.
pub fn diff_docs_migrating(live: &[Value], rendered: &[Value], to: Contract) -> NodeDiff {
    let plain = diff_docs(live, rendered);
    if plain.is_empty() || !live.iter().any(is_v1alpha1) {
        return plain;
    }
    let rendered_root = rendered.iter().find(|d| is_v1alpha1(d));
    let allow = |path: &str| {
        let gone = rendered_root.is_none_or(|r| get(r, path).is_none());
        gone && rows()
            .filter(|(_, r)| related(list_root(r.source), path))
            .any(|(_, r)| rendered.iter().any(|d| kind_of(d) == Some(r.kind)))
    };
    // Only when some field the live config sets is one the rendered config moved is the
    // migration (and its validation) worth running: ordinary changes stay as cheap as before.
    let live_root = live.iter().find(|d| is_v1alpha1(d));
    let moved_any = rows().any(|(_, r)| {
        let path = list_root(r.source);
        live_root.is_some_and(|l| get(l, path).is_some()) && allow(path)
    });
    if !moved_any {
        return plain;
    }
    // The live config's own contract is not known: migrate from the oldest, so every step that
    // could have moved a field applies.
    let Ok(m) = migrate_where(live, Contract::V1_11, to, false, &allow) else {
        return plain;
    };
    if m.moved.is_empty() {
        return plain;
    }
    let mut out = diff_docs(&m.docs, rendered);
    // A document the live config only has once migrated is labelled so.
    let live_keys = keys(live);
    for d in &mut out.docs {
        if !live_keys.contains(&d.key) {
            let from = format!("--- live {}\n", d.key);
            d.unified = d
                .unified
                .replacen(&from, &format!("--- live (moved) {}\n", d.key), 1);
        }
    }
    out.moves = m.moved.iter().map(Move::of).collect();
    out
}

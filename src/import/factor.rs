//! Factoring value trees. In: one YAML tree per node. Out: the part every tree shares
//! ([`common`]) and what is left of one tree once a shared part is taken out ([`subtract`]).
//! Mappings are factored key by key; lists and scalars are shared only when equal as a whole,
//! because values layering replaces lists rather than merging them.

use serde_yaml_ng::{Mapping, Value};

/// The part of `trees` that all of them share, or `None` when they share nothing.
///
/// Layering the result under each tree's [`subtract`] remainder gives the tree back, provided
/// layering merges mappings deeply and replaces everything else.
pub fn common(trees: &[&Value]) -> Option<Value> {
    let first = trees.first()?;
    if trees.iter().all(|t| t.is_mapping()) {
        let Value::Mapping(fm) = first else {
            unreachable!("checked")
        };
        let mut out = Mapping::new();
        for (k, v) in fm {
            let mut children = vec![v];
            for t in &trees[1..] {
                match t.get(k) {
                    Some(c) => children.push(c),
                    None => break,
                }
            }
            if children.len() != trees.len() {
                continue;
            }
            if let Some(c) = common(&children) {
                out.insert(k.clone(), c);
            }
        }
        if out.is_empty() && !fm.is_empty() {
            return None;
        }
        return Some(Value::Mapping(out));
    }
    if trees.iter().all(|t| t == first) && !first.is_null() {
        return Some((*first).clone());
    }
    None
}

/// What remains of `tree` after taking out `shared`, or `None` when `shared` covers it all.
pub fn subtract(tree: &Value, shared: &Value) -> Option<Value> {
    match (tree, shared) {
        (Value::Mapping(tm), Value::Mapping(sm)) => {
            let mut out = Mapping::new();
            for (k, v) in tm {
                match sm.get(k) {
                    Some(s) => {
                        if let Some(rest) = subtract(v, s) {
                            out.insert(k.clone(), rest);
                        }
                    }
                    None => {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            (!out.is_empty()).then_some(Value::Mapping(out))
        }
        _ if tree == shared => None,
        _ => Some(tree.clone()),
    }
}

/// Deep-merges `over` onto `base` the way values layering does: mappings merge key by key,
/// everything else replaces.
pub fn layer(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Mapping(bm), Value::Mapping(om)) => {
            for (k, v) in om {
                match bm.get_mut(k) {
                    Some(b) => layer(b, v),
                    None => {
                        bm.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// [`layer`] for two mappings.
pub fn layer_map(base: &mut Mapping, over: &Mapping) {
    let mut b = Value::Mapping(std::mem::take(base));
    layer(&mut b, &Value::Mapping(over.clone()));
    if let Value::Mapping(m) = b {
        *base = m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(s: &str) -> Value {
        serde_yaml_ng::from_str(s).unwrap()
    }

    #[test]
    fn factor_and_layer_back() {
        let a = y("m: {type: cp, labels: {x: '1', y: '2'}, sans: [a]}\nc: {}\n");
        let b = y("m: {type: cp, labels: {x: '1'}, sans: [b]}\nc: {}\n");
        let shared = common(&[&a, &b]).unwrap();
        assert_eq!(shared, y("m: {type: cp, labels: {x: '1'}}\nc: {}\n"));
        for t in [&a, &b] {
            let rest = subtract(t, &shared).unwrap();
            let mut back = shared.clone();
            layer(&mut back, &rest);
            assert_eq!(&back, t);
        }
        assert_eq!(subtract(&a, &a), None);
    }

    #[test]
    fn nothing_in_common() {
        assert_eq!(common(&[&y("a: 1"), &y("b: 1")]), None);
        assert_eq!(common(&[&y("[1]"), &y("[2]")]), None);
        assert_eq!(common(&[&y("{}"), &y("{}")]), Some(y("{}")));
    }
}

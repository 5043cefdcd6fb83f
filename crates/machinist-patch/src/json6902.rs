//! RFC 6902 JSON patches applied to a YAML document. In: a list of operations (read from
//! YAML or JSON) and one config document. Out: the patched document. Paths are RFC 6901 JSON
//! pointers (`/machine/certSANs/-`, with `~1` for `/` and `~0` for `~` inside a key).

use serde_yaml_ng::{Mapping, Value};

use crate::error::PatchError;

/// The operation of one JSON patch step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    /// Insert or set a value.
    Add,
    /// Remove a value (it must exist).
    Remove,
    /// Replace a value (it must exist).
    Replace,
    /// Move a value from `from` to `path`.
    Move,
    /// Copy a value from `from` to `path`.
    Copy,
    /// Fail unless the value at `path` equals `value`.
    Test,
}

impl OpKind {
    fn name(self) -> &'static str {
        match self {
            OpKind::Add => "add",
            OpKind::Remove => "remove",
            OpKind::Replace => "replace",
            OpKind::Move => "move",
            OpKind::Copy => "copy",
            OpKind::Test => "test",
        }
    }
}

/// One JSON patch step.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonOp {
    /// The operation.
    pub op: OpKind,
    /// Target JSON pointer.
    pub path: String,
    /// Source pointer for `move` and `copy`.
    pub from: Option<String>,
    /// Value for `add`, `replace` and `test`.
    pub value: Option<Value>,
}

/// Reads the operations of a JSON patch from its parsed YAML/JSON list.
pub(crate) fn parse_ops(patch: &str, items: &[Value]) -> Result<Vec<JsonOp>, PatchError> {
    let mut ops = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let bad = |message: String| PatchError::JsonPatchInvalid {
            patch: patch.to_string(),
            index: i + 1,
            message,
        };
        if !item.is_mapping() {
            return Err(bad(
                "each operation must be a mapping with `op` and `path`".into()
            ));
        }
        let op = match item.get("op").and_then(Value::as_str) {
            Some("add") => OpKind::Add,
            Some("remove") => OpKind::Remove,
            Some("replace") => OpKind::Replace,
            Some("move") => OpKind::Move,
            Some("copy") => OpKind::Copy,
            Some("test") => OpKind::Test,
            Some(other) => {
                return Err(bad(format!(
                    "unknown op `{other}`: use add, remove, replace, move, copy or test"
                )));
            }
            None => return Err(bad("missing `op`".into())),
        };
        let path = item
            .get("path")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("missing `path`".into()))?
            .to_string();
        let from = item.get("from").and_then(Value::as_str).map(str::to_string);
        let value = item.get("value").cloned();
        if matches!(op, OpKind::Move | OpKind::Copy) && from.is_none() {
            return Err(bad(format!("`{}` needs `from`", op.name())));
        }
        if matches!(op, OpKind::Add | OpKind::Replace | OpKind::Test) && value.is_none() {
            return Err(bad(format!("`{}` needs `value`", op.name())));
        }
        ops.push(JsonOp {
            op,
            path,
            from,
            value,
        });
    }
    Ok(ops)
}

/// Splits a JSON pointer into unescaped reference tokens.
fn tokens(pointer: &str) -> Result<Vec<String>, String> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(format!(
            "`{pointer}` is not a JSON pointer (it must start with `/`)"
        ));
    };
    Ok(rest.split('/').map(crate::pointer::unescape).collect())
}

fn index(token: &str, len: usize, allow_end: bool) -> Result<usize, String> {
    if allow_end && token == "-" {
        return Ok(len);
    }
    let valid = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    let i: usize = token
        .parse()
        .ok()
        .filter(|_| valid)
        .ok_or_else(|| format!("`{token}` is not a list index"))?;
    let max = if allow_end {
        len
    } else {
        len.saturating_sub(1)
    };
    if i > max || (!allow_end && len == 0) {
        return Err(format!(
            "index {i} is out of range (the list has {len} items)"
        ));
    }
    Ok(i)
}

fn get<'a>(doc: &'a Value, toks: &[String]) -> Result<&'a Value, String> {
    let mut cur = doc;
    for t in toks {
        cur = match cur {
            Value::Mapping(m) => m
                .get(t.as_str())
                .ok_or_else(|| format!("key `{t}` not found"))?,
            Value::Sequence(s) => &s[index(t, s.len(), false)?],
            _ => return Err(format!("cannot descend into a scalar at `{t}`")),
        };
    }
    Ok(cur)
}

fn parent_mut<'a>(doc: &'a mut Value, toks: &[String]) -> Result<&'a mut Value, String> {
    let mut cur = doc;
    for t in &toks[..toks.len() - 1] {
        cur = match cur {
            Value::Mapping(m) => m
                .get_mut(t.as_str())
                .ok_or_else(|| format!("key `{t}` not found"))?,
            Value::Sequence(s) => {
                let i = index(t, s.len(), false)?;
                &mut s[i]
            }
            _ => return Err(format!("cannot descend into a scalar at `{t}`")),
        };
    }
    Ok(cur)
}

fn add(doc: &mut Value, toks: &[String], value: Value) -> Result<(), String> {
    set(doc, toks, value, true)
}

/// Sets the value at `toks`: the whole document for the root, a map key (an existing one keeps
/// its place), or a list slot — inserted before index `i` (or appended for `-`) when `insert`,
/// else replacing the item, which must exist.
fn set(doc: &mut Value, toks: &[String], value: Value, insert: bool) -> Result<(), String> {
    if toks.is_empty() {
        *doc = value;
        return Ok(());
    }
    let last = &toks[toks.len() - 1];
    match parent_mut(doc, toks)? {
        Value::Mapping(m) => {
            m.insert(Value::String(last.clone()), value);
        }
        Value::Sequence(s) => {
            let i = index(last, s.len(), insert)?;
            if insert {
                s.insert(i, value);
            } else {
                s[i] = value;
            }
        }
        _ => return Err("the parent is not a mapping or a list".into()),
    }
    Ok(())
}

fn remove(doc: &mut Value, toks: &[String]) -> Result<Value, String> {
    if toks.is_empty() {
        return Ok(std::mem::replace(doc, Value::Mapping(Mapping::new())));
    }
    let last = &toks[toks.len() - 1];
    match parent_mut(doc, toks)? {
        Value::Mapping(m) => m
            .shift_remove(last.as_str())
            .ok_or_else(|| format!("key `{last}` not found")),
        Value::Sequence(s) => {
            let i = index(last, s.len(), false)?;
            Ok(s.remove(i))
        }
        _ => Err("the parent is not a mapping or a list".into()),
    }
}

/// `replace` as github.com/evanphx/json-patch v5.9.11 (the library every supported Talos release
/// links) does it: the parent must exist and a list index must be in range, but a missing map key
/// is simply set, as `add` would. An existing key keeps its place.
fn replace(doc: &mut Value, toks: &[String], value: Value) -> Result<(), String> {
    set(doc, toks, value, false)
}

fn apply_op(doc: &mut Value, op: &JsonOp) -> Result<(), String> {
    let toks = tokens(&op.path)?;
    let value = || op.value.clone().unwrap_or(Value::Null);
    match op.op {
        OpKind::Add => add(doc, &toks, value()),
        OpKind::Remove => remove(doc, &toks).map(drop),
        OpKind::Replace => replace(doc, &toks, value()),
        OpKind::Move => {
            let from = tokens(op.from.as_deref().unwrap_or_default())?;
            if toks.len() > from.len() && toks[..from.len()] == from[..] {
                return Err("cannot move a value into itself".into());
            }
            let v = remove(doc, &from)?;
            add(doc, &toks, v)
        }
        OpKind::Copy => {
            let from = tokens(op.from.as_deref().unwrap_or_default())?;
            let v = get(doc, &from)?.clone();
            add(doc, &toks, v)
        }
        OpKind::Test => {
            let found = get(doc, &toks)?;
            if *found == value() {
                Ok(())
            } else {
                Err("test failed: the value differs".into())
            }
        }
    }
}

/// Applies JSON patch operations to a config. Like Talos, the config must hold exactly one
/// document.
pub(crate) fn apply_json6902(
    config: &mut [Value],
    patch: &str,
    ops: &[JsonOp],
) -> Result<(), PatchError> {
    if config.len() != 1 {
        return Err(PatchError::JsonPatchMultiDoc {
            patch: patch.to_string(),
            documents: config.len(),
        });
    }
    // Operations apply atomically: a failing step leaves the config untouched.
    let mut doc = config[0].clone();
    for (i, op) in ops.iter().enumerate() {
        apply_op(&mut doc, op).map_err(|message| PatchError::JsonPatchFailed {
            patch: patch.to_string(),
            index: i + 1,
            op: op.op.name().to_string(),
            path: op.path.clone(),
            message,
        })?;
    }
    config[0] = doc;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(s: &str) -> Value {
        serde_yaml_ng::from_str(s).unwrap()
    }

    fn run(doc: &str, ops: &str) -> Result<Value, PatchError> {
        let ops = parse_ops("p", y(ops).as_sequence().unwrap())?;
        let mut cfg = vec![y(doc)];
        apply_json6902(&mut cfg, "p", &ops)?;
        Ok(cfg.remove(0))
    }

    #[test]
    fn replace_of_a_missing_map_key_sets_it_as_talos_does() {
        // evanphx/json-patch v5.9.11: a missing key is set (as `add`); the parent must exist,
        // a list index must be in range, and an existing key keeps its place.
        let doc = "machine: {type: worker, network: {}}\n";
        assert_eq!(
            run(
                doc,
                "[{op: replace, path: /machine/time, value: {disabled: true}}]"
            )
            .unwrap(),
            y("machine: {type: worker, network: {}, time: {disabled: true}}")
        );
        assert_eq!(
            run(
                doc,
                "[{op: replace, path: /machine/type, value: controlplane}]"
            )
            .unwrap(),
            y("machine: {type: controlplane, network: {}}")
        );
        let err = run(doc, "[{op: replace, path: /cluster/network, value: {}}]").unwrap_err();
        assert!(err.to_string().contains("key `cluster` not found"), "{err}");
        let err = run("l: [1]", "[{op: replace, path: /l/1, value: 2}]").unwrap_err();
        assert!(err.to_string().contains("out of range"), "{err}");
    }

    #[test]
    fn each_op() {
        let doc = "a: {b: [1, 2]}\nc: x\n";
        for (patch, want) in [
            (
                "[{op: add, path: /a/b/-, value: 3}]",
                "a: {b: [1, 2, 3]}\nc: x",
            ),
            (
                "[{op: add, path: /a/b/0, value: 0}]",
                "a: {b: [0, 1, 2]}\nc: x",
            ),
            ("[{op: remove, path: /c}]", "a: {b: [1, 2]}"),
            (
                "[{op: replace, path: /a/b/1, value: 9}]",
                "a: {b: [1, 9]}\nc: x",
            ),
            ("[{op: move, from: /c, path: /a/d}]", "a: {b: [1, 2], d: x}"),
            (
                "[{op: copy, from: /a/b, path: /e}]",
                "a: {b: [1, 2]}\nc: x\ne: [1, 2]",
            ),
        ] {
            assert_eq!(run(doc, patch).unwrap(), y(want), "{patch}");
        }
        assert!(run(doc, "[{op: test, path: /c, value: x}]").is_ok());
    }

    #[test]
    fn pointer_escapes() {
        let doc = "labels: {a/b: 1, c~d: 2}\n";
        assert_eq!(
            run(
                doc,
                "[{op: remove, path: /labels/a~1b}, {op: replace, path: /labels/c~0d, value: 3}]"
            )
            .unwrap(),
            y("labels: {c~d: 3}")
        );
    }

    #[test]
    fn failures_name_the_step_and_leave_config_unchanged() {
        let doc = "a: 1\n";
        let err = run(
            doc,
            "[{op: add, path: /b, value: 2}, {op: replace, path: /zz/y, value: 1}]",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "p: operation 2 (replace /zz/y): key `zz` not found"
        );
        let err = run(doc, "[{op: test, path: /a, value: 2}]").unwrap_err();
        assert!(err.to_string().contains("test failed"), "{err}");
        let err = run("l: [1]", "[{op: remove, path: /l/01}]").unwrap_err();
        assert!(err.to_string().contains("not a list index"), "{err}");
        let err = run("l: [1]", "[{op: remove, path: /l/1}]").unwrap_err();
        assert!(err.to_string().contains("out of range"), "{err}");
    }

    #[test]
    fn malformed_ops() {
        let err = run("a: 1", "[{op: add, path: /b}]").unwrap_err();
        assert_eq!(err.to_string(), "p: operation 1: `add` needs `value`");
        let err = run("a: 1", "[{op: frob, path: /b}]").unwrap_err();
        assert!(err.to_string().contains("unknown op `frob`"), "{err}");
        let err = run("a: 1", "[{op: move, path: /b}]").unwrap_err();
        assert!(err.to_string().contains("needs `from`"), "{err}");
    }

    #[test]
    fn refused_on_multi_document_configs() {
        let ops = parse_ops(
            "p.yaml",
            y("[{op: remove, path: /a}]").as_sequence().unwrap(),
        )
        .unwrap();
        let mut cfg = vec![y("a: 1"), y("kind: HostnameConfig")];
        let err = apply_json6902(&mut cfg, "p.yaml", &ops).unwrap_err();
        assert!(
            err.to_string().contains(
                "JSON6902 patches are not supported for multi-document machine configuration"
            ),
            "{err}"
        );
    }
}

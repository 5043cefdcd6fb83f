//! Talos strategic merge over untyped YAML documents. In: the config documents and the
//! documents of one strategic patch. Out: the config with the patch applied, or a
//! [`PatchError`] naming the patch, document and path.
//!
//! Order inside one patch, as in Talos: every `$patch: delete` of the patch (whole documents,
//! keys, list items) is applied to the config first, then each remaining patch document is
//! merged into the config document with the same identity, or appended when there is none.

use serde_yaml_ng::{Mapping, Value};

use crate::doc::{DocId, IDENTITY_KEYS, key_text};
use crate::error::{PatchError, kind_name};
use crate::rules::{
    ListPolicy, MapRule, MergeKey, builtin_list_policy, builtin_map_rule, parse_policy,
};

/// The top-level key of a patch document that sets list policies for that document.
pub const LISTS_KEY: &str = "x-machinist-lists";
const DIRECTIVE: &str = "$patch";
const DIRECTIVE_KEY: &str = "$key";

/// One deletion found in a patch document.
#[derive(Debug, Clone)]
enum Delete {
    /// Remove the key at this path.
    Key(Vec<String>),
    /// Remove the items of the list at `list` whose field `key` equals `value`.
    Item {
        list: Vec<String>,
        key: String,
        value: Value,
    },
}

/// Where a merge happens, for rule lookup and error messages.
struct Ctx<'a> {
    patch: &'a str,
    doc: String,
    kind: String,
    policies: Vec<(Vec<String>, ListPolicy)>,
}

impl Ctx<'_> {
    fn directive_err(&self, path: &[String], message: impl Into<String>) -> PatchError {
        PatchError::Directive {
            patch: self.patch.to_string(),
            doc: self.doc.clone(),
            path: show(path),
            message: message.into(),
        }
    }

    fn mismatch(&self, path: &[String], base: &Value, patch: &Value) -> PatchError {
        PatchError::TypeMismatch {
            patch: self.patch.to_string(),
            doc: self.doc.clone(),
            path: show(path),
            base_kind: kind_name(base),
            patch_kind: kind_name(patch),
        }
    }
}

fn show(path: &[String]) -> String {
    if path.is_empty() {
        "(document root)".to_string()
    } else {
        path.join(".")
    }
}

fn directive_of(v: &Value) -> Option<&Value> {
    match v {
        Value::Mapping(m) => m.get(DIRECTIVE),
        _ => None,
    }
}

fn is_delete_marker(v: &Value) -> bool {
    directive_of(v).and_then(Value::as_str) == Some("delete")
}

fn contains_delete(v: &Value) -> bool {
    match v {
        Value::Mapping(m) => is_delete_marker(v) || m.values().any(contains_delete),
        Value::Sequence(s) => s.iter().any(contains_delete),
        _ => false,
    }
}

/// Zero scalars (`""`, `0`) in a patch never override a value (Talos merges typed structs,
/// where a zero field means "not set").
fn is_zero(v: &Value) -> bool {
    match v {
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
        _ => false,
    }
}

/// A patch document ready to apply.
enum Prepared {
    DeleteDoc(DocId),
    Merge {
        id: DocId,
        body: Mapping,
        deletes: Vec<Delete>,
        policies: Vec<(Vec<String>, ListPolicy)>,
        only_deletes: bool,
    },
}

/// Applies one strategic merge patch (its documents) to `config`.
pub(crate) fn apply_strategic(
    config: &mut Vec<Value>,
    patch: &str,
    docs: &[Value],
) -> Result<(), PatchError> {
    let mut prepared = Vec::with_capacity(docs.len());
    for (i, doc) in docs.iter().enumerate() {
        prepared.push(prepare(patch, i, doc)?);
    }
    for p in &prepared {
        match p {
            Prepared::DeleteDoc(id) => config.retain(|d| DocId::of(d) != *id),
            Prepared::Merge { id, deletes, .. } => {
                if let Some(target) = config.iter_mut().find(|d| DocId::of(d) == *id) {
                    for del in deletes {
                        apply_delete(target, del);
                    }
                }
            }
        }
    }
    for p in prepared {
        let Prepared::Merge {
            id,
            body,
            policies,
            only_deletes,
            ..
        } = p
        else {
            continue;
        };
        if only_deletes {
            continue;
        }
        let ctx = Ctx {
            patch,
            doc: id.to_string(),
            kind: id.kind.clone(),
            policies,
        };
        let mut path = Vec::new();
        match config.iter_mut().find(|d| DocId::of(d) == id) {
            Some(target) => merge(target, Value::Mapping(body), &mut path, &ctx)?,
            None => {
                let mut fresh = Value::Null;
                merge(&mut fresh, Value::Mapping(body), &mut path, &ctx)?;
                config.push(fresh);
            }
        }
    }
    Ok(())
}

fn prepare(patch: &str, index: usize, doc: &Value) -> Result<Prepared, PatchError> {
    let Value::Mapping(m) = doc else {
        return Err(PatchError::NotAMapping {
            patch: patch.to_string(),
            index: index + 1,
            found: kind_name(doc),
        });
    };
    let id = DocId::of(doc);
    if is_delete_marker(doc) {
        if id.is_legacy() {
            return Err(PatchError::DeleteLegacyRoot {
                patch: patch.to_string(),
                doc: id.to_string(),
            });
        }
        return Ok(Prepared::DeleteDoc(id));
    }
    let ctx = Ctx {
        patch,
        doc: id.to_string(),
        kind: id.kind.clone(),
        policies: Vec::new(),
    };
    let mut body = m.clone();
    let mut policies = Vec::new();
    match body.shift_remove(LISTS_KEY) {
        None => {}
        Some(Value::Mapping(pm)) => {
            for (k, v) in pm {
                let path: Vec<String> = key_text(&k).split('.').map(str::to_string).collect();
                let policy = parse_policy(&v)
                    .map_err(|m| ctx.directive_err(&[LISTS_KEY.to_string(), key_text(&k)], m))?;
                policies.push((path, policy));
            }
        }
        Some(_) => {
            return Err(ctx.directive_err(
                &[LISTS_KEY.to_string()],
                "must map dotted paths to list policies, e.g. `machine.network.nameservers: replace`",
            ));
        }
    }
    let mut deletes = Vec::new();
    extract_deletes(&mut body, &mut Vec::new(), &mut deletes, &ctx)?;
    let has_content = body
        .keys()
        .any(|k| !IDENTITY_KEYS.contains(&key_text(k).as_str()));
    Ok(Prepared::Merge {
        id,
        only_deletes: !deletes.is_empty() && !has_content,
        body,
        deletes,
        policies,
    })
}

/// Removes every `$patch: delete` from `map` (recursively) and records what it deletes.
fn extract_deletes(
    map: &mut Mapping,
    path: &mut Vec<String>,
    out: &mut Vec<Delete>,
    ctx: &Ctx,
) -> Result<(), PatchError> {
    let keys: Vec<Value> = map.keys().cloned().collect();
    for k in keys {
        path.push(key_text(&k));
        let v = map.get_mut(&k).expect("key just listed");
        if is_delete_marker(v) {
            out.push(Delete::Key(path.clone()));
            map.shift_remove(&k);
        } else if let Value::Mapping(inner) = v {
            let had = inner.len();
            extract_deletes(inner, path, out, ctx)?;
            // A mapping that only held deletions must not create an empty mapping.
            if had > 0 && inner.is_empty() {
                map.shift_remove(&k);
            }
        } else if let Value::Sequence(items) = v {
            let had = items.len();
            let mut kept = Vec::with_capacity(items.len());
            for item in items.drain(..) {
                if is_delete_marker(&item) {
                    let Value::Mapping(im) = &item else {
                        unreachable!("delete markers are mappings")
                    };
                    let (sk, sv) = im
                        .iter()
                        .find(|(k, _)| k.as_str() != Some(DIRECTIVE))
                        .ok_or_else(|| {
                            ctx.directive_err(
                                path,
                                "a list item with `$patch: delete` needs a selector key, e.g. `- {interface: eth0, $patch: delete}`",
                            )
                        })?;
                    out.push(Delete::Item {
                        list: path.clone(),
                        key: key_text(sk),
                        value: sv.clone(),
                    });
                } else if contains_delete(&item) {
                    return Err(PatchError::DeleteInnerKey {
                        patch: ctx.patch.to_string(),
                        doc: ctx.doc.clone(),
                        path: show(path),
                    });
                } else {
                    kept.push(item);
                }
            }
            *items = kept;
            if had > 0 && items.is_empty() {
                map.shift_remove(&k);
            }
        }
        path.pop();
    }
    Ok(())
}

/// Applies one deletion to a config document; a deletion of something absent does nothing.
fn apply_delete(doc: &mut Value, del: &Delete) {
    let (parent_path, last) = match del {
        Delete::Key(p) => (&p[..p.len() - 1], &p[p.len() - 1]),
        Delete::Item { list, .. } => (&list[..list.len() - 1], &list[list.len() - 1]),
    };
    let mut cur = doc;
    for seg in parent_path {
        match cur.get_mut(seg.as_str()) {
            Some(next) => cur = next,
            None => return,
        }
    }
    let Value::Mapping(parent) = cur else { return };
    match del {
        Delete::Key(_) => {
            parent.shift_remove(last.as_str());
        }
        Delete::Item { key, value, .. } => {
            if let Some(Value::Sequence(items)) = parent.get_mut(last.as_str()) {
                items.retain(|it| it.get(key.as_str()) != Some(value));
            }
        }
    }
}

/// Merges `patch` into `base` at `path`. `base` may be `Null` (absent), in which case the
/// patch value is copied with its directives resolved.
fn merge(
    base: &mut Value,
    patch: Value,
    path: &mut Vec<String>,
    ctx: &Ctx,
) -> Result<(), PatchError> {
    match patch {
        Value::Null => Ok(()),
        Value::Mapping(mut pm) => {
            if base.is_null() {
                *base = Value::Mapping(Mapping::new());
            }
            if !base.is_mapping() {
                return Err(ctx.mismatch(path, base, &Value::Mapping(pm)));
            }
            let explicit_replace = match pm.shift_remove(DIRECTIVE) {
                None => false,
                Some(Value::String(s)) if s == "replace" => true,
                Some(_) => {
                    return Err(ctx.directive_err(
                        path,
                        "a mapping accepts `$patch: replace` (replace the whole mapping) or `$patch: delete` (remove it)",
                    ));
                }
            };
            let rule = if explicit_replace {
                MapRule::Replace
            } else {
                builtin_map_rule(&ctx.kind, path)
            };
            match rule {
                MapRule::Replace => {
                    if explicit_replace || !pm.is_empty() {
                        let mut fresh = Value::Mapping(Mapping::new());
                        merge_entries(&mut fresh, pm, path, ctx, false)?;
                        *base = fresh;
                    }
                    Ok(())
                }
                MapRule::ReplaceValues => merge_entries(base, pm, path, ctx, true),
                MapRule::Recursive => merge_entries(base, pm, path, ctx, false),
            }
        }
        Value::Sequence(items) => {
            if base.is_null() {
                *base = Value::Sequence(Vec::new());
            }
            if !base.is_sequence() {
                return Err(ctx.mismatch(path, base, &Value::Sequence(items)));
            }
            let (directive, items) = take_list_directive(items, path, ctx)?;
            let explicit = directive.is_some() || ctx.policies.iter().any(|(p, _)| p == path);
            let policy = directive
                .or_else(|| {
                    ctx.policies
                        .iter()
                        .find(|(p, _)| p == path)
                        .map(|(_, pol)| pol.clone())
                })
                .or_else(|| builtin_list_policy(&ctx.kind, path))
                .unwrap_or(ListPolicy::Append);
            let Value::Sequence(bs) = base else {
                unreachable!("checked above")
            };
            merge_list(bs, items, &policy, explicit, path, ctx)
        }
        scalar => {
            if base.is_mapping() || base.is_sequence() {
                return Err(ctx.mismatch(path, base, &scalar));
            }
            if !is_zero(&scalar) || base.is_null() {
                *base = scalar;
            }
            Ok(())
        }
    }
}

fn merge_entries(
    base: &mut Value,
    pm: Mapping,
    path: &mut Vec<String>,
    ctx: &Ctx,
    replace_values: bool,
) -> Result<(), PatchError> {
    let Value::Mapping(bm) = base else {
        unreachable!("callers pass mappings")
    };
    for (k, v) in pm {
        if v.is_null() {
            continue;
        }
        path.push(key_text(&k));
        let entry = bm.entry(k).or_insert(Value::Null);
        if replace_values {
            *entry = Value::Null;
        }
        merge(entry, v, path, ctx)?;
        path.pop();
    }
    Ok(())
}

/// Takes machinist's list directive item (`- $patch: replace`, `- $patch: append`,
/// `- {$patch: merge, $key: K}`) out of a patch list.
fn take_list_directive(
    items: Vec<Value>,
    path: &[String],
    ctx: &Ctx,
) -> Result<(Option<ListPolicy>, Vec<Value>), PatchError> {
    let mut policy = None;
    let mut rest = Vec::with_capacity(items.len());
    for item in items {
        let Some(d) = directive_of(&item) else {
            rest.push(item);
            continue;
        };
        let found = match d.as_str() {
            Some("replace") => ListPolicy::Replace,
            Some("append") => ListPolicy::Append,
            Some("merge") => {
                let key = item
                    .get(DIRECTIVE_KEY)
                    .and_then(Value::as_str)
                    .filter(|k| !k.is_empty())
                    .ok_or_else(|| {
                        ctx.directive_err(
                            path,
                            "`$patch: merge` in a list needs the field to match items by, e.g. `- {$patch: merge, $key: name}`",
                        )
                    })?;
                ListPolicy::MergeByKey {
                    key: MergeKey::Field(key.to_string()),
                    replace_item: false,
                }
            }
            _ => {
                return Err(ctx.directive_err(
                    path,
                    "a list directive item is `- $patch: replace`, `- $patch: append` or `- {$patch: merge, $key: FIELD}`",
                ));
            }
        };
        if policy.replace(found).is_some() {
            return Err(ctx.directive_err(path, "a list holds at most one `$patch` directive item"));
        }
    }
    Ok((policy, rest))
}

fn merge_list(
    base: &mut Vec<Value>,
    items: Vec<Value>,
    policy: &ListPolicy,
    explicit: bool,
    path: &mut Vec<String>,
    ctx: &Ctx,
) -> Result<(), PatchError> {
    let fresh = |item: Value, path: &mut Vec<String>| -> Result<Value, PatchError> {
        let mut v = Value::Null;
        merge(&mut v, item, path, ctx)?;
        Ok(v)
    };
    match policy {
        ListPolicy::Append => {
            for item in items {
                let v = fresh(item, path)?;
                base.push(v);
            }
        }
        ListPolicy::Replace => {
            if items.is_empty() && !explicit {
                return Ok(());
            }
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(fresh(item, path)?);
            }
            *base = out;
        }
        ListPolicy::MergeByKey { key, replace_item } => {
            for item in items {
                match find_match(base, &item, key) {
                    Some(i) if *replace_item => base[i] = fresh(item, path)?,
                    Some(i) => merge(&mut base[i], item, path, ctx)?,
                    None => {
                        let v = fresh(item, path)?;
                        base.push(v);
                    }
                }
            }
        }
    }
    Ok(())
}

fn find_match(base: &[Value], item: &Value, key: &MergeKey) -> Option<usize> {
    let present = |k: &str| item.get(k).filter(|v| !v.is_null() && !is_zero(v));
    match key {
        MergeKey::Field(k) => {
            let want = present(k)?;
            base.iter().position(|b| b.get(k.as_str()) == Some(want))
        }
        MergeKey::NetworkDevice => {
            if let Some(name) = present("interface")
                && let Some(i) = base.iter().position(|b| b.get("interface") == Some(name))
            {
                return Some(i);
            }
            let sel = present("deviceSelector")?;
            base.iter()
                .position(|b| b.get("deviceSelector") == Some(sel))
        }
    }
}

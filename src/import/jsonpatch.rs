//! JSON 6902 patches rewritten as strategic merge patches. In: the operations of a JSON patch.
//! Out: an equivalent machinist strategic patch for the legacy document, when one exists.
//!
//! Talos refuses JSON patches on multi-document configs (every config from Talos v1.12 on), so
//! imported JSON patches that only add, replace or remove keys by name are rewritten: `remove`
//! becomes `$patch: delete`, and `add`/`replace` set the value, with `$patch: replace` so that
//! lists and mappings are replaced as JSON patch does instead of merged.

use machinist_patch::{JsonOp, OpKind};
use serde_yaml_ng::{Mapping, Value};

/// The strategic form of `ops`, or `None` when an operation has no strategic equivalent
/// (list indices, `move`, `copy`, `test`, or two operations on overlapping paths).
pub(crate) fn to_strategic(ops: &[JsonOp]) -> Option<Value> {
    let mut paths: Vec<Vec<String>> = Vec::new();
    let mut root = Mapping::new();
    for op in ops {
        let rest = op.path.strip_prefix('/')?;
        let toks: Vec<String> = rest
            .split('/')
            .map(machinist_patch::pointer::unescape)
            .collect();
        if toks
            .iter()
            .any(|t| t.is_empty() || t == "-" || t.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        if paths
            .iter()
            .any(|p| p.starts_with(&toks) || toks.starts_with(p))
        {
            return None;
        }
        let value = match op.op {
            OpKind::Remove => {
                let mut m = Mapping::new();
                m.insert(Value::from("$patch"), Value::from("delete"));
                Value::Mapping(m)
            }
            OpKind::Add | OpKind::Replace => match op.value.clone()? {
                Value::Sequence(items) => {
                    let mut d = Mapping::new();
                    d.insert(Value::from("$patch"), Value::from("replace"));
                    let mut out = vec![Value::Mapping(d)];
                    out.extend(items);
                    Value::Sequence(out)
                }
                Value::Mapping(m) => {
                    let mut out = Mapping::new();
                    out.insert(Value::from("$patch"), Value::from("replace"));
                    out.extend(m);
                    Value::Mapping(out)
                }
                Value::Null => return None,
                scalar => scalar,
            },
            OpKind::Move | OpKind::Copy | OpKind::Test => return None,
        };
        let (last, parents) = toks.split_last()?;
        let mut cur = &mut root;
        for seg in parents {
            cur = cur
                .entry(Value::from(seg.as_str()))
                .or_insert_with(|| Value::Mapping(Mapping::new()))
                .as_mapping_mut()?;
        }
        cur.insert(Value::from(last.as_str()), value);
        paths.push(toks);
    }
    Some(Value::Mapping(root))
}

#[cfg(test)]
mod tests {
    use super::*;
    use machinist_patch::{Patch, PatchBody, apply_patches, parse_documents};

    fn ops(text: &str) -> Vec<JsonOp> {
        match Patch::parse("p", text).unwrap().body {
            PatchBody::Json6902(ops) => ops,
            PatchBody::Strategic(_) => panic!("not a JSON patch"),
        }
    }

    #[test]
    fn rewritten_patch_does_what_the_json_patch_does() {
        let base = "machine: {certSANs: [a], sysctls: {x: '1'}}\ncluster: {apiServer: {admissionControl: [{name: PodSecurity}], image: i}}\n";
        let json = "- {op: remove, path: /cluster/apiServer/admissionControl}\n- {op: add, path: /machine/certSANs, value: [b]}\n- {op: replace, path: /machine/sysctls, value: {y: '2'}}\n- {op: add, path: /machine/type, value: worker}\n";
        let strategic = to_strategic(&ops(json)).unwrap();
        let mut a = parse_documents("b", base).unwrap();
        let mut b = a.clone();
        apply_patches(&mut a, &[Patch::parse("j", json).unwrap()]).unwrap();
        let text = serde_yaml_ng::to_string(&strategic).unwrap();
        apply_patches(&mut b, &[Patch::parse("s", &text).unwrap()]).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn no_equivalent() {
        assert!(to_strategic(&ops("- {op: remove, path: /machine/certSANs/0}\n")).is_none());
        assert!(to_strategic(&ops("- {op: test, path: /machine/type, value: x}\n")).is_none());
        assert!(
            to_strategic(&ops(
                "- {op: remove, path: /machine/a}\n- {op: add, path: /machine/a/b, value: 1}\n"
            ))
            .is_none()
        );
    }
}

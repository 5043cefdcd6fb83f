//! Secret redaction for diffs and server messages. In: Talos documents (or free text from a
//! node). Out: the same with every secret value replaced by `<redacted>`; when both sides of a
//! diff hold a secret that differs, the new side reads `<redacted (changed)>` so the change is
//! visible without its value.

use base64::Engine as _;
use serde_yaml_ng::Value;

use super::Seg;

/// What a secret value is replaced with.
pub const REDACTED: &str = "<redacted>";
const REDACTED_CHANGED: &str = "<redacted (changed)>";

/// Mapping keys whose values are secrets wherever they appear (private keys, tokens, shared
/// secrets, passwords).
const SECRET_KEYS: &[&str] = &[
    "key",
    "privateKey",
    "token",
    "secret",
    "secretboxEncryptionSecret",
    "aescbcEncryptionSecret",
    "bootstraptoken",
    "clusterSecret",
    "clusterID",
    "password",
    "presharedKey",
];

/// Whether a path holds a secret: its last key is a secret key, or it is `cluster.id`.
pub fn is_secret_path(path: &[Seg]) -> bool {
    let last_key = path.iter().rev().find_map(|s| match s {
        Seg::Key(k) => Some(k.as_str()),
        Seg::Index(_) => None,
    });
    if last_key.is_some_and(|k| SECRET_KEYS.contains(&k)) {
        return true;
    }
    matches!(path, [Seg::Key(a), Seg::Key(b)] if a == "cluster" && b == "id")
}

/// Whether a value is secret by its content: PEM private key text, or base64 of it.
pub fn looks_secret(v: &Value) -> bool {
    let Value::String(s) = v else { return false };
    if s.contains("PRIVATE KEY") {
        return true;
    }
    let t = s.trim();
    t.len() > 40
        && base64::engine::general_purpose::STANDARD
            .decode(t)
            .is_ok_and(|b| String::from_utf8_lossy(&b).contains("PRIVATE KEY"))
}

fn walk_redact(path: &mut Vec<Seg>, v: &Value) -> Value {
    match v {
        Value::Mapping(m) => Value::Mapping(
            m.iter()
                .map(|(k, child)| {
                    path.push(Seg::Key(k.as_str().unwrap_or_default().to_string()));
                    let r = walk_redact(path, child);
                    path.pop();
                    (k.clone(), r)
                })
                .collect(),
        ),
        Value::Sequence(s) => Value::Sequence(
            s.iter()
                .enumerate()
                .map(|(i, child)| {
                    path.push(Seg::Index(i));
                    let r = walk_redact(path, child);
                    path.pop();
                    r
                })
                .collect(),
        ),
        leaf if is_secret_path(path) || looks_secret(leaf) => Value::String(REDACTED.into()),
        leaf => leaf.clone(),
    }
}

/// A copy of `v` with every secret leaf replaced by `<redacted>`.
pub fn redact(v: &Value) -> Value {
    walk_redact(&mut Vec::new(), v)
}

fn pair(
    path: &mut Vec<Seg>,
    old: Option<&Value>,
    new: Option<&Value>,
) -> (Option<Value>, Option<Value>) {
    match (old, new) {
        (Some(Value::Mapping(o)), Some(Value::Mapping(n))) => {
            let mut ro = serde_yaml_ng::Mapping::new();
            let mut rn = serde_yaml_ng::Mapping::new();
            for (k, ov) in o {
                path.push(Seg::Key(k.as_str().unwrap_or_default().to_string()));
                let (a, _) = pair(path, Some(ov), n.get(k));
                path.pop();
                ro.insert(k.clone(), a.unwrap_or(Value::Null));
            }
            for (k, nv) in n {
                path.push(Seg::Key(k.as_str().unwrap_or_default().to_string()));
                let (_, b) = pair(path, o.get(k), Some(nv));
                path.pop();
                rn.insert(k.clone(), b.unwrap_or(Value::Null));
            }
            (Some(Value::Mapping(ro)), Some(Value::Mapping(rn)))
        }
        (Some(Value::Sequence(o)), Some(Value::Sequence(n))) => {
            let mut ro = Vec::new();
            let mut rn = Vec::new();
            for i in 0..o.len().max(n.len()) {
                path.push(Seg::Index(i));
                let (a, b) = pair(path, o.get(i), n.get(i));
                path.pop();
                ro.extend(a);
                rn.extend(b);
            }
            (Some(Value::Sequence(ro)), Some(Value::Sequence(rn)))
        }
        (Some(o), Some(n))
            if !o.is_mapping() && !o.is_sequence() && !n.is_mapping() && !n.is_sequence() =>
        {
            let secret = is_secret_path(path) || looks_secret(o) || looks_secret(n);
            if !secret {
                return (Some(o.clone()), Some(n.clone()));
            }
            let new_text = if o == n { REDACTED } else { REDACTED_CHANGED };
            (
                Some(Value::String(REDACTED.into())),
                Some(Value::String(new_text.into())),
            )
        }
        (o, n) => (
            o.map(|v| walk_redact(path, v)),
            n.map(|v| walk_redact(path, v)),
        ),
    }
}

/// Redacts both sides of a comparison; a secret that differs reads `<redacted (changed)>` on the
/// new side.
pub fn redact_pair(old: Option<&Value>, new: Option<&Value>) -> (Option<Value>, Option<Value>) {
    pair(&mut Vec::new(), old, new)
}

fn collect(path: &mut Vec<Seg>, v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Mapping(m) => {
            for (k, child) in m {
                path.push(Seg::Key(k.as_str().unwrap_or_default().to_string()));
                collect(path, child, out);
                path.pop();
            }
        }
        Value::Sequence(s) => {
            for (i, child) in s.iter().enumerate() {
                path.push(Seg::Index(i));
                collect(path, child, out);
                path.pop();
            }
        }
        Value::String(s) if (is_secret_path(path) || looks_secret(v)) && s.len() >= 6 => {
            out.push(s.clone());
            // Multi-line values (PEM) may show up line by line in a server's text diff.
            out.extend(
                s.lines()
                    .filter(|l| l.len() >= 16 && !l.starts_with("-----"))
                    .map(str::to_string),
            );
        }
        _ => {}
    }
}

/// Every secret string in `docs` (for scrubbing free text such as a node's dry-run diff).
pub fn secret_values(docs: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for d in docs {
        collect(&mut Vec::new(), d, &mut out);
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// `text` with every occurrence of every secret replaced by `<redacted>`.
pub fn redact_text(text: &str, secrets: &[String]) -> String {
    let mut t = text.to_string();
    for s in secrets {
        if t.contains(s.as_str()) {
            t = t.replace(s.as_str(), REDACTED);
        }
    }
    t
}

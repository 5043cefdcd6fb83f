//! Command-line values. In: the text of `--set`, `--set-string` and `--set-json` arguments. Out:
//! [`Assignment`]s (a path of keys and list indices, and a JSON value) applied after every file.
//!
//! Syntax (Helm's, with one fix): `a.b=c`, several at once with commas (`a=1,b=2`), list items with
//! `a.b[0]=x`, whole lists with `a={x,y}`; `\` escapes `.`, `,`, `=`, `[` and `{` in keys and values.
//! With `--set`, a value is an integer, `true`, `false` or `null` when it reads as one, otherwise a
//! string — so `--set vip=10.0.0.5` or `--set k8s=1.30` stay strings. `null` deletes the key.

use std::fmt;

/// One segment of a values path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A map key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// Renders a path as `a.b[0].c`.
pub fn display_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Which flag an assignment came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetKind {
    /// `--set`: light typing (integers, booleans, null).
    Typed,
    /// `--set-string`: always a string.
    String,
    /// `--set-json`: the value is JSON.
    Json,
}

/// One `path=value` from the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Where to set.
    pub path: Vec<Seg>,
    /// What to set (`Null` deletes).
    pub value: serde_json::Value,
    /// The argument as written, for provenance (`--set a.b=c`).
    pub label: String,
}

/// A malformed command-line value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SetError {
    /// The flag (`--set`, ...).
    pub flag: &'static str,
    /// The argument.
    pub arg: String,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for SetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A huge argument (a 30,000-level path) is shown by its start and length.
        let arg = match self.arg.char_indices().nth(80) {
            Some((cut, _)) => format!(
                "{}… ({} characters)",
                &self.arg[..cut],
                self.arg.chars().count()
            ),
            None => self.arg.clone(),
        };
        write!(f, "invalid `{} {arg}`: {}", self.flag, self.reason)
    }
}

impl SetKind {
    fn flag(self) -> &'static str {
        match self {
            SetKind::Typed => "--set",
            SetKind::String => "--set-string",
            SetKind::Json => "--set-json",
        }
    }
}

/// Parses one flag argument into its assignments.
pub fn parse(kind: SetKind, arg: &str) -> Result<Vec<Assignment>, SetError> {
    let err = |reason: String| SetError {
        flag: kind.flag(),
        arg: arg.to_string(),
        reason,
    };
    let parts = if kind == SetKind::Json {
        vec![arg.to_string()]
    } else {
        split_unescaped(arg, ',')
    };
    let mut out = Vec::new();
    let mut pending: Option<String> = None;
    for part in parts {
        // A list literal `a={x,y}` was split at its commas: join it back.
        let part = match pending.take() {
            Some(p) => format!("{p},{part}"),
            None => part,
        };
        if kind != SetKind::Json && opens_list(&part) && !part.ends_with('}') {
            pending = Some(part);
            continue;
        }
        let Some(eq) = find_unescaped(&part, '=') else {
            return Err(err(format!("`{part}` has no `=`; write `path=value`")));
        };
        let (key, raw) = (&part[..eq], &part[eq + 1..]);
        let path = parse_path(key).map_err(err)?;
        let value = match kind {
            SetKind::Json => {
                serde_json::from_str(raw).map_err(|e| err(format!("the value is not JSON: {e}")))?
            }
            SetKind::String => serde_json::Value::String(unescape(raw)),
            SetKind::Typed => typed(raw),
        };
        out.push(Assignment {
            path,
            value,
            label: format!("{} {part}", kind.flag()),
        });
    }
    if let Some(p) = pending {
        return Err(err(format!(
            "`{p}` opens a list with `{{` that is never closed"
        )));
    }
    Ok(out)
}

fn opens_list(part: &str) -> bool {
    find_unescaped(part, '=').is_some_and(|eq| part[eq + 1..].starts_with('{'))
}

fn typed(raw: &str) -> serde_json::Value {
    use serde_json::Value as J;
    if raw.starts_with('{') && raw.ends_with('}') {
        let inner = &raw[1..raw.len() - 1];
        if inner.is_empty() {
            return J::Array(Vec::new());
        }
        return J::Array(
            split_unescaped(inner, ',')
                .iter()
                .map(|s| typed(s))
                .collect(),
        );
    }
    match raw {
        "true" => return J::Bool(true),
        "false" => return J::Bool(false),
        "null" => return J::Null,
        _ => {}
    }
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if canonical && let Ok(i) = raw.parse::<i64>() {
        return J::from(i);
    }
    J::String(unescape(raw))
}

/// The most segments a `--set` path may have: the same bound as nesting in a YAML file.
pub const MAX_PATH_DEPTH: usize = crate::yaml::MAX_DEPTH;

/// Parses a values path such as `a.b[0].c` (the part before `=`). The first segment is a key
/// (the values root is a map) and there are at most [`MAX_PATH_DEPTH`] segments.
pub fn parse_path(key: &str) -> Result<Vec<Seg>, String> {
    if key.is_empty() {
        return Err("the path before `=` is empty".to_string());
    }
    let mut segs = Vec::new();
    for part in split_unescaped(key, '.') {
        let mut rest = part.as_str();
        let name_end = find_unescaped(rest, '[').unwrap_or(rest.len());
        let name = unescape(&rest[..name_end]);
        if name.is_empty() && name_end == rest.len() {
            return Err(format!("`{key}` has an empty key"));
        }
        if !name.is_empty() {
            segs.push(Seg::Key(name));
        }
        rest = &rest[name_end..];
        while let Some(r) = rest.strip_prefix('[') {
            let close = r
                .find(']')
                .ok_or_else(|| format!("`{key}` has an unclosed `[`"))?;
            let idx: usize = r[..close]
                .parse()
                .map_err(|_| format!("`[{}]` in `{key}` is not a list index", &r[..close]))?;
            if idx > 10_000 {
                return Err(format!(
                    "list index {idx} in `{key}` is too large (at most 10000)"
                ));
            }
            segs.push(Seg::Index(idx));
            rest = &r[close + 1..];
        }
        if !rest.is_empty() {
            return Err(format!("unexpected `{rest}` after `]` in `{key}`"));
        }
        if segs.len() > MAX_PATH_DEPTH {
            return Err(format!(
                "the path is deeper than {MAX_PATH_DEPTH} levels (the deepest nesting a values file may have)"
            ));
        }
    }
    if matches!(segs.first(), Some(Seg::Index(_))) {
        return Err(format!(
            "`{key}` starts with a list index, but the values root is a map; start with a key, e.g. `servers[0]=...`"
        ));
    }
    Ok(segs)
}

/// The byte offsets of `c` in `s` where no backslash escapes it.
fn unescaped(s: &str, c: char) -> impl Iterator<Item = usize> + '_ {
    let mut escaped = false;
    s.char_indices().filter_map(move |(i, ch)| {
        if escaped {
            escaped = false;
        } else if ch == '\\' {
            escaped = true;
        } else if ch == c {
            return Some(i);
        }
        None
    })
}

fn find_unescaped(s: &str, c: char) -> Option<usize> {
    unescaped(s, c).next()
}

fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in unescaped(s, sep) {
        out.push(s[start..i].to_string());
        start = i + sep.len_utf8();
    }
    out.push(s[start..].to_string());
    out
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(kind: SetKind, arg: &str) -> (String, serde_json::Value) {
        let mut a = parse(kind, arg).unwrap();
        assert_eq!(a.len(), 1);
        let a = a.remove(0);
        (display_path(&a.path), a.value)
    }

    #[test]
    fn ip_and_version_values_stay_strings() {
        assert_eq!(
            one(SetKind::Typed, "vip=10.0.0.5"),
            ("vip".into(), json!("10.0.0.5"))
        );
        assert_eq!(
            one(SetKind::Typed, "k8s=1.30"),
            ("k8s".into(), json!("1.30"))
        );
        assert_eq!(one(SetKind::Typed, "mtu=9000"), ("mtu".into(), json!(9000)));
        assert_eq!(one(SetKind::Typed, "zip=007"), ("zip".into(), json!("007")));
        assert_eq!(one(SetKind::Typed, "on=true"), ("on".into(), json!(true)));
        assert_eq!(
            one(SetKind::Typed, "gone=null"),
            ("gone".into(), json!(null))
        );
        assert_eq!(
            one(SetKind::String, "mtu=9000"),
            ("mtu".into(), json!("9000"))
        );
    }

    #[test]
    fn paths_with_indices_and_escapes() {
        assert_eq!(
            one(SetKind::Typed, "a.b[0].c=x"),
            ("a.b[0].c".into(), json!("x"))
        );
        let a = parse(SetKind::Typed, r"labels.topology\.kubernetes\.io/zone=z1").unwrap();
        assert_eq!(
            a[0].path,
            vec![
                Seg::Key("labels".into()),
                Seg::Key("topology.kubernetes.io/zone".into())
            ]
        );
    }

    #[test]
    fn commas_split_assignments_and_lists() {
        let a = parse(SetKind::Typed, "a=1,b=x\\,y,c={p,q}").unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!(a[1].value, json!("x,y"));
        assert_eq!(a[2].value, json!(["p", "q"]));
    }

    #[test]
    fn a_path_cannot_replace_the_values_root_with_a_list() {
        let e = parse(SetKind::Typed, "[0]=1").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid `--set [0]=1`: `[0]` starts with a list index, but the values root is a map; start with a key, e.g. `servers[0]=...`"
        );
    }

    #[test]
    fn deep_paths_are_bounded() {
        let ok = vec!["a"; MAX_PATH_DEPTH].join(".") + "=1";
        assert_eq!(
            parse(SetKind::Typed, &ok).unwrap()[0].path.len(),
            MAX_PATH_DEPTH
        );
        let deep = vec!["a"; 30_000].join(".") + "=1";
        let e = parse(SetKind::Typed, &deep).unwrap_err();
        assert!(e.reason.contains("deeper than 200 levels"), "{}", e.reason);
        assert!(
            e.to_string().len() < 300,
            "the message shows the argument's start only"
        );
        assert!(e.to_string().contains("… (60001 characters)"), "{e}");
        let deep = "a".to_string() + &"[0]".repeat(30_000) + "=1";
        assert!(parse(SetKind::Typed, &deep).is_err());
    }

    #[test]
    fn json_values() {
        assert_eq!(
            one(SetKind::Json, r#"ntp={"servers":["a","b"]}"#),
            ("ntp".into(), json!({"servers": ["a", "b"]}))
        );
    }

    #[test]
    fn malformed_arguments_name_the_problem() {
        let e = parse(SetKind::Typed, "novalue").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid `--set novalue`: `novalue` has no `=`; write `path=value`"
        );
        let e = parse(SetKind::Typed, "a[x]=1").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid `--set a[x]=1`: `[x]` in `a[x]` is not a list index"
        );
        let e = parse(SetKind::Json, "a={bad").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("invalid `--set-json a={bad`: the value is not JSON")
        );
    }
}

//! A byte-exact re-implementation of the subset of Go's `gopkg.in/yaml.v3` `Marshal` output that
//! Image Factory schematics need. In: a small tree of [`Node`]s (maps in the order they should be
//! written, lists, scalars). Out: the text `yaml.Marshal` would produce for the same Go value,
//! so that hashing it gives the factory's schematic ID.
//!
//! What is reproduced: 4-space indentation with lists indented under their key and maps inside
//! list items starting after `- `; `{}` and `[]` for empty collections; yaml.v3's choice of plain,
//! single-quoted or double-quoted style for strings (strings that would read back as a bool,
//! null, number or timestamp, or as a YAML 1.1 bool such as `yes`/`on`, are double quoted;
//! strings that start with an indicator or contain `: ` / ` #` are single quoted; tabs and
//! non-printable characters force double quotes with yaml.v3's escapes); Go's shortest float
//! format; and yaml.v3's "natural" map-key order ([`key_less`]). Lines are never folded (yaml.v3
//! sets no width limit).
//!
//! Multi-line values become literal block scalars (`|`, `|-`, `|+`, with an indentation digit
//! when the text starts with a space or line break) or, where libyaml forbids a block,
//! double-quoted strings with `\n` escapes ([`value_str`]).
//!
//! The output was checked byte for byte against gopkg.in/yaml.v3 v3.0.1 on about 10,000
//! generated schematics (tricky strings, random strings, nested overlay options).
//!
//! Not reproduced (reported as [`Unsupported`]): Unicode line/paragraph separators (U+2028,
//! U+2029), map keys containing a line break and keys longer than 128 bytes (yaml.v3 writes
//! those as complex `? key` entries).

use std::cmp::Ordering;
use std::fmt::Write as _;

/// A value to marshal.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A string (quoted as yaml.v3 would).
    Str(String),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    Uint(u64),
    /// A float, written in Go's shortest `%g` form.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// `null`.
    Null,
    /// A list.
    Seq(Vec<Node>),
    /// A map whose entries are written in the given order.
    Map(Vec<(String, Node)>),
}

impl Node {
    /// A string scalar.
    pub fn str(s: impl Into<String>) -> Node {
        Node::Str(s.into())
    }

    /// A map from `(key, value)` pairs, written in the given order.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Node)>) -> Node {
        Node::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

/// A value yaml.v3 would marshal in a way this module does not reproduce.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unsupported(pub String);

const INDENT: usize = 4;

/// Marshals `root` (normally a [`Node::Map`]) as `yaml.Marshal` would.
pub fn marshal(root: &Node) -> Result<String, Unsupported> {
    let mut out = String::new();
    match root {
        Node::Map(entries) if !entries.is_empty() => write_map(&mut out, entries, 0, false)?,
        Node::Seq(items) if !items.is_empty() => write_seq(&mut out, items, 0, false)?,
        other => {
            out.push_str(&inline(other)?);
            out.push('\n');
        }
    }
    Ok(out)
}

/// Sorts map keys the way yaml.v3 sorts the keys of a Go `map[string]any`.
pub fn sort_keys<T>(entries: &mut [(String, T)]) {
    entries.sort_by(|a, b| {
        if key_less(&a.0, &b.0) {
            Ordering::Less
        } else if key_less(&b.0, &a.0) {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    });
}

/// yaml.v3's `keyList.Less` for two string keys: letters compare by code point, runs of digits
/// compare by value, and at the first difference a non-letter sorts before a letter unless the
/// previous character was a digit.
pub fn key_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut digits = false;
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            digits = ar[i].is_ascii_digit();
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return if digits { al } else { bl };
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i] == '0' || br[i] == '0' {
            for j in (0..i).rev() {
                if !ar[j].is_ascii_digit() {
                    break;
                }
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an
                .wrapping_mul(10)
                .wrapping_add(i64::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(i64::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// The indentation yaml.v3 gives to a collection nested under a map key at `indent`.
fn nested(indent: usize) -> usize {
    INDENT * ((indent + INDENT) / INDENT)
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn write_map(
    out: &mut String,
    entries: &[(String, Node)],
    indent: usize,
    first_inline: bool,
) -> Result<(), Unsupported> {
    for (i, (key, value)) in entries.iter().enumerate() {
        if !(first_inline && i == 0) {
            pad(out, indent);
        }
        if key.len() > 128 {
            return Err(Unsupported(format!(
                "map key {key:?} is longer than 128 bytes"
            )));
        }
        out.push_str(&scalar_str(key)?);
        out.push(':');
        match value {
            Node::Map(inner) if !inner.is_empty() => {
                out.push('\n');
                write_map(out, inner, nested(indent), false)?;
            }
            Node::Seq(items) if !items.is_empty() => {
                out.push('\n');
                write_seq(out, items, nested(indent), false)?;
            }
            Node::Str(text) => {
                out.push(' ');
                out.push_str(&value_str(text, nested(indent))?);
                out.push('\n');
            }
            other => {
                out.push(' ');
                out.push_str(&inline(other)?);
                out.push('\n');
            }
        }
    }
    Ok(())
}

fn write_seq(
    out: &mut String,
    items: &[Node],
    indent: usize,
    first_inline: bool,
) -> Result<(), Unsupported> {
    for (i, item) in items.iter().enumerate() {
        if !(first_inline && i == 0) {
            pad(out, indent);
        }
        out.push_str("- ");
        match item {
            Node::Map(inner) if !inner.is_empty() => write_map(out, inner, indent + 2, true)?,
            Node::Seq(inner) if !inner.is_empty() => write_seq(out, inner, indent + 2, true)?,
            Node::Str(text) => {
                out.push_str(&value_str(text, indent + 2)?);
                out.push('\n');
            }
            other => {
                out.push_str(&inline(other)?);
                out.push('\n');
            }
        }
    }
    Ok(())
}

/// A scalar or an empty collection, as written after `key: ` or `- `.
fn inline(node: &Node) -> Result<String, Unsupported> {
    Ok(match node {
        Node::Str(s) => value_str(s, 0)?,
        Node::Int(i) => i.to_string(),
        Node::Uint(u) => u.to_string(),
        Node::Float(f) => go_float(*f),
        Node::Bool(b) => b.to_string(),
        Node::Null => "null".to_string(),
        Node::Seq(_) => "[]".to_string(),
        Node::Map(_) => "{}".to_string(),
    })
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)` with yaml.v3's spellings of infinities and NaN.
pub fn go_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    // Rust's `{:e}` gives the shortest round-tripping digits, like Go's -1 precision.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci
        .split_once('e')
        .expect("LowerExp always has an exponent");
    let exp: i32 = exp.parse().expect("LowerExp exponent is an integer");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::from(if f < 0.0 { "-" } else { "" });
    // Go's shortest %g switches to exponent form when exp < -4 || exp >= 6.
    if !(-4..6).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
        return out;
    }
    let dp = exp + 1;
    if dp <= 0 {
        out.push_str("0.");
        pad_zeros(&mut out, (-dp) as usize);
        out.push_str(&digits);
    } else if dp as usize >= digits.len() {
        out.push_str(&digits);
        pad_zeros(&mut out, dp as usize - digits.len());
    } else {
        out.push_str(&digits[..dp as usize]);
        out.push('.');
        out.push_str(&digits[dp as usize..]);
    }
    out
}

fn pad_zeros(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n('0', n));
}

/// How yaml.v3 writes the single-line string `s` (a map key, or a value without line breaks):
/// plain, `'single'` or `"double"` quoted.
pub fn scalar_str(s: &str) -> Result<String, Unsupported> {
    if s.chars().any(is_break) {
        return Err(Unsupported(format!(
            "the key {s:?} contains a line break; keys must be single-line"
        )));
    }
    Ok(single_line(s))
}

/// yaml.v3's style choice for text without `\n`: plain, single or double quoted.
fn single_line(s: &str) -> String {
    let can_use_plain = resolves_to_str(s) && !is_base60_float(s) && !is_old_bool(s);
    if !can_use_plain {
        return double_quoted(s);
    }
    let analysis = analyze(s);
    if analysis.plain_allowed {
        s.to_string()
    } else if analysis.single_allowed {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        double_quoted(s)
    }
}

/// How yaml.v3 writes the string `s` after `key: ` or `- `, when its lines would be indented by
/// `indent` spaces: multi-line text becomes a literal block scalar (`|`, `|-`, with an
/// indentation digit when it starts with a space or line break), or a double-quoted string when
/// libyaml does not allow a block (trailing space, space before a line break, non-printable
/// characters). Single-line text goes through [`scalar_str`]. The result has no final newline.
pub fn value_str(s: &str, indent: usize) -> Result<String, Unsupported> {
    if s.contains(['\u{2028}', '\u{2029}']) {
        return Err(Unsupported(format!(
            "the string {s:?} contains a Unicode line or paragraph separator, which is not supported"
        )));
    }
    if !s.contains('\n') {
        return Ok(single_line(s));
    }
    let chars: Vec<char> = s.chars().collect();
    let trailing_space = chars.last() == Some(&' ');
    let space_break = chars.windows(2).any(|w| w[0] == ' ' && is_break(w[1]));
    let special = chars.iter().any(|c| *c != '\t' && !is_printable(*c));
    if trailing_space || space_break || special {
        return Ok(double_quoted(s));
    }
    let ends_with_break = s.ends_with('\n');
    let keep =
        s == "\n" || (ends_with_break && chars.len() >= 2 && is_break(chars[chars.len() - 2]));
    let mut out = String::from("|");
    if chars[0] == ' ' || is_break(chars[0]) {
        let _ = write!(out, "{INDENT}");
    }
    if keep {
        out.push('+');
    } else if !ends_with_break {
        out.push('-');
    }
    // yaml.v3 (v3.0.1) ends the header line with the first character's own line break when
    // the text starts with one, otherwise with the indentation written before the first line.
    let mut at_line_start = false;
    let mut after_break = true;
    for c in chars {
        if c == '\n' {
            out.push('\n');
            at_line_start = true;
            after_break = true;
        } else {
            if after_break {
                if !at_line_start {
                    out.push('\n');
                }
                pad(&mut out, indent);
            }
            out.push(c);
            at_line_start = false;
            after_break = false;
        }
    }
    if ends_with_break {
        out.pop();
    }
    Ok(out)
}

struct Analysis {
    plain_allowed: bool,
    single_allowed: bool,
}

fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}')
        || (('\u{E000}'..='\u{FFFD}').contains(&c) && c != '\u{FEFF}')
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// The block-context parts of libyaml's `yaml_emitter_analyze_scalar` (line breaks are
/// rejected before this runs).
fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis {
            plain_allowed: true,
            single_allowed: true,
        };
    }
    let chars: Vec<char> = s.chars().collect();
    let mut block_indicators = s.starts_with("---") || s.starts_with("...");
    let mut special = false;
    let mut tabs = false;
    let mut preceded_by_ws = true;
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_ws = chars.get(i + 1).is_none_or(|n| is_blank(*n));
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_ws => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_ws => block_indicators = true,
                '#' if preceded_by_ws => block_indicators = true,
                _ => {}
            }
        }
        if c == '\t' {
            tabs = true;
        } else if !is_printable(c) {
            special = true;
        }
        preceded_by_ws = is_blank(c) || is_break(c);
    }
    let leading_space = chars[0] == ' ' || is_break(chars[0]);
    let trailing_space = chars[chars.len() - 1] == ' ' || is_break(chars[chars.len() - 1]);
    let mut plain = !(leading_space || trailing_space || block_indicators);
    let mut single = true;
    if tabs || special {
        plain = false;
        single = false;
    }
    if chars.iter().any(|c| is_break(*c)) {
        plain = false;
        // A break next to a space also rules out single quotes (libyaml's space_break and
        // break_space); breaks here are only \r and U+0085, which are non-printable anyway.
    }
    Analysis {
        plain_allowed: plain,
        single_allowed: single,
    }
}

/// libyaml's double-quoted writer: escapes quotes, backslashes, breaks, the BOM and every
/// non-printable character.
fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if is_printable(c) && c != '\u{FEFF}' && !is_break(c) && c != '"' && c != '\\' {
            out.push(c);
            continue;
        }
        out.push('\\');
        match c {
            '\0' => out.push('0'),
            '\u{07}' => out.push('a'),
            '\u{08}' => out.push('b'),
            '\t' => out.push('t'),
            '\n' => out.push('n'),
            '\u{0B}' => out.push('v'),
            '\u{0C}' => out.push('f'),
            '\r' => out.push('r'),
            '\u{1B}' => out.push('e'),
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            '\u{85}' => out.push('N'),
            '\u{A0}' => out.push('_'),
            '\u{2028}' => out.push('L'),
            '\u{2029}' => out.push('P'),
            c if (c as u32) <= 0xFF => {
                let _ = write!(out, "x{:02X}", c as u32);
            }
            c if (c as u32) <= 0xFFFF => {
                let _ = write!(out, "u{:04X}", c as u32);
            }
            c => {
                let _ = write!(out, "U{:08X}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

fn is_old_bool(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "off"
            | "Off"
            | "OFF"
    )
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    i += 1;
    while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        // [0-5]?[0-9]
        match (b.get(i), b.get(i + 1)) {
            (Some(b'0'..=b'5'), Some(d1)) if d1.is_ascii_digit() => i += 2,
            (Some(d), _) if d.is_ascii_digit() => i += 1,
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// Whether yaml.v3's `resolve("", s)` would give `!!str` (so the string may be written plain).
fn resolves_to_str(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "true", "True", "TRUE", "false", "False", "FALSE", "", "~", "null", "Null", "NULL", ".nan",
        ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
        "-.INF",
    ];
    let Some(&first) = s.as_bytes().first() else {
        return false; // "" resolves to null
    };
    let hinted =
        matches!(first, b'+' | b'-' | b'0'..=b'9' | b'.') || b"yYnNtTfFoO~".contains(&first);
    if !hinted {
        return true;
    }
    if SPECIAL.contains(&s) {
        return false;
    }
    match first {
        b'.' => !go_parse_float_ok(s),
        b'+' | b'-' | b'0'..=b'9' => {
            if is_timestamp(s) {
                return false;
            }
            let plain = s.replace('_', "");
            if go_parse_int_base0(&plain) || is_yaml_style_float(&plain) {
                return false;
            }
            let prefixed = |p: &str, radix: u32| {
                plain
                    .strip_prefix(p)
                    .is_some_and(|rest| go_parse_radix(rest, radix))
            };
            let neg_prefixed = |p: &str, radix: u32| {
                plain
                    .strip_prefix(p)
                    .is_some_and(|rest| go_parse_radix(&format!("-{rest}"), radix))
            };
            !(prefixed("0b", 2)
                || neg_prefixed("-0b", 2)
                || prefixed("0o", 8)
                || neg_prefixed("-0o", 8))
        }
        _ => true,
    }
}

/// `strconv.ParseFloat(s, 64)` succeeding, for text starting with `.`: `.5`, `.5e3`.
fn go_parse_float_ok(s: &str) -> bool {
    is_yaml_style_float(s) && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$` and finite (Go reports overflow).
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len() && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// `strconv.ParseInt(s, 0, 64)` or `strconv.ParseUint(s, 0, 64)` succeeding.
fn go_parse_int_base0(s: &str) -> bool {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return false;
    }
    let Ok(value) = u128::from_str_radix(digits, radix) else {
        return false;
    };
    if neg {
        value <= 1u128 << 63
    } else {
        value <= u128::from(u64::MAX)
    }
}

/// `strconv.ParseInt(s, radix, 64)` or `ParseUint` succeeding (sign allowed for ParseInt).
fn go_parse_radix(s: &str, radix: u32) -> bool {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return false;
    }
    match u128::from_str_radix(digits, radix) {
        Ok(v) if neg => v <= 1u128 << 63,
        Ok(v) => v <= u128::from(u64::MAX),
        Err(_) => false,
    }
}

/// yaml.v3's `parseTimestamp`: `YYYY-M-D`, optionally followed by `T`/`t`/space and
/// `H:M:S[.frac]` (with `Z` or `±hh:mm` after a `T`).
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let mut i = 5;
    let num = |i: &mut usize, max_len: usize| -> Option<u32> {
        let start = *i;
        while *i < b.len() && *i - start < max_len && b[*i].is_ascii_digit() {
            *i += 1;
        }
        (start != *i).then(|| s[start..*i].parse().ok()).flatten()
    };
    let year: u32 = s[..4].parse().unwrap_or(0);
    let Some(month) = num(&mut i, 2) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(day) = num(&mut i, 2) else {
        return false;
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let sep = b[i];
    if !matches!(sep, b'T' | b't' | b' ') {
        return false;
    }
    i += 1;
    let time_ok = (|| {
        let h = num(&mut i, 2)?;
        (b.get(i) == Some(&b':')).then_some(())?;
        i += 1;
        let m = num(&mut i, 2)?;
        (b.get(i) == Some(&b':')).then_some(())?;
        i += 1;
        let sec = num(&mut i, 2)?;
        (h < 24 && m < 60 && sec < 60).then_some(())
    })();
    if time_ok.is_none() {
        return false;
    }
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if sep == b' ' {
        return i == b.len();
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let z = &b[i + 1..];
            z.len() == 5
                && z[..2].iter().all(u8::is_ascii_digit)
                && z[2] == b':'
                && z[3..].iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

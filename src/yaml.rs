//! YAML with positions. In: the text of a values, layer, node or chart file. Out: a [`Node`] tree
//! whose every value carries the line and column it came from, so layering can record provenance
//! and errors can point at the source. Hostile input is bounded: nesting depth and the number of
//! nodes produced by alias expansion are capped, and a violation is an ordinary error.

use std::fmt;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Deepest nesting accepted in an input file.
pub const MAX_DEPTH: usize = 200;
/// Most nodes one file may expand to (aliases included), against alias bombs.
pub const MAX_NODES: usize = 1_000_000;

/// Where a value starts in its file: 1-based line and column, and the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub col: usize,
}

impl From<Marker> for Pos {
    fn from(m: Marker) -> Self {
        Pos {
            line: m.line(),
            col: m.col() + 1,
        }
    }
}

/// A YAML value with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub kind: Kind,
    /// Where it starts.
    pub pos: Pos,
}

/// The value of a [`Node`], with YAML 1.2 core-schema scalar typing.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `~`, `null` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string (quoted, or plain text that is no other type).
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order. Keys are the text of scalar keys.
    Map(Vec<(String, Pos, Node)>),
}

/// A YAML file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// What is wrong, lower case, without position.
    pub message: String,
    /// Where, when known.
    pub pos: Option<Pos>,
}

impl Node {
    /// The map entries, if this is a map.
    pub fn as_map(&self) -> Option<&[(String, Pos, Node)]> {
        match &self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The value under `key`, if this is a map holding it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, _, v)| v)
    }

    /// The string, if this is a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A short name of the node's type for error messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Int(_) => "an integer",
            Kind::Float(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a map",
        }
    }

    /// Converts to a `serde_yaml_ng` value (maps keep their order).
    pub fn to_yaml_value(&self) -> serde_yaml_ng::Value {
        use serde_yaml_ng::Value as Y;
        match &self.kind {
            Kind::Null => Y::Null,
            Kind::Bool(b) => Y::Bool(*b),
            Kind::Int(i) => Y::Number((*i).into()),
            Kind::Float(f) => Y::Number((*f).into()),
            Kind::Str(s) => Y::String(s.clone()),
            Kind::Seq(items) => Y::Sequence(items.iter().map(Node::to_yaml_value).collect()),
            Kind::Map(entries) => Y::Mapping(
                entries
                    .iter()
                    .map(|(k, _, v)| (Y::String(k.clone()), v.to_yaml_value()))
                    .collect(),
            ),
        }
    }

    /// [`Node::to_yaml_value`], taking the node apart instead of copying its strings.
    pub fn into_yaml_value(self) -> serde_yaml_ng::Value {
        use serde_yaml_ng::Value as Y;
        match self.kind {
            Kind::Null => Y::Null,
            Kind::Bool(b) => Y::Bool(b),
            Kind::Int(i) => Y::Number(i.into()),
            Kind::Float(f) => Y::Number(f.into()),
            Kind::Str(s) => Y::String(s),
            Kind::Seq(items) => Y::Sequence(items.into_iter().map(Node::into_yaml_value).collect()),
            Kind::Map(entries) => Y::Mapping(
                entries
                    .into_iter()
                    .map(|(k, _, v)| (Y::String(k), v.into_yaml_value()))
                    .collect(),
            ),
        }
    }

    /// Converts to JSON (maps keep their order).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.kind {
            Kind::Null => J::Null,
            Kind::Bool(b) => J::Bool(*b),
            Kind::Int(i) => J::from(*i),
            Kind::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Kind::Str(s) => J::String(s.clone()),
            Kind::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Kind::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, _, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// Parses every document of `text`. An empty file gives no documents.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, YamlError> {
    check_characters(text)?;
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    let parsed = parser.load(&mut builder, true);
    // Our own limits fire first and say more than the parser's.
    if let Some(err) = builder.error {
        return Err(err);
    }
    parsed.map_err(|e| YamlError {
        message: if e.info().contains("recursion limit") {
            format!("nesting deeper than {MAX_DEPTH} levels")
        } else {
            e.info().to_string()
        },
        pos: Some(Pos::from(*e.marker())),
    })?;
    Ok(builder.docs)
}

/// Parses a file that holds at most one document; an empty file is `Null`.
pub fn parse_single(text: &str) -> Result<Node, YamlError> {
    let mut docs = parse_documents(text)?;
    match docs.len() {
        0 => Ok(Node {
            kind: Kind::Null,
            pos: Pos { line: 1, col: 1 },
        }),
        1 => Ok(docs.remove(0)),
        _ => Err(YamlError {
            message: format!("expected one YAML document, found {}", docs.len()),
            pos: Some(docs[1].pos),
        }),
    }
}

/// Rejects characters YAML 1.2 does not allow in a stream (§5.1): C0 controls other than tab, LF
/// and CR, DEL, C1 controls other than NEL, and U+FFFE/U+FFFF. The parser would otherwise stop
/// at a NUL as if the file ended there, silently dropping the rest.
fn check_characters(text: &str) -> Result<(), YamlError> {
    let bad = |c: char| {
        matches!(c, '\0'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}')
            || ('\u{80}'..='\u{9f}').contains(&c) && c != '\u{85}'
            || c == '\u{fffe}'
            || c == '\u{ffff}'
    };
    let Some(at) = text.find(bad) else {
        return Ok(());
    };
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    let c = text[at..].chars().next().unwrap_or('\0');
    let message = if c == '\0' {
        "NUL byte (U+0000), which YAML does not allow (is the file binary or damaged?)".to_string()
    } else {
        format!(
            "control character U+{:04X}, which YAML does not allow; remove it",
            u32::from(c)
        )
    };
    Err(YamlError {
        message,
        pos: Some(Pos { line, col }),
    })
}

enum Frame {
    Seq(Vec<Node>, Pos, usize),
    Map(MapFrame, Pos, usize),
}

/// A mapping being built: its entries, the key waiting for its value, and the keys seen so far
/// (a hash set, so the duplicate check costs O(1) per key, not a scan of the entries).
#[derive(Default)]
struct MapFrame {
    entries: Vec<(String, Pos, Node)>,
    pending: Option<(String, Pos)>,
    seen: std::collections::HashSet<String>,
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    docs: Vec<Node>,
    anchors: std::collections::HashMap<usize, Node>,
    count: usize,
    error: Option<YamlError>,
}

impl Builder {
    fn fail(&mut self, message: String, pos: Pos) {
        if self.error.is_none() {
            self.error = Some(YamlError {
                message,
                pos: Some(pos),
            });
        }
    }

    fn push_value(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq(items, _, _)) => items.push(node),
            Some(Frame::Map(m, _, _)) => match m.pending.take() {
                None => match key_text(&node) {
                    Some(k) => m.pending = Some((k, node.pos)),
                    None => {
                        let pos = node.pos;
                        self.fail(
                            format!("map keys must be scalars, found {}", node.type_name()),
                            pos,
                        );
                        // Keep the parser's shape consistent.
                        if let Some(Frame::Map(m, _, _)) = self.stack.last_mut() {
                            m.pending = Some((String::new(), pos));
                        }
                    }
                },
                Some((key, kpos)) => {
                    if !m.seen.insert(key.clone()) {
                        let msg = format!("duplicate key `{key}`");
                        self.fail(msg, kpos);
                        return;
                    }
                    m.entries.push((key, kpos, node));
                }
            },
        }
    }

    /// A finished sequence or mapping: counted, remembered under its anchor (if any), placed.
    fn close(&mut self, kind: Kind, start: Pos, anchor: usize) {
        let node = Node { kind, pos: start };
        if !self.count_nodes(1, start) {
            return;
        }
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        self.push_value(node);
    }

    fn count_nodes(&mut self, n: usize, pos: Pos) -> bool {
        self.count += n;
        if self.count > MAX_NODES {
            self.fail(
                format!(
                    "document has more than {MAX_NODES} values (keys and items count, aliases expanded): the most one file may hold (an alias bomb?)"
                ),
                pos,
            );
            return false;
        }
        true
    }
}

fn key_text(node: &Node) -> Option<String> {
    Some(match &node.kind {
        Kind::Str(s) => s.clone(),
        Kind::Int(i) => i.to_string(),
        Kind::Bool(b) => b.to_string(),
        Kind::Float(f) => f.to_string(),
        Kind::Null => "null".to_string(),
        _ => return None,
    })
}

fn size(node: &Node) -> usize {
    match &node.kind {
        Kind::Seq(items) => 1 + items.iter().map(size).sum::<usize>(),
        Kind::Map(entries) => 1 + entries.iter().map(|(_, _, v)| size(v)).sum::<usize>(),
        _ => 1,
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let pos = Pos::from(mark);
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                if !self.count_nodes(1, pos) {
                    return;
                }
                let kind = if style == TScalarStyle::Plain && tag.is_none() {
                    resolve_plain(&text)
                } else if let Some(tag) = tag {
                    resolve_tagged(&tag.handle, &tag.suffix, text)
                } else {
                    Kind::Str(text)
                };
                let node = Node { kind, pos };
                if anchor > 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                self.push_value(node);
            }
            Event::SequenceStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(format!("nesting deeper than {MAX_DEPTH} levels"), pos);
                    return;
                }
                self.stack.push(Frame::Seq(Vec::new(), pos, anchor));
            }
            Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(format!("nesting deeper than {MAX_DEPTH} levels"), pos);
                    return;
                }
                self.stack
                    .push(Frame::Map(MapFrame::default(), pos, anchor));
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq(items, start, anchor)) = self.stack.pop() {
                    self.close(Kind::Seq(items), start, anchor);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map(m, start, anchor)) = self.stack.pop() {
                    self.close(Kind::Map(merge_keys(m.entries)), start, anchor);
                }
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(node) => {
                    if !self.count_nodes(size(&node), pos) {
                        return;
                    }
                    self.push_value(Node { pos, ..node });
                }
                None => self.fail("alias to an unknown anchor".to_string(), pos),
            },
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

/// Applies YAML merge keys (`<<: *base`): entries of the merged maps that the map does not set.
fn merge_keys(entries: Vec<(String, Pos, Node)>) -> Vec<(String, Pos, Node)> {
    if !entries.iter().any(|(k, _, _)| k == "<<") {
        return entries;
    }
    let mut own = Vec::new();
    let mut merged = Vec::new();
    for (k, p, v) in entries {
        if k == "<<" {
            let sources = match v.kind {
                Kind::Seq(items) => items,
                _ => vec![v],
            };
            for src in sources {
                if let Kind::Map(m) = src.kind {
                    merged.extend(m);
                }
            }
        } else {
            own.push((k, p, v));
        }
    }
    let mut present: std::collections::HashSet<String> =
        own.iter().map(|(k, _, _)| k.clone()).collect();
    for (k, p, v) in merged {
        if present.insert(k.clone()) {
            own.push((k, p, v));
        }
    }
    own
}

fn resolve_tagged(handle: &str, suffix: &str, text: String) -> Kind {
    if handle == "tag:yaml.org,2002:" || handle == "!!" {
        match suffix {
            "str" => return Kind::Str(text),
            "int" | "float" | "bool" | "null" => return resolve_plain(&text),
            _ => {}
        }
    }
    Kind::Str(text)
}

/// Resolution of a plain scalar: the YAML 1.2 core schema, with integers read the way Talos's
/// decoder (Go yaml.v3) reads them: `0644` is octal (420), `0o755`, `0x1F` and `0b101` work, and
/// `_` separators are ignored. So a file mode written as in Talos's own docs means the same here.
pub fn resolve_plain(text: &str) -> Kind {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Kind::Null,
        "true" | "True" | "TRUE" => return Kind::Bool(true),
        "false" | "False" | "FALSE" => return Kind::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Kind::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Kind::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Kind::Float(f64::NAN),
        _ => {}
    }
    if let Some(i) = parse_int(text) {
        return Kind::Int(i);
    }
    if is_float(text)
        && let Ok(f) = text.parse::<f64>()
    {
        return Kind::Float(f);
    }
    Kind::Str(text.to_string())
}

fn parse_int(text: &str) -> Option<i64> {
    let cleaned;
    let text = if text.contains('_') && !text.starts_with('_') {
        cleaned = text.replace('_', "");
        cleaned.as_str()
    } else {
        text
    };
    let (neg, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let radix_body = |prefix: &str, radix: u32| -> Option<Option<i64>> {
        let digits = body.strip_prefix(prefix)?;
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return Some(None);
        }
        Some(i64::from_str_radix(digits, radix).ok())
    };
    let value = if let Some(v) = radix_body("0x", 16) {
        v?
    } else if let Some(v) = radix_body("0o", 8) {
        v?
    } else if let Some(v) = radix_body("0b", 2) {
        v?
    } else {
        if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if body.len() > 1 && body.starts_with('0') {
            // Go's yaml.v3 (what Talos uses) reads a leading zero as octal, as YAML 1.1 did.
            if !body.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                return None;
            }
            i64::from_str_radix(&body[1..], 8).ok()?
        } else {
            body.parse::<i64>().ok()?
        }
    };
    Some(if neg { -value } else { value })
}

fn is_float(text: &str) -> bool {
    // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let b = text.trim_start_matches(['-', '+']).as_bytes();
    if b.is_empty() || text.len() - b.len() > 1 {
        return false;
    }
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_follow_the_core_schema() {
        let doc =
            parse_single("a: 1\nb: 1.5\nc: true\nd: ~\ne: on\nf: '1'\ng: 192.168.1.10\nh: 0x1F\n")
                .unwrap();
        let j = doc.to_json();
        assert_eq!(j["a"], 1);
        assert_eq!(j["b"], 1.5);
        assert_eq!(j["c"], true);
        assert!(j["d"].is_null());
        assert_eq!(j["e"], "on", "YAML 1.2: `on` is a string");
        assert_eq!(j["f"], "1");
        assert_eq!(j["g"], "192.168.1.10");
        assert_eq!(j["h"], 31);
    }

    #[test]
    fn integers_read_as_talos_reads_them() {
        let j = parse_single("mode: 0644\no: 0o755\nb: 0b101\nbig: 1_000\nnot: 0988\nzero: 0\n")
            .unwrap()
            .to_json();
        assert_eq!(j["mode"], 420, "leading zero is octal, as in Go yaml.v3");
        assert_eq!(j["o"], 493);
        assert_eq!(j["b"], 5);
        assert_eq!(j["big"], 1000);
        assert_eq!(
            j["not"], 988.0,
            "not octal digits: a float, as in Go yaml.v3"
        );
        assert_eq!(j["zero"], 0);
    }

    #[test]
    fn positions_are_one_based() {
        let doc = parse_single("top:\n  inner: 5\n").unwrap();
        let inner = doc.get("top").unwrap().as_map().unwrap();
        assert_eq!(inner[0].1, Pos { line: 2, col: 3 });
        assert_eq!(inner[0].2.pos, Pos { line: 2, col: 10 });
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse_single("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err.message, "duplicate key `a`");
        assert_eq!(err.pos.unwrap().line, 3);
    }

    #[test]
    fn alias_bomb_is_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let started = std::time::Instant::now();
        let err = parse_single(&text).unwrap_err();
        assert!(err.message.contains("alias bomb"), "{}", err.message);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn deep_nesting_is_bounded() {
        // deeper than our limit, shallower than the parser's
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let err = parse_single(&text).unwrap_err();
        assert!(err.message.contains("nesting deeper"), "{}", err.message);
    }

    #[test]
    fn merge_keys_fill_missing_entries() {
        let doc = parse_single("base: &b {x: 1, y: 2}\nover:\n  <<: *b\n  y: 3\n").unwrap();
        let j = doc.to_json();
        assert_eq!(j["over"], serde_json::json!({"y": 3, "x": 1}));
    }
}

#[cfg(test)]
mod hardening_tests {
    use super::*;

    #[test]
    fn many_keys_in_one_map_parse_in_linear_time() {
        // 200,000 distinct keys: a linear scan per key would make this 2·10^10 comparisons.
        let mut text = String::with_capacity(3_000_000);
        for i in 0..200_000 {
            text.push_str(&format!("k{i}: v\n"));
        }
        let doc = parse_single(&text).unwrap();
        assert_eq!(doc.as_map().unwrap().len(), 200_000);
        // A duplicate at the end is still found, with its line.
        text.push_str("k7: again\n");
        let err = parse_single(&text).unwrap_err();
        assert_eq!(err.message, "duplicate key `k7`");
        assert_eq!(err.pos.unwrap().line, 200_001);
    }

    #[test]
    fn merge_keys_with_many_entries_stay_linear() {
        let mut text = String::from("base: &b\n");
        for i in 0..100_000 {
            text.push_str(&format!("  b{i}: 1\n"));
        }
        text.push_str("over:\n  <<: *b\n");
        for i in 0..100_000 {
            text.push_str(&format!("  o{i}: 2\n"));
        }
        let doc = parse_single(&text).unwrap();
        assert_eq!(doc.get("over").unwrap().as_map().unwrap().len(), 200_000);
    }

    #[test]
    fn nul_byte_is_an_error_with_its_position() {
        let err = parse_single("# x\0\nnetwork: {mtu: 9000}\n").unwrap_err();
        assert!(err.message.contains("NUL"), "{}", err.message);
        assert_eq!(err.pos, Some(Pos { line: 1, col: 4 }));
        let err = parse_documents("type: worker\0\n: : [\n").unwrap_err();
        assert_eq!(err.pos, Some(Pos { line: 1, col: 13 }));
    }

    #[test]
    fn other_control_characters_are_errors() {
        let err = parse_single("a: 1\nb: x\u{1b}[2Jy\n").unwrap_err();
        assert!(err.message.contains("U+001B"), "{}", err.message);
        assert_eq!(err.pos, Some(Pos { line: 2, col: 5 }));
        // Tabs, CR and LF are fine; so is a BOM at the start.
        assert!(parse_single("\u{feff}a: 1\r\nb: \"x\ty\"\r\n").is_ok());
    }
}

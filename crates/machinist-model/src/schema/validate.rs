//! Validating machine-config documents. In: a contract and YAML documents (a config, or a patch).
//! Out: [`Finding`]s, each naming the document (index, kind, name), the path of the problem in
//! both YAML (`machine.network.interfaces[0].mtu`) and JSON pointer form, the offending value, a
//! message and, for unknown keys and kinds, a "did you mean" hint. Schemas are compiled once per
//! contract and shared by every thread.

use std::collections::HashMap;
use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde_json::{Map, Value};

pub use super::finding::{Finding, Related};
use super::generate::{
    Bundle, Flavor, KindEntry, REMOVED, SINCE, annotation_contract, document_schema,
};
use super::resolve::{keys_at, property_at};
use crate::Contract;
use crate::suggest::did_you_mean;

/// The label used for the legacy root document.
pub const ROOT_KIND: &str = "v1alpha1";

struct Compiled {
    schema: Value,
    validator: Validator,
}

impl Compiled {
    fn defs(&self) -> &Map<String, Value> {
        self.schema["$defs"]
            .as_object()
            .expect("generated schemas have $defs")
    }
}

/// The schemas of one model: its bundle, and the validators of each contract, compiled on first
/// use and then shared.
pub struct SchemaSet {
    bundle: Bundle,
    cache: [[OnceLock<Compiled>; 2]; 5],
}

impl SchemaSet {
    /// A schema set for `source`.
    pub fn new(source: super::generate::ModelSource) -> Self {
        SchemaSet {
            bundle: Bundle::generate(source),
            cache: Default::default(),
        }
    }

    /// The machinist model's schema set, built once per process.
    pub fn machinist() -> &'static SchemaSet {
        static SET: OnceLock<SchemaSet> = OnceLock::new();
        SET.get_or_init(|| SchemaSet::new(super::generate::ModelSource::machinist()))
    }

    /// The unfiltered bundle.
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    fn compiled(&self, contract: Contract, patch: bool) -> &Compiled {
        let slot = &self.cache[Contract::ALL
            .iter()
            .position(|c| *c == contract)
            .unwrap_or(0)][usize::from(patch)];
        slot.get_or_init(|| {
            let flavor = if patch {
                Flavor::PatchChecked
            } else {
                Flavor::Config
            };
            let schema = document_schema(&self.bundle, contract, flavor);
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .should_validate_formats(false)
                .build(&schema)
                .expect("generated schemas compile");
            Compiled { schema, validator }
        })
    }

    /// Compiles the validators of `contract` now rather than on first use.
    pub fn warm_up(&self, contract: Contract) {
        self.compiled(contract, false);
        self.compiled(contract, true);
    }
}

/// Compiles the machinist validators of `contract` now rather than on first use.
pub fn warm_up(contract: Contract) {
    SchemaSet::machinist().warm_up(contract);
}

/// Compiles the machinist validator of `contract` for whole configs (not patches) now, so that a
/// caller can build it on another thread while it does other work.
pub fn warm_up_config(contract: Contract) {
    SchemaSet::machinist().compiled(contract, false);
}

/// Converts a YAML value to JSON; non-string keys become their text, tags are dropped.
pub fn yaml_to_json(value: &serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s.clone()),
        Y::Sequence(items) => Value::Array(items.iter().map(yaml_to_json).collect()),
        Y::Mapping(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (key_text(k), yaml_to_json(v)))
                .collect(),
        ),
        Y::Tagged(t) => yaml_to_json(&t.value),
    }
}

fn key_text(k: &serde_yaml_ng::Value) -> String {
    match yaml_to_json(k) {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// The value shortened to one line of at most 60 characters.
pub fn short_value(v: &Value) -> String {
    let text = match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        format!("{}…", one_line.chars().take(59).collect::<String>())
    } else {
        one_line
    }
}

/// `machine.network.interfaces[0].mtu` from path segments, looking at `doc` to tell list indexes.
pub fn yaml_path(doc: &Value, segs: &[String]) -> String {
    let mut out = String::new();
    let mut cur = Some(doc);
    for seg in segs {
        match cur {
            Some(Value::Array(items)) => {
                out.push_str(&format!("[{seg}]"));
                cur = seg.parse::<usize>().ok().and_then(|i| items.get(i));
            }
            _ => {
                if !out.is_empty() {
                    out.push('.');
                }
                let plain = !seg.is_empty()
                    && seg
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_-/$".contains(c));
                if plain {
                    out.push_str(seg);
                } else {
                    out.push_str(&format!("{seg:?}"));
                }
                cur = cur.and_then(|c| c.get(seg.as_str()));
            }
        }
    }
    out
}

pub(crate) fn pointer(segs: &[String]) -> String {
    segs.iter()
        .map(|s| format!("/{}", machinist_patch::pointer::escape(s)))
        .collect()
}

fn segments(location: &str) -> Vec<String> {
    location
        .split('/')
        .skip(1)
        .map(super::generate::unescape_pointer)
        .collect()
}

/// Where a path falls in document order: the position of each key in its map, or the index.
fn order_key(doc: &Value, segs: &[String]) -> Vec<usize> {
    let mut key = Vec::with_capacity(segs.len());
    let mut cur = Some(doc);
    for seg in segs {
        match cur {
            Some(Value::Object(m)) => {
                key.push(m.keys().position(|k| k == seg).unwrap_or(usize::MAX));
                cur = m.get(seg);
            }
            Some(Value::Array(items)) => {
                let i = seg.parse::<usize>().unwrap_or(usize::MAX);
                key.push(i);
                cur = items.get(i);
            }
            _ => {
                key.push(usize::MAX);
                cur = None;
            }
        }
    }
    key
}

fn value_at<'a>(doc: &'a Value, segs: &[String]) -> Option<&'a Value> {
    segs.iter().try_fold(doc, |cur, seg| match cur {
        Value::Array(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
        Value::Object(m) => m.get(seg),
        _ => None,
    })
}

/// What one document is, as far as identity goes.
pub(crate) struct DocInfo<'b> {
    pub(crate) kind: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) entry: Option<&'b KindEntry>,
    pub(crate) is_root: bool,
}

/// Keys that make a kind-less document the legacy v1alpha1 one (as Talos's decoder decides).
const ROOT_KEYS: [&str; 5] = ["version", "machine", "cluster", "debug", "persist"];

struct Ctx<'a> {
    contract: Contract,
    index: usize,
    kind: Option<String>,
    name: Option<String>,
    doc: &'a Value,
    out: &'a mut Vec<Finding>,
}

impl Ctx<'_> {
    fn push(&mut self, segs: &[String], message: String, hint: Option<String>) {
        let value = value_at(self.doc, segs).map(short_value);
        self.push_value(segs, value, message, hint);
    }

    fn push_value(
        &mut self,
        segs: &[String],
        value: Option<String>,
        message: String,
        hint: Option<String>,
    ) {
        let f = Finding {
            document: self.index,
            kind: self.kind.clone(),
            name: self.name.clone(),
            path: yaml_path(self.doc, segs),
            pointer: pointer(segs),
            value,
            message,
            hint,
            rule: None,
            related: None,
        };
        if !self.out.contains(&f) {
            self.out.push(f);
        }
    }
}

/// Validates every document of a config (`patch == false`) or a patch (`patch == true`) against
/// `contract`. A config must not repeat a (kind, name) pair, and a kind without names may appear
/// once; patches may repeat documents (later ones apply on top of earlier ones).
pub fn validate_documents(
    contract: Contract,
    docs: &[serde_yaml_ng::Value],
    patch: bool,
) -> Vec<Finding> {
    let json: Vec<Value> = docs.iter().map(yaml_to_json).collect();
    validate_json_documents(contract, &json, patch)
}

/// [`validate_documents`] for documents already converted to JSON.
pub fn validate_json_documents(contract: Contract, docs: &[Value], patch: bool) -> Vec<Finding> {
    SchemaSet::machinist().validate(contract, docs, patch)
}

impl SchemaSet {
    /// [`validate_json_documents`] against this schema set.
    pub fn validate(&self, contract: Contract, docs: &[Value], patch: bool) -> Vec<Finding> {
        let bundle = &self.bundle;
        let mut out = Vec::new();
        let mut seen: HashMap<(String, Option<String>), usize> = HashMap::new();
        for (index, doc) in docs.iter().enumerate() {
            let info = identify(bundle, doc);
            let mut ctx = Ctx {
                contract,
                index,
                kind: info.kind.clone(),
                name: info.name.clone(),
                doc,
                out: &mut out,
            };
            if !check_document(&mut ctx, bundle, &info, patch) {
                continue;
            }
            if !patch && let Some(kind) = &info.kind {
                let key = (kind.clone(), info.name.clone());
                if let Some(first) = seen.get(&key) {
                    let message = match &info.name {
                        Some(n) => format!(
                            "duplicate document: `{kind}` named `{n}` is already defined by document {}",
                            first + 1
                        ),
                        None => format!(
                            "duplicate document: `{kind}` may appear only once and document {} already has it",
                            first + 1
                        ),
                    };
                    ctx.push_value(
                        &[],
                        None,
                        message,
                        Some("merge the two documents into one".into()),
                    );
                } else {
                    seen.insert(key, index);
                }
            }
            let first = ctx.out.len();
            self.schema_check(&mut ctx, &info, patch);
            out[first..].sort_by_cached_key(|f| order_key(doc, &segments(&f.pointer)));
        }
        out
    }
}

pub(crate) fn identify<'b>(bundle: &'b Bundle, doc: &Value) -> DocInfo<'b> {
    let Some(obj) = doc.as_object() else {
        return DocInfo {
            kind: None,
            name: None,
            entry: None,
            is_root: false,
        };
    };
    match obj.get("kind") {
        Some(Value::String(k)) => {
            let entry = bundle.kind(k);
            let name = if entry.is_none_or(|e| e.named) {
                obj.get("name").and_then(Value::as_str).map(str::to_string)
            } else {
                None
            };
            DocInfo {
                kind: Some(k.clone()),
                name,
                entry,
                is_root: false,
            }
        }
        Some(_) => DocInfo {
            kind: None,
            name: None,
            entry: None,
            is_root: false,
        },
        None => {
            let is_root = ROOT_KEYS.iter().any(|k| obj.contains_key(*k));
            DocInfo {
                kind: is_root.then(|| ROOT_KIND.to_string()),
                name: None,
                entry: None,
                is_root,
            }
        }
    }
}

/// Checks what the schema cannot say well: document shape and kind. Returns whether the schema
/// check should run.
fn check_document(ctx: &mut Ctx<'_>, bundle: &Bundle, info: &DocInfo<'_>, patch: bool) -> bool {
    let contract = ctx.contract;
    let doc = ctx.doc;
    if patch && doc.is_array() {
        return true;
    }
    let Some(obj) = doc.as_object() else {
        let what = match doc {
            Value::Null => "empty",
            Value::Array(_) => "a list",
            _ => "a scalar",
        };
        let hint = doc.is_array().then(|| {
            "a list of JSON 6902 operations is a patch: validate it with --patch".to_string()
        });
        ctx.push(
            &[],
            format!("a document must be a map, this one is {what}"),
            hint,
        );
        return false;
    };
    if let Some(kind) = obj.get("kind") {
        let Some(kind) = kind.as_str() else {
            ctx.push(&["kind".into()], "`kind` must be a string".into(), None);
            return false;
        };
        match info.entry {
            Some(entry) if entry.in_contract(contract) => true,
            Some(entry) => {
                let message = if entry.since > contract {
                    format!(
                        "`{kind}` is not accepted by Talos {contract}; it exists from {}",
                        entry.since
                    )
                } else {
                    let removed = entry.removed.map(|r| r.to_string()).unwrap_or_default();
                    format!(
                        "`{kind}` is not accepted by Talos {contract}; it was removed in {removed}"
                    )
                };
                ctx.push(&["kind".into()], message, None);
                false
            }
            None => {
                let known = bundle
                    .kinds
                    .iter()
                    .filter(|k| k.in_contract(contract))
                    .map(|k| k.kind);
                let hint = crate::lookalike::describe(doc)
                    .map(str::to_string)
                    .or_else(|| did_you_mean(kind, known).map(|k| format!("did you mean `{k}`?")));
                ctx.push(
                    &["kind".into()],
                    format!("unknown kind `{kind}` in Talos {contract}"),
                    hint,
                );
                false
            }
        }
    } else if info.is_root || (patch && obj.is_empty()) {
        true
    } else {
        ctx.push(
            &[],
            "document has no `kind` and is not a v1alpha1 config (no `version`, `machine` or `cluster` key)".into(),
            crate::lookalike::describe(doc).map(str::to_string),
        );
        false
    }
}

/// Removes `$patch` markers from a patch document, reporting markers that are not `delete`.
fn strip_patch_markers(
    ctx: &mut Ctx<'_>,
    value: &mut Value,
    segs: &mut Vec<String>,
    markers: &mut Vec<String>,
) {
    match value {
        Value::Object(obj) => {
            if let Some(directive) = obj.remove("$patch")
                && directive != Value::String("delete".into())
            {
                segs.push("$patch".into());
                ctx.push_value(
                    segs,
                    Some(short_value(&directive)),
                    "`$patch` must be `delete`".into(),
                    None,
                );
                segs.pop();
            }
            obj.retain(|_, v| !is_delete_marker(v));
            for (k, v) in obj.iter_mut() {
                segs.push(k.clone());
                strip_patch_markers(ctx, v, segs, markers);
                segs.pop();
            }
        }
        Value::Array(items) => {
            // A bare marker item stays in place (so later indexes keep their meaning) and errors
            // at its position are ignored; items with other keys are checked once `$patch` is gone.
            for (i, v) in items.iter_mut().enumerate() {
                segs.push(i.to_string());
                if is_delete_marker(v) {
                    markers.push(pointer(segs));
                } else {
                    strip_patch_markers(ctx, v, segs, markers);
                }
                segs.pop();
            }
        }
        _ => {}
    }
}

fn is_delete_marker(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|o| o.len() == 1 && o.get("$patch") == Some(&Value::String("delete".into())))
}

impl SchemaSet {
    fn schema_check(&self, ctx: &mut Ctx<'_>, info: &DocInfo<'_>, patch: bool) {
        let compiled = self.compiled(ctx.contract, patch);
        let stripped;
        let mut markers = Vec::new();
        let instance = if patch {
            let mut copy = ctx.doc.clone();
            strip_patch_markers(ctx, &mut copy, &mut Vec::new(), &mut markers);
            stripped = copy;
            &stripped
        } else {
            ctx.doc
        };
        if markers.is_empty() && compiled.validator.is_valid(instance) {
            return;
        }
        let start = match info.entry {
            Some(e) => serde_json::json!({ "$ref": format!("#/$defs/{}", e.def) }),
            None => serde_json::json!({ "$ref": format!("#/$defs/{}", self.bundle.root_def) }),
        };
        let errors: Vec<ValidationError<'_>> = compiled.validator.iter_errors(instance).collect();
        let mut r = Reporter {
            markers: &markers,
            full: &self.bundle,
            compiled,
            start: &start,
            instance,
        };
        for error in &errors {
            r.report(ctx, error);
        }
    }
}

struct Reporter<'a> {
    /// Pointers of `$patch: delete` list items: errors at or below them are not errors.
    markers: &'a [String],
    full: &'a Bundle,
    compiled: &'a Compiled,
    start: &'a Value,
    instance: &'a Value,
}

fn type_names(kind: &TypeKind) -> String {
    let names: Vec<&str> = match kind {
        TypeKind::Single(t) => vec![t.as_str()],
        TypeKind::Multiple(set) => set
            .iter()
            .map(|t| t.as_str())
            .filter(|t| *t != "null")
            .collect(),
    };
    names.join(" or ")
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl Reporter<'_> {
    fn report(&mut self, ctx: &mut Ctx<'_>, error: &ValidationError<'_>) {
        let (compiled, instance) = (self.compiled, self.instance);
        let at = error.instance_path().as_str();
        let under_marker = |m: &String| {
            at == m
                || at
                    .strip_prefix(m.as_str())
                    .is_some_and(|r| r.starts_with('/'))
        };
        if self.markers.iter().any(under_marker) {
            return;
        }
        let segs = segments(at);
        let value = value_at(instance, &segs);
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                for key in unexpected {
                    self.unknown_key(ctx, &segs, key);
                }
            }
            ValidationErrorKind::Type { kind } => {
                let found = value.map_or("nothing", json_type);
                ctx.push(
                    &segs,
                    format!("expected {}, found {found}", type_names(kind)),
                    None,
                );
            }
            ValidationErrorKind::Enum { options } => {
                let list: Vec<String> = options
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(short_value)
                    .collect();
                let hint = value
                    .and_then(Value::as_str)
                    .and_then(|s| {
                        did_you_mean(
                            s,
                            options
                                .as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(Value::as_str),
                        )
                    })
                    .map(|s| format!("did you mean `{s}`?"));
                ctx.push(&segs, format!("must be one of {}", list.join(", ")), hint);
            }
            ValidationErrorKind::Constant { expected_value } => {
                ctx.push(
                    &segs,
                    format!("must be {}", short_value(expected_value)),
                    None,
                );
            }
            ValidationErrorKind::Required { property } => {
                let p = property
                    .as_str()
                    .map_or_else(|| property.to_string(), str::to_string);
                ctx.push_value(&segs, None, format!("missing required key `{p}`"), None);
            }
            ValidationErrorKind::Pattern { pattern } => {
                let what = describe_pattern(compiled, self.start, &segs, pattern);
                let message = if what.starts_with("does not") {
                    format!("{what} (pattern `{pattern}`)")
                } else {
                    what
                };
                ctx.push(&segs, message, None);
            }
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context }
                if let Some(allowed) = constants(context) =>
            {
                // An enum written as one constant per variant (so each can carry a description).
                let list: Vec<String> = allowed.iter().map(short_value).collect();
                let hint = value
                    .and_then(Value::as_str)
                    .and_then(|s| did_you_mean(s, allowed.iter().filter_map(Value::as_str)))
                    .map(|s| format!("did you mean `{s}`?"));
                ctx.push(&segs, format!("must be one of {}", list.join(", ")), hint);
            }
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                // Report the branch that got furthest into the value: the likeliest intent.
                let best = context.iter().min_by_key(|errs| {
                    let depth = errs
                        .iter()
                        .map(|e| e.instance_path().as_str().len())
                        .max()
                        .unwrap_or(0);
                    (usize::MAX - depth, errs.len())
                });
                match best {
                    Some(errs) if !errs.is_empty() => {
                        for e in errs {
                            self.report(ctx, e);
                        }
                    }
                    _ => ctx.push(&segs, "does not match any allowed form".into(), None),
                }
            }
            _ => {
                let message = error.masked().to_string();
                ctx.push(&segs, message, None);
            }
        }
    }
}

/// When every branch of an `anyOf`/`oneOf` failed on one `const` or `enum`, the allowed values.
fn constants(context: &[Vec<ValidationError<'static>>]) -> Option<Vec<Value>> {
    let mut out = Vec::new();
    for branch in context {
        let [only] = branch.as_slice() else {
            return None;
        };
        match only.kind() {
            ValidationErrorKind::Constant { expected_value } => {
                out.push((**expected_value).clone())
            }
            ValidationErrorKind::Enum { options } => {
                out.extend(options.as_array().into_iter().flatten().cloned());
            }
            ValidationErrorKind::Type { .. } => {}
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Describes what a pattern-constrained value should look like: from the field's `format` when
/// it has one, else from the shape of the pattern.
fn describe_pattern(compiled: &Compiled, start: &Value, segs: &[String], pattern: &str) -> String {
    let format = segs.split_last().and_then(|(last, parent)| {
        property_at(start, compiled.defs(), parent, last)
            .and_then(|p| p.get("format"))
            .and_then(Value::as_str)
    });
    if let Some(f) = format {
        return format!("is not a valid {f}");
    }
    if let Some(what) = crate::net::describe(pattern) {
        return what.to_string();
    }
    let what = if pattern.contains("[nuµm]?s") {
        "is not a valid duration such as `30s` or `1h30m`"
    } else if pattern.contains("[0-9a-fA-F]{2}(:") {
        "is not a valid MAC address such as `00:11:22:33:44:55`"
    } else if pattern.contains("http|https") {
        "is not an http(s) URL"
    } else if pattern.contains("https") {
        "is not an https URL such as `https://192.168.1.10:6443`"
    } else {
        "does not have the expected form"
    };
    what.to_string()
}

impl Reporter<'_> {
    fn unknown_key(&self, ctx: &mut Ctx<'_>, parent: &[String], key: &str) {
        let (compiled, start) = (self.compiled, self.start);
        let mut segs = parent.to_vec();
        segs.push(key.to_string());
        let contract = ctx.contract;
        // Does the key exist in another contract?
        if let Some(decl) = property_at(start, &self.full.defs, parent, key) {
            let since = annotation_contract(decl, SINCE);
            let removed = annotation_contract(decl, REMOVED);
            let message = match (since, removed) {
                (Some(s), _) if s > contract => Some(format!(
                    "`{key}` is not accepted by Talos {contract}; it exists from {s}"
                )),
                (_, Some(r)) if r <= contract => Some(format!(
                    "`{key}` is not accepted by Talos {contract}; it was removed in {r}"
                )),
                _ => None,
            };
            if let Some(message) = message {
                ctx.push(&segs, message, None);
                return;
            }
        }
        let allowed = keys_at(start, compiled.defs(), parent);
        let hint = did_you_mean(key, allowed.iter().map(String::as_str))
            .map(|k| format!("did you mean `{k}`?"));
        ctx.push(&segs, format!("unknown key `{key}`"), hint);
    }
}

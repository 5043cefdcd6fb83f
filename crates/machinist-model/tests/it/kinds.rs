//! Tests of the multi-document kinds: registry contents per contract, the corpus of real Talos
//! documents, coverage of the upstream schemas, and rejection of unknown keys.

use crate::kinds_support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use kinds_support::{kind_schema, property_paths, version_key};
use machinist_model::Contract;
use machinist_model::kinds::{KindError, document_identity, lookup, parse_document, registry};
use machinist_testkit::reference_or_skip as reference_dir;
use serde_json::Value;

/// Kinds Talos's decoder registers that the published `config.schema.json` leaves out.
const DECODER_ONLY_KINDS: &[&str] = &["ImageVerificationConfig"];

/// Kind names where the published schema's `kind` enum differs from what the decoder registers
/// (schema spelling, decoder spelling). We follow the decoder.
const SCHEMA_KIND_NAMES: &[(&str, &str)] = &[
    ("KubeSpanEndpoints", "KubeSpanEndpointsConfig"),
    ("UnattendedInstall", "UnattendedInstallConfig"),
];

fn decoder_kind(schema_kind: &str) -> &str {
    SCHEMA_KIND_NAMES
        .iter()
        .find(|(s, _)| *s == schema_kind)
        .map_or(schema_kind, |(_, d)| d)
}

fn available(contract: Contract) -> BTreeSet<&'static str> {
    registry()
        .iter()
        .filter(|k| k.available_in(contract))
        .map(|k| k.kind)
        .collect()
}

#[test]
fn registry_counts_match_the_decoder_of_each_contract() {
    // The published schemas' root `oneOf` lists 44 documents for v1.13 and 89 for v1.14/v1.15,
    // but one of them is the legacy `v1alpha1.Config` document, which is not a kind. The decoder
    // also registers ImageVerificationConfig (since v1.13), which the schemas leave out. So the
    // decoder accepts 43 + 1 = 44 kinds in v1.13 and 88 + 1 = 89 in v1.14 and v1.15; v1.12 has
    // v1.13's list without the seven kinds added in v1.13 and ImageVerificationConfig: 36.
    // v1.11: the kinds of the v1.11 configuration reference (see book/src/schema-decisions.md).
    assert_eq!(available(Contract::V1_11).len(), 17);
    assert_eq!(available(Contract::V1_12).len(), 36);
    assert_eq!(available(Contract::V1_13).len(), 44);
    assert_eq!(available(Contract::V1_14).len(), 89);
    assert_eq!(available(Contract::V1_15).len(), 89);
    let all: BTreeSet<_> = registry().iter().map(|k| k.kind).collect();
    assert_eq!(all.len(), registry().len(), "kind names are unique");
    // v1.11 is the conservative subset: everything it has, v1.12 has too.
    assert!(available(Contract::V1_11).is_subset(&available(Contract::V1_12)));
    assert!(available(Contract::V1_11).contains("SideroLinkConfig"));
    assert!(!available(Contract::V1_11).contains("HostnameConfig"));
}

#[test]
fn registry_spells_kinds_as_the_decoder_does() {
    assert!(lookup("KubeSpanEndpointsConfig").is_some());
    assert!(lookup("KubeSpanEndpoints").is_none());
    assert!(lookup("UnattendedInstallConfig").is_some());
    assert!(lookup("UnattendedInstall").is_none());
    let ivc = lookup("ImageVerificationConfig").expect("decoder-only kind is registered");
    assert_eq!(ivc.since, Contract::V1_13);
    assert!(!ivc.named);
    // Identity rules from the decoder: which kinds carry a `name`.
    for named in [
        "LinkConfig",
        "VolumeConfig",
        "KubeAuthorizerConfig",
        "KmsgLogConfig",
    ] {
        assert!(lookup(named).unwrap().named, "{named} is named");
    }
    for unnamed in [
        "HostnameConfig",
        "KubeletConfig",
        "ResolverConfig",
        "SideroLinkConfig",
    ] {
        assert!(!lookup(unnamed).unwrap().named, "{unnamed} is unnamed");
    }
}

fn upstream_schema(reference: &Path, contract: &str) -> Value {
    let path = reference.join(format!("talos-schema/{contract}/config.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Root definitions of an upstream schema other than `v1alpha1.Config`: (decoder kind, def name).
fn upstream_roots(schema: &Value) -> Vec<(String, String)> {
    schema["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["$ref"].as_str())
        .map(|r| r.rsplit('/').next().unwrap().to_string())
        .filter(|d| !d.starts_with("v1alpha1."))
        .map(|d| {
            let kind = schema["$defs"][&d]["properties"]["kind"]["enum"][0]
                .as_str()
                .unwrap()
                .to_string();
            (decoder_kind(&kind).to_string(), d)
        })
        .collect()
}

#[test]
fn registry_has_every_upstream_kind_of_each_contract() {
    let Some(reference) = reference_dir() else {
        return;
    };
    for contract in ["v1.13", "v1.14", "v1.15"] {
        let c: Contract = contract.parse().unwrap();
        let schema = upstream_schema(&reference, contract);
        let upstream: BTreeSet<String> = upstream_roots(&schema)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        let ours: BTreeSet<String> = available(c).into_iter().map(str::to_string).collect();
        let missing: Vec<_> = upstream.difference(&ours).collect();
        assert!(
            missing.is_empty(),
            "{contract}: kinds missing from the registry: {missing:?}"
        );
        let extra: Vec<_> = ours
            .difference(&upstream)
            .filter(|k| !DECODER_ONLY_KINDS.contains(&k.as_str()))
            .collect();
        assert!(
            extra.is_empty(),
            "{contract}: kinds the schema and decoder lack: {extra:?}"
        );
    }
}

/// Paths of the upstream schemas we deliberately do not match: (kind, path, reason).
const COVERAGE_EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "KubeSpanEndpointsConfig",
        "kind",
        "the schema's enum says KubeSpanEndpoints; the decoder registers KubeSpanEndpointsConfig",
    ),
    (
        "UnattendedInstallConfig",
        "kind",
        "the schema's enum says UnattendedInstall; the decoder registers UnattendedInstallConfig",
    ),
];

fn compatible(upstream: &kinds_support::NodeTypes, ours: &kinds_support::NodeTypes) -> bool {
    if ours.any {
        return true;
    }
    if upstream.any {
        return false;
    }
    if !upstream.types.is_subset(&ours.types) {
        return false;
    }
    match (&upstream.values, &ours.values) {
        (Some(u), Some(o)) => u.is_subset(o),
        _ => true,
    }
}

#[test]
fn coverage_of_upstream_schemas_is_complete() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let mut total = 0usize;
    let mut covered = 0usize;
    let mut problems = Vec::new();
    for contract in ["v1.13", "v1.14", "v1.15"] {
        let schema = upstream_schema(&reference, contract);
        let (mut c_total, mut c_covered) = (0usize, 0usize);
        for (kind, def) in upstream_roots(&schema) {
            let info = lookup(&kind).unwrap_or_else(|| panic!("{kind} not in registry"));
            let ours = kind_schema(info);
            let our_paths = property_paths(&ours, &ours);
            let up_paths = property_paths(&schema, &schema["$defs"][&def]);
            for (path, up) in &up_paths {
                c_total += 1;
                if COVERAGE_EXCEPTIONS
                    .iter()
                    .any(|(k, p, _)| *k == kind && p == path)
                {
                    c_covered += 1;
                    continue;
                }
                let here = version_key(contract);
                match our_paths.get(path) {
                    Some(o)
                        if o.since.as_deref().map(version_key).unwrap_or(0) > here
                            || o.removed.as_deref().map(version_key).unwrap_or(u32::MAX)
                                <= here =>
                    {
                        problems.push(format!(
                            "{contract} {kind}.{path}: ours says since {:?}, removed {:?}",
                            o.since, o.removed
                        ))
                    }
                    Some(o) if compatible(up, o) => c_covered += 1,
                    Some(o) => problems.push(format!(
                        "{contract} {kind}.{path}: upstream {:?}{:?}, ours {:?}{:?}",
                        up.types, up.values, o.types, o.values
                    )),
                    None => problems.push(format!("{contract} {kind}.{path}: missing")),
                }
            }
        }
        println!(
            "{contract}: {c_covered}/{c_total} upstream property paths covered ({:.1}%)",
            100.0 * c_covered as f64 / c_total.max(1) as f64
        );
        total += c_total;
        covered += c_covered;
    }
    println!(
        "all contracts: {covered}/{total} ({:.1}%)",
        100.0 * covered as f64 / total.max(1) as f64
    );
    assert!(
        total > 2000,
        "the walk found the upstream properties ({total})"
    );
    assert!(
        problems.is_empty(),
        "coverage gaps:\n{}",
        problems.join("\n")
    );
}

/// Fields we accept that an upstream contract's schema lacks must say from which contract they
/// exist (`x-talos-since`), so that using them under an older contract is reported.
#[test]
fn fields_newer_than_a_contract_carry_their_since() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let mut problems = Vec::new();
    for contract in ["v1.13", "v1.14", "v1.15"] {
        let schema = upstream_schema(&reference, contract);
        for (kind, def) in upstream_roots(&schema) {
            let ours = kind_schema(lookup(&kind).unwrap());
            let up_paths = property_paths(&schema, &schema["$defs"][&def]);
            for (path, node) in property_paths(&ours, &ours) {
                if let (Some(up), Some(values)) = (up_paths.get(&path), &node.values) {
                    // Enumeration values the contract's schema lacks must be marked too.
                    let up_values = up.values.clone().unwrap_or_default();
                    for value in values.difference(&up_values) {
                        let since = node.value_since.get(value).map(|v| version_key(v));
                        if path != "kind" && since.unwrap_or(0) <= version_key(contract) {
                            problems.push(format!(
                                "{contract} {kind}.{path}: value `{value}` not in the {contract} schema"
                            ));
                        }
                    }
                }
                if up_paths.contains_key(&path) {
                    continue;
                }
                let since = node.since.as_deref().map(version_key).unwrap_or(0);
                let removed = node.removed.as_deref().map(version_key).unwrap_or(u32::MAX);
                let here = version_key(contract);
                if since <= here && here < removed {
                    problems.push(format!(
                        "{contract} {kind}.{path}: not in the {contract} schema, since {:?}, removed {:?}",
                        node.since, node.removed
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Files of the corpus whose documents are not Talos machine configs (or that we judge invalid),
/// with the reason. Matched as a suffix of the path. Empty: talhelper, talm and Omni files carry
/// no `apiVersion: v1alpha1` documents, so the filter below already leaves them out.
const CORPUS_SKIPS: &[(&str, &str)] = &[];

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
}

/// Patches are partial documents: they may leave out required fields and may carry
/// `$patch: delete` directives.
fn is_patch_file(path: &Path) -> bool {
    let name = path.to_string_lossy().to_lowercase();
    name.contains("patch") || name.contains("delete")
}

/// Removes `$patch: delete` directives (maps holding them, in lists or under keys).
fn strip_patch_deletes(value: &mut serde_yaml_ng::Value) {
    fn is_delete(v: &serde_yaml_ng::Value) -> bool {
        v.get("$patch").and_then(|p| p.as_str()) == Some("delete")
    }
    match value {
        serde_yaml_ng::Value::Mapping(map) => {
            map.retain(|_, v| !is_delete(v));
            for (_, v) in map.iter_mut() {
                strip_patch_deletes(v);
            }
        }
        serde_yaml_ng::Value::Sequence(items) => {
            items.retain(|v| !is_delete(v));
            for v in items.iter_mut() {
                strip_patch_deletes(v);
            }
        }
        _ => {}
    }
}

/// The document with `null` values left out, as the typed model (which reads `null` as "not
/// set") writes it back.
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

fn strip_required(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            map.remove("required");
            for v in map.values_mut() {
                strip_required(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_required),
        _ => {}
    }
}

fn schema_errors(schema: &Value, doc: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).expect("generated schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn corpus_documents_deserialize_into_their_kind() {
    let Some(reference) = reference_dir() else {
        return;
    };
    let mut files = Vec::new();
    yaml_files(&reference.join("corpus/talos"), &mut files);
    yaml_files(&reference.join("corpus/community"), &mut files);
    let mut checked = 0usize;
    let mut partial_patches = 0usize;
    let mut per_kind: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for file in &files {
        let name = file.to_string_lossy();
        if CORPUS_SKIPS.iter().any(|(s, _)| name.ends_with(s)) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let patch = is_patch_file(file);
        for (index, de) in serde_yaml_ng::Deserializer::from_str(&text).enumerate() {
            let Ok(mut value) = <serde_yaml_ng::Value as serde::Deserialize>::deserialize(de)
            else {
                // Templates (talhelper `${VAR}`, Helm `{{ }}`) need not be YAML; they are not
                // Talos configs as stored.
                break;
            };
            if value.get("apiVersion").and_then(|v| v.as_str()) != Some("v1alpha1")
                || value.get("kind").is_none()
                || value.get("$patch").is_some()
            {
                continue;
            }
            let at = format!("{} (document {})", file.display(), index + 1);
            if patch {
                strip_patch_deletes(&mut value);
            }
            let json: Value = serde_json::to_value(&value).expect("YAML converts to JSON");
            match parse_document(value) {
                Ok(doc) => {
                    checked += 1;
                    *per_kind.entry(doc.kind()).or_default() += 1;
                    // Nothing is lost on the way through the typed model.
                    let back = serde_json::to_value(&doc).unwrap();
                    if back != without_nulls(&json) {
                        failures.push(format!("{at}: round trip changed the document: {back}"));
                    }
                    let schema = kind_schema(lookup(doc.kind()).unwrap());
                    let errors = schema_errors(&schema, &json);
                    if !errors.is_empty() {
                        failures.push(format!(
                            "{at}: typed model accepts, schema rejects: {errors:?}"
                        ));
                    }
                }
                Err(KindError::Invalid { kind, source })
                    if patch && source.to_string().contains("missing field") =>
                {
                    // A patch need not repeat required fields; it must still fit the shape.
                    let mut schema = kind_schema(lookup(kind).unwrap());
                    strip_required(&mut schema);
                    let errors = schema_errors(&schema, &json);
                    if errors.is_empty() {
                        partial_patches += 1;
                    } else {
                        failures.push(format!("{at}: {kind} patch: {errors:?}"));
                    }
                }
                Err(KindError::Invalid { kind, source }) => {
                    failures.push(format!("{at}: {kind}: {source}"))
                }
                Err(e) => failures.push(format!("{at}: {e}")),
            }
        }
    }
    println!(
        "{checked} complete documents and {partial_patches} partial patches checked: {per_kind:?}"
    );
    assert!(
        failures.is_empty(),
        "corpus documents rejected:\n{}",
        failures.join("\n")
    );
    assert!(
        checked >= 100,
        "the corpus walk found documents ({checked})"
    );
}

/// A document of `kind` holding only its required fields, filled with plausible values taken from
/// the generated schema.
fn minimal_document(schema: &Value, kind: &str) -> Value {
    fn fill(root: &Value, node: &Value, depth: usize) -> Value {
        let mut node = node;
        while let Some(r) = node.get("$ref").and_then(Value::as_str) {
            node = &root["$defs"][r.rsplit('/').next().unwrap()];
        }
        if let Some(alt) = node
            .get("oneOf")
            .or_else(|| node.get("anyOf"))
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return fill(root, alt, depth + 1);
        }
        if let Some(c) = node.get("const") {
            return c.clone();
        }
        if let Some(first) = node.get("enum").and_then(|e| e.get(0)) {
            return first.clone();
        }
        let ty = match node.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .unwrap_or("null"),
            _ => "object",
        };
        match ty {
            "string" => {
                let candidates = [
                    "example",
                    "10.0.0.1/24",
                    "10.0.0.1",
                    "https://example.com/",
                    "00:11:22:33:44:55",
                    "1s",
                    "100",
                ];
                let pattern = serde_json::json!({"type": "string", "pattern": node.get("pattern")});
                let fits = |c: &&&str| {
                    node.get("pattern").is_none()
                        || jsonschema::is_valid(&pattern, &Value::from(**c))
                };
                Value::from(
                    *candidates
                        .iter()
                        .find(fits)
                        .expect("a candidate fits the pattern"),
                )
            }
            "integer" | "number" => Value::from(1),
            "boolean" => Value::from(true),
            "array" => Value::Array(vec![]),
            _ => {
                let mut map = serde_json::Map::new();
                let required: Vec<&str> = node
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if depth < 8 {
                    for name in required {
                        map.insert(
                            name.into(),
                            fill(root, &node["properties"][name], depth + 1),
                        );
                    }
                }
                Value::Object(map)
            }
        }
    }
    let doc = fill(schema, schema, 0);
    assert_eq!(doc["kind"], kind, "minimal document carries its kind");
    doc
}

#[test]
fn every_kind_accepts_a_minimal_document_and_rejects_unknown_keys() {
    for info in registry() {
        let schema = kind_schema(info);
        let doc = minimal_document(&schema, info.kind);
        assert_eq!(doc["apiVersion"], "v1alpha1");
        let yaml: serde_yaml_ng::Value = serde_json::from_value(doc.clone()).unwrap();
        if let Err(e) = parse_document(yaml) {
            panic!("{}: minimal document {doc} rejected: {e}", info.kind);
        }
        assert!(
            schema_errors(&schema, &doc).is_empty(),
            "{}: schema rejects {doc}",
            info.kind
        );
        assert_eq!(
            schema["$defs"][info.kind]["properties"]
                .as_object()
                .map(|p| p.contains_key("name")),
            Some(info.named),
            "{}: `named` matches the presence of a name field",
            info.kind
        );

        let since = schema["$defs"][info.kind].get("x-talos-since");
        if info.since > Contract::V1_11 {
            assert_eq!(
                since,
                Some(&Value::from(info.since.as_str())),
                "{}: since",
                info.kind
            );
        } else {
            assert_eq!(
                since, None,
                "{}: kinds as old as v1.11 carry no since",
                info.kind
            );
        }

        let mut typo = doc.clone();
        typo["bogusKey"] = Value::from(1);
        let yaml: serde_yaml_ng::Value = serde_json::from_value(typo.clone()).unwrap();
        match parse_document(yaml) {
            Err(KindError::Invalid { source, .. }) => assert!(
                source.to_string().contains("unknown field `bogusKey`"),
                "{}: {source}",
                info.kind
            ),
            other => panic!("{}: unknown key accepted: {other:?}", info.kind),
        }
        assert!(
            !schema_errors(&schema, &typo).is_empty(),
            "{}: schema allows bogusKey",
            info.kind
        );

        let mut wrong_api = doc.clone();
        wrong_api["apiVersion"] = Value::from("v1beta1");
        assert!(
            !schema_errors(&schema, &wrong_api).is_empty(),
            "{}: apiVersion",
            info.kind
        );
        let yaml: serde_yaml_ng::Value = serde_json::from_value(wrong_api).unwrap();
        assert!(
            parse_document(yaml).is_err(),
            "{}: apiVersion v1beta1 accepted",
            info.kind
        );
    }
}

#[test]
fn unknown_keys_are_rejected_in_nested_objects() {
    let text = "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\naddresses:\n  - address: 10.0.0.2/24\n    routePriorty: 5\n";
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).unwrap();
    let err = parse_document(value).unwrap_err().to_string();
    assert!(err.contains("unknown field `routePriorty`"), "{err}");
    assert!(
        err.contains("routePriority"),
        "serde names the expected fields: {err}"
    );

    let text = "apiVersion: v1alpha1\nkind: VolumeConfig\nname: EPHEMERAL\nprovisioning:\n  diskSelector:\n    match: disk.size > 1u\n    matches: x\n";
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).unwrap();
    let err = parse_document(value).unwrap_err().to_string();
    assert!(err.contains("unknown field `matches`"), "{err}");
}

#[test]
fn identity_is_kind_plus_name_for_named_kinds_only() {
    let link: serde_yaml_ng::Value =
        serde_yaml_ng::from_str("apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\nmtu: 9000\n")
            .unwrap();
    let (info, name) = document_identity(&link).unwrap();
    assert_eq!((info.kind, name.as_deref()), ("LinkConfig", Some("eth0")));
    let host: serde_yaml_ng::Value =
        serde_yaml_ng::from_str("apiVersion: v1alpha1\nkind: HostnameConfig\nauto: stable\n")
            .unwrap();
    let (info, name) = document_identity(&host).unwrap();
    assert_eq!((info.kind, name), ("HostnameConfig", None));
    let unknown: serde_yaml_ng::Value =
        serde_yaml_ng::from_str("apiVersion: v1alpha1\nkind: LinkConfg\nname: eth0\n").unwrap();
    assert!(matches!(
        document_identity(&unknown),
        Err(KindError::UnknownKind { kind }) if kind == "LinkConfg"
    ));
}

#[test]
fn wrong_kind_value_and_unknown_kind_are_errors() {
    let value: serde_yaml_ng::Value =
        serde_yaml_ng::from_str("apiVersion: v1alpha1\nkind: KubeSpanEndpoints\n").unwrap();
    match parse_document(value) {
        Err(KindError::UnknownKind { kind }) => assert_eq!(kind, "KubeSpanEndpoints"),
        other => panic!("schema-only spelling accepted: {other:?}"),
    }
    let value: serde_yaml_ng::Value =
        serde_yaml_ng::from_str("apiVersion: v1alpha1\nname: x\n").unwrap();
    assert!(matches!(parse_document(value), Err(KindError::MissingKind)));

    let schema = kind_schema(lookup("HostnameConfig").unwrap());
    let doc = serde_json::json!({"apiVersion": "v1alpha1", "kind": "LinkConfig", "auto": "stable"});
    assert!(
        !schema_errors(&schema, &doc).is_empty(),
        "kind is pinned to its constant"
    );
    let ok =
        serde_json::json!({"apiVersion": "v1alpha1", "kind": "HostnameConfig", "auto": "stable"});
    assert!(schema_errors(&schema, &ok).is_empty());
    let bad_enum =
        serde_json::json!({"apiVersion": "v1alpha1", "kind": "HostnameConfig", "auto": "random"});
    assert!(
        !schema_errors(&schema, &bad_enum).is_empty(),
        "enum values are checked"
    );
}

#[test]
fn addresses_and_prefixes_are_checked_by_the_schema() {
    let check = |kind: &str, doc: Value| schema_errors(&kind_schema(lookup(kind).unwrap()), &doc);
    let link = |address: &str| {
        serde_json::json!({"apiVersion": "v1alpha1", "kind": "LinkConfig", "name": "eth0",
            "addresses": [{"address": address}]})
    };
    assert!(check("LinkConfig", link("192.168.1.10/24")).is_empty());
    // Go parses upper-case hex digits; the published patterns only allow lower case.
    assert!(check("LinkConfig", link("2001:DB8::10/64")).is_empty());
    assert!(
        !check("LinkConfig", link("192.168.1.10")).is_empty(),
        "prefix length required"
    );

    let blackhole = |name: &str| serde_json::json!({"apiVersion": "v1alpha1", "kind": "BlackholeRouteConfig", "name": name});
    assert!(check("BlackholeRouteConfig", blackhole("10.99.0.0/16")).is_empty());
    assert!(!check("BlackholeRouteConfig", blackhole("10.99.0.0/x")).is_empty());

    let host = |name: &str| {
        serde_json::json!({"apiVersion": "v1alpha1", "kind": "StaticHostConfig", "name": name,
            "hostnames": ["nas"]})
    };
    assert!(check("StaticHostConfig", host("10.0.0.5")).is_empty());
    assert!(
        !check("StaticHostConfig", host("nas.lan")).is_empty(),
        "the name is an address"
    );

    let node = |subnets: Value| {
        serde_json::json!({"apiVersion": "v1alpha1", "kind": "KubeNodeConfig",
            "nodeIP": {"validSubnets": subnets}})
    };
    let ok = serde_json::json!(["10.0.0.0/8", "!10.0.0.3/32", "fd00::/8"]);
    assert!(check("KubeNodeConfig", node(ok)).is_empty());
    let bad = serde_json::json!(["ten.0.0.0/8"]);
    assert!(!check("KubeNodeConfig", node(bad)).is_empty());
}

#[test]
fn documented_name_and_range_rules_are_checked_by_the_schema() {
    let named = |kind: &str, name: &str| {
        let doc = serde_json::json!({"apiVersion": "v1alpha1", "kind": kind, "name": name});
        let mut schema = kind_schema(lookup(kind).unwrap());
        strip_required(&mut schema);
        schema_errors(&schema, &doc)
    };
    assert!(named("UserVolumeConfig", "local-hostpath").is_empty());
    assert!(
        !named("UserVolumeConfig", "local_hostpath").is_empty(),
        "no underscores"
    );
    assert!(
        !named("UserVolumeConfig", &"a".repeat(35)).is_empty(),
        "at most 34 characters"
    );
    assert!(named("RoutingRuleConfig", "1000").is_empty());
    assert!(
        !named("RoutingRuleConfig", "main").is_empty(),
        "the name is a priority"
    );
    assert!(
        !named("ContainerConfig", "MyApp").is_empty(),
        "lower case only"
    );
    assert!(named("LVMVolumeGroupConfig", "vg_data-1").is_empty());

    let zswap = |percent: u32| {
        let doc = serde_json::json!({"apiVersion": "v1alpha1", "kind": "ZswapConfig",
            "maxPoolPercent": percent});
        schema_errors(&kind_schema(lookup("ZswapConfig").unwrap()), &doc)
    };
    assert!(zswap(25).is_empty());
    assert!(!zswap(120).is_empty(), "a percentage is at most 100");
}

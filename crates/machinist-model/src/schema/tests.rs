//! Tests of the schema machinery against a small stand-in model, so they pin the generator and
//! the validator independently of the full Talos model.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::generate::{Bundle, Flavor, ModelSource, document_schema};
use super::validate::{Finding, SchemaSet};
use crate::Contract;
use crate::kinds::KindInfo;

/// Root document.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Root {
    /// Always v1alpha1.
    version: Option<String>,
    /// Machine settings.
    machine: Option<Machine>,
}

/// Machine.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Machine {
    /// Network.
    network: Option<Network>,
    /// A field that came in v1.12.
    #[schemars(extend("x-talos-since" = "v1.12"))]
    new_thing: Option<bool>,
    /// A field that went away in v1.14.
    #[schemars(extend("x-talos-removed" = "v1.14"))]
    old_thing: Option<bool>,
    /// Old but accepted.
    #[schemars(extend("deprecated" = true))]
    legacy: Option<String>,
}

/// Network.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Network {
    /// Host name.
    hostname: Option<String>,
    /// Interfaces.
    interfaces: Option<Vec<Iface>>,
    /// Name servers.
    nameservers: Option<Vec<String>>,
}

/// Interface.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Iface {
    /// Name.
    interface: Option<String>,
    /// MTU.
    mtu: Option<u32>,
    /// Addresses.
    #[schemars(inner(regex(pattern = crate::net::CIDR)))]
    addresses: Option<Vec<String>>,
}

/// Hostname document.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct HostnameConfig {
    /// v1alpha1.
    api_version: String,
    /// HostnameConfig.
    kind: String,
    /// The host name.
    hostname: Option<String>,
}

/// Link document.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct LinkConfig {
    /// v1alpha1.
    api_version: String,
    /// LinkConfig.
    kind: String,
    /// Link name.
    name: String,
    /// MTU.
    mtu: Option<u32>,
}

static KINDS: [KindInfo; 2] = [
    KindInfo {
        kind: "HostnameConfig",
        named: false,
        since: Contract::V1_12,
        removed: None,
        schema: |g| g.subschema_for::<HostnameConfig>(),
    },
    KindInfo {
        kind: "LinkConfig",
        named: true,
        since: Contract::V1_11,
        removed: None,
        schema: |g| g.subschema_for::<LinkConfig>(),
    },
];

fn source() -> ModelSource {
    ModelSource {
        root: |g| g.subschema_for::<Root>(),
        kinds: &KINDS,
    }
}

fn set() -> &'static SchemaSet {
    static SET: std::sync::OnceLock<SchemaSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| SchemaSet::new(source()))
}

fn docs(yaml: &str) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(yaml)
        .map(|d| super::yaml_to_json(&serde_yaml_ng::Value::deserialize(d).unwrap()))
        .collect()
}

fn check(contract: Contract, yaml: &str, patch: bool) -> Vec<String> {
    set()
        .validate(contract, &docs(yaml), patch)
        .iter()
        .map(Finding::to_string)
        .collect()
}

#[test]
fn config_schema_filters_fields_and_kinds_by_contract() {
    let bundle = Bundle::generate(source());
    let v11 = document_schema(&bundle, Contract::V1_11, Flavor::Config);
    let v14 = document_schema(&bundle, Contract::V1_14, Flavor::Config);
    let machine = |s: &Value| {
        s["$defs"]["Machine"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(machine(&v11), ["network", "oldThing", "legacy"]);
    assert_eq!(machine(&v14), ["network", "newThing", "legacy"]);
    assert_eq!(
        v11["then"]["properties"]["kind"]["enum"],
        json!(["LinkConfig"])
    );
    assert_eq!(
        v14["then"]["properties"]["kind"]["enum"],
        json!(["HostnameConfig", "LinkConfig"])
    );
    assert!(
        v11["$defs"].get("HostnameConfig").is_none(),
        "unreachable kinds are pruned"
    );
    let text = v14.to_string();
    assert!(
        !text.contains("x-talos-"),
        "annotations are stripped from written schemas"
    );
    assert_eq!(
        v14["$defs"]["Machine"]["properties"]["legacy"]["deprecated"],
        json!(true)
    );
    assert_eq!(
        v14["$schema"],
        json!("https://json-schema.org/draft/2020-12/schema")
    );
}

#[test]
fn generation_is_deterministic() {
    let a = document_schema(&Bundle::generate(source()), Contract::V1_13, Flavor::Patch);
    let b = document_schema(&Bundle::generate(source()), Contract::V1_13, Flavor::Patch);
    assert_eq!(a.to_string(), b.to_string());
    let names: Vec<&String> = a["$defs"].as_object().unwrap().keys().collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn patch_schema_allows_delete_markers_and_drops_required() {
    let schema = document_schema(&Bundle::generate(source()), Contract::V1_13, Flavor::Patch);
    let v = jsonschema::validator_for(&schema).unwrap();
    let ok = [
        json!({ "machine": { "network": { "nameservers": { "$patch": "delete" } } } }),
        json!({ "machine": { "network": { "interfaces": [{ "interface": "eth0", "$patch": "delete" }] } } }),
        json!({ "apiVersion": "v1alpha1", "kind": "LinkConfig", "name": "eth0", "$patch": "delete" }),
        json!({ "kind": "LinkConfig", "mtu": 9000 }),
        json!([{ "op": "add", "path": "/machine/network/hostname", "value": "a" }]),
    ];
    for doc in ok {
        assert!(v.is_valid(&doc), "{doc}");
    }
    let bad = [
        json!({ "machine": { "network": { "nameservers": { "$patch": "keep" } } } }),
        json!({ "kind": "LinkConfig", "mtu": "big" }),
        json!([{ "op": "frobnicate", "path": "/x" }]),
    ];
    for doc in bad {
        assert!(!v.is_valid(&doc), "{doc}");
    }
}

#[test]
fn config_schema_accepts_valid_documents_in_editors_shape() {
    let schema = document_schema(&Bundle::generate(source()), Contract::V1_12, Flavor::Config);
    let v = jsonschema::validator_for(&schema).unwrap();
    assert!(v.is_valid(&json!({ "version": "v1alpha1", "machine": { "newThing": true } })));
    assert!(
        v.is_valid(&json!({ "apiVersion": "v1alpha1", "kind": "HostnameConfig", "hostname": "a" }))
    );
    assert!(
        !v.is_valid(&json!({ "apiVersion": "v1alpha1", "kind": "LinkConfig" })),
        "name is required"
    );
    assert!(!v.is_valid(&json!({ "apiVersion": "v1alpha1", "kind": "Nope" })));
}

#[test]
fn findings_name_path_value_and_hint() {
    let yaml = "version: v1alpha1\nmachine:\n  network:\n    hostnme: a\n    interfaces:\n      - interface: eth0\n        mtu: big\n        addresses: [10.0.0.1/abc]\n";
    insta::assert_snapshot!(check(Contract::V1_13, yaml, false).join("\n"), @r#"
    v1alpha1: machine.network.hostnme: unknown key `hostnme` (did you mean `hostname`?)
    v1alpha1: machine.network.interfaces[0].mtu: expected integer, found string
    v1alpha1: machine.network.interfaces[0].addresses[0]: is not a valid CIDR prefix such as `10.0.0.0/8`
    "#);
    let f = &set().validate(Contract::V1_13, &docs(yaml), false)[1];
    assert_eq!(f.pointer, "/machine/network/interfaces/0/mtu");
    assert_eq!(f.value.as_deref(), Some("\"big\""));
}

#[test]
fn fields_and_kinds_outside_the_contract_name_the_contract() {
    let yaml = "machine:\n  newThing: true\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: a\n";
    insta::assert_snapshot!(check(Contract::V1_11, yaml, false).join("\n"), @r"
    v1alpha1: machine.newThing: `newThing` is not accepted by Talos v1.11; it exists from v1.12
    HostnameConfig: kind: `HostnameConfig` is not accepted by Talos v1.11; it exists from v1.12
    ");
    let yaml = "machine:\n  oldThing: true\n";
    assert_eq!(
        check(Contract::V1_14, yaml, false),
        [
            "v1alpha1: machine.oldThing: `oldThing` is not accepted by Talos v1.14; it was removed in v1.14"
        ]
    );
    assert!(check(Contract::V1_13, yaml, false).is_empty());
}

#[test]
fn identity_rules_apply_to_configs_not_patches() {
    let yaml = "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: eth1\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\n---\napiVersion: v1alpha1\nkind: HostnameConfig\n---\napiVersion: v1alpha1\nkind: HostnameConfig\n---\nversion: v1alpha1\n---\nmachine: {}\n";
    insta::assert_snapshot!(check(Contract::V1_13, yaml, false).join("\n"), @r"
    LinkConfig eth0: duplicate document: `LinkConfig` named `eth0` is already defined by document 1 (merge the two documents into one)
    HostnameConfig: duplicate document: `HostnameConfig` may appear only once and document 4 already has it (merge the two documents into one)
    v1alpha1: duplicate document: `v1alpha1` may appear only once and document 6 already has it (merge the two documents into one)
    ");
    assert!(check(Contract::V1_13, yaml, true).is_empty());
}

#[test]
fn unknown_kinds_and_shapeless_documents() {
    let yaml = "apiVersion: v1alpha1\nkind: LinkConfg\nname: a\n---\nfoo: bar\n---\n- op: add\n";
    insta::assert_snapshot!(check(Contract::V1_13, yaml, false).join("\n"), @r"
    LinkConfg a: kind: unknown kind `LinkConfg` in Talos v1.13 (did you mean `LinkConfig`?)
    document 2: document has no `kind` and is not a v1alpha1 config (no `version`, `machine` or `cluster` key)
    document 3: a document must be a map, this one is a list (a list of JSON 6902 operations is a patch: validate it with --patch)
    ");
}

#[test]
fn patches_strip_delete_markers_and_check_the_rest() {
    let yaml = "machine:\n  network:\n    nameservers:\n      $patch: delete\n    interfaces:\n      - interface: eth0\n        $patch: delete\n      - $patch: delete\n      - mtu: nope\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\n$patch: delete\n---\nmachine:\n  $patch: replace\n";
    insta::assert_snapshot!(check(Contract::V1_13, yaml, true).join("\n"), @r"
    v1alpha1: machine.network.interfaces[2].mtu: expected integer, found string
    v1alpha1: machine.$patch: `$patch` must be `delete`
    ");
}

#[test]
fn fields_deprecated_from_a_contract_are_marked_from_that_contract_on() {
    let v13 = crate::schema::config_schema(crate::Contract::V1_13).to_string();
    let v14 = crate::schema::config_schema(crate::Contract::V1_14).to_string();
    assert!(!v13.contains("x-talos-deprecated") && !v14.contains("x-talos-replaced-by"));
    // `machine.install` is deprecated from v1.14 (replaced by a document kind): marked there only.
    let find = |text: &str| {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        let defs = v["$defs"].as_object().unwrap();
        defs.iter()
            .find(|(k, _)| k.ends_with("MachineConfig"))
            .map(|(_, d)| d["properties"]["install"].clone())
            .unwrap()
    };
    assert_ne!(find(&v13)["deprecated"], true);
    assert_eq!(find(&v14)["deprecated"], true);
}

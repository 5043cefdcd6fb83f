//! Schemas of the files a machinist project keeps in git. In: nothing. Out: the JSON schemas of
//! `Chart.yaml`, node files (`nodes/<name>.yaml`) and values/layer files, as DESIGN §1 describes
//! them, with descriptions for editor hover text.

use serde_json::{Value, json};

use super::generate::DIALECT;

fn header(file: &str, title: &str, description: &str) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("$schema".into(), json!(DIALECT));
    m.insert(
        "$id".into(),
        json!(format!("https://machinist.invalid/schema/{file}")),
    );
    m.insert("title".into(), json!(title));
    m.insert("description".into(), json!(description));
    m
}

fn with(mut m: serde_json::Map<String, Value>, rest: Value) -> Value {
    if let Value::Object(rest) = rest {
        m.extend(rest);
    }
    Value::Object(m)
}

/// A list of patch files, shared by node and values files.
fn patches_property() -> Value {
    json!({
        "description": "Talos patch files (strategic merge or JSON 6902), relative to the project directory, applied in order after the templates render.",
        "type": "array",
        "items": { "type": "string", "minLength": 1 }
    })
}

/// The schema of `Chart.yaml`.
pub fn chart_schema() -> Value {
    with(
        header(
            "chart.schema.json",
            "machinist Chart.yaml",
            "Chart metadata and tool settings of a machinist cluster project.",
        ),
        json!({
            "type": "object",
            "properties": {
                "apiVersion": {
                    "description": "Format of this file; always `machinist/v1`.",
                    "const": "machinist/v1"
                },
                "name": {
                    "description": "Name of the chart, usually the cluster name.",
                    "type": "string",
                    "minLength": 1
                },
                "version": {
                    "description": "Version of the chart (semantic versioning, such as `0.1.0`).",
                    "type": "string",
                    "minLength": 1
                },
                "description": {
                    "description": "One line saying what the chart is for.",
                    "type": "string"
                },
                "talosVersion": {
                    "description": "Talos version the configs target, such as `v1.13.0` (the default). Its minor release picks the config contract: which schema and defaults apply.",
                    "type": "string",
                    "pattern": "^v?1\\.(1[1-5])(\\.[0-9]+)?(-[0-9A-Za-z.]+)?$"
                },
                "kubernetesVersion": {
                    "description": "Kubernetes version the cluster runs, such as `v1.35.4`.",
                    "type": "string",
                    "pattern": "^v?[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.]+)?$"
                },
                "endpoint": {
                    "description": "Kubernetes API endpoint, such as `https://192.168.1.10:6443`; may be an expression over values, such as `https://{{ values.vip }}:6443`.",
                    "type": "string",
                    "minLength": 1
                },
                "imageFactory": {
                    "description": "Base URL of the Talos Image Factory that `machinist schematic` prints boot asset URLs for and registers schematics with, such as `https://factory.example.lan` for a self-hosted factory. Default: `https://factory.talos.dev`.",
                    "type": "string",
                    "pattern": "^https?://[^/]+(/.*)?$"
                },
                "layers": {
                    "description": "Facet names in precedence order (later wins). For each facet, a node's value selects `layers/<facet>/<value>.yaml`.",
                    "type": "array",
                    "items": { "type": "string", "minLength": 1 },
                    "uniqueItems": true
                },
                "templates": {
                    "description": "Which templates render for which nodes. A template without `when` renders for every node.",
                    "type": "array",
                    "items": { "$ref": "#/$defs/template" }
                },
                "merge": {
                    "description": "List merge policies for values, per path. Lists replace unless a rule here says otherwise.",
                    "type": "array",
                    "items": { "$ref": "#/$defs/mergeRule" }
                },
                "secrets": {
                    "description": "Where the encrypted cluster secrets bundle lives and who can decrypt it.",
                    "$ref": "#/$defs/secrets"
                },
                "indexBy": {
                    "description": "Facets whose values group nodes for `node.index` (the node's 0-based position among nodes sharing those facet values, ordered by name). Default: `[role]`.",
                    "type": "array",
                    "items": { "type": "string", "minLength": 1 }
                },
                "controlPlaneRoles": {
                    "description": "The `role` facet values that make a node a control plane, for `cluster.controlplanes` and `cluster.workers` in templates. A value or a list. Default: `[controlplane, init]`.",
                    "anyOf": [
                        { "type": "string", "minLength": 1 },
                        { "type": "array", "items": { "type": "string", "minLength": 1 } }
                    ]
                }
            },
            "required": ["apiVersion", "name"],
            "additionalProperties": false,
            "$defs": {
                "template": template_def(),
                "mergeRule": merge_rule_def(),
                "secrets": secrets_def()
            }
        }),
    )
}

/// `Chart.yaml`'s `templates[]` entry: a template and the nodes it renders for.
fn template_def() -> Value {
    json!({
        "description": "A template and the nodes it renders for.",
        "type": "object",
        "properties": {
            "file": {
                "description": "Template file, relative to `templates/`.",
                "type": "string",
                "minLength": 1
            },
            "when": {
                "description": "Facet values a node must have for the template to render, such as `{ role: controlplane }` or `{ role: [controlplane, worker] }`. Every listed facet must match one of its values.",
                "type": "object",
                "additionalProperties": {
                    "anyOf": [
                        { "type": "string" },
                        { "type": "array", "items": { "type": "string" } }
                    ]
                }
            }
        },
        "required": ["file"],
        "additionalProperties": false
    })
}

/// `Chart.yaml`'s `merge[]` entry: the list policy at one values path.
fn merge_rule_def() -> Value {
    json!({
        "description": "How lists at one values path merge across layers.",
        "type": "object",
        "properties": {
            "path": {
                "description": "Dotted path into the values, such as `extraCertSANs` or `network.routes`.",
                "type": "string",
                "minLength": 1
            },
            "lists": {
                "description": "`append` adds later lists after earlier ones, `replace` keeps only the last, `merge-by-key` merges items that share the value of `key`.",
                "type": "string",
                "enum": ["append", "replace", "merge-by-key"]
            },
            "key": {
                "description": "Field that identifies list items; required with `merge-by-key`.",
                "type": "string",
                "minLength": 1
            }
        },
        "required": ["path", "lists"],
        "additionalProperties": false,
        "if": { "properties": { "lists": { "const": "merge-by-key" } } },
        "then": { "required": ["key"] }
    })
}

/// `Chart.yaml`'s `secrets`: where the encrypted bundle lives and who can decrypt it.
fn secrets_def() -> Value {
    json!({
        "description": "The age-encrypted secrets bundle.",
        "type": "object",
        "properties": {
            "file": {
                "description": "Bundle file, relative to the project directory (default `secrets.yaml.age`).",
                "type": "string",
                "minLength": 1
            },
            "recipients": {
                "description": "age recipients (public keys such as `age1...`) the bundle is encrypted to.",
                "type": "array",
                "items": { "type": "string", "minLength": 1 }
            }
        },
        "additionalProperties": false
    })
}

/// The schema of a node file (`nodes/<name>.yaml`).
pub fn node_schema() -> Value {
    with(
        header(
            "node.schema.json",
            "machinist node file",
            "One node of a machinist cluster project; the node's name is the file name without `.yaml`.",
        ),
        json!({
            "type": "object",
            "properties": {
                "address": {
                    "description": "Address (IP or DNS name) where the node's Talos API is reached.",
                    "type": "string",
                    "minLength": 1
                },
                "facets": {
                    "description": "The node's value for each facet named in `Chart.yaml` `layers`, such as `{ env: prod, role: controlplane }`. Each selects the layer file `layers/<facet>/<value>.yaml`.",
                    "type": "object",
                    "additionalProperties": { "type": "string", "minLength": 1 }
                },
                "values": {
                    "description": "Values for this node only; they override `values.yaml` and every layer.",
                    "type": "object"
                },
                "patches": patches_property()
            },
            "required": ["address"],
            "additionalProperties": false
        }),
    )
}

/// The schema of `values.yaml` and layer files: any map; `patches`, when present, lists patch files.
pub fn values_schema() -> Value {
    with(
        header(
            "values.schema.json",
            "machinist values or layer file",
            "Values for the templates. Any keys are allowed; maps merge deeply across layers, scalars and lists are replaced by later layers, and `null` deletes a key.",
        ),
        json!({
            "type": "object",
            "properties": { "patches": patches_property() }
        }),
    )
}

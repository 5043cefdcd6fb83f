//! talhelper projects to machinist projects. In: a `talconfig.yaml` (and optionally a
//! `talenv.yaml` with the `${VAR}` values). Out: an [`ImportedProject`] whose rendering carries
//! the same settings: the generated base config per role, the talconfig fields placed at their
//! Talos paths, the patches kept as patch files (global and group patches on the role layers,
//! node patches on the nodes), `${VAR}` references kept and filled from `values.vars`, and
//! schematics kept as values with the installer image derived from them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_yaml_ng::{Mapping, Value};

use super::base::{default_kubernetes, endpoint_host};
use super::{ChartSpec, ImportError, ImportedProject, NodeSpec, Untranslated, build_project};
use machinist_patch::DocId;

mod node;
mod patches;
use node::node;
use patches::legacy_patches;

/// Top-level talconfig keys the import understands.
const TOP_KEYS: &[&str] = &[
    "clusterName",
    "talosVersion",
    "kubernetesVersion",
    "endpoint",
    "domain",
    "allowSchedulingOnControlPlanes",
    "allowSchedulingOnMasters",
    "additionalApiServerCertSans",
    "additionalMachineCertSans",
    "clusterPodNets",
    "clusterSvcNets",
    "cniConfig",
    "inlineManifests",
    "patches",
    "configPatches",
    "inlinePatch",
    "nodes",
    "controlPlane",
    "worker",
];

/// Node and group keys the import understands.
const NODE_KEYS: &[&str] = &[
    "hostname",
    "ipAddress",
    "controlPlane",
    "installDisk",
    "installDiskSelector",
    "ignoreHostname",
    "nodeLabels",
    "nodeAnnotations",
    "nodeTaints",
    "machineFiles",
    "kernelModules",
    "nameservers",
    "networkInterfaces",
    "certSANs",
    "patches",
    "configPatches",
    "inlinePatch",
    "talosImageURL",
    "schematic",
    "disableSearchDomain",
    "extraManifests",
    "machineSpec",
    "machineDisks",
    "ingressFirewall",
    "extensionServices",
    "volumes",
    "userVolumes",
    "overridePatches",
    "overrideMachineCertSANs",
];

struct Ctx {
    untranslated: Vec<Untranslated>,
    base_dir: PathBuf,
    env: BTreeMap<String, String>,
    files: BTreeMap<PathBuf, String>,
    patch_names: BTreeSet<String>,
    /// The rendered configs have several documents (contract v1.12 and later).
    multi_doc: bool,
}

impl Ctx {
    fn skip(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.untranslated.push(Untranslated {
            field: field.into(),
            reason: reason.into(),
        });
    }

    /// Replaces `${VAR}` with its talenv value where one is known.
    fn subst(&self, s: &str) -> String {
        let mut out = s.to_string();
        for (k, v) in &self.env {
            out = out.replace(&format!("${{{k}}}"), v);
        }
        out
    }
}

/// What every node of the cluster shares: the contract, the versions, the endpoint and the
/// cluster-wide settings, read from the top of the talconfig.
struct Cluster<'a> {
    talos_version: String,
    minor: u32,
    kubernetes_version: String,
    /// `clusterName` as written (`${VAR}`s kept).
    raw_name: &'a str,
    /// `endpoint` as written (`${VAR}`s kept).
    endpoint_raw: String,
    ipv6_endpoint: bool,
    /// v1alpha1 settings of every node.
    global: Mapping,
    /// v1alpha1 settings of control-plane nodes only.
    cp_only: Mapping,
    machine_sans: Option<Value>,
    /// The `controlPlane` and `worker` groups by role.
    groups: BTreeMap<&'static str, Value>,
}

/// Imports a talhelper project. `env` is a `talenv.yaml` (plain YAML); SOPS-encrypted values
/// cannot be read and are reported.
pub fn import(talconfig: &Path, env: Option<&Path>) -> Result<ImportedProject, ImportError> {
    let text = read(talconfig)?;
    let cfg = first_document(talconfig, &text)?;
    let mut ctx = Ctx {
        untranslated: Vec::new(),
        base_dir: talconfig
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
        env: BTreeMap::new(),
        files: BTreeMap::new(),
        patch_names: BTreeSet::new(),
        multi_doc: true,
    };
    if let Some(envp) = env {
        read_env(&mut ctx, envp)?;
    }
    for (k, _) in cfg.as_mapping().into_iter().flatten() {
        let k = k.as_str().unwrap_or_default();
        if !TOP_KEYS.contains(&k) {
            ctx.skip(k, "talconfig field not translated by machinist import");
        }
    }
    let (var_names, vars) = variables(&mut ctx, &cfg);
    let mut cluster = cluster(&mut ctx, &cfg);
    let mut role_patches = role_patches(&mut ctx, &cfg, &mut cluster.groups);

    let nodes: Vec<NodeSpec> = seq(cfg.get("nodes"))
        .iter()
        .enumerate()
        .map(|(i, n)| node(&mut ctx, &cluster, &format!("nodes[{i}]"), n))
        .collect();
    if nodes.is_empty() {
        return Err(ImportError::Invalid {
            path: talconfig.display().to_string(),
            message: "no nodes: a talconfig needs a `nodes:` list".into(),
        });
    }
    let used_roles: BTreeSet<&str> = nodes.iter().map(|n| n.role.as_str()).collect();
    role_patches.retain(|r, _| used_roles.contains(r.as_str()));

    let filters: String = var_names
        .iter()
        .map(|v| format!(" | replace(\"${{{v}}}\", values.vars[\"{v}\"] | string)"))
        .collect();
    let mut extra = Mapping::new();
    if !vars.is_empty() {
        extra.insert(Value::from("vars"), Value::Mapping(vars));
    }
    let chart = ChartSpec {
        name: sanitize(
            &ctx.subst(cluster.raw_name)
                .replace("${", "")
                .replace('}', ""),
        ),
        talos_version: cluster.talos_version,
        kubernetes_version: cluster.kubernetes_version,
        endpoint: vars_to_expr(&cluster.endpoint_raw),
        output_filters: filters,
        extra_values: extra,
        role_patches,
    };
    let mut files = build_project(&chart, &nodes);
    files.append(&mut ctx.files);
    Ok(ImportedProject {
        files,
        untranslated: ctx.untranslated,
    })
}

fn read(p: &Path) -> Result<String, ImportError> {
    std::fs::read_to_string(p).map_err(|e| ImportError::Read {
        path: p.display().to_string(),
        message: e.to_string(),
    })
}

/// Reads the talenv file's plain scalar values into `ctx.env`; encrypted (SOPS) and non-scalar
/// values are reported instead.
fn read_env(ctx: &mut Ctx, envp: &Path) -> Result<(), ImportError> {
    let etext = read(envp)?;
    let edoc = first_document(envp, &etext)?;
    let encrypted = edoc.get("sops").is_some();
    for (k, v) in edoc.as_mapping().into_iter().flatten() {
        let Some(k) = k.as_str() else { continue };
        if k == "sops" {
            continue;
        }
        let v = match v {
            Value::String(s) if s.starts_with("ENC[") => None,
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        match v {
            Some(v) if !encrypted => {
                ctx.env.insert(k.to_string(), v);
            }
            _ => ctx.skip(
                format!("{}: {k}", envp.display()),
                format!("encrypted or non-scalar value; set vars.{k} in values.yaml"),
            ),
        }
    }
    Ok(())
}

/// Every `${VAR}` anywhere in the talconfig, and `values.vars`: each one's talenv value, or a
/// placeholder (reported) when talenv has none.
fn variables(ctx: &mut Ctx, cfg: &Value) -> (BTreeSet<String>, Mapping) {
    let mut var_names = BTreeSet::new();
    collect_vars(cfg, &mut var_names);
    let mut vars = Mapping::new();
    for v in &var_names {
        let value = match ctx.env.get(v) {
            Some(val) => val.clone(),
            None => {
                ctx.skip(
                    format!("${{{v}}}"),
                    format!(
                        "no value in the talenv file; values.yaml has a placeholder, set vars.{v}"
                    ),
                );
                format!("REPLACE-ME-{v}")
            }
        };
        vars.insert(Value::from(v.as_str()), Value::from(value));
    }
    (var_names, vars)
}

/// The Talos version and contract minor of the project: talconfig's `talosVersion`, or (reported)
/// v1.11 when it is older than the oldest contract and v1.13.0 when it is missing or unreadable.
fn contract(ctx: &mut Ctx, talos_raw: Option<String>) -> (String, u32) {
    let (talos_version, minor) = match talos_raw.as_deref().map(parse_minor) {
        Some(Some(m)) if m >= 11 => (talos_raw.clone().unwrap_or_default(), m),
        Some(Some(m)) => {
            ctx.skip(
                "talosVersion",
                format!("Talos v1.{m} is older than the oldest supported contract; the project uses v1.11"),
            );
            ("v1.11.0".to_string(), 11)
        }
        _ => {
            if talos_raw.is_none() {
                ctx.skip(
                    "talosVersion",
                    "not set; the project uses v1.13.0 (talhelper uses the Talos version it was built with)",
                );
            } else {
                ctx.skip(
                    "talosVersion",
                    "not a Talos version after substitution; the project uses v1.13.0",
                );
            }
            ("v1.13.0".to_string(), 13)
        }
    };
    if minor >= 14 {
        ctx.skip(
            "talosVersion",
            "the import writes the v1.13-shaped base config; review it against the newer contract",
        );
    }
    (talos_version, minor)
}

/// The settings every node shares, from the top-level talconfig keys.
fn cluster<'a>(ctx: &mut Ctx, cfg: &'a Value) -> Cluster<'a> {
    let plain = |ctx: &Ctx, key: &str| cfg.get(key).and_then(Value::as_str).map(|s| ctx.subst(s));
    let (talos_version, minor) = contract(ctx, plain(ctx, "talosVersion"));
    ctx.multi_doc = minor >= 12;
    let k8s = plain(ctx, "kubernetesVersion")
        .filter(|v| !v.contains("${"))
        .unwrap_or_else(|| default_kubernetes(minor).to_string());
    let kubernetes_version = if k8s.starts_with('v') {
        k8s
    } else {
        format!("v{k8s}")
    };
    let endpoint_raw = cfg
        .get("endpoint")
        .and_then(Value::as_str)
        .unwrap_or("https://127.0.0.1:6443")
        .to_string();
    let ipv6_endpoint = endpoint_host(&ctx.subst(&endpoint_raw)).contains(':');
    let (global, cp_only) = cluster_settings(cfg);
    Cluster {
        talos_version,
        minor,
        kubernetes_version,
        raw_name: cfg
            .get("clusterName")
            .and_then(Value::as_str)
            .unwrap_or("cluster"),
        endpoint_raw,
        ipv6_endpoint,
        global,
        cp_only,
        machine_sans: cfg.get("additionalMachineCertSans").cloned(),
        groups: BTreeMap::new(),
    }
}

/// Cluster-wide settings as a v1alpha1 fragment for all nodes, and the control-plane-only part.
fn cluster_settings(cfg: &Value) -> (Mapping, Mapping) {
    let mut global = Mapping::new();
    let mut cp_only = Mapping::new();
    let all: &[(&str, &[&str])] = &[
        ("domain", &["cluster", "network", "dnsDomain"]),
        ("clusterPodNets", &["cluster", "network", "podSubnets"]),
        ("clusterSvcNets", &["cluster", "network", "serviceSubnets"]),
        ("cniConfig", &["cluster", "network", "cni"]),
    ];
    for (key, path) in all {
        if let Some(v) = cfg.get(*key) {
            set(&mut global, path, v.clone());
        }
    }
    if let Some(v) = cfg
        .get("allowSchedulingOnControlPlanes")
        .or(cfg.get("allowSchedulingOnMasters"))
    {
        set(
            &mut cp_only,
            &["cluster", "allowSchedulingOnControlPlanes"],
            v.clone(),
        );
    }
    let control_plane: &[(&str, &[&str])] = &[
        (
            "additionalApiServerCertSans",
            &["cluster", "apiServer", "certSANs"],
        ),
        ("inlineManifests", &["cluster", "inlineManifests"]),
    ];
    for (key, path) in control_plane {
        if let Some(v) = cfg.get(*key) {
            set(&mut cp_only, path, v.clone());
        }
    }
    (global, cp_only)
}

/// The patch files of each role layer: the global patches, then the role group's own; fills
/// `groups` with the `controlPlane` and `worker` groups (empty when absent).
fn role_patches(
    ctx: &mut Ctx,
    cfg: &Value,
    groups: &mut BTreeMap<&'static str, Value>,
) -> BTreeMap<String, Vec<String>> {
    let mut global_patches: Vec<String> = seq(cfg.get("patches"))
        .iter()
        .enumerate()
        .filter_map(|(i, p)| ctx.patch(&format!("patches[{i}]"), "global", p))
        .collect();
    global_patches.extend(legacy_patches(ctx, "", "global", cfg));
    let mut role_patches = BTreeMap::new();
    for (key, role) in [("controlPlane", "controlplane"), ("worker", "worker")] {
        let group = cfg
            .get(key)
            .cloned()
            .unwrap_or(Value::Mapping(Mapping::new()));
        check_node_keys(ctx, key, &group);
        let mut patches = global_patches.clone();
        for (i, p) in seq(group.get("patches")).iter().enumerate() {
            if let Some(rel) = ctx.patch(&format!("{key}.patches[{i}]"), role, p) {
                patches.push(rel);
            }
        }
        patches.extend(legacy_patches(ctx, &format!("{key}."), role, &group));
        role_patches.insert(role.to_string(), patches);
        groups.insert(role, group);
    }
    role_patches
}

fn first_document(path: &Path, text: &str) -> Result<Value, ImportError> {
    let docs =
        machinist_patch::parse_documents(&path.display().to_string(), text).map_err(|e| {
            ImportError::Invalid {
                path: path.display().to_string(),
                message: e.to_string(),
            }
        })?;
    docs.into_iter()
        .find(Value::is_mapping)
        .ok_or_else(|| ImportError::Invalid {
            path: path.display().to_string(),
            message: "expected a YAML mapping".into(),
        })
}

fn seq(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_sequence).map_or(&[], Vec::as_slice)
}

fn parse_minor(v: &str) -> Option<u32> {
    let t = v.trim().trim_start_matches('v');
    let mut parts = t.split('.');
    (parts.next()? == "1").then_some(())?;
    parts.next()?.parse().ok()
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Text of Chart.yaml's endpoint or a node address: `${VAR}` becomes `{{ values.vars["VAR"] }}`.
fn vars_to_expr(raw: &str) -> String {
    let mut out = raw.to_string();
    while let Some(start) = out.find("${") {
        let Some(len) = out[start..].find('}') else {
            break;
        };
        let name = out[start + 2..start + len].to_string();
        out.replace_range(
            start..=start + len,
            &format!("{{{{ values.vars[\"{name}\"] }}}}"),
        );
    }
    out
}

fn collect_vars(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            let mut rest = s.as_str();
            while let Some(i) = rest.find("${") {
                let after = &rest[i + 2..];
                match after.find('}') {
                    Some(j) => {
                        out.insert(after[..j].to_string());
                        rest = &after[j + 1..];
                    }
                    None => break,
                }
            }
        }
        Value::Sequence(s) => s.iter().for_each(|x| collect_vars(x, out)),
        Value::Mapping(m) => m.values().for_each(|x| collect_vars(x, out)),
        _ => {}
    }
}

fn check_node_keys(ctx: &mut Ctx, field: &str, n: &Value) {
    for (k, _) in n.as_mapping().into_iter().flatten() {
        let k = k.as_str().unwrap_or_default();
        if !NODE_KEYS.contains(&k) {
            ctx.skip(
                format!("{field}.{k}"),
                "talhelper node field not translated by machinist import",
            );
        }
    }
    if let Some(spec) = n.get("machineSpec").and_then(Value::as_mapping) {
        for (k, v) in spec {
            let k = k.as_str().unwrap_or_default();
            let default = matches!(
                (k, v),
                ("mode", Value::String(_)) if v.as_str() == Some("metal")
            ) || matches!((k, v.as_str()), ("arch", Some("amd64")))
                || matches!((k, v.as_bool()), ("secureboot" | "useUKI", Some(false)))
                || (k == "secureboot" && n.get("schematic").is_some());
            if !default {
                ctx.skip(
                    format!("{field}.machineSpec.{k}"),
                    "installer variant not translated; set the install image in the node values",
                );
            }
        }
    }
}

fn set(m: &mut Mapping, path: &[&str], v: Value) {
    let mut cur = m;
    for seg in &path[..path.len() - 1] {
        let entry = cur
            .entry(Value::from(*seg))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        if !entry.is_mapping() {
            *entry = Value::Mapping(Mapping::new());
        }
        cur = entry.as_mapping_mut().expect("just made a mapping");
    }
    cur.insert(Value::from(path[path.len() - 1]), v);
}

fn set_value(doc: &mut Value, path: &[&str], v: Value) {
    if let Value::Mapping(m) = doc {
        set(m, path, v);
    }
}

/// The `talos` value tree of a node: document order plus documents by identity.
pub(crate) fn talos_tree(docs: &[Value]) -> Value {
    let mut order = Vec::new();
    let mut by_id = Mapping::new();
    for d in docs {
        let id = DocId::of(d).to_string();
        order.push(Value::from(id.as_str()));
        by_id.insert(Value::from(id), d.clone());
    }
    let mut m = Mapping::new();
    m.insert(Value::from("order"), Value::Sequence(order));
    m.insert(Value::from("documents"), Value::Mapping(by_id));
    Value::Mapping(m)
}

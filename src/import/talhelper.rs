//! talhelper projects to machinist projects. In: a `talconfig.yaml` (and optionally a
//! `talenv.yaml` with the `${VAR}` values). Out: an [`ImportedProject`] whose rendering carries
//! the same settings: the generated base config per role, the talconfig fields placed at their
//! Talos paths, the patches kept as patch files (global and group patches on the role layers,
//! node patches on the nodes), `${VAR}` references kept and filled from `values.vars`, and
//! schematics kept as values with the installer image derived from them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_yaml_ng::{Mapping, Value};

use super::base::{BaseInput, default_kubernetes, endpoint_host, generated};
use super::{ChartSpec, ImportError, ImportedProject, NodeSpec, Untranslated, build_project};
use machinist_patch::DocId;

mod patches;
use patches::{drop_patch_keys, legacy_patches};

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

/// Imports a talhelper project. `env` is a `talenv.yaml` (plain YAML); SOPS-encrypted values
/// cannot be read and are reported.
pub fn import(talconfig: &Path, env: Option<&Path>) -> Result<ImportedProject, ImportError> {
    let read = |p: &Path| {
        std::fs::read_to_string(p).map_err(|e| ImportError::Read {
            path: p.display().to_string(),
            message: e.to_string(),
        })
    };
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
    }
    for (k, _) in cfg.as_mapping().into_iter().flatten() {
        let k = k.as_str().unwrap_or_default();
        if !TOP_KEYS.contains(&k) {
            ctx.skip(k, "talconfig field not translated by machinist import");
        }
    }

    // Variables: every ${VAR} anywhere in the talconfig becomes values.vars.VAR.
    let mut var_names = BTreeSet::new();
    collect_vars(&cfg, &mut var_names);
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
    let plain = |ctx: &Ctx, key: &str| cfg.get(key).and_then(Value::as_str).map(|s| ctx.subst(s));

    // Contract.
    let talos_raw = plain(&ctx, "talosVersion");
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
    ctx.multi_doc = minor >= 12;
    if minor >= 14 {
        ctx.skip(
            "talosVersion",
            "the import writes the v1.13-shaped base config; review it against the newer contract",
        );
    }
    let k8s = plain(&ctx, "kubernetesVersion")
        .filter(|v| !v.contains("${"))
        .unwrap_or_else(|| default_kubernetes(minor).to_string());
    let k8s = if k8s.starts_with('v') {
        k8s
    } else {
        format!("v{k8s}")
    };
    let raw_name = cfg
        .get("clusterName")
        .and_then(Value::as_str)
        .unwrap_or("cluster");
    let endpoint_raw = cfg
        .get("endpoint")
        .and_then(Value::as_str)
        .unwrap_or("https://127.0.0.1:6443")
        .to_string();
    let ipv6 = endpoint_host(&ctx.subst(&endpoint_raw)).contains(':');

    // Cluster-wide settings as a v1alpha1 fragment (all nodes), plus control-plane-only parts.
    let mut global = Mapping::new();
    let mut cp_only = Mapping::new();
    if let Some(d) = cfg.get("domain") {
        set(&mut global, &["cluster", "network", "dnsDomain"], d.clone());
    }
    if let Some(v) = cfg.get("clusterPodNets") {
        set(
            &mut global,
            &["cluster", "network", "podSubnets"],
            v.clone(),
        );
    }
    if let Some(v) = cfg.get("clusterSvcNets") {
        set(
            &mut global,
            &["cluster", "network", "serviceSubnets"],
            v.clone(),
        );
    }
    if let Some(v) = cfg.get("cniConfig") {
        set(&mut global, &["cluster", "network", "cni"], v.clone());
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
    if let Some(v) = cfg.get("additionalApiServerCertSans") {
        set(
            &mut cp_only,
            &["cluster", "apiServer", "certSANs"],
            v.clone(),
        );
    }
    if let Some(v) = cfg.get("inlineManifests") {
        set(&mut cp_only, &["cluster", "inlineManifests"], v.clone());
    }
    let machine_sans = cfg.get("additionalMachineCertSans").cloned();

    let global_patches: Vec<String> = seq(cfg.get("patches"))
        .iter()
        .enumerate()
        .filter_map(|(i, p)| ctx.patch(&format!("patches[{i}]"), "global", p))
        .collect();
    let mut global_patches = global_patches;
    global_patches.extend(legacy_patches(&mut ctx, "", "global", &cfg));
    let mut role_patches = BTreeMap::new();
    let mut groups = BTreeMap::new();
    for (key, role) in [("controlPlane", "controlplane"), ("worker", "worker")] {
        let group = cfg
            .get(key)
            .cloned()
            .unwrap_or(Value::Mapping(Mapping::new()));
        check_node_keys(&mut ctx, key, &group);
        let mut patches = global_patches.clone();
        for (i, p) in seq(group.get("patches")).iter().enumerate() {
            if let Some(rel) = ctx.patch(&format!("{key}.patches[{i}]"), role, p) {
                patches.push(rel);
            }
        }
        patches.extend(legacy_patches(&mut ctx, &format!("{key}."), role, &group));
        role_patches.insert(role.to_string(), patches);
        groups.insert(role, group);
    }

    let mut nodes = Vec::new();
    for (i, n) in seq(cfg.get("nodes")).iter().enumerate() {
        let field = format!("nodes[{i}]");
        check_node_keys(&mut ctx, &field, n);
        let cp = n
            .get("controlPlane")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let role = if cp { "controlplane" } else { "worker" };
        let hostname_raw = n.get("hostname").and_then(Value::as_str).unwrap_or("node");
        let name = sanitize(&ctx.subst(hostname_raw));
        let mut eff = groups[role].clone();
        drop_patch_keys(&mut eff);
        let mut own = n.clone();
        drop_patch_keys(&mut own);
        super::factor::layer(&mut eff, &own);

        let install_image = install_image(&mut ctx, &field, &eff, &talos_version);
        let mut docs = generated(&BaseInput {
            controlplane: cp,
            minor,
            cluster_name: raw_name,
            endpoint: &endpoint_raw,
            kubernetes_version: &k8s,
            install_image: &install_image,
            ipv6_endpoint: ipv6,
        });
        let mut frag = global.clone();
        if cp {
            super::factor::layer_map(&mut frag, &cp_only);
        }
        let mut sans: Vec<Value> = seq(machine_sans.as_ref()).to_vec();
        if n.get("overrideMachineCertSANs").and_then(Value::as_bool) == Some(true) {
            sans.clear();
        }
        for s in seq(eff.get("certSANs")) {
            if !sans.contains(s) {
                sans.push(s.clone());
            }
        }
        if !sans.is_empty() {
            set(&mut frag, &["machine", "certSANs"], Value::Sequence(sans));
        }
        node_fields(&mut frag, &eff);
        super::factor::layer(&mut docs[0], &Value::Mapping(frag));
        if let Some(sel) = eff.get("installDiskSelector")
            && let Some(Value::Mapping(inst)) = docs[0]
                .get_mut("machine")
                .and_then(|m| m.get_mut("install"))
        {
            inst.shift_remove("disk");
            inst.insert(Value::from("diskSelector"), sel.clone());
        }
        let ignore = eff.get("ignoreHostname").and_then(Value::as_bool) == Some(true);
        if !ignore {
            if minor >= 12 {
                docs[1] = serde_yaml_ng::from_str(&format!(
                    "apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: {}\n",
                    serde_json::to_string(hostname_raw).unwrap_or_default()
                ))
                .expect("valid YAML");
            } else {
                set_value(
                    &mut docs[0],
                    &["machine", "network", "hostname"],
                    Value::from(hostname_raw),
                );
            }
        }
        docs.extend(extra_documents(&eff));
        let mut node_patches = Vec::new();
        let override_patches = n.get("overridePatches").and_then(Value::as_bool) == Some(true);
        if override_patches {
            ctx.skip(
                format!("{field}.overridePatches"),
                "role-layer patches still apply to this node; move them to the other nodes' files to reproduce talhelper",
            );
        }
        for (j, p) in seq(n.get("patches")).iter().enumerate() {
            if let Some(rel) = ctx.patch(&format!("{field}.patches[{j}]"), &name, p) {
                node_patches.push(rel);
            }
        }
        node_patches.extend(legacy_patches(&mut ctx, &format!("{field}."), &name, n));
        let address_raw = n
            .get("ipAddress")
            .and_then(Value::as_str)
            .unwrap_or("127.0.0.1");
        let address = vars_to_expr(address_raw.split(',').next().unwrap_or("").trim());
        if address_raw.contains(',') {
            ctx.skip(
                format!("{field}.ipAddress"),
                "only the first address is used as the node address",
            );
        }
        let mut values = Mapping::new();
        values.insert(Value::from("talos"), talos_tree(&docs));
        if let Some(s) = eff.get("schematic") {
            values.insert(Value::from("schematic"), s.clone());
        }
        nodes.push(NodeSpec {
            name,
            address,
            role: role.to_string(),
            values: Value::Mapping(values),
            patches: node_patches,
        });
    }
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
        name: sanitize(&ctx.subst(raw_name).replace("${", "").replace('}', "")),
        talos_version,
        kubernetes_version: k8s,
        endpoint: vars_to_expr(&endpoint_raw),
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

fn install_image(ctx: &mut Ctx, field: &str, eff: &Value, talos_version: &str) -> String {
    if let Some(url) = eff.get("talosImageURL").and_then(Value::as_str) {
        return format!("{url}:{talos_version}");
    }
    if let Some(s) = eff.get("schematic") {
        let secureboot = eff["machineSpec"]["secureboot"].as_bool() == Some(true);
        let json = serde_json::to_value(s).unwrap_or_default();
        let image = machinist_functions::schematic::schematic_id(&json).and_then(|id| {
            machinist_functions::schematic::installer_image(
                &id,
                talos_version,
                "factory.talos.dev",
                secureboot,
            )
        });
        match image {
            Ok(image) => return image,
            Err(e) => ctx.skip(
                format!("{field}.schematic"),
                format!("{e}; the default installer is used"),
            ),
        }
    }
    format!("ghcr.io/siderolabs/installer:{talos_version}")
}

/// Places talhelper node fields at their Talos paths.
fn node_fields(frag: &mut Mapping, eff: &Value) {
    let paths: &[(&str, &[&str])] = &[
        ("installDisk", &["machine", "install", "disk"]),
        ("nodeLabels", &["machine", "nodeLabels"]),
        ("nodeAnnotations", &["machine", "nodeAnnotations"]),
        ("nodeTaints", &["machine", "nodeTaints"]),
        ("machineFiles", &["machine", "files"]),
        ("machineDisks", &["machine", "disks"]),
        ("nameservers", &["machine", "network", "nameservers"]),
        ("networkInterfaces", &["machine", "network", "interfaces"]),
        (
            "disableSearchDomain",
            &["machine", "network", "disableSearchDomain"],
        ),
        ("extraManifests", &["cluster", "extraManifests"]),
    ];
    for (key, path) in paths {
        if let Some(v) = eff.get(*key) {
            set(frag, path, v.clone());
        }
    }
    if let Some(mods) = eff.get("kernelModules") {
        set(frag, &["machine", "kernel", "modules"], mods.clone());
    }
}

/// A Talos document of `kind` with the fields of `fields` (a talhelper entry whose keys are
/// already Talos's).
fn document(kind: &str, fields: &Value) -> Value {
    let mut m = Mapping::new();
    m.insert(Value::from("apiVersion"), Value::from("v1alpha1"));
    m.insert(Value::from("kind"), Value::from(kind));
    for (k, v) in fields.as_mapping().into_iter().flatten() {
        m.insert(k.clone(), v.clone());
    }
    Value::Mapping(m)
}

/// The talhelper node fields that become whole Talos documents, in talhelper's order:
/// `ingressFirewall` (a NetworkDefaultActionConfig, `block` unless set, and a NetworkRuleConfig
/// per rule), `extensionServices` (ExtensionServiceConfig), `volumes` (VolumeConfig) and
/// `userVolumes` (UserVolumeConfig). Every kind exists in every supported contract.
fn extra_documents(eff: &Value) -> Vec<Value> {
    let mut docs = Vec::new();
    if let Some(fw) = eff.get("ingressFirewall") {
        let mut action = Mapping::new();
        action.insert(
            Value::from("ingress"),
            fw.get("defaultAction")
                .cloned()
                .unwrap_or_else(|| Value::from("block")),
        );
        docs.push(document(
            "NetworkDefaultActionConfig",
            &Value::Mapping(action),
        ));
        for rule in seq(fw.get("rules")) {
            docs.push(document("NetworkRuleConfig", rule));
        }
    }
    for (key, kind) in [
        ("extensionServices", "ExtensionServiceConfig"),
        ("volumes", "VolumeConfig"),
        ("userVolumes", "UserVolumeConfig"),
    ] {
        for entry in seq(eff.get(key)) {
            docs.push(document(kind, entry));
        }
    }
    docs
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

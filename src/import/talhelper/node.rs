//! One talhelper node to one project node. In: a `nodes[i]` entry of the talconfig, the group of
//! its role and what the whole cluster shares. Out: its [`NodeSpec`]: the generated base config
//! with the cluster, group and node fields laid over it (as the node's `talos` values), the
//! schematic, the node's own patch files and its address.

use serde_yaml_ng::{Mapping, Value};

use super::patches::{drop_patch_keys, legacy_patches};
use super::{
    Cluster, Ctx, check_node_keys, sanitize, seq, set, set_value, talos_tree, vars_to_expr,
};
use crate::import::NodeSpec;
use crate::import::base::{BaseInput, generated};

/// The project node of talconfig entry `n` (named `field` in reports).
pub(super) fn node(ctx: &mut Ctx, cluster: &Cluster<'_>, field: &str, n: &Value) -> NodeSpec {
    check_node_keys(ctx, field, n);
    let cp = n
        .get("controlPlane")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let role = if cp { "controlplane" } else { "worker" };
    let hostname_raw = n.get("hostname").and_then(Value::as_str).unwrap_or("node");
    let name = sanitize(&ctx.subst(hostname_raw));
    let mut eff = cluster.groups[role].clone();
    drop_patch_keys(&mut eff);
    let mut own = n.clone();
    drop_patch_keys(&mut own);
    crate::import::factor::layer(&mut eff, &own);

    let docs = documents(ctx, cluster, field, n, &eff, hostname_raw);
    let patches = node_patches(ctx, field, &name, n);
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
    NodeSpec {
        name,
        address,
        role: role.to_string(),
        values: Value::Mapping(values),
        patches,
    }
}

/// The node's config documents: the generated base config with the cluster-wide, control-plane
/// and node fields (`eff`: the role group with the node's own entry laid over it) placed in it,
/// the hostname, and the node fields that are whole documents.
fn documents(
    ctx: &mut Ctx,
    cluster: &Cluster<'_>,
    field: &str,
    n: &Value,
    eff: &Value,
    hostname_raw: &str,
) -> Vec<Value> {
    let cp = n.get("controlPlane").and_then(Value::as_bool) == Some(true);
    let install_image = install_image(ctx, field, eff, &cluster.talos_version);
    let mut docs = generated(&BaseInput {
        controlplane: cp,
        minor: cluster.minor,
        cluster_name: cluster.raw_name,
        endpoint: &cluster.endpoint_raw,
        kubernetes_version: &cluster.kubernetes_version,
        install_image: &install_image,
        ipv6_endpoint: cluster.ipv6_endpoint,
    });
    let mut frag = cluster.global.clone();
    if cp {
        crate::import::factor::layer_map(&mut frag, &cluster.cp_only);
    }
    let mut sans: Vec<Value> = seq(cluster.machine_sans.as_ref()).to_vec();
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
    node_fields(&mut frag, eff);
    crate::import::factor::layer(&mut docs[0], &Value::Mapping(frag));
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
        if cluster.minor >= 12 {
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
    docs.extend(extra_documents(eff));
    docs
}

/// The node's own patch files (`patches`, then the older forms), named after the node.
fn node_patches(ctx: &mut Ctx, field: &str, name: &str, n: &Value) -> Vec<String> {
    let mut patches = Vec::new();
    if n.get("overridePatches").and_then(Value::as_bool) == Some(true) {
        ctx.skip(
            format!("{field}.overridePatches"),
            "role-layer patches still apply to this node; move them to the other nodes' files to reproduce talhelper",
        );
    }
    for (j, p) in seq(n.get("patches")).iter().enumerate() {
        if let Some(rel) = ctx.patch(&format!("{field}.patches[{j}]"), name, p) {
            patches.push(rel);
        }
    }
    patches.extend(legacy_patches(ctx, &format!("{field}."), name, n));
    patches
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

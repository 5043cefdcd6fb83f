//! The converters of the mapping table that plain field rows cannot express. In: the v1alpha1
//! document (read only) and the group's output so far. Out: more documents in the output and the
//! source paths they consumed, or [`Blocked`] naming the field that has no faithful equivalent
//! (then the whole group stays in v1alpha1).
//!
//! Each converter follows what Talos's fallback code did with the old field, so that the new
//! document means the same: e.g. a control-plane node's implicit label and taint
//! (`v1alpha1_k8s_bridge.go`), the Node and RBAC authorizers injected for legacy configs
//! (`controllers/k8s/control_plane.go`), or the CEL expression `InstallConfig.DiskMatchExpression`
//! builds from an install disk selector.

use serde_yaml_ng::{Mapping, Value};

use super::value::{get, new_doc, scalar_string, set, truthy};
use super::{Blocked, Out};

const CP_LABEL: &str = "node-role.kubernetes.io/control-plane";

/// Said when a patch (no `machine.type`) gets a KubeNodeConfig: it replaces the fallback that
/// added the control-plane label and taint, which the patch alone cannot know it needs.
pub const CP_PATCH_NOTE: &str = "this patch has no machine.type: if it applies to control planes, add `node-role.kubernetes.io/control-plane: \"\"` to the KubeNodeConfig labels and `node-role.kubernetes.io/control-plane: NoSchedule` to its taints (the v1alpha1 fallback added them; `migrate DIR --write` checks this per node)";

fn blocked(path: impl Into<String>, reason: impl Into<String>) -> Blocked {
    Blocked {
        path: path.into(),
        reason: reason.into(),
    }
}

fn items<'a>(root: &'a Value, path: &str) -> Result<&'a [Value], Blocked> {
    match get(root, path) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Sequence(s)) => Ok(s),
        Some(_) => Err(blocked(path, "expected a list")),
    }
}

fn string_at(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// `machine.network.extraHostEntries` → one StaticHostConfig per entry, named by its IP.
pub fn static_hosts(root: &Value, out: &mut Out) -> Result<(), Blocked> {
    let path = "machine.network.extraHostEntries";
    for (i, entry) in items(root, path)?.iter().enumerate() {
        let ip = string_at(entry, "ip")
            .ok_or_else(|| blocked(format!("{path}.{i}.ip"), "an entry without an IP address"))?;
        let mut doc = new_doc("StaticHostConfig", Some(&ip));
        if let Some(aliases) = entry.get("aliases") {
            set(&mut doc, "hostnames", aliases.clone());
        }
        out.push(doc);
    }
    if get(root, path).is_some() {
        out.took(path);
    }
    Ok(())
}

/// `machine.registries` → RegistryMirrorConfig, RegistryAuthConfig and RegistryTLSConfig, one per
/// registry host.
pub fn registries(root: &Value, out: &mut Out) -> Result<(), Blocked> {
    if let Some(Value::Mapping(mirrors)) = get(root, "machine.registries.mirrors") {
        for (host, mirror) in mirrors {
            let host = host.as_str().unwrap_or_default();
            let mut doc = new_doc("RegistryMirrorConfig", Some(host));
            let override_path = mirror.get("overridePath").and_then(truthy).unwrap_or(false);
            if let Some(Value::Sequence(eps)) = mirror.get("endpoints") {
                let eps: Vec<Value> = eps
                    .iter()
                    .map(|e| {
                        let mut m = Mapping::new();
                        m.insert("url".into(), e.clone());
                        if override_path {
                            m.insert("overridePath".into(), true.into());
                        }
                        Value::Mapping(m)
                    })
                    .collect();
                set(&mut doc, "endpoints", Value::Sequence(eps));
            }
            if let Some(skip) = mirror.get("skipFallback") {
                set(&mut doc, "skipFallback", skip.clone());
            }
            out.push(doc);
        }
        out.took("machine.registries.mirrors");
    }
    if let Some(Value::Mapping(configs)) = get(root, "machine.registries.config") {
        for (host, cfg) in configs {
            let host = host.as_str().unwrap_or_default();
            if let Some(auth) = cfg.get("auth") {
                let mut doc = new_doc("RegistryAuthConfig", Some(host));
                if let Value::Mapping(m) = auth {
                    for (k, v) in m {
                        doc.as_mapping_mut()
                            .expect("doc")
                            .insert(k.clone(), v.clone());
                    }
                }
                out.push(doc);
            }
            if let Some(tls) = cfg.get("tls") {
                // v1alpha1 holds base64 of the PEM text; the document holds the PEM text.
                let at = format!("machine.registries.config.{host}.tls");
                let mut doc = new_doc("RegistryTLSConfig", Some(host));
                if let Some(ca) = tls.get("ca") {
                    set(
                        &mut doc,
                        "ca",
                        super::convert_cluster::pem(&format!("{at}.ca"), ca)?,
                    );
                }
                if let Some(id) = tls.get("clientIdentity") {
                    if out.to < crate::Contract::V1_14 {
                        return Err(blocked(
                            format!("{at}.clientIdentity"),
                            "Talos's decoder reads `clientIdentity.cert` (meta/certificate_key.go) where machinist's v1.12/v1.13 schema says `crt`: migrate to v1.14 or later, or move it by hand",
                        ));
                    }
                    for (from, to) in [("crt", "cert"), ("key", "key")] {
                        if let Some(v) = id.get(from) {
                            let v = super::convert_cluster::pem(
                                &format!("{at}.clientIdentity.{from}"),
                                v,
                            )?;
                            set(&mut doc, &format!("clientIdentity.{to}"), v);
                        }
                    }
                }
                if let Some(v) = tls.get("insecureSkipVerify") {
                    set(&mut doc, "insecureSkipVerify", v.clone());
                }
                out.push(doc);
            }
        }
        out.took("machine.registries.config");
    }
    Ok(())
}

/// KubeNodeConfig as the fallback computed it: a control plane carries the control-plane label,
/// and the NoSchedule taint unless `cluster.allowSchedulingOnControlPlanes` is true.
pub fn node_defaults(root: &Value, out: &mut Out) -> Result<(), Blocked> {
    if let Some(v) = get(root, "machine.kubelet.disableManifestsDirectory") {
        if truthy(v) != Some(true) {
            return Err(blocked(
                "machine.kubelet.disableManifestsDirectory",
                "`false` has no equivalent (KubeletConfig locks it to true); machine.kubelet stays in v1alpha1",
            ));
        }
        out.took("machine.kubelet.disableManifestsDirectory");
    }
    let allow = get(root, "cluster.allowSchedulingOnControlPlanes");
    if allow.is_some() {
        out.took("cluster.allowSchedulingOnControlPlanes");
    }
    if !out.has("KubeNodeConfig") && !out.has("KubeletConfig") {
        return Ok(());
    }
    // KubeNodeConfig replaces the whole fallback, so it is written whenever kubelet moves.
    let control_plane = matches!(
        get(root, "machine.type").and_then(Value::as_str),
        Some("controlplane" | "init")
    );
    if get(root, "machine.type").is_none() {
        out.note(CP_PATCH_NOTE);
    }
    let node = out.doc("KubeNodeConfig");
    if control_plane {
        let labels = entry_map(node, "labels");
        labels.entry(CP_LABEL.into()).or_insert_with(|| "".into());
        if !allow.and_then(truthy).unwrap_or(false) {
            let taints = entry_map(node, "taints");
            taints
                .entry(CP_LABEL.into())
                .or_insert_with(|| "NoSchedule".into());
        }
    }
    if node.as_mapping().is_some_and(|m| m.len() == 2) {
        // Nothing but apiVersion and kind: leave it out.
        out.drop_doc("KubeNodeConfig");
    }
    Ok(())
}

fn entry_map<'a>(doc: &'a mut Value, key: &str) -> &'a mut Mapping {
    let map = doc.as_mapping_mut().expect("documents are maps");
    let v = map
        .entry(key.into())
        .or_insert_with(|| Value::Mapping(Mapping::new()));
    if !v.is_mapping() {
        *v = Value::Mapping(Mapping::new());
    }
    v.as_mapping_mut().expect("just made a map")
}

/// `machine.kernel.modules` → one KernelModuleConfig per module.
pub fn kernel_modules(root: &Value, out: &mut Out) -> Result<(), Blocked> {
    let path = "machine.kernel.modules";
    for (i, m) in items(root, path)?.iter().enumerate() {
        let name = string_at(m, "name")
            .ok_or_else(|| blocked(format!("{path}.{i}.name"), "a module without a name"))?;
        let mut doc = new_doc("KernelModuleConfig", Some(&name));
        if let Some(p) = m.get("parameters") {
            set(&mut doc, "parameters", p.clone());
        }
        out.push(doc);
    }
    if get(root, path).is_some() {
        out.took(path);
        // `machine.kernel` has no other field.
        if get(root, "machine.kernel")
            .and_then(Value::as_mapping)
            .is_some_and(|m| m.len() == 1)
        {
            out.took("machine.kernel");
        }
    }
    Ok(())
}

/// `machine.install` → UnattendedInstallConfig, the disk or disk selector as the CEL expression
/// Talos itself builds from them.
pub fn install(root: &Value, out: &mut Out) -> Result<(), Blocked> {
    let Some(inst) = get(root, "machine.install") else {
        return Ok(());
    };
    if let Some(v) = inst.get("legacyBIOSSupport") {
        if truthy(v) != Some(false) {
            return Err(blocked(
                "machine.install.legacyBIOSSupport",
                "`true` has no document; machine.install stays in v1alpha1",
            ));
        }
        out.took("machine.install.legacyBIOSSupport");
    }
    for dropped in ["grubUseUKICmdline", "bootloader"] {
        if inst.get(dropped).is_some() {
            out.took(&format!("machine.install.{dropped}"));
        }
    }
    let mut clauses: Vec<String> = Vec::new();
    if let Some(disk) = inst.get("disk").and_then(Value::as_str) {
        clauses.push(format!("disk.dev_path == {}", cel_string(disk)));
        out.took("machine.install.disk");
    }
    if let Some(sel) = inst.get("diskSelector") {
        if inst.get("disk").is_some() {
            return Err(blocked(
                "machine.install.diskSelector",
                "both `disk` and `diskSelector` are set; Talos picks `disk`, keep one",
            ));
        }
        let sel = sel
            .as_mapping()
            .ok_or_else(|| blocked("machine.install.diskSelector", "expected a map"))?;
        let mut sub = Vec::new();
        for key in [
            "size", "name", "uuid", "wwid", "model", "serial", "modalias", "type", "busPath",
        ] {
            let Some(v) = sel.get(key).and_then(scalar_string) else {
                continue;
            };
            sub.push(match key {
                "size" | "name" => {
                    return Err(blocked(format!("machine.install.diskSelector.{key}"), "no CEL translation in machinist yet; write the `provisioning.diskSelector.match` expression by hand"));
                }
                "busPath" => format!("glob({}, disk.bus_path)", cel_string(&v)),
                "type" => match v.as_str() {
                    "nvme" => "disk.transport == \"nvme\"".to_string(),
                    "sd" => "disk.transport == \"mmc\"".to_string(),
                    "hdd" => "disk.rotational".to_string(),
                    "ssd" => "!disk.rotational".to_string(),
                    _ => return Err(blocked("machine.install.diskSelector.type", format!("unsupported disk type {v:?}"))),
                },
                _ => format!("glob({}, disk.{key})", cel_string(&v)),
            });
        }
        // The order Talos builds the expression in: pattern matches, then the implied filters.
        let (types, globs): (Vec<_>, Vec<_>) =
            sub.into_iter().partition(|c| !c.starts_with("glob"));
        clauses.extend(globs);
        clauses.push("disk.transport != \"\"".into());
        clauses.extend(types);
        clauses.push("!disk.readonly".into());
        clauses.push("!disk.cdrom".into());
        out.took("machine.install.diskSelector");
    }
    if !clauses.is_empty() {
        let doc = out.doc("UnattendedInstallConfig");
        set(
            doc,
            "provisioning.diskSelector.match",
            clauses.join(" && ").into(),
        );
    }
    Ok(())
}

fn cel_string(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

/// The kube-apiserver as the legacy flow ran it: startup probes off, and the Node and RBAC
/// authorizers first unless the config lists them. Plugins and authorizers become named documents.
pub fn api_server_defaults(root: &Value, out: &mut Out) -> Result<(), Blocked> {
    // Ignored by every supported Talos: dropped.
    if get(root, "cluster.apiServer.disablePodSecurityPolicy").is_some() {
        out.took("cluster.apiServer.disablePodSecurityPolicy");
    }
    for (i, p) in items(root, "cluster.apiServer.admissionControl")?
        .iter()
        .enumerate()
    {
        let name = string_at(p, "name").ok_or_else(|| {
            blocked(
                format!("cluster.apiServer.admissionControl.{i}.name"),
                "a plugin without a name",
            )
        })?;
        let mut doc = new_doc("KubeAdmissionControlConfig", Some(&name));
        if let Some(c) = p.get("configuration") {
            set(&mut doc, "configuration", c.clone());
        }
        out.push(doc);
    }
    if get(root, "cluster.apiServer.admissionControl").is_some() {
        out.took("cluster.apiServer.admissionControl");
    }
    if !out.has("KubeAPIServerConfig") {
        return Ok(());
    }
    // The legacy flow ran kube-apiserver with `--anonymous-auth=false`; with a
    // KubeAPIServerConfig Talos passes `--authentication-config` instead (control_plane_final.go),
    // built from KubeAuthenticationConfig: anonymous access stays off there. Flags that cannot
    // sit next to `--authentication-config` need a human.
    if let Some(Value::Mapping(args)) = get(root, "cluster.apiServer.extraArgs") {
        for k in args.keys().filter_map(Value::as_str) {
            if k == "anonymous-auth" || k == "authentication-config" || k.starts_with("oidc-") {
                return Err(blocked(
                    format!("cluster.apiServer.extraArgs.{k}"),
                    "cannot be combined with the `--authentication-config` a KubeAPIServerConfig brings: express it in a KubeAuthenticationConfig (anonymous, jwt) by hand",
                ));
            }
        }
    }
    let auth = out.doc("KubeAuthenticationConfig");
    set(auth, "configuration.anonymous.enabled", false.into());
    let api = out.doc("KubeAPIServerConfig");
    set(api, "startupProbes", false.into());
    let authz = items(root, "cluster.apiServer.authorizationConfig")?;
    let has = |t: &str| {
        authz
            .iter()
            .any(|a| a.get("type").and_then(Value::as_str) == Some(t))
    };
    if !has("Node") {
        let mut doc = new_doc("KubeAuthorizerConfig", Some("node"));
        set(&mut doc, "type", "Node".into());
        out.push(doc);
    }
    if !has("RBAC") {
        let mut doc = new_doc("KubeAuthorizerConfig", Some("rbac"));
        set(&mut doc, "type", "RBAC".into());
        out.push(doc);
    }
    for (i, a) in authz.iter().enumerate() {
        let name = string_at(a, "name").ok_or_else(|| {
            blocked(
                format!("cluster.apiServer.authorizationConfig.{i}.name"),
                "an authorizer without a name",
            )
        })?;
        let mut doc = new_doc("KubeAuthorizerConfig", Some(&name));
        for key in ["type", "webhook"] {
            if let Some(v) = a.get(key) {
                set(&mut doc, key, v.clone());
            }
        }
        out.push(doc);
    }
    if !authz.is_empty() {
        out.took("cluster.apiServer.authorizationConfig");
    }
    Ok(())
}

/// KubePrism and Talos API access: an enabled feature becomes its document; a disabled one needs
/// none (no document means off in v1.14, as `enabled: false` did).
pub fn features(root: &Value, out: &mut Out) -> Result<(), Blocked> {
    if let Some(prism) = get(root, "machine.features.kubePrism") {
        if prism.get("enabled").and_then(truthy).unwrap_or(false) {
            let port = prism.get("port").cloned().unwrap_or_else(|| 7445.into());
            set(out.doc("KubePrismConfig"), "port", port);
        }
        out.took("machine.features.kubePrism");
    }
    if let Some(access) = get(root, "machine.features.kubernetesTalosAPIAccess") {
        if access.get("enabled").and_then(truthy).unwrap_or(false) {
            let doc = out.doc("KubeTalosAPIAccessConfig");
            for key in ["allowedRoles", "allowedKubernetesNamespaces"] {
                if let Some(v) = access.get(key) {
                    set(doc, key, v.clone());
                }
            }
        }
        out.took("machine.features.kubernetesTalosAPIAccess");
    }
    Ok(())
}

/// One KubeExternalManifestConfig: named by the URL's last path segment, with `headers` (the
/// v1alpha1 `cluster.extraManifestHeaders`, which Talos sent with every extra manifest URL) as
/// strings.
pub(super) fn external_manifest(url: &str, headers: Option<&Value>) -> Value {
    let name = url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(url)
        .to_string();
    let mut doc = new_doc("KubeExternalManifestConfig", Some(&name));
    set(&mut doc, "url", url.into());
    if let Some(Value::Mapping(h)) = headers {
        let h: Mapping = h
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    scalar_string(v)
                        .map(Value::from)
                        .unwrap_or_else(|| v.clone()),
                )
            })
            .collect();
        set(&mut doc, "headers", Value::Mapping(h));
    }
    doc
}

/// Inline and external manifests and static pods → one named document each.
pub fn manifests(root: &Value, out: &mut Out) -> Result<(), Blocked> {
    for (i, m) in items(root, "cluster.inlineManifests")?.iter().enumerate() {
        let name = string_at(m, "name").ok_or_else(|| {
            blocked(
                format!("cluster.inlineManifests.{i}.name"),
                "a manifest without a name",
            )
        })?;
        let mut doc = new_doc("KubeInlineManifestConfig", Some(&name));
        set(
            &mut doc,
            "manifest",
            m.get("contents").cloned().unwrap_or_else(|| "".into()),
        );
        out.push(doc);
    }
    if get(root, "cluster.inlineManifests").is_some() {
        out.took("cluster.inlineManifests");
    }
    let headers = get(root, "cluster.extraManifestHeaders").cloned();
    for (i, url) in items(root, "cluster.extraManifests")?.iter().enumerate() {
        let url = url
            .as_str()
            .ok_or_else(|| blocked(format!("cluster.extraManifests.{i}"), "expected a URL"))?;
        out.push(external_manifest(url, headers.as_ref()));
    }
    if get(root, "cluster.extraManifests").is_some() {
        out.took("cluster.extraManifests");
        if headers.is_some() {
            out.took("cluster.extraManifestHeaders");
        }
    }
    for (i, pod) in items(root, "machine.pods")?.iter().enumerate() {
        let meta = pod.get("metadata");
        let name = meta
            .and_then(|m| string_at(m, "name"))
            .unwrap_or_else(|| "default".into());
        let ns = meta
            .and_then(|m| string_at(m, "namespace"))
            .unwrap_or_else(|| "default".into());
        if !pod.is_mapping() {
            return Err(blocked(
                format!("machine.pods.{i}"),
                "expected a pod manifest",
            ));
        }
        let mut doc = new_doc("KubeStaticPodConfig", Some(&format!("{ns}-{name}")));
        set(&mut doc, "pod", pod.clone());
        out.push(doc);
    }
    if get(root, "machine.pods").is_some() {
        out.took("machine.pods");
    }
    Ok(())
}

//! Effective settings: what a node actually runs with, read from either form of a config. In: the
//! documents of a config. Out: [`Effective`], a sorted map from a setting's name (`hostname`,
//! `link eth0 addresses`, `vip 10.0.0.10`, `kubelet image`, `kube-apiserver extraArgs`,
//! `install disk`, `etcd encryption providers`...) to its value, read the way Talos reads it: a document when there is one,
//! else the v1alpha1 field it replaced (the fallback in Talos's config container). Comparing the
//! effective settings of a config before and after migration says whether behaviour is preserved.
//!
//! Each reader is written independently from the converters (it reads the old fields the way
//! Talos's fallback does, and the new documents the way Talos's document accessors do), so a
//! comparison can catch a converter that drops or changes a value.

use std::collections::BTreeMap;

use serde_json::{Value as J, json};
use serde_yaml_ng::Value;

use super::value::{get, is_v1alpha1, kind_of, name_of, scalar_string, truthy};
use crate::schema::yaml_to_json;

/// The settings a node runs with, by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Effective(pub BTreeMap<String, J>);

/// The one document of `kind`, if any.
fn one<'a>(docs: &'a [Value], kind: &str) -> Option<&'a Value> {
    docs.iter().find(|d| kind_of(d) == Some(kind))
}

/// Every document of `kind`.
fn by_kind<'a>(docs: &'a [Value], kind: &'a str) -> impl Iterator<Item = &'a Value> {
    docs.iter().filter(move |d| kind_of(d) == Some(kind))
}

/// A route as both config forms mean it: destination `to` (read by the caller, the forms name it
/// differently), gateway, source, metric and MTU.
fn route(to: Option<J>, r: &Value) -> J {
    json!({
        "to": to,
        "via": r.get("gateway").map(yaml_to_json),
        "from": r.get("source").map(yaml_to_json),
        "metric": r.get("metric").map(yaml_to_json),
        "mtu": r.get("mtu").map(yaml_to_json),
    })
}

/// One setting whose value differs.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// The setting's name.
    pub setting: String,
    /// Its value before (`null`: unset).
    pub before: J,
    /// Its value after.
    pub after: J,
}

impl Effective {
    /// Reads the effective settings of a config.
    pub fn of(docs: &[Value]) -> Self {
        let empty = Value::Null;
        let root = docs.iter().find(|d| is_v1alpha1(d)).unwrap_or(&empty);
        let mut e = Effective::default();
        e.hostname(root, docs);
        e.resolvers(root, docs);
        e.static_hosts(root, docs);
        e.links(root, docs);
        e.time(root, docs);
        e.kubernetes(root, docs);
        e.install(root, one(docs, "UnattendedInstallConfig"));
        e.0.retain(|_, v| !v.is_null());
        e
    }

    /// The hostname and whether it is chosen automatically.
    fn hostname(&mut self, root: &Value, docs: &[Value]) {
        // A static hostname in v1alpha1 next to a HostnameConfig is a config Talos refuses
        // ("static hostname is already set"); it is read as its author meant it: that hostname.
        let legacy_static = get(root, "machine.network.hostname").is_some();
        match one(docs, "HostnameConfig").filter(|_| !legacy_static) {
            Some(h) => {
                self.put("hostname", h.get("hostname"));
                self.put("hostname auto", h.get("auto"));
            }
            None => {
                self.put("hostname", get(root, "machine.network.hostname"));
                let stable = get(root, "machine.features.stableHostname").and_then(truthy)
                    == Some(true)
                    && get(root, "machine.network.hostname").is_none();
                self.put(
                    "hostname auto",
                    stable.then(|| Value::from("stable")).as_ref(),
                );
            }
        }
    }

    /// Nameservers, search domains and host DNS.
    fn resolvers(&mut self, root: &Value, docs: &[Value]) {
        match one(docs, "ResolverConfig") {
            Some(r) => {
                let ns: Option<Vec<J>> =
                    r.get("nameservers").and_then(Value::as_sequence).map(|l| {
                        l.iter()
                            .filter_map(|n| n.get("address"))
                            .map(yaml_to_json)
                            .collect()
                    });
                self.0
                    .insert("resolvers".into(), ns.map(J::from).unwrap_or(J::Null));
                self.put(
                    "search domains",
                    r.get("searchDomains").and_then(|s| s.get("domains")),
                );
                self.flag(
                    "search domain disabled",
                    r.get("searchDomains").and_then(|s| s.get("disableDefault")),
                );
                self.put("host DNS", r.get("hostDNS"));
            }
            None => {
                self.put("resolvers", get(root, "machine.network.nameservers"));
                self.put("search domains", get(root, "machine.network.searchDomains"));
                self.flag(
                    "search domain disabled",
                    get(root, "machine.network.disableSearchDomain"),
                );
                self.put("host DNS", get(root, "machine.features.hostDNS"));
            }
        }
        if self.0.get("host DNS").is_some_and(J::is_null) {
            self.0.remove("host DNS");
        }
    }

    /// Static host entries: Talos concatenates both sources.
    fn static_hosts(&mut self, root: &Value, docs: &[Value]) {
        for h in by_kind(docs, "StaticHostConfig") {
            self.put(
                &format!("host {}", name_of(h).unwrap_or_default()),
                h.get("hostnames"),
            );
        }
        if let Some(Value::Sequence(l)) = get(root, "machine.network.extraHostEntries") {
            for h in l {
                let ip = h.get("ip").and_then(scalar_string).unwrap_or_default();
                self.put(&format!("host {ip}"), h.get("aliases"));
            }
        }
    }

    /// Links, VIPs and DHCP.
    fn links(&mut self, root: &Value, docs: &[Value]) {
        const LINK_KINDS: &[&str] = &[
            "LinkConfig",
            "BondConfig",
            "BridgeConfig",
            "VLANConfig",
            "DummyLinkConfig",
            "WireguardConfig",
        ];
        for kind in LINK_KINDS {
            for l in by_kind(docs, kind) {
                self.link_new(name_of(l).unwrap_or_default(), kind, l);
            }
        }
        for kind in ["Layer2VIPConfig", "HCloudVIPConfig"] {
            for v in by_kind(docs, kind) {
                self.put(
                    &format!("vip {}", name_of(v).unwrap_or_default()),
                    v.get("link"),
                );
            }
        }
        for (kind, what) in [("DHCPv4Config", "dhcp4"), ("DHCPv6Config", "dhcp6")] {
            for d in by_kind(docs, kind) {
                let metric = d
                    .get("routeMetric")
                    .map(yaml_to_json)
                    .unwrap_or(json!(true));
                self.0.insert(
                    format!("link {} {what}", name_of(d).unwrap_or_default()),
                    metric,
                );
            }
        }
        if let Some(Value::Sequence(devs)) = get(root, "machine.network.interfaces") {
            for d in devs {
                let name = d
                    .get("interface")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                self.link_old(&name, d);
                if let Some(Value::Sequence(vlans)) = d.get("vlans") {
                    for v in vlans {
                        let id = v.get("vlanId").and_then(scalar_string).unwrap_or_default();
                        self.link_old(&format!("{name}.{id}"), v);
                        self.0
                            .insert(format!("link {name}.{id} parent"), json!(name));
                    }
                }
            }
        }
    }

    /// Time synchronisation.
    fn time(&mut self, root: &Value, docs: &[Value]) {
        match one(docs, "TimeSyncConfig") {
            Some(t) => {
                let enabled = t.get("enabled").and_then(truthy).unwrap_or(true);
                self.0.insert("time enabled".into(), json!(enabled));
                self.put("time servers", t.get("ntp").and_then(|n| n.get("servers")));
                self.put("time boot timeout", t.get("bootTimeout"));
            }
            None => {
                let disabled = get(root, "machine.time.disabled")
                    .and_then(truthy)
                    .unwrap_or(false);
                self.0.insert("time enabled".into(), json!(!disabled));
                self.put("time servers", get(root, "machine.time.servers"));
                self.put("time boot timeout", get(root, "machine.time.bootTimeout"));
            }
        }
    }

    fn put(&mut self, key: &str, v: Option<&Value>) {
        self.0
            .insert(key.to_string(), v.map(yaml_to_json).unwrap_or(J::Null));
    }

    fn flag(&mut self, key: &str, v: Option<&Value>) {
        let on = v.and_then(truthy).unwrap_or(false);
        self.0.insert(key.to_string(), json!(on));
    }

    fn link_new(&mut self, name: &str, kind: &str, l: &Value) {
        let addrs: Vec<J> = l
            .get("addresses")
            .and_then(Value::as_sequence)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.get("address"))
                    .map(yaml_to_json)
                    .collect()
            })
            .unwrap_or_default();
        if !addrs.is_empty() {
            self.0
                .insert(format!("link {name} addresses"), J::from(addrs));
        }
        if let Some(Value::Sequence(rs)) = l.get("routes") {
            let routes: Vec<J> = rs
                .iter()
                .map(|r| route(r.get("destination").map(yaml_to_json), r))
                .collect();
            self.0
                .insert(format!("link {name} routes"), J::from(routes));
        }
        self.put(&format!("link {name} mtu"), l.get("mtu"));
        let what = match kind {
            "BondConfig" => "bond",
            "BridgeConfig" => "bridge",
            "VLANConfig" => "vlan",
            "DummyLinkConfig" => "dummy",
            "WireguardConfig" => "wireguard",
            _ => "physical",
        };
        self.0.insert(format!("link {name} kind"), json!(what));
        match kind {
            "BondConfig" => {
                self.put(&format!("link {name} bond mode"), l.get("bondMode"));
                self.put(&format!("link {name} members"), l.get("links"));
            }
            "BridgeConfig" => self.put(&format!("link {name} members"), l.get("links")),
            "VLANConfig" => self.put(&format!("link {name} parent"), l.get("parent")),
            _ => {}
        }
    }

    fn link_old(&mut self, name: &str, d: &Value) {
        let mut addrs: Vec<J> = Vec::new();
        let cidr = d.get("cidr").and_then(Value::as_str);
        let listed = d
            .get("addresses")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str);
        for a in cidr.into_iter().chain(listed) {
            // Talos reads an address without a length as a host address.
            let full = if a.contains('/') {
                a.to_string()
            } else if a.contains(':') {
                format!("{a}/128")
            } else {
                format!("{a}/32")
            };
            addrs.push(json!(full));
        }
        if !addrs.is_empty() {
            self.0
                .insert(format!("link {name} addresses"), J::from(addrs));
        }
        if let Some(Value::Sequence(rs)) = d.get("routes") {
            let routes: Vec<J> = rs
                .iter()
                .map(|r| {
                    let to = r
                        .get("network")
                        .filter(|n| n.as_str() != Some(""))
                        .map(yaml_to_json);
                    route(to, r)
                })
                .collect();
            self.0
                .insert(format!("link {name} routes"), J::from(routes));
        }
        self.put(&format!("link {name} mtu"), d.get("mtu"));
        let kind = if d.get("bond").is_some() {
            "bond"
        } else if d.get("bridge").is_some() {
            "bridge"
        } else if d.get("vlanId").is_some() {
            "vlan"
        } else if d.get("dummy").and_then(truthy) == Some(true) {
            "dummy"
        } else if d.get("wireguard").is_some() {
            "wireguard"
        } else {
            "physical"
        };
        self.0.insert(format!("link {name} kind"), json!(kind));
        if let Some(b) = d.get("bond") {
            self.put(&format!("link {name} bond mode"), b.get("mode"));
            self.put(&format!("link {name} members"), b.get("interfaces"));
        }
        if let Some(b) = d.get("bridge") {
            self.put(&format!("link {name} members"), b.get("interfaces"));
        }
        if d.get("dhcp").and_then(truthy) == Some(true) {
            let opts = d.get("dhcpOptions");
            let metric = opts
                .and_then(|o| o.get("routeMetric"))
                .map(yaml_to_json)
                .unwrap_or(json!(true));
            if opts.and_then(|o| o.get("ipv4")).and_then(truthy) != Some(false) {
                self.0.insert(format!("link {name} dhcp4"), metric.clone());
            }
            if opts.and_then(|o| o.get("ipv6")).and_then(truthy) == Some(true) {
                self.0.insert(format!("link {name} dhcp6"), metric);
            }
        }
        if let Some(ip) = d
            .get("vip")
            .and_then(|v| v.get("ip"))
            .and_then(Value::as_str)
        {
            self.0.insert(format!("vip {ip}"), json!(name));
        }
    }

    fn kubernetes(&mut self, root: &Value, docs: &[Value]) {
        self.kubelet(root, docs);
        self.node_registration(root, docs);
        self.control_plane(root, docs);
        self.cluster(root, docs);
        self.kernel(root, docs);
        self.etcd_encryption(root, docs);
    }

    /// kube-apiserver's encryption-at-rest providers, per resource list, as `kind key-names`
    /// (never the key material): the KubeEtcdEncryptionConfig when there is one, else what
    /// Talos's v1alpha1 path builds on a control plane (`APIServerEncryptionConfig` in
    /// `k8stemplates/apiserver.go`, v1.13.9): secretbox `key2`, aescbc `key1`, then `identity`.
    fn etcd_encryption(&mut self, root: &Value, docs: &[Value]) {
        let mut out = serde_json::Map::new();
        match one(docs, "KubeEtcdEncryptionConfig") {
            Some(d) => {
                let resources = get(d, "config.resources").and_then(Value::as_sequence);
                for r in resources.into_iter().flatten() {
                    let names: Vec<String> = r
                        .get("resources")
                        .and_then(Value::as_sequence)
                        .into_iter()
                        .flatten()
                        .filter_map(scalar_string)
                        .collect();
                    let providers: Vec<J> = r
                        .get("providers")
                        .and_then(Value::as_sequence)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_mapping)
                        .flat_map(|p| p.iter().map(|(k, v)| json!(provider(k, v))))
                        .collect();
                    out.insert(names.join(","), J::Array(providers));
                }
            }
            None => {
                // Only control planes run kube-apiserver; a patch without `machine.type` is
                // read as one (the encryption secrets only ever sit in control-plane configs).
                let worker = get(root, "machine.type").and_then(Value::as_str) == Some("worker");
                if worker {
                    return;
                }
                let set = |f: &str| {
                    get(root, f)
                        .and_then(Value::as_str)
                        .is_some_and(|s| !s.is_empty())
                };
                let mut providers = Vec::new();
                if set("cluster.secretboxEncryptionSecret") {
                    providers.push(json!("secretbox key2"));
                }
                if set("cluster.aescbcEncryptionSecret") {
                    providers.push(json!("aescbc key1"));
                }
                providers.push(json!("identity"));
                out.insert("secrets".into(), J::Array(providers));
            }
        }
        self.0.insert("etcd encryption providers".into(), obj(out));
    }

    /// The kubelet: image, arguments, config and cluster DNS.
    fn kubelet(&mut self, root: &Value, docs: &[Value]) {
        match one(docs, "KubeletConfig") {
            Some(k) => {
                for (key, field) in [
                    ("image", "image"),
                    ("extraArgs", "extraArgs"),
                    ("config", "config"),
                    ("clusterDNS", "clusterDNS"),
                ] {
                    self.put(&format!("kubelet {key}"), k.get(field));
                }
            }
            None => {
                for (key, field) in [
                    ("image", "image"),
                    ("extraArgs", "extraArgs"),
                    ("config", "extraConfig"),
                    ("clusterDNS", "clusterDNS"),
                ] {
                    self.put(
                        &format!("kubelet {key}"),
                        get(root, &format!("machine.kubelet.{field}")),
                    );
                }
            }
        }
    }

    /// Node registration, with the fallback's implicit control-plane label and taint.
    fn node_registration(&mut self, root: &Value, docs: &[Value]) {
        let control_plane = matches!(
            get(root, "machine.type").and_then(Value::as_str),
            Some("controlplane" | "init")
        );
        match one(docs, "KubeNodeConfig") {
            Some(n) => {
                self.put(
                    "node IP subnets",
                    n.get("nodeIP").and_then(|x| x.get("validSubnets")),
                );
                for (key, field) in [
                    ("node labels", "labels"),
                    ("node taints", "taints"),
                    ("node annotations", "annotations"),
                ] {
                    self.0.insert(key.into(), obj(strings(n.get(field))));
                }
            }
            None => {
                self.put(
                    "node IP subnets",
                    get(root, "machine.kubelet.nodeIP.validSubnets"),
                );
                let mut labels = strings(get(root, "machine.nodeLabels"));
                let mut taints = strings(get(root, "machine.nodeTaints"));
                if control_plane {
                    labels.insert("node-role.kubernetes.io/control-plane".into(), json!(""));
                    let allow = get(root, "cluster.allowSchedulingOnControlPlanes")
                        .and_then(truthy)
                        .unwrap_or(false);
                    if !allow {
                        taints.insert(
                            "node-role.kubernetes.io/control-plane".into(),
                            json!("NoSchedule"),
                        );
                    }
                }
                self.0.insert("node labels".into(), obj(labels));
                self.0.insert("node taints".into(), obj(taints));
                let ann = strings(get(root, "machine.nodeAnnotations"));
                self.0.insert("node annotations".into(), obj(ann));
            }
        }
    }

    /// The control-plane components (and kube-proxy, CoreDNS): enabled, image, arguments, resources, environment.
    fn control_plane(&mut self, root: &Value, docs: &[Value]) {
        for (name, kind, old, switch) in [
            (
                "kube-apiserver",
                "KubeAPIServerConfig",
                "cluster.apiServer",
                None,
            ),
            (
                "kube-controller-manager",
                "KubeControllerManagerConfig",
                "cluster.controllerManager",
                Some("machine.controlPlane.controllerManager.disabled"),
            ),
            (
                "kube-scheduler",
                "KubeSchedulerConfig",
                "cluster.scheduler",
                Some("machine.controlPlane.scheduler.disabled"),
            ),
            (
                "kube-proxy",
                "KubeProxyConfig",
                "cluster.proxy",
                Some("cluster.proxy.disabled"),
            ),
            (
                "coredns",
                "KubeCoreDNSConfig",
                "cluster.coreDNS",
                Some("cluster.coreDNS.disabled"),
            ),
        ] {
            match one(docs, kind) {
                Some(d) => {
                    self.0.insert(
                        format!("{name} enabled"),
                        json!(d.get("enabled").and_then(truthy).unwrap_or(true)),
                    );
                    for f in ["image", "extraArgs", "resources", "mode", "config"] {
                        self.put(&format!("{name} {f}"), d.get(f));
                    }
                    self.0
                        .insert(format!("{name} env"), obj(strings(d.get("env"))));
                    if kind == "KubeAPIServerConfig" {
                        self.put(&format!("{name} certSANs"), d.get("certExtraSANs"));
                        self.put(&format!("{name} port"), d.get("apiPort"));
                    }
                }
                None => {
                    let disabled = switch
                        .and_then(|s| get(root, s))
                        .and_then(truthy)
                        .unwrap_or(false);
                    self.0.insert(format!("{name} enabled"), json!(!disabled));
                    for f in ["image", "extraArgs", "resources", "mode", "config"] {
                        self.put(&format!("{name} {f}"), get(root, &format!("{old}.{f}")));
                    }
                    self.0.insert(
                        format!("{name} env"),
                        obj(strings(get(root, &format!("{old}.env")))),
                    );
                    if kind == "KubeAPIServerConfig" {
                        self.put(
                            &format!("{name} certSANs"),
                            get(root, "cluster.apiServer.certSANs"),
                        );
                        self.put(
                            &format!("{name} port"),
                            get(root, "cluster.controlPlane.localAPIServerPort"),
                        );
                    }
                }
            }
        }
    }

    /// Anonymous API access and the cluster name and endpoint.
    fn cluster(&mut self, root: &Value, docs: &[Value]) {
        // Legacy kube-apiserver ran with `--anonymous-auth=false`; with a KubeAPIServerConfig the
        // KubeAuthenticationConfig decides (and without one, anonymous access is Kubernetes's
        // default: on).
        let anonymous = match one(docs, "KubeAPIServerConfig") {
            None => false,
            Some(_) => one(docs, "KubeAuthenticationConfig")
                .and_then(|a| get(a, "configuration.anonymous.enabled"))
                .and_then(truthy)
                .unwrap_or(true),
        };
        self.0
            .insert("kube-apiserver anonymous auth".into(), json!(anonymous));
        match one(docs, "KubeClusterConfig") {
            Some(c) => {
                self.put("cluster name", c.get("clusterName"));
                self.put("cluster endpoint", c.get("endpoint"));
            }
            None => {
                self.put("cluster name", get(root, "cluster.clusterName"));
                self.put(
                    "cluster endpoint",
                    get(root, "cluster.controlPlane.endpoint"),
                );
            }
        }
    }

    /// Sysctls (Talos merges both sources, documents winning) and kernel modules.
    fn kernel(&mut self, root: &Value, docs: &[Value]) {
        let mut sysctls = strings(get(root, "machine.sysctls"));
        for d in docs.iter().filter(|d| kind_of(d) == Some("SysctlConfig")) {
            sysctls.extend(strings(d.get("params")));
        }
        self.0.insert("sysctls".into(), obj(sysctls));
        let mut modules = serde_json::Map::new();
        if let Some(Value::Sequence(l)) = get(root, "machine.kernel.modules") {
            for m in l {
                let n = m.get("name").and_then(scalar_string).unwrap_or_default();
                modules.insert(
                    n,
                    m.get("parameters").map(yaml_to_json).unwrap_or(json!([])),
                );
            }
        }
        for d in docs
            .iter()
            .filter(|d| kind_of(d) == Some("KernelModuleConfig"))
        {
            let n = name_of(d).unwrap_or_default().to_string();
            modules.insert(
                n,
                d.get("parameters").map(yaml_to_json).unwrap_or(json!([])),
            );
        }
        self.0.insert("kernel modules".into(), J::Object(modules));
    }

    fn install(&mut self, root: &Value, doc: Option<&Value>) {
        match doc {
            Some(d) => {
                self.put(
                    "install image",
                    d.get("installer").and_then(|i| i.get("image")),
                );
                let m = d
                    .get("provisioning")
                    .and_then(|p| p.get("diskSelector"))
                    .and_then(|s| s.get("match"))
                    .and_then(Value::as_str);
                self.0.insert(
                    "install disk".into(),
                    m.map(parse_disk_match).unwrap_or(J::Null),
                );
                self.flag(
                    "install wipe",
                    d.get("provisioning").and_then(|p| p.get("wipe")),
                );
            }
            None => {
                self.put("install image", get(root, "machine.install.image"));
                let mut sel = serde_json::Map::new();
                if let Some(disk) = get(root, "machine.install.disk").and_then(Value::as_str) {
                    sel.insert("dev_path".into(), json!(disk));
                }
                if let Some(Value::Mapping(m)) = get(root, "machine.install.diskSelector") {
                    for (k, v) in m {
                        let k = match k.as_str().unwrap_or_default() {
                            "busPath" => "bus_path".to_string(),
                            other => other.to_string(),
                        };
                        sel.insert(k, json!(scalar_string(v)));
                    }
                }
                self.0.insert(
                    "install disk".into(),
                    if sel.is_empty() {
                        J::Null
                    } else {
                        J::Object(sel)
                    },
                );
                self.flag("install wipe", get(root, "machine.install.wipe"));
            }
        }
    }

    /// The settings that differ between `self` (before) and `after`.
    pub fn differences(&self, after: &Effective) -> Vec<Difference> {
        let mut keys: Vec<&String> = self.0.keys().chain(after.0.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter_map(|k| {
                let b = self.0.get(k).cloned().unwrap_or(J::Null);
                let a = after.0.get(k).cloned().unwrap_or(J::Null);
                (b != a).then(|| Difference {
                    setting: k.clone(),
                    before: b,
                    after: a,
                })
            })
            .collect()
    }
}

fn strings(v: Option<&Value>) -> serde_json::Map<String, J> {
    let mut out = serde_json::Map::new();
    if let Some(Value::Mapping(m)) = v {
        for (k, x) in m {
            out.insert(
                scalar_string(k).unwrap_or_default(),
                json!(scalar_string(x)),
            );
        }
    }
    out
}

/// One encryption provider as `kind key-names` (`secretbox key2`, `identity`, `kms name`).
fn provider(kind: &Value, conf: &Value) -> String {
    let kind = scalar_string(kind).unwrap_or_default();
    let mut names: Vec<String> = conf
        .get("keys")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(|k| k.get("name").and_then(scalar_string))
        .collect();
    names.extend(conf.get("name").and_then(scalar_string));
    std::iter::once(kind)
        .chain(names)
        .collect::<Vec<_>>()
        .join(" ")
}

fn obj(m: serde_json::Map<String, J>) -> J {
    J::Object(m)
}

/// Reads back the install-disk CEL expression into the selector it says, as far as it says one
/// (the clauses Talos adds to every selector are left out).
fn parse_disk_match(expr: &str) -> J {
    let mut sel = serde_json::Map::new();
    for clause in expr.split(" && ") {
        let c = clause.trim();
        if let Some(rest) = c.strip_prefix("disk.dev_path == ") {
            sel.insert(
                "dev_path".into(),
                serde_json::from_str(rest).unwrap_or(json!(rest)),
            );
        } else if let Some(rest) = c.strip_prefix("glob(").and_then(|r| r.strip_suffix(')')) {
            if let Some((pat, field)) = rest.rsplit_once(", disk.") {
                sel.insert(
                    field.to_string(),
                    serde_json::from_str(pat).unwrap_or(json!(pat)),
                );
            }
        } else if c == "disk.transport == \"nvme\"" {
            sel.insert("type".into(), json!("nvme"));
        } else if c == "disk.transport == \"mmc\"" {
            sel.insert("type".into(), json!("sd"));
        } else if c == "disk.rotational" {
            sel.insert("type".into(), json!("hdd"));
        } else if c == "!disk.rotational" {
            sel.insert("type".into(), json!("ssd"));
        } else if !matches!(
            c,
            "disk.transport != \"\"" | "!disk.readonly" | "!disk.cdrom"
        ) {
            sel.insert(format!("expression {c}"), json!(true));
        }
    }
    J::Object(sel)
}

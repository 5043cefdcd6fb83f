//! v1alpha1 document rules: the parts of Talos's `(*v1alpha1.Config).Validate`
//! (`pkg/machinery/config/types/v1alpha1/v1alpha1_validation.go`) that the schema cannot express.
//! In: the v1alpha1 document. Out: hits for an install section without a disk, what a worker may
//! not carry (VIPs, CA keys, etcd, Talos API access; a config without `machine.type` is a fragment and
//! is not judged by them), network devices that are both bond and bridge
//! or name an interface twice, routes without network or gateway, the container-mode host DNS
//! requirement, duplicate extensions and inline manifests, `persist: false`.

use std::collections::HashMap;

use serde_json::Value;

use super::{
    Hit, Mode, Rule, Scope, Severity, Target, at, items, non_empty, present, q, text, truthy,
};
use crate::Contract::{V1_11, V1_14};

const ALL_MODES: &[Mode] = &[];

fn is_worker(doc: &Value) -> bool {
    text(doc, "machine.type") == Some("worker")
}

fn install_required(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    if present(s.doc(), "machine") && !present(s.doc(), "machine.install") {
        out.push(s.hit(rule, "machine", rule.message.to_string()));
    }
}

fn install_disk(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    let doc = s.doc();
    if present(doc, "machine.install")
        && text(doc, "machine.install.disk").is_none()
        && !present(doc, "machine.install.diskSelector")
    {
        out.push(s.hit(rule, "machine.install", rule.message.to_string()));
    }
}

fn install_uki_args(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    let doc = s.doc();
    if non_empty(doc, "machine.install.extraKernelArgs")
        && truthy(doc, "machine.install.grubUseUKICmdline")
    {
        out.push(s.hit(
            rule,
            "machine.install.extraKernelArgs",
            rule.message.to_string(),
        ));
    }
}

fn host_dns_forward(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    let doc = s.doc();
    if truthy(doc, "machine.features.hostDNS.forwardKubeDNSToHost")
        && !truthy(doc, "machine.features.hostDNS.enabled")
    {
        out.push(s.hit(rule, "machine.features.hostDNS", rule.message.to_string()));
    }
}

fn container_host_dns(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    if !truthy(s.doc(), rule.path) {
        let path = if present(s.doc(), rule.path) {
            rule.path
        } else {
            "machine"
        };
        out.push(s.hit(rule, path, rule.message.to_string()));
    }
}

/// Each network device with its path.
fn devices(doc: &Value) -> impl Iterator<Item = (String, &Value)> {
    items(doc, "machine.network.interfaces")
        .iter()
        .enumerate()
        .map(|(i, d)| (format!("machine.network.interfaces.{i}"), d))
}

fn worker_vip(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    if !is_worker(s.doc()) {
        return;
    }
    for (path, d) in devices(s.doc()) {
        if present(d, "vip") {
            out.push(s.hit(rule, &format!("{path}.vip"), rule.message.to_string()));
        }
        for (j, vlan) in items(d, "vlans").iter().enumerate() {
            if present(vlan, "vip") {
                out.push(s.hit(
                    rule,
                    &format!("{path}.vlans.{j}.vip"),
                    rule.message.to_string(),
                ));
            }
        }
    }
}

fn worker_machine_ca_key(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    if is_worker(s.doc()) && text(s.doc(), "machine.ca.key").is_some() {
        out.push(s.hit(rule, "machine.ca.key", rule.message.to_string()));
    }
}

fn worker_cluster_ca_key(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    if is_worker(s.doc()) && text(s.doc(), "cluster.ca.key").is_some() {
        out.push(s.hit(rule, "cluster.ca.key", rule.message.to_string()));
    }
}

fn worker_etcd(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    // A config without `machine.type` is a fragment (Talos says "unknown machine type"); the
    // etcd rule speaks about typed configs only.
    if present(s.doc(), "cluster.etcd") && is_worker(s.doc()) {
        out.push(s.hit(rule, "cluster.etcd", rule.message.to_string()));
    }
}

fn worker_api_access(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    let path = "machine.features.kubernetesTalosAPIAccess.enabled";
    if truthy(s.doc(), path) && is_worker(s.doc()) {
        out.push(s.hit(rule, path, rule.message.to_string()));
    }
}

fn bond_and_bridge(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    for (path, d) in devices(s.doc()) {
        if present(d, "bond") && present(d, "bridge") {
            let name = text(d, "interface").unwrap_or_default();
            out.push(s.hit(
                rule,
                &path,
                format!(
                    "interface has both bridge and bond sections set {}: config sections are mutually exclusive",
                    q(name)
                ),
            ));
        }
    }
}

fn bond_interfaces_and_selectors(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    for (path, d) in devices(s.doc()) {
        if non_empty(d, "bond.interfaces") && non_empty(d, "bond.deviceSelectors") {
            let name = text(d, "interface").unwrap_or_default();
            out.push(s.hit(
                rule,
                &format!("{path}.bond"),
                format!(
                    "interface {} has both interfaces and selectors set: config sections are mutually exclusive",
                    q(name)
                ),
            ));
        }
    }
}

fn secondary_twice(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    let mut owner: HashMap<&str, &str> = HashMap::new();
    for (path, d) in devices(s.doc()) {
        let me = text(d, "interface").unwrap_or_default();
        let list = if present(d, "bridge") {
            "bridge.interfaces"
        } else {
            "bond.interfaces"
        };
        for (j, iface) in items(d, list).iter().enumerate() {
            let Some(iface) = iface.as_str() else {
                continue;
            };
            match owner.get(iface) {
                Some(other) if *other != me => out.push(s.hit(
                    rule,
                    &format!("{path}.{list}.{j}"),
                    format!(
                        "interface {} is declared as part of two separate links: {} and {}",
                        q(iface),
                        q(other),
                        q(me)
                    ),
                )),
                _ => {
                    owner.insert(iface, me);
                }
            }
        }
    }
}

fn device_selector(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    for (path, d) in devices(s.doc()) {
        let iface = text(d, "interface").is_some();
        let selector = present(d, "deviceSelector");
        let message = match (iface, selector) {
            (false, false) => "required either config section to be set",
            (true, true) => "config sections are mutually exclusive",
            _ => continue,
        };
        out.push(s.hit(
            rule,
            &path,
            format!(
                "[networking.os.device.interface], [networking.os.device.deviceSelector]: {message}"
            ),
        ));
    }
}

fn cidr_and_addresses(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    for (path, d) in devices(s.doc()) {
        if text(d, "cidr").is_some() && non_empty(d, "addresses") {
            let name = text(d, "interface").unwrap_or_default();
            out.push(s.hit(
                rule,
                &format!("{path}.cidr"),
                format!(
                    "[networking.os.device] {}: interface can't have both .cidr and .addresses set",
                    q(name)
                ),
            ));
        }
    }
}

fn route_target(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    for (path, d) in devices(s.doc()) {
        for (j, r) in items(d, "routes").iter().enumerate() {
            if text(r, "network").is_none() && text(r, "gateway").is_none() {
                out.push(s.hit(
                    rule,
                    &format!("{path}.routes.{j}"),
                    format!(
                        "[networking.os.device.route[{j}]]: either network or gateway should be set"
                    ),
                ));
            }
        }
    }
}

fn duplicate_extensions(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    let mut seen = Vec::new();
    for (i, ext) in items(s.doc(), "machine.install.extensions")
        .iter()
        .enumerate()
    {
        let image = text(ext, "image").unwrap_or_default();
        if seen.contains(&image) {
            out.push(s.hit(
                rule,
                &format!("machine.install.extensions.{i}.image"),
                format!("duplicate system extension {}", q(image)),
            ));
        }
        seen.push(image);
    }
}

fn inline_manifests(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    let mut seen = Vec::new();
    for (i, m) in items(s.doc(), "cluster.inlineManifests").iter().enumerate() {
        let name = at(m, "name").and_then(Value::as_str).unwrap_or_default();
        let path = format!("cluster.inlineManifests.{i}.name");
        if name.is_empty() {
            out.push(s.hit(rule, &path, "inline manifest name can't be empty".into()));
        } else if seen.contains(&name) {
            out.push(s.hit(
                rule,
                &path,
                format!("inline manifest name {} is duplicate", q(name)),
            ));
        }
        seen.push(name);
    }
}

fn persist(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    if at(s.doc(), "persist").and_then(Value::as_bool) == Some(false) {
        out.push(s.hit(rule, "persist", rule.message.to_string()));
    }
}

fn etcd_subnets(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    if text(s.doc(), "cluster.etcd.subnet").is_some()
        && non_empty(s.doc(), "cluster.etcd.advertisedSubnets")
    {
        out.push(s.hit(rule, "cluster.etcd.subnet", rule.message.to_string()));
    }
}

fn external_cloud_provider(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    let doc = s.doc();
    if present(doc, "cluster.externalCloudProvider")
        && !truthy(doc, "cluster.externalCloudProvider.enabled")
        && non_empty(doc, "cluster.externalCloudProvider.manifests")
    {
        out.push(s.hit(
            rule,
            "cluster.externalCloudProvider",
            rule.message.to_string(),
        ));
    }
}

fn machine_type_alias(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    if text(s.doc(), "machine.type") == Some("join") {
        out.push(s.hit(
            rule,
            "machine.type",
            "use \"worker\" instead of \"join\" for machine type".into(),
        ));
    }
}

macro_rules! rule {
    ($id:literal, $since:ident, $until:expr, $modes:expr, $path:literal, $msg:literal, $check:expr) => {
        Rule {
            id: $id,
            target: Target::Root,
            since: $since,
            until: $until,
            modes: $modes,
            severity: Severity::Error,
            path: $path,
            message: $msg,
            check: $check,
        }
    };
}

/// The v1alpha1 rules.
pub static RULES: &[Rule] = &[
    Rule {
        id: "v1alpha1.machine-type-alias",
        target: Target::Root,
        since: V1_11,
        until: None,
        modes: ALL_MODES,
        severity: Severity::Warning,
        path: "machine.type",
        message: "use %q instead of %q for machine type",
        check: machine_type_alias,
    },
    rule!(
        "v1alpha1.install-required",
        V1_11,
        Some(V1_14),
        &[Mode::Metal],
        "machine.install",
        "install instructions are required in \"metal\" mode",
        install_required
    ),
    rule!(
        "v1alpha1.install-disk",
        V1_11,
        None,
        &[Mode::Metal],
        "machine.install",
        "either install disk or diskSelector should be defined",
        install_disk
    ),
    rule!(
        "v1alpha1.install-uki-args",
        V1_11,
        None,
        &[Mode::Metal],
        "machine.install.extraKernelArgs",
        "install.extraKernelArgs and install.grubUseUKICmdline can't be used together",
        install_uki_args
    ),
    rule!(
        "v1alpha1.container-host-dns",
        V1_11,
        Some(V1_14),
        &[Mode::Container],
        "machine.features.hostDNS.enabled",
        "feature HostDNS should be enabled in container mode (.machine.features.hostDNS.enabled)",
        container_host_dns
    ),
    rule!(
        "v1alpha1.container-host-dns-forward",
        V1_11,
        Some(V1_14),
        &[Mode::Container],
        "machine.features.hostDNS.forwardKubeDNSToHost",
        "feature HostDNS should forward kube-dns to host in container mode (.machine.features.hostDNS.forwardKubeDNSToHost)",
        container_host_dns
    ),
    rule!(
        "v1alpha1.host-dns-forward",
        V1_11,
        None,
        ALL_MODES,
        "machine.features.hostDNS",
        "feature hostDNS.forwardKubeDNSToHost requires hostDNS.enabled to be true (.machine.features.hostDNS)",
        host_dns_forward
    ),
    rule!(
        "v1alpha1.worker-vip",
        V1_11,
        None,
        ALL_MODES,
        "machine.network.interfaces[].vip",
        "virtual (shared) IP is not allowed on non-controlplane nodes",
        worker_vip
    ),
    rule!(
        "v1alpha1.worker-machine-ca-key",
        V1_11,
        None,
        ALL_MODES,
        "machine.ca.key",
        "issuing Talos API CA key is not allowed on non-controlplane nodes (.machine.ca)",
        worker_machine_ca_key
    ),
    rule!(
        "v1alpha1.worker-cluster-ca-key",
        V1_11,
        None,
        ALL_MODES,
        "cluster.ca.key",
        "issuing Kubernetes API CA key is not allowed on non-controlplane nodes (.cluster.ca)",
        worker_cluster_ca_key
    ),
    rule!(
        "v1alpha1.worker-etcd",
        V1_11,
        None,
        ALL_MODES,
        "cluster.etcd",
        "etcd config is only allowed on control plane machines",
        worker_etcd
    ),
    rule!(
        "v1alpha1.worker-talos-api-access",
        V1_11,
        None,
        ALL_MODES,
        "machine.features.kubernetesTalosAPIAccess",
        "feature Kubernetes Talos API Access can only be enabled on control plane machines",
        worker_api_access
    ),
    rule!(
        "v1alpha1.bond-and-bridge",
        V1_11,
        None,
        ALL_MODES,
        "machine.network.interfaces[]",
        "interface has both bridge and bond sections set %q: config sections are mutually exclusive",
        bond_and_bridge
    ),
    rule!(
        "v1alpha1.bond-interfaces-and-selectors",
        V1_11,
        None,
        ALL_MODES,
        "machine.network.interfaces[].bond",
        "interface %q has both interfaces and selectors set: config sections are mutually exclusive",
        bond_interfaces_and_selectors
    ),
    rule!(
        "v1alpha1.interface-in-two-links",
        V1_11,
        None,
        ALL_MODES,
        "machine.network.interfaces[].bond.interfaces[]",
        "interface %q is declared as part of two separate links: %q and %q",
        secondary_twice
    ),
    rule!(
        "v1alpha1.device-interface-or-selector",
        V1_11,
        None,
        ALL_MODES,
        "machine.network.interfaces[]",
        "[networking.os.device.interface], [networking.os.device.deviceSelector]: required either config section to be set / mutually exclusive",
        device_selector
    ),
    rule!(
        "v1alpha1.device-cidr-and-addresses",
        V1_11,
        None,
        ALL_MODES,
        "machine.network.interfaces[].cidr",
        "[networking.os.device] %q: interface can't have both .cidr and .addresses set",
        cidr_and_addresses
    ),
    rule!(
        "v1alpha1.route-network-or-gateway",
        V1_11,
        None,
        ALL_MODES,
        "machine.network.interfaces[].routes[]",
        "[networking.os.device.route[%d]]: either network or gateway should be set",
        route_target
    ),
    rule!(
        "v1alpha1.duplicate-extension",
        V1_11,
        None,
        ALL_MODES,
        "machine.install.extensions[].image",
        "duplicate system extension %q",
        duplicate_extensions
    ),
    rule!(
        "v1alpha1.inline-manifest-name",
        V1_11,
        None,
        ALL_MODES,
        "cluster.inlineManifests[].name",
        "inline manifest name can't be empty / inline manifest name %q is duplicate",
        inline_manifests
    ),
    rule!(
        "v1alpha1.persist",
        V1_11,
        None,
        ALL_MODES,
        "persist",
        ".persist should be enabled",
        persist
    ),
    rule!(
        "v1alpha1.etcd-subnets",
        V1_11,
        None,
        ALL_MODES,
        "cluster.etcd.subnet",
        "etcd subnet can't be set when advertised subnets are set",
        etcd_subnets
    ),
    rule!(
        "v1alpha1.external-cloud-provider",
        V1_11,
        None,
        ALL_MODES,
        "cluster.externalCloudProvider",
        "external cloud provider is disabled, but manifests are provided",
        external_cloud_provider
    ),
];

//! `machine.network.interfaces` → link documents. In: the v1alpha1 document. Out: per interface a
//! LinkConfig (or BondConfig, BridgeConfig, DummyLinkConfig, WireguardConfig, by what the
//! interface is), a VLANConfig per VLAN named `<link>.<vlanId>` as Talos named them, DHCPv4Config /
//! DHCPv6Config where DHCP was on, and Layer2VIPConfig / HCloudVIPConfig for a VIP; or
//! [`Blocked`] for what has no faithful document (device selectors, `ignore`, Equinix Metal VIPs),
//! in which case every interface stays in v1alpha1.

use serde_yaml_ng::{Mapping, Value};

use super::table::{FieldMap, How};
use super::value::{get, new_doc, set, truthy};
use super::{Blocked, Out};
use crate::Contract;

const fn r(
    source: &'static str,
    kind: &'static str,
    field: &'static str,
    name: &'static str,
    example: &'static str,
    expect: &'static str,
    note: &'static str,
) -> FieldMap {
    FieldMap {
        source,
        kind,
        field,
        how: How::Custom,
        exact: true,
        note,
        example,
        name: Some(name),
        expect,
    }
}

const I: &str = "machine.network.interfaces";

/// The rows of the interface conversion (for the book and the table test; `example` is the
/// whole `interfaces` list).
pub static ROWS: &[FieldMap] = &[
    FieldMap {
        exact: false,
        ..r(
            "machine.network.interfaces[].addresses",
            "LinkConfig",
            "addresses",
            "eth0",
            "[{interface: eth0, addresses: [10.0.0.2/24]}]",
            "[{address: 10.0.0.2/24}]",
            "one LinkConfig per interface, named by `interface`; an address without a prefix length gets /32 (/128). Not exact for links no interface names: once a link document exists, Talos stops its default DHCP on them (the report says so)",
        )
    },
    r(
        "machine.network.interfaces[].routes",
        "LinkConfig",
        "routes",
        "eth0",
        "[{interface: eth0, routes: [{network: 0.0.0.0/0, gateway: 10.0.0.1, metric: 1024}]}]",
        "[{destination: 0.0.0.0/0, gateway: 10.0.0.1, metric: 1024}]",
        "`network` becomes `destination`; gateway, source, metric and mtu keep their names",
    ),
    r(
        "machine.network.interfaces[].mtu",
        "LinkConfig",
        "mtu",
        "eth0",
        "[{interface: eth0, mtu: 9000}]",
        "9000",
        "",
    ),
    r(
        "machine.network.interfaces[].dhcp",
        "DHCPv4Config",
        "name",
        "eth0",
        "[{interface: eth0, dhcp: true}]",
        "eth0",
        "`dhcpOptions.routeMetric` becomes `routeMetric`; `dhcpOptions.ipv6: true` adds a DHCPv6Config",
    ),
    r(
        "machine.network.interfaces[].vip",
        "Layer2VIPConfig",
        "link",
        "10.0.0.10",
        "[{interface: eth0, vip: {ip: 10.0.0.10}}]",
        "eth0",
        "named by the VIP; `vip.hcloud` gives an HCloudVIPConfig instead",
    ),
    r(
        "machine.network.interfaces[].bond",
        "BondConfig",
        "links",
        "bond0",
        "[{interface: bond0, bond: {mode: 802.3ad, interfaces: [eth0, eth1]}}]",
        "[eth0, eth1]",
        "`mode` becomes `bondMode`, `interfaces` becomes `links`; other options keep their names",
    ),
    r(
        "machine.network.interfaces[].vlans",
        "VLANConfig",
        "parent",
        "eth0.20",
        "[{interface: eth0, vlans: [{vlanId: 20, addresses: [10.0.20.2/24]}]}]",
        "eth0",
        "named `<interface>.<vlanId>`, as Talos named the VLAN link",
    ),
    r(
        "machine.network.interfaces[].bridge",
        "BridgeConfig",
        "links",
        "br0",
        "[{interface: br0, bridge: {interfaces: [eth0], stp: {enabled: true}}}]",
        "[eth0]",
        "`stp.enabled` keeps its place, `vlan.vlanFiltering` becomes `vlan.filtering`",
    ),
    r(
        "machine.network.interfaces[].dummy",
        "DummyLinkConfig",
        "name",
        "dummy0",
        "[{interface: dummy0, dummy: true}]",
        "dummy0",
        "",
    ),
    r(
        "machine.network.interfaces[].wireguard",
        "WireguardConfig",
        "listenPort",
        "wg0",
        "[{interface: wg0, wireguard: {privateKey: a, listenPort: 51820}}]",
        "51820",
        "",
    ),
];

fn blocked(path: String, reason: &str) -> Blocked {
    Blocked {
        path,
        reason: reason.to_string(),
    }
}

/// Bond options that keep their name in BondConfig (v1alpha1 name, BondConfig name).
const BOND_FIELDS: &[(&str, &str)] = &[
    ("mode", "bondMode"),
    ("interfaces", "links"),
    ("arpIPTarget", "arpIPTargets"),
    ("xmitHashPolicy", "xmitHashPolicy"),
    ("lacpRate", "lacpRate"),
    ("arpValidate", "arpValidate"),
    ("arpAllTargets", "arpAllTargets"),
    ("primary", "primary"),
    ("primaryReselect", "primaryReselect"),
    ("failOverMac", "failOverMac"),
    ("adSelect", "adSelect"),
    ("miimon", "miimon"),
    ("updelay", "updelay"),
    ("downdelay", "downdelay"),
    ("arpInterval", "arpInterval"),
    ("resendIgmp", "resendIGMP"),
    ("minLinks", "minLinks"),
    ("lpInterval", "lpInterval"),
    ("packetsPerSlave", "packetsPerSlave"),
    ("numPeerNotif", "numPeerNotif"),
    ("allSlavesActive", "allSlavesActive"),
    ("useCarrier", "useCarrier"),
    ("adActorSysPrio", "adActorSysPrio"),
    ("adUserPortKey", "adUserPortKey"),
    ("peerNotifyDelay", "peerNotifDelay"),
];

/// The conversion of `machine.network.interfaces`.
pub fn interfaces(root: &Value, out: &mut Out) -> Result<(), Blocked> {
    let Some(list) = get(root, I) else {
        return Ok(());
    };
    let list = list
        .as_sequence()
        .ok_or_else(|| blocked(I.into(), "expected a list"))?;
    for (i, dev) in list.iter().enumerate() {
        let at = format!("{I}.{i}");
        for key in ["deviceSelector", "ignore", "bridgePort"] {
            if dev.get(key).is_some() {
                let why = match key {
                    "deviceSelector" => {
                        "a device selector has no direct document: name the link with a LinkAliasConfig (CEL `match`) and describe it by that name"
                    }
                    "ignore" => {
                        "`ignore` has no document: Talos configures only the links documents name"
                    }
                    _ => "`bridgePort` has no document: list the port in the bridge's `links`",
                };
                return Err(blocked(format!("{at}.{key}"), why));
            }
        }
        let name = dev
            .get("interface")
            .and_then(Value::as_str)
            .ok_or_else(|| blocked(format!("{at}.interface"), "an interface without a name"))?;
        let kind = if dev.get("bond").is_some() {
            "BondConfig"
        } else if dev.get("bridge").is_some() {
            "BridgeConfig"
        } else if dev.get("dummy").and_then(truthy) == Some(true) {
            "DummyLinkConfig"
        } else if dev.get("wireguard").is_some() {
            "WireguardConfig"
        } else {
            "LinkConfig"
        };
        let mut doc = new_doc(kind, Some(name));
        match kind {
            "BondConfig" => bond(dev, &at, &mut doc, out.to)?,
            "BridgeConfig" => bridge(dev, &mut doc),
            "WireguardConfig" => wireguard(dev, &at, &mut doc)?,
            _ => {}
        }
        link_common(dev, &at, &mut doc)?;
        out.push(doc);
        dhcp(dev, name, out);
        vip(dev, &format!("{at}.vip"), name, out)?;
        if let Some(vlans) = dev.get("vlans").and_then(Value::as_sequence) {
            for (j, vlan) in vlans.iter().enumerate() {
                let vat = format!("{at}.vlans.{j}");
                let id = vlan
                    .get("vlanId")
                    .and_then(Value::as_u64)
                    .ok_or_else(|| blocked(format!("{vat}.vlanId"), "a VLAN without an ID"))?;
                let vname = format!("{name}.{id}");
                let mut vdoc = new_doc("VLANConfig", Some(&vname));
                set(&mut vdoc, "vlanID", id.into());
                set(&mut vdoc, "parent", name.into());
                link_common(vlan, &vat, &mut vdoc)?;
                out.push(vdoc);
                dhcp(vlan, &vname, out);
                vip(vlan, &format!("{vat}.vip"), &vname, out)?;
            }
        }
    }
    out.took(I);
    Ok(())
}

/// Addresses, routes and MTU, the same on every link kind.
fn link_common(dev: &Value, at: &str, doc: &mut Value) -> Result<(), Blocked> {
    let mut addrs: Vec<Value> = Vec::new();
    let mut push_addr = |a: &str| {
        let a = if a.contains('/') {
            a.to_string()
        } else if a.contains(':') {
            format!("{a}/128")
        } else {
            format!("{a}/32")
        };
        let mut m = Mapping::new();
        m.insert("address".into(), a.into());
        addrs.push(Value::Mapping(m));
    };
    if let Some(cidr) = dev.get("cidr").and_then(Value::as_str) {
        push_addr(cidr);
    }
    if let Some(list) = dev.get("addresses").and_then(Value::as_sequence) {
        for a in list {
            let a = a.as_str().ok_or_else(|| {
                blocked(format!("{at}.addresses"), "expected addresses as strings")
            })?;
            push_addr(a);
        }
    }
    if !addrs.is_empty() {
        set(doc, "addresses", Value::Sequence(addrs));
    }
    if let Some(routes) = dev.get("routes").and_then(Value::as_sequence) {
        let mut out = Vec::new();
        for route in routes {
            let mut m = Mapping::new();
            for (from, to) in [
                ("network", "destination"),
                ("gateway", "gateway"),
                ("source", "source"),
                ("metric", "metric"),
                ("mtu", "mtu"),
            ] {
                if let Some(v) = route.get(from)
                    && !(from == "network" && v.as_str() == Some(""))
                {
                    m.insert(to.into(), v.clone());
                }
            }
            out.push(Value::Mapping(m));
        }
        set(doc, "routes", Value::Sequence(out));
    }
    if let Some(mtu) = dev.get("mtu") {
        set(doc, "mtu", mtu.clone());
    }
    Ok(())
}

fn dhcp(dev: &Value, link: &str, out: &mut Out) {
    if dev.get("dhcp").and_then(truthy) != Some(true) {
        return;
    }
    let opts = dev.get("dhcpOptions");
    let opt = |k: &str| opts.and_then(|o| o.get(k));
    let metric = opt("routeMetric").cloned();
    if opt("ipv4").and_then(truthy) != Some(false) {
        let mut doc = new_doc("DHCPv4Config", Some(link));
        if let Some(m) = &metric {
            set(&mut doc, "routeMetric", m.clone());
        }
        out.push(doc);
    }
    if opt("ipv6").and_then(truthy) == Some(true) {
        let mut doc = new_doc("DHCPv6Config", Some(link));
        if let Some(m) = &metric {
            set(&mut doc, "routeMetric", m.clone());
        }
        if let Some(duid) = opt("duidv6") {
            set(&mut doc, "duidRaw", duid.clone());
        }
        out.push(doc);
    }
}

fn vip(dev: &Value, at: &str, link: &str, out: &mut Out) -> Result<(), Blocked> {
    let Some(vip) = dev.get("vip") else {
        return Ok(());
    };
    if vip.get("equinixMetal").is_some() {
        return Err(blocked(
            format!("{at}.equinixMetal"),
            "Equinix Metal VIPs have no document",
        ));
    }
    let ip = vip
        .get("ip")
        .and_then(Value::as_str)
        .ok_or_else(|| blocked(format!("{at}.ip"), "a VIP without an address"))?;
    let doc = match vip.get("hcloud") {
        Some(h) => {
            let mut d = new_doc("HCloudVIPConfig", Some(ip));
            set(&mut d, "link", link.into());
            if let Some(t) = h.get("apiToken") {
                set(&mut d, "apiToken", t.clone());
            }
            d
        }
        None => {
            let mut d = new_doc("Layer2VIPConfig", Some(ip));
            set(&mut d, "link", link.into());
            d
        }
    };
    out.push(doc);
    Ok(())
}

fn bond(dev: &Value, at: &str, doc: &mut Value, to: Contract) -> Result<(), Blocked> {
    let b = dev
        .get("bond")
        .and_then(Value::as_mapping)
        .ok_or_else(|| blocked(format!("{at}.bond"), "expected a map"))?;
    for (k, v) in b {
        let k = k.as_str().unwrap_or_default();
        let Some((_, to_key)) = BOND_FIELDS.iter().find(|(from, _)| *from == k) else {
            return Err(blocked(
                format!("{at}.bond.{k}"),
                "no BondConfig field carries this option",
            ));
        };
        if k == "primary" && to < Contract::V1_15 {
            return Err(blocked(
                format!("{at}.bond.primary"),
                "BondConfig has `primary` only from Talos v1.15",
            ));
        }
        set(doc, to_key, v.clone());
    }
    if b.get("mode").is_none() {
        return Err(blocked(
            format!("{at}.bond.mode"),
            "BondConfig requires `bondMode`; set the bond mode explicitly",
        ));
    }
    Ok(())
}

fn bridge(dev: &Value, doc: &mut Value) {
    let Some(b) = dev.get("bridge") else { return };
    if let Some(l) = b.get("interfaces") {
        set(doc, "links", l.clone());
    }
    if let Some(e) = b.get("stp").and_then(|s| s.get("enabled")) {
        set(doc, "stp.enabled", e.clone());
    }
    if let Some(f) = b.get("vlan").and_then(|s| s.get("vlanFiltering")) {
        set(doc, "vlan.filtering", f.clone());
    }
    if doc.get("links").is_none() {
        set(doc, "links", Value::Sequence(Vec::new()));
    }
}

fn wireguard(dev: &Value, at: &str, doc: &mut Value) -> Result<(), Blocked> {
    let w = dev.get("wireguard").unwrap_or(&Value::Null);
    let key = w.get("privateKey").ok_or_else(|| {
        blocked(
            format!("{at}.wireguard.privateKey"),
            "WireguardConfig requires a private key",
        )
    })?;
    set(doc, "privateKey", key.clone());
    for k in ["listenPort", "firewallMark"] {
        if let Some(v) = w.get(k) {
            set(doc, k, v.clone());
        }
    }
    if let Some(peers) = w.get("peers") {
        set(doc, "peers", peers.clone());
    }
    Ok(())
}

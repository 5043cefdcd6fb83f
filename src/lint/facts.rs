//! What the cluster-wide rules read from each rendered node. In: a [`RenderedNode`]. Out: its
//! [`NodeFacts`] — name, address, typed role, hostname, static addresses and VIPs per link, pod and
//! service subnets, endpoint, install disk and cluster name — from the v1alpha1 document and the
//! documents that replace its sections.

use std::net::IpAddr;

use ipnet::IpNet;
use machinist_functions::ipmath;
use machinist_model::schema::yaml_to_json;
use serde_json::Value;

use crate::render::RenderedNode;

/// What the cluster checks need from one node's rendered config.
#[derive(Debug, Default)]
pub struct NodeFacts {
    /// The node's name.
    pub name: String,
    /// Where its API answers.
    pub address: String,
    /// Whether it is a control-plane node.
    pub control_plane: bool,
    /// Its configured hostname.
    pub hostname: Option<String>,
    /// Static addresses with their prefix, by link name.
    pub addresses: Vec<(String, IpNet)>,
    /// Virtual IPs, by link name.
    pub vips: Vec<(String, IpAddr)>,
    /// `cluster.network.podSubnets`.
    pub pod_subnets: Vec<IpNet>,
    /// `cluster.network.serviceSubnets`.
    pub service_subnets: Vec<IpNet>,
    /// `cluster.controlPlane.endpoint`.
    pub endpoint: Option<String>,
    /// Whether an install disk (or disk selector) is set.
    pub install_disk: bool,
    /// Whether the config has a v1alpha1 document at all.
    pub has_root: bool,
    /// `cluster.clusterName`: one project may hold several clusters (a fleet), and the checks of
    /// one cluster's VIP, endpoint and hostnames stay within it.
    pub cluster: String,
}

fn strs(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn nets(v: Option<&Value>) -> Vec<IpNet> {
    strs(v)
        .into_iter()
        .filter_map(|s| ipmath::parse_prefix(s).ok())
        .collect()
}

/// Reads the facts of one rendered node.
pub fn facts(node: &RenderedNode) -> NodeFacts {
    let mut f = NodeFacts {
        name: node.name.clone(),
        address: node.address.clone(),
        control_plane: node.role.is_control_plane(),
        ..NodeFacts::default()
    };
    for doc in node.documents.iter().map(yaml_to_json) {
        match doc.get("kind").and_then(Value::as_str) {
            None => root_facts(&doc, &mut f),
            Some("HostnameConfig") => {
                if let Some(h) = doc.get("hostname").and_then(Value::as_str) {
                    f.hostname = Some(h.to_string());
                }
            }
            Some("Layer2VIPConfig") => {
                let ip = doc
                    .get("name")
                    .and_then(Value::as_str)
                    .and_then(|s| s.parse().ok());
                let link = doc.get("link").and_then(Value::as_str).unwrap_or_default();
                if let Some(ip) = ip {
                    f.vips.push((link.to_string(), ip));
                }
            }
            Some("UnattendedInstallConfig") => f.install_disk = true,
            // From v1.14 the cluster settings move to their own documents.
            Some("KubeClusterConfig") => {
                if let Some(name) = doc.get("clusterName").and_then(Value::as_str) {
                    f.cluster = name.to_string();
                }
                if let Some(e) = doc.get("endpoint").and_then(Value::as_str) {
                    f.endpoint = Some(e.to_string());
                }
            }
            Some("KubeNetworkConfig") => {
                f.pod_subnets.extend(nets(doc.get("podSubnets")));
                f.service_subnets.extend(nets(doc.get("serviceSubnets")));
            }
            Some(_) => {
                let link = doc.get("name").and_then(Value::as_str).unwrap_or_default();
                for a in doc
                    .get("addresses")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(net) = a
                        .get("address")
                        .and_then(Value::as_str)
                        .and_then(|s| ipmath::parse_prefix(s).ok())
                    {
                        f.addresses.push((link.to_string(), net));
                    }
                }
            }
        }
    }
    f
}

fn root_facts(doc: &Value, f: &mut NodeFacts) {
    f.has_root = true;
    let machine = doc.get("machine");
    let network = machine.and_then(|m| m.get("network"));
    if let Some(h) = network
        .and_then(|n| n.get("hostname"))
        .and_then(Value::as_str)
    {
        f.hostname = Some(h.to_string());
    }
    let ifaces = network
        .and_then(|n| n.get("interfaces"))
        .and_then(Value::as_array);
    for (i, iface) in ifaces.into_iter().flatten().enumerate() {
        let link = iface
            .get("interface")
            .and_then(Value::as_str)
            .map_or_else(|| format!("interfaces[{i}]"), str::to_string);
        link_facts(iface, &link, f);
        for vlan in iface
            .get("vlans")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let id = vlan.get("vlanId").map(Value::to_string).unwrap_or_default();
            link_facts(vlan, &format!("{link}.{id}"), f);
        }
    }
    let install = machine.and_then(|m| m.get("install"));
    if install.is_some_and(|i| {
        i.get("disk")
            .and_then(Value::as_str)
            .is_some_and(|d| !d.is_empty())
            || i.get("diskSelector")
                .is_some_and(|s| s.as_object().is_some_and(|o| !o.is_empty()))
    }) {
        f.install_disk = true;
    }
    let cluster = doc.get("cluster");
    if let Some(name) = cluster
        .and_then(|c| c.get("clusterName"))
        .and_then(Value::as_str)
    {
        f.cluster = name.to_string();
    }
    // Documents may come in any order: keep what a KubeNetworkConfig or KubeClusterConfig set.
    let cnet = cluster.and_then(|c| c.get("network"));
    f.pod_subnets
        .extend(nets(cnet.and_then(|n| n.get("podSubnets"))));
    f.service_subnets
        .extend(nets(cnet.and_then(|n| n.get("serviceSubnets"))));
    if let Some(e) = cluster
        .and_then(|c| c.get("controlPlane"))
        .and_then(|c| c.get("endpoint"))
        .and_then(Value::as_str)
    {
        f.endpoint = Some(e.to_string());
    }
}

fn link_facts(link: &Value, name: &str, f: &mut NodeFacts) {
    for a in strs(link.get("addresses")) {
        if let Ok(net) = ipmath::parse_prefix(a) {
            f.addresses.push((name.to_string(), net));
        }
    }
    if let Some(ip) = link
        .get("vip")
        .and_then(|v| v.get("ip"))
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
    {
        f.vips.push((name.to_string(), ip));
    }
}

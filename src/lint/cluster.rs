//! The cluster-wide rules of DESIGN §3, one function each. In: every node's [`NodeFacts`]. Out:
//! one [`Diagnostic`] (kind `Cluster`) per finding, naming the nodes involved. Addresses must be
//! unique across the whole project; the other rules apply within each cluster
//! (`cluster.clusterName`), so a fleet of several clusters is checked cluster by cluster.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;
use machinist_functions::ipmath;

use super::endpoint_host;
use super::facts::NodeFacts;
use crate::diagnostics::{Diagnostic, Kind};

/// Every cluster rule over `nodes`, sorted by message and without repeats.
pub fn check(nodes: &[NodeFacts]) -> Vec<Diagnostic> {
    let mut out = duplicate_addresses(nodes);
    let mut clusters: BTreeMap<&str, Vec<&NodeFacts>> = BTreeMap::new();
    for n in nodes {
        clusters.entry(&n.cluster).or_default().push(n);
    }
    for members in clusters.values() {
        for rule in CLUSTER_RULES {
            out.extend(rule(members));
        }
    }
    out.sort_by(|a, b| a.message.cmp(&b.message));
    out.dedup_by(|a, b| a.message == b.message);
    out
}

/// A rule over the nodes of one cluster.
type Rule = fn(&[&NodeFacts]) -> Vec<Diagnostic>;

/// The rules that apply within one cluster.
const CLUSTER_RULES: &[Rule] = &[
    duplicate_hostnames,
    vip_outside_its_subnet,
    control_planes_disagree_on_the_vip,
    endpoint_is_no_control_plane,
    cluster_subnet_overlaps_node_subnet,
    no_install_disk,
];

fn finding(message: String) -> Diagnostic {
    Diagnostic::new(Kind::Cluster, message)
}

fn names(nodes: &[&NodeFacts]) -> String {
    nodes
        .iter()
        .map(|n| format!("`{}`", n.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An address (API address or static address) used by two nodes anywhere in the project.
pub fn duplicate_addresses(nodes: &[NodeFacts]) -> Vec<Diagnostic> {
    let mut by_addr: BTreeMap<String, Vec<&NodeFacts>> = BTreeMap::new();
    for n in nodes {
        let mut addrs: Vec<String> = vec![n.address.clone()];
        addrs.extend(n.addresses.iter().map(|(_, a)| a.addr().to_string()));
        addrs.sort();
        addrs.dedup();
        for a in addrs {
            by_addr.entry(a).or_default().push(n);
        }
    }
    by_addr
        .iter()
        .filter(|(_, group)| group.len() > 1)
        .map(|(a, group)| finding(format!("duplicate address `{a}` on nodes {}", names(group))))
        .collect()
}

/// Two nodes of one cluster with the same hostname.
pub fn duplicate_hostnames(nodes: &[&NodeFacts]) -> Vec<Diagnostic> {
    let mut by_host: BTreeMap<&str, Vec<&NodeFacts>> = BTreeMap::new();
    for n in nodes {
        if let Some(h) = &n.hostname {
            by_host.entry(h).or_default().push(n);
        }
    }
    by_host
        .iter()
        .filter(|(_, group)| group.len() > 1)
        .map(|(h, group)| {
            finding(format!(
                "duplicate hostname `{h}` on nodes {}",
                names(group)
            ))
        })
        .collect()
}

/// A VIP outside every subnet of the link it is announced on.
pub fn vip_outside_its_subnet(nodes: &[&NodeFacts]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for n in nodes {
        for (link, vip) in &n.vips {
            let subnets: Vec<&IpNet> = n
                .addresses
                .iter()
                .filter(|(l, _)| l == link)
                .map(|(_, a)| a)
                .collect();
            if !subnets.is_empty() && !subnets.iter().any(|s| s.trunc().contains(vip)) {
                let list: Vec<String> = subnets.iter().map(|s| s.trunc().to_string()).collect();
                out.push(finding(format!(
                    "VIP `{vip}` of node `{}` is outside the subnet of its link `{link}` ({})",
                    n.name,
                    list.join(", ")
                )));
            }
        }
    }
    out
}

/// Control planes of one cluster announcing different VIPs (or some none).
pub fn control_planes_disagree_on_the_vip(nodes: &[&NodeFacts]) -> Vec<Diagnostic> {
    let mut vip_sets: BTreeMap<String, Vec<&NodeFacts>> = BTreeMap::new();
    for n in nodes.iter().filter(|n| n.control_plane) {
        let mut v: Vec<String> = n.vips.iter().map(|(_, ip)| ip.to_string()).collect();
        v.sort();
        v.dedup();
        let key = if v.is_empty() {
            "no VIP".to_string()
        } else {
            v.join(", ")
        };
        vip_sets.entry(key).or_default().push(n);
    }
    if vip_sets.len() < 2 {
        return Vec::new();
    }
    let parts: Vec<String> = vip_sets
        .iter()
        .map(|(v, group)| format!("{v} on {}", names(group)))
        .collect();
    vec![finding(format!(
        "control-plane nodes disagree on the VIP: {}",
        parts.join("; ")
    ))]
}

/// An endpoint (an IP, not a DNS name) that is neither a VIP nor an address of a control plane.
pub fn endpoint_is_no_control_plane(nodes: &[&NodeFacts]) -> Vec<Diagnostic> {
    let cps: Vec<&NodeFacts> = nodes.iter().copied().filter(|n| n.control_plane).collect();
    let mut endpoints: BTreeMap<&str, Vec<&NodeFacts>> = BTreeMap::new();
    for n in nodes {
        if let Some(e) = &n.endpoint {
            endpoints.entry(e).or_default().push(n);
        }
    }
    let mut out = Vec::new();
    for (endpoint, group) in &endpoints {
        let Ok(ip) = endpoint_host(endpoint).parse::<IpAddr>() else {
            continue; // a DNS name: nothing to compare offline
        };
        let matches = cps.iter().any(|n| {
            n.vips.iter().any(|(_, v)| *v == ip)
                || n.address.parse::<IpAddr>().is_ok_and(|a| a == ip)
                || n.addresses.iter().any(|(_, a)| a.addr() == ip)
        });
        if !matches {
            out.push(finding(format!(
                "endpoint `{endpoint}` (nodes {}) is neither the VIP nor the address of a control-plane node",
                names(group)
            )));
        }
    }
    out
}

/// A pod or service subnet overlapping a node's own subnet.
pub fn cluster_subnet_overlaps_node_subnet(nodes: &[&NodeFacts]) -> Vec<Diagnostic> {
    let mut cluster_cidrs: Vec<(&str, IpNet)> = Vec::new();
    for n in nodes {
        cluster_cidrs.extend(n.pod_subnets.iter().map(|c| ("pod", *c)));
        cluster_cidrs.extend(n.service_subnets.iter().map(|c| ("service", *c)));
    }
    cluster_cidrs.sort();
    cluster_cidrs.dedup();
    let mut out = Vec::new();
    for (what, cidr) in cluster_cidrs {
        let clashing: Vec<&NodeFacts> = nodes
            .iter()
            .copied()
            .filter(|m| {
                m.addresses
                    .iter()
                    .any(|(_, a)| ipmath::overlaps(&a.trunc(), &cidr))
            })
            .collect();
        if !clashing.is_empty() {
            out.push(finding(format!(
                "{what} subnet `{cidr}` overlaps the node subnet of nodes {}",
                names(&clashing)
            )));
        }
    }
    out
}

/// Nodes with a v1alpha1 document but no install disk or disk selector.
pub fn no_install_disk(nodes: &[&NodeFacts]) -> Vec<Diagnostic> {
    let no_disk: Vec<&NodeFacts> = nodes
        .iter()
        .copied()
        .filter(|n| n.has_root && !n.install_disk)
        .collect();
    if no_disk.is_empty() {
        return Vec::new();
    }
    vec![finding(format!(
        "no install disk (`machine.install.disk` or `diskSelector`) on nodes {}",
        names(&no_disk)
    ))]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::facts::NodeFacts;

    fn cluster_findings(nodes: &[NodeFacts]) -> Vec<String> {
        check(nodes).into_iter().map(|d| d.message).collect()
    }

    fn node(name: &str, address: &str, cp: bool) -> NodeFacts {
        NodeFacts {
            name: name.into(),
            address: address.into(),
            control_plane: cp,
            hostname: Some(name.into()),
            addresses: vec![("eth0".into(), format!("{address}/24").parse().unwrap())],
            vips: if cp {
                vec![("eth0".into(), "10.0.0.10".parse().unwrap())]
            } else {
                vec![]
            },
            pod_subnets: vec!["10.244.0.0/16".parse().unwrap()],
            service_subnets: vec!["10.96.0.0/12".parse().unwrap()],
            endpoint: Some("https://10.0.0.10:6443".into()),
            install_disk: true,
            has_root: true,
            cluster: "c".into(),
        }
    }

    fn healthy() -> Vec<NodeFacts> {
        vec![
            node("cp-1", "10.0.0.11", true),
            node("cp-2", "10.0.0.12", true),
            node("wk-1", "10.0.0.21", false),
        ]
    }

    #[test]
    fn a_healthy_cluster_has_no_findings() {
        assert!(cluster_findings(&healthy()).is_empty());
    }

    #[test]
    fn each_check_names_the_nodes_involved() {
        let mut nodes = healthy();
        nodes[2].hostname = Some("cp-1".into());
        nodes[1].address = "10.0.0.11".into();
        nodes[1].vips = vec![("eth0".into(), "10.0.1.10".parse().unwrap())];
        nodes[0].endpoint = Some("https://10.0.0.99:6443".into());
        nodes[2].pod_subnets = vec!["10.0.0.0/16".parse().unwrap()];
        nodes[2].install_disk = false;
        insta::assert_snapshot!(cluster_findings(&nodes).join("\n"), @r"
        VIP `10.0.1.10` of node `cp-2` is outside the subnet of its link `eth0` (10.0.0.0/24)
        control-plane nodes disagree on the VIP: 10.0.0.10 on `cp-1`; 10.0.1.10 on `cp-2`
        duplicate address `10.0.0.11` on nodes `cp-1`, `cp-2`
        duplicate hostname `cp-1` on nodes `cp-1`, `wk-1`
        endpoint `https://10.0.0.99:6443` (nodes `cp-1`) is neither the VIP nor the address of a control-plane node
        no install disk (`machine.install.disk` or `diskSelector`) on nodes `wk-1`
        pod subnet `10.0.0.0/16` overlaps the node subnet of nodes `cp-1`, `cp-2`, `wk-1`
        ");
    }

    #[test]
    fn clusters_of_one_project_are_checked_apart() {
        let mut nodes = healthy();
        let mut other = node("cp-9", "10.0.0.31", true);
        other.vips = vec![("eth0".into(), "10.0.0.40".parse().unwrap())];
        other.endpoint = Some("https://10.0.0.40:6443".into());
        other.cluster = "d".into();
        nodes.push(other);
        assert!(
            cluster_findings(&nodes).is_empty(),
            "{:?}",
            cluster_findings(&nodes)
        );
    }
}

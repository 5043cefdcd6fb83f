//! `machinist lint [DIR]`: renders every node (which validates every document against the
//! project's contract), then runs the cluster-wide checks of DESIGN §3 over the rendered configs:
//! duplicate hostnames and addresses, VIPs outside their link's subnet or differing across
//! control planes, an endpoint that is neither the VIP nor a control-plane address, pod/service
//! CIDRs overlapping node subnets, nodes without an install disk. Each finding names its nodes.
//! Exit 1 on any finding. Deprecated fields the configs set are warnings (grouped by field, with
//! the nodes that set them), and so is a value a layer file sets that no template reads (a typo in
//! a layer key is otherwise silent): they are shown but do not fail the run.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;

use clap::Args;
use ipnet::IpNet;
use machinist::diagnostics::{Diagnostic, Kind};
use machinist::project::Project;
use machinist::render::{RenderedNode, render};
use machinist_functions::ipmath;
use machinist_model::schema::yaml_to_json;
use machinist_model::{Contract, Mode, check_json_documents};
use serde_json::Value;

use super::exit::ExitStatus;
use super::report;

/// Render every node and check the cluster as a whole.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// `text` (diagnostics on stderr) or `json` (one report on stdout, for CI).
    #[arg(long, value_enum, default_value_t = super::report::Format::Text)]
    pub format: super::report::Format,
    #[command(flatten)]
    pub values: super::values_args::ValuesArgs,
}

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

/// The host part of an endpoint such as `https://10.0.0.10:6443` or `https://[fd00::1]:6443`.
pub fn endpoint_host(endpoint: &str) -> &str {
    let rest = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
    let rest = rest.split('/').next().unwrap_or(rest);
    if let Some(v6) = rest.strip_prefix('[') {
        return v6.split(']').next().unwrap_or(v6);
    }
    rest.rsplit_once(':').map_or(rest, |(h, _)| h)
}

fn names(nodes: &[&NodeFacts]) -> String {
    nodes
        .iter()
        .map(|n| format!("`{}`", n.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The cluster-wide findings, as one message each, sorted. Addresses must be unique across the
/// project; the other checks apply within each cluster (`cluster.clusterName`).
pub fn cluster_findings(nodes: &[NodeFacts]) -> Vec<String> {
    let mut out = Vec::new();
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
    for (a, group) in &by_addr {
        if group.len() > 1 {
            out.push(format!("duplicate address `{a}` on nodes {}", names(group)));
        }
    }
    let mut clusters: BTreeMap<&str, Vec<&NodeFacts>> = BTreeMap::new();
    for n in nodes {
        clusters.entry(&n.cluster).or_default().push(n);
    }
    for members in clusters.values() {
        one_cluster(members, &mut out);
    }
    out.sort();
    out.dedup();
    out
}

fn one_cluster(nodes: &[&NodeFacts], out: &mut Vec<String>) {
    let mut by_host: BTreeMap<&str, Vec<&NodeFacts>> = BTreeMap::new();
    for n in nodes {
        if let Some(h) = &n.hostname {
            by_host.entry(h).or_default().push(n);
        }
    }
    for (h, group) in &by_host {
        if group.len() > 1 {
            out.push(format!(
                "duplicate hostname `{h}` on nodes {}",
                names(group)
            ));
        }
    }
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
                out.push(format!(
                    "VIP `{vip}` of node `{}` is outside the subnet of its link `{link}` ({})",
                    n.name,
                    list.join(", ")
                ));
            }
        }
    }
    let cps: Vec<&NodeFacts> = nodes.iter().copied().filter(|n| n.control_plane).collect();
    let mut vip_sets: BTreeMap<String, Vec<&NodeFacts>> = BTreeMap::new();
    for n in &cps {
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
    if vip_sets.len() > 1 {
        let parts: Vec<String> = vip_sets
            .iter()
            .map(|(v, group)| format!("{v} on {}", names(group)))
            .collect();
        out.push(format!(
            "control-plane nodes disagree on the VIP: {}",
            parts.join("; ")
        ));
    }
    let mut endpoints: BTreeMap<&str, Vec<&NodeFacts>> = BTreeMap::new();
    for n in nodes {
        if let Some(e) = &n.endpoint {
            endpoints.entry(e).or_default().push(n);
        }
    }
    for (endpoint, group) in &endpoints {
        let host = endpoint_host(endpoint);
        let Ok(ip) = host.parse::<IpAddr>() else {
            continue; // a DNS name: nothing to compare offline
        };
        let matches = cps.iter().any(|n| {
            n.vips.iter().any(|(_, v)| *v == ip)
                || n.address.parse::<IpAddr>().is_ok_and(|a| a == ip)
                || n.addresses.iter().any(|(_, a)| a.addr() == ip)
        });
        if !matches {
            out.push(format!(
                "endpoint `{endpoint}` (nodes {}) is neither the VIP nor the address of a control-plane node",
                names(group)
            ));
        }
    }
    let mut cluster_cidrs: Vec<(&str, IpNet)> = Vec::new();
    for n in nodes {
        cluster_cidrs.extend(n.pod_subnets.iter().map(|c| ("pod", *c)));
        cluster_cidrs.extend(n.service_subnets.iter().map(|c| ("service", *c)));
    }
    cluster_cidrs.sort();
    cluster_cidrs.dedup();
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
            out.push(format!(
                "{what} subnet `{cidr}` overlaps the node subnet of nodes {}",
                names(&clashing)
            ));
        }
    }
    let no_disk: Vec<&NodeFacts> = nodes
        .iter()
        .copied()
        .filter(|n| n.has_root && !n.install_disk)
        .collect();
    if !no_disk.is_empty() {
        out.push(format!(
            "no install disk (`machine.install.disk` or `diskSelector`) on nodes {}",
            names(&no_disk)
        ));
    }
}

/// Warnings for what Talos warns about and the deprecated fields the rendered configs set (the
/// same check `render` runs, so nothing Talos refuses is called accepted): one per field and
/// document, naming every node that sets it, in the order first seen.
pub fn deprecation_warnings(nodes: &[RenderedNode], contract: Contract) -> Vec<Diagnostic> {
    let mut groups: Vec<(String, Option<String>, Vec<&str>)> = Vec::new();
    for node in nodes {
        let docs: Vec<Value> = node.documents.iter().map(yaml_to_json).collect();
        for f in check_json_documents(contract, Mode::Metal, &docs, false).warnings {
            let what = if f.rule.is_some() {
                format!("{}: `{}`: {}", f.document_label(), f.path, f.message)
            } else {
                format!("{}: `{}` is {}", f.document_label(), f.path, f.message)
            };
            match groups.iter_mut().find(|(w, _, _)| *w == what) {
                Some((_, _, names)) => names.push(&node.name),
                None => groups.push((what, f.hint, vec![&node.name])),
            }
        }
    }
    groups
        .into_iter()
        .map(|(what, hint, names)| {
            let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            let mut d = Diagnostic::new(
                Kind::Deprecated,
                format!("{what} (nodes {})", list.join(", ")),
            );
            if let Some(h) = hint {
                d = d.hint(h);
            }
            d
        })
        .collect()
}

/// Whether the dotted `path` is read by one of `reads` (each a `values.` reference of a template,
/// without the prefix): one is a prefix of the other.
fn is_read(path: &[&str], reads: &[Vec<&str>]) -> bool {
    reads.iter().any(|r| {
        let n = r.len().min(path.len());
        r[..n] == path[..n]
    })
}

fn walk_unused<'a>(
    node: &'a machinist::yaml::Node,
    path: &mut Vec<&'a str>,
    reads: &[Vec<&str>],
    layer: &machinist::project::LayerFile,
    out: &mut Vec<Diagnostic>,
) {
    let machinist::yaml::Kind::Map(entries) = &node.kind else {
        return;
    };
    for (key, pos, child) in entries {
        path.push(key.as_str());
        if !is_read(path, reads) {
            out.push(
                layer
                    .source
                    .error(
                        *pos,
                        format!(
                            "`values.{}` is set in layer `{}/{}` but no template reads it",
                            path.join("."),
                            layer.facet,
                            layer.value
                        ),
                    )
                    .hint("check the key's spelling against the templates' `values.` references"),
            );
        } else {
            walk_unused(child, path, reads, layer, out);
        }
        path.pop();
    }
}

/// Warnings for values set in layer files that no template reads. Templates that use `values`
/// as a whole (passed on or iterated) read everything; a template that does not parse is
/// render's business, and then nothing is reported.
pub fn unused_layer_values(project: &Project) -> Vec<Diagnostic> {
    let env = minijinja::Environment::new();
    let mut refs = std::collections::HashSet::new();
    for (name, text) in &project.templates {
        match env.template_from_named_str(name, text) {
            Ok(t) => refs.extend(t.undeclared_variables(true)),
            Err(_) => return Vec::new(),
        }
    }
    if refs.contains("values") {
        return Vec::new();
    }
    let reads: Vec<Vec<&str>> = refs
        .iter()
        .filter_map(|r| r.strip_prefix("values."))
        .map(|r| r.split('.').collect())
        .collect();
    let mut out = Vec::new();
    for layer in project.layers.values() {
        walk_unused(&layer.values, &mut Vec::new(), &reads, layer, &mut out);
    }
    for d in &mut out {
        d.kind = Kind::Warning;
    }
    out
}

/// Runs `machinist lint`.
pub fn run(args: LintArgs) -> ExitStatus {
    let json = args.format == report::Format::Json;
    let fail = |diags: &[Diagnostic], summary: String| {
        if json {
            report::print_json_report(diags, serde_json::json!({ "ok": false }));
        } else {
            report::print(diags);
            report::error(&summary);
        }
        ExitStatus::Failure
    };
    let project = match Project::load(&args.dir) {
        Ok(p) => p,
        Err(diags) => return fail(&diags, "the project does not load".into()),
    };
    let options = match args.values.render_options(&[], false) {
        Ok(o) => o,
        Err(diags) => return fail(&diags, "invalid values or patches".into()),
    };
    let nodes = match render(&project, options) {
        Ok(n) => n,
        Err(diags) => {
            let summary = format!(
                "{} problem(s) found while rendering and validating",
                diags.len()
            );
            return fail(&diags, summary);
        }
    };
    let contract = project.chart.contract;
    let unused = unused_layer_values(&project);
    let unused_count = unused.len();
    let warnings: Vec<Diagnostic> = deprecation_warnings(&nodes, contract)
        .into_iter()
        .chain(unused)
        .collect();
    let all: Vec<NodeFacts> = nodes.iter().map(facts).collect();
    let findings: Vec<Diagnostic> = cluster_findings(&all)
        .into_iter()
        .map(|m| Diagnostic::new(Kind::Cluster, m))
        .collect();
    let ok = findings.is_empty();
    if json {
        let diags: Vec<Diagnostic> = findings.into_iter().chain(warnings).collect();
        report::print_json_report(
            &diags,
            serde_json::json!({ "ok": ok, "nodes": nodes.len(), "contract": contract.as_str() }),
        );
        return ExitStatus::failure_if(!ok);
    }
    report::print(&warnings);
    if ok {
        let tail = match (warnings.len() - unused_count, unused_count) {
            (0, 0) => String::new(),
            (n, 0) => format!("; {n} deprecation warning(s)"),
            (n, u) => format!("; {n} deprecation warning(s), {u} unused layer value(s)"),
        };
        println!(
            "{} node(s) rendered and valid for Talos {contract}; cluster checks passed{tail}",
            nodes.len(),
        );
        return ExitStatus::Success;
    }
    report::print(&findings);
    report::error(&format!("{} cluster problem(s) found", findings.len()));
    ExitStatus::Failure
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn endpoint_hosts() {
        assert_eq!(endpoint_host("https://10.0.0.1:6443"), "10.0.0.1");
        assert_eq!(endpoint_host("https://[fd00::1]:6443/x"), "fd00::1");
        assert_eq!(endpoint_host("https://api.lan"), "api.lan");
    }
}

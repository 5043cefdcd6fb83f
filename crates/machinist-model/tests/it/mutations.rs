//! Mutation tests: a valid v1.13 config (tests/fixtures/base-v1.13.yaml) is broken in one way at a
//! time (misspelt key, wrong type, bad enum value, bad CIDR or duration, unknown kind, duplicate
//! document, missing required key, field or kind from another contract), and each broken config
//! must be rejected at the right path with the right message. The messages are also snapshotted.

use crate::common;

use machinist_model::Contract;
use machinist_model::schema::{Finding, validate_json_documents, yaml_to_json};
use serde_json::{Value, json};

use Contract::{V1_11, V1_12, V1_13, V1_14};

enum Op {
    /// Set the value at a pointer of a document.
    Set(usize, &'static str, Value),
    /// Rename the key at a pointer of a document.
    Rename(usize, &'static str, &'static str),
    /// Remove the key at a pointer of a document.
    Remove(usize, &'static str),
    /// Append a document written in YAML.
    Add(&'static str),
    /// Append a copy of a document.
    Dup(usize),
}

use Op::*;

struct Case {
    name: &'static str,
    contract: Contract,
    op: Op,
    /// The YAML path the finding must name.
    path: &'static str,
    /// Text the finding's message must contain.
    message: &'static str,
}

const fn case(
    name: &'static str,
    contract: Contract,
    op: Op,
    path: &'static str,
    message: &'static str,
) -> Case {
    Case {
        name,
        contract,
        op,
        path,
        message,
    }
}

fn cases() -> Vec<Case> {
    vec![
        // Misspelt keys.
        case(
            "hostname typo",
            V1_13,
            Rename(0, "/machine/network/hostname", "hostnme"),
            "machine.network.hostnme",
            "unknown key `hostnme`",
        ),
        case(
            "install disk typo",
            V1_13,
            Rename(0, "/machine/install/disk", "disc"),
            "machine.install.disc",
            "unknown key `disc`",
        ),
        case(
            "kubelet image typo",
            V1_13,
            Rename(0, "/machine/kubelet/image", "imag"),
            "machine.kubelet.imag",
            "unknown key `imag`",
        ),
        case(
            "endpoint typo",
            V1_13,
            Rename(0, "/cluster/controlPlane/endpoint", "endpont"),
            "cluster.controlPlane.endpont",
            "unknown key `endpont`",
        ),
        case(
            "podSubnets singular",
            V1_13,
            Rename(0, "/cluster/network/podSubnets", "podSubnet"),
            "cluster.network.podSubnet",
            "unknown key `podSubnet`",
        ),
        case(
            "serviceSubnets typo",
            V1_13,
            Rename(0, "/cluster/network/serviceSubnets", "servicesSubnets"),
            "cluster.network.servicesSubnets",
            "unknown key `servicesSubnets`",
        ),
        case(
            "addresses typo",
            V1_13,
            Rename(0, "/machine/network/interfaces/0/addresses", "adresses"),
            "machine.network.interfaces[0].adresses",
            "unknown key `adresses`",
        ),
        case(
            "gateway typo",
            V1_13,
            Rename(
                0,
                "/machine/network/interfaces/0/routes/0/gateway",
                "gatway",
            ),
            "machine.network.interfaces[0].routes[0].gatway",
            "unknown key `gatway`",
        ),
        case(
            "kubePrism case",
            V1_13,
            Rename(0, "/machine/features/kubePrism", "kubeprism"),
            "machine.features.kubeprism",
            "unknown key `kubeprism`",
        ),
        case(
            "time servers singular",
            V1_13,
            Rename(0, "/machine/time/servers", "server"),
            "machine.time.server",
            "unknown key `server`",
        ),
        case(
            "clusterName case",
            V1_13,
            Rename(0, "/cluster/clusterName", "clustername"),
            "cluster.clustername",
            "unknown key `clustername`",
        ),
        case(
            "certSANs case",
            V1_13,
            Rename(0, "/machine/certSANs", "certSans"),
            "machine.certSans",
            "unknown key `certSans`",
        ),
        case(
            "apiServer certSANs singular",
            V1_13,
            Rename(0, "/cluster/apiServer/certSANs", "certSAN"),
            "cluster.apiServer.certSAN",
            "unknown key `certSAN`",
        ),
        case(
            "selector match typo",
            V1_13,
            Rename(1, "/selector/match", "matches"),
            "selector.matches",
            "unknown key `matches`",
        ),
        case(
            "minSize case",
            V1_13,
            Rename(2, "/provisioning/minSize", "minsize"),
            "provisioning.minsize",
            "unknown key `minsize`",
        ),
        case(
            "watchdog timeout typo",
            V1_13,
            Rename(3, "/timeout", "timout"),
            "timout",
            "unknown key `timout`",
        ),
        case(
            "extension environment typo",
            V1_13,
            Rename(4, "/environment", "enviroment"),
            "enviroment",
            "unknown key `enviroment`",
        ),
        case(
            "top-level machine typo",
            V1_13,
            Rename(0, "/machine", "machines"),
            "machines",
            "unknown key `machines`",
        ),
        case(
            "nameservers singular",
            V1_13,
            Rename(0, "/machine/network/nameservers", "nameserver"),
            "machine.network.nameserver",
            "unknown key `nameserver`",
        ),
        case(
            "proxy disabled typo",
            V1_13,
            Rename(0, "/cluster/proxy/disabled", "disable"),
            "cluster.proxy.disable",
            "unknown key `disable`",
        ),
        // Wrong types.
        case(
            "mtu as text",
            V1_13,
            Set(0, "/machine/network/interfaces/0/mtu", json!("big")),
            "machine.network.interfaces[0].mtu",
            "expected integer, found string",
        ),
        case(
            "wipe as a word",
            V1_13,
            Set(0, "/machine/install/wipe", json!("maybe")),
            "machine.install.wipe",
            "must be one of",
        ),
        case(
            "kubePrism port as text",
            V1_13,
            Set(0, "/machine/features/kubePrism/port", json!("7445")),
            "machine.features.kubePrism.port",
            "expected integer, found string",
        ),
        case(
            "podSubnets as text",
            V1_13,
            Set(0, "/cluster/network/podSubnets", json!("10.244.0.0/16")),
            "cluster.network.podSubnets",
            "expected array, found string",
        ),
        case(
            "nameservers as map",
            V1_13,
            Set(0, "/machine/network/nameservers", json!({ "a": 1 })),
            "machine.network.nameservers",
            "expected array, found object",
        ),
        case(
            "certSANs as number",
            V1_13,
            Set(0, "/machine/certSANs", json!(5)),
            "machine.certSANs",
            "expected array, found integer",
        ),
        case(
            "allowScheduling as a word",
            V1_13,
            Set(0, "/cluster/allowSchedulingOnControlPlanes", json!("maybe")),
            "cluster.allowSchedulingOnControlPlanes",
            "must be one of",
        ),
        case(
            "interfaces as map",
            V1_13,
            Set(0, "/machine/network/interfaces", json!({})),
            "machine.network.interfaces",
            "expected array, found object",
        ),
        case(
            "controlPlane as text",
            V1_13,
            Set(0, "/cluster/controlPlane", json!("x")),
            "cluster.controlPlane",
            "expected object, found string",
        ),
        case(
            "vip as text",
            V1_13,
            Set(
                0,
                "/machine/network/interfaces/0/vip",
                json!("192.168.1.10"),
            ),
            "machine.network.interfaces[0].vip",
            "expected object, found string",
        ),
        case(
            "provisioning as list",
            V1_13,
            Set(2, "/provisioning", json!([])),
            "provisioning",
            "expected object, found array",
        ),
        case(
            "rbac as a number",
            V1_13,
            Set(0, "/machine/features/rbac", json!(3)),
            "machine.features.rbac",
            "expected",
        ),
        case(
            "debug as a word",
            V1_13,
            Set(0, "/debug", json!("maybe")),
            "debug",
            "must be one of",
        ),
        case(
            "mtu negative",
            V1_13,
            Set(0, "/machine/network/interfaces/0/mtu", json!(-1)),
            "machine.network.interfaces[0].mtu",
            "minimum",
        ),
        case(
            "hostname as list",
            V1_13,
            Set(0, "/machine/network/hostname", json!(["a"])),
            "machine.network.hostname",
            "expected string, found array",
        ),
        // Values outside their set.
        case(
            "machine type master",
            V1_13,
            Set(0, "/machine/type", json!("master")),
            "machine.type",
            "must be one of",
        ),
        case(
            "cni name calico",
            V1_13,
            Set(0, "/cluster/network/cni/name", json!("calico")),
            "cluster.network.cni.name",
            "must be one of",
        ),
        // Bad CIDRs and durations.
        case(
            "pod subnet prefix too long",
            V1_13,
            Set(0, "/cluster/network/podSubnets/0", json!("10.244.0.0/33")),
            "cluster.network.podSubnets[0]",
            "CIDR",
        ),
        case(
            "service subnet octet out of range",
            V1_13,
            Set(
                0,
                "/cluster/network/serviceSubnets/0",
                json!("10.300.0.0/12"),
            ),
            "cluster.network.serviceSubnets[0]",
            "CIDR",
        ),
        case(
            "interface address prefix too long",
            V1_13,
            Set(
                0,
                "/machine/network/interfaces/0/addresses/0",
                json!("192.168.1.11/240"),
            ),
            "machine.network.interfaces[0].addresses[0]",
            "address or CIDR prefix",
        ),
        case(
            "route network word",
            V1_13,
            Set(
                0,
                "/machine/network/interfaces/0/routes/0/network",
                json!("default"),
            ),
            "machine.network.interfaces[0].routes[0].network",
            "address or CIDR prefix",
        ),
        case(
            "route gateway with prefix",
            V1_13,
            Set(
                0,
                "/machine/network/interfaces/0/routes/0/gateway",
                json!("192.168.1.1/24"),
            ),
            "machine.network.interfaces[0].routes[0].gateway",
            "IP address",
        ),
        case(
            "vip not an address",
            V1_13,
            Set(
                0,
                "/machine/network/interfaces/0/vip/ip",
                json!("192.168.1.256"),
            ),
            "machine.network.interfaces[0].vip.ip",
            "IP address",
        ),
        case(
            "nameserver as a host name",
            V1_13,
            Set(0, "/machine/network/nameservers/1", json!("dns.quad9.net")),
            "machine.network.nameservers[1]",
            "IP address",
        ),
        case(
            "kubelet valid subnet doubled exclusion",
            V1_13,
            Set(
                0,
                "/machine/kubelet/nodeIP/validSubnets/0",
                json!("!!192.168.1.0/24"),
            ),
            "machine.kubelet.nodeIP.validSubnets[0]",
            "subnet filter",
        ),
        case(
            "link address without prefix",
            V1_13,
            Add(
                "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth1\naddresses:\n  - address: 10.0.0.1\n",
            ),
            "addresses[0].address",
            "CIDR",
        ),
        case(
            "link address bad length",
            V1_13,
            Add(
                "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth1\naddresses:\n  - address: 10.0.0.1/abc\n",
            ),
            "addresses[0].address",
            "CIDR",
        ),
        case(
            "route destination word",
            V1_13,
            Add(
                "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth1\nroutes:\n  - destination: default\n    gateway: 10.0.0.1\n",
            ),
            "routes[0].destination",
            "CIDR",
        ),
        case(
            "pod subnet without prefix",
            V1_14,
            Add(
                "apiVersion: v1alpha1\nkind: KubeNetworkConfig\npodSubnets: [10.244.0.0]\nserviceSubnets: [10.96.0.0/12]\n",
            ),
            "podSubnets[0]",
            "CIDR",
        ),
        case(
            "service subnet as a name",
            V1_14,
            Add(
                "apiVersion: v1alpha1\nkind: KubeNetworkConfig\npodSubnets: [10.244.0.0/16]\nserviceSubnets: [services]\n",
            ),
            "serviceSubnets[0]",
            "CIDR",
        ),
        case(
            "endpoint without https",
            V1_13,
            Set(
                0,
                "/cluster/controlPlane/endpoint",
                json!("192.168.1.10:6443"),
            ),
            "cluster.controlPlane.endpoint",
            "https URL",
        ),
        case(
            "watchdog timeout words",
            V1_13,
            Set(3, "/timeout", json!("2 minutes")),
            "timeout",
            "duration",
        ),
        // Unknown kinds.
        case(
            "kind typo",
            V1_13,
            Add("apiVersion: v1alpha1\nkind: LinkConfg\nname: eth0\n"),
            "kind",
            "unknown kind `LinkConfg`",
        ),
        case(
            "kind invented",
            V1_13,
            Add("apiVersion: v1alpha1\nkind: Frobnicator\n"),
            "kind",
            "unknown kind `Frobnicator`",
        ),
        case(
            "kind schema spelling",
            V1_14,
            Add("apiVersion: v1alpha1\nkind: UnattendedInstall\n"),
            "kind",
            "unknown kind `UnattendedInstall`",
        ),
        case(
            "kind lower case",
            V1_13,
            Add("apiVersion: v1alpha1\nkind: hostnameconfig\nhostname: a\n"),
            "kind",
            "unknown kind `hostnameconfig`",
        ),
        case(
            "document without kind",
            V1_13,
            Add("hostname: a\n"),
            "",
            "no `kind`",
        ),
        // Duplicates.
        case(
            "duplicate named document",
            V1_13,
            Dup(1),
            "",
            "`LinkAliasConfig` named `lan0` is already defined by document 2",
        ),
        case(
            "duplicate unnamed document",
            V1_13,
            Dup(3),
            "",
            "`WatchdogTimerConfig` may appear only once",
        ),
        case(
            "duplicate v1alpha1",
            V1_13,
            Dup(0),
            "",
            "`v1alpha1` may appear only once",
        ),
        case(
            "duplicate volume",
            V1_13,
            Dup(2),
            "",
            "`UserVolumeConfig` named `data`",
        ),
        // Missing required keys.
        case(
            "named kind without name",
            V1_13,
            Remove(1, "/name"),
            "",
            "missing required key `name`",
        ),
        case(
            "extension without name",
            V1_13,
            Remove(4, "/name"),
            "",
            "missing required key `name`",
        ),
        case(
            "document without apiVersion",
            V1_13,
            Remove(3, "/apiVersion"),
            "",
            "missing required key `apiVersion`",
        ),
        // Fields and kinds from another contract.
        case(
            "kind from v1.14",
            V1_13,
            Add("apiVersion: v1alpha1\nkind: KubeletConfig\n"),
            "kind",
            "`KubeletConfig` is not accepted by Talos v1.13; it exists from v1.14",
        ),
        case(
            "kind from v1.12",
            V1_11,
            Add("apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: a\n"),
            "kind",
            "`HostnameConfig` is not accepted by Talos v1.11; it exists from v1.12",
        ),
        case(
            "kind from v1.13",
            V1_12,
            Add("apiVersion: v1alpha1\nkind: TCPProbeConfig\nname: p\nendpoint: 10.0.0.1:80\n"),
            "kind",
            "`TCPProbeConfig` is not accepted by Talos v1.12; it exists from v1.13",
        ),
        case(
            "resolver field from v1.14",
            V1_13,
            Add(
                "apiVersion: v1alpha1\nkind: ResolverConfig\nnameservers:\n  - address: 1.1.1.1\n    protocol: dot\n",
            ),
            "nameservers[0].protocol",
            "`protocol` is not accepted by Talos v1.13; it exists from v1.14",
        ),
        case(
            "bond field from v1.15",
            V1_14,
            Add(
                "apiVersion: v1alpha1\nkind: BondConfig\nname: bond0\nlinks: [eth0, eth1]\nbondMode: active-backup\nprimary: eth0\n",
            ),
            "primary",
            "`primary` is not accepted by Talos v1.14; it exists from v1.15",
        ),
    ]
}

fn base() -> Vec<Value> {
    let text = include_str!("../fixtures/base-v1.13.yaml");
    common::documents(text).iter().map(yaml_to_json).collect()
}

fn apply(docs: &mut Vec<Value>, op: &Op) {
    match op {
        Set(d, p, v) => {
            *docs[*d]
                .pointer_mut(p)
                .unwrap_or_else(|| panic!("{p} exists")) = v.clone()
        }
        Rename(d, p, to) => {
            let (parent, key) = p.rsplit_once('/').expect("pointer has a parent");
            let map = docs[*d]
                .pointer_mut(parent)
                .and_then(Value::as_object_mut)
                .expect("parent map");
            let v = map.remove(key).unwrap_or_else(|| panic!("{p} exists"));
            map.insert((*to).to_string(), v);
        }
        Remove(d, p) => {
            let (parent, key) = p.rsplit_once('/').expect("pointer has a parent");
            let map = docs[*d]
                .pointer_mut(parent)
                .and_then(Value::as_object_mut)
                .expect("parent map");
            map.remove(key).unwrap_or_else(|| panic!("{p} exists"));
        }
        Add(yaml) => docs.extend(common::documents(yaml).iter().map(yaml_to_json)),
        Dup(d) => {
            let copy = docs[*d].clone();
            docs.push(copy);
        }
    }
}

#[test]
fn the_base_config_is_valid() {
    let findings = validate_json_documents(V1_13, &base(), false);
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn every_mutation_is_rejected_at_the_right_path_with_the_right_message() {
    let cases = cases();
    assert!(cases.len() >= 50, "only {} mutations", cases.len());
    let mut failures = Vec::new();
    let mut transcript = String::new();
    for c in &cases {
        let mut docs = base();
        apply(&mut docs, &c.op);
        let findings = validate_json_documents(c.contract, &docs, false);
        let hit = findings
            .iter()
            .any(|f: &Finding| f.path == c.path && f.message.contains(c.message));
        if !hit {
            failures.push(format!(
                "{} ({}): wanted `{}` at `{}`, got {:?}",
                c.name,
                c.contract,
                c.message,
                c.path,
                findings.iter().map(ToString::to_string).collect::<Vec<_>>()
            ));
        }
        transcript.push_str(&format!("## {} ({})\n", c.name, c.contract));
        for f in &findings {
            transcript.push_str(&format!("{f}\n"));
        }
    }
    println!("{} mutations rejected", cases.len() - failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    insta::assert_snapshot!("mutation_messages", transcript);
}

#[test]
fn unknown_keys_and_kinds_get_a_did_you_mean_hint() {
    let mut docs = base();
    apply(
        &mut docs,
        &Rename(0, "/machine/network/hostname", "hostnme"),
    );
    apply(
        &mut docs,
        &Add("apiVersion: v1alpha1\nkind: LinkConfg\nname: eth0\n"),
    );
    let hints: Vec<Option<String>> = validate_json_documents(V1_13, &docs, false)
        .into_iter()
        .map(|f| f.hint)
        .collect();
    assert_eq!(
        hints,
        [
            Some("did you mean `hostname`?".to_string()),
            Some("did you mean `LinkConfig`?".to_string())
        ]
    );
}

#[test]
fn deprecated_fields_are_warnings_naming_the_contract_and_the_replacement() {
    use machinist_model::schema::deprecated_fields;
    let docs = base();
    let list = |c: Contract| -> Vec<String> {
        deprecated_fields(c, &docs)
            .iter()
            .map(|f| match &f.value {
                Some(v) => format!("{f} = {v}"),
                None => f.to_string(),
            })
            .collect()
    };
    // v1.11 deprecates none of the legacy network fields yet, and what the v1.11 generator
    // itself writes (`features.rbac`, `persist: true`) is not worth a warning there.
    let v11 = list(V1_11);
    assert!(v11.is_empty(), "{v11:#?}");
    // From v1.12 on, talosctl no longer writes `features.rbac`: setting it is worth a warning.
    assert!(
        list(V1_12)
            .iter()
            .any(|l| l.starts_with("v1alpha1: machine.features.rbac: deprecated;")),
        "{:#?}",
        list(V1_12)
    );
    assert!(
        list(V1_13)
            .iter()
            .all(|l| !l.starts_with("v1alpha1: persist"))
    );
    insta::assert_snapshot!("deprecations_v1_13", list(V1_13).join("\n"));
    // Only documents the contract knows are looked at, and a valid new-style config is clean.
    let modern = common::documents(
        "apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: cp-01\n---\napiVersion: v1alpha1\nkind: Frobnicator\nmachine: {}\n",
    )
    .iter()
    .map(yaml_to_json)
    .collect::<Vec<_>>();
    assert!(deprecated_fields(V1_13, &modern).is_empty());
}

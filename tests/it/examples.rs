//! The bundled examples render as the README and the book promise: the homelab's VIP and
//! installer image are derived (not written anywhere), and in the fleet every layer contributes.

use crate::common;

use common::{machinist, repo, transcript};

fn render(example: &str, extra: &[&str]) -> String {
    let dir = repo().join("examples").join(example);
    let mut args = vec!["render", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let run = machinist(&repo(), &args);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    run.stdout
}

/// Each node's name and documents (the v1alpha1 document first).
fn docs(example: &str) -> Vec<(String, Vec<serde_json::Value>)> {
    let out = render(example, &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["name"].as_str().unwrap().to_string(),
                n["documents"].as_array().unwrap().clone(),
            )
        })
        .collect()
}

/// The document of `kind` (`None`: the v1alpha1 document), or `null` when there is none.
fn doc<'a>(docs: &'a [serde_json::Value], kind: Option<&str>) -> &'a serde_json::Value {
    static NULL: serde_json::Value = serde_json::Value::Null;
    docs.iter()
        .find(|d| d.get("kind").and_then(|k| k.as_str()) == kind)
        .unwrap_or(&NULL)
}

#[test]
fn homelab_renders_the_documented_cluster() {
    insta::assert_snapshot!(render("homelab", &[]));
}

#[test]
fn homelab_vip_is_derived_not_written() {
    for entry in walkdir::WalkDir::new(repo().join("examples/homelab")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            assert!(
                !text.contains("192.168.1.10"),
                "{} holds the literal VIP",
                entry.path().display()
            );
        }
    }
    let nodes = docs("homelab");
    assert_eq!(
        nodes.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["cp-01", "cp-02", "cp-03", "worker-01"]
    );
    for (name, all) in &nodes {
        let doc = doc(all, None);
        let link = self::doc(all, Some("LinkConfig"));
        assert_eq!(link["name"], "enp1s0");
        assert!(
            self::doc(all, Some("DHCPv4Config")).is_null(),
            "no DHCP: the address is static"
        );
        assert_eq!(
            link["routes"],
            serde_json::json!([{ "gateway": "192.168.1.1" }]),
            "one default route via the router"
        );
        assert_eq!(self::doc(all, Some("HostnameConfig"))["hostname"], *name);
        assert_eq!(
            self::doc(all, Some("ResolverConfig"))["nameservers"],
            serde_json::json!([{ "address": "192.168.1.1" }, { "address": "1.1.1.1" }])
        );
        assert_eq!(
            self::doc(all, Some("TimeSyncConfig"))["ntp"]["servers"],
            serde_json::json!(["pool.ntp.org"])
        );
        assert!(
            doc["machine"].get("network").is_none() && doc["machine"].get("time").is_none(),
            "no deprecated sections"
        );
        assert_eq!(doc["machine"]["install"]["disk"], "/dev/nvme0n1");
        assert_eq!(
            doc["cluster"]["controlPlane"]["endpoint"],
            "https://192.168.1.10:6443"
        );
        assert_eq!(
            doc["machine"]["install"]["image"],
            "factory.talos.dev/installer/6147aa21a1247ea7780c8273110fe0ba30694da0ead8010b9e00e62a35400258:v1.12.7"
        );
        let vip = self::doc(all, Some("Layer2VIPConfig"));
        if name.starts_with("cp-") {
            assert_eq!(vip["name"], "192.168.1.10");
            assert_eq!(vip["link"], "enp1s0");
            assert_eq!(doc["cluster"]["allowSchedulingOnControlPlanes"], true);
        } else {
            assert_eq!(link["addresses"][0]["address"], "192.168.1.21/24");
            assert!(vip.is_null(), "the worker has no VIP");
            assert!(
                doc["cluster"]
                    .get("allowSchedulingOnControlPlanes")
                    .is_none()
            );
        }
    }
    let addrs: Vec<&str> = nodes[..3]
        .iter()
        .map(|(_, all)| {
            doc(all, Some("LinkConfig"))["addresses"][0]["address"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        addrs,
        ["192.168.1.11/24", "192.168.1.12/24", "192.168.1.13/24"]
    );
}

#[test]
fn fleet_every_layer_contributes() {
    let nodes = docs("fleet");
    assert!(nodes.len() >= 12, "{} nodes", nodes.len());
    let all = |name: &str| nodes.iter().find(|(n, _)| n == name).unwrap().1.as_slice();
    let get = |name: &str| doc(all(name), None);
    // hardware: MTU, interface and install disk
    assert_eq!(doc(all("lab-cp-1"), Some("LinkConfig"))["mtu"], 1500);
    assert_eq!(doc(all("lab-wk-3"), Some("LinkConfig"))["mtu"], 9000);
    assert_eq!(
        get("lab-cp-1")["machine"]["install"]["disk"],
        "/dev/nvme0n1"
    );
    assert_eq!(get("prod-cp-1")["machine"]["install"]["disk"], "/dev/sda");
    // the node file beats the hardware layer
    assert_eq!(
        get("prod-wk-5")["machine"]["install"]["disk"],
        "/dev/nvme0n1"
    );
    // env: NTP and nameservers
    assert_eq!(
        doc(all("lab-wk-1"), Some("TimeSyncConfig"))["ntp"]["servers"],
        serde_json::json!(["time.lab.example.org"])
    );
    assert_eq!(
        doc(all("prod-wk-1"), Some("ResolverConfig"))["nameservers"],
        serde_json::json!([{ "address": "10.20.0.53" }, { "address": "10.20.0.54" }])
    );
    // role: kubelet
    assert_eq!(
        get("prod-cp-1")["machine"]["kubelet"]["extraArgs"]["rotate-server-certificates"],
        "true"
    );
    assert_eq!(
        get("prod-wk-1")["machine"]["kubelet"]["extraConfig"]["maxPods"],
        250
    );
    assert_eq!(
        get("prod-cp-1")["machine"]["kubelet"]["extraConfig"]["maxPods"],
        110
    );
    // labels accumulate from every layer (lists: append)
    let labels = get("lab-wk-3")["machine"]["nodeLabels"]
        .as_object()
        .unwrap();
    assert_eq!(labels["fleet.example.org/env"], "lab");
    assert_eq!(labels["fleet.example.org/hardware"], "r650");
    assert!(labels.contains_key("node-role.kubernetes.io/worker"));
    // sysctls merge by name: prod changes one, r650 adds one
    let sys = get("prod-wk-1")["machine"]["sysctls"].as_object().unwrap();
    assert_eq!(sys["net.core.somaxconn"], "65535");
    assert_eq!(sys["vm.max_map_count"], "262144");
    assert_eq!(sys["net.core.rmem_max"], "67108864");
}

#[test]
fn fleet_addresses_are_allocated_by_index() {
    let out = render("fleet", &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let addr: Vec<(String, String)> = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["name"].as_str().unwrap().into(),
                n["address"].as_str().unwrap().into(),
            )
        })
        .collect();
    let find = |n: &str| addr.iter().find(|(x, _)| x == n).unwrap().1.clone();
    assert_eq!(find("lab-cp-1"), "10.10.1.10");
    assert_eq!(find("lab-cp-3"), "10.10.1.12");
    assert_eq!(find("lab-wk-1"), "10.10.2.10");
    assert_eq!(find("prod-cp-1"), "10.20.1.10");
    assert_eq!(find("prod-wk-5"), "10.20.2.14");
    let mut unique: Vec<&String> = addr.iter().map(|(_, a)| a).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), addr.len(), "no two nodes share an address");
}

#[test]
fn fleet_explain_shows_each_layer() {
    let dir = repo().join("examples/fleet");
    let run = machinist(
        &repo(),
        &["explain", dir.to_str().unwrap(), "prod-wk-5", "installDisk"],
    );
    assert_eq!(run.code, 0, "{}", transcript(&run));
    insta::assert_snapshot!(run.stdout);
}

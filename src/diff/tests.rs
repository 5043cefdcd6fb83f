use super::*;
use base64::Engine as _;

fn docs(s: &str) -> Vec<Value> {
    parse_docs(s.as_bytes()).unwrap()
}

const LIVE: &str = "# live, with comments\nversion: v1alpha1\nmachine:\n  type: worker\n  token: abcdef.0123456789abcdef\n  nodeLabels: {zone: a, rack: r1}\ncluster:\n  id: c2VjcmV0LWNsdXN0ZXItaWQ=\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\nmtu: 1500\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: w-01\n";

#[test]
fn comments_key_order_and_formatting_are_not_changes() {
    let reordered = "version: v1alpha1\ncluster: {id: c2VjcmV0LWNsdXN0ZXItaWQ=}\nmachine:\n    nodeLabels:\n        rack: r1\n        zone: a\n    token: abcdef.0123456789abcdef\n    type: worker\n---\nkind: HostnameConfig\napiVersion: v1alpha1\nhostname: w-01\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\nmtu: 1500\n";
    assert!(diff_docs(&docs(LIVE), &docs(reordered)).is_empty());
}

#[test]
fn documents_are_matched_by_kind_and_name() {
    let rendered = LIVE
        .replace("zone: a", "zone: b")
        .replace("name: eth0", "name: eth1");
    let d = diff_docs(&docs(LIVE), &docs(&rendered));
    let summary: Vec<String> = d
        .docs
        .iter()
        .map(|x| format!("{} {}", x.op.as_str(), x.key))
        .collect();
    assert_eq!(
        summary,
        [
            "change v1alpha1",
            "add LinkConfig/eth1",
            "remove LinkConfig/eth0"
        ]
    );
    let c = &d.docs[0].changes;
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].path, "machine.nodeLabels.zone");
    assert_eq!(c[0].old, Some(Value::from("a")));
    assert_eq!(c[0].new, Some(Value::from("b")));
    assert!(
        d.docs[0].unified.contains("-    zone: a\n+    zone: b\n"),
        "{}",
        d.docs[0].unified
    );
}

#[test]
fn changed_secrets_show_as_changed_without_values() {
    let rendered = LIVE
        .replace("abcdef.0123456789abcdef", "zzzzzz.9999999999999999")
        .replace("c2VjcmV0LWNsdXN0ZXItaWQ=", "bmV3LWNsdXN0ZXItaWQ=");
    let d = diff_docs(&docs(LIVE), &docs(&rendered));
    let doc = &d.docs[0];
    let paths: Vec<_> = doc
        .changes
        .iter()
        .map(|c| (c.path.as_str(), c.secret))
        .collect();
    assert_eq!(paths, [("machine.token", true), ("cluster.id", true)]);
    for c in &doc.changes {
        assert_eq!(c.old, Some(Value::from(REDACTED)));
    }
    for secret in [
        "abcdef.0123456789abcdef",
        "zzzzzz.9999999999999999",
        "c2VjcmV0LWNsdXN0ZXItaWQ=",
        "bmV3LWNsdXN0ZXItaWQ=",
    ] {
        assert!(
            !doc.unified.contains(secret),
            "{secret} leaked:\n{}",
            doc.unified
        );
    }
    assert!(
        doc.unified.contains("+  token: <redacted (changed)>"),
        "{}",
        doc.unified
    );
}

#[test]
fn free_text_is_scrubbed_of_every_secret() {
    let pem = "-----BEGIN ED25519 PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIGx2ZXJ5c2VjcmV0a2V5bWF0ZXJpYWwxMjM0NTY3\n-----END ED25519 PRIVATE KEY-----\n";
    let b64 = base64::engine::general_purpose::STANDARD.encode(pem);
    let cfg = format!(
        "version: v1alpha1\nmachine:\n  type: controlplane\n  ca:\n    crt: Y2VydA==\n    key: {b64}\n  token: abcdef.0123456789abcdef\n"
    );
    let secrets = secret_values(&docs(&cfg));
    let text = format!(
        "Config diff:\n-  key: {b64}\n+  token: abcdef.0123456789abcdef\n  crt: Y2VydA==\n"
    );
    let out = redact_text(&text, &secrets);
    assert_eq!(
        out,
        "Config diff:\n-  key: <redacted>\n+  token: <redacted>\n  crt: Y2VydA==\n"
    );
}

#[test]
fn hostname_comes_from_hostname_config_or_v1alpha1() {
    assert_eq!(hostname(&docs(LIVE)).as_deref(), Some("w-01"));
    let legacy = "version: v1alpha1\nmachine:\n  network:\n    hostname: cp-01\n";
    assert_eq!(hostname(&docs(legacy)).as_deref(), Some("cp-01"));
    assert_eq!(hostname(&docs("version: v1alpha1\n")), None);
}

#[test]
fn a_nodes_dry_run_diff_is_redacted_by_path() {
    // What Talos returns as mode_details for a dry run whose secrets differ from the bundle.
    let text = "Config diff:\n\n--- a\n+++ b\n@@ -1,12 +1,12 @@\n version: v1alpha1\n machine:\n-    token: oldtok.oldtokensecret99\n+    token: newtok.newtokensecret11\n     ca:\n         crt: Y2VydA==\n-        key: b2xka2V5\n+        key: bmV3a2V5\n     type: worker\n cluster:\n-    secretboxEncryptionSecret: b2xkc2VjcmV0Ym94\n+    secretboxEncryptionSecret: bmV3c2VjcmV0Ym94\n-    secret: oldclustersecret\n+    secret: newclustersecret\n     clusterName: demo\n@@ -40,3 +40,3 @@\n         interfaces:\n             - interface: eth0\n               wireguard:\n-                privateKey: b2xkd2c=\n+                privateKey: bmV3d2c=\n";
    let out = redact_config_text(text);
    for secret in [
        "oldtok",
        "newtok",
        "b2xka2V5",
        "bmV3a2V5",
        "b2xkc2VjcmV0Ym94",
        "oldclustersecret",
        "b2xkd2c=",
    ] {
        assert!(!out.contains(secret), "{secret} leaked:\n{out}");
    }
    assert!(
        out.contains("-    token: <redacted>\n+    token: <redacted>\n"),
        "{out}"
    );
    assert!(
        out.contains("         crt: Y2VydA==\n"),
        "certificates stay: {out}"
    );
    assert!(out.contains("     type: worker\n"), "{out}");
    assert!(out.contains("     clusterName: demo\n"), "{out}");
    assert_eq!(out.lines().count(), text.lines().count());
}

#[test]
fn config_text_redaction_handles_blocks_flows_and_documents() {
    let text = "version: v1alpha1\nmachine:\n  ca:\n    key: |\n      -----BEGIN ED25519 PRIVATE KEY-----\n      MC4CAQAwBQYDK2VwBCIE\n    crt: Y2VydA==\n  token: t.secret\ncluster:\n  ca: {crt: Y2VydA==, key: a2V5}\n  id: aWQ=\n  network:\n    dnsDomain: cluster.local\n---\napiVersion: v1alpha1\nkind: DiscoveryIdentityConfig\nclusterID: aWQ=\nclusterSecret: c2VjcmV0\n---\nkind: HostnameConfig\nhostname: token\n";
    let out = redact_config_text(text);
    assert_eq!(
        out,
        "version: v1alpha1\nmachine:\n  ca:\n    key: |\n      <redacted>\n      <redacted>\n    crt: Y2VydA==\n  token: <redacted>\ncluster:\n  ca: <redacted>\n  id: <redacted>\n  network:\n    dnsDomain: cluster.local\n---\napiVersion: v1alpha1\nkind: DiscoveryIdentityConfig\nclusterID: <redacted>\nclusterSecret: <redacted>\n---\nkind: HostnameConfig\nhostname: token\n"
    );
}

const MOVE_LIVE: &str = "version: v1alpha1\nmachine:\n  type: worker\n  network:\n    hostname: w-01\n    nameservers: [10.0.0.1]\n  time:\n    servers: [time.cloudflare.com]\n";
const MOVE_RENDERED: &str = "version: v1alpha1\nmachine:\n  type: worker\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: w-01\n---\napiVersion: v1alpha1\nkind: ResolverConfig\nnameservers: [{address: 10.0.0.1}]\n---\napiVersion: v1alpha1\nkind: TimeSyncConfig\nntp: {servers: [time.cloudflare.com]}\n";

fn moves(d: &NodeDiff) -> Vec<String> {
    d.moves
        .iter()
        .map(|m| format!("{} → {}", m.from, m.to))
        .collect()
}

#[test]
fn a_field_moved_out_of_v1alpha1_is_one_move() {
    use machinist_model::Contract;
    let d = diff_docs_migrating(&docs(MOVE_LIVE), &docs(MOVE_RENDERED), Contract::V1_12);
    assert_eq!(
        moves(&d),
        [
            "machine.network.hostname → HostnameConfig.hostname",
            "machine.network.nameservers → ResolverConfig.nameservers",
            "machine.time.servers → TimeSyncConfig.ntp.servers",
        ]
    );
    assert_eq!(d.docs, vec![], "nothing else differs");
    assert!(!d.is_empty());
    // The plain diff sees a removal and three additions.
    assert_eq!(
        diff_docs(&docs(MOVE_LIVE), &docs(MOVE_RENDERED)).docs.len(),
        4
    );
}

#[test]
fn a_moved_field_whose_value_changed_shows_the_move_and_the_change() {
    use machinist_model::Contract;
    let rendered = MOVE_RENDERED.replace("hostname: w-01", "hostname: w-02");
    let d = diff_docs_migrating(&docs(MOVE_LIVE), &docs(&rendered), Contract::V1_12);
    assert_eq!(moves(&d).len(), 3);
    assert_eq!(d.docs.len(), 1);
    assert_eq!(d.docs[0].key.to_string(), "HostnameConfig");
    assert_eq!(d.docs[0].changes[0].path, "hostname");
    assert_eq!(d.docs[0].changes[0].new, Some(Value::from("w-02")));
    assert!(
        d.docs[0]
            .unified
            .starts_with("--- live (moved) HostnameConfig\n+++ rendered HostnameConfig\n"),
        "{}",
        d.docs[0].unified
    );
}

#[test]
fn a_field_the_rendered_config_keeps_in_v1alpha1_is_not_a_move() {
    use machinist_model::Contract;
    // The rendered config keeps `machine.time` and changes its server: a plain change, and the
    // hostname is dropped without a HostnameConfig: a plain removal.
    let rendered = "version: v1alpha1\nmachine:\n  type: worker\n  network:\n    nameservers: [10.0.0.1]\n  time:\n    servers: [pool.ntp.org]\n";
    let d = diff_docs_migrating(&docs(MOVE_LIVE), &docs(rendered), Contract::V1_12);
    assert_eq!(moves(&d), Vec::<String>::new());
    assert_eq!(d, diff_docs(&docs(MOVE_LIVE), &docs(rendered)));
    let paths: Vec<&str> = d.docs[0].changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        ["machine.network.hostname", "machine.time.servers[0]"]
    );
}

#[test]
fn a_moved_section_names_the_documents_it_became() {
    use machinist_model::Contract;
    let live = "version: v1alpha1\nmachine:\n  type: worker\n  network:\n    interfaces:\n      - interface: eth0\n        addresses: [10.0.0.5/24]\n        vlans: [{vlanId: 20, dhcp: true}]\n";
    let rendered = "version: v1alpha1\nmachine:\n  type: worker\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\naddresses: [{address: 10.0.0.5/24}]\n---\napiVersion: v1alpha1\nkind: VLANConfig\nname: eth0.20\nvlanID: 20\nparent: eth0\n---\napiVersion: v1alpha1\nkind: DHCPv4Config\nname: eth0.20\n";
    let d = diff_docs_migrating(&docs(live), &docs(rendered), Contract::V1_12);
    assert_eq!(
        moves(&d),
        ["machine.network.interfaces → LinkConfig/eth0, VLANConfig/eth0.20, DHCPv4Config/eth0.20"]
    );
    assert_eq!(d.docs, vec![]);
}

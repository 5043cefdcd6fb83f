//! Tests of the mapping table and the migration engine. Every table row is run: its example is
//! written at its source path, migrated, and must land at its target field with the expected value,
//! and must not move before its step.

use serde_yaml_ng::Value;

use super::effective::Effective;
use super::table::{GROUPS, rows};
use super::value::{get, kind_of, name_of, set};
use super::*;

fn y(s: &str) -> Value {
    serde_yaml_ng::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn placeholder(source: &str) -> Value {
    match source {
        "cluster.clusterName" => "c".into(),
        "cluster.controlPlane.endpoint" => "https://10.0.0.1:6443".into(),
        "cluster.id" | "cluster.secret" => "c2VjcmV0".into(),
        "cluster.network.podSubnets" => y("[10.244.0.0/16]"),
        "cluster.network.serviceSubnets" => y("[10.96.0.0/12]"),
        _ => "registry.example/image:v1.35.4".into(),
    }
}

fn base_for(group: &table::Group, row_source: &str) -> Value {
    let mut doc = y("version: v1alpha1\nmachine:\n  type: worker\n");
    for (_, _, source) in group.required {
        // A selector and a disk together are refused; the selector row brings its own.
        let replaces =
            row_source == "machine.install.diskSelector" && *source == "machine.install.disk";
        if *source != row_source && !replaces {
            set(&mut doc, source, placeholder(source));
        }
    }
    doc
}

fn source_path(row: &table::FieldMap) -> &str {
    row.source.split("[]").next().unwrap_or(row.source)
}

#[test]
fn every_row_moves_its_example_to_its_field() {
    let mut checked = 0;
    for (group, row) in rows() {
        let mut doc = base_for(group, row.source);
        let path = source_path(row);
        set(&mut doc, path, y(row.example));
        let m = migrate(
            std::slice::from_ref(&doc),
            Contract::V1_11,
            Contract::V1_15,
            true,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", row.source));
        let root = &m.docs[0];
        assert!(
            get(root, path).is_none(),
            "{} still set: {root:?}\n{:?}",
            row.source,
            m.warnings
        );
        let target = m.docs.iter().find(|d| {
            kind_of(d) == Some(row.kind) && (row.name.is_none() || name_of(d) == row.name)
        });
        let expect = y(row.expect);
        if expect.is_null() {
            checked += 1;
            continue;
        }
        let target = target.unwrap_or_else(|| {
            panic!(
                "{}: no {} {:?} in {:?}",
                row.source, row.kind, row.name, m.docs
            )
        });
        if row.field.is_empty() {
            for (k, v) in expect.as_mapping().unwrap() {
                assert_eq!(target.get(k), Some(v), "{}", row.source);
            }
        } else {
            assert_eq!(
                get(target, row.field),
                Some(&expect),
                "{} → {}.{}",
                row.source,
                row.kind,
                row.field
            );
        }
        // Before its step the field stays where it is.
        if group.step > Contract::V1_11 {
            let prev =
                Contract::ALL[Contract::ALL.iter().position(|c| *c == group.step).unwrap() - 1];
            let m = migrate(&[doc], Contract::V1_11, prev, true).unwrap();
            assert!(
                get(&m.docs[0], path).is_some(),
                "{} moved before {}",
                row.source,
                group.step
            );
        }
        checked += 1;
    }
    assert!(checked >= 60, "only {checked} rows");
}

#[test]
fn every_row_names_a_kind_of_its_step() {
    for (group, row) in rows() {
        let info =
            crate::kinds::lookup(row.kind).unwrap_or_else(|| panic!("unknown kind {}", row.kind));
        assert!(
            info.available_in(group.step),
            "{} does not exist in {}",
            row.kind,
            group.step
        );
        assert_eq!(
            info.named,
            row.name.is_some(),
            "{}: name rule of {}",
            row.source,
            row.kind
        );
    }
    assert!(GROUPS.iter().all(|g| !g.rows.is_empty()));
}

#[test]
fn backwards_target_is_an_error() {
    let doc = y("version: v1alpha1\nmachine: {type: worker}\n");
    let err = migrate(&[doc], Contract::V1_14, Contract::V1_13, false).unwrap_err();
    assert!(err.to_string().contains("older than"), "{err}");
}

#[test]
fn control_plane_keeps_its_implicit_label_and_taint() {
    let doc = y(
        "version: v1alpha1\nmachine:\n  type: controlplane\n  kubelet: {image: ghcr.io/siderolabs/kubelet:v1.35.4}\n  nodeLabels: {zone: a}\n",
    );
    let before = Effective::of(std::slice::from_ref(&doc));
    let m = migrate(&[doc], Contract::V1_13, Contract::V1_14, true).unwrap();
    let node = m
        .docs
        .iter()
        .find(|d| kind_of(d) == Some("KubeNodeConfig"))
        .unwrap();
    assert_eq!(
        get(node, "labels"),
        Some(&y("{zone: a, node-role.kubernetes.io/control-plane: ''}"))
    );
    assert_eq!(
        get(node, "taints"),
        Some(&y("{node-role.kubernetes.io/control-plane: NoSchedule}"))
    );
    assert_eq!(before.differences(&Effective::of(&m.docs)), vec![]);
}

#[test]
fn scheduling_on_control_planes_drops_the_taint() {
    let doc = y(
        "version: v1alpha1\nmachine:\n  type: controlplane\n  kubelet: {image: k:v1}\ncluster:\n  allowSchedulingOnControlPlanes: true\n",
    );
    let m = migrate(&[doc], Contract::V1_13, Contract::V1_14, true).unwrap();
    let node = m
        .docs
        .iter()
        .find(|d| kind_of(d) == Some("KubeNodeConfig"))
        .unwrap();
    assert!(get(node, "taints").is_none(), "{node:?}");
    assert!(get(&m.docs[0], "cluster").is_none());
}

#[test]
fn unmappable_field_keeps_its_group_and_is_named() {
    let doc = y(
        "version: v1alpha1\nmachine:\n  type: worker\n  kubelet:\n    image: k:v1\n    extraMounts: [{destination: /var/x, type: bind, source: /var/x, options: [bind]}]\n",
    );
    let m = migrate(
        std::slice::from_ref(&doc),
        Contract::V1_13,
        Contract::V1_14,
        true,
    )
    .unwrap();
    assert_eq!(m.docs, vec![doc], "nothing may move");
    let w = m
        .warnings
        .iter()
        .find(|w| w.path == "machine.kubelet.extraMounts")
        .unwrap();
    assert!(
        w.message.contains("KubeletConfig has no mounts"),
        "{}",
        w.message
    );
}

#[test]
fn a_conflicting_existing_document_blocks_the_move() {
    let docs = vec![
        y("version: v1alpha1\nmachine:\n  type: worker\n  network: {hostname: a}\n"),
        y("apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: b\n"),
    ];
    let m = migrate(&docs, Contract::V1_12, Contract::V1_12, true).unwrap();
    assert_eq!(m.docs, docs);
    assert!(
        m.warnings
            .iter()
            .any(|w| w.message.contains("HostnameConfig")),
        "{:?}",
        m.warnings
    );
}

#[test]
fn interfaces_become_links_and_behaviour_is_preserved() {
    let doc = y(r#"
version: v1alpha1
machine:
  type: controlplane
  network:
    hostname: cp-01
    nameservers: [10.0.0.1]
    interfaces:
      - interface: eth0
        addresses: [10.0.0.11/24]
        routes: [{network: 0.0.0.0/0, gateway: 10.0.0.1}]
        vip: {ip: 10.0.0.10}
        vlans:
          - vlanId: 20
            dhcp: true
            dhcpOptions: {routeMetric: 2048}
      - interface: bond0
        bond: {mode: active-backup, interfaces: [eth1, eth2], miimon: 100}
        dhcp: true
  time: {servers: [time.cloudflare.com]}
"#);
    let before = Effective::of(std::slice::from_ref(&doc));
    let m = migrate(&[doc], Contract::V1_12, Contract::V1_12, true).unwrap();
    assert_eq!(before.differences(&Effective::of(&m.docs)), vec![]);
    let kinds: Vec<&str> = m.docs.iter().filter_map(kind_of).collect();
    assert_eq!(
        kinds,
        [
            "HostnameConfig",
            "ResolverConfig",
            "LinkConfig",
            "Layer2VIPConfig",
            "VLANConfig",
            "DHCPv4Config",
            "BondConfig",
            "DHCPv4Config",
            "TimeSyncConfig"
        ]
    );
    assert_eq!(
        m.docs[0],
        y("version: v1alpha1\nmachine:\n  type: controlplane\n")
    );
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
}

#[test]
fn effective_settings_see_a_dropped_value() {
    let old = y("version: v1alpha1\nmachine:\n  type: worker\n  network: {hostname: a}\n");
    let new = vec![
        y("version: v1alpha1\nmachine:\n  type: worker\n"),
        y("apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: b\n"),
    ];
    let d = Effective::of(&[old]).differences(&Effective::of(&new));
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].setting, "hostname");
}

#[test]
fn effective_settings_see_a_lost_encryption_provider() {
    let old = y(
        "version: v1alpha1\nmachine:\n  type: controlplane\ncluster:\n  secretboxEncryptionSecret: c2VjcmV0\n",
    );
    let e = Effective::of(std::slice::from_ref(&old));
    assert_eq!(
        e.0["etcd encryption providers"],
        serde_json::json!({"secrets": ["secretbox key2", "identity"]})
    );
    // `migrate config` keeps the list Talos built from the v1alpha1 field.
    let m = migrate(
        std::slice::from_ref(&old),
        Contract::V1_13,
        Contract::V1_14,
        false,
    )
    .unwrap();
    assert!(
        Effective::of(std::slice::from_ref(&old))
            .differences(&Effective::of(&m.docs))
            .is_empty()
    );
    // The v1.14 generator's document has no `identity`: a behaviour change, named.
    let new = vec![
        y("version: v1alpha1\nmachine:\n  type: controlplane\n"),
        y(
            "apiVersion: v1alpha1\nkind: KubeEtcdEncryptionConfig\nconfig:\n  resources:\n    - resources: [secrets]\n      providers:\n        - secretbox:\n            keys: [{name: key2, secret: c2VjcmV0}]\n",
        ),
    ];
    let d = e.differences(&Effective::of(&new));
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].setting, "etcd encryption providers");
    assert_eq!(
        d[0].after,
        serde_json::json!({"secrets": ["secretbox key2"]})
    );
    assert!(
        !d[0].after.to_string().contains("c2VjcmV0"),
        "no key material"
    );
    // A patch without `machine.type` is read as a control plane's (only they carry the secrets).
    let patch = y("cluster:\n  secretboxEncryptionSecret: c2VjcmV0\n");
    assert_eq!(
        Effective::of(&[patch]).0["etcd encryption providers"],
        e.0["etcd encryption providers"]
    );
    // A worker runs no kube-apiserver: nothing to compare.
    let worker = y("version: v1alpha1\nmachine:\n  type: worker\n");
    assert!(
        !Effective::of(&[worker])
            .0
            .contains_key("etcd encryption providers")
    );
}

#[test]
fn device_selector_is_named_not_guessed() {
    let doc = y(
        "version: v1alpha1\nmachine:\n  type: worker\n  network:\n    interfaces:\n      - deviceSelector: {hardwareAddr: 'aa:*'}\n        dhcp: true\n",
    );
    let m = migrate(
        std::slice::from_ref(&doc),
        Contract::V1_12,
        Contract::V1_14,
        true,
    )
    .unwrap();
    assert_eq!(m.docs, vec![doc]);
    assert!(
        m.warnings
            .iter()
            .any(|w| w.path == "machine.network.interfaces.0.deviceSelector"
                && w.message.contains("LinkAliasConfig")),
        "{:?}",
        m.warnings
    );
}

/// The talhelper/talm/terraform bug class: `talosctl gen config` v1.12+ writes `HostnameConfig
/// auto: stable`, a patch sets `machine.network.hostname`, and Talos refuses the result ("static
/// hostname is already set in v1alpha1 config"). Migrated, the static hostname wins, once.
#[test]
fn generated_auto_hostname_and_patched_static_hostname_become_one_document() {
    let docs = vec![
        y("version: v1alpha1\nmachine:\n  type: worker\n  network: {hostname: rk1-01}\n"),
        y("apiVersion: v1alpha1\nkind: HostnameConfig\nauto: stable\n"),
    ];
    let before = Effective::of(&docs);
    let m = migrate(&docs, Contract::V1_12, Contract::V1_13, false).unwrap();
    assert_eq!(
        m.docs[1],
        y("apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: rk1-01\n")
    );
    assert_eq!(m.docs.len(), 2);
    assert_eq!(before.differences(&Effective::of(&m.docs)), vec![]);
}

/// Every v1alpha1 field the model marks as replaced by a document has a table row or a named
/// reason in `NO_EQUIVALENT`: a new deprecation in the model cannot slip past the migration.
#[test]
fn every_replaced_field_of_the_model_is_in_the_table() {
    let schema = serde_json::to_value(schemars::schema_for!(crate::v1alpha1::Config)).unwrap();
    let defs = schema["$defs"].as_object().unwrap().clone();
    fn walk(
        node: &serde_json::Value,
        defs: &serde_json::Map<String, serde_json::Value>,
        path: &str,
        depth: usize,
        out: &mut Vec<(String, String)>,
    ) {
        if depth > 8 {
            return;
        }
        let node = match node.get("$ref").and_then(|r| r.as_str()) {
            Some(r) => &defs[r.trim_start_matches("#/$defs/")],
            None => node,
        };
        for key in ["anyOf", "oneOf", "allOf"] {
            if let Some(list) = node.get(key).and_then(|l| l.as_array()) {
                for n in list {
                    walk(n, defs, path, depth + 1, out);
                }
            }
        }
        if let Some(items) = node.get("items") {
            walk(items, defs, &format!("{path}[]"), depth + 1, out);
        }
        let Some(props) = node.get("properties").and_then(|p| p.as_object()) else {
            return;
        };
        for (k, v) in props {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if let Some(by) = v.get("x-talos-replaced-by").and_then(|b| b.as_str()) {
                out.push((p.clone(), by.to_string()));
            }
            walk(v, defs, &p, depth + 1, out);
        }
    }
    let mut replaced = Vec::new();
    walk(&schema, &defs, "", 0, &mut replaced);
    assert!(replaced.len() > 30, "{replaced:?}");
    let mut missing = Vec::new();
    for (path, by) in &replaced {
        let covered = rows().any(|(_, r)| {
            let src = r.source.split("[]").next().unwrap_or(r.source);
            src == path
                || src.starts_with(&format!("{path}."))
                || path.starts_with(&format!("{src}."))
        }) || table::NO_EQUIVALENT.iter().any(|(p, _)| p == path);
        if !covered {
            missing.push(format!("{path} (replaced by {by})"));
        }
    }
    assert_eq!(missing, Vec::<String>::new());
}

#[test]
fn a_patch_moving_node_labels_says_what_control_planes_need() {
    let doc = y("machine:\n  nodeLabels: {zone: a}\n");
    let m = migrate(&[doc], Contract::V1_13, Contract::V1_14, true).unwrap();
    assert_eq!(m.notes, vec![convert::CP_PATCH_NOTE]);
    let node = m
        .docs
        .iter()
        .find(|d| kind_of(d) == Some("KubeNodeConfig"))
        .unwrap();
    assert_eq!(get(node, "labels"), Some(&y("{zone: a}")));
}

#[test]
fn api_server_keeps_anonymous_auth_off_and_its_authorizers() {
    let doc = y(
        "version: v1alpha1\nmachine: {type: controlplane}\ncluster:\n  apiServer:\n    image: registry.k8s.io/kube-apiserver:v1.35.4\n    certSANs: [k8s.lan]\n",
    );
    let before = Effective::of(std::slice::from_ref(&doc));
    let m = migrate(&[doc], Contract::V1_13, Contract::V1_14, true).unwrap();
    let kinds: Vec<(&str, Option<&str>)> = m
        .docs
        .iter()
        .skip(1)
        .map(|d| (kind_of(d).unwrap(), name_of(d)))
        .collect();
    assert_eq!(
        kinds,
        [
            ("KubeAPIServerConfig", None),
            ("KubeAuthenticationConfig", None),
            ("KubeAuthorizerConfig", Some("node")),
            ("KubeAuthorizerConfig", Some("rbac")),
        ]
    );
    let auth = &m.docs[2];
    assert_eq!(
        get(auth, "configuration"),
        Some(&y("{anonymous: {enabled: false}}"))
    );
    assert_eq!(get(&m.docs[1], "startupProbes"), Some(&Value::Bool(false)));
    assert_eq!(before.differences(&Effective::of(&m.docs)), vec![]);

    let oidc = y(
        "version: v1alpha1\ncluster:\n  apiServer:\n    image: i:v1\n    extraArgs: {oidc-issuer-url: https://id.example}\n",
    );
    let m = migrate(
        std::slice::from_ref(&oidc),
        Contract::V1_13,
        Contract::V1_14,
        true,
    )
    .unwrap();
    assert_eq!(m.docs, vec![oidc]);
    assert!(
        m.warnings
            .iter()
            .any(|w| w.path == "cluster.apiServer.extraArgs.oidc-issuer-url"),
        "{:?}",
        m.warnings
    );
}

#[test]
fn a_static_hostname_wins_over_stable_hostname() {
    let doc = y(
        "version: v1alpha1\nmachine:\n  type: worker\n  network: {hostname: a}\n  features: {stableHostname: true}\n",
    );
    let before = Effective::of(std::slice::from_ref(&doc));
    let m = migrate(&[doc], Contract::V1_12, Contract::V1_12, true).unwrap();
    assert_eq!(
        m.docs[1],
        y("apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: a\n")
    );
    assert_eq!(
        m.docs[0],
        y("version: v1alpha1\nmachine:\n  type: worker\n")
    );
    assert_eq!(before.differences(&Effective::of(&m.docs)), vec![]);
}

#[test]
fn registry_tls_becomes_pem_text() {
    let doc = y(
        "machine:\n  registries:\n    config:\n      reg.lan:\n        tls:\n          ca: Y2VydA==\n          clientIdentity: {crt: Y2VydA==, key: a2V5}\n          insecureSkipVerify: false\n",
    );
    // v1.12: machinist's schema and Talos's decoder disagree on `cert`, so it stays, named.
    let m = migrate(
        std::slice::from_ref(&doc),
        Contract::V1_12,
        Contract::V1_12,
        true,
    )
    .unwrap();
    assert_eq!(m.docs, vec![doc.clone()]);
    assert!(
        m.warnings
            .iter()
            .any(|w| w.path.ends_with("clientIdentity")),
        "{:?}",
        m.warnings
    );
    let m = migrate(&[doc], Contract::V1_12, Contract::V1_14, true).unwrap();
    assert_eq!(
        m.docs,
        vec![y(
            "apiVersion: v1alpha1\nkind: RegistryTLSConfig\nname: reg.lan\nca: cert\nclientIdentity: {cert: cert, key: key}\ninsecureSkipVerify: false\n"
        )]
    );
}

/// A custom CNI's URLs were extra manifests to Talos (`ClusterConfig.ExtraManifestURLs` appends
/// them, and the bridge sends `extraManifestHeaders` with each): one KubeExternalManifestConfig
/// per URL, headers included, and the headers leave v1alpha1 when nothing else used them.
#[test]
fn a_custom_cni_becomes_external_manifests_with_the_headers() {
    let doc = y(
        "version: v1alpha1\ncluster:\n  network:\n    podSubnets: [10.244.0.0/16]\n    serviceSubnets: [10.96.0.0/12]\n    cni:\n      name: custom\n      urls: [https://example.com/cni/cilium.yaml, https://example.com/cni/extra/]\n  extraManifestHeaders: {Token: \"1234\"}\n",
    );
    let m = migrate(
        std::slice::from_ref(&doc),
        Contract::V1_13,
        Contract::V1_14,
        true,
    )
    .unwrap();
    assert_eq!(m.warnings, vec![]);
    assert_eq!(
        m.docs,
        vec![
            y("version: v1alpha1\n"),
            y(
                "apiVersion: v1alpha1\nkind: KubeNetworkConfig\ndnsDomain: cluster.local\npodSubnets: [10.244.0.0/16]\nserviceSubnets: [10.96.0.0/12]\n"
            ),
            y(
                "apiVersion: v1alpha1\nkind: KubeExternalManifestConfig\nname: cilium.yaml\nurl: https://example.com/cni/cilium.yaml\nheaders: {Token: \"1234\"}\n"
            ),
            y(
                "apiVersion: v1alpha1\nkind: KubeExternalManifestConfig\nname: extra\nurl: https://example.com/cni/extra/\nheaders: {Token: \"1234\"}\n"
            ),
        ]
    );
    // With extra manifests of its own, the headers move with them (both groups write them).
    let mut with = doc.clone();
    set(
        &mut with,
        "cluster.extraManifests",
        y("[https://example.com/app.yaml]"),
    );
    let m = migrate(&[with], Contract::V1_13, Contract::V1_14, true).unwrap();
    assert_eq!(m.warnings, vec![]);
    let names: Vec<_> = m
        .docs
        .iter()
        .filter(|d| kind_of(d) == Some("KubeExternalManifestConfig"))
        .map(|d| (name_of(d).unwrap(), get(d, "headers").cloned()))
        .collect();
    assert_eq!(
        names,
        [
            ("cilium.yaml", Some(y("{Token: \"1234\"}"))),
            ("extra", Some(y("{Token: \"1234\"}"))),
            ("app.yaml", Some(y("{Token: \"1234\"}"))),
        ]
    );
}

/// `machine.files` moves only where Talos has a document for what the file did; one file without
/// one keeps them all in v1alpha1, named with why.
#[test]
fn files_move_to_cri_customization_and_etc_files_or_stay_named() {
    let doc = y(
        "machine:\n  files:\n    - {path: /etc/cri/conf.d/20-customization.part, op: create, content: \"[plugins]\"}\n    - {path: /etc/nfsmount.conf, op: overwrite, permissions: 0o600, content: \"[ NFSMount_Global_Options ]\"}\n",
    );
    let m = migrate(
        std::slice::from_ref(&doc),
        Contract::V1_13,
        Contract::V1_14,
        true,
    )
    .unwrap();
    assert_eq!(m.warnings, vec![]);
    assert_eq!(
        m.docs,
        vec![
            y(
                "apiVersion: v1alpha1\nkind: CRICustomizationConfig\nname: customization\ncontent: \"[plugins]\"\n"
            ),
            y(
                "apiVersion: v1alpha1\nkind: EtcFileConfig\nname: nfsmount.conf\nmode: 0o600\ncontents: \"[ NFSMount_Global_Options ]\"\n"
            ),
        ]
    );
    for (file, path, why) in [
        (
            "{path: /var/lib/x, op: create, content: x}",
            "machine.files.1.path",
            "outside /etc",
        ),
        (
            "{path: /etc/hosts, op: overwrite, content: x}",
            "machine.files.1.path",
            "validateEtcFilePath",
        ),
        (
            "{path: /etc/nfsmount.conf, op: append, content: x}",
            "machine.files.1.op",
            "append",
        ),
    ] {
        let mut doc = doc.clone();
        let mut list = get(&doc, "machine.files").unwrap().as_sequence().unwrap()[..1].to_vec();
        list.push(y(file));
        set(&mut doc, "machine.files", Value::Sequence(list));
        let m = migrate(
            std::slice::from_ref(&doc),
            Contract::V1_13,
            Contract::V1_14,
            true,
        )
        .unwrap();
        assert_eq!(m.docs, vec![doc.clone()], "{file}");
        assert_eq!(m.warnings.len(), 1, "{file}: {:?}", m.warnings);
        assert_eq!(m.warnings[0].path, path);
        assert!(
            m.warnings[0].message.contains(why),
            "{}",
            m.warnings[0].message
        );
    }
}

/// The fields that stay in v1alpha1 say so by path, with the Talos source that makes them stay,
/// and the group they belong to stays whole.
#[test]
fn fields_without_a_document_stay_named_with_the_reason() {
    for (yaml, path, cites) in [
        (
            "cluster:\n  discovery: {enabled: true, registries: {kubernetes: {}, service: {}}}\n",
            "cluster.discovery.registries.kubernetes",
            "controllers/cluster/config.go",
        ),
        (
            "machine:\n  kubelet: {image: k:v1, extraMounts: [{destination: /var/x, type: bind, source: /var/x, options: [bind]}]}\n",
            "machine.kubelet.extraMounts",
            "types/k8s/kubelet.go",
        ),
        (
            "cluster:\n  apiServer: {image: a:v1, extraVolumes: [{hostPath: /var/a, mountPath: /var/a}]}\n",
            "cluster.apiServer.extraVolumes",
            "types/k8s/apiserver.go",
        ),
        (
            "machine:\n  disks: [{device: /dev/sdb, partitions: [{mountpoint: /var/mnt/data}]}]\n",
            "machine.disks",
            "controllers/block/user_disk_config.go",
        ),
        (
            "machine:\n  install: {disk: /dev/sda, image: i:v1, extraKernelArgs: [console=ttyS0]}\n",
            "machine.install.extraKernelArgs",
            "types/runtime/unattended_install.go",
        ),
    ] {
        let doc = y(&format!("version: v1alpha1\n{yaml}"));
        let m = migrate(
            std::slice::from_ref(&doc),
            Contract::V1_13,
            Contract::V1_14,
            true,
        )
        .unwrap_or_else(|e| panic!("{path}: {e}"));
        let w = m
            .warnings
            .iter()
            .find(|w| w.path == path)
            .unwrap_or_else(|| panic!("{path}: {:?}", m.warnings));
        assert!(w.message.contains(cites), "{path}: {}", w.message);
        // The section it is in did not move.
        let section: Vec<&str> = path.split('.').take(2).collect();
        assert_eq!(
            get(&m.docs[0], &section.join(".")),
            get(&doc, &section.join(".")),
            "{path}"
        );
    }
}

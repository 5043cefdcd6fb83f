//! Talos's own patch test inputs (../shared/reference/corpus/talos), each applied to a base
//! config and compared with an expected config written by hand from Talos's documented rules.
//! The comment on each case gives the reasoning. Without the reference corpus the tests print
//! `skipped: ../shared/reference not found` and pass.

use machinist_patch::{Patch, apply_patches, parse_documents, to_yaml};
use machinist_testkit::reference_or_skip as reference;
use serde_yaml_ng::Value;

fn corpus(file: &str) -> Option<String> {
    reference().map(|r| std::fs::read_to_string(r.join("corpus/talos").join(file)).unwrap())
}

fn load(file: &str) -> Option<Patch> {
    corpus(file).map(|text| Patch::parse(file, &text).unwrap())
}

#[track_caller]
fn expect(base: &str, patch: &Patch, expected: &str) {
    let mut cfg = parse_documents("base", base).unwrap();
    apply_patches(&mut cfg, std::slice::from_ref(patch)).unwrap();
    let want = parse_documents("expected", expected).unwrap();
    assert_eq!(
        cfg,
        want,
        "\n--- got ---\n{}--- want ---\n{expected}",
        to_yaml(&cfg)
    );
}

/// The small multi-document config Talos uses for its configpatcher tests.
const MULTIDOC: &str = "pkg__machinery__config__configpatcher__testdata__multidoc__config.yaml";

#[test]
fn multidoc_strategic2() {
    // SideroLinkConfig: scalar apiUrl replaced. ExtensionServiceConfig foo: configFiles merge by
    // mountPath replacing the item, so /etc/foo gets the new content and /etc/bar is appended;
    // environment is a plain list, so XXX=YYY is appended after FOO=BAR. v1alpha1 untouched.
    let (Some(base), Some(patch)) = (
        corpus(MULTIDOC),
        load("pkg__machinery__config__configpatcher__testdata__multidoc__strategic2.yaml"),
    ) else {
        return;
    };
    expect(
        &base,
        &patch,
        r#"
version: v1alpha1
machine:
  network:
    hostname: hostname1
    interfaces:
      - interface: eth0
        dhcp: true
---
apiVersion: v1alpha1
kind: SideroLinkConfig
apiUrl: https://siderolink.api/join?jointoken=secret&user=bob
---
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: foo
configFiles:
  - content: hello world
    mountPath: /etc/foo
  - content: another hello
    mountPath: /etc/bar
environment:
  - FOO=BAR
  - XXX=YYY
"#,
    );
}

#[test]
fn patchdelete_strategic1() {
    // Deletes first: the SideroLinkConfig document goes; configFiles items whose `content`
    // (the first key beside $patch) is "hello" go; machine.network.hostname goes; interfaces
    // with interface eth0 go. Then merges: configFiles gets /etc/foo2 appended (no item left to
    // match by mountPath); interfaces gets eth1 and a fresh eth0 appended in patch order.
    let (Some(base), Some(patch)) = (
        corpus(MULTIDOC),
        load("pkg__machinery__config__configpatcher__testdata__patchdelete__strategic1.yaml"),
    ) else {
        return;
    };
    expect(
        &base,
        &patch,
        r#"
version: v1alpha1
machine:
  network:
    interfaces:
      - interface: eth1
        addresses: [10.3.5.5/32]
      - interface: eth0
        dummy: true
---
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: foo
configFiles:
  - content: hello2
    mountPath: /etc/foo2
environment:
  - FOO=BAR
"#,
    );
}

#[test]
fn decoder_delete_yaml_is_rejected_on_a_typed_config() {
    // The decoder's delete.yaml puts a list under machine.network, which is a mapping in every
    // real config. The document and key deletes are fine, but merging a list into the
    // interface mapping must fail with the path named (Talos rejects the shape when decoding).
    let (Some(base), Some(patch)) = (
        corpus(MULTIDOC),
        load(
            "pkg__machinery__config__configloader__internal__decoder__testdata__delete__delete.yaml",
        ),
    ) else {
        return;
    };
    let mut cfg = parse_documents("base", &base).unwrap();
    let err = apply_patches(&mut cfg, &[patch]).unwrap_err().to_string();
    assert_eq!(
        err,
        "pkg__machinery__config__configloader__internal__decoder__testdata__delete__delete.yaml: v1alpha1: machine.network: cannot merge a list into a mapping; use `$patch: replace` to replace the value"
    );
}

#[test]
fn patchdelete_strategic3() {
    // admissionControl merges by name: PodSecurity2 matches nothing and is appended after the
    // existing PodSecurity entry. auditPolicy is deleted as a whole.
    let Some(patch) =
        load("pkg__machinery__config__configpatcher__testdata__patchdelete__strategic3.yaml")
    else {
        return;
    };
    let base = r#"
version: v1alpha1
cluster:
  apiServer:
    image: registry.k8s.io/kube-apiserver:v1.33.0
    admissionControl:
      - name: PodSecurity
        configuration: {kind: PodSecurityConfiguration}
    auditPolicy:
      apiVersion: audit.k8s.io/v1
      kind: Policy
      rules: [{level: Metadata}]
"#;
    expect(
        base,
        &patch,
        r#"
version: v1alpha1
cluster:
  apiServer:
    image: registry.k8s.io/kube-apiserver:v1.33.0
    admissionControl:
      - name: PodSecurity
        configuration: {kind: PodSecurityConfiguration}
      - name: PodSecurity2
        configuration:
          apiVersion: pod-security.admission.config.k8s.io/v1alpha1
          defaults:
            audit: restricted
            audit-version: latest
            enforce: baseline
            enforce-version: latest
            warn: restricted
            warn-version: latest
          exemptions:
            namespaces: [kube-system]
            runtimeClasses: []
            usernames: []
          kind: PodSecurityConfiguration
"#,
    );
}

#[test]
fn strategic_003_interfaces() {
    // machine.network.interfaces merges by interface name, else by equal deviceSelector:
    // eth0 gets the vip merged in; the macvtap selector entry gets its routes (a plain list,
    // appended); eth1 matches nothing and is appended at the end.
    let Some(patch) =
        load("pkg__machinery__config__types__v1alpha1__testdata__strategic__003__right.yaml")
    else {
        return;
    };
    let base = r#"
version: v1alpha1
machine:
  network:
    interfaces:
      - interface: eth0
        addresses: [10.3.5.4/24]
      - deviceSelector: {driver: macvtap}
        dhcp: true
        routes:
          - network: 0.0.0.0/0
            gateway: 10.3.4.254
"#;
    expect(
        base,
        &patch,
        r#"
version: v1alpha1
machine:
  network:
    interfaces:
      - interface: eth0
        addresses: [10.3.5.4/24]
        vip: {ip: 10.3.5.7}
      - deviceSelector: {driver: macvtap}
        dhcp: true
        routes:
          - network: 0.0.0.0/0
            gateway: 10.3.4.254
          - network: 10.3.4.0/24
            gateway: 10.3.4.1
      - interface: eth1
        addresses: [192.168.0.1/24]
"#,
    );
}

#[test]
fn strategic4_inline_manifest_block_scalar() {
    // inlineManifests is a plain list: the cilium manifest is appended, and its contents keep
    // the leading empty line and the embedded `---` separators byte for byte.
    let Some(patch) =
        load("pkg__machinery__config__configpatcher__testdata__apply__strategic4.yaml")
    else {
        return;
    };
    let base = "version: v1alpha1\ncluster:\n  inlineManifests:\n    - name: ns\n      contents: 'kind: Namespace'\n";
    let mut cfg = parse_documents("base", base).unwrap();
    apply_patches(&mut cfg, std::slice::from_ref(&patch)).unwrap();
    let list = cfg[0]["cluster"]["inlineManifests"].as_sequence().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1]["name"], Value::from("cilium"));
    let contents = list[1]["contents"].as_str().unwrap();
    assert!(
        contents.starts_with("\n---\napiVersion: v1\nkind: ServiceAccount\n"),
        "{contents:?}"
    );
    assert_eq!(contents.matches("---\n").count(), 2);
    // And the written YAML reads back to the same contents.
    let again = parse_documents("out", &to_yaml(&cfg)).unwrap();
    assert_eq!(again, cfg);
}

#[test]
fn patchmixed_same_document_three_times() {
    // Three documents for RegistryMirrorConfig registry.k8s.io: the endpoints key is deleted
    // first, then the second document adds the new endpoint to the now-empty key, then the
    // third sets skipFallback. The first document holds only a delete, so it merges nothing.
    let Some(patch) =
        load("pkg__machinery__config__configpatcher__testdata__patchmixed__patch.yaml")
    else {
        return;
    };
    let base = "version: v1alpha1\n---\napiVersion: v1alpha1\nkind: RegistryMirrorConfig\nname: registry.k8s.io\nendpoints:\n  - url: https://mirror.example\n";
    expect(
        base,
        &patch,
        "version: v1alpha1\n---\napiVersion: v1alpha1\nkind: RegistryMirrorConfig\nname: registry.k8s.io\nendpoints:\n  - url: http://172.20.0.251:50001\nskipFallback: true\n",
    );
}

#[test]
fn patchlink_delete_one_address() {
    // LinkConfig eth0: the address item selected by `address: 10.0.42.136/24` is removed, and
    // .137 is appended (addresses is a plain list). Applied to a config without that LinkConfig
    // the document is appended without the deleted item.
    let Some(patch) =
        load("pkg__machinery__config__configpatcher__testdata__patchlink__patch.yaml")
    else {
        return;
    };
    let base = "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\naddresses:\n  - address: 10.0.42.136/24\n  - address: 10.0.42.138/24\n";
    expect(
        base,
        &patch,
        "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\naddresses:\n  - address: 10.0.42.138/24\n  - address: 10.0.42.137/24\n",
    );
    expect(
        "version: v1alpha1\n",
        &patch,
        "version: v1alpha1\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\naddresses:\n  - address: 10.0.42.137/24\n",
    );
}

#[test]
fn json_patches_in_yaml_and_json() {
    // jsonpatch1 adds an addresses list to the first interface; patch.json adds certSANs.
    // Both are single-document operations, refused on a multi-document config.
    let (Some(p1), Some(p2), Some(multi)) = (
        load("pkg__machinery__config__configpatcher__testdata__apply__jsonpatch1.yaml"),
        load("pkg__machinery__config__configpatcher__testdata__patch.json"),
        corpus(MULTIDOC),
    ) else {
        return;
    };
    assert!(p1.is_json6902() && p2.is_json6902());
    let base = "version: v1alpha1\nmachine:\n  network:\n    interfaces:\n      - interface: eth0\n        dhcp: true\n";
    let mut cfg = parse_documents("base", base).unwrap();
    apply_patches(&mut cfg, &[p1.clone(), p2]).unwrap();
    let want = parse_documents(
        "e",
        "version: v1alpha1\nmachine:\n  network:\n    interfaces:\n      - interface: eth0\n        dhcp: true\n        addresses: [10.1.2.3/24]\n  certSANs: [foo.com]\n",
    )
    .unwrap();
    assert_eq!(cfg, want);
    let mut cfg = parse_documents("base", &multi).unwrap();
    let err = apply_patches(&mut cfg, &[p1]).unwrap_err().to_string();
    assert!(
        err.contains("JSON6902 patches are not supported for multi-document machine configuration (the config has 3 documents)"),
        "{err}"
    );
}

const BASE_V115: &str =
    "pkg__machinery__config__types__v1alpha1__testdata__stability__v1.15__base-controlplane.yaml";

#[test]
fn stability_patches_on_a_v1_15_config() {
    // patch.yaml: KubeletConfig.clusterDNS is a plain list, absent in the base, so it becomes
    // [3.3.3.3]; everything else in KubeletConfig stays. patch-pre14.yaml targets the legacy
    // document, whose machine section has no kubelet, so machine.kubelet.extraMounts is added.
    let (Some(base), Some(p1), Some(p2)) = (
        corpus(BASE_V115),
        load("pkg__machinery__config__types__v1alpha1__testdata__stability__patch.yaml"),
        load("pkg__machinery__config__types__v1alpha1__testdata__stability__patch-pre14.yaml"),
    ) else {
        return;
    };
    let mut cfg = parse_documents("base", &base).unwrap();
    let count = cfg.len();
    apply_patches(&mut cfg, &[p1, p2]).unwrap();
    assert_eq!(cfg.len(), count, "both patches target existing documents");
    let kubelet = cfg
        .iter()
        .find(|d| d.get("kind").and_then(Value::as_str) == Some("KubeletConfig"))
        .unwrap();
    let want: Value = serde_yaml_ng::from_str(
        "apiVersion: v1alpha1\nkind: KubeletConfig\nimage: ghcr.io/siderolabs/kubelet:v1.28.0\nconfig: {}\ndefaultRuntimeSeccompProfileEnabled: true\nclusterDNS: [3.3.3.3]\n",
    )
    .unwrap();
    assert_eq!(kubelet, &want);
    let mounts: Value = serde_yaml_ng::from_str(
        "[{source: /var/opt, destination: /var/opt, type: bind, options: [rshared]}]",
    )
    .unwrap();
    assert_eq!(cfg[0]["machine"]["kubelet"]["extraMounts"], mounts);
}

#[test]
fn ci_patches_on_a_v1_15_config() {
    // cilium-no-kubeproxy deletes the KubeFlannelCNIConfig document and nothing else.
    // airgapped-timesync adds machine.time.servers to the legacy document.
    let (Some(base), Some(cilium), Some(time)) = (
        corpus(BASE_V115),
        load("hack__test__patches__cilium-no-kubeproxy.yaml"),
        load("hack__test__patches__airgapped-timesync.yaml"),
    ) else {
        return;
    };
    let orig = parse_documents("base", &base).unwrap();
    let mut cfg = orig.clone();
    apply_patches(&mut cfg, &[cilium, time]).unwrap();
    let kinds = |c: &[Value]| -> Vec<String> {
        c.iter()
            .map(|d| machinist_patch::DocId::of(d).to_string())
            .collect()
    };
    let mut want_kinds = kinds(&orig);
    want_kinds.retain(|k| k != "KubeFlannelCNIConfig");
    assert_eq!(kinds(&cfg), want_kinds);
    assert_eq!(
        cfg[0]["machine"]["time"]["servers"],
        serde_yaml_ng::from_str::<Value>("[/dev/ptp0]").unwrap()
    );
}

#[test]
fn every_corpus_patch_loads() {
    // Every patch file in the corpus is recognised as the right format and applies to the v1.15
    // base without error (new kinds are appended as documents).
    let Some(root) = reference() else {
        return;
    };
    let dir = root.join("corpus/talos");
    let base = std::fs::read_to_string(dir.join(BASE_V115)).unwrap();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("hack__test__patches__"))
        .collect();
    names.sort();
    assert!(names.len() >= 9, "{names:?}");
    for n in names {
        let p = Patch::parse(&n, &std::fs::read_to_string(dir.join(&n)).unwrap()).unwrap();
        assert!(!p.is_json6902(), "{n} is a strategic patch");
        let mut cfg = parse_documents("base", &base).unwrap();
        apply_patches(&mut cfg, &[p]).unwrap_or_else(|e| panic!("{n}: {e}"));
    }
}

//! One test per merge rule: base config and patch in, the expected config written out by hand
//! from Talos's documented rules (and machinist's list policies) and compared as YAML values.

use machinist_patch::{Patch, PatchError, apply_patches, parse_documents};

fn patched(base: &str, patches: &[&str]) -> Result<Vec<serde_yaml_ng::Value>, PatchError> {
    let mut cfg = parse_documents("base", base).unwrap();
    let patches: Vec<Patch> = patches
        .iter()
        .enumerate()
        .map(|(i, p)| Patch::parse(&format!("patch{}.yaml", i + 1), p).unwrap())
        .collect();
    apply_patches(&mut cfg, &patches)?;
    Ok(cfg)
}

#[track_caller]
fn check(base: &str, patch: &str, expected: &str) {
    let got = patched(base, &[patch]).unwrap();
    let want = parse_documents("expected", expected).unwrap();
    assert_eq!(
        got,
        want,
        "\n--- got ---\n{}\n--- want ---\n{}",
        machinist_patch::to_yaml(&got),
        expected
    );
}

#[track_caller]
fn fails(base: &str, patch: &str) -> String {
    patched(base, &[patch]).unwrap_err().to_string()
}

#[test]
fn scalars_are_replaced_and_new_keys_added() {
    check(
        "version: v1alpha1\nmachine: {type: worker, install: {disk: /dev/sda}}\n",
        "machine: {install: {disk: /dev/nvme0n1, wipe: true}, env: {A: b}}\n",
        "version: v1alpha1\nmachine: {type: worker, install: {disk: /dev/nvme0n1, wipe: true}, env: {A: b}}\n",
    );
}

#[test]
fn false_overrides_but_zero_and_empty_do_not() {
    // Talos merges typed structs: `false` always wins, `""` and `0` mean "unset" and are ignored.
    check(
        "machine: {install: {wipe: true, disk: /dev/sda}, network: {mtu: 1500}}\n",
        "machine: {install: {wipe: false, disk: ''}, network: {mtu: 0}}\n",
        "machine: {install: {wipe: false, disk: /dev/sda}, network: {mtu: 1500}}\n",
    );
}

#[test]
fn null_in_a_patch_is_ignored() {
    check(
        "machine: {type: worker}\n",
        "machine: {type: null}\n",
        "machine: {type: worker}\n",
    );
}

#[test]
fn lists_append_without_dedup() {
    check(
        "machine: {certSANs: [a, b], network: {nameservers: [1.1.1.1]}}\n",
        "machine: {certSANs: [b, c], network: {nameservers: [8.8.8.8]}}\n",
        "machine: {certSANs: [a, b, b, c], network: {nameservers: [1.1.1.1, 8.8.8.8]}}\n",
    );
}

#[test]
fn subnets_are_replaced() {
    check(
        "cluster: {network: {podSubnets: [10.244.0.0/16], serviceSubnets: [10.96.0.0/12]}}\n",
        "cluster: {network: {podSubnets: [10.0.0.0/8]}}\n",
        "cluster: {network: {podSubnets: [10.0.0.0/8], serviceSubnets: [10.96.0.0/12]}}\n",
    );
    // An empty list does not replace (Talos replaces only when the patch value is non-empty).
    check(
        "cluster: {network: {podSubnets: [10.244.0.0/16]}}\n",
        "cluster: {network: {podSubnets: []}}\n",
        "cluster: {network: {podSubnets: [10.244.0.0/16]}}\n",
    );
}

#[test]
fn audit_policy_is_replaced_as_a_whole() {
    check(
        "cluster: {apiServer: {auditPolicy: {apiVersion: audit.k8s.io/v1, kind: Policy, rules: [{level: Metadata}]}}}\n",
        "cluster: {apiServer: {auditPolicy: {rules: [{level: None}]}}}\n",
        "cluster: {apiServer: {auditPolicy: {rules: [{level: None}]}}}\n",
    );
}

#[test]
fn network_rule_ingress_and_ports_are_replaced() {
    check(
        "apiVersion: v1alpha1\nkind: NetworkRuleConfig\nname: r\nportSelector: {ports: [22, 80], protocol: tcp}\ningress: [{subnet: 10.0.0.0/8}]\n",
        "apiVersion: v1alpha1\nkind: NetworkRuleConfig\nname: r\nportSelector: {ports: [443]}\ningress: [{subnet: 192.168.0.0/16}]\n",
        "apiVersion: v1alpha1\nkind: NetworkRuleConfig\nname: r\nportSelector: {ports: [443], protocol: tcp}\ningress: [{subnet: 192.168.0.0/16}]\n",
    );
}

#[test]
fn interfaces_merge_by_name_then_by_device_selector() {
    check(
        "machine: {network: {interfaces: [{interface: eth0, dhcp: true}, {deviceSelector: {hardwareAddr: 'aa:*'}, mtu: 1500}]}}\n",
        "machine: {network: {interfaces: [{interface: eth0, addresses: [10.0.0.2/24]}, {deviceSelector: {hardwareAddr: 'aa:*'}, mtu: 9000}, {deviceSelector: {hardwareAddr: 'bb:*'}}, {interface: eth1}]}}\n",
        "machine: {network: {interfaces: [{interface: eth0, dhcp: true, addresses: [10.0.0.2/24]}, {deviceSelector: {hardwareAddr: 'aa:*'}, mtu: 9000}, {deviceSelector: {hardwareAddr: 'bb:*'}}, {interface: eth1}]}}\n",
    );
}

#[test]
fn device_selector_must_be_equal_as_a_whole() {
    // A selector with an extra field is a different selector: the item is appended.
    check(
        "machine: {network: {interfaces: [{deviceSelector: {driver: e1000}, dhcp: true}]}}\n",
        "machine: {network: {interfaces: [{deviceSelector: {driver: e1000, physical: true}, mtu: 9000}]}}\n",
        "machine: {network: {interfaces: [{deviceSelector: {driver: e1000}, dhcp: true}, {deviceSelector: {driver: e1000, physical: true}, mtu: 9000}]}}\n",
    );
}

#[test]
fn vlans_merge_by_vlan_id() {
    check(
        "machine: {network: {interfaces: [{interface: eth0, vlans: [{vlanId: 10, dhcp: true}, {vlanId: 20}]}]}}\n",
        "machine: {network: {interfaces: [{interface: eth0, vlans: [{vlanId: 20, mtu: 1400}, {vlanId: 30}]}]}}\n",
        "machine: {network: {interfaces: [{interface: eth0, vlans: [{vlanId: 10, dhcp: true}, {vlanId: 20, mtu: 1400}, {vlanId: 30}]}]}}\n",
    );
}

#[test]
fn admission_plugins_merge_by_name() {
    check(
        "cluster: {apiServer: {admissionControl: [{name: PodSecurity, configuration: {defaults: {enforce: baseline, audit: restricted}}}]}}\n",
        "cluster: {apiServer: {admissionControl: [{name: PodSecurity, configuration: {defaults: {enforce: privileged}}}, {name: EventRateLimit}]}}\n",
        "cluster: {apiServer: {admissionControl: [{name: PodSecurity, configuration: {defaults: {enforce: privileged, audit: restricted}}}, {name: EventRateLimit}]}}\n",
    );
}

#[test]
fn extra_args_values_are_replaced_not_appended() {
    check(
        "cluster: {apiServer: {extraArgs: {feature-gates: [A=true], v: '2'}}}\n",
        "cluster: {apiServer: {extraArgs: {feature-gates: [B=true]}}}\n",
        "cluster: {apiServer: {extraArgs: {feature-gates: [B=true], v: '2'}}}\n",
    );
}

#[test]
fn extension_config_files_merge_by_mount_path() {
    check(
        "apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: foo\nconfigFiles: [{content: old, mountPath: /etc/a}]\n",
        "apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: foo\nconfigFiles: [{content: new, mountPath: /etc/a}, {content: b, mountPath: /etc/b}]\n",
        "apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: foo\nconfigFiles: [{content: new, mountPath: /etc/a}, {content: b, mountPath: /etc/b}]\n",
    );
}

#[test]
fn image_verification_rules_are_replaced_by_image() {
    check(
        "apiVersion: v1alpha1\nkind: ImageVerificationConfig\nrules: [{image: 'a/*', verify: true, keyless: {issuer: x}}]\n",
        "apiVersion: v1alpha1\nkind: ImageVerificationConfig\nrules: [{image: 'a/*', verify: false}]\n",
        "apiVersion: v1alpha1\nkind: ImageVerificationConfig\nrules: [{image: 'a/*', verify: false}]\n",
    );
}

#[test]
fn documents_merge_by_kind_and_name_and_unmatched_are_appended() {
    check(
        "version: v1alpha1\nmachine: {}\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\nmtu: 1500\n",
        "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth1\nmtu: 9000\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\nmtu: 9000\n---\nmachine: {type: worker}\n",
        "version: v1alpha1\nmachine: {type: worker}\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\nmtu: 9000\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: eth1\nmtu: 9000\n",
    );
}

#[test]
fn delete_a_key() {
    check(
        "machine: {network: {kubespan: {enabled: true}, hostname: a}}\n",
        "machine: {network: {kubespan: {$patch: delete}}}\n",
        "machine: {network: {hostname: a}}\n",
    );
}

#[test]
fn delete_a_map_entry_such_as_a_label() {
    check(
        "machine: {nodeLabels: {a: '1', b: '2'}}\n",
        "machine: {nodeLabels: {a: {$patch: delete}}}\n",
        "machine: {nodeLabels: {b: '2'}}\n",
    );
}

#[test]
fn delete_a_missing_key_or_document_is_silent() {
    check(
        "machine: {type: worker}\n",
        "machine: {network: {kubespan: {$patch: delete}}}\n---\napiVersion: v1alpha1\nkind: SideroLinkConfig\n$patch: delete\n",
        "machine: {type: worker}\n",
    );
}

#[test]
fn delete_list_items_by_selector_before_merging() {
    // Deletes run first, so the second eth0 entry is a fresh interface, appended after eth1.
    check(
        "machine: {network: {interfaces: [{interface: eth0, dhcp: true}, {interface: eth2}]}}\n",
        "machine: {network: {interfaces: [{interface: eth0, $patch: delete}, {interface: eth1}, {interface: eth0, mtu: 9000}]}}\n",
        "machine: {network: {interfaces: [{interface: eth2}, {interface: eth1}, {interface: eth0, mtu: 9000}]}}\n",
    );
}

#[test]
fn delete_a_whole_document() {
    check(
        "version: v1alpha1\n---\napiVersion: v1alpha1\nkind: KubeFlannelCNIConfig\nbackendType: vxlan\n",
        "apiVersion: v1alpha1\nkind: KubeFlannelCNIConfig\n$patch: delete\n",
        "version: v1alpha1\n",
    );
}

#[test]
fn deleting_the_legacy_root_is_refused() {
    assert_eq!(
        fails("version: v1alpha1\n", "version: v1alpha1\n$patch: delete\n"),
        "patch1.yaml: v1alpha1: can't delete the root of the legacy document; delete the keys you want gone instead"
    );
}

#[test]
fn delete_below_a_list_element_is_refused() {
    let msg = fails(
        "machine: {network: {interfaces: [{interface: eth0, vip: {ip: 1.2.3.4}}]}}\n",
        "machine: {network: {interfaces: [{interface: eth0, vip: {$patch: delete}}]}}\n",
    );
    assert!(
        msg.starts_with(
            "patch1.yaml: v1alpha1: cannot delete an inner key in 'machine.network.interfaces'"
        ),
        "{msg}"
    );
}

#[test]
fn shape_mismatch_names_the_path() {
    assert_eq!(
        fails(
            "machine: {certSANs: [a]}\n",
            "machine: {certSANs: {a: b}}\n"
        ),
        "patch1.yaml: v1alpha1: machine.certSANs: cannot merge a mapping into a list; use `$patch: replace` to replace the value"
    );
}

#[test]
fn policy_directive_replace_in_a_list() {
    check(
        "machine: {network: {nameservers: [1.1.1.1, 1.0.0.1]}}\n",
        "machine: {network: {nameservers: [{$patch: replace}, 9.9.9.9]}}\n",
        "machine: {network: {nameservers: [9.9.9.9]}}\n",
    );
    // An explicit replace with no items clears the list.
    check(
        "machine: {network: {nameservers: [1.1.1.1]}}\n",
        "machine: {network: {nameservers: [{$patch: replace}]}}\n",
        "machine: {network: {nameservers: []}}\n",
    );
}

#[test]
fn policy_directive_append_overrides_a_talos_replace_path() {
    check(
        "cluster: {network: {podSubnets: [10.244.0.0/16]}}\n",
        "cluster: {network: {podSubnets: [{$patch: append}, 'fd00::/64']}}\n",
        "cluster: {network: {podSubnets: [10.244.0.0/16, 'fd00::/64']}}\n",
    );
}

#[test]
fn policy_directive_merge_by_key() {
    check(
        "machine: {kubelet: {extraMounts: [{destination: /var/lib/a, type: bind, options: [rbind]}]}}\n",
        "machine: {kubelet: {extraMounts: [{$patch: merge, $key: destination}, {destination: /var/lib/a, options: [rshared]}, {destination: /var/lib/b}]}}\n",
        "machine: {kubelet: {extraMounts: [{destination: /var/lib/a, type: bind, options: [rbind, rshared]}, {destination: /var/lib/b}]}}\n",
    );
}

#[test]
fn document_level_list_policies() {
    check(
        "machine: {network: {nameservers: [1.1.1.1]}, certSANs: [a], kubelet: {extraMounts: [{destination: /x, type: bind}]}}\n",
        "x-machinist-lists:\n  machine.network.nameservers: replace\n  machine.kubelet.extraMounts: {merge: destination}\nmachine: {network: {nameservers: [9.9.9.9]}, certSANs: [b], kubelet: {extraMounts: [{destination: /x, type: rbind}]}}\n",
        "machine: {network: {nameservers: [9.9.9.9]}, certSANs: [a, b], kubelet: {extraMounts: [{destination: /x, type: rbind}]}}\n",
    );
}

#[test]
fn bad_policies_are_reported_with_a_hint() {
    let msg = fails(
        "machine: {}\n",
        "x-machinist-lists: {machine.certSANs: dedupe}\nmachine: {}\n",
    );
    assert!(
        msg.starts_with("patch1.yaml: v1alpha1: x-machinist-lists.machine.certSANs: unknown list policy; expected `append`"),
        "{msg}"
    );
    let msg = fails(
        "machine: {certSANs: [a]}\n",
        "machine: {certSANs: [{$patch: merge}]}\n",
    );
    assert!(
        msg.contains("machine.certSANs: `$patch: merge` in a list needs the field"),
        "{msg}"
    );
}

#[test]
fn mapping_replace_directive() {
    check(
        "machine: {sysctls: {a: '1', b: '2'}}\n",
        "machine: {sysctls: {$patch: replace, c: '3'}}\n",
        "machine: {sysctls: {c: '3'}}\n",
    );
}

#[test]
fn patches_apply_in_order_and_failures_leave_config_unchanged() {
    let got = patched(
        "machine: {network: {nameservers: [1.1.1.1]}}\n",
        &[
            "machine: {network: {nameservers: [2.2.2.2]}}\n",
            "- {op: replace, path: /machine/network/nameservers/0, value: 3.3.3.3}\n",
        ],
    )
    .unwrap();
    assert_eq!(
        got,
        parse_documents(
            "e",
            "machine: {network: {nameservers: [3.3.3.3, 2.2.2.2]}}\n"
        )
        .unwrap()
    );
    let mut cfg = parse_documents("base", "a: 1\n").unwrap();
    let before = cfg.clone();
    let ps = [
        Patch::parse("ok.yaml", "b: 2\n").unwrap(),
        Patch::parse("bad.yaml", "a: [1]\n").unwrap(),
    ];
    let err = apply_patches(&mut cfg, &ps).unwrap_err();
    assert!(err.to_string().starts_with("bad.yaml:"), "{err}");
    assert_eq!(cfg, before);
}

#[test]
fn detection_of_patch_formats() {
    assert!(
        Patch::parse("p", "- {op: add, path: /a, value: 1}\n")
            .unwrap()
            .is_json6902()
    );
    assert!(
        Patch::parse("p", "[{\"op\": \"add\", \"path\": \"/a\", \"value\": 1}]")
            .unwrap()
            .is_json6902()
    );
    assert!(!Patch::parse("p", "machine: {}\n").unwrap().is_json6902());
    // An empty patch is an empty strategic patch: it changes nothing, even on multi-doc configs.
    let empty = Patch::parse("p", "# nothing here\n").unwrap();
    assert!(!empty.is_json6902());
    check(
        "a: 1\n---\nkind: X\n",
        "# nothing\n",
        "a: 1\n---\nkind: X\n",
    );
    let err = Patch::parse("p", "just a string\n").unwrap_err();
    assert!(
        err.to_string()
            .contains("document 1 is a string, not a mapping"),
        "{err}"
    );
}

#[test]
fn inline_and_file_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.yaml");
    std::fs::write(&file, "machine: {type: worker}\n").unwrap();
    let by_at = Patch::from_arg(&format!("@{}", file.display())).unwrap();
    let bare = Patch::from_arg(&file.display().to_string()).unwrap();
    assert_eq!(by_at.body, bare.body);
    assert_eq!(bare.name, file.display().to_string());
    let inline = Patch::from_arg("machine: {type: worker}").unwrap();
    assert_eq!(inline.name, "<inline>");
    assert_eq!(inline.body, bare.body);
    let err = Patch::from_arg("missing.yaml").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("missing.yaml: cannot read patch:"),
        "{err}"
    );
}

#[test]
fn touched_paths_for_explain() {
    let p = Patch::parse(
        "p",
        "machine: {network: {hostname: a, nameservers: [1.1.1.1]}, kubespan: {$patch: delete}}\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\nmtu: 9000\n",
    )
    .unwrap();
    let got: Vec<String> = p
        .touched_paths()
        .into_iter()
        .map(|(d, p)| format!("{d}:{p}"))
        .collect();
    assert_eq!(
        got,
        [
            "v1alpha1:machine.network.hostname",
            "v1alpha1:machine.network.nameservers",
            "v1alpha1:machine.kubespan",
            "LinkConfig/eth0:mtu"
        ]
    );
}

//! Every Talos config and patch of the reference corpus validates at the contract it targets,
//! both through `validate_documents` and against the written JSON schemas; the few files judged
//! invalid are listed with the reason and must keep failing for that reason.

use crate::common;

use machinist_model::Contract;
use machinist_model::schema::{config_schema, patch_schema, validate_documents, yaml_to_json};

#[derive(Clone, Copy)]
enum Expect {
    /// A complete config, valid at the contract.
    Config(Contract),
    /// A patch, valid at the contract.
    Patch(Contract),
    /// Not valid at the contract (checked as a patch when the flag says so); the reason, and a
    /// text one of the findings contains.
    Invalid(Contract, bool, &'static str, &'static str),
    /// Not a Talos machine config or patch at all.
    NotTalos(&'static str),
}

use Contract::{V1_13, V1_15};
use Expect::*;

/// Talos's repository files come from its main branch (v1.15) unless their name says otherwise;
/// community files target released Talos, so they are checked at v1.13, the newest stable.
const TABLE: &[(&str, Expect)] = &[
    (
        "talos/hack__test__patches__airgapped-timesync.yaml",
        Patch(V1_15),
    ),
    (
        "talos/hack__test__patches__cilium-no-kubeproxy.yaml",
        Patch(V1_15),
    ),
    (
        "talos/hack__test__patches__dedicated-system-volumes-controlplane.yaml",
        Patch(V1_15),
    ),
    ("talos/hack__test__patches__dns-over-tls.yaml", Patch(V1_15)),
    (
        "talos/hack__test__patches__ephemeral-nvme.yaml",
        Patch(V1_15),
    ),
    ("talos/hack__test__patches__extensions.yaml", Patch(V1_15)),
    (
        "talos/hack__test__patches__image-verification.yaml",
        Patch(V1_15),
    ),
    ("talos/hack__test__patches__longhorn.yaml", Patch(V1_15)),
    (
        "talos/hack__test__patches__md-boot-array.yaml",
        Patch(V1_15),
    ),
    (
        "talos/pkg__machinery__config__configloader__internal__decoder__testdata__controlplane.yaml",
        Config(V1_15),
    ),
    (
        "talos/pkg__machinery__config__configloader__internal__decoder__testdata__delete__delete.yaml",
        Invalid(
            V1_15,
            true,
            "a decoder fixture for `$patch` parsing, not a real patch: it writes `machine.network` as a list of interfaces",
            "v1alpha1: machine.network: expected object, found array",
        ),
    ),
    (
        "talos/pkg__machinery__config__configloader__internal__decoder__testdata__double__v1alpha1.yaml",
        Invalid(
            V1_15,
            false,
            "negative decoder fixture: two v1alpha1 documents in one config",
            "duplicate document: `v1alpha1` may appear only once",
        ),
    ),
    (
        "talos/pkg__machinery__config__configloader__internal__decoder__testdata__worker.yaml",
        Config(V1_15),
    ),
    (
        "talos/pkg__machinery__config__configpatcher__testdata__apply__jsonpatch1.yaml",
        Patch(V1_15),
    ),
    (
        "talos/pkg__machinery__config__configpatcher__testdata__apply__strategic4.yaml",
        Patch(V1_15),
    ),
    (
        "talos/pkg__machinery__config__configpatcher__testdata__multidoc__config.yaml",
        Config(V1_15),
    ),
    (
        "talos/pkg__machinery__config__configpatcher__testdata__multidoc__strategic2.yaml",
        Patch(V1_15),
    ),
    (
        "talos/pkg__machinery__config__configpatcher__testdata__patch.json",
        Patch(V1_15),
    ),
    (
        "talos/pkg__machinery__config__configpatcher__testdata__patchdelete__strategic1.yaml",
        Patch(V1_15),
    ),
    (
        "talos/pkg__machinery__config__configpatcher__testdata__patchdelete__strategic3.yaml",
        Patch(V1_15),
    ),
    (
        "talos/pkg__machinery__config__configpatcher__testdata__patchlink__patch.yaml",
        Patch(V1_15),
    ),
    (
        "talos/pkg__machinery__config__configpatcher__testdata__patchmixed__patch.yaml",
        Patch(V1_15),
    ),
    (
        "talos/pkg__machinery__config__generate__secrets__testdata__secrets.yaml",
        NotTalos("a `talosctl gen secrets` bundle, not a machine config"),
    ),
    (
        "talos/pkg__machinery__config__types__block__testdata__uservolumeconfig_encrypted.yaml",
        Config(V1_15),
    ),
    (
        "talos/pkg__machinery__config__types__block__testdata__volumeconfig_tpm_encryption_with_pcr_settings.yaml",
        Config(V1_15),
    ),
    (
        "talos/pkg__machinery__config__types__k8s__testdata__apiserverconfig.yaml",
        Config(V1_15),
    ),
    (
        "talos/pkg__machinery__config__types__k8s__testdata__kubenodeconfig.yaml",
        Config(V1_15),
    ),
    (
        "talos/pkg__machinery__config__types__network__testdata__bondconfig.yaml",
        Config(V1_15),
    ),
    (
        "talos/pkg__machinery__config__types__network__testdata__linkaliasconfig.yaml",
        Config(V1_15),
    ),
    (
        "talos/pkg__machinery__config__types__network__testdata__ruleconfig.yaml",
        Config(V1_15),
    ),
    (
        "talos/pkg__machinery__config__types__network__testdata__wireguardconfig.yaml",
        Config(V1_15),
    ),
    (
        "talos/pkg__machinery__config__types__runtime__testdata__oom.yaml",
        Config(V1_15),
    ),
    (
        "talos/pkg__machinery__config__types__storage__testdata__lvmlogicalvolumeconfig_basic.yaml",
        Config(V1_15),
    ),
    (
        "talos/pkg__machinery__config__types__v1alpha1__testdata__stability__patch-pre14.yaml",
        Patch(V1_13),
    ),
    (
        "talos/pkg__machinery__config__types__v1alpha1__testdata__stability__patch.yaml",
        Patch(V1_15),
    ),
    (
        "talos/pkg__machinery__config__types__v1alpha1__testdata__stability__v1.13__base-controlplane.yaml",
        Config(V1_13),
    ),
    (
        "talos/pkg__machinery__config__types__v1alpha1__testdata__stability__v1.13__overrides-worker.yaml",
        Config(V1_13),
    ),
    (
        "talos/pkg__machinery__config__types__v1alpha1__testdata__stability__v1.15__base-controlplane.yaml",
        Config(V1_15),
    ),
    (
        "talos/pkg__machinery__config__types__v1alpha1__testdata__stability__v1.15__base-worker.yaml",
        Config(V1_15),
    ),
    (
        "talos/pkg__machinery__config__types__v1alpha1__testdata__stability__v1.15__overrides-controlplane.yaml",
        Config(V1_15),
    ),
    (
        "talos/pkg__machinery__config__types__v1alpha1__testdata__stability__v1.15__overrides-worker.yaml",
        Config(V1_15),
    ),
    (
        "talos/pkg__machinery__config__types__v1alpha1__testdata__strategic__003__right.yaml",
        Patch(V1_15),
    ),
    (
        "community/Aviator-Coding__home-ops/talos__patches__controller__admission-controller-patch.yaml",
        Patch(V1_13),
    ),
    (
        "community/Aviator-Coding__home-ops/talos__patches__controller__cluster.yaml",
        Patch(V1_13),
    ),
    (
        "community/Aviator-Coding__home-ops/talos__patches__global__machine-kubelet.yaml",
        Patch(V1_13),
    ),
    (
        "community/Aviator-Coding__home-ops/talos__patches__global__machine-udev.yaml",
        Patch(V1_13),
    ),
    (
        "community/Aviator-Coding__home-ops/talos__talconfig.yaml",
        NotTalos("talhelper talconfig"),
    ),
    (
        "community/Diaoul__home-ops/talos__all__00-install.yaml",
        Patch(V1_13),
    ),
    (
        "community/Diaoul__home-ops/talos__all__40-sysctls.yaml",
        Patch(V1_13),
    ),
    (
        "community/Diaoul__home-ops/talos__all__50-files.yaml",
        Patch(V1_13),
    ),
    (
        "community/Diaoul__home-ops/talos__all__61-kernel-modules.yaml",
        Patch(V1_13),
    ),
    (
        "community/Diaoul__home-ops/talos__all__62-volumes.yaml",
        Patch(V1_13),
    ),
    (
        "community/Diaoul__home-ops/talos__all__63-watchdog.yaml",
        Patch(V1_13),
    ),
    (
        "community/Diaoul__home-ops/talos__control-plane__01-api-access.yaml",
        Patch(V1_13),
    ),
    (
        "community/Diaoul__home-ops/talos__topf.yaml",
        NotTalos("topf cluster definition"),
    ),
    (
        "community/LadySerena__talos-for-homelab/patches__cni.patch.yaml",
        Patch(V1_13),
    ),
    (
        "community/LadySerena__talos-for-homelab/patches__kernel.patch.yaml",
        Patch(V1_13),
    ),
    (
        "community/LadySerena__talos-for-homelab/patches__melchior.patch.yaml",
        Patch(V1_13),
    ),
    (
        "community/bjw-s-labs__home-ops/kubernetes__talos__controlplane.yaml",
        Config(V1_13),
    ),
    (
        "community/bjw-s-labs__home-ops/kubernetes__talos__nodes__delta.yaml",
        Patch(V1_13),
    ),
    (
        "community/bjw-s-labs__home-ops/kubernetes__talos__talconfig.yaml",
        NotTalos("talhelper talconfig"),
    ),
    (
        "community/budimanjojo__home-cluster/talos__talconfig.yaml",
        NotTalos("talhelper talconfig"),
    ),
    (
        "community/choopm__example-talos-kubespan-cilium-native-routing/patches__cilium-host-node-cidr.yaml",
        Patch(V1_13),
    ),
    (
        "community/choopm__example-talos-kubespan-cilium-native-routing/patches__dns.yaml",
        Patch(V1_13),
    ),
    (
        "community/choopm__example-talos-kubespan-cilium-native-routing/patches__kubespan.yaml",
        Patch(V1_13),
    ),
    (
        "community/choopm__example-talos-kubespan-cilium-native-routing/patches__time.yaml",
        Patch(V1_13),
    ),
    (
        "community/damienpontifex__talhelper-setup/talconfig.yaml",
        NotTalos("talhelper talconfig"),
    ),
    (
        "community/dislogical__autolab/charts__talm__nodes__vrtx-m640-3.yaml",
        Config(V1_13),
    ),
    (
        "community/dislogical__autolab/charts__talm__values.yaml",
        NotTalos("talm values"),
    ),
    (
        "community/dislogical__autolab/talos__all__01-install.yaml",
        Patch(V1_13),
    ),
    (
        "community/dislogical__autolab/talos__control-plane__01-in-cluster-access.yaml",
        Patch(V1_13),
    ),
    (
        "community/kingdonb__cozystack-talm-demo/Chart.yaml",
        NotTalos("talm Chart.yaml"),
    ),
    (
        "community/kingdonb__cozystack-talm-demo/configs__patches__caching-proxy-patch.yaml",
        Patch(V1_13),
    ),
    (
        "community/kingdonb__cozystack-talm-demo/configs__patches__no-kexec-patch.yaml",
        Patch(V1_13),
    ),
    (
        "community/kingdonb__cozystack-talm-demo/nodes__hpworker02.yaml",
        Config(V1_13),
    ),
    (
        "community/kingdonb__cozystack-talm-demo/values.yaml",
        NotTalos("talm values"),
    ),
    (
        "community/mirceanton__home-ops/talos__patches__admission-control.yaml",
        Invalid(
            V1_13,
            true,
            "talhelper input: `$$patch` is talhelper's escape for `$patch`, which Talos itself does not understand",
            "unknown key `$$patch`",
        ),
    ),
    (
        "community/mirceanton__home-ops/talos__patches__cluster-discovery.yaml",
        Patch(V1_13),
    ),
    (
        "community/mirceanton__home-ops/talos__patches__network-binding.yaml",
        Patch(V1_13),
    ),
    (
        "community/mirceanton__home-ops/talos__patches__registry-mirrors.yaml",
        Patch(V1_13),
    ),
    (
        "community/mirceanton__home-ops/talos__patches__sysctls.yaml",
        Patch(V1_13),
    ),
    (
        "community/mirceanton__home-ops/talos__talconfig.yaml",
        NotTalos("talhelper talconfig"),
    ),
    (
        "community/mirceanton__home-ops/talos__talenv.sops.yaml",
        NotTalos("SOPS-encrypted talhelper env file"),
    ),
    (
        "community/mitchross__talos-argocd-proxmox/omni__cluster-template__cluster-template.yaml",
        NotTalos("Omni cluster template"),
    ),
    (
        "community/mitchross__talos-argocd-proxmox/omni__cluster-template__patches__gpu-worker.yaml",
        Patch(V1_13),
    ),
    (
        "community/onedr0p__home-ops/talos__all__cluster.yaml",
        Patch(V1_13),
    ),
    (
        "community/onedr0p__home-ops/talos__all__machine.yaml",
        Patch(V1_13),
    ),
    (
        "community/onedr0p__home-ops/talos__all__network.yaml",
        Patch(V1_13),
    ),
    (
        "community/onedr0p__home-ops/talos__all__storage.yaml",
        Patch(V1_13),
    ),
    (
        "community/onedr0p__home-ops/talos__control-plane__etcd.yaml",
        Patch(V1_13),
    ),
    (
        "community/onedr0p__home-ops/talos__control-plane__machine.yaml",
        Patch(V1_13),
    ),
    (
        "community/onedr0p__home-ops/talos__controlplane.yaml",
        Config(V1_13),
    ),
    (
        "community/onedr0p__home-ops/talos__nodes__192.168.42.11.yaml",
        Patch(V1_13),
    ),
    (
        "community/qjoly__talos-ipv6/talconfig.yaml",
        NotTalos("talhelper talconfig"),
    ),
    (
        "community/remikeat__cluster/talos__patches__data-path-mount.yaml",
        Patch(V1_13),
    ),
    (
        "community/remikeat__cluster/talos__patches__pods-per-node.yaml",
        Patch(V1_13),
    ),
    (
        "community/remikeat__cluster/talos__patches__registries.yaml",
        Patch(V1_13),
    ),
    (
        "community/remikeat__cluster/talos__patches__tailscale.yaml",
        Patch(V1_13),
    ),
    (
        "community/remikeat__cluster/talos__patches__udev-rules.yaml",
        Patch(V1_13),
    ),
];

fn corpus_files(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["talos", "community"] {
        let mut stack = vec![root.join(sub)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("corpus directory reads") {
                let path = entry.expect("corpus entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.file_name().is_some_and(|n| n != "SOURCE.md") {
                    let rel = path.strip_prefix(root).expect("under root");
                    out.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn corpus_validates_at_its_contract() {
    let Some(reference) = common::reference_or_skip() else {
        return;
    };
    let root = reference.join("corpus");
    let files = corpus_files(&root);
    let unlisted: Vec<&String> = files
        .iter()
        .filter(|f| !TABLE.iter().any(|(name, _)| name == f))
        .collect();
    assert!(
        unlisted.is_empty(),
        "corpus files missing from the table: {unlisted:?}"
    );

    let (mut configs, mut patches, mut invalid, mut metal_refused) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for (name, expect) in TABLE {
        let path = root.join(name);
        if !path.exists() {
            failures.push(format!("{name}: listed but not in the corpus"));
            continue;
        }
        let docs = match expect {
            NotTalos(what) => {
                println!("not a Talos config: {name} ({what})");
                continue;
            }
            _ => common::documents(&std::fs::read_to_string(&path).expect("corpus file reads")),
        };
        match *expect {
            Config(c) | Patch(c) => {
                let patch = matches!(expect, Patch(_));
                // The full check: schema, then Talos's semantic rules, in cloud mode (no install
                // required); metal mode refuses exactly the files of METAL_REFUSED, as Talos would.
                let json: Vec<serde_json::Value> = docs.iter().map(yaml_to_json).collect();
                let check =
                    |mode| machinist_model::check_json_documents(c, mode, &json, patch).errors;
                let findings = check(machinist_model::Mode::Cloud);
                if !findings.is_empty() {
                    failures.push(format!("{name} at {c}: {}", findings[0]));
                }
                let metal: Vec<String> = check(machinist_model::Mode::Metal)
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                match METAL_REFUSED.iter().find(|(n, _)| n == name) {
                    Some((_, expected)) => {
                        metal_refused += 1;
                        if !metal.iter().any(|m| m.contains(expected)) {
                            failures.push(format!(
                                "{name} in metal mode: expected `{expected}`, got {metal:?}"
                            ));
                        }
                    }
                    None if !metal.is_empty() => {
                        failures.push(format!("{name} at {c} in metal mode: {}", metal[0]));
                    }
                    None => {}
                }
                // The written schema accepts every document too.
                let schema = if patch {
                    patch_schema(c)
                } else {
                    config_schema(c)
                };
                let validator = jsonschema::validator_for(&schema).expect("schema compiles");
                for (i, doc) in docs.iter().enumerate() {
                    let json = yaml_to_json(doc);
                    if let Some(err) = validator.iter_errors(&json).next() {
                        failures.push(format!(
                            "{name} document {} against the written {c} schema: {} at {}",
                            i + 1,
                            err,
                            err.instance_path()
                        ));
                    }
                }
                if patch {
                    patches += 1;
                } else {
                    configs += 1;
                }
            }
            Invalid(c, patch, reason, expected) => {
                let findings: Vec<String> = validate_documents(c, &docs, patch)
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                if !findings.iter().any(|f| f.contains(expected)) {
                    failures.push(format!(
                        "{name} ({reason}): expected `{expected}`, got {findings:?}"
                    ));
                }
                invalid += 1;
            }
            NotTalos(_) => {}
        }
    }
    println!(
        "corpus: {configs} configs and {patches} patches valid at their contract, {invalid} judged invalid, {metal_refused} refused in metal mode"
    );
    assert_eq!(metal_refused, METAL_REFUSED.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Configs that load (and validate in cloud or container mode) but that Talos refuses in metal
/// mode, with the reason: Talos's stability test data is generated without an install disk, and
/// two home-ops control planes leave the disk to a per-node patch.
const METAL_REFUSED: &[(&str, &str)] = &[
    (
        "talos/pkg__machinery__config__types__v1alpha1__testdata__stability__v1.13__base-controlplane.yaml",
        "either install disk or diskSelector should be defined",
    ),
    (
        "talos/pkg__machinery__config__types__v1alpha1__testdata__stability__v1.13__overrides-worker.yaml",
        "install.extraKernelArgs and install.grubUseUKICmdline can't be used together",
    ),
    (
        "community/bjw-s-labs__home-ops/kubernetes__talos__controlplane.yaml",
        "either install disk or diskSelector should be defined",
    ),
    (
        "community/onedr0p__home-ops/talos__controlplane.yaml",
        "either install disk or diskSelector should be defined",
    ),
];

#[test]
fn newer_contract_files_are_rejected_by_older_contracts_with_the_contract_named() {
    let Some(reference) = common::reference_or_skip() else {
        return;
    };
    let path = reference.join(
        "corpus/talos/pkg__machinery__config__types__v1alpha1__testdata__stability__v1.15__base-worker.yaml",
    );
    let docs = common::documents(&std::fs::read_to_string(path).expect("file reads"));
    let findings = validate_documents(Contract::V1_13, &docs, false);
    let messages: Vec<String> = findings.iter().map(|f| f.message.clone()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("is not accepted by Talos v1.13; it exists from v1.14")),
        "{messages:?}"
    );
}

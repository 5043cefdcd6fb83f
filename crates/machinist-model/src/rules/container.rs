//! Container rules: what Talos's config container refuses when it assembles the documents of one
//! config (`pkg/machinery/config/container`). In: every document of a config. Out: hits for
//! documents that conflict with each other (two link documents for one link, a Layer2VIPConfig and
//! an HCloudVIPConfig for one address, a UserVolumeConfig and an ExistingVolumeConfig of one name,
//! a veth peer that another document configures), and for a v1alpha1 section next to the document
//! that replaces it (`V1Alpha1ConflictValidate` of each kind). Duplicate (kind, name) pairs are the
//! schema validator's: it reports them as it reads the stream.

use std::collections::HashMap;

use serde_json::Value;

use super::{Hit, Mode, Place, Rule, Scope, Severity, Target, at, present, q, text, truthy};
use crate::Contract::{self, V1_11, V1_12, V1_13, V1_14};

/// The link kinds that cannot share a name, per contract (Talos's `conflictingLinkKinds`).
fn link_kinds(contract: Contract) -> &'static [&'static str] {
    match contract {
        V1_11 => &[],
        V1_12 => &[
            "BondConfig",
            "BridgeConfig",
            "DummyLinkConfig",
            "LinkConfig",
            "VLANConfig",
            "WireguardConfig",
        ],
        V1_13 => &[
            "BondConfig",
            "BridgeConfig",
            "DummyLinkConfig",
            "LinkConfig",
            "VLANConfig",
            "VRFConfig",
            "WireguardConfig",
        ],
        _ => &[
            "BondConfig",
            "BridgeConfig",
            "DummyLinkConfig",
            "LinkConfig",
            "VethConfig",
            "VLANConfig",
            "VRFConfig",
            "WireguardConfig",
        ],
    }
}

/// The kinds a document of `kind` conflicts with when both have one name
/// (`ConflictsWithKinds`).
fn conflicts_with(contract: Contract, kind: &str) -> Vec<&'static str> {
    let links = link_kinds(contract);
    if links.contains(&kind) {
        return links.iter().copied().filter(|k| *k != kind).collect();
    }
    match kind {
        "UserVolumeConfig" => vec!["ExistingVolumeConfig"],
        "ExistingVolumeConfig" => vec!["UserVolumeConfig"],
        "Layer2VIPConfig" if contract >= V1_12 => vec!["HCloudVIPConfig"],
        "HCloudVIPConfig" if contract >= V1_12 => vec!["Layer2VIPConfig"],
        _ => Vec::new(),
    }
}

fn name_of(doc: &Value) -> &str {
    doc.get("name").and_then(Value::as_str).unwrap_or_default()
}

/// `conflicting documents: A/x and B/x`, as the container reports it while reading documents in
/// order; the hit is on the later document and names the earlier one.
fn conflicting_documents(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    // Document id → the earlier document that declared a conflict with it.
    let mut conflicting: HashMap<String, usize> = HashMap::new();
    for (i, kind) in s.kinds.iter().enumerate() {
        let Some(kind) = kind else { continue };
        let name = name_of(&s.docs[i]);
        let id = format!("{kind}/{name}");
        if seen.contains_key(&id) {
            continue;
        }
        seen.insert(id.clone(), i);
        let mut report = |first: usize, first_id: String| {
            out.push(Hit {
                rule,
                at: Place::new(i, if name.is_empty() { "" } else { "name" }),
                message: format!("conflicting documents: {first_id} and {id}"),
                related: Some(Place::new(first, "name")),
            });
        };
        if let Some(&first) = conflicting.get(&id) {
            let first_id = format!("{}/{name}", s.kinds[first].unwrap_or_default());
            report(first, first_id);
            continue;
        }
        for other in conflicts_with(s.contract, kind) {
            let other_id = format!("{other}/{name}");
            if let Some(&first) = seen.get(&other_id) {
                report(first, other_id.clone());
            }
            conflicting.entry(other_id).or_insert(i);
        }
    }
}

/// `conflicting link configurations: A and B both configure "x"`: every link document claims its
/// link, a VethConfig its peer too. Two documents of different link kinds with one name are the
/// `conflicting documents` rule's (Talos reports that first), so only claims through a peer count.
fn claimed_links(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    let links = link_kinds(s.contract);
    // Link name → (document, its id, whether it was claimed as a peer).
    let mut claimed: HashMap<String, (usize, String, bool)> = HashMap::new();
    for (i, kind) in s.kinds.iter().enumerate() {
        let Some(kind) = kind.filter(|k| links.contains(k)) else {
            continue;
        };
        let doc = &s.docs[i];
        let id = format!("{kind}/{}", name_of(doc));
        let mut claims = vec![("name", name_of(doc))];
        if let Some(peer) = text(doc, "peer.name") {
            claims.push(("peer.name", peer));
        }
        for (path, link) in claims {
            if link.is_empty() {
                continue;
            }
            let by_peer = path != "name";
            match claimed.get(link) {
                Some((first, owner, peer)) if *first != i && (by_peer || *peer) => {
                    out.push(Hit {
                        rule,
                        at: Place::new(i, path),
                        message: format!(
                            "conflicting link configurations: {owner} and {id} both configure {}",
                            q(link)
                        ),
                        related: Some(Place::new(*first, if *peer { "peer.name" } else { "name" })),
                    });
                }
                Some(_) => {}
                None => {
                    claimed.insert(link.to_string(), (i, id.clone(), by_peer));
                }
            }
        }
    }
}

/// How a v1alpha1 setting counts as set, as Talos's accessor sees it.
#[derive(Clone, Copy)]
enum Set {
    /// Present and not null (a non-nil pointer, slice or map).
    Present,
    /// A non-empty string.
    Text,
    /// `true`.
    True,
    /// A number other than 0.
    NonZero,
    /// A list or map with items.
    Items,
    /// A duration other than zero.
    Duration,
    /// A list with at least one entry that parses as an IP address.
    AnyIp,
}

fn is_set(doc: &Value, path: &str, how: Set) -> bool {
    match how {
        Set::Present => present(doc, path),
        Set::Text => text(doc, path).is_some(),
        Set::True => truthy(doc, path),
        Set::NonZero => at(doc, path)
            .and_then(Value::as_f64)
            .is_some_and(|n| n != 0.0),
        Set::Items => super::non_empty(doc, path),
        Set::Duration => text(doc, path).is_some_and(|d| {
            d.trim_start_matches(['+', '-'])
                .chars()
                .any(|c| c.is_ascii_digit() && c != '0')
        }),
        Set::AnyIp => super::items(doc, path).iter().any(|v| {
            v.as_str()
                .is_some_and(|s| s.parse::<std::net::IpAddr>().is_ok())
        }),
    }
}

/// A v1alpha1 setting that refuses the document replacing it: the hit points at the setting and
/// names the document.
fn replaced(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>, how: Set) {
    let Some(root) = s.root else { return };
    if is_set(&s.docs[root], rule.path, how) {
        out.push(Hit {
            rule,
            at: Place::new(root, rule.path),
            message: rule.message.to_string(),
            related: Some(Place::new(s.index, "")),
        });
    }
}

/// A VolumeConfig for STATE or EPHEMERAL with `encryption` next to the v1alpha1
/// `machine.systemDiskEncryption` of the same partition.
fn volume_encryption(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    let (Some(root), name) = (s.root, name_of(s.doc())) else {
        return;
    };
    let legacy = match name {
        "STATE" => "machine.systemDiskEncryption.state",
        "EPHEMERAL" => "machine.systemDiskEncryption.ephemeral",
        _ => return,
    };
    if present(s.doc(), "encryption") && present(&s.docs[root], legacy) {
        out.push(Hit {
            rule,
            at: Place::new(root, legacy),
            message: format!(
                "system disk encryption for {} is configured in both v1alpha1.Config and VolumeConfig",
                q(name)
            ),
            related: Some(Place::new(s.index, "encryption")),
        });
    }
}

/// A ResolverConfig with `hostDNS` next to v1alpha1 `machine.features.hostDNS`.
fn resolver_host_dns(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    let Some(root) = s.root else { return };
    if super::non_empty(s.doc(), "hostDNS") && present(&s.docs[root], rule.path) {
        out.push(Hit {
            rule,
            at: Place::new(root, rule.path),
            message: rule.message.to_string(),
            related: Some(Place::new(s.index, "hostDNS")),
        });
    }
}

const ALL_MODES: &[Mode] = &[];

macro_rules! replaced {
    ($id:literal, $kind:literal, $since:ident, $path:literal, $how:ident, $msg:literal) => {
        Rule {
            id: $id,
            target: Target::Kind($kind),
            since: $since,
            until: None,
            modes: ALL_MODES,
            severity: Severity::Error,
            path: $path,
            message: $msg,
            check: |rule, s, out| replaced(rule, s, out, Set::$how),
        }
    };
}

/// The container rules.
pub static RULES: &[Rule] = &[
    Rule {
        id: "container.conflicting-documents",
        target: Target::Stream,
        since: V1_11,
        until: None,
        modes: ALL_MODES,
        severity: Severity::Error,
        path: "name",
        message: "conflicting documents: %s and %s",
        check: conflicting_documents,
    },
    Rule {
        id: "container.conflicting-links",
        target: Target::Stream,
        since: V1_14,
        until: None,
        modes: ALL_MODES,
        severity: Severity::Error,
        path: "peer.name",
        message: "conflicting link configurations: %s and %s both configure %q",
        check: claimed_links,
    },
    replaced!(
        "v1alpha1-conflict.hostname-static",
        "HostnameConfig",
        V1_12,
        "machine.network.hostname",
        Text,
        "static hostname is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.hostname-stable",
        "HostnameConfig",
        V1_12,
        "machine.features.stableHostname",
        True,
        "stable hostname is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.resolver-search-domains",
        "ResolverConfig",
        V1_12,
        "machine.network.searchDomains",
        Present,
        ".machine.network.searchDomains is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.resolver-nameservers",
        "ResolverConfig",
        V1_12,
        "machine.network.nameservers",
        AnyIp,
        ".machine.network.nameservers is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.resolver-disable-search-domain",
        "ResolverConfig",
        V1_12,
        "machine.network.disableSearchDomain",
        True,
        ".machine.network.disableSearchDomain is already set in v1alpha1 config"
    ),
    Rule {
        id: "v1alpha1-conflict.resolver-host-dns",
        target: Target::Kind("ResolverConfig"),
        since: V1_14,
        until: None,
        modes: ALL_MODES,
        severity: Severity::Error,
        path: "machine.features.hostDNS",
        message: ".machine.features.hostDNS is already set in v1alpha1 config",
        check: resolver_host_dns,
    },
    replaced!(
        "v1alpha1-conflict.time-disabled",
        "TimeSyncConfig",
        V1_12,
        "machine.time.disabled",
        True,
        "time sync cannot be disabled in both v1alpha1 and new-style configuration"
    ),
    replaced!(
        "v1alpha1-conflict.time-servers",
        "TimeSyncConfig",
        V1_12,
        "machine.time.servers",
        Items,
        "time servers cannot be specified in both v1alpha1 and new-style configuration"
    ),
    replaced!(
        "v1alpha1-conflict.time-boot-timeout",
        "TimeSyncConfig",
        V1_12,
        "machine.time.bootTimeout",
        Duration,
        "boot timeout cannot be specified in both v1alpha1 and new-style configuration"
    ),
    Rule {
        id: "v1alpha1-conflict.volume-encryption",
        target: Target::Kind("VolumeConfig"),
        since: V1_12,
        until: None,
        modes: ALL_MODES,
        severity: Severity::Error,
        path: "machine.systemDiskEncryption",
        message: "system disk encryption for %q is configured in both v1alpha1.Config and VolumeConfig",
        check: volume_encryption,
    },
    replaced!(
        "v1alpha1-conflict.kubespan",
        "KubeSpanConfig",
        V1_13,
        "machine.network.kubespan",
        Present,
        "kubespan is already configured in v1alpha1 machine.network.kubespan"
    ),
    replaced!(
        "v1alpha1-conflict.discovery-identity-id",
        "DiscoveryIdentityConfig",
        V1_14,
        "cluster.id",
        Text,
        "cluster identity is already configured in .cluster.id/.cluster.secret of the v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.discovery-identity-secret",
        "DiscoveryIdentityConfig",
        V1_14,
        "cluster.secret",
        Text,
        "cluster identity is already configured in .cluster.id/.cluster.secret of the v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.discovery-service",
        "DiscoveryServiceConfig",
        V1_14,
        "cluster.discovery",
        Present,
        "discovery service is already configured in .cluster.discovery of the v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.base-runtime-spec",
        "CRIBaseRuntimeSpecConfig",
        V1_14,
        "machine.baseRuntimeSpecOverrides",
        Present,
        "base runtime spec overrides are already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.image-cache",
        "ImageCacheConfig",
        V1_14,
        "machine.features.imageCache",
        Present,
        "image cache config is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.admission-control",
        "KubeAdmissionControlConfig",
        V1_14,
        "cluster.apiServer.admissionControl",
        Items,
        "admission control plugin config is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.authorizer",
        "KubeAuthorizerConfig",
        V1_14,
        "cluster.apiServer.admissionControl",
        Items,
        "admission control plugin config is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.aggregator-ca",
        "KubeAggregatorCAConfig",
        V1_14,
        "cluster.aggregatorCA",
        Present,
        "kube-apiserver aggregator CA is already set in v1alpha1 config (.cluster.aggregatorCA), please remove it and use the new KubeAggregatorCAConfig document instead"
    ),
    replaced!(
        "v1alpha1-conflict.apiserver",
        "KubeAPIServerConfig",
        V1_14,
        "cluster.apiServer",
        Present,
        "kube-apiserver config is already set in v1alpha1 config (.cluster.apiServer)"
    ),
    replaced!(
        "v1alpha1-conflict.apiserver-port",
        "KubeAPIServerConfig",
        V1_14,
        "cluster.controlPlane.localAPIServerPort",
        NonZero,
        "kube-apiserver API port is already set in v1alpha1 config (.cluster.controlPlane.localAPIServerPort)"
    ),
    replaced!(
        "v1alpha1-conflict.apiserver-ca",
        "KubeAPIServerCAConfig",
        V1_14,
        "cluster.ca",
        Present,
        "kube-apiserver CA is already set in v1alpha1 config (.cluster.ca)"
    ),
    replaced!(
        "v1alpha1-conflict.audit-policy",
        "KubeAuditPolicyConfig",
        V1_14,
        "cluster.apiServer.auditPolicy",
        Items,
        "audit policy config is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.cluster-name",
        "KubeClusterConfig",
        V1_14,
        "cluster.clusterName",
        Text,
        "cluster name is already set in the v1alpha1 config (.cluster.clusterName). Please remove it and use only the new KubeClusterConfig document to avoid conflicts"
    ),
    replaced!(
        "v1alpha1-conflict.cluster-endpoint",
        "KubeClusterConfig",
        V1_14,
        "cluster.controlPlane.endpoint",
        Present,
        "cluster endpoint is already set in the v1alpha1 config (.cluster.controlPlane.endpoint). Please remove it and use only the new KubeClusterConfig document to avoid conflicts"
    ),
    replaced!(
        "v1alpha1-conflict.controller-manager",
        "KubeControllerManagerConfig",
        V1_14,
        "cluster.controllerManager",
        Present,
        "kube-controller-manager config is already set in v1alpha1 config (.cluster.controllerManager)"
    ),
    replaced!(
        "v1alpha1-conflict.controller-manager-switch",
        "KubeControllerManagerConfig",
        V1_14,
        "machine.controlPlane.controllerManager",
        Present,
        "kube-controller-manager config is already set in v1alpha1 config (.machine.controlplane.controllerManager)"
    ),
    replaced!(
        "v1alpha1-conflict.coredns",
        "KubeCoreDNSConfig",
        V1_14,
        "cluster.coreDNS",
        Present,
        "CoreDNS config is already set in v1alpha1 config (.cluster.coreDNS)"
    ),
    replaced!(
        "v1alpha1-conflict.credential-provider",
        "KubeCredentialProviderConfig",
        V1_14,
        "machine.kubelet",
        Present,
        "cannot use KubeCredentialProviderConfig with legacy kubelet configuration (.machine.kubelet)"
    ),
    replaced!(
        "v1alpha1-conflict.etcd-encryption-secretbox",
        "KubeEtcdEncryptionConfig",
        V1_14,
        "cluster.secretboxEncryptionSecret",
        Text,
        "etcd encryption config is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.etcd-encryption-aescbc",
        "KubeEtcdEncryptionConfig",
        V1_14,
        "cluster.aescbcEncryptionSecret",
        Text,
        "etcd encryption config is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.flannel",
        "KubeFlannelCNIConfig",
        V1_14,
        "cluster.network",
        Present,
        "cluster network config in v1alpha1 config (.machine.cluster.network) can't be used with KubeFlannelCNIConfig document, please remove it to avoid conflicts"
    ),
    replaced!(
        "v1alpha1-conflict.kubelet",
        "KubeletConfig",
        V1_14,
        "machine.kubelet",
        Present,
        "kubelet config is already set in v1alpha1 config (.machine.kubelet)"
    ),
    replaced!(
        "v1alpha1-conflict.kubeprism",
        "KubePrismConfig",
        V1_14,
        "machine.features.kubePrism",
        Present,
        "KubePrism config in v1alpha1 config (.machine.features.kubePrism) can't be used with KubePrismConfig document, please remove it to avoid conflicts"
    ),
    replaced!(
        "v1alpha1-conflict.network",
        "KubeNetworkConfig",
        V1_14,
        "cluster.network",
        Present,
        "cluster network config is already set in the v1alpha1 config (.machine.cluster.network). Please remove it and use only the new KubeNetworkConfig document to avoid conflicts"
    ),
    replaced!(
        "v1alpha1-conflict.node-scheduling",
        "KubeNodeConfig",
        V1_14,
        "cluster.allowSchedulingOnControlPlanes",
        Present,
        ".cluster.allowSchedulingOnControlPlanes is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.node-scheduling-masters",
        "KubeNodeConfig",
        V1_14,
        "cluster.allowSchedulingOnMasters",
        Present,
        ".cluster.allowSchedulingOnMasters is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.node-skip-registration",
        "KubeNodeConfig",
        V1_14,
        "machine.kubelet.skipNodeRegistration",
        Present,
        ".machine.kubelet.skipNodeRegistration is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.node-fqdn",
        "KubeNodeConfig",
        V1_14,
        "machine.kubelet.registerWithFQDN",
        Present,
        ".machine.kubelet.registerWithFQDN is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.node-ip",
        "KubeNodeConfig",
        V1_14,
        "machine.kubelet.nodeIP",
        Present,
        ".machine.kubelet.nodeIP is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.node-labels",
        "KubeNodeConfig",
        V1_14,
        "machine.nodeLabels",
        Present,
        ".machine.nodeLabels is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.node-annotations",
        "KubeNodeConfig",
        V1_14,
        "machine.nodeAnnotations",
        Present,
        ".machine.nodeAnnotations is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.node-taints",
        "KubeNodeConfig",
        V1_14,
        "machine.nodeTaints",
        Present,
        ".machine.nodeTaints is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.proxy",
        "KubeProxyConfig",
        V1_14,
        "cluster.proxy",
        Present,
        "cluster proxy config in v1alpha1 config (.machine.cluster.proxy) can't be used with KubeProxyConfig document, please remove it to avoid conflicts"
    ),
    replaced!(
        "v1alpha1-conflict.scheduler",
        "KubeSchedulerConfig",
        V1_14,
        "cluster.scheduler",
        Present,
        "kube-scheduler config is already set in v1alpha1 config (.cluster.scheduler)"
    ),
    replaced!(
        "v1alpha1-conflict.scheduler-switch",
        "KubeSchedulerConfig",
        V1_14,
        "machine.controlPlane.scheduler",
        Present,
        "kube-scheduler config is already set in v1alpha1 config (.machine.controlplane.scheduler)"
    ),
    replaced!(
        "v1alpha1-conflict.service-account",
        "KubeServiceAccountConfig",
        V1_14,
        "cluster.serviceAccount",
        Present,
        "service account is already set in v1alpha1 config (.cluster.serviceAccount)"
    ),
    replaced!(
        "v1alpha1-conflict.talos-api-access",
        "KubeTalosAPIAccessConfig",
        V1_14,
        "machine.features.kubernetesTalosAPIAccess",
        Present,
        ".machine.features.kubernetesTalosAPIAccess is already set in v1alpha1 config"
    ),
    replaced!(
        "v1alpha1-conflict.unattended-install",
        "UnattendedInstallConfig",
        V1_14,
        "machine.install",
        Present,
        "UnattendedInstallConfig config is incompatible with v1alpha1 config (.machine.install)"
    ),
];

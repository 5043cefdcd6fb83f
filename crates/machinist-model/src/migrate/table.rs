//! The mapping table: which v1alpha1 field moves to which document, per contract step. In:
//! nothing. Out: [`GROUPS`], every group of fields that move together (Talos refuses a document
//! while any of its v1alpha1 fields is still set, so a group moves whole or not at all), each with
//! its field rows: source path, target kind and field, whether the move is exact, and an example
//! value with the value it becomes (the table's own tests run every example, and the book page is
//! checked against the rows).
//!
//! Facts come from Talos's source: the deprecated fields in `v1alpha1_types.go`, the new documents
//! under `pkg/machinery/config/types/{network,k8s,runtime,cri}`, and the fallback code
//! (`pkg/machinery/config/container/container.go`, `v1alpha1_k8s_bridge.go`,
//! `v1alpha1_network_bridge.go`) that says what a v1alpha1 field means once a document replaces it.

use crate::Contract;

use super::convert;
use super::convert_cluster;
use super::convert_files;
use super::convert_volumes;
use super::network;
use super::{Blocked, Out};

/// How a source value becomes the target value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// Copied as is.
    Same,
    /// A boolean, negated (`disabled: true` → `enabled: false`).
    Not,
    /// A map whose values become strings (`map[string]string` in the document).
    Strings,
    /// A list of addresses becomes a list of `{address: ...}`.
    Nameservers,
    /// `stableHostname: true` becomes `auto: stable`.
    Stable,
    /// The group's own converter does the move (lists that become named documents).
    Custom,
}

/// One field: where it is in the v1alpha1 document and where it goes.
#[derive(Debug, Clone, Copy)]
pub struct FieldMap {
    /// Dotted path in the v1alpha1 document.
    pub source: &'static str,
    /// The document kind that takes it over.
    pub kind: &'static str,
    /// Dotted path inside that document.
    pub field: &'static str,
    /// How the value is carried over.
    pub how: How,
    /// Whether Talos treats the moved value exactly as it treated the old one.
    pub exact: bool,
    /// What a reader should know (why inexact, defaults, naming rule).
    pub note: &'static str,
    /// An example source value (YAML) that the table test migrates...
    pub example: &'static str,
    /// ...the `name` of the document it lands in (named kinds)...
    pub name: Option<&'static str>,
    /// ...and the value it must have at `field` there (YAML).
    pub expect: &'static str,
}

const fn row(
    source: &'static str,
    kind: &'static str,
    field: &'static str,
    how: How,
    example: &'static str,
    expect: &'static str,
) -> FieldMap {
    FieldMap {
        source,
        kind,
        field,
        how,
        exact: true,
        note: "",
        example,
        name: None,
        expect,
    }
}

const fn same(
    source: &'static str,
    kind: &'static str,
    field: &'static str,
    ex: &'static str,
) -> FieldMap {
    row(source, kind, field, How::Same, ex, ex)
}

impl FieldMap {
    const fn named(mut self, name: &'static str) -> Self {
        self.name = Some(name);
        self
    }
    const fn note(mut self, note: &'static str) -> Self {
        self.note = note;
        self
    }
    const fn inexact(mut self, note: &'static str) -> Self {
        self.exact = false;
        self.note = note;
        self
    }
}

/// A converter for what plain rows cannot say (lists that become named documents, defaults the
/// old fallback added implicitly).
pub type ConvertFn = fn(&serde_yaml_ng::Value, &mut Out) -> Result<(), Blocked>;

/// Fields that move together.
#[derive(Debug, Clone, Copy)]
pub struct Group {
    /// The contract that deprecates the fields (the step `previous → step`).
    pub step: Contract,
    /// Short title for messages and the book.
    pub title: &'static str,
    /// Sections that move whole: every key under them must be covered by a row, else the
    /// group stays where it is and the uncovered key is named in a warning.
    pub sections: &'static [&'static str],
    /// The field rows.
    pub rows: &'static [FieldMap],
    /// Runs after the plain rows moved (named documents, implicit defaults made explicit).
    pub convert: Option<ConvertFn>,
    /// Fields the target documents require: (kind, field, the v1alpha1 source to set).
    pub required: &'static [(&'static str, &'static str, &'static str)],
}

const S12: Contract = Contract::V1_12;
const S13: Contract = Contract::V1_13;
const S14: Contract = Contract::V1_14;

/// Every group, in the order the migration applies them.
pub static GROUPS: &[Group] = &[
    Group {
        step: S12,
        title: "hostname",
        sections: &[],
        rows: &[
            same("machine.network.hostname", "HostnameConfig", "hostname", "cp-01"),
            row("machine.features.stableHostname", "HostnameConfig", "auto", How::Stable, "true", "stable")
                .note("`false` is the default (hostname from the address) and needs no document"),
        ],
        convert: None,
        required: &[],
    },
    Group {
        step: S12,
        title: "resolvers",
        sections: &[],
        rows: &[
            row("machine.network.nameservers", "ResolverConfig", "nameservers", How::Nameservers, "[1.1.1.1]", "[{address: 1.1.1.1}]"),
            same("machine.network.searchDomains", "ResolverConfig", "searchDomains.domains", "[lan]"),
            same("machine.network.disableSearchDomain", "ResolverConfig", "searchDomains.disableDefault", "true"),
        ],
        convert: None,
        required: &[],
    },
    Group {
        step: S12,
        title: "static host entries",
        sections: &[],
        rows: &[row("machine.network.extraHostEntries", "StaticHostConfig", "hostnames", How::Custom,
            "[{ip: 10.0.0.5, aliases: [nas]}]", "[nas]")
            .named("10.0.0.5")
            .note("one document per entry, named by its IP address")],
        convert: Some(convert::static_hosts),
        required: &[],
    },
    Group {
        step: S12,
        title: "network interfaces",
        sections: &[],
        rows: network::ROWS,
        convert: Some(network::interfaces),
        required: &[],
    },
    Group {
        step: S12,
        title: "time synchronisation",
        sections: &["machine.time"],
        rows: &[
            row("machine.time.disabled", "TimeSyncConfig", "enabled", How::Not, "true", "false"),
            same("machine.time.servers", "TimeSyncConfig", "ntp.servers", "[time.cloudflare.com]"),
            same("machine.time.bootTimeout", "TimeSyncConfig", "bootTimeout", "2m0s"),
        ],
        convert: None,
        required: &[],
    },
    Group {
        step: S12,
        title: "registries",
        sections: &[],
        rows: &[
            row("machine.registries.mirrors", "RegistryMirrorConfig", "endpoints", How::Custom,
                "{docker.io: {endpoints: [https://mirror.lan]}}", "[{url: https://mirror.lan}]")
                .named("docker.io")
                .note("one document per registry; `overridePath` and `skipFallback` carry over"),
            row("machine.registries.config", "RegistryAuthConfig", "username", How::Custom,
                "{ghcr.io: {auth: {username: bot}}}", "bot")
                .named("ghcr.io")
                .note("`auth` becomes RegistryAuthConfig, `tls` becomes RegistryTLSConfig (base64 `ca` and `clientIdentity.crt`/`key` become PEM text, `crt` becomes `cert`), per registry host"),
        ],
        convert: Some(convert::registries),
        required: &[],
    },
    Group {
        step: S12,
        title: "system disk encryption",
        sections: &["machine.systemDiskEncryption"],
        rows: &[
            row("machine.systemDiskEncryption.state", "VolumeConfig", "encryption", How::Custom,
                "{provider: luks2, keys: [{slot: 0, tpm: {}}]}", "{provider: luks2, keys: [{slot: 0, tpm: {}}]}")
                .named("STATE")
                .note("every field keeps its name; Talos reads both through `ConvertEncryptionConfiguration`"),
            row("machine.systemDiskEncryption.ephemeral", "VolumeConfig", "encryption", How::Custom,
                "{provider: luks2, keys: [{slot: 0, nodeID: {}}], cipher: aes-xts-plain64}", "{provider: luks2, keys: [{slot: 0, nodeID: {}}], cipher: aes-xts-plain64}")
                .named("EPHEMERAL"),
        ],
        convert: Some(convert_volumes::system_disk_encryption),
        required: &[],
    },
    Group {
        step: S13,
        title: "KubeSpan",
        sections: &[],
        rows: &[same("machine.network.kubespan", "KubeSpanConfig", "", "{enabled: true, mtu: 1420}")
            .note("every field keeps its name")],
        convert: None,
        required: &[],
    },
    Group {
        step: S13,
        title: "environment",
        sections: &[],
        rows: &[row("machine.env", "EnvironmentConfig", "variables", How::Strings, "{GRPC_GO_LOG_VERBOSITY_LEVEL: 99}", "{GRPC_GO_LOG_VERBOSITY_LEVEL: \"99\"}")],
        convert: None,
        required: &[],
    },
    Group {
        step: S14,
        title: "kubelet and node registration",
        sections: &["machine.kubelet"],
        rows: &[
            same("machine.kubelet.image", "KubeletConfig", "image", "ghcr.io/siderolabs/kubelet:v1.35.4"),
            same("machine.kubelet.extraArgs", "KubeletConfig", "extraArgs", "{max-pods: \"150\"}"),
            same("machine.kubelet.extraConfig", "KubeletConfig", "config", "{serializeImagePulls: false}"),
            same("machine.kubelet.clusterDNS", "KubeletConfig", "clusterDNS", "[10.96.0.10]"),
            same("machine.kubelet.defaultRuntimeSeccompProfileEnabled", "KubeletConfig", "defaultRuntimeSeccompProfileEnabled", "true"),
            same("machine.kubelet.nodeIP", "KubeNodeConfig", "nodeIP", "{validSubnets: [10.0.0.0/24]}"),
            same("machine.kubelet.registerWithFQDN", "KubeNodeConfig", "registerWithFQDN", "true"),
            same("machine.kubelet.skipNodeRegistration", "KubeNodeConfig", "skipNodeRegistration", "true"),
            same("machine.kubelet.credentialProviderConfig", "KubeCredentialProviderConfig", "configuration", "{apiVersion: kubelet.config.k8s.io/v1, kind: CredentialProviderConfig}"),
            row("machine.nodeLabels", "KubeNodeConfig", "labels", How::Strings, "{zone: a}", "{zone: a}")
                .note("control planes also get `node-role.kubernetes.io/control-plane: \"\"`, which the v1alpha1 fallback added implicitly"),
            row("machine.nodeAnnotations", "KubeNodeConfig", "annotations", How::Strings, "{team: infra}", "{team: infra}"),
            row("machine.nodeTaints", "KubeNodeConfig", "taints", How::Strings, "{dedicated: gpu:NoSchedule}", "{dedicated: gpu:NoSchedule}")
                .note("control planes also get the `node-role.kubernetes.io/control-plane: NoSchedule` taint the fallback added"),
            row("machine.kubelet.disableManifestsDirectory", "KubeletConfig", "", How::Custom, "true", "null")
                .note("KubeletConfig locks it to true: `true` is dropped, `false` keeps machine.kubelet in v1alpha1"),
            row("cluster.allowSchedulingOnControlPlanes", "KubeNodeConfig", "taints", How::Custom, "true", "null")
                .note("decides whether the control-plane NoSchedule taint is written (`true`: it is not)"),
        ],
        convert: Some(convert::node_defaults),
        required: &[("KubeletConfig", "image", "machine.kubelet.image")],
    },
    Group {
        step: S14,
        title: "sysctls, sysfs, udev",
        sections: &[],
        rows: &[
            row("machine.sysctls", "SysctlConfig", "params", How::Strings, "{vm.max_map_count: 262144}", "{vm.max_map_count: \"262144\"}"),
            row("machine.sysfs", "SysfsConfig", "params", How::Strings, "{kernel.mm.transparent_hugepage.enabled: never}", "{kernel.mm.transparent_hugepage.enabled: never}"),
            same("machine.udev.rules", "UdevRulesConfig", "rules", "[\"SUBSYSTEM==\\\"drm\\\", GROUP=\\\"44\\\"\"]"),
        ],
        convert: None,
        required: &[],
    },
    Group {
        step: S14,
        title: "kernel modules",
        sections: &[],
        rows: &[row("machine.kernel.modules", "KernelModuleConfig", "parameters", How::Custom,
            "[{name: nvme_tcp, parameters: [x=1]}]", "[x=1]")
            .named("nvme_tcp")
            .note("one document per module, named by the module")],
        convert: Some(convert::kernel_modules),
        required: &[],
    },
    Group {
        step: S14,
        title: "install",
        sections: &["machine.install"],
        rows: &[
            same("machine.install.image", "UnattendedInstallConfig", "installer.image", "ghcr.io/siderolabs/installer:v1.14.0"),
            row("machine.install.disk", "UnattendedInstallConfig", "provisioning.diskSelector.match", How::Custom, "/dev/sda", "disk.dev_path == \"/dev/sda\"")
                .note("the disk path becomes a CEL selector on `disk.dev_path`"),
            row("machine.install.diskSelector", "UnattendedInstallConfig", "provisioning.diskSelector.match", How::Custom, "{model: Samsung*}", "glob(\"Samsung*\", disk.model) && disk.transport != \"\" && !disk.readonly && !disk.cdrom")
                .note("each selector field becomes a CEL clause, joined with &&"),
            same("machine.install.wipe", "UnattendedInstallConfig", "provisioning.wipe", "false"),
            row("machine.install.grubUseUKICmdline", "UnattendedInstallConfig", "", How::Custom, "true", "null")
                .inexact("dropped, as Talos's own v1.14 generator drops it with `machine.install`: installs from UnattendedInstallConfig take the kernel command line from the UKI"),
            row("machine.install.legacyBIOSSupport", "UnattendedInstallConfig", "", How::Custom, "false", "null")
                .note("`false` (the default) is dropped; `true` has no document and keeps `machine.install` in v1alpha1"),
            row("machine.install.bootloader", "UnattendedInstallConfig", "", How::Custom, "true", "null")
                .note("never did anything (Talos: \"It never worked\"); dropped"),
        ],
        convert: Some(convert::install),
        required: &[("UnattendedInstallConfig", "provisioning.diskSelector.match", "machine.install.disk")],
    },
    Group {
        step: S14,
        title: "kube-proxy",
        sections: &["cluster.proxy"],
        rows: &[
            same("cluster.proxy.image", "KubeProxyConfig", "image", "registry.k8s.io/kube-proxy:v1.35.4"),
            row("cluster.proxy.disabled", "KubeProxyConfig", "enabled", How::Not, "true", "false"),
            same("cluster.proxy.mode", "KubeProxyConfig", "mode", "ipvs"),
            same("cluster.proxy.extraArgs", "KubeProxyConfig", "extraArgs", "{metrics-bind-address: 0.0.0.0:10249}"),
        ],
        convert: None,
        required: &[("KubeProxyConfig", "image", "cluster.proxy.image")],
    },
    Group {
        step: S14,
        title: "kube-apiserver",
        sections: &["cluster.apiServer"],
        rows: &[
            same("cluster.apiServer.image", "KubeAPIServerConfig", "image", "registry.k8s.io/kube-apiserver:v1.35.4")
                .note("with a KubeAPIServerConfig Talos passes `--authentication-config` instead of `--anonymous-auth=false`: a KubeAuthenticationConfig with anonymous access off is written, and `startupProbes: false` keeps the legacy probes; `anonymous-auth`, `authentication-config` or `oidc-*` extra args keep the section in v1alpha1"),
            same("cluster.apiServer.extraArgs", "KubeAPIServerConfig", "extraArgs", "{enable-aggregator-routing: \"true\"}"),
            row("cluster.apiServer.env", "KubeAPIServerConfig", "env", How::Strings, "{HTTP_PROXY: http://proxy:3128}", "{HTTP_PROXY: http://proxy:3128}"),
            same("cluster.apiServer.resources", "KubeAPIServerConfig", "resources", "{requests: {cpu: 500m}}"),
            same("cluster.apiServer.certSANs", "KubeAPIServerConfig", "certExtraSANs", "[k8s.lan]"),
            same("cluster.controlPlane.localAPIServerPort", "KubeAPIServerConfig", "apiPort", "7443"),
            row("cluster.apiServer.admissionControl", "KubeAdmissionControlConfig", "configuration", How::Custom,
                "[{name: PodSecurity, configuration: {apiVersion: pod-security.admission.config.k8s.io/v1alpha1, kind: PodSecurityConfiguration}}]",
                "{apiVersion: pod-security.admission.config.k8s.io/v1alpha1, kind: PodSecurityConfiguration}")
                .named("PodSecurity")
                .note("one document per plugin, named by the plugin"),
            same("cluster.apiServer.auditPolicy", "KubeAuditPolicyConfig", "configuration", "{apiVersion: audit.k8s.io/v1, kind: Policy}"),
            row("cluster.apiServer.authorizationConfig", "KubeAuthorizerConfig", "type", How::Custom,
                "[{type: Webhook, name: webhook, webhook: {timeout: 3s}}]", "Webhook")
                .named("webhook")
                .note("one document per authorizer; the Node and RBAC authorizers the fallback injected are written out"),
            row("cluster.apiServer.disablePodSecurityPolicy", "KubeAPIServerConfig", "", How::Custom, "true", "null")
                .note("ignored by every supported Talos; dropped"),
        ],
        convert: Some(convert::api_server_defaults),
        required: &[("KubeAPIServerConfig", "image", "cluster.apiServer.image")],
    },
    Group {
        step: S14,
        title: "kube-controller-manager",
        sections: &["cluster.controllerManager", "machine.controlPlane.controllerManager"],
        rows: &[
            same("cluster.controllerManager.image", "KubeControllerManagerConfig", "image", "registry.k8s.io/kube-controller-manager:v1.35.4"),
            same("cluster.controllerManager.extraArgs", "KubeControllerManagerConfig", "extraArgs", "{bind-address: 0.0.0.0}"),
            row("cluster.controllerManager.env", "KubeControllerManagerConfig", "env", How::Strings, "{A: b}", "{A: b}"),
            same("cluster.controllerManager.resources", "KubeControllerManagerConfig", "resources", "{requests: {cpu: 100m}}"),
            row("machine.controlPlane.controllerManager.disabled", "KubeControllerManagerConfig", "enabled", How::Not, "true", "false"),
        ],
        convert: None,
        required: &[("KubeControllerManagerConfig", "image", "cluster.controllerManager.image")],
    },
    Group {
        step: S14,
        title: "kube-scheduler",
        sections: &["cluster.scheduler", "machine.controlPlane.scheduler"],
        rows: &[
            same("cluster.scheduler.image", "KubeSchedulerConfig", "image", "registry.k8s.io/kube-scheduler:v1.35.4"),
            same("cluster.scheduler.extraArgs", "KubeSchedulerConfig", "extraArgs", "{bind-address: 0.0.0.0}"),
            row("cluster.scheduler.env", "KubeSchedulerConfig", "env", How::Strings, "{A: b}", "{A: b}"),
            same("cluster.scheduler.resources", "KubeSchedulerConfig", "resources", "{requests: {cpu: 10m}}"),
            same("cluster.scheduler.config", "KubeSchedulerConfig", "config", "{apiVersion: kubescheduler.config.k8s.io/v1, kind: KubeSchedulerConfiguration}"),
            row("machine.controlPlane.scheduler.disabled", "KubeSchedulerConfig", "enabled", How::Not, "true", "false"),
        ],
        convert: None,
        required: &[("KubeSchedulerConfig", "image", "cluster.scheduler.image")],
    },
    Group {
        step: S14,
        title: "CoreDNS",
        sections: &["cluster.coreDNS"],
        rows: &[
            row("cluster.coreDNS.disabled", "KubeCoreDNSConfig", "enabled", How::Not, "true", "false"),
            same("cluster.coreDNS.image", "KubeCoreDNSConfig", "image", "registry.k8s.io/coredns/coredns:v1.12.4"),
        ],
        convert: None,
        required: &[],
    },
    Group {
        step: S14,
        title: "pod and service network",
        sections: &["cluster.network"],
        rows: &[
            row("cluster.network.dnsDomain", "KubeNetworkConfig", "dnsDomain", How::Custom, "cluster.local", "cluster.local")
                .note("`cluster.local` when left out, as before"),
            row("cluster.network.podSubnets", "KubeNetworkConfig", "podSubnets", How::Custom, "[10.244.0.0/16]", "[10.244.0.0/16]"),
            row("cluster.network.serviceSubnets", "KubeNetworkConfig", "serviceSubnets", How::Custom, "[10.96.0.0/12]", "[10.96.0.0/12]"),
            row("cluster.network.cni", "KubeFlannelCNIConfig", "backendType", How::Custom, "{name: flannel, flannel: {extraArgs: [--iface=eth0]}}", "vxlan")
                .note("Flannel (also when `cni` is left out) becomes KubeFlannelCNIConfig with the old defaults (vxlan, port 4789); `none` needs no document"),
            row("cluster.network.cni", "KubeExternalManifestConfig", "url", How::Custom,
                "{name: custom, urls: [https://example.com/cni/calico.yaml]}", "https://example.com/cni/calico.yaml")
                .named("calico.yaml")
                .note("a custom CNI: one document per URL, named by its last path segment, with `extraManifestHeaders` as headers (Talos applied the CNI URLs as extra manifests: `ExtraManifestURLs`)"),
        ],
        convert: Some(convert_cluster::network),
        required: &[
            ("KubeNetworkConfig", "podSubnets", "cluster.network.podSubnets"),
            ("KubeNetworkConfig", "serviceSubnets", "cluster.network.serviceSubnets"),
        ],
    },
    Group {
        step: S14,
        title: "Kubernetes CAs",
        sections: &[],
        rows: &[
            row("cluster.ca", "KubeAPIServerCAConfig", "issuingCA.cert", How::Custom, "{crt: Y2VydA==, key: a2V5}", "cert")
                .note("base64 PEM becomes PEM text; a CA without a key (worker configs) goes to `acceptedCAs`, as the fallback only trusted it"),
            row("cluster.acceptedCAs", "KubeAPIServerCAConfig", "acceptedCAs", How::Custom, "[{crt: Y2VydA==}]", "[cert]"),
            row("cluster.aggregatorCA", "KubeAggregatorCAConfig", "issuingCA.key", How::Custom, "{crt: Y2VydA==, key: a2V5}", "key")
                .note("a secret: moved, never printed"),
        ],
        convert: Some(convert_cluster::cas),
        required: &[],
    },
    Group {
        step: S14,
        title: "service account key",
        sections: &[],
        rows: &[row("cluster.serviceAccount", "KubeServiceAccountConfig", "issuer.privateKey", How::Custom, "{key: a2V5}", "key")
            .note("the issuer URL (and so the token audience) is the cluster endpoint, as the fallback used")],
        convert: Some(convert_cluster::service_account),
        required: &[("KubeServiceAccountConfig", "issuer.issuerURL", "cluster.controlPlane.endpoint")],
    },
    Group {
        step: S14,
        title: "etcd encryption",
        sections: &[],
        rows: &[
            row("cluster.secretboxEncryptionSecret", "KubeEtcdEncryptionConfig", "config.resources", How::Custom, "c2Vj",
                "[{resources: [secrets], providers: [{secretbox: {keys: [{name: key2, secret: c2Vj}]}}, {identity: {}}]}]")
                .note("the encryption configuration Talos generated: secretbox key `key2`, aescbc key `key1`, then identity"),
            row("cluster.aescbcEncryptionSecret", "KubeEtcdEncryptionConfig", "config.resources", How::Custom, "c2Vj",
                "[{resources: [secrets], providers: [{aescbc: {keys: [{name: key1, secret: c2Vj}]}}, {identity: {}}]}]"),
        ],
        convert: Some(convert_cluster::encryption),
        required: &[],
    },
    Group {
        step: S14,
        title: "discovery service",
        sections: &[],
        rows: &[row("cluster.discovery", "DiscoveryServiceConfig", "endpoint", How::Custom,
            "{enabled: true, registries: {kubernetes: {disabled: true}, service: {}}}", "https://discovery.talos.dev/")
            .named("default")
            .note("named `default`; the service registry's endpoint (Sidero's public one when left out); discovery off needs no document; an enabled Kubernetes registry keeps the section in v1alpha1")],
        convert: Some(convert_cluster::discovery),
        required: &[],
    },
    Group {
        step: S14,
        title: "cluster identity",
        // After the kube-apiserver group took `localAPIServerPort`; Talos requires an endpoint
        // while `cluster.controlPlane` exists at all.
        sections: &["cluster.controlPlane"],
        rows: &[
            same("cluster.clusterName", "KubeClusterConfig", "clusterName", "homelab"),
            same("cluster.controlPlane.endpoint", "KubeClusterConfig", "endpoint", "https://10.0.0.10:6443"),
        ],
        convert: None,
        required: &[
            ("KubeClusterConfig", "clusterName", "cluster.clusterName"),
            ("KubeClusterConfig", "endpoint", "cluster.controlPlane.endpoint"),
        ],
    },
    Group {
        step: S14,
        title: "discovery identity",
        sections: &[],
        rows: &[
            same("cluster.id", "DiscoveryIdentityConfig", "clusterID", "0raF93qnkMvF-FZNuvyGozXNdLiT2FOWSlyBaW4PR-w=")
                .note("a secret: moved, never printed"),
            same("cluster.secret", "DiscoveryIdentityConfig", "clusterSecret", "pofHbABZq7VXuObsdLdy/bHmz6hlMHZ3p8+6WKrv1ic=")
                .note("a secret: moved, never printed"),
        ],
        convert: None,
        required: &[
            ("DiscoveryIdentityConfig", "clusterID", "cluster.id"),
            ("DiscoveryIdentityConfig", "clusterSecret", "cluster.secret"),
        ],
    },
    Group {
        step: S14,
        title: "machine features",
        sections: &["machine.features.kubePrism", "machine.features.imageCache", "machine.features.kubernetesTalosAPIAccess"],
        rows: &[
            row("machine.features.kubePrism", "KubePrismConfig", "port", How::Custom, "{enabled: true, port: 7445}", "7445")
                .note("enabled: the port carries over; disabled: no document and Talos v1.14 runs no KubePrism, as before"),
            same("machine.features.hostDNS", "ResolverConfig", "hostDNS", "{enabled: true, forwardKubeDNSToHost: true}"),
            same("machine.features.imageCache.localEnabled", "ImageCacheConfig", "local.enabled", "true"),
            row("machine.features.kubernetesTalosAPIAccess", "KubeTalosAPIAccessConfig", "allowedRoles", How::Custom,
                "{enabled: true, allowedRoles: [\"os:reader\"], allowedKubernetesNamespaces: [kube-system]}", "[\"os:reader\"]")
                .note("enabled: the lists carry over; disabled: no document (access stays off)"),
        ],
        convert: Some(convert::features),
        required: &[],
    },
    Group {
        step: S14,
        title: "files",
        sections: &[],
        rows: &[
            row("machine.files", "CRICustomizationConfig", "content", How::Custom,
                "[{path: /etc/cri/conf.d/20-customization.part, op: create, permissions: 0o644, content: \"[plugins]\"}]", "\"[plugins]\"")
                .named("customization")
                .note("the containerd customization part: Talos already read it as the CRI customization named `customization` (`v1alpha1_cri_bridge.go`)"),
            row("machine.files", "EtcFileConfig", "contents", How::Custom,
                "[{path: /etc/nfsmount.conf, op: overwrite, permissions: 0o644, content: \"[ NFSMount_Global_Options ]\"}]", "\"[ NFSMount_Global_Options ]\"")
                .named("nfsmount.conf")
                .inexact("an `overwrite` under /etc, named by its path under /etc, `permissions` as `mode` (left out: 0o644, where v1alpha1 wrote mode 0); v1alpha1 wrote the file under /var and bind-mounted it read-only, EtcFileConfig has Talos write it. Files under /var, `append`, and /etc paths Talos manages keep machine.files in v1alpha1"),
        ],
        convert: Some(convert_files::files),
        required: &[],
    },
    Group {
        step: S14,
        title: "manifests and static pods",
        sections: &[],
        rows: &[
            row("cluster.inlineManifests", "KubeInlineManifestConfig", "manifest", How::Custom,
                "[{name: ns, contents: \"kind: Namespace\"}]", "\"kind: Namespace\"")
                .named("ns")
                .note("one document per manifest; `contents` becomes `manifest`"),
            row("cluster.extraManifests", "KubeExternalManifestConfig", "url", How::Custom,
                "[https://example.com/a.yaml]", "https://example.com/a.yaml")
                .named("a.yaml")
                .note("one document per URL, named by the URL's last path segment; extraManifestHeaders become each document's headers"),
            row("machine.pods", "KubeStaticPodConfig", "pod", How::Custom,
                "[{apiVersion: v1, kind: Pod, metadata: {name: nginx}}]", "{apiVersion: v1, kind: Pod, metadata: {name: nginx}}")
                .named("default-nginx")
                .note("named `<namespace>-<name>` as the fallback named them"),
            same("machine.baseRuntimeSpecOverrides", "CRIBaseRuntimeSpecConfig", "overrides", "{process: {rlimits: []}}"),
        ],
        convert: Some(convert::manifests),
        required: &[],
    },
];

/// Every row of every group, with its group.
pub fn rows() -> impl Iterator<Item = (&'static Group, &'static FieldMap)> {
    GROUPS
        .iter()
        .flat_map(|g| g.rows.iter().map(move |r| (g, r)))
}

/// Deprecated v1alpha1 fields that have no document to move to in any supported contract, and
/// what to do about each. The migration leaves them where they are and names them.
pub static NO_EQUIVALENT: &[(&str, &str)] = &[
    (
        "machine.install.extraKernelArgs",
        "UnattendedInstallConfig has no kernel arguments (`types/runtime/unattended_install.go`: installer image, disk selector, wipe, reboot) and refuses to sit next to `machine.install`; Talos deprecates the field for the boot assets (\"Use Image Factory/imager\"): put the arguments in the Image Factory schematic (`customization.extraKernelArgs`), then migrate again. Talos still reads it for GRUB installs, so machine.install stays",
    ),
    (
        "machine.install.legacyBIOSSupport",
        "`true` has no document; machine.install stays in v1alpha1",
    ),
    (
        "machine.install.extensions",
        "system extensions come from the installer image (Image Factory schematic)",
    ),
    (
        "machine.kubelet.extraMounts",
        "KubeletConfig has no mounts: its `ExtraMounts()` returns nothing (`types/k8s/kubelet.go`; v1alpha1: \"removed in multi-doc config\"), so moving machine.kubelet would drop them; it stays in v1alpha1",
    ),
    (
        "machine.kubelet.disableManifestsDirectory",
        "`false` has no equivalent (KubeletConfig locks it to true); machine.kubelet stays in v1alpha1",
    ),
    (
        "cluster.extraManifestHeaders",
        "moves with cluster.extraManifests (the headers of each KubeExternalManifestConfig); alone it has no document",
    ),
    (
        "machine.files",
        "files under /var and `append` have no document (Talos writes only /etc files from EtcFileConfig; `WriteUserFiles` in v1alpha1_sequencer_tasks.go); the CRI customization part and `overwrite` under /etc move",
    ),
    (
        "machine.disks",
        "UserVolumeConfig provisions a partition of its own and mounts it under `/var/mnt/<name>`; the partitions machine.disks made are found by their index on the device and mounted at `mountpoint` (`UserDiskConfigController`, `controllers/block/user_disk_config.go`), so a moved config would not find the data: needs a human (copy the data to a user volume)",
    ),
    (
        "cluster.apiServer.extraVolumes",
        "KubeAPIServerConfig has no volumes: its `ExtraVolumes()` is only the host's CA roots (`types/k8s/apiserver.go`), so moving cluster.apiServer would drop them; it stays in v1alpha1",
    ),
    (
        "cluster.controllerManager.extraVolumes",
        "KubeControllerManagerConfig has no volumes: its `ExtraVolumes()` returns nothing (`types/k8s/controller_manager.go`); the section stays in v1alpha1",
    ),
    (
        "cluster.scheduler.extraVolumes",
        "KubeSchedulerConfig has no volumes: its `ExtraVolumes()` returns nothing (`types/k8s/scheduler.go`); the section stays in v1alpha1",
    ),
];

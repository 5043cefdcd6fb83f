//! Secret injection and redaction in rendered Talos documents. In: a config contract, the node's role,
//! the rendered documents (`serde_yaml_ng::Value`s) and a [`Bundle`] — or no bundle. Out: the same
//! documents with every secret placed exactly where `talosctl gen config` puts it for that contract
//! (v1alpha1 fields up to v1.13; the v1.14+ documents after that), keys and documents inserted in
//! Talos's order; or with every secret field replaced by `<redacted>`.
//!
//! Documents that carry nothing but secrets (`DiscoveryIdentityConfig`, `KubeAPIServerCAConfig`,
//! `KubeAggregatorCAConfig`, `KubeEtcdEncryptionConfig`) are added when a template did not write
//! them; documents that mix secrets with settings (`KubeServiceAccountConfig`, the v1alpha1
//! document) are completed, or created when missing.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use machinist_model::Contract;
use serde_yaml_ng::{Mapping, Value};

use crate::bundle::Bundle;

/// The text every secret field shows when secrets are not injected.
pub const REDACTED: &str = "<redacted>";

/// The node role, which decides which secrets a config receives (one type for all of machinist).
pub use machinist_model::Role;

/// Whether a contract uses the v1.14+ layout (Kubernetes settings in their own documents).
pub fn multidoc_layout(contract: Contract) -> bool {
    contract > Contract::V1_13
}

/// The values to inject: the real ones, or `<redacted>` everywhere.
struct Source {
    os_crt: String,
    os_key: String,
    k8s_crt: String,
    k8s_key: String,
    agg_crt: String,
    agg_key: String,
    sa_key: String,
    etcd_crt: String,
    etcd_key: String,
    trustd_token: String,
    bootstrap_token: String,
    cluster_id: String,
    cluster_secret: String,
    secretbox: Option<String>,
    aescbc: Option<String>,
    redacted: bool,
}

impl Source {
    fn from_bundle(b: &Bundle) -> Source {
        Source {
            os_crt: b.certs.os.crt.clone(),
            os_key: b.certs.os.key.clone(),
            k8s_crt: b.certs.k8s.crt.clone(),
            k8s_key: b.certs.k8s.key.clone(),
            agg_crt: b.certs.k8s_aggregator.crt.clone(),
            agg_key: b.certs.k8s_aggregator.key.clone(),
            sa_key: b.certs.k8s_service_account.key.clone(),
            etcd_crt: b.certs.etcd.crt.clone(),
            etcd_key: b.certs.etcd.key.clone(),
            trustd_token: b.trustd_token.clone(),
            bootstrap_token: b.secrets.bootstrap_token.clone(),
            cluster_id: b.cluster.id.clone(),
            cluster_secret: b.cluster.secret.clone(),
            secretbox: b.secrets.secretbox_encryption_secret.clone(),
            aescbc: b.secrets.aescbc_encryption_secret.clone(),
            redacted: false,
        }
    }

    fn redacted() -> Source {
        let r = || REDACTED.to_string();
        Source {
            os_crt: r(),
            os_key: r(),
            k8s_crt: r(),
            k8s_key: r(),
            agg_crt: r(),
            agg_key: r(),
            sa_key: r(),
            etcd_crt: r(),
            etcd_key: r(),
            trustd_token: r(),
            bootstrap_token: r(),
            cluster_id: r(),
            cluster_secret: r(),
            secretbox: Some(r()),
            aescbc: None,
            redacted: true,
        }
    }

    /// A PEM value in the v1alpha1 form: base64 of the PEM text.
    fn b64(&self, pem: &str) -> Value {
        if self.redacted {
            Value::from(REDACTED)
        } else {
            Value::from(STANDARD.encode(pem.as_bytes()))
        }
    }
}

/// Talos's field order of the v1alpha1 document's root, `machine` and `cluster` sections and the
/// nested maps injection touches; used to insert keys where Talos writes them.
const ROOT_ORDER: &[&str] = &["version", "debug", "persist", "machine", "cluster"];
const MACHINE_ORDER: &[&str] = &[
    "type",
    "token",
    "ca",
    "acceptedCAs",
    "certSANs",
    "controlPlane",
    "kubelet",
    "pods",
    "network",
    "disks",
    "install",
    "files",
    "env",
    "time",
    "sysctls",
    "sysfs",
    "registries",
    "systemDiskEncryption",
    "features",
    "udev",
    "logging",
    "kernel",
    "seccompProfiles",
    "baseRuntimeSpecOverrides",
    "nodeLabels",
    "nodeAnnotations",
    "nodeTaints",
];
const CLUSTER_ORDER: &[&str] = &[
    "id",
    "secret",
    "controlPlane",
    "clusterName",
    "network",
    "token",
    "aescbcEncryptionSecret",
    "secretboxEncryptionSecret",
    "ca",
    "acceptedCAs",
    "aggregatorCA",
    "serviceAccount",
    "apiServer",
    "controllerManager",
    "proxy",
    "scheduler",
    "discovery",
    "etcd",
    "coreDNS",
    "externalCloudProvider",
    "extraManifests",
    "extraManifestHeaders",
    "inlineManifests",
    "adminKubeconfig",
    "allowSchedulingOnControlPlanes",
];
const CERT_ORDER: &[&str] = &["crt", "key"];
const PEM_ORDER: &[&str] = &["cert", "key"];
const ETCD_ORDER: &[&str] = &[
    "ca",
    "image",
    "extraArgs",
    "advertisedSubnets",
    "listenSubnets",
];

/// Talos's document order in the v1.14+ layout (the order `gen config` emits).
const DOC_ORDER: &[&str] = &[
    "v1alpha1",
    "DiscoveryServiceConfig",
    "DiscoveryIdentityConfig",
    "UnattendedInstallConfig",
    "ResolverConfig",
    "SysctlConfig",
    "VolumeConfig",
    "FilesystemTrimConfig",
    "SecurityProfileConfig",
    "RegistryMirrorConfig",
    "HostnameConfig",
    "KubeClusterConfig",
    "KubeNodeConfig",
    "KubeletConfig",
    "KubeNetworkConfig",
    "KubeAPIServerCAConfig",
    "KubePrismConfig",
    "KubeAggregatorCAConfig",
    "KubeAdmissionControlConfig",
    "KubeAuditPolicyConfig",
    "KubeAuthenticationConfig",
    "KubeAuthorizerConfig",
    "KubeEtcdEncryptionConfig",
    "KubeServiceAccountConfig",
    "KubeAPIServerConfig",
    "KubeControllerManagerConfig",
    "KubeSchedulerConfig",
    "KubeProxyConfig",
    "KubeFlannelCNIConfig",
    "KubeCoreDNSConfig",
];

/// The kind of a document: its `kind`, or `v1alpha1` for the legacy main document (the one
/// document identity of every crate, [`machinist_patch::doc_kind`]).
pub use machinist_patch::doc_kind;

/// Inserts or replaces `key` in `map`, placing a new key right after the last present key that
/// precedes it in `order` (or first when none does).
fn put(map: &mut Mapping, key: &str, value: Value, order: &[&str]) {
    if let Some(slot) = map.get_mut(key) {
        *slot = value;
        return;
    }
    let rank = |k: &str| order.iter().position(|o| *o == k);
    let my_rank = rank(key).unwrap_or(usize::MAX);
    let entries: Vec<(Value, Value)> = std::mem::take(map).into_iter().collect();
    let insert_at = entries
        .iter()
        .rposition(|(k, _)| k.as_str().and_then(rank).is_some_and(|r| r < my_rank))
        .map_or(0, |i| i + 1);
    let mut value = Some(value);
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i == insert_at {
            map.insert(Value::from(key), value.take().unwrap_or_default());
        }
        map.insert(k, v);
    }
    if let Some(v) = value {
        map.insert(Value::from(key), v);
    }
}

/// The mapping under `key`, created (at its ordered place) when absent or not a mapping.
fn child<'a>(map: &'a mut Mapping, key: &str, order: &[&str]) -> &'a mut Mapping {
    if !map.get(key).is_some_and(Value::is_mapping) {
        put(map, key, Value::Mapping(Mapping::new()), order);
    }
    match map.get_mut(key) {
        Some(Value::Mapping(m)) => m,
        _ => unreachable!("child mapping was just inserted"),
    }
}

fn cert_pair(crt: Value, key: Value, order: &[&str], target: &mut Mapping) {
    put(target, order[0], crt, order);
    put(target, order[1], key, order);
}

/// Finds the document of `kind`, creating it (with `apiVersion`/`kind`, or `version: v1alpha1`) at
/// its place in Talos's document order when absent.
fn doc_mut<'a>(docs: &'a mut Vec<Value>, kind: &str) -> &'a mut Mapping {
    let idx = match docs.iter().position(|d| doc_kind(d) == Some(kind)) {
        Some(i) => i,
        None => {
            let mut m = Mapping::new();
            if kind == "v1alpha1" {
                m.insert("version".into(), "v1alpha1".into());
            } else {
                m.insert("apiVersion".into(), "v1alpha1".into());
                m.insert("kind".into(), kind.into());
            }
            let rank = |k: &str| DOC_ORDER.iter().position(|o| *o == k);
            let my_rank = rank(kind).unwrap_or(usize::MAX);
            let at = docs
                .iter()
                .rposition(|d| doc_kind(d).and_then(rank).is_some_and(|r| r < my_rank))
                .map_or(0, |i| i + 1);
            docs.insert(at, Value::Mapping(m));
            at
        }
    };
    match &mut docs[idx] {
        Value::Mapping(m) => m,
        other => {
            *other = Value::Mapping(Mapping::new());
            match other {
                Value::Mapping(m) => m,
                _ => unreachable!("just replaced with a mapping"),
            }
        }
    }
}

/// Puts every secret of `bundle` into `docs` where `talosctl gen config` puts it for `contract`
/// and `role`.
pub fn inject(contract: Contract, role: Role, docs: &mut Vec<Value>, bundle: &Bundle) {
    apply(contract, role, docs, &Source::from_bundle(bundle));
}

/// Like [`inject`], but every secret field gets `<redacted>`: the output shows where secrets go
/// without needing the bundle or any key.
pub fn inject_redacted(contract: Contract, role: Role, docs: &mut Vec<Value>) {
    apply(contract, role, docs, &Source::redacted());
}

fn apply(contract: Contract, role: Role, docs: &mut Vec<Value>, s: &Source) {
    let cp = role == Role::ControlPlane;
    fill_v1alpha1(doc_mut(docs, "v1alpha1"), multidoc_layout(contract), cp, s);
    if multidoc_layout(contract) {
        fill_documents(docs, cp, s);
    }
}

/// The secrets of the v1alpha1 document. Common to both layouts: machine.token, machine.ca,
/// cluster.token, cluster.etcd.ca; without the multi-document layout also the cluster identity,
/// the encryption secrets and the Kubernetes, aggregator and service-account keys. Workers get the
/// certificates without their keys.
fn fill_v1alpha1(root: &mut Mapping, multidoc: bool, cp: bool, s: &Source) {
    let empty = || Value::from("");
    let machine = child(root, "machine", ROOT_ORDER);
    put(
        machine,
        "token",
        Value::from(s.trustd_token.as_str()),
        MACHINE_ORDER,
    );
    let ca = child(machine, "ca", MACHINE_ORDER);
    cert_pair(
        s.b64(&s.os_crt),
        if cp { s.b64(&s.os_key) } else { empty() },
        CERT_ORDER,
        ca,
    );
    let cluster = child(root, "cluster", ROOT_ORDER);
    let legacy = !multidoc;
    let scalars: [(&str, Option<&String>, bool); 5] = [
        ("id", Some(&s.cluster_id), legacy),
        ("secret", Some(&s.cluster_secret), legacy),
        ("token", Some(&s.bootstrap_token), true),
        ("aescbcEncryptionSecret", s.aescbc.as_ref(), legacy && cp),
        (
            "secretboxEncryptionSecret",
            s.secretbox.as_ref(),
            legacy && cp,
        ),
    ];
    for (key, value, wanted) in scalars {
        if let Some(v) = value.filter(|_| wanted) {
            put(cluster, key, Value::from(v.as_str()), CLUSTER_ORDER);
        }
    }
    if legacy {
        let kca = child(cluster, "ca", CLUSTER_ORDER);
        cert_pair(
            s.b64(&s.k8s_crt),
            if cp { s.b64(&s.k8s_key) } else { empty() },
            CERT_ORDER,
            kca,
        );
        if cp {
            let agg = child(cluster, "aggregatorCA", CLUSTER_ORDER);
            cert_pair(s.b64(&s.agg_crt), s.b64(&s.agg_key), CERT_ORDER, agg);
            let sa = child(cluster, "serviceAccount", CLUSTER_ORDER);
            put(sa, "key", s.b64(&s.sa_key), &["key"]);
        }
    }
    if cp {
        let etcd = child(cluster, "etcd", CLUSTER_ORDER);
        let eca = child(etcd, "ca", ETCD_ORDER);
        cert_pair(s.b64(&s.etcd_crt), s.b64(&s.etcd_key), CERT_ORDER, eca);
    }
}

/// The secrets of the multi-document layout's own documents (PEM text, not base64): the
/// discovery identity, the Kubernetes API server CA (accepted only, on workers) and, on control
/// planes, the aggregator CA, the etcd encryption config and the service-account key.
fn fill_documents(docs: &mut Vec<Value>, cp: bool, s: &Source) {
    let pem = |v: &str| Value::from(v);
    let ident = doc_mut(docs, "DiscoveryIdentityConfig");
    let id_order = &["apiVersion", "kind", "clusterID", "clusterSecret"];
    put(ident, "clusterID", pem(&s.cluster_id), id_order);
    put(ident, "clusterSecret", pem(&s.cluster_secret), id_order);

    let ca_order = &["apiVersion", "kind", "issuingCA", "acceptedCAs"];
    let apica = doc_mut(docs, "KubeAPIServerCAConfig");
    if cp {
        let issuing = child(apica, "issuingCA", ca_order);
        cert_pair(pem(&s.k8s_crt), pem(&s.k8s_key), PEM_ORDER, issuing);
    } else {
        put(
            apica,
            "acceptedCAs",
            Value::Sequence(vec![pem(&s.k8s_crt)]),
            ca_order,
        );
    }
    if !cp {
        return;
    }
    let agg = doc_mut(docs, "KubeAggregatorCAConfig");
    let issuing = child(agg, "issuingCA", ca_order);
    cert_pair(pem(&s.agg_crt), pem(&s.agg_key), PEM_ORDER, issuing);

    let enc = doc_mut(docs, "KubeEtcdEncryptionConfig");
    fill_encryption_config(enc, s);

    // Talos requires `issuer.issuerURL`; v1alpha1 used the cluster endpoint (its serviceAccount
    // shim's IssuerURL), so a document created here gets that.
    let endpoint = cluster_endpoint(docs);
    let sa = doc_mut(docs, "KubeServiceAccountConfig");
    let issuer = child(sa, "issuer", &["apiVersion", "kind", "issuer"]);
    put(
        issuer,
        "privateKey",
        pem(&s.sa_key),
        &["privateKey", "issuerURL"],
    );
    if let Some(url) = endpoint
        && !issuer.contains_key("issuerURL")
    {
        put(
            issuer,
            "issuerURL",
            Value::String(url),
            &["privateKey", "issuerURL"],
        );
    }
}

/// The cluster's control-plane endpoint: `KubeClusterConfig.endpoint`, else the v1alpha1
/// `cluster.controlPlane.endpoint`.
fn cluster_endpoint(docs: &[Value]) -> Option<String> {
    let from = |d: &Value| match doc_kind(d) {
        Some("KubeClusterConfig") => d.get("endpoint")?.as_str().map(str::to_string),
        Some("v1alpha1") => d
            .get("cluster")?
            .get("controlPlane")?
            .get("endpoint")?
            .as_str()
            .map(str::to_string),
        _ => None,
    };
    docs.iter()
        .filter(|d| doc_kind(d) == Some("KubeClusterConfig"))
        .chain(docs.iter().filter(|d| doc_kind(d) == Some("v1alpha1")))
        .find_map(from)
}

/// Sets the etcd encryption keys: fills `secret` of the keys named `key2` (secretbox) or `key1`
/// (aescbc) when the document already has a configuration, or writes Talos's default one.
fn fill_encryption_config(doc: &mut Mapping, s: &Source) {
    let mut filled = false;
    if let Some(resources) = doc
        .get_mut("config")
        .and_then(|c| c.get_mut("resources"))
        .and_then(Value::as_sequence_mut)
    {
        for res in resources {
            let Some(providers) = res.get_mut("providers").and_then(Value::as_sequence_mut) else {
                continue;
            };
            for p in providers {
                for (prov, name, value) in [
                    ("secretbox", "key2", &s.secretbox),
                    ("aescbc", "key1", &s.aescbc),
                ] {
                    let (Some(keys), Some(value)) = (
                        p.get_mut(prov)
                            .and_then(|x| x.get_mut("keys"))
                            .and_then(Value::as_sequence_mut),
                        value,
                    ) else {
                        continue;
                    };
                    for k in keys {
                        if let Some(m) = k
                            .as_mapping_mut()
                            .filter(|m| m.get("name").and_then(Value::as_str) == Some(name))
                        {
                            put(
                                m,
                                "secret",
                                Value::from(value.as_str()),
                                &["name", "secret"],
                            );
                            filled = true;
                        }
                    }
                }
            }
        }
    }
    if filled {
        return;
    }
    let (prov, name, value) = match (&s.secretbox, &s.aescbc) {
        (Some(v), _) => ("secretbox", "key2", v),
        (None, Some(v)) => ("aescbc", "key1", v),
        (None, None) => return,
    };
    let yaml = format!(
        "resources:\n  - providers:\n      - {prov}:\n          keys:\n            - name: {name}\n              secret: placeholder\n    resources:\n      - secrets\n"
    );
    let mut config: Value = serde_yaml_ng::from_str(&yaml).unwrap_or_default();
    if let Some(slot) = config
        .get_mut("resources")
        .and_then(|r| r.get_mut(0))
        .and_then(|r| r.get_mut("providers"))
        .and_then(|p| p.get_mut(0))
        .and_then(|p| p.get_mut(prov))
        .and_then(|p| p.get_mut("keys"))
        .and_then(|k| k.get_mut(0))
        .and_then(|k| k.get_mut("secret"))
    {
        *slot = Value::from(value.as_str());
    }
    put(doc, "config", config, &["apiVersion", "kind", "config"]);
}

/// A place in a document that holds secret material. `path` segments are map keys; `*` matches
/// every list item or map value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretPath {
    /// The document kind (`v1alpha1` for the main document).
    pub kind: &'static str,
    /// Keys from the document root.
    pub path: &'static [&'static str],
    /// True for keys, tokens and passwords; false for values that come from the bundle but are
    /// public (CA certificates, the cluster id), which are still hidden when secrets are not
    /// injected.
    pub sensitive: bool,
}

const fn sp(kind: &'static str, path: &'static [&'static str], sensitive: bool) -> SecretPath {
    SecretPath {
        kind,
        path,
        sensitive,
    }
}

/// Every path that holds bundle material (both layouts) or a user-supplied secret Talos knows of.
pub const SECRET_PATHS: &[SecretPath] = &[
    sp("v1alpha1", &["machine", "token"], true),
    sp("v1alpha1", &["machine", "ca", "crt"], false),
    sp("v1alpha1", &["machine", "ca", "key"], true),
    sp("v1alpha1", &["cluster", "id"], false),
    sp("v1alpha1", &["cluster", "secret"], true),
    sp("v1alpha1", &["cluster", "token"], true),
    sp("v1alpha1", &["cluster", "aescbcEncryptionSecret"], true),
    sp("v1alpha1", &["cluster", "secretboxEncryptionSecret"], true),
    sp("v1alpha1", &["cluster", "ca", "crt"], false),
    sp("v1alpha1", &["cluster", "ca", "key"], true),
    sp("v1alpha1", &["cluster", "aggregatorCA", "crt"], false),
    sp("v1alpha1", &["cluster", "aggregatorCA", "key"], true),
    sp("v1alpha1", &["cluster", "serviceAccount", "key"], true),
    sp("v1alpha1", &["cluster", "etcd", "ca", "crt"], false),
    sp("v1alpha1", &["cluster", "etcd", "ca", "key"], true),
    sp(
        "v1alpha1",
        &[
            "machine",
            "network",
            "interfaces",
            "*",
            "wireguard",
            "privateKey",
        ],
        true,
    ),
    sp(
        "v1alpha1",
        &[
            "machine",
            "network",
            "interfaces",
            "*",
            "wireguard",
            "peers",
            "*",
            "presharedKey",
        ],
        true,
    ),
    sp(
        "v1alpha1",
        &["machine", "registries", "config", "*", "auth", "password"],
        true,
    ),
    sp(
        "v1alpha1",
        &["machine", "registries", "config", "*", "auth", "auth"],
        true,
    ),
    sp(
        "v1alpha1",
        &[
            "machine",
            "registries",
            "config",
            "*",
            "auth",
            "identityToken",
        ],
        true,
    ),
    sp("DiscoveryIdentityConfig", &["clusterID"], false),
    sp("DiscoveryIdentityConfig", &["clusterSecret"], true),
    sp("KubeAPIServerCAConfig", &["issuingCA", "cert"], false),
    sp("KubeAPIServerCAConfig", &["issuingCA", "key"], true),
    sp("KubeAPIServerCAConfig", &["acceptedCAs", "*"], false),
    sp("KubeAggregatorCAConfig", &["issuingCA", "cert"], false),
    sp("KubeAggregatorCAConfig", &["issuingCA", "key"], true),
    sp("KubeServiceAccountConfig", &["issuer", "privateKey"], true),
    sp(
        "KubeEtcdEncryptionConfig",
        &[
            "config",
            "resources",
            "*",
            "providers",
            "*",
            "*",
            "keys",
            "*",
            "secret",
        ],
        true,
    ),
    sp("WireguardConfig", &["privateKey"], true),
    sp("WireguardConfig", &["peers", "*", "presharedKey"], true),
    sp("RegistryAuthConfig", &["password"], true),
    sp("RegistryAuthConfig", &["auth"], true),
    sp("RegistryAuthConfig", &["identityToken"], true),
];

/// Whether the field at `path` (keys and list indices as strings) of a document of `kind` holds
/// secret material. With `sensitive_only`, public bundle values (certificates, cluster id) do not
/// count.
pub fn is_secret_path(kind: &str, path: &[String], sensitive_only: bool) -> bool {
    SECRET_PATHS.iter().any(|p| {
        p.kind == kind
            && (p.sensitive || !sensitive_only)
            && p.path.len() == path.len()
            && p.path.iter().zip(path).all(|(a, b)| *a == "*" || a == b)
    })
}

/// Whether the field at `path` is hidden wherever machinist shows config text (diffs, dry runs,
/// error snippets): every sensitive field of [`SECRET_PATHS`], and the cluster's identity
/// (`cluster.id`, `DiscoveryIdentityConfig.clusterID`); certificates stay visible. With `kind`
/// `None` the document's kind is unknown and any kind counts. With `partial`, `path` is only the
/// end of the field's path (text whose start is cut off, such as a diff hunk), so any secret
/// path ending that way counts. This is the one list every redaction uses.
pub fn is_redacted_path(kind: Option<&str>, path: &[&str], partial: bool) -> bool {
    if path.is_empty() {
        return false;
    }
    SECRET_PATHS.iter().any(|p| {
        if !hidden(p) || kind.is_some_and(|k| k != p.kind) {
            return false;
        }
        let want: &[&str] = if partial {
            match p.path.len().checked_sub(path.len()) {
                Some(skip) => &p.path[skip..],
                None => return false,
            }
        } else {
            p.path
        };
        want.len() == path.len() && want.iter().zip(path).all(|(a, b)| *a == "*" || a == b)
    })
}

/// Whether a secret path is hidden when shown: sensitive, or the cluster's identity.
fn hidden(p: &SecretPath) -> bool {
    p.sensitive
        || p.path
            .last()
            .is_some_and(|l| l.ends_with("ID") || *l == "id")
}

/// Whether some redacted field lies strictly below `path` (so a one-line flow value such as
/// `ca: {crt: ..., key: ...}` holds one).
pub fn holds_redacted_path(kind: Option<&str>, path: &[&str]) -> bool {
    SECRET_PATHS.iter().any(|p| {
        hidden(p)
            && kind.is_none_or(|k| k == p.kind)
            && p.path.len() > path.len()
            && p.path.iter().zip(path).all(|(a, b)| *a == "*" || a == b)
    })
}

fn redact_at(v: &mut Value, path: &[&str]) -> usize {
    let Some((first, rest)) = path.split_first() else {
        return match v {
            Value::String(s) if !s.is_empty() && s != REDACTED => {
                *s = REDACTED.to_string();
                1
            }
            Value::Sequence(items) => items.iter_mut().map(|i| redact_at(i, &[])).sum(),
            _ => 0,
        };
    };
    match (v, *first) {
        (Value::Sequence(items), "*") => items.iter_mut().map(|i| redact_at(i, rest)).sum(),
        (Value::Mapping(m), "*") => m.values_mut().map(|i| redact_at(i, rest)).sum(),
        (Value::Mapping(m), key) => m.get_mut(key).map_or(0, |c| redact_at(c, rest)),
        _ => 0,
    }
}

/// Replaces every non-empty secret field of `docs` (any layout, any contract) with `<redacted>`,
/// returning how many fields were replaced. Empty strings (a worker's `machine.ca.key: ""`) stay.
pub fn redact(docs: &mut [Value]) -> usize {
    let mut n = 0;
    for doc in docs.iter_mut() {
        let Some(kind) = doc_kind(doc).map(str::to_string) else {
            continue;
        };
        for p in SECRET_PATHS.iter().filter(|p| p.kind == kind) {
            n += redact_at(doc, p.path);
        }
    }
    n
}

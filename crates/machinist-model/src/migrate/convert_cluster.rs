//! Converters for the cluster-wide v1alpha1 sections that v1.14 replaces with documents: the pod
//! and service network with its CNI, the Kubernetes CAs, the service-account key and the etcd
//! encryption secrets. In: the v1alpha1 document. Out: KubeNetworkConfig, KubeFlannelCNIConfig
//! (or a KubeExternalManifestConfig per custom CNI URL), KubeAPIServerCAConfig, KubeAggregatorCAConfig, KubeServiceAccountConfig and
//! KubeEtcdEncryptionConfig documents, or [`Blocked`].
//!
//! Each follows the fallback Talos used for the old fields: `ClusterConfig.CNI()` (no `cni` means
//! Flannel, with `FlannelDefaultBackend` vxlan and port 4789), `apiServerCAConfigShim` (a CA
//! without a key is only accepted, not issuing), `serviceAccountShim` (issuer URL = the cluster
//! endpoint) and `k8stemplates.APIServerEncryptionConfig` (secretbox `key2`, aescbc `key1`, then
//! identity). v1alpha1 keeps certificates and keys as base64 of the PEM text; the documents hold
//! the PEM text itself.

use base64::Engine;
use serde_yaml_ng::{Mapping, Value};

use super::value::{get, set};
use super::{Blocked, Out};

fn blocked(path: &str, reason: &str) -> Blocked {
    Blocked {
        path: path.to_string(),
        reason: reason.to_string(),
    }
}

/// The PEM text of a v1alpha1 base64 field (`<redacted>` stays as it is, for rendered previews).
pub(super) fn pem(path: &str, v: &Value) -> Result<Value, Blocked> {
    let s = v
        .as_str()
        .ok_or_else(|| blocked(path, "expected base64 text"))?;
    if s == "<redacted>" {
        return Ok(s.into());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|_| blocked(path, "is not base64 (Talos would not read it either)"))?;
    let text =
        String::from_utf8(bytes).map_err(|_| blocked(path, "does not decode to PEM text"))?;
    Ok(text.into())
}

/// `cluster.network` → KubeNetworkConfig, plus KubeFlannelCNIConfig when the CNI is Flannel
/// (also when `cni` is left out, which meant Flannel).
pub fn network(root: &Value, out: &mut Out) -> Result<(), Blocked> {
    let Some(net) = get(root, "cluster.network") else {
        return Ok(());
    };
    let doc = out.doc("KubeNetworkConfig");
    let domain = net
        .get("dnsDomain")
        .cloned()
        .unwrap_or_else(|| "cluster.local".into());
    set(doc, "dnsDomain", domain);
    for key in ["podSubnets", "serviceSubnets"] {
        let v = net.get(key).ok_or_else(|| {
            blocked(
                &format!("cluster.network.{key}"),
                "is not set, and KubeNetworkConfig requires it: set it, then migrate again",
            )
        })?;
        set(doc, key, v.clone());
    }
    let cni = net.get("cni");
    match cni
        .and_then(|c| c.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("flannel")
    {
        "flannel" => {
            let f = out.doc("KubeFlannelCNIConfig");
            set(f, "backendType", "vxlan".into());
            set(f, "backendPort", 4789.into());
            let flannel = cni.and_then(|c| c.get("flannel"));
            for key in ["extraArgs", "kubeNetworkPoliciesEnabled"] {
                if let Some(v) = flannel.and_then(|x| x.get(key)) {
                    set(f, key, v.clone());
                }
            }
        }
        "none" => {}
        "custom" => {
            // `ClusterConfig.ExtraManifestURLs` (v1alpha1_clusterconfig.go) appended the CNI
            // URLs to `extraManifests`, and the bridge (`K8sExternalManifestConfigs`) sent each
            // with `extraManifestHeaders`: one KubeExternalManifestConfig per URL does the same.
            let urls = cni
                .and_then(|c| c.get("urls"))
                .and_then(Value::as_sequence)
                .cloned()
                .unwrap_or_default();
            let headers = get(root, "cluster.extraManifestHeaders");
            for (i, url) in urls.iter().enumerate() {
                let url = url.as_str().ok_or_else(|| {
                    blocked(&format!("cluster.network.cni.urls.{i}"), "expected a URL")
                })?;
                out.push(super::convert::external_manifest(url, headers));
            }
            // Alone (no `extraManifests` to move with), the headers only served the CNI URLs.
            if headers.is_some()
                && !urls.is_empty()
                && get(root, "cluster.extraManifests").is_none()
            {
                out.took("cluster.extraManifestHeaders");
            }
        }
        other => {
            return Err(blocked(
                "cluster.network.cni.name",
                &format!("`{other}` is not a CNI Talos knows (flannel, custom or none)"),
            ));
        }
    }
    out.took("cluster.network");
    Ok(())
}

/// `cluster.ca` and `cluster.acceptedCAs` → KubeAPIServerCAConfig; `cluster.aggregatorCA` →
/// KubeAggregatorCAConfig.
pub fn cas(root: &Value, out: &mut Out) -> Result<(), Blocked> {
    let mut accepted: Vec<Value> = Vec::new();
    if let Some(ca) = get(root, "cluster.ca") {
        let key = ca
            .get("key")
            .filter(|k| k.as_str().is_some_and(|s| !s.is_empty()));
        let crt = ca
            .get("crt")
            .ok_or_else(|| blocked("cluster.ca.crt", "a CA without a certificate"))?;
        let crt = pem("cluster.ca.crt", crt)?;
        match key {
            Some(k) => {
                let doc = out.doc("KubeAPIServerCAConfig");
                set(doc, "issuingCA.cert", crt);
                set(doc, "issuingCA.key", pem("cluster.ca.key", k)?);
            }
            // Without a key (worker configs) the CA is only trusted, as the fallback did.
            None => accepted.push(crt),
        }
        out.took("cluster.ca");
    }
    if let Some(Value::Sequence(list)) = get(root, "cluster.acceptedCAs") {
        for (i, c) in list.iter().enumerate() {
            let path = format!("cluster.acceptedCAs.{i}.crt");
            let crt = c
                .get("crt")
                .ok_or_else(|| blocked(&path, "an accepted CA without a certificate"))?;
            accepted.push(pem(&path, crt)?);
        }
        out.took("cluster.acceptedCAs");
    }
    if !accepted.is_empty() {
        set(
            out.doc("KubeAPIServerCAConfig"),
            "acceptedCAs",
            Value::Sequence(accepted),
        );
    }
    if let Some(ca) = get(root, "cluster.aggregatorCA") {
        let doc_crt = pem(
            "cluster.aggregatorCA.crt",
            ca.get("crt").unwrap_or(&Value::Null),
        )?;
        let doc_key = pem(
            "cluster.aggregatorCA.key",
            ca.get("key").unwrap_or(&Value::Null),
        )?;
        let doc = out.doc("KubeAggregatorCAConfig");
        set(doc, "issuingCA.cert", doc_crt);
        set(doc, "issuingCA.key", doc_key);
        out.took("cluster.aggregatorCA");
    }
    Ok(())
}

/// `cluster.serviceAccount` → KubeServiceAccountConfig with the cluster endpoint as issuer URL
/// (the fallback's issuer and audience).
pub fn service_account(root: &Value, out: &mut Out) -> Result<(), Blocked> {
    let Some(sa) = get(root, "cluster.serviceAccount") else {
        return Ok(());
    };
    let key = pem(
        "cluster.serviceAccount.key",
        sa.get("key").unwrap_or(&Value::Null),
    )?;
    let endpoint = get(root, "cluster.controlPlane.endpoint").cloned().ok_or_else(|| {
        blocked("cluster.serviceAccount", "the issuer URL is the cluster endpoint, and `cluster.controlPlane.endpoint` is not set")
    })?;
    let doc = out.doc("KubeServiceAccountConfig");
    set(doc, "issuer.privateKey", key);
    set(doc, "issuer.issuerURL", endpoint);
    out.took("cluster.serviceAccount");
    Ok(())
}

/// `cluster.secretboxEncryptionSecret` / `cluster.aescbcEncryptionSecret` → the encryption
/// configuration Talos generated from them.
pub fn encryption(root: &Value, out: &mut Out) -> Result<(), Blocked> {
    let secretbox =
        get(root, "cluster.secretboxEncryptionSecret").filter(|v| v.as_str() != Some(""));
    let aescbc = get(root, "cluster.aescbcEncryptionSecret").filter(|v| v.as_str() != Some(""));
    if secretbox.is_none() && aescbc.is_none() {
        return Ok(());
    }
    let provider = |kind: &str, name: &str, secret: &Value| {
        let mut key = Mapping::new();
        key.insert("name".into(), name.into());
        key.insert("secret".into(), secret.clone());
        let mut keys = Mapping::new();
        keys.insert("keys".into(), Value::Sequence(vec![Value::Mapping(key)]));
        let mut p = Mapping::new();
        p.insert(kind.into(), Value::Mapping(keys));
        Value::Mapping(p)
    };
    let mut providers = Vec::new();
    if let Some(s) = secretbox {
        providers.push(provider("secretbox", "key2", s));
        out.took("cluster.secretboxEncryptionSecret");
    }
    if let Some(s) = aescbc {
        providers.push(provider("aescbc", "key1", s));
        out.took("cluster.aescbcEncryptionSecret");
    }
    let mut identity = Mapping::new();
    identity.insert("identity".into(), Value::Mapping(Mapping::new()));
    providers.push(Value::Mapping(identity));
    let mut res = Mapping::new();
    res.insert("resources".into(), Value::Sequence(vec!["secrets".into()]));
    res.insert("providers".into(), Value::Sequence(providers));
    let doc = out.doc("KubeEtcdEncryptionConfig");
    set(
        doc,
        "config.resources",
        Value::Sequence(vec![Value::Mapping(res)]),
    );
    Ok(())
}

/// `cluster.discovery` → a DiscoveryServiceConfig named `default` when discovery and its service
/// registry are on (the fallback's `DiscoveryServiceConfigs`); none when discovery is off.
pub fn discovery(root: &Value, out: &mut Out) -> Result<(), Blocked> {
    use super::value::truthy;
    let Some(d) = get(root, "cluster.discovery") else {
        return Ok(());
    };
    let enabled = d.get("enabled").and_then(truthy).unwrap_or(false);
    let regs = d.get("registries");
    let off = |which: &str| {
        regs.and_then(|r| r.get(which))
            .and_then(|r| r.get("disabled"))
            .and_then(truthy)
            .unwrap_or(false)
    };
    if enabled {
        if !off("kubernetes") {
            return Err(blocked(
                "cluster.discovery.registries.kubernetes",
                "has no document: Talos reads the Kubernetes registry only from v1alpha1 `cluster.discovery` (`RegistryKubernetesEnabled` in `controllers/cluster/config.go`), and a DiscoveryServiceConfig refuses to sit next to `cluster.discovery` (`V1Alpha1ConflictValidate` in `types/cluster/discovery_service.go`): keep the section, or set `registries.kubernetes.disabled: true` (what `talosctl gen config` writes since v1.2), then migrate again",
            ));
        }
        if !off("service") {
            let endpoint = regs
                .and_then(|r| r.get("service"))
                .and_then(|s| s.get("endpoint"))
                .cloned()
                .unwrap_or_else(|| "https://discovery.talos.dev/".into());
            let mut doc = super::value::new_doc("DiscoveryServiceConfig", Some("default"));
            set(&mut doc, "endpoint", endpoint);
            out.push(doc);
        }
    }
    out.took("cluster.discovery");
    Ok(())
}

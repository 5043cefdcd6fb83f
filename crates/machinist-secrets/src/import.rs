//! Adopting an existing cluster's secrets. In: the text of a talosctl `secrets.yaml`, or of a
//! controlplane machine config in either layout (v1alpha1 fields up to v1.13, or the v1.14+
//! documents). Out: a [`Bundle`] holding the same CAs, keys and tokens, so machinist renders
//! configs the running cluster accepts.

use serde_yaml_ng::Value;

use crate::bundle::{
    Bundle, CertAndKey, Certs, ClusterIdentity, KeyOnly, KubeSecrets, decode_b64_pem,
};
use crate::error::{Result, SecretsError};
use crate::inject::doc_kind;

/// Reads either a `secrets.yaml` or a controlplane machine config, telling them apart by content.
pub fn import(text: &str, source_name: &str) -> Result<Bundle> {
    let docs = parse_docs(text, source_name)?;
    let is_bundle =
        docs.len() == 1 && docs[0].get("certs").is_some() && docs[0].get("trustdinfo").is_some();
    if is_bundle {
        Bundle::from_yaml(text, source_name)
    } else {
        from_machine_config_docs(&docs, source_name)
    }
}

fn parse_docs(text: &str, source_name: &str) -> Result<Vec<Value>> {
    use serde::Deserialize;
    let mut docs = Vec::new();
    for de in serde_yaml_ng::Deserializer::from_str(text) {
        let v = Value::deserialize(de).map_err(|e| SecretsError::Yaml {
            source_name: source_name.to_string(),
            reason: crate::error::yaml_reason(&e),
        })?;
        if !v.is_null() {
            docs.push(v);
        }
    }
    Ok(docs)
}

/// Rebuilds a bundle from a controlplane machine config (like `talosctl gen secrets
/// --from-controlplane-config`).
pub fn from_machine_config(text: &str, source_name: &str) -> Result<Bundle> {
    from_machine_config_docs(&parse_docs(text, source_name)?, source_name)
}

fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

fn get_str(v: Option<&Value>, path: &[&str]) -> Option<String> {
    v.and_then(|v| get(v, path))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn from_machine_config_docs(docs: &[Value], source_name: &str) -> Result<Bundle> {
    let doc = |kind: &str| docs.iter().find(|d| doc_kind(d) == Some(kind));
    let main = doc("v1alpha1");
    if main.is_none() {
        return Err(SecretsError::Invalid {
            source_name: source_name.to_string(),
            reason: "neither a secrets.yaml nor a machine config (no `version: v1alpha1` document)"
                .into(),
        });
    }
    let missing = |field: &str| SecretsError::Missing {
        source_name: source_name.to_string(),
        field: field.to_string(),
    };
    if get_str(main, &["machine", "type"]).as_deref() == Some("worker") {
        return Err(SecretsError::Invalid {
            source_name: source_name.to_string(),
            reason: "this is a worker config, which holds no CA keys; import a controlplane config"
                .into(),
        });
    }
    // A CA from the v1alpha1 base64 fields, else from a v1.14+ document's PEM fields.
    let ca = |legacy: &[&str], kind: &str, field: &str| -> Result<CertAndKey> {
        let crt_path: Vec<&str> = legacy.iter().copied().chain(["crt"]).collect();
        let key_path: Vec<&str> = legacy.iter().copied().chain(["key"]).collect();
        let dotted = legacy.join(".");
        if let (Some(c), Some(k)) = (get_str(main, &crt_path), get_str(main, &key_path)) {
            return Ok(CertAndKey {
                crt: decode_b64_pem(&c, &format!("{dotted}.crt"))?,
                key: decode_b64_pem(&k, &format!("{dotted}.key"))?,
            });
        }
        let d = doc(kind);
        match (
            get_str(d, &["issuingCA", "cert"]),
            get_str(d, &["issuingCA", "key"]),
        ) {
            (Some(crt), Some(key)) => Ok(CertAndKey { crt, key }),
            _ => Err(missing(field)),
        }
    };
    let os = match (
        get_str(main, &["machine", "ca", "crt"]),
        get_str(main, &["machine", "ca", "key"]),
    ) {
        (Some(c), Some(k)) => CertAndKey {
            crt: decode_b64_pem(&c, "machine.ca.crt")?,
            key: decode_b64_pem(&k, "machine.ca.key")?,
        },
        (Some(_), None) => {
            return Err(SecretsError::Invalid {
                source_name: source_name.to_string(),
                reason: "machine.ca.key is empty: this config holds no OS CA key; import a controlplane config".into(),
            });
        }
        _ => return Err(missing("machine.ca.crt")),
    };
    let etcd = ca(&["cluster", "etcd", "ca"], "-", "cluster.etcd.ca")?;
    let k8s = ca(
        &["cluster", "ca"],
        "KubeAPIServerCAConfig",
        "cluster.ca (or KubeAPIServerCAConfig.issuingCA)",
    )?;
    let agg = ca(
        &["cluster", "aggregatorCA"],
        "KubeAggregatorCAConfig",
        "cluster.aggregatorCA (or KubeAggregatorCAConfig.issuingCA)",
    )?;
    let sa = match get_str(main, &["cluster", "serviceAccount", "key"]) {
        Some(k) => decode_b64_pem(&k, "cluster.serviceAccount.key")?,
        None => get_str(doc("KubeServiceAccountConfig"), &["issuer", "privateKey"]).ok_or_else(
            || {
                missing(
                    "cluster.serviceAccount.key (or KubeServiceAccountConfig.issuer.privateKey)",
                )
            },
        )?,
    };
    let identity = doc("DiscoveryIdentityConfig");
    let id = get_str(main, &["cluster", "id"])
        .or_else(|| get_str(identity, &["clusterID"]))
        .ok_or_else(|| missing("cluster.id (or DiscoveryIdentityConfig.clusterID)"))?;
    let secret = get_str(main, &["cluster", "secret"])
        .or_else(|| get_str(identity, &["clusterSecret"]))
        .ok_or_else(|| missing("cluster.secret (or DiscoveryIdentityConfig.clusterSecret)"))?;
    let aescbc = get_str(main, &["cluster", "aescbcEncryptionSecret"]);
    let secretbox = get_str(main, &["cluster", "secretboxEncryptionSecret"])
        .or_else(|| encryption_key(doc("KubeEtcdEncryptionConfig"), "secretbox"));
    let aescbc = aescbc.or_else(|| {
        secretbox
            .is_none()
            .then(|| encryption_key(doc("KubeEtcdEncryptionConfig"), "aescbc"))
            .flatten()
    });
    let bundle = Bundle {
        cluster: ClusterIdentity { id, secret },
        secrets: KubeSecrets {
            bootstrap_token: get_str(main, &["cluster", "token"])
                .ok_or_else(|| missing("cluster.token"))?,
            aescbc_encryption_secret: if secretbox.is_some() { None } else { aescbc },
            secretbox_encryption_secret: secretbox,
        },
        trustd_token: get_str(main, &["machine", "token"])
            .ok_or_else(|| missing("machine.token"))?,
        certs: Certs {
            etcd,
            k8s,
            k8s_aggregator: agg,
            k8s_service_account: KeyOnly { key: sa },
            os,
        },
    };
    // Sanity: base64 fields must have decoded to PEM, which decode_b64_pem checked; the CA pairs
    // and the encryption secret are checked like a loaded secrets.yaml.
    bundle.validate(source_name)?;
    Ok(bundle)
}

/// The first key secret of `provider` in a KubeEtcdEncryptionConfig document.
fn encryption_key(doc: Option<&Value>, provider: &str) -> Option<String> {
    let resources = get(doc?, &["config", "resources"])?.as_sequence()?;
    resources
        .iter()
        .filter_map(|r| r.get("providers").and_then(Value::as_sequence))
        .flatten()
        .filter_map(|p| get(p, &[provider, "keys"]).and_then(Value::as_sequence))
        .flatten()
        .find_map(|k| k.get("secret").and_then(Value::as_str).map(str::to_string))
}

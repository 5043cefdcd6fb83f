//! The admin kubeconfig a simulated control plane hands out. In: the Kubernetes CA and the node's
//! applied machine config. Out: the kubeconfig Talos's `kubeconfig.GenerateAdmin` writes (cluster
//! `<clusterName>` with `server` = `cluster.controlPlane.endpoint` and the CA as
//! `certificate-authority-data`, user `admin@<clusterName>` with a fresh admin client certificate,
//! context `admin@<clusterName>` in namespace `default`), wrapped in the gzip'd tar holding one
//! file, `kubeconfig` (mode 0600), that `MachineService/Kubeconfig` streams.

use std::io::Write as _;

use base64::Engine as _;
use serde_yaml_ng::Value;

use super::pki::Ca;
use super::semantics::Config;

/// The cluster name and endpoint of an applied config, or why there are none.
pub(super) fn cluster_of(cfg: &Config) -> Result<(String, String), String> {
    let cluster = cfg.v1alpha1.as_ref().and_then(|v| v.get("cluster"));
    let endpoint = cluster
        .and_then(|c| c.get("controlPlane"))
        .and_then(|c| c.get("endpoint"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or("cluster.controlPlane.endpoint is not set in the applied machine config")?;
    let name = cluster
        .and_then(|c| c.get("clusterName"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("talos-default");
    Ok((name.to_owned(), endpoint.to_owned()))
}

/// The kubeconfig YAML text.
pub(super) fn kubeconfig(ca: &Ca, cluster: &str, endpoint: &str) -> Result<String, String> {
    let cert = ca.kube_admin_cert().map_err(|e| e.to_string())?;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s.as_bytes());
    let user = format!("admin@{cluster}");
    let doc = serde_yaml_ng::to_value(serde_yaml_ng::Mapping::from_iter([
        ("apiVersion".into(), "v1".into()),
        ("kind".into(), "Config".into()),
        (
            "clusters".into(),
            Value::Sequence(vec![map(&[
                (
                    "cluster",
                    map(&[
                        ("certificate-authority-data", b64(&ca.pem.cert_pem).into()),
                        ("server", endpoint.into()),
                    ]),
                ),
                ("name", cluster.into()),
            ])]),
        ),
        (
            "contexts".into(),
            Value::Sequence(vec![map(&[
                (
                    "context",
                    map(&[
                        ("cluster", cluster.into()),
                        ("namespace", "default".into()),
                        ("user", user.as_str().into()),
                    ]),
                ),
                ("name", user.as_str().into()),
            ])]),
        ),
        ("current-context".into(), user.as_str().into()),
        ("preferences".into(), map(&[])),
        (
            "users".into(),
            Value::Sequence(vec![map(&[
                ("name", user.as_str().into()),
                (
                    "user",
                    map(&[
                        ("client-certificate-data", b64(&cert.cert_pem).into()),
                        ("client-key-data", b64(&cert.key_pem).into()),
                    ]),
                ),
            ])]),
        ),
    ]))
    .map_err(|e| e.to_string())?;
    serde_yaml_ng::to_string(&doc).map_err(|e| e.to_string())
}

fn map(entries: &[(&str, Value)]) -> Value {
    Value::Mapping(
        entries
            .iter()
            .map(|(k, v)| (Value::from(*k), v.clone()))
            .collect(),
    )
}

/// `text` as a tar.gz holding one file, `kubeconfig`, mode 0600.
pub(super) fn targz(text: &[u8]) -> std::io::Result<Vec<u8>> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(text.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    );
    tar.append_data(&mut header, "kubeconfig", text)?;
    let mut gz = tar.into_inner()?;
    gz.flush()?;
    gz.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_round_trips_through_the_client_reader() {
        let bytes = targz(b"apiVersion: v1\n").unwrap();
        assert_eq!(
            crate::client::kubeconfig_from_targz(&bytes).unwrap(),
            b"apiVersion: v1\n"
        );
    }

    #[test]
    fn endpoint_comes_from_the_applied_config() {
        let cfg = super::super::semantics::parse(
            b"version: v1alpha1\nmachine:\n  type: controlplane\ncluster:\n  clusterName: lab\n  controlPlane:\n    endpoint: https://10.5.0.2:6443\n",
        )
        .unwrap();
        assert_eq!(
            cluster_of(&cfg).unwrap(),
            ("lab".to_owned(), "https://10.5.0.2:6443".to_owned())
        );
        let bare = super::super::semantics::parse(b"version: v1alpha1\nmachine:\n  type: worker\n")
            .unwrap();
        assert!(
            cluster_of(&bare)
                .unwrap_err()
                .contains("controlPlane.endpoint")
        );
    }
}

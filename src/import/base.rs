//! The config `talosctl gen config` would generate, without secrets. In: role, config contract
//! (Talos minor), cluster name, endpoint, Kubernetes version and installer image. Out: the
//! documents as YAML values; the render pipeline injects the secrets from the bundle.
//!
//! Shapes follow the v1.11, v1.12 and v1.13 contracts (talos-api §8.1); newer contracts get
//! the v1.13 shape, which the importer reports.

use serde_yaml_ng::Value;

/// Inputs of [`generated`].
pub(crate) struct BaseInput<'a> {
    pub controlplane: bool,
    pub minor: u32,
    pub cluster_name: &'a str,
    pub endpoint: &'a str,
    pub kubernetes_version: &'a str,
    pub install_image: &'a str,
    pub ipv6_endpoint: bool,
}

/// The generated documents for one role, secrets left out.
pub(crate) fn generated(b: &BaseInput) -> Vec<Value> {
    let k8s = b.kubernetes_version;
    let (pods, services) = if b.ipv6_endpoint {
        ("fc00:db8:10::/56", "fc00:db8:20::/112")
    } else {
        ("10.244.0.0/16", "10.96.0.0/12")
    };
    let legacy = b.minor <= 11;
    let mut machine = format!(
        "type: {role}\ncertSANs: []\nkubelet:\n  image: ghcr.io/siderolabs/kubelet:{k8s}\n  \
         defaultRuntimeSeccompProfileEnabled: true\n  disableManifestsDirectory: true\n",
        role = if b.controlplane {
            "controlplane"
        } else {
            "worker"
        },
    );
    if b.minor == 12 {
        machine.push_str("network: {}\n");
    }
    machine.push_str(&format!(
        "install:\n  disk: /dev/sda\n  image: {}\n  wipe: false\n",
        b.install_image
    ));
    if !legacy {
        machine.push_str("  grubUseUKICmdline: true\n");
    }
    machine.push_str("features:\n");
    if legacy {
        machine.push_str("  rbac: true\n  stableHostname: true\n  apidCheckExtKeyUsage: true\n");
    }
    machine.push_str(
        "  diskQuotaSupport: true\n  kubePrism: {enabled: true, port: 7445}\n  \
         hostDNS: {enabled: true, forwardKubeDNSToHost: true}\n",
    );
    if b.controlplane {
        machine.push_str(
            "nodeLabels:\n  node.kubernetes.io/exclude-from-external-load-balancers: \"\"\n",
        );
    }
    let mut cluster = format!(
        "controlPlane: {{endpoint: '{ep}'}}\nclusterName: '{name}'\nnetwork:\n  \
         dnsDomain: cluster.local\n  podSubnets: ['{pods}']\n  serviceSubnets: ['{services}']\n",
        ep = b.endpoint.replace('\'', "''"),
        name = b.cluster_name.replace('\'', "''"),
    );
    if b.controlplane {
        cluster.push_str(&format!(
            "apiServer:\n  image: registry.k8s.io/kube-apiserver:{k8s}\n"
        ));
        if legacy {
            let host = endpoint_host(b.endpoint);
            cluster.push_str(&format!(
                "  certSANs: ['{host}']\n  disablePodSecurityPolicy: true\n"
            ));
        }
        cluster.push_str(
            "  admissionControl:\n    - name: PodSecurity\n      configuration:\n        \
             apiVersion: pod-security.admission.config.k8s.io/v1alpha1\n        \
             kind: PodSecurityConfiguration\n        defaults:\n          \
             audit: restricted\n          audit-version: latest\n          \
             enforce: baseline\n          enforce-version: latest\n          \
             warn: restricted\n          warn-version: latest\n        exemptions:\n          \
             namespaces: [kube-system]\n          runtimeClasses: []\n          usernames: []\n  \
             auditPolicy:\n    apiVersion: audit.k8s.io/v1\n    kind: Policy\n    \
             rules: [{level: Metadata}]\n",
        );
        cluster.push_str(&format!(
            "controllerManager: {{image: 'registry.k8s.io/kube-controller-manager:{k8s}'}}\n\
             proxy: {{image: 'registry.k8s.io/kube-proxy:{k8s}'}}\n\
             scheduler: {{image: 'registry.k8s.io/kube-scheduler:{k8s}'}}\n"
        ));
    }
    cluster.push_str("discovery:\n  enabled: true\n  registries:\n    kubernetes: {disabled: true}\n    service: {}\n");
    let text = format!(
        "version: v1alpha1\ndebug: false\npersist: true\nmachine:\n{}cluster:\n{}",
        indent(&machine),
        indent(&cluster)
    );
    let mut docs = vec![serde_yaml_ng::from_str(&text).expect("generated base is valid YAML")];
    if !legacy {
        docs.push(
            serde_yaml_ng::from_str("apiVersion: v1alpha1\nkind: HostnameConfig\nauto: stable\n")
                .expect("valid YAML"),
        );
    }
    docs
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("  {l}\n")).collect()
}

/// The host of an endpoint (one rule for the whole project: [`crate::address::host`]).
pub(crate) fn endpoint_host(endpoint: &str) -> String {
    crate::address::host(endpoint).to_string()
}

/// Kubernetes version `talosctl gen config` defaults to for a Talos minor (talos-api §8).
pub(crate) fn default_kubernetes(minor: u32) -> &'static str {
    match minor {
        ..=11 => "v1.34.1",
        12 => "v1.35.4",
        13 => "v1.36.3",
        _ => "v1.37.0",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(controlplane: bool, minor: u32) -> BaseInput<'static> {
        BaseInput {
            controlplane,
            minor,
            cluster_name: "c",
            endpoint: "https://[fd00::1]:6443",
            kubernetes_version: "v1.36.3",
            install_image: "ghcr.io/siderolabs/installer:v1.13.0",
            ipv6_endpoint: true,
        }
    }

    #[test]
    fn controlplane_v1_13_shape() {
        let docs = generated(&input(true, 13));
        assert_eq!(docs.len(), 2);
        let d = &docs[0];
        assert_eq!(d["machine"]["type"], Value::from("controlplane"));
        assert_eq!(
            d["machine"]["install"]["grubUseUKICmdline"],
            Value::from(true)
        );
        assert!(d["machine"].get("network").is_none());
        assert_eq!(
            d["cluster"]["network"]["podSubnets"][0],
            Value::from("fc00:db8:10::/56")
        );
        assert_eq!(
            d["cluster"]["apiServer"]["admissionControl"][0]["name"],
            Value::from("PodSecurity")
        );
        assert_eq!(docs[1]["kind"], Value::from("HostnameConfig"));
    }

    #[test]
    fn worker_and_legacy_shapes() {
        let w = generated(&input(false, 12));
        assert!(w[0]["cluster"].get("apiServer").is_none());
        assert!(w[0]["machine"].get("nodeLabels").is_none());
        assert_eq!(
            w[0]["machine"]["network"],
            Value::Mapping(Default::default())
        );
        let old = generated(&input(true, 11));
        assert_eq!(old.len(), 1, "no HostnameConfig before v1.12");
        assert_eq!(
            old[0]["cluster"]["apiServer"]["certSANs"][0],
            Value::from("fd00::1")
        );
        assert_eq!(
            old[0]["machine"]["features"]["stableHostname"],
            Value::from(true)
        );
    }

    #[test]
    fn endpoint_hosts() {
        assert_eq!(endpoint_host("https://10.0.0.1:6443"), "10.0.0.1");
        assert_eq!(endpoint_host("https://[fd00::1]:6443"), "fd00::1");
        assert_eq!(endpoint_host("https://k8s.example"), "k8s.example");
    }
}

//! The lifecycle calls of the client against the simulator over real loopback TLS: discovery
//! identity (per node, stable across restarts), bootstrap and etcd membership, kubeconfig signed by
//! the cluster's Kubernetes CA, upgrades on both APIs (and the fallback fault), reset back to
//! maintenance, and the role rules. Each test uses its own 127.78.<n>.x addresses. Nothing here
//! asserts on timing: reboots are awaited by polling, with a generous limit.

use std::path::Path;
use std::time::Duration;

use machinist_talos::{
    ApplyMode, ApplyRequest, BootstrapOutcome, NodeApi, NodeError, NodeTarget, ResetRequest,
    TalosClient, UpgradeApi, UpgradeRequest, WipeMode,
};

use machinist_talos::sim::Simulator;

use crate::sim_env::{Env, insecure, specs, until};

const ENDPOINT: &str = "https://lab.example:6443";

/// A Kubernetes CA made the way a secrets bundle makes it (ECDSA P-256, `O=kubernetes`, key in
/// Talos's SEC1 `EC PRIVATE KEY` form). Not a whole bundle: its RSA-4096 key is slow in debug builds.
fn kube_ca_from_bundle() -> (String, String) {
    let ca = machinist_secrets::CertificateAuthority::generate(
        machinist_secrets::pem::KeyKind::EcdsaP256,
        "kubernetes",
        machinist_secrets::x509::now(),
    )
    .unwrap();
    assert!(ca.key_pem.contains("BEGIN EC PRIVATE KEY"));
    (ca.cert_pem.clone(), ca.key_pem.clone())
}

/// Nodes `names` on 127.78.<net>.x (names starting with `cp` are control planes) running
/// `version` with `faults`, with a Kubernetes CA for kubeconfigs.
async fn env(net: u8, names: &[&str], version: &str, faults: &[&str]) -> Env {
    let mut e = Env::new(
        specs("127.78", net, names),
        version,
        Duration::from_millis(300),
        Some(kube_ca_from_bundle()),
    );
    e.start(faults, &[]).await;
    e
}

fn config_for(n: &NodeTarget) -> String {
    let ty = if n.name.starts_with("cp") {
        "controlplane"
    } else {
        "worker"
    };
    format!(
        "version: v1alpha1\nmachine:\n  type: {ty}\n  token: t0k3n\n  install:\n    disk: /dev/sda\ncluster:\n  clusterName: lab\n  controlPlane:\n    endpoint: {ENDPOINT}\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: {}\n",
        n.name
    )
}

/// Installs every node from maintenance mode and waits until each one runs (kubelet listed).
async fn install_all(e: &Env) {
    let ins = insecure();
    for n in &e.nodes {
        ins.apply(
            n,
            &ApplyRequest {
                data: config_for(n).into_bytes(),
                mode: ApplyMode::Auto,
                dry_run: false,
                try_timeout: None,
            },
        )
        .await
        .unwrap();
    }
    let admin = e.client(&["os:admin"]);
    for n in &e.nodes {
        until(&format!("{} running", n.name), || async {
            admin
                .services(n)
                .await
                .is_ok_and(|s| s.iter().any(|s| s.id == "kubelet"))
        })
        .await;
    }
}

fn refused(r: Result<impl std::fmt::Debug, NodeError>, code: tonic::Code) -> String {
    match r {
        Err(NodeError::Refused {
            code: c, message, ..
        }) if c == code => message,
        other => panic!("expected {code:?}, got {other:?}"),
    }
}

#[tokio::test]
async fn identity_differs_per_node_and_survives_restart() {
    let mut e = env(1, &["cp-01", "w-01"], "v1.13.9", &[]).await;
    let ins = insecure();
    // Maintenance mode: discovery is readable without credentials.
    let a = ins.system_info(&e.nodes[0]).await.unwrap();
    let b = ins.system_info(&e.nodes[1]).await.unwrap();
    assert_eq!(a.uuid.len(), 36, "{a:?}");
    assert_ne!(a.uuid, b.uuid, "identity tells nodes apart");
    let links_a = ins.links(&e.nodes[0]).await.unwrap();
    let links_b = ins.links(&e.nodes[1]).await.unwrap();
    let mac = |l: &[machinist_talos::LinkInfo]| {
        l.iter()
            .find(|l| l.physical)
            .map(|l| l.hardware_addr.clone())
            .unwrap()
    };
    assert_ne!(mac(&links_a), mac(&links_b));
    assert!(links_a.iter().any(|l| l.id == "lo" && !l.physical));
    let disks = ins.disks(&e.nodes[0]).await.unwrap();
    assert_eq!(disks[0].dev_path, "/dev/sda");
    assert!(disks[0].size > 0);

    // Stable across a restart, and after install with mutual TLS too.
    e.restart(&[], &[]).await;
    assert_eq!(ins.system_info(&e.nodes[0]).await.unwrap(), a);
    install_all(&e).await;
    let reader = e.client(&["os:reader"]);
    assert_eq!(reader.system_info(&e.nodes[0]).await.unwrap(), a);
    assert_eq!(reader.links(&e.nodes[1]).await.unwrap(), links_b);

    // An override replaces the derived UUID.
    let fixed = "4c4c4544-0042-3510-8050-b4c04f4e3232";
    e.restart(&[], &[("w-01", fixed)]).await;
    assert_eq!(reader.system_info(&e.nodes[1]).await.unwrap().uuid, fixed);
    e.stop().await;
}

#[tokio::test]
async fn bootstrap_once_members_join_and_graceful_reset_leaves() {
    let mut e = env(2, &["cp-01", "cp-02", "w-01"], "v1.13.9", &[]).await;
    let (cp1, cp2, w1) = (
        &e.nodes[0].clone(),
        &e.nodes[1].clone(),
        &e.nodes[2].clone(),
    );
    // Maintenance callers are readers: bootstrap is refused; the member list needs a machine type.
    refused(
        insecure().bootstrap(cp1).await,
        tonic::Code::PermissionDenied,
    );
    let msg = refused(
        insecure().etcd_members(cp1).await,
        tonic::Code::Unimplemented,
    );
    assert_eq!(msg, "machine type is not set, cannot use member list API");
    install_all(&e).await;
    let admin = e.client(&["os:admin"]);
    let msg = refused(admin.bootstrap(w1).await, tonic::Code::Unimplemented);
    assert_eq!(msg, "bootstrap is only available on control plane nodes");
    refused(admin.etcd_members(cp1).await, tonic::Code::Unavailable);
    let etcd = |s: Vec<machinist_talos::ServiceInfo>| s.into_iter().find(|s| s.id == "etcd");
    let before = etcd(admin.services(cp1).await.unwrap()).unwrap();
    assert_eq!((before.state.as_str(), before.healthy), ("Preparing", None));

    assert_eq!(
        admin.bootstrap(cp1).await.unwrap(),
        BootstrapOutcome::Bootstrapped
    );
    assert_eq!(
        admin.bootstrap(cp2).await.unwrap(),
        BootstrapOutcome::AlreadyBootstrapped
    );
    let names = |m: Vec<machinist_talos::EtcdMember>| {
        let mut v: Vec<String> = m.into_iter().map(|m| m.hostname).collect();
        v.sort();
        v
    };
    // Every control plane sees the cluster-wide list; the other one joined.
    assert_eq!(
        names(admin.etcd_members(cp2).await.unwrap()),
        ["cp-01", "cp-02"]
    );
    let members = admin.etcd_members(cp1).await.unwrap();
    let m1 = members.iter().find(|m| m.hostname == "cp-01").unwrap();
    assert_eq!(m1.peer_urls, ["https://127.78.2.1:2380"]);
    let after = etcd(admin.services(cp2).await.unwrap()).unwrap();
    assert_eq!(
        (after.state.as_str(), after.healthy),
        ("Running", Some(true))
    );
    assert!(
        etcd(admin.services(w1).await.unwrap()).is_none(),
        "workers run no etcd"
    );

    // Membership and the bootstrapped flag survive a restart.
    e.restart(&[], &[]).await;
    let admin = e.client(&["os:admin"]);
    assert_eq!(
        names(admin.etcd_members(cp1).await.unwrap()),
        ["cp-01", "cp-02"]
    );
    assert_eq!(
        admin.bootstrap(cp1).await.unwrap(),
        BootstrapOutcome::AlreadyBootstrapped
    );

    // A graceful reset leaves etcd first, then the node comes back in maintenance mode.
    admin
        .reset(
            cp2,
            &ResetRequest {
                graceful: true,
                reboot: true,
                wipe: WipeMode::All,
            },
        )
        .await
        .unwrap();
    assert_eq!(names(admin.etcd_members(cp1).await.unwrap()), ["cp-01"]);
    let ins = insecure();
    until("cp-02 back in maintenance", || async {
        ins.version(cp2).await.is_ok_and(|v| !v.configured)
    })
    .await;
    assert!(!e.state.path().join("state/cp-02/config.yaml").exists());
    let ev = e.events();
    let pos = |s: &str| {
        ev.iter()
            .position(|l| l == s)
            .unwrap_or_else(|| panic!("{s}: {ev:?}"))
    };
    assert!(pos("cp-01 bootstrap") < pos("cp-02 etcd-join"));
    assert!(pos("cp-02 etcd-leave") < pos("cp-02 reset graceful=true reboot=true mode=all"));
    assert!(e.logged("cp-02 up version=v1.13.9 maintenance"));
    e.stop().await;
}

#[tokio::test]
async fn kubeconfig_is_signed_by_the_kubernetes_ca_and_points_at_the_endpoint() {
    let mut e = env(3, &["cp-01", "w-01"], "v1.13.9", &[]).await;
    install_all(&e).await;
    let admin = e.client(&["os:admin"]);
    let msg = refused(
        admin.kubeconfig(&e.nodes[1]).await,
        tonic::Code::Unimplemented,
    );
    assert_eq!(msg, "kubeconfig is only available on control plane nodes");
    let text = admin.kubeconfig(&e.nodes[0]).await.unwrap();
    let kc: serde_yaml_ng::Value = serde_yaml_ng::from_slice(&text).unwrap();
    let cluster = &kc["clusters"][0];
    assert_eq!(cluster["name"].as_str(), Some("lab"));
    assert_eq!(cluster["cluster"]["server"].as_str(), Some(ENDPOINT));
    assert_eq!(kc["current-context"].as_str(), Some("admin@lab"));
    use base64::Engine as _;
    let b64 = |v: &serde_yaml_ng::Value| {
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(v.as_str().unwrap())
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(
        b64(&cluster["cluster"]["certificate-authority-data"]),
        e.kube_ca_pem.as_ref().unwrap().0
    );
    let user = &kc["users"][0]["user"];
    let cert_pem = b64(&user["client-certificate-data"]);
    let key_pem = b64(&user["client-key-data"]);
    assert!(key_pem.contains("PRIVATE KEY"));

    // Subject: CN=admin, O=system:masters; the chain verifies against the bundle's CA.
    let der = machinist_talos::tls::certificates(cert_pem.as_bytes(), "admin").unwrap();
    let (_, cert) = x509_parser::parse_x509_certificate(der[0].as_ref()).unwrap();
    let cn: Vec<_> = cert
        .subject()
        .iter_common_name()
        .map(|a| a.as_str().unwrap())
        .collect();
    let org: Vec<_> = cert
        .subject()
        .iter_organization()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!((cn, org), (vec!["admin"], vec!["system:masters"]));
    verify_with_openssl(
        e.state.path(),
        &e.kube_ca_pem.as_ref().unwrap().0,
        &cert_pem,
        true,
    );
    // And it does not verify against another CA (the check can fail).
    verify_with_openssl(e.state.path(), &kube_ca_from_bundle().0, &cert_pem, false);

    // Readers cannot fetch admin credentials.
    refused(
        e.client(&["os:reader"]).kubeconfig(&e.nodes[0]).await,
        tonic::Code::PermissionDenied,
    );
    e.restart(&[], &[]).await;
    e.stop().await;
}

fn verify_with_openssl(dir: &Path, ca: &str, cert: &str, expect_ok: bool) {
    let ca_path = dir.join("ca.pem");
    let cert_path = dir.join("cert.pem");
    std::fs::write(&ca_path, ca).unwrap();
    std::fs::write(&cert_path, cert).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["verify", "-purpose", "sslclient", "-CAfile"])
        .arg(&ca_path)
        .arg(&cert_path)
        .output()
        .expect("openssl is installed");
    assert_eq!(
        out.status.success(),
        expect_ok,
        "openssl verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn upgrade_to(tag: &str) -> UpgradeRequest {
    UpgradeRequest {
        image: format!("factory.talos.dev/installer/0123abcd:{tag}"),
        preserve: false,
        stage: false,
        force: false,
    }
}

#[tokio::test]
async fn upgrade_reboots_into_the_new_version_unless_it_falls_back() {
    let mut e = env(4, &["cp-01", "w-01"], "v1.13.9", &["upgrade-fallback=w-01"]).await;
    install_all(&e).await;
    let admin = e.client(&["os:admin"]);
    let (cp, w) = (&e.nodes[0].clone(), &e.nodes[1].clone());

    let out = admin.upgrade(cp, &upgrade_to("v1.14.0")).await.unwrap();
    assert_eq!(out.api, UpgradeApi::Lifecycle);
    assert!(!out.messages.is_empty());
    until("cp-01 back on v1.14.0", || async {
        admin.version(cp).await.is_ok_and(|v| v.tag == "v1.14.0")
    })
    .await;

    admin.upgrade(w, &upgrade_to("v1.14.0")).await.unwrap();
    until("w-01 fell back", || async {
        e.logged("w-01 upgrade-fallback image=factory.talos.dev/installer/0123abcd:v1.14.0")
    })
    .await;
    until("w-01 answers after its reboot", || async {
        admin.version(w).await.is_ok()
    })
    .await;
    assert_eq!(
        admin.version(w).await.unwrap().tag,
        "v1.13.9",
        "fell back to the old version"
    );
    let ups = e
        .events()
        .iter()
        .filter(|l| *l == "w-01 up version=v1.13.9")
        .count();
    assert_eq!(ups, 2, "installed, then back from the upgrade reboot");

    // The event log orders each upgrade: start, reboot, up.
    let ev = e.events();
    let pos = |s: &str| {
        ev.iter()
            .position(|l| l == s)
            .unwrap_or_else(|| panic!("{s}: {ev:?}"))
    };
    let start = pos("cp-01 upgrade-start image=factory.talos.dev/installer/0123abcd:v1.14.0");
    assert!(start < pos("cp-01 reboot") && pos("cp-01 reboot") < pos("cp-01 up version=v1.14.0"));

    // The running version survives a restart.
    e.restart(&[], &[]).await;
    assert_eq!(
        e.client(&["os:admin"]).version(cp).await.unwrap().tag,
        "v1.14.0"
    );
    e.stop().await;
}

#[tokio::test]
async fn v112_nodes_upgrade_through_the_machine_service() {
    let mut e = env(5, &["w-01"], "v1.12.11", &[]).await;
    install_all(&e).await;
    let admin = e.client(&["os:admin"]);
    let n = &e.nodes[0].clone();
    let out = admin.upgrade(n, &upgrade_to("v1.13.9")).await.unwrap();
    assert_eq!(out.api, UpgradeApi::Machine);
    assert_eq!(out.messages, ["Upgrade request received"]);
    until("w-01 back on v1.13.9", || async {
        admin.version(n).await.is_ok_and(|v| v.tag == "v1.13.9")
    })
    .await;
    e.restart(&[], &[]).await;
    e.stop().await;
}

#[tokio::test]
async fn readers_cannot_run_lifecycle_calls_but_can_list() {
    let mut e = env(6, &["cp-01"], "v1.13.9", &[]).await;
    install_all(&e).await;
    let reader = e.client(&["os:reader"]);
    let n = &e.nodes[0].clone();
    for r in [
        reader.bootstrap(n).await.map(|_| ()),
        reader.upgrade(n, &upgrade_to("v1.14.0")).await.map(|_| ()),
        reader
            .reset(
                n,
                &ResetRequest {
                    graceful: false,
                    reboot: true,
                    wipe: WipeMode::All,
                },
            )
            .await,
    ] {
        assert_eq!(refused(r, tonic::Code::PermissionDenied), "not authorized");
    }
    assert!(
        reader
            .services(n)
            .await
            .unwrap()
            .iter()
            .any(|s| s.id == "apid")
    );
    e.client(&["os:admin"]).bootstrap(n).await.unwrap();
    assert_eq!(reader.etcd_members(n).await.unwrap().len(), 1);
    assert!(
        !e.events()
            .iter()
            .any(|l| l.contains("reset") || l.contains("upgrade"))
    );

    // Operators may reboot, and the node comes back configured.
    let operator = e.client(&["os:operator"]);
    operator.reboot(n).await.unwrap();
    until("cp-01 rebooted", || async { e.logged("cp-01 reboot") }).await;
    until("cp-01 back", || async {
        reader.version(n).await.is_ok_and(|v| v.configured)
    })
    .await;
    e.stop().await;
}

#[tokio::test]
async fn an_address_not_on_this_machine_names_the_fix() {
    let mut e = env(7, &["cp-01"], "v1.13.9", &[]).await;
    e.stop().await;
    // TEST-NET-1: never assigned to this machine.
    e.specs[0].ip = "192.0.2.10".parse().unwrap();
    let err = Simulator::start(e.options(&[], &[]))
        .await
        .err()
        .expect("binding 192.0.2.10 fails")
        .to_string();
    assert!(
        err.starts_with("node cp-01: cannot listen on 192.0.2.10:50000: "),
        "{err}"
    );
    assert!(
        err.contains(
            "use loopback addresses such as 127.0.1.11 in node files, or run a subset with --node"
        ),
        "{err}"
    );
}

const SCHEMATIC_A: &str = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";
const SCHEMATIC_B: &str = "ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515";

async fn schematic_of(c: &TalosClient, n: &NodeTarget) -> Option<String> {
    let ext = c.extensions(n).await.unwrap();
    machinist_talos::extensions::running_schematic(&ext).map(str::to_owned)
}

#[tokio::test]
async fn the_running_schematic_is_the_booted_image_not_the_config() {
    let mut e = env(21, &["w-01", "w-02"], "v1.13.9", &[]).await;
    let (w1, w2) = (e.nodes[0].clone(), e.nodes[1].clone());
    let with_image = |n: &NodeTarget, image: &str| {
        config_for(n).replace(
            "    disk: /dev/sda\n",
            &format!("    disk: /dev/sda\n    image: {image}\n"),
        )
    };
    let factory = |id: &str, tag: &str| format!("factory.talos.dev/installer/{id}:{tag}");
    let ins = insecure();
    for (n, image) in [
        (&w1, factory(SCHEMATIC_A, "v1.13.9")),
        (&w2, "ghcr.io/siderolabs/installer:v1.13.9".to_string()),
    ] {
        let req = ApplyRequest {
            data: with_image(n, &image).into_bytes(),
            mode: ApplyMode::Auto,
            dry_run: false,
            try_timeout: None,
        };
        ins.apply(n, &req).await.unwrap();
    }
    let admin = e.client(&["os:admin"]);
    let reader = e.client(&["os:reader"]);
    until("both installed", || async {
        e.logged("w-01 up version=v1.13.9") && e.logged("w-02 up version=v1.13.9")
    })
    .await;
    // Installed from a factory image: the schematic extension names its ID; readers may see it.
    assert_eq!(
        schematic_of(&reader, &w1).await.as_deref(),
        Some(SCHEMATIC_A)
    );
    let ext = admin.extensions(&w1).await.unwrap();
    assert_eq!(ext.len(), 1);
    assert_eq!(
        (ext[0].name.as_str(), ext[0].author.as_str()),
        ("schematic", "Image Factory")
    );
    // The plain installer carries no extension at all.
    assert!(admin.extensions(&w2).await.unwrap().is_empty());

    // A new image in the config (applied without reboot, like Talos) installs nothing.
    let out = admin
        .apply(
            &w1,
            &ApplyRequest {
                data: with_image(&w1, &factory(SCHEMATIC_B, "v1.13.9")).into_bytes(),
                mode: ApplyMode::Auto,
                dry_run: false,
                try_timeout: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(out.mode, ApplyMode::NoReboot);
    assert_eq!(
        schematic_of(&admin, &w1).await.as_deref(),
        Some(SCHEMATIC_A)
    );

    // The upgrade boots it.
    let req = UpgradeRequest {
        image: factory(SCHEMATIC_B, "v1.13.9"),
        preserve: false,
        stage: false,
        force: false,
    };
    admin.upgrade(&w1, &req).await.unwrap();
    until("w-01 runs schematic B", || async {
        admin
            .extensions(&w1)
            .await
            .is_ok_and(|x| machinist_talos::extensions::running_schematic(&x) == Some(SCHEMATIC_B))
    })
    .await;
    // And it is kept across a restart of the simulator.
    e.restart(&[], &[]).await;
    let admin = e.client(&["os:admin"]);
    assert_eq!(
        schematic_of(&admin, &w1).await.as_deref(),
        Some(SCHEMATIC_B)
    );

    // A reset wipes the whole system disk: the next config installs from its own image.
    let reset = ResetRequest {
        graceful: false,
        reboot: true,
        wipe: WipeMode::All,
    };
    admin.reset(&w1, &reset).await.unwrap();
    until("w-01 back in maintenance", || async {
        e.logged("w-01 up version=v1.13.9 maintenance")
    })
    .await;
    let req = ApplyRequest {
        data: with_image(&w1, &factory(SCHEMATIC_A, "v1.13.9")).into_bytes(),
        mode: ApplyMode::Auto,
        dry_run: false,
        try_timeout: None,
    };
    insecure().apply(&w1, &req).await.unwrap();
    until("w-01 reinstalled from schematic A", || async {
        admin
            .extensions(&w1)
            .await
            .is_ok_and(|x| machinist_talos::extensions::running_schematic(&x) == Some(SCHEMATIC_A))
    })
    .await;
    e.sim.take().unwrap().shutdown().await;
}

/// What `talosctl get NAME` does first (`client.ResolveResourceKind`): list every
/// ResourceDefinition and match the id or any alias, case-insensitively.
async fn resolve(c: &TalosClient, n: &NodeTarget, name: &str) -> Option<(String, String)> {
    use machinist_talos::proto::cosi::resource::meta::ResourceDefinitionSpec;
    use prost::Message as _;
    let defs = c
        .list(n, "meta", "ResourceDefinitions.meta.cosi.dev")
        .await
        .unwrap();
    let matched: Vec<ResourceDefinitionSpec> = defs
        .iter()
        .map(|r| {
            ResourceDefinitionSpec::decode(r.spec.as_ref().unwrap().proto_spec.as_slice()).unwrap()
        })
        .filter(|s| {
            s.resource_type.eq_ignore_ascii_case(name)
                || s.all_aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
        })
        .collect();
    assert!(matched.len() <= 1, "{name} is ambiguous: {matched:?}");
    matched
        .first()
        .map(|s| (s.default_namespace.clone(), s.resource_type.clone()))
}

#[tokio::test]
async fn resource_definitions_let_talosctl_get_resolve_types_and_aliases() {
    let mut e = env(22, &["w-01"], "v1.13.9", &[]).await;
    let n = e.nodes[0].clone();
    let reader = e.client(&["os:reader"]);
    // Served in maintenance mode too (non-sensitive), like every other discovery read.
    let maintenance = insecure();
    assert_eq!(
        resolve(&maintenance, &n, "systeminformation").await,
        Some((
            "hardware".into(),
            "SystemInformations.hardware.talos.dev".into()
        ))
    );
    install_all(&e).await;
    for (alias, ns, ty) in [
        ("links", "network", "LinkStatuses.net.talos.dev"),
        ("LinkStatus", "network", "LinkStatuses.net.talos.dev"),
        (
            "extensions",
            "runtime",
            "ExtensionStatuses.runtime.talos.dev",
        ),
        ("mc", "config", "MachineConfigs.config.talos.dev"),
        ("disks.block", "runtime", "Disks.block.talos.dev"),
        ("api-resources", "meta", "ResourceDefinitions.meta.cosi.dev"),
    ] {
        assert_eq!(
            resolve(&reader, &n, alias).await,
            Some((ns.to_string(), ty.to_string())),
            "{alias}"
        );
    }
    assert_eq!(
        resolve(&reader, &n, "members").await,
        None,
        "not served: not registered"
    );
    // Then the resolved type in its default namespace, as `talosctl get links` lists it.
    let links = reader
        .list(&n, "network", "LinkStatuses.net.talos.dev")
        .await
        .unwrap();
    assert_eq!(links.len(), 2);
    // Talos's access policy, in its order: registered type, sensitivity, namespace.
    let r = reader.list(&n, "network", "Routes.net.talos.dev").await;
    assert_eq!(
        refused(r, tonic::Code::PermissionDenied),
        "resource type \"Routes.net.talos.dev\" is not supported"
    );
    let r = reader
        .list(&n, "bogus", "MachineConfigs.config.talos.dev")
        .await;
    assert_eq!(refused(r, tonic::Code::PermissionDenied), "not authorized");
    let r = reader.list(&n, "bogus", "LinkStatuses.net.talos.dev").await;
    assert_eq!(
        refused(r, tonic::Code::PermissionDenied),
        "namespace \"bogus\" is not supported"
    );
    e.sim.take().unwrap().shutdown().await;
}

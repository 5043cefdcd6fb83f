//! The gRPC client against the simulator over real loopback TLS: maintenance install, mutual TLS,
//! per-version apply semantics, reboots, TRY rollback, role and CA refusals, routing through an
//! endpoint, and injected faults. Each test uses its own 127.77.<n>.x addresses.

use std::time::Duration;

use machinist_talos::sim::pki::Ca;
use machinist_talos::{ApplyMode, ApplyRequest, NodeApi, NodeError, NodeTarget, TalosClient};

use machinist_talos::client::ClientOptions;

use crate::sim_env::{Env, creds, insecure, opts, specs, until};

const CFG: &str = "# worker config\nversion: v1alpha1\nmachine:\n  type: worker\n  token: t0k3n\n  install:\n    disk: /dev/sda\n  nodeLabels:\n    zone: a\ncluster:\n  clusterName: lab\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: HOST\n";

/// `count` nodes n1, n2, … on 127.77.<net>.x, running `version` with `faults`.
async fn env(net: u8, count: u8, version: &str, faults: &[&str]) -> Env {
    let names: Vec<String> = (1..=count).map(|i| format!("n{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut e = Env::new(
        specs("127.77", net, &names),
        version,
        Duration::from_millis(600),
        None,
    );
    e.start(faults, &[]).await;
    e
}

/// An admin client whose key carries Talos's own `ED25519 PRIVATE KEY` label.
fn admin(e: &Env) -> TalosClient {
    TalosClient::new(opts(), Some(&creds(&e.os_ca, &["os:admin"], true))).unwrap()
}

fn cfg_for(n: &NodeTarget) -> String {
    CFG.replace("HOST", &n.name)
}

fn req(data: &str, mode: ApplyMode) -> ApplyRequest {
    ApplyRequest {
        data: data.as_bytes().to_vec(),
        mode,
        dry_run: false,
        try_timeout: None,
    }
}

/// Waits until the admin client reads `n`'s config over mutual TLS (the install took effect).
async fn until_configured(e: &Env, n: &NodeTarget) {
    let c = admin(e);
    until("node serves its config over mutual TLS", || async {
        matches!(c.machine_config(n).await, Ok(Some(_)))
    })
    .await;
}

async fn install(e: &Env) {
    let c = insecure();
    for n in &e.nodes {
        c.apply(n, &req(&cfg_for(n), ApplyMode::Auto))
            .await
            .unwrap();
    }
    for n in &e.nodes {
        until_configured(e, n).await;
    }
}

/// Waits until `n` answers Version again (after a reboot).
async fn wait_up(c: &TalosClient, n: &NodeTarget) {
    until("node came back", || async { c.version(n).await.is_ok() }).await;
}

#[tokio::test]
async fn maintenance_install_switches_to_mtls_and_survives_restart() {
    let mut e = env(1, 1, "v1.13.9", &[]).await;
    let n = &e.nodes[0];
    let ins = insecure();
    let v = ins.version(n).await.unwrap();
    assert!(!v.configured, "maintenance node has no config");
    let err = ins.machine_config(n).await.unwrap_err();
    assert!(
        matches!(&err, NodeError::Refused { code: tonic::Code::PermissionDenied, message, .. } if message == "not authorized"),
        "{err}"
    );
    let dry = ins
        .apply(
            n,
            &ApplyRequest {
                dry_run: true,
                ..req(&cfg_for(n), ApplyMode::Auto)
            },
        )
        .await
        .unwrap();
    assert!(dry.mode_details.starts_with(
        "Dry run summary:\nApplied configuration without a reboot (skipped in dry-run).\nConfig diff:\n\n--- a\n+++ b\n"
    ), "{}", dry.mode_details);
    let out = ins
        .apply(n, &req(&cfg_for(n), ApplyMode::Auto))
        .await
        .unwrap();
    assert_eq!(out.mode, ApplyMode::NoReboot);
    until_configured(&e, n).await;

    // Now mutual TLS: the exact submitted bytes (comment included) come back.
    let c = admin(&e);
    assert_eq!(
        c.machine_config(n).await.unwrap().unwrap(),
        cfg_for(n).as_bytes()
    );
    assert!(c.version(n).await.unwrap().configured);
    // The maintenance client is no longer accepted (no client certificate) once the node closes
    // its maintenance connections.
    until("the maintenance client is refused", || async {
        ins.version(n).await.is_err()
    })
    .await;

    e.restart(&[], &[]).await;
    let c = admin(&e);
    assert_eq!(
        c.machine_config(&e.nodes[0]).await.unwrap().unwrap(),
        cfg_for(&e.nodes[0]).as_bytes(),
        "state persisted across restarts"
    );
    e.stop().await;
}

#[tokio::test]
async fn v113_reboot_rules_no_reboot_refused_auto_reboots() {
    let mut e = env(2, 1, "v1.13.9", &[]).await;
    install(&e).await;
    let n = &e.nodes[0];
    let c = admin(&e);
    // Live-changeable field: no reboot.
    let live = cfg_for(n).replace("zone: a", "zone: b");
    let out = c.apply(n, &req(&live, ApplyMode::NoReboot)).await.unwrap();
    assert_eq!(out.mode, ApplyMode::NoReboot);
    assert_eq!(out.mode_details, "Applied configuration without a reboot");

    let needs_reboot = live.replace("  token: t0k3n\n", "  token: t0k3n\n  env:\n    A: b\n");
    let err = c
        .apply(n, &req(&needs_reboot, ApplyMode::NoReboot))
        .await
        .unwrap_err();
    match &err {
        NodeError::Refused { code, message, .. } => {
            assert_eq!(*code, tonic::Code::InvalidArgument);
            assert!(
                message
                    .starts_with("this config change can't be applied in immediate mode\ndiff:\n"),
                "{message}"
            );
        }
        other => panic!("{other}"),
    }
    let dry = c
        .apply(
            n,
            &ApplyRequest {
                dry_run: true,
                ..req(&needs_reboot, ApplyMode::Auto)
            },
        )
        .await
        .unwrap();
    assert_eq!(dry.mode, ApplyMode::Reboot);
    assert!(
        dry.mode_details.starts_with(
            "Dry run summary:\nApplied configuration with a reboot: this config change"
        ),
        "{}",
        dry.mode_details
    );
    assert!(
        dry.mode_details.contains("+  env:\n"),
        "{}",
        dry.mode_details
    );

    let out = c
        .apply(n, &req(&needs_reboot, ApplyMode::Auto))
        .await
        .unwrap();
    assert_eq!(out.mode, ApplyMode::Reboot);
    until("node is down while rebooting", || async {
        c.version(n).await.is_err()
    })
    .await;
    wait_up(&c, n).await;
    assert_eq!(
        c.machine_config(n).await.unwrap().unwrap(),
        needs_reboot.as_bytes()
    );
    e.stop().await;
}

#[tokio::test]
async fn staged_only_persists_and_try_reverts() {
    let mut e = env(3, 1, "v1.13.9", &[]).await;
    install(&e).await;
    let n = &e.nodes[0];
    let c = admin(&e);
    let staged = cfg_for(n).replace("zone: a", "zone: staged");
    let out = c.apply(n, &req(&staged, ApplyMode::Staged)).await.unwrap();
    assert_eq!(
        out.mode_details,
        "Staged configuration to be applied after the next reboot"
    );
    assert_eq!(
        c.machine_config(n).await.unwrap().unwrap(),
        cfg_for(n).as_bytes()
    );
    let saved = std::fs::read_to_string(e.state_dir().join("n1/config.yaml")).unwrap();
    assert_eq!(saved, staged);

    let tried = cfg_for(n).replace("zone: a", "zone: try");
    let out = c
        .apply(
            n,
            &ApplyRequest {
                try_timeout: Some(Duration::from_millis(400)),
                ..req(&tried, ApplyMode::Try)
            },
        )
        .await
        .unwrap();
    assert_eq!(
        out.mode_details,
        "Applied configuration without a reboot\nThe config is applied in 'try' mode and will be automatically reverted back in 0.4s"
    );
    assert_eq!(
        c.machine_config(n).await.unwrap().unwrap(),
        tried.as_bytes()
    );
    until("TRY reverts to the saved config", || async {
        c.machine_config(n).await.unwrap().unwrap() == staged.as_bytes()
    })
    .await;
    e.stop().await;
}

#[tokio::test]
async fn v114_refuses_reboot_and_auto_never_reboots() {
    let mut e = env(4, 1, "v1.14.0", &[]).await;
    install(&e).await;
    let n = &e.nodes[0];
    let c = admin(&e);
    let changed = cfg_for(n).replace("  token: t0k3n\n", "  token: t0k3n\n  env:\n    A: b\n");
    let err = c
        .apply(n, &req(&changed, ApplyMode::Reboot))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, NodeError::Refused { code: tonic::Code::Unimplemented, message, .. }
            if message == "the REBOOT mode is not supported, please use AUTO or NO_REBOOT modes instead"),
        "{err}"
    );
    let out = c.apply(n, &req(&changed, ApplyMode::Auto)).await.unwrap();
    assert_eq!(out.mode, ApplyMode::NoReboot);
    assert_eq!(c.version(n).await.unwrap().tag, "v1.14.0");
    e.stop().await;
}

#[tokio::test]
async fn wrong_ca_and_missing_admin_role_are_refused_clearly() {
    let mut e = env(5, 1, "v1.13.9", &[]).await;
    install(&e).await;
    let n = &e.nodes[0];
    let other = Ca::generate("talos").unwrap();
    let mut wrong = creds(&e.os_ca, &["os:admin"], true);
    wrong.ca_pem = other.pem.cert_pem.clone().into_bytes();
    let c = TalosClient::new(opts(), Some(&wrong)).unwrap();
    let err = c.version(n).await.unwrap_err();
    assert!(matches!(err, NodeError::Tls { .. }), "{err}");
    assert!(
        err.to_string().contains("not signed by the cluster CA"),
        "{err}"
    );

    let reader = TalosClient::new(opts(), Some(&creds(&e.os_ca, &["os:reader"], true))).unwrap();
    assert!(reader.version(n).await.is_ok(), "reader may call Version");
    let err = reader.machine_config(n).await.unwrap_err();
    assert_eq!(err.to_string(), "node n1: PermissionDenied: not authorized");
    let err = reader
        .apply(n, &req(&cfg_for(n), ApplyMode::Auto))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "node n1: PermissionDenied: not authorized");

    // A client certificate signed by another CA never gets in.
    let stranger = TalosClient::new(
        opts(),
        Some(&{
            let mut s = creds(&other, &["os:admin"], true);
            s.ca_pem = e.os_ca.pem.cert_pem.clone().into_bytes();
            s
        }),
    )
    .unwrap();
    assert!(stranger.machine_config(n).await.is_err());
    e.stop().await;
}

#[tokio::test]
async fn endpoint_routes_calls_with_the_node_key_and_released_connections_close() {
    let mut e = env(6, 3, "v1.13.9", &[]).await;
    install(&e).await;
    let c = TalosClient::new(
        ClientOptions {
            endpoints: vec![e.nodes[0].address.clone()],
            ..opts()
        },
        Some(&creds(&e.os_ca, &["os:admin"], true)),
    )
    .unwrap();
    for n in &e.nodes {
        assert_eq!(c.endpoint_for(n), "127.77.6.1:50000");
        let got = c.machine_config(n).await.unwrap().unwrap();
        assert_eq!(got, cfg_for(n).as_bytes(), "answered by {}", n.name);
        // The shared endpoint's connection serves every node: releasing a node keeps it.
        c.release(n);
        assert_eq!(c.open_channels(), 1);
    }
    // Dialling each node directly, a released node's connection is dropped, and the next call
    // dials again.
    let direct = admin(&e);
    for n in &e.nodes {
        direct.machine_config(n).await.unwrap();
    }
    assert_eq!(direct.open_channels(), 3);
    direct.release(&e.nodes[0]);
    assert_eq!(direct.open_channels(), 2);
    let again = direct.machine_config(&e.nodes[0]).await.unwrap().unwrap();
    assert_eq!(again, cfg_for(&e.nodes[0]).as_bytes());
    assert_eq!(direct.open_channels(), 3);
    e.stop().await;
}

#[tokio::test]
async fn faults_drop_refuse_and_crash() {
    let mut e = env(
        7,
        2,
        "v1.13.9",
        &[
            "drop:node=n1,call=apply,count=1",
            "refuse:node=n2,count=2",
            "crash-after-persist:node=n2,count=1",
        ],
    )
    .await;
    // n2 refuses its first two connections: the read-only Version call retries through it.
    let ins = insecure();
    assert!(ins.version(&e.nodes[1]).await.is_ok());
    let c = admin(&e);
    let n1 = &e.nodes[0];
    let n2 = &e.nodes[1];
    let err = ins
        .apply(n1, &req(&cfg_for(n1), ApplyMode::Auto))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            NodeError::Unreachable {
                not_sent: false,
                ..
            }
        ),
        "{err}"
    );
    ins.apply(n2, &req(&cfg_for(n2), ApplyMode::Auto))
        .await
        .unwrap();
    assert!(
        c.machine_config(n1).await.is_err(),
        "dropped apply left n1 in maintenance"
    );
    ins.apply(n1, &req(&cfg_for(n1), ApplyMode::Auto))
        .await
        .unwrap();
    until_configured(&e, n1).await;

    let newer = cfg_for(n2).replace("zone: a", "zone: c");
    let err = c
        .apply(n2, &req(&newer, ApplyMode::Auto))
        .await
        .unwrap_err();
    assert!(matches!(err, NodeError::Unreachable { .. }), "{err}");
    wait_up(&c, n2).await;
    assert_eq!(
        c.machine_config(n2).await.unwrap().unwrap(),
        newer.as_bytes(),
        "crash after persisting boots the new config"
    );
    e.stop().await;
}

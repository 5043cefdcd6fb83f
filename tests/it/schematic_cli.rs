//! `machinist schematic`: the schematic IDs, installer images and boot asset URLs a project's
//! nodes need, and `--register` against a factory (a small HTTP server on loopback here).

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use common::{copy_dir, machinist, repo, transcript};

const HOMELAB_ID: &str = "6147aa21a1247ea7780c8273110fe0ba30694da0ead8010b9e00e62a35400258";

fn homelab() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("examples/homelab"), tmp.path());
    tmp
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{file} has `{from}`");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

/// One request the fake factory received: request line and body.
type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// A fake Image Factory on 127.0.0.1 that answers every POST with `{"id": <answer>}`.
fn factory(answer: &'static str) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut length = 0;
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                if h.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':')
                    && k.eq_ignore_ascii_case("content-length")
                {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            log.lock().unwrap().push((
                request_line.trim().to_string(),
                String::from_utf8(body).unwrap(),
            ));
            let json = format!("{{\"id\":\"{answer}\"}}");
            write!(
                stream,
                "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
                json.len()
            )
            .unwrap();
        }
    });
    (url, seen)
}

#[test]
fn prints_ids_installers_and_boot_assets_per_schematic() {
    let run = machinist(&repo(), &["schematic", "examples/homelab"]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    insta::assert_snapshot!("homelab_text", run.stdout);
    // The installer image the nodes' configs use names the same ID.
    let r = machinist(&repo(), &["render", "examples/homelab", "--node", "cp-01"]);
    assert!(
        r.stdout
            .contains(&format!("factory.talos.dev/installer/{HOMELAB_ID}:v1.12.7"))
    );
    // A node's config without an installer image installs Talos' default: the vanilla schematic.
    let run = machinist(
        &repo(),
        &["schematic", "examples/fleet", "--node", "lab-cp-1"],
    );
    assert_eq!(run.code, 0, "{}", transcript(&run));
    assert!(run.stdout.starts_with(
        "schematic 376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba (Talos v1.13.0, metal-amd64)\n  nodes:         lab-cp-1\n  installer:     ghcr.io/siderolabs/installer:v1.13.0\n"
    ), "{}", run.stdout);
}

#[test]
fn platform_and_arch_per_layer_and_factory_from_chart() {
    let p = homelab();
    std::fs::write(
        p.path().join("layers/role/worker.yaml"),
        std::fs::read_to_string(p.path().join("layers/role/worker.yaml")).unwrap()
            + "imageFactory:\n  platform: nocloud\n  arch: arm64\n",
    )
    .unwrap();
    edit(
        p.path(),
        "Chart.yaml",
        "layers: [role]",
        "imageFactory: https://factory.example.lan/\nlayers: [role]",
    );
    let run = machinist(p.path(), &["schematic", ".", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", transcript(&run));
    insta::assert_snapshot!("per_layer_json", run.stdout);
    // The nodes install from the public factory while Chart.yaml names another one.
    assert!(
        run.stderr.contains(
            "warning: nodes cp-01, cp-02, cp-03: installer image `factory.talos.dev/installer/"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("pass `factory=\"factory.example.lan\"` to installer_image()"),
        "{}",
        run.stderr
    );
    // --node narrows it to that node's image.
    let run = machinist(p.path(), &["schematic", ".", "--node", "worker-01"]);
    assert!(
        run.stdout.contains("(Talos v1.12.7, nocloud-arm64)"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("metal-amd64"), "{}", run.stdout);
    // A wrongly typed setting names the node and the key.
    let run = machinist(
        p.path(),
        &["schematic", ".", "--set-json", "imageFactory.arch=7"],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("`imageFactory.arch` must be a string such as `amd64`"),
        "{}",
        run.stderr
    );
}

#[test]
fn image_factory_in_chart_must_be_a_url() {
    let p = homelab();
    edit(
        p.path(),
        "Chart.yaml",
        "layers: [role]",
        "imageFactory: factory.talos.dev\nlayers: [role]",
    );
    let run = machinist(p.path(), &["schematic", "."]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("`imageFactory` must be an http(s) URL, got `factory.talos.dev`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Chart.yaml:"), "{}", run.stderr);
}

#[test]
fn register_posts_each_schematic_and_is_idempotent() {
    let (url, seen) = factory(HOMELAB_ID);
    let p = homelab();
    edit(
        p.path(),
        "Chart.yaml",
        "layers: [role]",
        &format!("imageFactory: {url}\nlayers: [role]"),
    );
    for _ in 0..2 {
        let run = machinist(p.path(), &["schematic", ".", "--register"]);
        assert_eq!(run.code, 0, "{}", transcript(&run));
        assert!(
            run.stderr
                .contains(&format!("registered schematic {HOMELAB_ID} with {url}")),
            "{}",
            run.stderr
        );
    }
    let seen = seen.lock().unwrap();
    // One POST per distinct schematic and run (four nodes, one schematic).
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].0, "POST /schematics HTTP/1.1");
    assert_eq!(
        seen[0].1,
        "customization:\n    systemExtensions:\n        officialExtensions:\n            - siderolabs/iscsi-tools\n            - siderolabs/util-linux-tools\n            - siderolabs/intel-ucode\n            - siderolabs/i915-ucode\n            - siderolabs/qemu-guest-agent\n"
    );
    assert_eq!(seen[0], seen[1]);
}

#[test]
fn register_fails_loudly_when_the_factory_answers_another_id() {
    let other = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";
    let (url, _seen) = factory(other);
    let p = homelab();
    edit(
        p.path(),
        "Chart.yaml",
        "layers: [role]",
        &format!("imageFactory: {url}\nlayers: [role]"),
    );
    let run = machinist(p.path(), &["schematic", ".", "--register"]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    let host = url.trim_start_matches("http://");
    let stderr = run.stderr.replace(host, "FACTORY");
    insta::assert_snapshot!("register_mismatch", stderr);
}

#[test]
fn register_needs_the_schematic_the_installer_image_names() {
    // A patch pins another factory image; the project's `schematic` value no longer matches it.
    let p = homelab();
    std::fs::write(
        p.path().join("pin.yaml"),
        "machine:\n  install:\n    image: factory.talos.dev/installer/ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515:v1.12.7\n",
    )
    .unwrap();
    let run = machinist(
        p.path(),
        &[
            "schematic",
            ".",
            "--node",
            "cp-01",
            "-p",
            "pin.yaml",
            "--register",
        ],
    );
    assert_eq!(run.code, 1, "{}", transcript(&run));
    insta::assert_snapshot!("register_unknown_schematic", transcript(&run));
}

#[test]
fn register_reports_an_unreachable_factory() {
    // Bind, learn the port, close: nothing listens there any more.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let p = homelab();
    edit(
        p.path(),
        "Chart.yaml",
        "layers: [role]",
        &format!("imageFactory: http://127.0.0.1:{port}\nlayers: [role]"),
    );
    let run = machinist(p.path(), &["schematic", ".", "--register"]);
    assert_eq!(run.code, 1, "{}", transcript(&run));
    assert!(
        run.stderr.contains(&format!(
            "error: cannot reach the Image Factory at http://127.0.0.1:{port}/schematics:"
        )),
        "{}",
        run.stderr
    );
}

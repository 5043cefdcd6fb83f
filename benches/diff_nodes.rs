//! Benchmark: `machinist diff` against 50, 100, 200 and 400 simulated nodes (target: 200 nodes
//! under 3 s on the project's 2-core machine, memory flat as nodes grow). For each size it builds a
//! copy of the `nodeapi` test project with that many nodes, starts `machinist-sim`, installs every
//! node with `machinist apply --insecure --parallel 50`, then times `machinist diff` dialling each
//! node directly and again through a single endpoint (one HTTP/2 connection), and reads the peak
//! resident memory of each diff process. Run with `cargo bench --bench diff_nodes`; pass sizes as
//! arguments to choose others (`cargo bench --bench diff_nodes -- 200`).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use base64::Engine as _;

mod measure;
use machinist_talos::sim::pki::Ca;
use measure::{Run, measured};

const SIZES: [usize; 4] = [50, 100, 200, 400];

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// Runs machinist in `dir` with the age identity `key`, measuring its peak memory.
fn machinist(dir: &Path, key: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_machinist"));
    cmd.env("MACHINIST_AGE_KEY_FILE", key)
        .args(args)
        .current_dir(dir);
    measured(cmd)
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        SIZES.to_vec()
    } else {
        sizes
    };
    for n in sizes {
        bench(n);
    }
}

fn bench(nodes: usize) {
    let project = tempfile::tempdir().unwrap();
    let aux = tempfile::tempdir().unwrap();
    let dir = project.path();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nodeapi"),
        dir,
    );
    for e in std::fs::read_dir(dir.join("nodes")).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    for i in 0..nodes {
        let role = if i < 3 { "controlplane" } else { "worker" };
        std::fs::write(
            dir.join(format!("nodes/n{i:03}.yaml")),
            format!(
                "address: 127.220.{}.{}\nfacets: {{ role: {role} }}\n",
                i / 200,
                i % 200 + 10
            ),
        )
        .unwrap();
    }
    let (identity, recipient) = machinist_secrets::atrest::new_identity();
    std::fs::write(aux.path().join("age.key"), identity).unwrap();
    let loaded = machinist::project::Project::load(dir).unwrap();
    let bundle = machinist_secrets::Bundle::generate(loaded.chart.contract).unwrap();
    machinist_secrets::save_bundle(&dir.join(&loaded.chart.secrets.file), &bundle, &[recipient])
        .unwrap();
    let os = bundle.os_ca().unwrap();
    let ca = Ca::from_pem(&os.cert_pem, &os.key_pem).unwrap();
    let client = ca.client_cert(&["os:admin"], true).unwrap();
    std::fs::write(
        dir.join("talosconfig"),
        format!(
            "context: c\ncontexts:\n  c:\n    endpoints: []\n    ca: {}\n    crt: {}\n    key: {}\n",
            b64(&ca.pem.cert_pem),
            b64(&client.cert_pem),
            b64(&client.key_pem)
        ),
    )
    .unwrap();
    let mut sim = Command::new(env!("CARGO_BIN_EXE_machinist-sim"))
        .arg(dir)
        .env("MACHINIST_AGE_KEY_FILE", aux.path().join("age.key"))
        .arg("--state")
        .arg(aux.path().join("state"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(sim.stdout.take().unwrap()).lines();
    for _ in 0..nodes {
        lines.next().unwrap().unwrap();
    }
    let key = aux.path().join("age.key");
    let t = Instant::now();
    let run = machinist(dir, &key, &["apply", ".", "--insecure", "--parallel", "50"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    println!(
        "apply --insecure --parallel 50, {nodes} nodes: {:.2}s, peak {:.0} MiB",
        t.elapsed().as_secs_f64(),
        run.peak_mib
    );
    for (label, extra) in [
        ("each node dialled directly", vec![]),
        ("through one endpoint", vec!["--endpoints", "127.220.0.10"]),
    ] {
        let mut best = f64::MAX;
        let mut peak = 0f64;
        for _ in 0..3 {
            let t = Instant::now();
            let mut args = vec!["diff", "."];
            args.extend(extra.iter().copied());
            let run = machinist(dir, &key, &args);
            assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
            assert_eq!(run.stdout.lines().count(), nodes);
            best = best.min(t.elapsed().as_secs_f64());
            peak = peak.max(run.peak_mib);
        }
        println!(
            "diff, {nodes} nodes, {label}: best of 3 = {best:.3}s, peak {peak:.0} MiB ({:.2} MiB per node)",
            peak / nodes as f64
        );
    }
    let _ = Command::new("kill")
        .args(["-TERM", &sim.id().to_string()])
        .status();
    let _ = sim.wait();
}

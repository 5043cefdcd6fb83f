//! Benchmark: the cluster lifecycle on `machinist-sim`. (1) `machinist up` of 3 control planes +
//! 2 workers from maintenance mode with a 2 s reboot delay; (2) `machinist upgrade` of 50 nodes (3
//! control planes one at a time, 47 workers `--parallel 10`) after a new installer in the role
//! layers, with its wall time and peak resident memory. The project is made by `machinist init`
//! (one secrets generation per size). Run with `cargo bench --bench lifecycle`; pass
//! `up-only` or a node count to choose (`cargo bench --bench lifecycle -- 50`).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

mod measure;
use measure::{Run, measured};

const IMAGE: &str = "factory.talos.dev/installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.13.10";

/// Runs machinist in `home`, measuring its peak memory.
fn machinist(home: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_machinist"));
    cmd.env("HOME", home)
        .env("MACHINIST_AGE_KEY_FILE", home.join("age.key"))
        .env_remove("TALOSCONFIG")
        .args(args)
        .current_dir(home);
    measured(cmd)
}

/// A project of `cps` control planes and `workers` workers on 127.221.x.y, and its simulator.
fn lab(cps: usize, workers: usize, delay: &str) -> (tempfile::TempDir, std::process::Child) {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (identity, _) = machinist_secrets::atrest::new_identity();
    std::fs::write(h.join("age.key"), identity).unwrap();
    let r = machinist(
        h,
        &[
            "init",
            "proj",
            "--name",
            "bench",
            "--endpoint",
            "https://127.221.0.10:6443",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dir = h.join("proj");
    std::fs::remove_dir_all(dir.join("nodes")).unwrap();
    std::fs::create_dir_all(dir.join("nodes")).unwrap();
    for i in 0..cps + workers {
        let (name, role) = if i < cps {
            (format!("cp-{i:02}"), "controlplane")
        } else {
            (format!("w-{i:03}"), "worker")
        };
        std::fs::write(
            dir.join(format!("nodes/{name}.yaml")),
            format!(
                "address: 127.221.{}.{}\nfacets: {{ role: {role} }}\nvalues: {{}}\n",
                i / 200,
                i % 200 + 10
            ),
        )
        .unwrap();
    }
    let r = machinist(h, &["talosconfig", "proj"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut sim = Command::new(env!("CARGO_BIN_EXE_machinist-sim"))
        .arg(&dir)
        .env("HOME", h)
        .env("MACHINIST_AGE_KEY_FILE", h.join("age.key"))
        .arg("--state")
        .arg(h.join("state"))
        .args(["--reboot-delay", delay])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(sim.stdout.take().unwrap()).lines();
    for _ in 0..cps + workers {
        lines.next().unwrap().unwrap();
    }
    (home, sim)
}

fn stop(mut sim: std::process::Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &sim.id().to_string()])
        .status();
    let _ = sim.wait();
}

fn bench_up() {
    let (home, sim) = lab(3, 2, "2s");
    let t = Instant::now();
    let r = machinist(home.path(), &["up", "proj"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    println!(
        "up, 3 control planes + 2 workers, reboot delay 2s: {:.1}s, peak {:.0} MiB",
        t.elapsed().as_secs_f64(),
        r.peak_mib
    );
    stop(sim);
}

fn bench_upgrade(nodes: usize) {
    let (home, sim) = lab(3, nodes - 3, "2s");
    let h = home.path();
    let r = machinist(h, &["up", "proj", "--parallel", "10"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    for layer in ["controlplane", "worker"] {
        let p = h.join(format!("proj/layers/role/{layer}.yaml"));
        let text = std::fs::read_to_string(&p).unwrap().replace("{}\n", "");
        std::fs::write(&p, format!("{text}install:\n  image: {IMAGE}\n")).unwrap();
    }
    let t = Instant::now();
    let r = machinist(h, &["upgrade", "proj", "--parallel", "10"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!("summary: {nodes} done")),
        "{}",
        r.stdout
    );
    println!(
        "upgrade, {nodes} nodes (3 control planes serial, workers --parallel 10), reboot delay 2s: {:.1}s, peak {:.0} MiB",
        t.elapsed().as_secs_f64(),
        r.peak_mib
    );
    stop(sim);
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if args.is_empty() || args.iter().any(|a| a == "up-only") {
        bench_up();
    }
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() && !args.iter().any(|a| a == "up-only") {
        vec![50]
    } else {
        sizes
    };
    for n in sizes {
        bench_upgrade(n);
    }
}

//! Render benchmark. Generates fleets of 100, 1,000 and 10,000 nodes from a chart with three
//! layer facets (env × role × hardware) whose configs are about 6 KB each, then loads, renders and
//! serializes them, once per size in a fresh process so the peak memory of each size is its own.
//! Also times the hostile inputs (alias bomb, deep nesting, endless loop) that must fail fast.
//!
//! Run: `cargo bench --bench render` (release build). Prints one line per measurement.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use machinist::project::Project;
use machinist::render::{RenderOptions, Renderer};

mod common;
use common::write;

const SIZES: [usize; 3] = [100, 1_000, 10_000];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--size") {
        let n: usize = args[i + 1].parse().expect("a node count");
        let own = args.iter().any(|a| a == "--own-values");
        run_size(n, own);
        return;
    }
    let exe = std::env::current_exe().expect("own path");
    println!(
        "render benchmark: {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let mut per_node = Vec::new();
    for (n, own) in SIZES.iter().map(|&n| (n, false)).chain([(10_000, true)]) {
        let mut cmd = Command::new(&exe);
        cmd.args(["--size", &n.to_string()]);
        if own {
            cmd.arg("--own-values");
        }
        let out = cmd.output().expect("child runs");
        let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !out.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&out.stderr));
            std::process::exit(1);
        }
        println!("{line}");
        if !own {
            let total: f64 = field(&line, "total_ms");
            per_node.push((n, total / n as f64));
        }
    }
    let base = per_node[1].1;
    for (n, us) in &per_node {
        println!(
            "nodes={n} ms_per_node={us:.4} ratio_to_1000={:.2}",
            us / base
        );
    }
    hostile();
}

fn field(line: &str, name: &str) -> f64 {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

/// Every node goes through the whole pipeline: templates, patches, secrets (redacted), schema
/// validation, then serialization.
fn run_size(n: usize, own: bool) {
    let dir = tempfile::tempdir().expect("temp dir");
    generate(dir.path(), n, own);
    let started = Instant::now();
    let project = Project::load(dir.path()).expect("generated project loads");
    let loaded = started.elapsed();
    let rss_loaded = rss_mb();
    let renderer = Renderer::new(&project, RenderOptions::default()).expect("prepares");
    let prepared = started.elapsed();
    let rss_prepared = rss_mb();
    let texts = renderer.render_with(|n| n.to_yaml()).expect("renders");
    let rendered = started.elapsed();
    let bytes: usize = texts.iter().map(String::len).sum();
    let total = started.elapsed();
    println!(
        "nodes={n} own_values={own} validated=true load_ms={:.1} prepare_ms={:.1} render_ms={:.1} total_ms={:.1} avg_config_bytes={} rss_loaded_mb={rss_loaded:.1} rss_prepared_mb={rss_prepared:.1} peak_rss_mb={:.1}",
        ms(loaded),
        ms(prepared - loaded),
        ms(rendered - prepared),
        ms(total),
        bytes / n,
        peak_rss_mb()
    );
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// A three-facet chart whose template renders about 6 KB per node, and `n` node files (each with
/// its own `values:` when `own`, so no two nodes share merged values).
fn generate(root: &Path, n: usize, own: bool) {
    common::chart_values_layers(
        root,
        &common::Shape {
            name: "bench",
            sysctls: 130,
            kernel_args: 20,
            mirrors: 10,
            ntp: 2,
            dns_and_modules: false,
        },
    );
    write(
        root,
        "templates/machine.yaml",
        r#"{% set net = cidrsubnet(cidrsubnet(values.subnet, 4, values.envNet), 4, values.roleNet) %}
version: v1alpha1
debug: false
persist: true
machine:
  type: {{ node.role }}
  install:
    disk: {{ values.disk }}
    image: {{ installer_image({"customization": {"systemExtensions": {"officialExtensions": ["siderolabs/iscsi-tools"]}}}, "v1.13.0") }}
    extraKernelArgs: {{ values.kernelArgs | tojson }}
  kubelet:
    extraConfig:
      maxPods: {{ values.maxPods }}
  nodeLabels:
{% for l in values.labels %}
    bench.example.org/{{ l.k }}: {{ l.v }}
{% endfor %}
  sysctls:
{% for s in values.sysctls %}
    {{ s.name }}: "{{ s.value }}"
{% endfor %}
  registries:
    mirrors:
{% for m in values.mirrors %}
      {{ m.host }}:
        endpoints: [{{ m.endpoint }}]
{% endfor %}
  network:
    hostname: {{ node.name }}
    interfaces:
      - interface: eth0
        mtu: {{ values.mtu }}
        addresses: [{{ cidrhostprefix(net, 10 + node.index) }}]
        routes:
          - network: 0.0.0.0/0
            gateway: {{ cidrhost(net, 1) }}
    nameservers: [{{ cidrhost(net, 2) }}, {{ cidrhost(net, 3) }}]
  time:
    servers: {{ values.ntp | tojson }}
cluster:
  clusterName: {{ cluster.name }}
  controlPlane:
    endpoint: {{ cluster.endpoint }}
  network:
    podSubnets: [10.244.0.0/16]
    serviceSubnets: [10.96.0.0/12]
"#,
    );
    for i in 0..n {
        let env = if i % 2 == 0 { "lab" } else { "prod" };
        let role = if i % 10 < 2 { "controlplane" } else { "worker" };
        let hw = if i % 3 == 0 { "small" } else { "large" };
        write(
            root,
            &format!("nodes/node-{i:05}.yaml"),
            &format!(
                "address: \"{{{{ cidrhost(cidrsubnet(cidrsubnet(values.subnet, 4, values.envNet), 4, values.roleNet), 10 + node.index) }}}}\"\n\
                 facets: {{ env: {env}, role: {role}, hardware: {hw} }}\n{}",
                if own {
                    format!("values:\n  mtu: {}\n", 1400 + i % 100)
                } else {
                    String::new()
                }
            ),
        );
    }
}

/// Times the inputs that must end in a clear error quickly.
fn hostile() {
    let cases: [(&str, String, String); 3] = [
        (
            "alias_bomb",
            {
                let mut b = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
                for i in 1..15 {
                    let p = i - 1;
                    let _ = writeln!(
                        b,
                        "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]"
                    );
                }
                b
            },
            "x: 1\n".into(),
        ),
        (
            "deep_nesting",
            format!("x: {}{}\n", "[".repeat(10_000), "]".repeat(10_000)),
            "x: 1\n".into(),
        ),
        (
            "endless_loop",
            String::new(),
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n"
                .into(),
        ),
    ];
    for (name, values, template) in cases {
        let dir = tempfile::tempdir().expect("temp dir");
        write(
            dir.path(),
            "Chart.yaml",
            "apiVersion: machinist/v1\nname: h\n",
        );
        write(dir.path(), "values.yaml", &values);
        write(dir.path(), "templates/t.yaml", &template);
        write(dir.path(), "nodes/n.yaml", "address: 127.0.0.1\n");
        let started = Instant::now();
        let failed = Project::load(dir.path())
            .and_then(|p| {
                Renderer::new(&p, RenderOptions::default())?
                    .render()
                    .map(|_| ())
            })
            .is_err();
        println!(
            "hostile={name} failed={failed} ms={:.1}",
            ms(started.elapsed())
        );
    }
}

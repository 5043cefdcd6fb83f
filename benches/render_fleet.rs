//! Fleet render benchmark (issue 13). Generates the fleet users write — 1,000 nodes, layers env ×
//! role × hardware (2 × 2 × 2), 3 control planes, one template of ~5.8 KB per node with per-node IP
//! math, three `{% for n in cluster.nodes if n.role == 'controlplane' %}` loops (certSANs,
//! extraHostEntries, API server certSANs) and loops over DNS, NTP, sysctls and kernel modules from
//! values; some node addresses are expressions — and times the `machinist` binary on it:
//!
//! 1. `render DIR -o OUT`, OUT empty;
//! 2. `render DIR -o OUT` again into the up-to-date OUT, counting files whose mtime or inode changed
//!    (the new binary answers from its render cache; the same with `--no-cache` is printed too);
//! 3. 10,000 nodes: per-node cost against the 1,000-node figure, and peak RSS;
//! 4. start-up plus a one-node render of `examples/homelab`.
//!
//! Each figure is the best of `ROUNDS` (default 3) runs. With `MACHINIST_BASELINE=/path/to/old/
//! machinist` (e.g. built from the parent commit) every run of the new binary is paired with one of
//! the old, interleaved so both see the same machine load, and the ratio is printed. The 10,000-node
//! figure is measured for the issue's template (quadratic: every node loops over every node) and for
//! the same template over `cluster.controlplanes`; the baseline runs the quadratic one at 10,000
//! nodes only with `BASELINE_10K=1` (it takes minutes).
//!
//! Run: `cargo bench --bench render_fleet` (release build). Peak RSS comes from `/usr/bin/time`.
//! `cargo bench --bench render_fleet -- --generate DIR N [controlplanes]` only writes the fleet.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

mod common;
use common::write;

/// How the template finds the control planes.
#[derive(Clone, Copy, PartialEq)]
enum Loops {
    /// `{% for n in cluster.nodes if n.role == 'controlplane' %}`, as in the issue.
    Filtered,
    /// `{% for n in cluster.controlplanes %}`.
    Precomputed,
}

fn main() {
    // `--generate DIR N [controlplanes]`: only write the fleet (for profiling with `perf`).
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--generate") {
        let loops = if args.get(i + 3).is_some_and(|a| a == "controlplanes") {
            Loops::Precomputed
        } else {
            Loops::Filtered
        };
        let n = args[i + 2].parse().expect("a node count");
        generate(Path::new(&args[i + 1]), n, loops);
        return;
    }
    let new = PathBuf::from(env!("CARGO_BIN_EXE_machinist"));
    let old = std::env::var_os("MACHINIST_BASELINE").map(PathBuf::from);
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let base_10k = std::env::var_os("BASELINE_10K").is_some();
    println!(
        "fleet render benchmark: {} cores, best of {rounds}, load average {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        loadavg()
    );
    let bins: Vec<(&str, &Path)> = std::iter::once(("new", new.as_path()))
        .chain(old.as_deref().map(|o| ("old", o)))
        .collect();

    let fleet = tempfile::tempdir().expect("temp dir");
    generate(fleet.path(), 1_000, Loops::Filtered);
    let stdout = best(&bins, rounds, |bin| run(bin, &[arg(fleet.path())]));
    report("render DIR (stdout), 1,000 nodes", &stdout, None);

    let out = tempfile::tempdir().expect("temp dir");
    let empty = best(&bins, rounds, |bin| {
        let dir = out.path().join("empty");
        let _ = std::fs::remove_dir_all(&dir);
        run(bin, &[arg(fleet.path()), "-o".into(), arg(&dir)])
    });
    report(
        "1. render -o OUT, OUT empty, 1,000 nodes",
        &empty,
        Some(0.25),
    );

    let mut rewritten = BTreeMap::new();
    let again = best(&bins, rounds, |bin| {
        let dir = out
            .path()
            .join(format!("same-{}", bin.display()).replace('/', "_"));
        if !dir.exists() {
            run(bin, &[arg(fleet.path()), "-o".into(), arg(&dir)]);
        }
        let before = stamps(&dir);
        let t = run(bin, &[arg(fleet.path()), "-o".into(), arg(&dir)]);
        let after = stamps(&dir);
        let changed = before
            .iter()
            .filter(|(name, stamp)| after.get(*name) != Some(stamp))
            .count();
        assert_eq!(before.len(), 1_000, "1,000 files written");
        rewritten.insert(bin.to_path_buf(), changed);
        t
    });
    report(
        "2. render -o OUT, OUT up to date, 1,000 nodes",
        &again,
        Some(0.15),
    );
    for (name, bin) in &bins {
        println!(
            "   {name}: {} of 1000 files rewritten (mtime or inode changed)",
            rewritten[*bin]
        );
    }
    // The same without the render cache: every node rendered and compared with its file.
    let new_only = &bins[..1];
    let compared = best(new_only, rounds, |bin| {
        let dir = out
            .path()
            .join(format!("same-{}", bin.display()).replace('/', "_"));
        run(
            bin,
            &[
                arg(fleet.path()),
                "-o".into(),
                arg(&dir),
                "--no-cache".into(),
            ],
        )
    });
    report(
        "   (2 without the cache: render -o OUT --no-cache, OUT up to date)",
        &compared,
        None,
    );

    for loops in [Loops::Filtered, Loops::Precomputed] {
        let label = match loops {
            Loops::Filtered => "cluster.nodes if n.role == 'controlplane'",
            Loops::Precomputed => "cluster.controlplanes",
        };
        let small = tempfile::tempdir().expect("temp dir");
        let big = tempfile::tempdir().expect("temp dir");
        generate(small.path(), 1_000, loops);
        generate(big.path(), 10_000, loops);
        // The baseline has no `cluster.controlplanes`; its quadratic 10,000-node run takes minutes.
        let these: Vec<(&str, &Path)> = bins
            .iter()
            .copied()
            .filter(|(name, _)| *name == "new" || (loops == Loops::Filtered && base_10k))
            .collect();
        // One quadratic 10,000-node run takes minutes on a busy machine: once is enough.
        let per_node = |n: usize, project: &Path| {
            let rounds = if n > 1_000 && loops == Loops::Filtered {
                1
            } else {
                rounds
            };
            best(&these, rounds, |bin| {
                let dir = out.path().join("size");
                let _ = std::fs::remove_dir_all(&dir);
                run(bin, &[arg(project), "-o".into(), arg(&dir)])
            })
        };
        let one = per_node(1_000, small.path());
        let ten = per_node(10_000, big.path());
        println!("3. 10,000 nodes, render -o OUT, template loops over {label}:");
        let ms = |d: Duration, n: usize| d.as_secs_f64() * 1000.0 / n as f64;
        for ((name, a), (_, b)) in one.iter().zip(&ten) {
            println!(
                "   {name}: wall {:.4} ms/node at 1,000, {:.4} at 10,000 (ratio {:.2}, target <= 1.10); cpu {:.4} / {:.4} ms/node (ratio {:.2}); peak RSS {:.1} MB at 10,000 (target < 200)",
                ms(a.wall, 1_000),
                ms(b.wall, 10_000),
                ms(b.wall, 10_000) / ms(a.wall, 1_000),
                ms(a.cpu, 1_000),
                ms(b.cpu, 10_000),
                ms(b.cpu, 10_000) / ms(a.cpu, 1_000),
                b.rss_mb
            );
        }
    }

    let homelab = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/homelab");
    let compat = tempfile::tempdir().expect("temp dir");
    homelab_without_role_lists(&homelab, compat.path());
    let project = |bin: &Path| {
        if old.as_deref() == Some(bin) {
            compat.path().to_path_buf()
        } else {
            homelab.clone()
        }
    };
    let rendered: Vec<Vec<(String, Vec<u8>)>> = bins
        .iter()
        .map(|(name, bin)| {
            let dir = out.path().join(format!("homelab-{name}"));
            run(bin, &[arg(&project(bin)), "-o".into(), arg(&dir)]);
            let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
                .expect("rendered")
                .map(|e| {
                    let e = e.expect("entry");
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read(e.path()).expect("read"),
                    )
                })
                .collect();
            files.sort();
            files
        })
        .collect();
    assert!(
        rendered.windows(2).all(|w| w[0] == w[1]),
        "old and new binaries render the same homelab bytes"
    );
    let one = best(&bins, rounds.max(20), |bin| {
        run(bin, &[arg(&project(bin)), "--node".into(), "cp-01".into()])
    });
    report(
        "4. start-up + one-node render of examples/homelab",
        &one,
        Some(0.020),
    );
    println!("load average at the end: {}", loadavg());
}

/// A copy of the homelab that the baseline can render: `cluster.workers` and
/// `cluster.controlplanes` spelled as filters over `cluster.nodes`; it renders the same bytes.
fn homelab_without_role_lists(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.expect("walk");
        let dest = to.join(e.path().strip_prefix(from).expect("inside"));
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            let text = std::fs::read_to_string(e.path()).expect("read");
            let text = text
                .replace(
                    "cluster.workers",
                    "(cluster.nodes | rejectattr('role', 'eq', 'controlplane') | list)",
                )
                .replace(
                    "cluster.controlplanes",
                    "(cluster.nodes | selectattr('role', 'eq', 'controlplane') | list)",
                );
            std::fs::write(dest, text).expect("write");
        }
    }
}

fn arg(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// One run of the binary.
#[derive(Clone, Copy)]
struct Sample {
    /// Wall-clock time.
    wall: Duration,
    /// User plus system CPU time (of all threads).
    cpu: Duration,
    /// Peak resident memory.
    rss_mb: f64,
}

/// The best wall and CPU time of each binary over `rounds` interleaved runs.
fn best<'a>(
    bins: &[(&'a str, &Path)],
    rounds: usize,
    mut f: impl FnMut(&Path) -> Sample,
) -> Vec<(&'a str, Sample)> {
    let worst = Sample {
        wall: Duration::MAX,
        cpu: Duration::MAX,
        rss_mb: 0.0,
    };
    let mut out: Vec<(&str, Sample)> = bins.iter().map(|(n, _)| (*n, worst)).collect();
    for _ in 0..rounds {
        for (i, (_, bin)) in bins.iter().enumerate() {
            let s = f(bin);
            let b = &mut out[i].1;
            b.wall = b.wall.min(s.wall);
            b.cpu = b.cpu.min(s.cpu);
            b.rss_mb = b.rss_mb.max(s.rss_mb);
        }
    }
    out
}

fn report(what: &str, times: &[(&str, Sample)], target: Option<f64>) {
    let secs = |d: Duration| d.as_secs_f64();
    let mut line = format!("{what}:");
    for (name, t) in times {
        let _ = write!(
            line,
            " {name} {:.3} s (cpu {:.3} s)",
            secs(t.wall),
            secs(t.cpu)
        );
    }
    if let [(_, new), (_, old)] = times {
        let _ = write!(
            line,
            " old/new {:.1}x wall, {:.1}x cpu",
            secs(old.wall) / secs(new.wall),
            secs(old.cpu) / secs(new.cpu)
        );
    }
    if let Some(t) = target {
        let _ = write!(line, "; target <= {t} s wall");
    }
    println!("{line}");
}

/// Runs `bin render args` under `/usr/bin/time`, output discarded.
fn run(bin: &Path, args: &[String]) -> Sample {
    let stats = tempfile::NamedTempFile::new().expect("temp file");
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-f")
        .arg("%M %U %S")
        .arg("-o")
        .arg(stats.path())
        .arg(bin)
        .arg("render")
        .args(args)
        .env("NO_COLOR", "1")
        .env("XDG_CACHE_HOME", cache_dir())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let started = Instant::now();
    let out = cmd.output().expect("machinist runs");
    let wall = started.elapsed();
    assert!(
        out.status.success(),
        "{} {args:?} failed: {}",
        bin.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(stats.path()).unwrap_or_default();
    let f: Vec<f64> = text
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    let (rss_kb, user, sys) = match f[..] {
        [m, u, s] => (m, u, s),
        _ => (f64::NAN, f64::NAN, f64::NAN),
    };
    Sample {
        wall,
        cpu: Duration::from_secs_f64((user + sys).max(0.0)),
        rss_mb: rss_kb / 1024.0,
    }
}

/// The render cache of every run (`XDG_CACHE_HOME`): one directory for the whole benchmark, so
/// the user's cache is left alone and the second run into an up-to-date OUT finds its record.
fn cache_dir() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temp dir"))
        .path()
}

/// Each file's (mtime in ns, inode): a rewrite changes at least one of them.
fn stamps(dir: &Path) -> BTreeMap<String, (i128, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::read_dir(dir)
        .expect("output directory")
        .map(|e| {
            let e = e.expect("entry");
            let m = e.metadata().expect("metadata");
            (
                e.file_name().to_string_lossy().into_owned(),
                (
                    i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
                    m.ino(),
                ),
            )
        })
        .collect()
}

/// The fleet of the issue with `n` nodes.
fn generate(root: &Path, n: usize, loops: Loops) {
    common::chart_values_layers(
        root,
        &common::Shape {
            name: "fleet",
            sysctls: 105,
            kernel_args: 12,
            mirrors: 6,
            ntp: 3,
            dns_and_modules: true,
        },
    );
    let cps = match loops {
        Loops::Filtered => "cluster.nodes if n.role == 'controlplane'",
        Loops::Precomputed => "cluster.controlplanes",
    };
    write(
        root,
        "templates/machine.yaml",
        &TEMPLATE.replace("CONTROLPLANES", cps),
    );
    // 3 control planes spread over the fleet; every fourth node's address is an expression.
    let cp_at = [0, n * 2 / 5 + 1, n * 4 / 5 + 2];
    for i in 0..n {
        let env = if i % 2 == 0 { "lab" } else { "prod" };
        let role = if cp_at.contains(&i) {
            "controlplane"
        } else {
            "worker"
        };
        let hw = if i % 3 == 0 { "small" } else { "large" };
        let address = if i % 4 == 0 {
            "\"{{ cidrhost(cidrsubnet(cidrsubnet(values.subnet, 4, values.envNet), 4, values.roleNet), 10 + node.index) }}\"".to_string()
        } else {
            format!("10.200.{}.{}", i / 200, i % 200 + 10)
        };
        write(
            root,
            &format!("nodes/node-{i:05}.yaml"),
            &format!(
                "address: {address}\nfacets: {{ env: {env}, role: {role}, hardware: {hw} }}\n"
            ),
        );
    }
}

const TEMPLATE: &str = r#"{% set net = cidrsubnet(cidrsubnet(values.subnet, 4, values.envNet), 4, values.roleNet) %}
version: v1alpha1
debug: false
persist: true
machine:
  type: {{ node.role }}
  certSANs:
    - {{ node.address }}
{% for n in CONTROLPLANES %}
    - {{ n.address }}
    - {{ n.name }}.fleet.example.org
{% endfor %}
  install:
    disk: {{ values.disk }}
    image: {{ installer_image({"customization": {"systemExtensions": {"officialExtensions": ["siderolabs/iscsi-tools"]}}}, "v1.13.0") }}
    extraKernelArgs: {{ values.kernelArgs | tojson }}
  kubelet:
    extraConfig:
      maxPods: {{ values.maxPods }}
    nodeIP:
      validSubnets: [{{ net }}]
  nodeLabels:
{% for l in values.labels %}
    fleet.example.org/{{ l.k }}: {{ l.v }}
{% endfor %}
  sysctls:
{% for s in values.sysctls %}
    {{ s.name }}: "{{ s.value }}"
{% endfor %}
  kernel:
    modules:
{% for m in values.kernelModules %}
      - name: {{ m.name }}
        parameters: {{ m.parameters | tojson }}
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
    nameservers:
{% for d in values.dns %}
      - {{ d }}
{% endfor %}
    extraHostEntries:
{% for n in CONTROLPLANES %}
      - ip: {{ n.address }}
        aliases: [{{ n.name }}, {{ n.name }}.fleet.example.org]
{% endfor %}
  time:
    servers:
{% for s in values.ntp %}
      - {{ s }}
{% endfor %}
cluster:
  clusterName: {{ cluster.name }}
  controlPlane:
    endpoint: {{ cluster.endpoint }}
  network:
    dnsDomain: cluster.local
    podSubnets: [10.244.0.0/16]
    serviceSubnets: [10.96.0.0/12]
  apiServer:
    certSANs:
      - {{ cidrhost(values.subnet, 5) }}
{% for n in CONTROLPLANES %}
      - {{ n.address }}
{% endfor %}
"#;

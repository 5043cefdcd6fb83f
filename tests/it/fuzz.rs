//! Bounded fuzzing of everything that reads user input: the YAML loader, `--set` parsing, values
//! merging, template rendering, patches, validation and duration flags. Each target replays the
//! corpus in `tests/fuzz/corpus/` (seeds from the security review, and any input that once
//! failed), then a fixed number of deterministic mutations of it. Every input must give a result
//! or an ordinary error — never a panic or a hang — and YAML errors must carry a position.
//!
//! The run is bounded by iteration counts (deterministic: about 60,000 inputs, some 15 seconds in a debug build); a
//! watchdog aborts with the input in hand if one input makes no progress for two minutes. Longer
//! local runs: `MACHINIST_FUZZ_ITERS=20000 MACHINIST_FUZZ_SEED=7 cargo test --test it -- fuzz::`. An input
//! that fails is written to `target/fuzz-found/`; add it to the corpus with the fix.

use crate::common;

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use machinist::project::Project;
use machinist::render::RenderOptions;
use machinist::values::{self, SetKind};
use machinist::yaml;

/// A small deterministic generator (xorshift64*): the same seed gives the same inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Tokens that tend to reach interesting corners of YAML, Jinja and `--set` syntax.
const TOKENS: &[&str] = &[
    ":",
    ": ",
    "- ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&a ",
    "*a",
    "<<: ",
    "\n",
    "  ",
    "---\n",
    "...\n",
    "\0",
    "\u{1b}",
    "\u{85}",
    "\u{feff}",
    "'",
    "\"",
    "\\",
    "|",
    ">",
    "#",
    "!!str ",
    "!!int ",
    "~",
    "?",
    "%YAML 1.2\n",
    "99999999999999999999",
    "-0x",
    "0o",
    ".inf",
    "=",
    ".",
    "[0]",
    "{{",
    "}}",
    "{%",
    "%}",
    "{% for i in range(9) %}",
    "{% endfor %}",
    "{{ values }}",
    "{{ node.name }}",
    "| indent(4)",
    "| to_yaml",
    "| tojson",
    "$patch: delete",
    "op: remove",
    "path: /machine",
    "h",
    "ms",
    "1.5",
    "\t",
];

fn mutate(rng: &mut Rng, seed: &str) -> String {
    let mut b = seed.as_bytes().to_vec();
    for _ in 0..=rng.below(4) {
        let len = b.len();
        match rng.below(6) {
            0 if len > 0 => b[rng.below(len)] = rng.next() as u8,
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                let at = rng.below(len + 1);
                b.splice(at..at, t.iter().copied());
            }
            2 if len > 0 => {
                let at = rng.below(len);
                let end = (at + 1 + rng.below(16)).min(len);
                b.drain(at..end);
            }
            3 if len > 0 => {
                let at = rng.below(len);
                let end = (at + 1 + rng.below(64)).min(len);
                let piece = b[at..end].to_vec();
                let to = rng.below(len + 1);
                b.splice(to..to, piece);
            }
            4 if len > 0 => b.truncate(rng.below(len)),
            _ => {
                let at = rng.below(len + 1);
                b.insert(at, b" \n-:{}[]0a"[rng.below(10)]);
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn corpus(prefixes: &[&str]) -> Vec<(String, String)> {
    let dir = common::repo().join("tests/fuzz/corpus");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            prefixes.iter().any(|pre| n.starts_with(pre))
        })
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no corpus for {prefixes:?}");
    out
}

fn iterations(default: usize) -> usize {
    std::env::var("MACHINIST_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn seed() -> u64 {
    std::env::var("MACHINIST_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x6d61_6368_696e_6973)
}

/// The input being tried, how many inputs have finished and how many are being tried right now,
/// for the hang watchdog. The other tests of the binary share the process: the watchdog only
/// counts time while a fuzz input is in flight, so it never fires after the fuzz tests are done.
static CURRENT: Mutex<String> = Mutex::new(String::new());
static DONE: AtomicU64 = AtomicU64::new(0);
static IN_FLIGHT: AtomicU64 = AtomicU64::new(0);

fn watchdog() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        std::thread::spawn(|| {
            let mut last = u64::MAX;
            let mut still = 0;
            loop {
                std::thread::sleep(Duration::from_secs(1));
                let now = DONE.load(Ordering::Relaxed);
                if IN_FLIGHT.load(Ordering::Relaxed) == 0 {
                    still = 0;
                    last = now;
                } else if now == last {
                    still += 1;
                } else {
                    still = 0;
                    last = now;
                }
                if still >= 120 {
                    let input = CURRENT.lock().map(|c| c.clone()).unwrap_or_default();
                    eprintln!("fuzz: one input ran for 2 minutes (a hang):\n{input:?}");
                    save("hang", &input);
                    std::process::abort();
                }
            }
        });
    });
}

fn save(target: &str, input: &str) -> PathBuf {
    let dir = common::repo().join("target/fuzz-found");
    let _ = std::fs::create_dir_all(&dir);
    let h = input.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let p = dir.join(format!("{target}-{h:016x}.txt"));
    let _ = std::fs::write(&p, input);
    p
}

/// Runs `check` on every corpus entry and `iters` mutations of them; a panic names the input.
fn run(target: &str, prefixes: &[&str], iters: usize, check: impl Fn(&str)) {
    watchdog();
    let seeds = corpus(prefixes);
    let mut rng = Rng(seed() ^ target.len() as u64 ^ 0x9e37_79b9);
    let inputs = seeds
        .iter()
        .map(|(_, s)| s.clone())
        .chain((0..iters).map(|i| {
            let (_, s) = &seeds[i % seeds.len()];
            mutate(&mut rng, s)
        }));
    for input in inputs {
        if let Ok(mut c) = CURRENT.lock() {
            c.clone_from(&input);
        }
        IN_FLIGHT.fetch_add(1, Ordering::Relaxed);
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| check(&input)));
        IN_FLIGHT.fetch_sub(1, Ordering::Relaxed);
        if let Err(p) = result {
            let path = save(target, &input);
            eprintln!(
                "fuzz {target}: panic on input saved to {}:\n{input:?}",
                path.display()
            );
            std::panic::resume_unwind(p);
        }
        DONE.fetch_add(1, Ordering::Relaxed);
    }
}

fn basic() -> &'static Project {
    static P: std::sync::OnceLock<Project> = std::sync::OnceLock::new();
    P.get_or_init(|| Project::load(&common::fixture("basic")).expect("fixture loads"))
}

#[test]
fn yaml_loader_never_panics_and_errors_have_positions() {
    run(
        "yaml",
        &["yaml-", "values-", "config-", "patch-"],
        iterations(20_000),
        |text| {
            if let Err(e) = yaml::parse_documents(text) {
                assert!(e.pos.is_some(), "error without a position: {}", e.message);
                assert!(!e.message.is_empty());
            }
        },
    );
}

#[test]
fn set_parser_and_assignment_never_panic() {
    let base = basic().values.root.to_json();
    run("set", &["set-"], iterations(10_000), |text| {
        // The corpus holds one argument per line.
        for arg in text.lines() {
            for kind in [SetKind::Typed, SetKind::String, SetKind::Json] {
                if let Ok(assignments) = values::set::parse(kind, arg) {
                    let mut v = base.clone();
                    for a in &assignments {
                        assert!(a.path.len() <= values::set::MAX_PATH_DEPTH);
                        values::apply_assignment(&mut v, a, None);
                    }
                    assert!(v.is_object(), "{arg}: the values root stays a map");
                }
            }
        }
    });
}

#[test]
fn values_merge_never_panics() {
    let project = basic();
    let base = project.values.root.to_json();
    run("merge", &["values-", "yaml-"], iterations(10_000), |text| {
        if let Ok(node) = yaml::parse_single(text) {
            let mut v = base.clone();
            if matches!(node.kind, yaml::Kind::Map(_) | yaml::Kind::Null) {
                values::merge_node(&project.chart, &mut v, &node, "fuzz", None, None);
            }
        }
    });
}

#[test]
fn template_render_never_panics_and_errors_point_somewhere() {
    let project = basic();
    run(
        "render",
        &["template-", "config-"],
        iterations(10_000),
        |text| {
            let mut p = project.clone();
            p.templates.insert("config.yaml".into(), text.into());
            let opts = RenderOptions {
                nodes: vec!["wk-1".into()],
                ..RenderOptions::default()
            };
            if let Err(diags) = machinist::render::render(&p, opts) {
                for d in diags {
                    assert!(
                        d.location.is_some() || d.node.is_some(),
                        "error with neither a place nor a node: {}",
                        d.message
                    );
                }
            }
        },
    );
}

#[test]
fn patches_never_panic() {
    let base = machinist_patch::parse_documents("base.yaml", &corpus(&["config-"])[0].1).unwrap();
    run(
        "patch",
        &["patch-", "config-"],
        iterations(10_000),
        |text| match machinist_patch::Patch::parse("fuzz.yaml", text) {
            Ok(patch) => {
                let mut docs = base.clone();
                let _ = machinist_patch::apply_patches(&mut docs, &[patch]);
            }
            Err(e) => assert!(e.to_string().contains("fuzz.yaml"), "{e}"),
        },
    );
}

#[test]
fn validate_never_panics() {
    let contract = basic().chart.contract;
    run(
        "validate",
        &["config-", "patch-"],
        iterations(10_000),
        |text| {
            if let Ok(docs) = yaml::parse_documents(text) {
                let json: Vec<serde_json::Value> = docs
                    .iter()
                    .filter(|d| !matches!(d.kind, yaml::Kind::Null))
                    .map(yaml::Node::to_json)
                    .collect();
                let _ = machinist_model::schema::validate_json_documents(contract, &json, false);
                let _ = machinist_model::schema::validate_json_documents(contract, &json, true);
            }
        },
    );
}

#[test]
fn durations_never_panic_and_stay_bounded() {
    run("duration", &["durations"], iterations(10_000), |text| {
        for line in text.lines() {
            if let Ok(d) = machinist_talos::duration::parse(line) {
                assert!(d <= machinist_talos::duration::MAX, "{line}");
            }
            let _ = machinist_talos::sim::Fault::parse(line);
        }
    });
}

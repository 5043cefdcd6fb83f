//! Validation speed: 1,000 node configs (the v1.13 test fixture, one per node with its own
//! hostname and address) validated in parallel, after the schema is compiled once. Prints the
//! compile time and the best of five rounds of the schema check alone and of the full check
//! (schema, Talos's semantic rules in metal mode, deprecations). Run with `cargo bench -p
//! machinist-model` (`RAYON_NUM_THREADS=2` for the 2-core target).

use std::time::Instant;

use machinist_model::schema::{validate_json_documents, warm_up, yaml_to_json};
use machinist_model::{Contract, Mode, check_errors, check_json_documents};
use rayon::prelude::*;
use serde::Deserialize;

fn main() {
    let text = include_str!("../tests/fixtures/base-v1.13.yaml");
    let base: Vec<serde_json::Value> = serde_yaml_ng::Deserializer::from_str(text)
        .map(|d| yaml_to_json(&serde_yaml_ng::Value::deserialize(d).expect("fixture parses")))
        .collect();
    let nodes: Vec<Vec<serde_json::Value>> = (0..1000)
        .map(|i| {
            let mut docs = base.clone();
            docs[0]["machine"]["network"]["hostname"] = format!("node-{i:04}").into();
            docs[0]["machine"]["network"]["interfaces"][0]["addresses"][0] =
                format!("10.{}.{}.{}/16", i / 65536, (i / 256) % 256, i % 256).into();
            docs
        })
        .collect();
    let documents: usize = nodes.iter().map(Vec::len).sum();

    let t = Instant::now();
    warm_up(Contract::V1_13);
    let compile = t.elapsed();

    let mut best = std::time::Duration::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        let findings: usize = nodes
            .par_iter()
            .map(|docs| validate_json_documents(Contract::V1_13, docs, false).len())
            .sum();
        best = best.min(t.elapsed());
        assert_eq!(findings, 0, "the fixture is valid");
    }
    // What render runs for every node: schema and rule errors.
    let mut render = std::time::Duration::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        let errors: usize = nodes
            .par_iter()
            .map(|docs| check_errors(Contract::V1_13, Mode::Metal, docs, false).len())
            .sum();
        render = render.min(t.elapsed());
        assert_eq!(errors, 0, "the fixture is valid in metal mode");
    }
    // What validate and lint run: errors, then warnings and deprecations.
    let mut full = std::time::Duration::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        let errors: usize = nodes
            .par_iter()
            .map(|docs| {
                check_json_documents(Contract::V1_13, Mode::Metal, docs, false)
                    .errors
                    .len()
            })
            .sum();
        full = full.min(t.elapsed());
        assert_eq!(errors, 0, "the fixture is valid in metal mode");
    }
    println!(
        "schema compile (config + patch, v1.13): {:.1} ms",
        compile.as_secs_f64() * 1e3
    );
    println!(
        "validate 1000 nodes ({documents} documents), {} threads: {:.1} ms",
        rayon::current_num_threads(),
        best.as_secs_f64() * 1e3
    );
    println!(
        "render's check (schema + rule errors) of 1000 nodes, {} threads: {:.1} ms",
        rayon::current_num_threads(),
        render.as_secs_f64() * 1e3
    );
    println!(
        "full check (schema + rules + deprecations) of 1000 nodes, {} threads: {:.1} ms",
        rayon::current_num_threads(),
        full.as_secs_f64() * 1e3
    );
}

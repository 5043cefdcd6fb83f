//! Validation speed: 1,000 node configs (the v1.13 test fixture, one per node with its own
//! hostname and address) validated in parallel, after the schema is compiled once. Prints the
//! compile time and the best of five validation rounds. Run with `cargo bench -p machinist-model`.

use std::time::Instant;

use machinist_model::Contract;
use machinist_model::schema::{validate_json_documents, warm_up, yaml_to_json};
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
    println!(
        "schema compile (config + patch, v1.13): {:.1} ms",
        compile.as_secs_f64() * 1e3
    );
    println!(
        "validate 1000 nodes ({documents} documents), {} threads: {:.1} ms",
        rayon::current_num_threads(),
        best.as_secs_f64() * 1e3
    );
}

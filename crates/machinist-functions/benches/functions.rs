//! Cost per call of the template functions a chart uses for every node (run with
//! `cargo bench -p machinist-functions`). Prints nanoseconds per call; no thresholds here, the
//! numbers go into reports and are compared with the render budget (1,000 nodes in 0.5 s).

use std::hint::black_box;
use std::time::Instant;

use minijinja::{Environment, context};

fn time(label: &str, iterations: u32, mut f: impl FnMut()) {
    for _ in 0..iterations / 10 {
        f();
    }
    let start = Instant::now();
    for _ in 0..iterations {
        f();
    }
    let per_call = start.elapsed().as_nanos() / u128::from(iterations);
    println!("{label:<48} {per_call:>8} ns/call");
}

fn main() {
    let net = machinist_functions::ipmath::parse_prefix("10.0.0.0/8").unwrap();
    time("ipmath::host", 1_000_000, || {
        black_box(machinist_functions::ipmath::host(black_box(&net), 12_345).unwrap());
    });
    let schematic = serde_json::json!({"customization": {"systemExtensions": {"officialExtensions": [
        "siderolabs/iscsi-tools", "siderolabs/util-linux-tools", "siderolabs/intel-ucode",
        "siderolabs/i915-ucode", "siderolabs/qemu-guest-agent"]}}});
    time("schematic::schematic_id", 100_000, || {
        black_box(machinist_functions::schematic::schematic_id(black_box(&schematic)).unwrap());
    });

    let mut env = Environment::new();
    machinist_functions::register(&mut env);
    env.add_template(
        "t",
        "{{ cidrhost(values.subnet, 10) }} {{ values.subnet | cidrhostprefix(node.index + 11) }} \
         {{ installer_image(values.schematic, 'v1.12.7') }}",
    )
    .unwrap();
    let tmpl = env.get_template("t").unwrap();
    let ctx = context! {
        values => context! {
            subnet => "192.168.1.0/24",
            schematic => minijinja::Value::from(minijinja::value::Serde(schematic.clone())),
        },
        node => context! { index => 3 },
    };
    time(
        "template: cidrhost + cidrhostprefix + installer_image",
        100_000,
        || {
            black_box(tmpl.render(&ctx).unwrap());
        },
    );
}

//! Patch throughput. In: a generated legacy config with many interfaces, VLANs and certSANs, and
//! a multi-document strategic patch that touches keyed lists, deletes and appends. Out: time
//! per apply and per parse, printed (run with `cargo bench -p machinist-patch`).

use std::fmt::Write;
use std::time::Instant;

use machinist_patch::{Patch, apply_patches, parse_documents};

fn config(interfaces: usize) -> String {
    let mut s = String::from("version: v1alpha1\nmachine:\n  type: controlplane\n  certSANs:\n");
    for i in 0..50 {
        writeln!(s, "    - san{i}.example.org").unwrap();
    }
    s.push_str("  network:\n    interfaces:\n");
    for i in 0..interfaces {
        writeln!(
            s,
            "      - interface: eth{i}\n        mtu: 1500\n        addresses: [10.{}.{}.1/24]\n        vlans:\n          - {{vlanId: 10, dhcp: true}}\n          - {{vlanId: 20}}",
            i / 256,
            i % 256
        )
        .unwrap();
    }
    for i in 0..20 {
        writeln!(
            s,
            "---\napiVersion: v1alpha1\nkind: LinkConfig\nname: link{i}\nmtu: 1500"
        )
        .unwrap();
    }
    s
}

const PATCH: &str = "machine:\n  certSANs: [extra.example.org]\n  network:\n    interfaces:\n      - interface: eth3\n        mtu: 9000\n        vlans: [{vlanId: 20, mtu: 1400}, {vlanId: 30}]\n      - interface: eth5\n        $patch: delete\n    nameservers: [{$patch: replace}, 9.9.9.9]\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: link7\nmtu: 9000\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: link8\n$patch: delete\n";

fn main() {
    for n in [10usize, 100, 1000] {
        let text = config(n);
        let base = parse_documents("base", &text).unwrap();
        let patch = Patch::parse("p", PATCH).unwrap();
        let iters = (20_000 / n).max(20);
        let t = Instant::now();
        for _ in 0..iters {
            let mut cfg = base.clone();
            apply_patches(&mut cfg, std::slice::from_ref(&patch)).unwrap();
            std::hint::black_box(&cfg);
        }
        let apply = t.elapsed() / iters as u32;
        let t = Instant::now();
        for _ in 0..iters {
            std::hint::black_box(parse_documents("base", &text).unwrap());
        }
        let parse = t.elapsed() / iters as u32;
        println!(
            "{n:>5} interfaces ({} KiB): apply (clone + patch) {apply:?}, parse {parse:?}",
            text.len() / 1024
        );
    }
}

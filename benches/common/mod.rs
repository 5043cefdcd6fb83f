//! Shared by the render benchmarks (`render.rs`, `render_fleet.rs`): the project both generate —
//! a Chart.yaml with three layer facets (env × role × hardware), values.yaml with long lists, and
//! the six layer files. In: a directory and a [`Shape`]. Out: those files (templates and nodes are
//! each benchmark's own).

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;

/// How large the generated values are.
pub struct Shape {
    /// Chart name; also the label domain of the sysctl keys (`net.<name>.key<i>`).
    pub name: &'static str,
    /// Entries of `sysctls`.
    pub sysctls: usize,
    /// Entries of `kernelArgs`.
    pub kernel_args: usize,
    /// Entries of `mirrors`.
    pub mirrors: usize,
    /// NTP servers per env layer.
    pub ntp: usize,
    /// Whether values.yaml also has `dns` and ten `kernelModules` (the issue-13 fleet).
    pub dns_and_modules: bool,
}

/// Writes `text` to `root/rel`, creating directories.
pub fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("has a parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// Writes Chart.yaml, values.yaml and the layer files of `shape` under `root`.
pub fn chart_values_layers(root: &Path, shape: &Shape) {
    write(
        root,
        "Chart.yaml",
        &format!(
            "apiVersion: machinist/v1\nname: {}\ntalosVersion: v1.13.0\nkubernetesVersion: v1.35.0\n\
             endpoint: \"https://{{{{ cidrhost(values.subnet, 5) }}}}:6443\"\nlayers: [env, role, hardware]\n\
             indexBy: [env, role]\nmerge:\n  - path: labels\n    lists: append\n",
            shape.name
        ),
    );
    let mut values =
        String::from("subnet: 10.0.0.0/8\nmtu: 1500\nlabels: [{k: managed, v: machinist}]\n");
    if shape.dns_and_modules {
        values.push_str("dns: [10.0.0.53, 10.0.1.53, 1.1.1.1]\n");
    }
    values.push_str("sysctls:\n");
    for i in 0..shape.sysctls {
        let _ = writeln!(
            values,
            "  - {{name: net.{}.key{i}, value: \"{i}\"}}",
            shape.name
        );
    }
    if shape.dns_and_modules {
        values.push_str("kernelModules:\n");
        for m in [
            "br_netfilter",
            "overlay",
            "nf_conntrack",
            "ip_vs",
            "ip_vs_rr",
            "ip_vs_wrr",
            "ip_vs_sh",
            "iscsi_tcp",
            "nvme_tcp",
            "drbd",
        ] {
            let _ = writeln!(values, "  - {{name: {m}, parameters: [debug=0]}}");
        }
    }
    values.push_str("kernelArgs: [");
    for i in 0..shape.kernel_args {
        let _ = write!(values, "{}arg{i}=on", if i > 0 { ", " } else { "" });
    }
    values.push_str("]\nmirrors:\n");
    for i in 0..shape.mirrors {
        let _ = writeln!(
            values,
            "  - {{host: registry{i}.example.org, endpoint: https://mirror{i}.example.org}}"
        );
    }
    write(root, "values.yaml", &values);
    for (env, net) in [("lab", 1), ("prod", 2)] {
        let ntp: Vec<String> = (1..=shape.ntp)
            .map(|i| format!("ntp{i}.{env}.example.org"))
            .collect();
        write(
            root,
            &format!("layers/env/{env}.yaml"),
            &format!(
                "envNet: {net}\nntp: [{}]\nlabels: [{{k: env, v: {env}}}]\n",
                ntp.join(", ")
            ),
        );
    }
    for (role, net) in [("controlplane", 1), ("worker", 2)] {
        write(
            root,
            &format!("layers/role/{role}.yaml"),
            &format!(
                "roleNet: {net}\nmaxPods: {}\nlabels: [{{k: role, v: {role}}}]\n",
                100 * net
            ),
        );
    }
    for (hw, disk, mtu) in [("small", "/dev/nvme0n1", 1500), ("large", "/dev/sda", 9000)] {
        write(
            root,
            &format!("layers/hardware/{hw}.yaml"),
            &format!("disk: {disk}\nmtu: {mtu}\nlabels: [{{k: hardware, v: {hw}}}]\n"),
        );
    }
}

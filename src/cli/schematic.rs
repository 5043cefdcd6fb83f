//! `machinist schematic [DIR]`: the Image Factory schematics the project's nodes install, per
//! distinct schematic (and Talos version, platform, architecture): the ID, the nodes, the
//! installer image and the boot asset URLs (ISO, raw disk, PXE kernel and initramfs, iPXE
//! script) on the factory named by Chart.yaml `imageFactory` (default the public factory).
//! `--register` posts each schematic to that factory and fails when it answers another ID.
//! Exit 0 ok, 1 error.

use std::path::PathBuf;

use clap::Args;
use machinist::factory::{self, Image, register};
use machinist::project::Project;
use machinist::render::render;
use machinist::values;
use serde_json::json;

use super::exit::ExitStatus;
use super::report::{self, Format};
use super::values_args::ValuesArgs;

/// Print schematic IDs, installer images and boot asset URLs (ISO, disk, PXE) per schematic.
#[derive(Debug, Args)]
pub(super) struct SchematicArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Only the schematics of this node (repeatable).
    #[arg(long = "node", value_name = "NAME")]
    pub nodes: Vec<String>,
    /// `text` (a block per schematic) or `json` (one object on stdout).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Register each schematic with the factory (idempotent), so it can build the images; fails
    /// when the factory answers another ID than the installer image names.
    #[arg(long)]
    pub register: bool,
    #[command(flatten)]
    pub values: ValuesArgs,
}

/// Runs `machinist schematic`.
pub(super) fn run(args: SchematicArgs) -> ExitStatus {
    let project = match Project::load(&args.dir) {
        Ok(p) => p,
        Err(d) => {
            report::print(&d);
            return ExitStatus::Failure;
        }
    };
    let options = match args.values.render_options(&args.nodes, false) {
        Ok(o) => o,
        Err(d) => {
            report::print(&d);
            return ExitStatus::Failure;
        }
    };
    let overrides = options.overrides.clone();
    let rendered = match render(&project, options) {
        Ok(r) => r,
        Err(d) => {
            report::print(&d);
            report::error(&format!("rendering failed with {} error(s)", d.len()));
            return ExitStatus::Failure;
        }
    };
    let mut node_values = Vec::new();
    for n in &rendered {
        let file = project.node(&n.name).expect("rendered nodes exist");
        match values::node_values(&project, file, &overrides, false) {
            Ok(v) => node_values.push(v.values.to_json()),
            Err(d) => {
                report::print(&[d]);
                return ExitStatus::Failure;
            }
        }
    }
    let images = match factory::images(&rendered, &node_values, &project.chart.talos_version) {
        Ok(i) => i,
        Err(errors) => {
            for e in &errors {
                report::error(&e.to_string());
            }
            return ExitStatus::Failure;
        }
    };
    let base = project
        .chart
        .image_factory
        .clone()
        .unwrap_or_else(|| factory::DEFAULT_FACTORY_URL.to_string())
        .trim_end_matches('/')
        .to_string();
    for note in images.iter().flat_map(|i| &i.notes) {
        eprintln!("warning: {note}");
    }
    let host = base.split_once("://").map_or(base.as_str(), |(_, h)| h);
    for img in &images {
        for i in &img.installers {
            if i.contains(&img.id) && !i.starts_with(&format!("{host}/")) {
                eprintln!(
                    "warning: nodes {}: installer image `{i}` is not from the factory in Chart.yaml ({base}); pass `factory=\"{host}\"` to installer_image() in the template so upgrades use the same factory",
                    img.nodes.join(", ")
                );
            }
        }
    }
    match args.format {
        Format::Text => print!("{}", text(&images, &base)),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json_report(&images, &base)).expect("JSON serializes")
        ),
    }
    if args.register {
        return register_all(&images, &base);
    }
    ExitStatus::Success
}

fn text(images: &[Image], base: &str) -> String {
    let mut out = String::new();
    for (i, img) in images.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let a = img.assets(base);
        let sb = if img.secureboot { ", secure boot" } else { "" };
        out.push_str(&format!(
            "schematic {} (Talos {}, {}-{}{sb})\n",
            img.id, img.version, img.platform, img.arch
        ));
        let rows = [
            ("nodes", img.nodes.join(", ")),
            ("installer", img.installers.join(", ")),
            ("iso", a.iso),
            ("disk image", a.disk),
            ("pxe kernel", a.kernel),
            ("pxe initramfs", a.initramfs),
            ("ipxe script", a.ipxe),
        ];
        for (k, v) in rows {
            out.push_str(&format!("  {:<14} {v}\n", format!("{k}:")));
        }
    }
    out
}

fn json_report(images: &[Image], base: &str) -> serde_json::Value {
    json!({
        "factory": base,
        "schematics": images.iter().map(|img| json!({
            "id": img.id,
            "talosVersion": img.version,
            "platform": img.platform,
            "arch": img.arch,
            "secureboot": img.secureboot,
            "nodes": img.nodes,
            "installers": img.installers,
            "assets": img.assets(base),
            "schematic": img.schematic,
        })).collect::<Vec<_>>(),
    })
}

fn register_all(images: &[Image], base: &str) -> ExitStatus {
    let mut failed = false;
    let mut done: Vec<&str> = Vec::new();
    for img in images {
        if done.contains(&img.id.as_str()) {
            continue;
        }
        done.push(&img.id);
        let Some(body) = &img.schematic else {
            report::error(&format!(
                "schematic {} (nodes {}): the installer image names it, but no node's `schematic` value hashes to it, so there is nothing to register; put the schematic under `schematic:` in values.yaml or a layer (the same map you would POST to the factory)",
                img.id,
                img.nodes.join(", ")
            ));
            failed = true;
            continue;
        };
        match register::register(base, body, &img.id) {
            Ok(()) => eprintln!("registered schematic {} with {base}", img.id),
            Err(e) => {
                report::error(&e.to_string());
                failed = true;
            }
        }
    }
    ExitStatus::failure_if(failed)
}

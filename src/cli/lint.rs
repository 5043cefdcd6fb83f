//! `machinist lint [DIR]`: renders every node (which validates every document against the
//! project's contract), then runs the cluster-wide checks of DESIGN §3 over the rendered configs:
//! duplicate hostnames and addresses, VIPs outside their link's subnet or differing across
//! control planes, an endpoint that is neither the VIP nor a control-plane address, pod/service
//! CIDRs overlapping node subnets, nodes without an install disk (the rules live in `machinist::lint`;
//! this file parses, calls and prints). Each finding names its nodes.
//! Exit 1 on any finding. Deprecated fields the configs set are warnings (grouped by field, with
//! the nodes that set them), and so is a value a layer file sets that no template reads (a typo in
//! a layer key is otherwise silent): they are shown but do not fail the run.

use std::path::PathBuf;

use clap::Args;
use machinist::diagnostics::Diagnostic;
use machinist::lint;
use machinist::project::Project;
use machinist::render::render;

use super::exit::ExitStatus;
use super::report;

/// Render every node and check the cluster as a whole.
#[derive(Debug, Args)]
pub(super) struct LintArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// `text` (diagnostics on stderr) or `json` (one report on stdout, for CI).
    #[arg(long, value_enum, default_value_t = super::report::Format::Text)]
    pub format: super::report::Format,
    #[command(flatten)]
    pub values: super::values_args::ValuesArgs,
}

/// Runs `machinist lint`.
pub(super) fn run(args: LintArgs) -> ExitStatus {
    let json = args.format == report::Format::Json;
    let fail = |diags: &[Diagnostic], summary: String| {
        if json {
            report::print_json_report(diags, serde_json::json!({ "ok": false }));
        } else {
            report::print(diags);
            report::error(&summary);
        }
        ExitStatus::Failure
    };
    let project = match Project::load(&args.dir) {
        Ok(p) => p,
        Err(diags) => return fail(&diags, "the project does not load".into()),
    };
    let options = match args.values.render_options(&[], false) {
        Ok(o) => o,
        Err(diags) => return fail(&diags, "invalid values or patches".into()),
    };
    let nodes = match render(&project, options) {
        Ok(n) => n,
        Err(diags) => {
            let summary = format!(
                "{} problem(s) found while rendering and validating",
                diags.len()
            );
            return fail(&diags, summary);
        }
    };
    let contract = project.chart.contract;
    let unused = lint::unused_layer_values(&project);
    let unused_count = unused.len();
    let warnings: Vec<Diagnostic> = lint::deprecation_warnings(&nodes, contract)
        .into_iter()
        .chain(unused)
        .collect();
    let findings = lint::cluster_findings(&nodes);
    let ok = findings.is_empty();
    if json {
        let diags: Vec<Diagnostic> = findings.into_iter().chain(warnings).collect();
        report::print_json_report(
            &diags,
            serde_json::json!({ "ok": ok, "nodes": nodes.len(), "contract": contract.as_str() }),
        );
        return ExitStatus::failure_if(!ok);
    }
    report::print(&warnings);
    if ok {
        let tail = match (warnings.len() - unused_count, unused_count) {
            (0, 0) => String::new(),
            (n, 0) => format!("; {n} deprecation warning(s)"),
            (n, u) => format!("; {n} deprecation warning(s), {u} unused layer value(s)"),
        };
        println!(
            "{} node(s) rendered and valid for Talos {contract}; cluster checks passed{tail}",
            nodes.len(),
        );
        return ExitStatus::Success;
    }
    report::print(&findings);
    report::error(&format!("{} cluster problem(s) found", findings.len()));
    ExitStatus::Failure
}

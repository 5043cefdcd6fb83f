//! Which addresses are this project's control planes. In: rendered nodes (addresses with any
//! `address` expression evaluated; typed role from the rendered `machine.type`)
//! and the rendered cluster endpoint. Out: the control-plane endpoints a talosconfig should list,
//! and the check that warns when a talosconfig dials something else (a project copied from
//! another cluster still carrying that cluster's talosconfig).

use std::sync::OnceLock;

use machinist::render::RenderedNode;

/// Whether a node is a control plane: its typed role, from the rendered `machine.type` (DESIGN §5).
pub(super) fn is_controlplane(n: &RenderedNode) -> bool {
    n.role.is_control_plane()
}

/// `(name, address)` of every control plane among `nodes`, in node order.
pub(super) fn controlplanes(nodes: &[RenderedNode]) -> Vec<(String, String)> {
    nodes
        .iter()
        .filter(|n| is_controlplane(n))
        .map(|n| (n.name.clone(), n.address.clone()))
        .collect()
}

/// What this run's project says the Talos API endpoints are.
#[derive(Debug, Clone, Default)]
pub(super) struct ProjectEndpoints {
    /// `(name, address)` of every control plane.
    pub controlplanes: Vec<(String, String)>,
    /// The host of Chart.yaml's rendered `endpoint` (a VIP or load balancer), if any.
    pub cluster_host: Option<String>,
}

static PROJECT: OnceLock<ProjectEndpoints> = OnceLock::new();

/// Records the project's endpoints for [`check`], once per run (done where the project is
/// rendered, so that connecting needs no second render).
pub(super) fn remember(endpoints: ProjectEndpoints) {
    let _ = PROJECT.set(endpoints);
}

/// A warning when a talosconfig's `endpoints` are not this project's control planes (or its
/// cluster endpoint); `None` when they are, or when the project is unknown to this run.
pub(super) fn check(talosconfig: &str, endpoints: &[String]) -> Option<String> {
    let project = PROJECT.get()?;
    if project.controlplanes.is_empty() {
        return None;
    }
    let ours = |e: &str| {
        let h = machinist::address::host(e);
        project
            .controlplanes
            .iter()
            .any(|(_, a)| machinist::address::host(a) == h)
            || project.cluster_host.as_deref() == Some(h)
    };
    let foreign: Vec<&str> = endpoints
        .iter()
        .map(String::as_str)
        .filter(|e| !ours(e))
        .collect();
    if foreign.is_empty() {
        return None;
    }
    let cps: Vec<String> = project
        .controlplanes
        .iter()
        .map(|(n, a)| format!("{n} {a}"))
        .collect();
    Some(format!(
        "{talosconfig} dials {}, which {} not a control plane of this project ({}); it may belong to another cluster\n = hint: regenerate it with `machinist talosconfig`, or pass --endpoints",
        foreign.join(", "),
        if foreign.len() == 1 { "is" } else { "are" },
        cps.join(", ")
    ))
}

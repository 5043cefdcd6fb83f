//! The template context. In: the project and every node's merged values. Out: the `values`,
//! `node`, `cluster` and `chart` variables of DESIGN §2. The parts shared by all nodes (`cluster`,
//! with every node's values, and `chart`) are built once and shared by reference, so a fleet of N
//! nodes costs O(N) to set up, not O(N²).

use minijinja::{Environment, Value, context};
use serde_json::{Value as Json, json};

use super::lazy;
use crate::diagnostics::Diagnostic;
use crate::project::Project;
use crate::values::{self, NodeValues, Overrides};

/// Context parts shared by every node of a run.
#[derive(Debug)]
pub struct Shared {
    /// Each node's `cluster.nodes` entry.
    entries: Vec<lazy::NodeEntry>,
    chart: Value,
    chart_json: Json,
    /// Whether node `i` is a control plane (its role is one of Chart.yaml's `controlPlaneRoles`).
    controlplane: Vec<bool>,
    /// The rendered endpoint.
    pub endpoint: Option<String>,
    indexes: Vec<usize>,
    addresses: Vec<String>,
}

/// Per-node facts every later step needs: `node.index` and the resolved address.
#[derive(Debug, Clone)]
pub struct NodeFacts {
    /// `node.index`: position among nodes with the same `indexBy` facet values, by name.
    pub indexes: Vec<usize>,
    /// The node's address, with an `address` expression evaluated.
    pub addresses: Vec<String>,
}

impl NodeFacts {
    /// Computes indexes, then evaluates address expressions (which may use `node.index`).
    pub fn build(
        project: &Project,
        env: &Environment<'static>,
        values: &[NodeValues],
        overrides: &Overrides,
    ) -> Result<NodeFacts, Vec<Diagnostic>> {
        let mut indexes = vec![0; project.nodes.len()];
        let mut seen: std::collections::BTreeMap<Vec<Option<&str>>, usize> = Default::default();
        for (i, n) in project.nodes.iter().enumerate() {
            let group = project.chart.index_by.iter().map(|f| n.facet(f)).collect();
            let c = seen.entry(group).or_default();
            indexes[i] = *c;
            *c += 1;
        }
        let mut addresses = Vec::with_capacity(project.nodes.len());
        let mut errors = Vec::new();
        for (i, n) in project.nodes.iter().enumerate() {
            if !(n.address.contains("{{") || n.address.contains("{%")) {
                addresses.push(n.address.clone());
                continue;
            }
            let node =
                json!({"name": n.name, "facets": facets(n), "role": n.role(), "index": indexes[i]});
            let rendered = env
                .template_from_named_str("address", &n.address)
                .and_then(|t| {
                    t.render(context! { values => lazy::view_values(&values[i].values), node => ser(&node) })
                });
            let pos = n
                .source
                .root
                .get("address")
                .map_or(n.source.root.pos, |a| a.pos);
            match rendered {
                Ok(a) if !a.trim().is_empty() => addresses.push(a.trim().to_string()),
                Ok(_) => errors.push(
                    n.source
                        .error(pos, "`address` evaluates to an empty string")
                        .for_node(&n.name),
                ),
                Err(e) => {
                    let detail = e.detail().unwrap_or("template error");
                    // A value the expression needs is missing because a file spells its key
                    // differently: report that file's line (once for every node it affects).
                    if let Some(d) = super::errors::misspelled_value(
                        project,
                        n,
                        &values[i].values.to_json(),
                        overrides,
                        &n.address,
                        "its `address`",
                    ) {
                        errors.push(d);
                        continue;
                    }
                    errors.push(
                        n.source
                            .error(pos, format!("cannot evaluate `address`: {detail}"))
                            .for_node(&n.name)
                            .hint("an address expression sees `values` and `node` (name, facets, role, index)"),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(NodeFacts { indexes, addresses })
        } else {
            Err(errors)
        }
    }
}

impl Shared {
    /// Builds the shared parts; renders Chart.yaml's `endpoint` when it is an expression.
    pub fn build(
        project: &Project,
        env: &Environment<'static>,
        values: &[NodeValues],
        overrides: &Overrides,
        facts: &NodeFacts,
    ) -> Result<Shared, Diagnostic> {
        let chart = &project.chart;
        let chart_json = chart.source.root.to_json();
        let endpoint = match &chart.endpoint {
            Some(e) if e.contains("{{") || e.contains("{%") => {
                let base = values::cluster_values(project, overrides);
                let rendered = env
                    .template_from_named_str("Chart.yaml (endpoint)", e)
                    .and_then(|t| {
                        t.render(context! { values => ser(&base), chart => ser(&chart_json) })
                    });
                match rendered {
                    Ok(s) => Some(s.trim().to_string()),
                    Err(err) => {
                        let pos = chart
                            .source
                            .root
                            .get("endpoint")
                            .map_or_else(Default::default, |n| n.pos);
                        let detail = err.detail().unwrap_or("template error").to_string();
                        return Err(chart
                            .source
                            .error(pos, format!("cannot evaluate `endpoint`: {detail}"))
                            .hint("the endpoint expression sees `values` (values.yaml, -f and --set) and `chart`"));
                    }
                }
            }
            other => other.clone(),
        };
        // Every node's entry is built once; each rendering thread gets its own list of them (see
        // `cluster`), and the two role lists hold the same entries, so a template can loop over
        // the control planes without filtering the whole fleet for every node.
        let controlplane: Vec<bool> = project
            .nodes
            .iter()
            .map(|n| is_controlplane(project, n))
            .collect();
        let entries = project
            .nodes
            .iter()
            .zip(values)
            .zip(&facts.addresses)
            .map(|((n, v), address)| {
                lazy::NodeEntry::new(&n.name, address, facets(n), n.role(), &v.values)
            })
            .collect();
        Ok(Shared {
            entries,
            chart: ser(&chart_json),
            chart_json,
            controlplane,
            endpoint,
            indexes: facts.indexes.clone(),
            addresses: facts.addresses.clone(),
        })
    }

    fn node_json(&self, project: &Project, i: usize) -> Json {
        let n = &project.nodes[i];
        json!({
            "name": n.name,
            "address": self.addresses[i],
            "facets": facets(n),
            "role": n.role(),
            "index": self.indexes[i],
            "facts": project.facts.get(&n.name).cloned().unwrap_or_else(|| json!({})),
        })
    }

    /// The resolved address of node `i`.
    pub fn address(&self, i: usize) -> &str {
        &self.addresses[i]
    }

    /// The `cluster` variable, with `nodes`, `controlplanes` and `workers`. Every call makes new
    /// list and entry objects (their attributes are shared): a rendering thread builds one and
    /// uses it for all its nodes, so a loop over the fleet never touches reference counts another
    /// thread touches too — the contended atomic increments and decrements were a tenth of a
    /// 1,000-node render's time.
    pub fn cluster(&self, project: &Project) -> Value {
        let mut all = Vec::with_capacity(self.entries.len());
        let (mut cps, mut workers) = (Vec::new(), Vec::new());
        for (entry, cp) in self.entries.iter().zip(&self.controlplane) {
            let v = entry.clone().into_value();
            if *cp {
                cps.push(v.clone());
            } else {
                workers.push(v.clone());
            }
            all.push(v);
        }
        let chart = &project.chart;
        context! {
            name => chart.name.clone(),
            endpoint => self.endpoint.clone(),
            talosVersion => chart.talos_version.clone(),
            contract => chart.contract.as_str(),
            kubernetesVersion => chart.kubernetes_version.clone(),
            nodes => Value::from(all),
            controlplanes => Value::from(cps),
            workers => Value::from(workers),
        }
    }

    /// The context for node `i`, with `cluster` from [`Shared::cluster`] and `values` converted
    /// through this thread's `converted`.
    pub fn node_context(
        &self,
        project: &Project,
        i: usize,
        values: &NodeValues,
        cluster: &Value,
        converted: &mut lazy::Converted,
    ) -> Value {
        context! {
            values => converted.values(&values.values),
            node => ser(self.node_json(project, i)),
            cluster => cluster.clone(),
            chart => self.chart.clone(),
        }
    }

    /// The same context as JSON (for error suggestions; built only when an error happens).
    pub fn node_context_json(&self, project: &Project, i: usize, values: &NodeValues) -> Json {
        let c = &project.chart;
        let entry = |(i, n): (usize, &crate::project::NodeFile)| json!({"name": n.name, "address": self.addresses[i], "facets": facets(n), "role": n.role(), "values": {}});
        let nodes: Vec<Json> = project.nodes.iter().enumerate().map(entry).collect();
        let of_kind = |cp: bool| -> Vec<Json> {
            project
                .nodes
                .iter()
                .enumerate()
                .filter(|(i, _)| self.controlplane[*i] == cp)
                .map(entry)
                .collect()
        };
        json!({
            "values": values.values.to_json(),
            "node": self.node_json(project, i),
            "cluster": {
                "name": c.name,
                "endpoint": self.endpoint,
                "talosVersion": c.talos_version,
                "contract": c.contract.as_str(),
                "kubernetesVersion": c.kubernetes_version,
                "nodes": nodes,
                "controlplanes": of_kind(true),
                "workers": of_kind(false),
            },
            "chart": self.chart_json,
        })
    }
}

/// Whether `n` is a control plane for `cluster.controlplanes`: its `role` facet is one of
/// Chart.yaml's `controlPlaneRoles`. Templates render before `machine.type` exists, so the facet
/// decides here; a node without a role is a worker.
pub fn is_controlplane(project: &Project, n: &crate::project::NodeFile) -> bool {
    n.role()
        .is_some_and(|r| project.chart.control_plane_roles.iter().any(|c| c == r))
}

fn facets(n: &crate::project::NodeFile) -> Json {
    Json::Object(
        n.facets
            .iter()
            .map(|(k, _, v)| (k.clone(), Json::String(v.clone())))
            .collect(),
    )
}

fn ser<T: serde::Serialize>(t: T) -> Value {
    Value::from(minijinja::value::Serde(t))
}

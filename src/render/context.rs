//! The template context. In: the project and every node's merged values. Out: the `values`,
//! `node`, `cluster` and `chart` variables of DESIGN §2. The parts shared by all nodes (`cluster`,
//! with every node's values, and `chart`) are built once and shared by reference, so a fleet of N
//! nodes costs O(N) to set up, not O(N²).

use minijinja::{Environment, Value, context};
use serde_json::{Value as Json, json};

use crate::diagnostics::Diagnostic;
use crate::project::Project;
use crate::values::{self, NodeValues, Overrides};

/// Context parts shared by every node of a run.
#[derive(Debug)]
pub struct Shared {
    cluster: Value,
    chart: Value,
    cluster_json: Json,
    chart_json: Json,
    /// The rendered endpoint.
    pub endpoint: Option<String>,
    /// `node.index` of each node (position among nodes with the same role, by name).
    indexes: Vec<usize>,
}

impl Shared {
    /// Builds the shared parts; renders Chart.yaml's `endpoint` when it is an expression.
    pub fn build(
        project: &Project,
        env: &Environment<'static>,
        values: &[NodeValues],
        overrides: &Overrides,
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
        let mut indexes = vec![0; project.nodes.len()];
        let mut seen: std::collections::BTreeMap<Option<&str>, usize> = Default::default();
        for (i, n) in project.nodes.iter().enumerate() {
            let c = seen.entry(n.role()).or_default();
            indexes[i] = *c;
            *c += 1;
        }
        let nodes: Vec<Json> = project
            .nodes
            .iter()
            .zip(values)
            .map(|(n, v)| {
                json!({
                    "name": n.name,
                    "address": n.address,
                    "facets": facets(n),
                    "role": n.role(),
                    "values": v.values,
                })
            })
            .collect();
        let cluster_json = json!({
            "name": chart.name,
            "endpoint": endpoint,
            "talosVersion": chart.talos_version,
            "contract": chart.contract.as_str(),
            "kubernetesVersion": chart.kubernetes_version,
            "nodes": nodes,
        });
        Ok(Shared {
            cluster: ser(&cluster_json),
            chart: ser(&chart_json),
            cluster_json,
            chart_json,
            endpoint,
            indexes,
        })
    }

    fn node_json(&self, project: &Project, i: usize) -> Json {
        let n = &project.nodes[i];
        json!({
            "name": n.name,
            "address": n.address,
            "facets": facets(n),
            "role": n.role(),
            "index": self.indexes[i],
            "facts": project.facts.get(&n.name).cloned().unwrap_or_else(|| json!({})),
        })
    }

    /// The context for node `i`.
    pub fn node_context(&self, project: &Project, i: usize, values: &NodeValues) -> Value {
        context! {
            values => ser(&values.values),
            node => ser(self.node_json(project, i)),
            cluster => self.cluster.clone(),
            chart => self.chart.clone(),
        }
    }

    /// The same context as JSON (for error suggestions; built only when an error happens).
    pub fn node_context_json(&self, project: &Project, i: usize, values: &NodeValues) -> Json {
        json!({
            "values": values.values,
            "node": self.node_json(project, i),
            "cluster": self.cluster_json,
            "chart": self.chart_json,
        })
    }
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

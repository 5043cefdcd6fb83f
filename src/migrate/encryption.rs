//! `migrate DIR --write` keeps kube-apiserver's etcd encryption providers. In: the effective
//! settings every node ran with before the migration and the project as it will be under the
//! target contract. Out: a [`Keep`]: nothing to do (the target render runs the same providers), or
//! the template to write into `templates/` (with the `templates:` line Chart.yaml needs, when it
//! lists its templates), or why it cannot be kept without a human.
//!
//! Why: up to v1.13 Talos built the encryption configuration from `cluster.secretboxEncryptionSecret`
//! / `cluster.aescbcEncryptionSecret` with `identity` last (`APIServerEncryptionConfig` in
//! `k8stemplates/apiserver.go`); from v1.14 the secrets stage writes the KubeEtcdEncryptionConfig
//! Talos's generator writes, without `identity`, and data stored before encryption was on would
//! become unreadable. The template writes the old provider list with key names only; the secrets
//! stage fills in each key (`fill_encryption_config` in `machinist-secrets`), so no secret is
//! ever written to the project.

use std::path::Path;

use machinist_model::migrate::effective::Effective;
use serde_json::Value as J;

use crate::diagnostics::{Diagnostic, Kind};
use crate::project::Project;
use crate::project::TemplateRule;
use crate::render::{RenderOptions, render};
use crate::yaml::Pos;

/// The template `--write` adds, under `templates/`.
pub const FILE: &str = "etcd-encryption.yaml";

/// The effective setting compared.
const SETTING: &str = "etcd encryption providers";

/// What keeping the providers takes.
#[derive(Debug)]
pub enum Keep {
    /// Nothing: under the target the nodes run the providers they ran.
    Same,
    /// Write `template` to `templates/etcd-encryption.yaml`; with `chart_line`, also insert that
    /// line into Chart.yaml (0-based line index to insert before, and the line).
    Write {
        /// The template text.
        template: String,
        /// The `templates:` entry for Chart.yaml, when it lists its templates.
        chart_line: Option<(usize, String)>,
        /// The providers kept, for the report (`secretbox key2, identity`).
        providers: String,
    },
    /// Cannot be kept by `--write`: why, and what to do.
    Blocked(Box<Diagnostic>),
}

/// Renders `target` (the project under the target contract) and, when a node's encryption
/// providers differ from `before`, adds the template that keeps them to `target` (in memory) and
/// checks that it does. Render errors under the target are returned as they are.
pub fn plan(
    dir: &Path,
    before: &[(String, Effective)],
    target: &mut Project,
) -> Result<Keep, Vec<Diagnostic>> {
    let lost = changed(before, &effective(target)?);
    if lost.is_empty() {
        return Ok(Keep::Same);
    }
    let mut old: Vec<&J> = lost.iter().map(|(_, b, _)| b).collect();
    old.dedup();
    let blocked = |msg: String, hint: &str| {
        Ok(Keep::Blocked(Box::new(
            Diagnostic::new(Kind::Validation, msg).hint(hint.to_string()),
        )))
    };
    let keep_by_hand = "write a KubeEtcdEncryptionConfig with the old provider list in a template for the control planes (key names only: the secrets stage fills in the keys), then run `migrate --write` again";
    let nodes = lost
        .iter()
        .map(|(n, _, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let (Some(old), 1) = (old.first().copied(), old.len()) else {
        return blocked(
            format!(
                "the nodes ran different etcd encryption providers ({nodes}); `--write` keeps one list only"
            ),
            keep_by_hand,
        );
    };
    let Some((yaml, providers)) = providers_yaml(old) else {
        return blocked(
            format!(
                "kube-apiserver on {nodes} ran the etcd encryption providers {old}, which `--write` cannot write back"
            ),
            keep_by_hand,
        );
    };
    let rel = Path::new("templates").join(FILE);
    if dir.join(&rel).exists() || target.templates.contains_key(FILE) {
        return blocked(
            format!(
                "{} exists; not overwritten, yet under {} kube-apiserver on {nodes} would no longer run the etcd encryption providers it ran ({providers})",
                rel.display(),
                target.chart.contract
            ),
            "rename that template, or make it write a KubeEtcdEncryptionConfig with the old provider list, then run `migrate --write` again",
        );
    }
    let chart_line = match &target.chart.templates {
        None => None,
        Some(rules) => match chart_entry(&target.chart.source.text, rules) {
            Some(line) => Some(line),
            None => {
                return blocked(
                    "Chart.yaml's `templates:` list is not a block list `--write` can add a line to".to_string(),
                    &format!("add `- file: {FILE}` to Chart.yaml's `templates:`, or {keep_by_hand}"),
                );
            }
        },
    };
    let template = template_text(&yaml, &providers);
    target
        .templates
        .insert(FILE.to_string(), template.clone().into());
    if let Some(rules) = &mut target.chart.templates {
        rules.push(TemplateRule {
            file: FILE.to_string(),
            when: Vec::new(),
            pos: Pos { line: 1, col: 1 },
        });
    }
    let still = changed(before, &effective(target)?);
    if !still.is_empty() {
        let nodes = still
            .iter()
            .map(|(n, _, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return blocked(
            format!(
                "a template with the old etcd encryption providers does not restore them on {nodes} (are the control planes' `role` facets among Chart.yaml's `controlPlaneRoles`?)"
            ),
            keep_by_hand,
        );
    }
    Ok(Keep::Write {
        template,
        chart_line,
        providers,
    })
}

fn effective(p: &Project) -> Result<Vec<(String, Effective)>, Vec<Diagnostic>> {
    Ok(render(p, RenderOptions::default())?
        .into_iter()
        .map(|n| (n.name, Effective::of(&n.documents)))
        .collect())
}

/// The nodes whose providers differ: name, before, after.
fn changed(before: &[(String, Effective)], after: &[(String, Effective)]) -> Vec<(String, J, J)> {
    before
        .iter()
        .filter_map(|(name, b)| {
            let a = after.iter().find(|(n, _)| n == name)?;
            let (b, a) = (
                b.0.get(SETTING).cloned().unwrap_or(J::Null),
                a.1.0.get(SETTING).cloned().unwrap_or(J::Null),
            );
            (b != a).then(|| (name.clone(), b, a))
        })
        .collect()
}

/// The `config.resources` YAML (indented for the template) for the providers as the effective
/// settings name them, and the list in words; `None` when one is not a provider the secrets stage
/// fills (`secretbox key2`, `aescbc key1`) or `identity`.
fn providers_yaml(old: &J) -> Option<(String, String)> {
    let mut yaml = String::from("config:\n  resources:\n");
    let mut words = Vec::new();
    for (resources, providers) in old.as_object().filter(|m| !m.is_empty())? {
        yaml.push_str("    - resources:\n");
        for r in resources.split(',') {
            yaml.push_str(&format!("        - {r}\n"));
        }
        yaml.push_str("      providers:\n");
        for p in providers.as_array()? {
            let p = p.as_str()?;
            match p {
                "identity" => yaml.push_str("        - identity: {}\n"),
                "secretbox key2" | "aescbc key1" => {
                    let (kind, name) = p.split_once(' ')?;
                    yaml.push_str(&format!(
                        "        - {kind}:\n            keys:\n              - name: {name}\n"
                    ));
                }
                _ => return None,
            }
            words.push(p.to_string());
        }
    }
    Some((yaml, words.join(", ")))
}

fn template_text(yaml: &str, providers: &str) -> String {
    format!(
        "{{#- Written by `machinist migrate --write`. Up to v1.13 kube-apiserver ran with the etcd
    encryption providers {providers} (Talos's v1alpha1 path); without this document the
    secrets stage writes Talos's v1.14 default, which has no `identity`, and data stored before
    encryption was on would become unreadable. Key names only: the secrets stage fills in each
    key. Control planes only (the nodes in `cluster.controlplanes`). #}}
{{%- if node.name in cluster.controlplanes | map(attribute=\"name\") | list %}}
apiVersion: v1alpha1
kind: KubeEtcdEncryptionConfig
{yaml}{{%- endif %}}
"
    )
}

/// Where Chart.yaml's block `templates:` list ends and the entry to add there (same indentation
/// as the last entry); `None` for a flow list or an empty one.
fn chart_entry(text: &str, rules: &[TemplateRule]) -> Option<(usize, String)> {
    let last = rules.last()?;
    let lines: Vec<&str> = text.lines().collect();
    let line = *lines.get(last.pos.line.checked_sub(1)?)?;
    let body = line.trim_start();
    if !body.starts_with("- ") {
        return None;
    }
    let indent = line.len() - body.len();
    let (prefix, body_col) = (format!("{}- ", &line[..indent]), indent + 2);
    let mut end = last.pos.line;
    while let Some(l) = lines.get(end) {
        let indent = l.len() - l.trim_start().len();
        if l.trim().is_empty() || indent < body_col {
            break;
        }
        end += 1;
    }
    Some((end, format!("{prefix}file: {FILE}")))
}

//! Talos's apply rules, as the simulator plays them. In: the running and the submitted machine
//! config bytes. Out: parse/validation errors worded like Talos, the comment-free canonical text
//! both sides are compared in, the unified diff used in dry-run `mode_details`, and the
//! `CanApplyImmediate` verdict (v1.13 and older) that decides between NO_REBOOT and REBOOT.

use serde_yaml_ng::Value;

/// The v1alpha1 fields Talos can change on a running node (copied from the running config before
/// comparing, so differences there never force a reboot).
const LIVE_MACHINE_FIELDS: &[&str] = &[
    "ca",
    "acceptedCAs",
    "time",
    "certSANs",
    "install",
    "network",
    "sysfs",
    "sysctls",
    "logging",
    "controlPlane",
    "kubelet",
    "kernel",
    "registries",
    "pods",
    "seccompProfiles",
    "nodeAnnotations",
    "nodeLabels",
    "nodeTaints",
];
const LIVE_FEATURE_FIELDS: &[&str] = &[
    "kubernetesTalosAPIAccess",
    "kubePrism",
    "hostDNS",
    "imageCache",
    "nodeAddressSortAlgorithm",
];

/// A parsed multi-document machine config.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The legacy `version: v1alpha1` document, if present.
    pub v1alpha1: Option<Value>,
    /// The other documents, in order.
    pub others: Vec<Value>,
}

/// Parses config bytes the way the simulator validates them: YAML documents, each a mapping.
pub fn parse(data: &[u8]) -> Result<Config, String> {
    let text = std::str::from_utf8(data).map_err(|_| "config is not UTF-8".to_owned())?;
    let mut cfg = Config {
        v1alpha1: None,
        others: Vec::new(),
    };
    for (i, doc) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
        let v = <Value as serde::Deserialize>::deserialize(doc)
            .map_err(|e| format!("failed to parse config: document {}: {e}", i + 1))?;
        match &v {
            Value::Null => continue,
            Value::Mapping(m) => {
                let is_v1 = m.get("version").and_then(Value::as_str) == Some("v1alpha1")
                    && m.get("kind").is_none();
                if is_v1 {
                    if cfg.v1alpha1.is_some() {
                        return Err("duplicate v1alpha1 document".into());
                    }
                    cfg.v1alpha1 = Some(v);
                } else if m.get("kind").and_then(Value::as_str).is_some() {
                    cfg.others.push(v);
                } else {
                    return Err(format!(
                        "failed to parse config: document {}: missing kind",
                        i + 1
                    ));
                }
            }
            _ => {
                return Err(format!(
                    "failed to parse config: document {}: not a mapping",
                    i + 1
                ));
            }
        }
    }
    Ok(cfg)
}

/// Static checks the simulator performs (a small subset of Talos's validation).
pub fn validate(cfg: &Config) -> Result<(), String> {
    let Some(v1) = &cfg.v1alpha1 else {
        return Err("the applied machine configuration doesn't contain v1alpha1 config, did you mean to patch the machine config instead?".into());
    };
    let ty = v1
        .get("machine")
        .and_then(|m| m.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("");
    match ty {
        "controlplane" | "init" | "worker" => Ok(()),
        other => Err(format!(
            "1 error occurred:\n\t* unknown machine type {other:?}\n\n"
        )),
    }
}

/// The config re-encoded without comments: the v1alpha1 document first, then every other
/// document preceded by `---`.
pub fn canonical(cfg: &Config) -> String {
    let mut out = String::new();
    if let Some(v) = &cfg.v1alpha1 {
        out.push_str(&serde_yaml_ng::to_string(v).unwrap_or_default());
    }
    for d in &cfg.others {
        out.push_str("---\n");
        out.push_str(&serde_yaml_ng::to_string(d).unwrap_or_default());
    }
    out
}

/// A unified diff with Talos's `--- a` / `+++ b` header; empty when equal.
pub fn unified(old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header("a", "b")
        .to_string()
}

/// The `Config diff:` part of a dry-run reply.
pub fn diff_part(old: Option<&Config>, new: &Config) -> String {
    let old_text = old.map(canonical).unwrap_or_default();
    let d = unified(&old_text, &canonical(new));
    if d.is_empty() {
        "Config diff:\n\nNo changes.".into()
    } else {
        format!("Config diff:\n\n{d}")
    }
}

fn mask(v1: &Value, from: Option<&Value>) -> Value {
    let mut out = v1.clone();
    let get = |path: &[&str]| {
        let mut cur = from?;
        for p in path {
            cur = cur.get(*p)?;
        }
        Some(cur.clone())
    };
    let set = |root: &mut Value, path: &[&str], val: Option<Value>| {
        let mut cur = root;
        for p in &path[..path.len() - 1] {
            let Value::Mapping(m) = cur else { return };
            cur = m
                .entry(Value::from(*p))
                .or_insert_with(|| Value::Mapping(Default::default()));
        }
        if let Value::Mapping(m) = cur {
            let key = Value::from(path[path.len() - 1]);
            match val {
                Some(v) => {
                    m.insert(key, v);
                }
                None => {
                    m.remove(&key);
                }
            }
        }
    };
    let mut paths: Vec<Vec<&str>> = vec![vec!["debug"], vec!["cluster"]];
    paths.extend(LIVE_MACHINE_FIELDS.iter().map(|f| vec!["machine", f]));
    paths.extend(
        LIVE_FEATURE_FIELDS
            .iter()
            .map(|f| vec!["machine", "features", f]),
    );
    for p in paths {
        set(&mut out, &p, get(&p));
    }
    prune_empty(&mut out);
    out
}

fn prune_empty(v: &mut Value) {
    if let Value::Mapping(m) = v {
        for (_, child) in m.iter_mut() {
            prune_empty(child);
        }
        m.retain(|_, child| !matches!(child, Value::Mapping(c) if c.is_empty()));
    }
}

/// Talos v1.13's `CanApplyImmediate`: only the v1alpha1 document counts, after copying the
/// live-changeable fields over from the running config. `Err` carries Talos's refusal text.
pub fn can_apply_immediate(old: &Config, new: &Config) -> Result<(), String> {
    let (Some(o), Some(n)) = (&old.v1alpha1, &new.v1alpha1) else {
        return Ok(());
    };
    let mut o2 = o.clone();
    prune_empty(&mut o2);
    let n2 = mask(n, Some(o));
    if o2 == n2 {
        return Ok(());
    }
    let a = serde_yaml_ng::to_string(&o2).unwrap_or_default();
    let b = serde_yaml_ng::to_string(&n2).unwrap_or_default();
    Err(format!(
        "this config change can't be applied in immediate mode\ndiff:\n{}",
        unified(&a, &b)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "version: v1alpha1 # trailing comment\nmachine:\n  type: worker\n  install:\n    disk: /dev/sda\n  nodeLabels:\n    a: b\ncluster:\n  clusterName: c\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: w-01\n";

    fn cfg(s: &str) -> Config {
        parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn live_fields_and_other_documents_apply_without_reboot() {
        let new = BASE
            .replace("a: b", "a: c")
            .replace("clusterName: c", "clusterName: d")
            .replace("hostname: w-01", "hostname: w-09");
        assert_eq!(can_apply_immediate(&cfg(BASE), &cfg(&new)), Ok(()));
    }

    #[test]
    fn other_v1alpha1_fields_need_a_reboot() {
        let new = BASE.replace("  type: worker\n", "  type: worker\n  env:\n    X: y\n");
        let err = can_apply_immediate(&cfg(BASE), &cfg(&new)).unwrap_err();
        assert!(
            err.starts_with(
                "this config change can't be applied in immediate mode\ndiff:\n--- a\n+++ b\n"
            ),
            "{err}"
        );
        assert!(err.contains("+  env:"), "{err}");
    }

    #[test]
    fn dry_run_diff_ignores_comments_and_reports_no_changes() {
        let recommented = BASE.replace(" # trailing comment", "");
        assert_eq!(
            diff_part(Some(&cfg(BASE)), &cfg(&recommented)),
            "Config diff:\n\nNo changes."
        );
        let d = diff_part(None, &cfg(BASE));
        assert!(
            d.starts_with("Config diff:\n\n--- a\n+++ b\n@@ -0,0 +1,"),
            "{d}"
        );
    }

    #[test]
    fn validation_wording_matches_talos() {
        let only_doc = "apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: x\n";
        assert!(
            validate(&cfg(only_doc))
                .unwrap_err()
                .starts_with("the applied machine configuration doesn't contain v1alpha1 config")
        );
        assert!(parse(b"version: [").is_err());
        assert!(
            validate(&cfg("version: v1alpha1\nmachine:\n  type: boss\n"))
                .unwrap_err()
                .contains("unknown machine type \"boss\"")
        );
    }
}

//! Talos's typed merge rules, as a table over document kinds and paths, plus machinist's
//! per-path list policies. In: a document kind and a dotted path (list items do not add a path
//! segment, so `machine.network.interfaces.vlans` is the `vlans` list of any interface).
//! Out: how a list or mapping at that path merges ([`ListPolicy`], [`MapRule`]).

use std::fmt;

use serde_yaml_ng::Value;

/// How to tell that a patch list item and a config list item are "the same" item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeKey {
    /// Items are the same when this field is present in the patch item and equal in both.
    Field(String),
    /// Talos's network-device rule: same `interface:` name, or else an equal `deviceSelector:`.
    NetworkDevice,
}

impl fmt::Display for MergeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MergeKey::Field(k) => f.write_str(k),
            MergeKey::NetworkDevice => f.write_str("interface|deviceSelector"),
        }
    }
}

/// How a patch list combines with the config list at the same path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListPolicy {
    /// The patch items are added after the config items (Talos's default; no de-duplication).
    Append,
    /// The patch list replaces the config list (when the patch list is not empty).
    Replace,
    /// A patch item that matches a config item by key is merged into it (or replaces it when
    /// `replace_item` is set); other patch items are appended.
    MergeByKey {
        /// How items are matched.
        key: MergeKey,
        /// Replace the matched item as a whole instead of merging into it.
        replace_item: bool,
    },
}

impl fmt::Display for ListPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListPolicy::Append => f.write_str("append"),
            ListPolicy::Replace => f.write_str("replace"),
            ListPolicy::MergeByKey {
                key,
                replace_item: false,
            } => write!(f, "merge by {key}"),
            ListPolicy::MergeByKey {
                key,
                replace_item: true,
            } => write!(f, "replace items by {key}"),
        }
    }
}

/// How a mapping at a path merges, when it is not merged key by key recursively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapRule {
    /// Merge key by key, recursively (the default).
    Recursive,
    /// A non-empty patch mapping replaces the config mapping as a whole.
    Replace,
    /// Key by key, but each patch value replaces the config value without recursing
    /// (Talos's `Args` type: `extraArgs` values, including list values, are replaced).
    ReplaceValues,
}

/// Talos's built-in list rule for a path in a document of `kind` (`v1alpha1` for the legacy
/// document), or `None` when Talos appends.
pub fn builtin_list_policy(kind: &str, path: &[String]) -> Option<ListPolicy> {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    let keyed = |k: &str| ListPolicy::MergeByKey {
        key: MergeKey::Field(k.to_string()),
        replace_item: false,
    };
    let keyed_replace = |k: &str| ListPolicy::MergeByKey {
        key: MergeKey::Field(k.to_string()),
        replace_item: true,
    };
    match (kind, p.as_slice()) {
        // `merge:"replace"` struct tags.
        ("v1alpha1", ["cluster", "network", "podSubnets" | "serviceSubnets"]) => {
            Some(ListPolicy::Replace)
        }
        ("NetworkRuleConfig", ["ingress"] | ["portSelector", "ports"]) => Some(ListPolicy::Replace),
        // Custom mergers.
        ("v1alpha1", ["machine", "network", "interfaces"]) => Some(ListPolicy::MergeByKey {
            key: MergeKey::NetworkDevice,
            replace_item: false,
        }),
        ("v1alpha1", ["machine", "network", "interfaces", "vlans"]) => Some(keyed("vlanId")),
        ("v1alpha1", ["cluster", "apiServer", "admissionControl"]) => Some(keyed("name")),
        ("ExtensionServiceConfig", ["configFiles"]) => Some(keyed_replace("mountPath")),
        ("ImageVerificationConfig", ["rules"]) => Some(keyed_replace("image")),
        _ => None,
    }
}

/// Talos's built-in rule for a mapping at a path in a document of `kind`.
pub fn builtin_map_rule(kind: &str, path: &[String]) -> MapRule {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    match (kind, p.as_slice()) {
        ("v1alpha1", ["cluster", "apiServer", "auditPolicy"]) => MapRule::Replace,
        (_, [.., "extraArgs"]) => MapRule::ReplaceValues,
        _ => MapRule::Recursive,
    }
}

/// Parses a list-policy value as written in `x-machinist-lists`: `append`, `replace`, or a
/// mapping `{merge: KEY}` (merge matched items) / `{replace: KEY}` (replace matched items).
pub fn parse_policy(v: &Value) -> Result<ListPolicy, String> {
    const HINT: &str = "expected `append`, `replace`, `{merge: KEY}` or `{replace: KEY}`";
    match v {
        Value::String(s) if s == "append" => Ok(ListPolicy::Append),
        Value::String(s) if s == "replace" => Ok(ListPolicy::Replace),
        Value::Mapping(m) if m.len() == 1 => {
            let (k, key) = m.iter().next().expect("one entry");
            let key = key
                .as_str()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| format!("the merge key must be a field name; {HINT}"))?;
            let replace_item = match k.as_str() {
                Some("merge") => false,
                Some("replace") => true,
                _ => return Err(format!("unknown list policy; {HINT}")),
            };
            Ok(ListPolicy::MergeByKey {
                key: MergeKey::Field(key.to_string()),
                replace_item,
            })
        }
        _ => Err(format!("unknown list policy; {HINT}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &str) -> Vec<String> {
        s.split('.').map(str::to_string).collect()
    }

    #[test]
    fn talos_replace_paths() {
        for p in [
            "cluster.network.podSubnets",
            "cluster.network.serviceSubnets",
        ] {
            assert_eq!(
                builtin_list_policy("v1alpha1", &path(p)),
                Some(ListPolicy::Replace)
            );
        }
        assert_eq!(
            builtin_list_policy("NetworkRuleConfig", &path("portSelector.ports")),
            Some(ListPolicy::Replace)
        );
        // Everything else appends, e.g. nameservers and certSANs.
        assert_eq!(
            builtin_list_policy("v1alpha1", &path("machine.network.nameservers")),
            None
        );
        assert_eq!(
            builtin_list_policy("v1alpha1", &path("machine.certSANs")),
            None
        );
    }

    #[test]
    fn talos_keyed_paths() {
        assert_eq!(
            builtin_list_policy("v1alpha1", &path("machine.network.interfaces")),
            Some(ListPolicy::MergeByKey {
                key: MergeKey::NetworkDevice,
                replace_item: false
            })
        );
        assert_eq!(
            builtin_list_policy("v1alpha1", &path("machine.network.interfaces.vlans"))
                .unwrap()
                .to_string(),
            "merge by vlanId"
        );
        assert_eq!(
            builtin_list_policy("ExtensionServiceConfig", &path("configFiles"))
                .unwrap()
                .to_string(),
            "replace items by mountPath"
        );
    }

    #[test]
    fn map_rules() {
        assert_eq!(
            builtin_map_rule("v1alpha1", &path("cluster.apiServer.auditPolicy")),
            MapRule::Replace
        );
        assert_eq!(
            builtin_map_rule("v1alpha1", &path("cluster.controllerManager.extraArgs")),
            MapRule::ReplaceValues
        );
        assert_eq!(
            builtin_map_rule("v1alpha1", &path("machine.kubelet")),
            MapRule::Recursive
        );
    }

    #[test]
    fn policy_syntax() {
        let v = |s: &str| serde_yaml_ng::from_str::<Value>(s).unwrap();
        assert_eq!(parse_policy(&v("replace")), Ok(ListPolicy::Replace));
        assert_eq!(parse_policy(&v("append")), Ok(ListPolicy::Append));
        assert_eq!(
            parse_policy(&v("{merge: destination}"))
                .unwrap()
                .to_string(),
            "merge by destination"
        );
        assert!(parse_policy(&v("merge")).unwrap_err().contains("expected"));
        assert!(parse_policy(&v("{merge: ''}")).is_err());
    }
}

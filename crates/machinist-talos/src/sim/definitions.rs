//! The COSI resource definitions the simulated node registers. In: nothing (the table of types
//! the simulator serves). Out: `ResourceDefinitions.meta.cosi.dev` resources (namespace `meta`)
//! with both spec forms, filled the way COSI's `ResourceDefinitionSpec.Fill` does (display type,
//! automatic aliases, every alias for matching), so `talosctl get TYPE-OR-ALIAS` can resolve a
//! type, its default namespace and its print columns, as it does against Talos
//! (`client.ResolveResourceKind` lists them all and matches the id or any alias, case-insensitively).

use prost::Message as _;
use serde_yaml_ng::{Mapping, Value};

use crate::proto::cosi::resource::meta::ResourceDefinitionSpec;
use crate::proto::cosi::resource::meta::resource_definition_spec::{PrintColumn, Sensitivity};
use crate::proto::cosi::resource::{Metadata, Resource, Spec};
use crate::{extensions, hardware, machineconfig};

/// Namespace of the definitions.
pub const NAMESPACE: &str = "meta";
/// Type of a definition.
pub const TYPE: &str = "ResourceDefinitions.meta.cosi.dev";

/// One registered type, as its Talos (or COSI) `ResourceDefinition()` declares it.
struct Def {
    r#type: &'static str,
    namespace: &'static str,
    aliases: &'static [&'static str],
    columns: &'static [(&'static str, &'static str)],
    sensitive: bool,
}

/// The types the simulator serves (each one's aliases and columns as Talos declares them).
const DEFS: &[Def] = &[
    Def {
        r#type: machineconfig::TYPE,
        namespace: machineconfig::NAMESPACE,
        aliases: &[],
        columns: &[],
        sensitive: true,
    },
    Def {
        r#type: hardware::SYSTEM_INFORMATION.r#type,
        namespace: hardware::SYSTEM_INFORMATION.namespace,
        aliases: &["systeminformation"],
        columns: &[
            ("Manufacturer", "{.manufacturer}"),
            ("ProductName", "{.productName}"),
            ("Version", "{.version}"),
            ("SerialNumber", "{.serialnumber}"),
            ("UUID", "{.uuid}"),
            ("WakeUpType", "{.wakeUpType}"),
            ("SKUNumber", "{.skuNumber}"),
        ],
        sensitive: false,
    },
    Def {
        r#type: hardware::DISKS.r#type,
        namespace: hardware::DISKS.namespace,
        aliases: &[],
        columns: &[
            ("Size", "{.pretty_size}"),
            ("Read Only", "{.readonly}"),
            ("Transport", "{.transport}"),
            ("Rotational", "{.rotational}"),
            ("WWID", "{.wwid}"),
            ("Model", "{.model}"),
            ("Serial", "{.serial}"),
        ],
        sensitive: false,
    },
    Def {
        r#type: hardware::LINK_STATUSES.r#type,
        namespace: hardware::LINK_STATUSES.namespace,
        aliases: &["link", "links"],
        columns: &[
            ("Alias", "{.alias}"),
            ("Type", "{.type}"),
            ("Kind", "{.kind}"),
            ("Hw Addr", "{.hardwareAddr}"),
            ("Oper State", "{.operationalState}"),
            ("Link State", "{.linkState}"),
        ],
        sensitive: false,
    },
    Def {
        r#type: extensions::EXTENSION_STATUSES.r#type,
        namespace: extensions::EXTENSION_STATUSES.namespace,
        aliases: &["extensions"],
        columns: &[
            ("Name", "{.metadata.name}"),
            ("Version", "{.metadata.version}"),
        ],
        sensitive: false,
    },
    Def {
        r#type: TYPE,
        namespace: NAMESPACE,
        aliases: &["api-resources"],
        columns: &[("Aliases", "{.aliases[:]}")],
        sensitive: false,
    },
];

/// COSI's `pluralize.Singular` for the names above (`LinkStatuses` → `LinkStatus`).
fn singular(name: &str) -> &str {
    name.strip_suffix("ses")
        .map(|_| &name[..name.len() - 2])
        .or_else(|| name.strip_suffix('s'))
        .unwrap_or(name)
}

/// `(display type, aliases, all aliases)` as `ResourceDefinitionSpec.Fill` computes them.
fn fill(def: &Def) -> (String, Vec<String>, Vec<String>) {
    let (name, suffix) = def.r#type.split_once('.').expect("types have a suffix");
    let display = singular(name).to_string();
    let mut aliases: Vec<String> = def.aliases.iter().map(|a| a.to_string()).collect();
    aliases.push(display.to_lowercase());
    let lower = name.to_lowercase();
    let mut all = vec![lower.clone()];
    let parts: Vec<&str> = suffix.split('.').collect();
    for i in 1..parts.len() {
        all.push(format!("{lower}.{}", parts[..i].join(".")));
    }
    let upper: String = name.chars().filter(char::is_ascii_uppercase).collect();
    if upper.len() > 1 {
        aliases.push(upper.to_lowercase());
        if !upper.ends_with('S') {
            aliases.push(format!("{}s", upper.to_lowercase()));
        }
    }
    all.extend(aliases.iter().cloned());
    (display, aliases, all)
}

fn strings(v: &[String]) -> Value {
    Value::Sequence(v.iter().map(|s| Value::from(s.as_str())).collect())
}

fn resource(def: &Def) -> Resource {
    let (display, aliases, all) = fill(def);
    let p = ResourceDefinitionSpec {
        resource_type: def.r#type.into(),
        display_type: display.clone(),
        default_namespace: def.namespace.into(),
        aliases: aliases.clone(),
        all_aliases: all.clone(),
        print_columns: def
            .columns
            .iter()
            .map(|(n, j)| PrintColumn {
                name: (*n).into(),
                json_path: (*j).into(),
            })
            .collect(),
        sensitivity: if def.sensitive {
            Sensitivity::Sensitive as i32
        } else {
            Sensitivity::NonSensitive as i32
        },
    };
    let mut y = Mapping::new();
    let mut put = |k: &str, v: Value| {
        y.insert(Value::from(k), v);
    };
    put("type", def.r#type.into());
    put("displayType", display.into());
    put("defaultNamespace", def.namespace.into());
    put("aliases", strings(&aliases));
    put("allAliases", strings(&all));
    let columns = def
        .columns
        .iter()
        .map(|(n, j)| {
            let mut c = Mapping::new();
            c.insert("name".into(), (*n).into());
            c.insert("jsonPath".into(), (*j).into());
            Value::Mapping(c)
        })
        .collect();
    put("printColumns", Value::Sequence(columns));
    if def.sensitive {
        put("sensitivity", "sensitive".into());
    }
    Resource {
        metadata: Some(Metadata {
            namespace: NAMESPACE.into(),
            r#type: TYPE.into(),
            id: def.r#type.to_lowercase(),
            version: "1".into(),
            phase: "running".into(),
            ..Default::default()
        }),
        spec: Some(Spec {
            proto_spec: p.encode_to_vec(),
            yaml_spec: serde_yaml_ng::to_string(&Value::Mapping(y)).unwrap_or_default(),
        }),
    }
}

/// Every definition, in the order above.
pub fn all() -> Vec<Resource> {
    DEFS.iter().map(resource).collect()
}

/// The namespaces the simulated node has (Talos answers PermissionDenied for any other).
pub const NAMESPACES: &[&str] = &["config", "hardware", "runtime", "network", NAMESPACE];

/// Whether a registered type is sensitive (`None`: not registered).
pub fn sensitive(ty: &str) -> Option<bool> {
    DEFS.iter().find(|d| d.r#type == ty).map(|d| d.sensitive)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_of(ty: &str) -> ResourceDefinitionSpec {
        let r = all()
            .into_iter()
            .find(|r| r.metadata.as_ref().unwrap().id == ty.to_lowercase())
            .unwrap();
        ResourceDefinitionSpec::decode(r.spec.unwrap().proto_spec.as_slice()).unwrap()
    }

    #[test]
    fn aliases_are_filled_like_cosi() {
        let s = spec_of("LinkStatuses.net.talos.dev");
        assert_eq!(s.display_type, "LinkStatus");
        // "LS" ends in S: no "lss" (COSI adds the plural only when it does not).
        assert_eq!(s.aliases, ["link", "links", "linkstatus", "ls"]);
        assert_eq!(
            s.all_aliases,
            [
                "linkstatuses",
                "linkstatuses.net",
                "linkstatuses.net.talos",
                "link",
                "links",
                "linkstatus",
                "ls"
            ]
        );
        assert_eq!(s.default_namespace, "network");
        let e = spec_of("ExtensionStatuses.runtime.talos.dev");
        assert_eq!(e.aliases, ["extensions", "extensionstatus", "es"]);
        let m = spec_of("MachineConfigs.config.talos.dev");
        assert_eq!(m.sensitivity, Sensitivity::Sensitive as i32);
        assert_eq!(m.aliases, ["machineconfig", "mc", "mcs"]);
        assert_eq!(spec_of("Disks.block.talos.dev").aliases, ["disk"]);
    }
}

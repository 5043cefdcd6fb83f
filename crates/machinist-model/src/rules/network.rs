//! Network document rules: the `Validate` methods of Talos's network kinds
//! (`pkg/machinery/config/types/network`) that the schema cannot express. In: one network
//! document. Out: hits for out-of-range VLAN IDs, empty required names, a hostname document that
//! sets both or neither of `auto` and `hostname`, a VIP whose name is not an address, a bond
//! without links or mode.

use serde_json::Value;

use super::{Hit, Mode, Rule, Scope, Severity, Target, at, present, q, text};
use crate::Contract::V1_12;

const ALL_MODES: &[Mode] = &[];

fn vlan_id(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    // A non-integer is the schema's business.
    let Some(id) = at(s.doc(), "vlanID").and_then(Value::as_u64) else {
        return;
    };
    if id == 0 || id > 4094 {
        out.push(s.hit(rule, rule.path, rule.message.to_string()));
    }
}

/// A required string that is there but empty.
fn empty_string(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    if at(s.doc(), rule.path).and_then(Value::as_str) == Some("") {
        out.push(s.hit(rule, rule.path, rule.message.to_string()));
    }
}

fn hostname_required(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    if !present(s.doc(), "auto") && text(s.doc(), "hostname").is_none() {
        out.push(s.hit(rule, "", rule.message.to_string()));
    }
}

fn hostname_exclusive(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    let auto = at(s.doc(), "auto").and_then(Value::as_str);
    if auto.is_some_and(|a| a != "off") && text(s.doc(), "hostname").is_some() {
        out.push(s.hit(rule, "hostname", rule.message.to_string()));
    }
}

fn hostname_length(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    let Some(fqdn) = text(s.doc(), "hostname") else {
        return;
    };
    if fqdn.len() > 253 {
        out.push(s.hit(
            rule,
            "hostname",
            format!("fqdn is too long: {}", fqdn.len()),
        ));
    }
    let host = fqdn.split('.').next().unwrap_or_default();
    if host.is_empty() || host.len() > 63 {
        out.push(s.hit(rule, "hostname", format!("invalid hostname {}", q(host))));
    }
}

fn vip_name(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    let Some(name) = text(s.doc(), "name") else {
        return;
    };
    if name.parse::<std::net::IpAddr>().is_err() {
        out.push(s.hit(
            rule,
            "name",
            format!(
                "name must be a valid IP address: ParseAddr({}): unable to parse IP",
                q(name)
            ),
        ));
    }
}

fn vip_link(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    if text(s.doc(), "link").is_none() {
        out.push(s.hit(rule, "", rule.message.to_string()));
    }
}

fn bond_links(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    if at(s.doc(), "links")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        out.push(s.hit(rule, "links", rule.message.to_string()));
    }
}

fn bond_mode(rule: &'static Rule, s: &Scope<'_>, out: &mut Vec<Hit>) {
    if !present(s.doc(), "bondMode") {
        out.push(s.hit(rule, "", rule.message.to_string()));
    }
}

macro_rules! rule {
    ($id:literal, $kind:literal, $path:literal, $msg:literal, $check:expr) => {
        Rule {
            id: $id,
            target: Target::Kind($kind),
            since: V1_12,
            until: None,
            modes: ALL_MODES,
            severity: Severity::Error,
            path: $path,
            message: $msg,
            check: $check,
        }
    };
}

/// The network document rules.
pub static RULES: &[Rule] = &[
    rule!(
        "network.vlan-id-range",
        "VLANConfig",
        "vlanID",
        "vlanID must be specified and between 1 and 4094",
        vlan_id
    ),
    rule!(
        "network.vlan-parent",
        "VLANConfig",
        "parent",
        "parent must be specified",
        empty_string
    ),
    rule!(
        "network.vlan-name",
        "VLANConfig",
        "name",
        "name must be specified",
        empty_string
    ),
    rule!(
        "network.link-name",
        "LinkConfig",
        "name",
        "name must be specified",
        empty_string
    ),
    rule!(
        "network.bond-name",
        "BondConfig",
        "name",
        "name must be specified",
        empty_string
    ),
    rule!(
        "network.bridge-name",
        "BridgeConfig",
        "name",
        "name must be specified",
        empty_string
    ),
    rule!(
        "network.dummy-name",
        "DummyLinkConfig",
        "name",
        "name must be specified",
        empty_string
    ),
    rule!(
        "network.bond-links",
        "BondConfig",
        "links",
        "at least one link must be specified",
        bond_links
    ),
    rule!(
        "network.bond-mode",
        "BondConfig",
        "bondMode",
        "bond mode must be specified",
        bond_mode
    ),
    rule!(
        "network.hostname-required",
        "HostnameConfig",
        "",
        "either 'auto' or 'hostname' must be set",
        hostname_required
    ),
    rule!(
        "network.hostname-exclusive",
        "HostnameConfig",
        "hostname",
        "'auto' and 'hostname' cannot be set at the same time",
        hostname_exclusive
    ),
    rule!(
        "network.hostname-length",
        "HostnameConfig",
        "hostname",
        "invalid hostname %q / fqdn is too long: %d",
        hostname_length
    ),
    rule!(
        "network.layer2-vip-name",
        "Layer2VIPConfig",
        "name",
        "name must be a valid IP address: %w",
        vip_name
    ),
    rule!(
        "network.layer2-vip-link",
        "Layer2VIPConfig",
        "link",
        "link must be specified",
        vip_link
    ),
];

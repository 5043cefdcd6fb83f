//! The discovery resources of a node: COSI `SystemInformations.hardware.talos.dev`,
//! `Disks.block.talos.dev` and `LinkStatuses.net.talos.dev`. In: a `cosi.resource.Resource` from
//! `State/Get` or `State/List` (client), or typed [`SystemInfo`] / [`DiskInfo`] / [`LinkInfo`]
//! values (simulator). Out: the typed values, or resources carrying both spec forms the way Talos
//! sends them — `proto_spec` (the `talos.resource.definitions.*` message, preferred when decoding)
//! and `yaml_spec` (the Go struct's YAML, with Talos's key spellings such as `serialnumber`,
//! `dev_path` and `hardwareAddr`).

use prost::Message as _;
use serde_yaml_ng::{Mapping, Value};

use crate::lifecycle::{DiskInfo, LinkInfo, SystemInfo};
use crate::proto::cosi::resource::{Metadata, Resource, Spec};
use crate::proto::definitions::block::DiskSpec;
use crate::proto::definitions::enums::{NethelpersLinkType, NethelpersOperationalState};
use crate::proto::definitions::hardware::SystemInformationSpec;
use crate::proto::definitions::network::LinkStatusSpec;

/// One kind of discovery resource: where it lives and what it is called on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// COSI namespace.
    pub namespace: &'static str,
    /// Canonical resource type.
    pub r#type: &'static str,
    /// The controller that owns it (Talos fills `metadata.owner`).
    pub(crate) owner: &'static str,
}

/// SMBIOS identity (one resource, id [`SYSTEM_INFORMATION_ID`]).
pub const SYSTEM_INFORMATION: Kind = Kind {
    namespace: "hardware",
    r#type: "SystemInformations.hardware.talos.dev",
    owner: "hardware.SystemInfoController",
};
/// Id of the one SystemInformation resource.
pub const SYSTEM_INFORMATION_ID: &str = "systeminformation";
/// Disks (namespace `runtime`, one resource per block device).
pub const DISKS: Kind = Kind {
    namespace: "runtime",
    r#type: "Disks.block.talos.dev",
    owner: "block.DisksController",
};
/// Link statuses (namespace `network`, one resource per link).
pub const LINK_STATUSES: Kind = Kind {
    namespace: "network",
    r#type: "LinkStatuses.net.talos.dev",
    owner: "network.LinkStatusController",
};

/// Why a resource could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// No spec at all.
    #[error("{0} resource has no spec")]
    Missing(&'static str),
    /// `proto_spec` did not decode.
    #[error("{0} proto_spec cannot be decoded: {1}")]
    Proto(&'static str, String),
    /// `yaml_spec` did not parse.
    #[error("{0} yaml_spec is not YAML: {1}")]
    Yaml(&'static str, String),
}

pub(crate) fn spec<'a>(r: &'a Resource, what: &'static str) -> Result<&'a Spec, DecodeError> {
    r.spec
        .as_ref()
        .filter(|s| !s.proto_spec.is_empty() || !s.yaml_spec.is_empty())
        .ok_or(DecodeError::Missing(what))
}

pub(crate) fn yaml(s: &Spec, what: &'static str) -> Result<Value, DecodeError> {
    serde_yaml_ng::from_str(&s.yaml_spec).map_err(|e| DecodeError::Yaml(what, e.to_string()))
}

pub(crate) fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

pub(crate) fn id_of(r: &Resource) -> String {
    r.metadata
        .as_ref()
        .map(|m| m.id.clone())
        .unwrap_or_default()
}

/// `aa:bb:cc:dd:ee:ff` (lower case) for hardware address bytes; empty for none.
pub fn mac_text(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn mac_bytes(text: &str) -> Vec<u8> {
    text.split(':')
        .filter_map(|p| u8::from_str_radix(p, 16).ok())
        .collect()
}

/// The SMBIOS identity in a SystemInformation resource.
pub fn system_info(r: &Resource) -> Result<SystemInfo, DecodeError> {
    const WHAT: &str = "SystemInformation";
    let s = spec(r, WHAT)?;
    if !s.proto_spec.is_empty() {
        let p = SystemInformationSpec::decode(s.proto_spec.as_slice())
            .map_err(|e| DecodeError::Proto(WHAT, e.to_string()))?;
        return Ok(SystemInfo {
            uuid: p.uuid,
            manufacturer: p.manufacturer,
            product_name: p.product_name,
            serial_number: p.serial_number,
        });
    }
    let v = yaml(s, WHAT)?;
    Ok(SystemInfo {
        uuid: text(&v, "uuid"),
        manufacturer: text(&v, "manufacturer"),
        product_name: text(&v, "productName"),
        serial_number: text(&v, "serialnumber"),
    })
}

/// The disk in a Disk resource (its id is the device name).
pub fn disk(r: &Resource) -> Result<DiskInfo, DecodeError> {
    const WHAT: &str = "Disk";
    let s = spec(r, WHAT)?;
    let id = id_of(r);
    if !s.proto_spec.is_empty() {
        let p = DiskSpec::decode(s.proto_spec.as_slice())
            .map_err(|e| DecodeError::Proto(WHAT, e.to_string()))?;
        return Ok(DiskInfo {
            id,
            dev_path: p.dev_path,
            size: p.size,
            model: p.model,
            serial: p.serial,
            wwid: p.wwid,
            transport: p.transport,
            rotational: p.rotational,
            readonly: p.readonly,
            cdrom: p.cdrom,
        });
    }
    let v = yaml(s, WHAT)?;
    Ok(DiskInfo {
        id,
        dev_path: text(&v, "dev_path"),
        size: v.get("size").and_then(Value::as_u64).unwrap_or(0),
        model: text(&v, "model"),
        serial: text(&v, "serial"),
        wwid: text(&v, "wwid"),
        transport: text(&v, "transport"),
        rotational: flag(&v, "rotational"),
        readonly: flag(&v, "readonly"),
        cdrom: flag(&v, "cdrom"),
    })
}

fn oper_state_name(s: i32) -> &'static str {
    match NethelpersOperationalState::try_from(s) {
        Ok(NethelpersOperationalState::OperStateNotPresent) => "notPresent",
        Ok(NethelpersOperationalState::OperStateDown) => "down",
        Ok(NethelpersOperationalState::OperStateLowerLayerDown) => "lowerLayerDown",
        Ok(NethelpersOperationalState::OperStateTesting) => "testing",
        Ok(NethelpersOperationalState::OperStateDormant) => "dormant",
        Ok(NethelpersOperationalState::OperStateUp) => "up",
        _ => "unknown",
    }
}

fn oper_state_value(name: &str) -> NethelpersOperationalState {
    match name {
        "notPresent" => NethelpersOperationalState::OperStateNotPresent,
        "down" => NethelpersOperationalState::OperStateDown,
        "lowerLayerDown" => NethelpersOperationalState::OperStateLowerLayerDown,
        "testing" => NethelpersOperationalState::OperStateTesting,
        "dormant" => NethelpersOperationalState::OperStateDormant,
        "up" => NethelpersOperationalState::OperStateUp,
        _ => NethelpersOperationalState::OperStateUnknown,
    }
}

/// The link in a LinkStatus resource. `physical` follows Talos's `LinkStatusSpec.Physical()`: an
/// Ethernet link with no kind.
pub fn link(r: &Resource) -> Result<LinkInfo, DecodeError> {
    const WHAT: &str = "LinkStatus";
    let s = spec(r, WHAT)?;
    let id = id_of(r);
    if !s.proto_spec.is_empty() {
        let p = LinkStatusSpec::decode(s.proto_spec.as_slice())
            .map_err(|e| DecodeError::Proto(WHAT, e.to_string()))?;
        return Ok(LinkInfo {
            id,
            hardware_addr: mac_text(&p.hardware_addr),
            permanent_addr: mac_text(&p.permanent_addr),
            physical: p.r#type == NethelpersLinkType::LinkEther as i32 && p.kind.is_empty(),
            kind: p.kind,
            oper_state: oper_state_name(p.operational_state).to_owned(),
            driver: p.driver,
        });
    }
    let v = yaml(s, WHAT)?;
    let kind = text(&v, "kind");
    Ok(LinkInfo {
        id,
        hardware_addr: text(&v, "hardwareAddr"),
        permanent_addr: text(&v, "permanentAddr"),
        physical: text(&v, "type") == "ether" && kind.is_empty(),
        kind,
        oper_state: text(&v, "operationalState"),
        driver: text(&v, "driver"),
    })
}

pub(crate) fn resource(kind: Kind, id: &str, proto_spec: Vec<u8>, yaml: Mapping) -> Resource {
    Resource {
        metadata: Some(Metadata {
            namespace: kind.namespace.into(),
            r#type: kind.r#type.into(),
            id: id.into(),
            version: "1".into(),
            owner: kind.owner.into(),
            phase: "running".into(),
            ..Default::default()
        }),
        spec: Some(Spec {
            proto_spec,
            yaml_spec: serde_yaml_ng::to_string(&Value::Mapping(yaml)).unwrap_or_default(),
        }),
    }
}

pub(crate) fn put(m: &mut Mapping, key: &str, v: impl Into<Value>) {
    m.insert(Value::from(key), v.into());
}

pub(crate) fn put_text(m: &mut Mapping, key: &str, v: &str) {
    if !v.is_empty() {
        put(m, key, v);
    }
}

/// The SystemInformation resource for an identity (simulator).
pub fn system_info_resource(s: &SystemInfo) -> Resource {
    let p = SystemInformationSpec {
        manufacturer: s.manufacturer.clone(),
        product_name: s.product_name.clone(),
        serial_number: s.serial_number.clone(),
        uuid: s.uuid.clone(),
        ..Default::default()
    };
    let mut y = Mapping::new();
    put_text(&mut y, "manufacturer", &s.manufacturer);
    put_text(&mut y, "productName", &s.product_name);
    put_text(&mut y, "serialnumber", &s.serial_number);
    put_text(&mut y, "uuid", &s.uuid);
    resource(
        SYSTEM_INFORMATION,
        SYSTEM_INFORMATION_ID,
        p.encode_to_vec(),
        y,
    )
}

/// Talos's `pretty_size` (`humanize.Bytes`: SI units, one decimal below 10).
fn pretty_size(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut v = bytes as f64;
    let mut i = 0;
    while v >= 1000.0 && i + 1 < UNITS.len() {
        v /= 1000.0;
        i += 1;
    }
    if i == 0 {
        format!("{bytes} B")
    } else if v < 10.0 {
        format!("{v:.1} {}", UNITS[i])
    } else {
        format!("{v:.0} {}", UNITS[i])
    }
}

/// The Disk resource for a disk (simulator).
pub fn disk_resource(d: &DiskInfo) -> Resource {
    let p = DiskSpec {
        size: d.size,
        io_size: 512,
        sector_size: 512,
        readonly: d.readonly,
        model: d.model.clone(),
        serial: d.serial.clone(),
        wwid: d.wwid.clone(),
        transport: d.transport.clone(),
        rotational: d.rotational,
        cdrom: d.cdrom,
        dev_path: d.dev_path.clone(),
        pretty_size: pretty_size(d.size),
    };
    let mut y = Mapping::new();
    put(&mut y, "dev_path", d.dev_path.as_str());
    put(&mut y, "size", d.size);
    put(&mut y, "pretty_size", p.pretty_size.as_str());
    put(&mut y, "io_size", 512u64);
    put(&mut y, "sector_size", 512u64);
    put(&mut y, "readonly", d.readonly);
    put(&mut y, "cdrom", d.cdrom);
    put_text(&mut y, "model", &d.model);
    put_text(&mut y, "serial", &d.serial);
    put_text(&mut y, "wwid", &d.wwid);
    put_text(&mut y, "transport", &d.transport);
    if d.rotational {
        put(&mut y, "rotational", true);
    }
    resource(DISKS, &d.id, p.encode_to_vec(), y)
}

/// The LinkStatus resource for a link (simulator). `index` is the kernel link index.
pub fn link_resource(l: &LinkInfo, index: u32) -> Resource {
    let loopback = l.id == "lo";
    let ty = if loopback {
        NethelpersLinkType::LinkLoopbck
    } else {
        NethelpersLinkType::LinkEther
    };
    let up = l.oper_state == "up" || (loopback && l.oper_state == "unknown");
    let p = LinkStatusSpec {
        index,
        r#type: ty as i32,
        hardware_addr: mac_bytes(&l.hardware_addr),
        mtu: if loopback { 65536 } else { 1500 },
        operational_state: oper_state_value(&l.oper_state) as i32,
        kind: l.kind.clone(),
        driver: l.driver.clone(),
        link_state: up,
        permanent_addr: mac_bytes(&l.permanent_addr),
    };
    let mut y = Mapping::new();
    put(&mut y, "index", index);
    put(&mut y, "type", if loopback { "loopback" } else { "ether" });
    put(&mut y, "linkIndex", 0u32);
    put(&mut y, "hardwareAddr", l.hardware_addr.as_str());
    put(&mut y, "permanentAddr", l.permanent_addr.as_str());
    put(&mut y, "mtu", p.mtu);
    put(&mut y, "operationalState", l.oper_state.as_str());
    put(&mut y, "kind", l.kind.as_str());
    put(&mut y, "slaveKind", "");
    put_text(&mut y, "driver", &l.driver);
    put(&mut y, "linkState", up);
    resource(LINK_STATUSES, &l.id, p.encode_to_vec(), y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_link() -> LinkInfo {
        LinkInfo {
            id: "eth0".into(),
            hardware_addr: "52:54:00:12:34:56".into(),
            permanent_addr: "52:54:00:12:34:56".into(),
            kind: String::new(),
            physical: true,
            oper_state: "up".into(),
            driver: "virtio_net".into(),
        }
    }

    #[test]
    fn both_spec_forms_decode_to_the_same_values() {
        let s = SystemInfo {
            uuid: "0d1c6a3e-1111-8222-9333-444455556666".into(),
            manufacturer: "QEMU".into(),
            product_name: "Standard PC".into(),
            serial_number: "S1".into(),
        };
        let d = DiskInfo {
            id: "sda".into(),
            dev_path: "/dev/sda".into(),
            size: 107_374_182_400,
            model: "QEMU HARDDISK".into(),
            serial: "QM0001".into(),
            transport: "sata".into(),
            rotational: true,
            ..Default::default()
        };
        let l = sample_link();
        let (mut rs, mut rd, mut rl) = (
            system_info_resource(&s),
            disk_resource(&d),
            link_resource(&l, 2),
        );
        assert_eq!(system_info(&rs).unwrap(), s);
        assert_eq!(disk(&rd).unwrap(), d);
        assert_eq!(link(&rl).unwrap(), l);
        for r in [&mut rs, &mut rd, &mut rl] {
            r.spec.as_mut().unwrap().proto_spec.clear();
        }
        assert_eq!(system_info(&rs).unwrap(), s, "yaml_spec only");
        assert_eq!(disk(&rd).unwrap(), d, "yaml_spec only");
        assert_eq!(link(&rl).unwrap(), l, "yaml_spec only");
        assert!(rs.spec.unwrap().yaml_spec.contains("serialnumber: S1"));
        assert!(rd.spec.unwrap().yaml_spec.contains("pretty_size: 107 GB"));
    }

    #[test]
    fn talos_yaml_of_a_bond_is_not_physical() {
        let r = Resource {
            metadata: Some(Metadata {
                id: "bond0".into(),
                ..Default::default()
            }),
            spec: Some(Spec {
                proto_spec: vec![],
                yaml_spec: "index: 4\ntype: ether\nhardwareAddr: 0a:0b:0c:0d:0e:0f\nkind: bond\noperationalState: up\n".into(),
            }),
        };
        let l = link(&r).unwrap();
        assert_eq!(l.kind, "bond");
        assert!(!l.physical);
        assert_eq!(l.hardware_addr, "0a:0b:0c:0d:0e:0f");
        assert!(matches!(
            link(&Resource::default()),
            Err(DecodeError::Missing("LinkStatus"))
        ));
    }
}

//! The typed answers and requests of the cluster-lifecycle calls (reference/talos-api.md §12). In:
//! nothing (plain data). Out: what [`crate::NodeApi`]'s lifecycle methods take and return —
//! hardware identity and discovery (SMBIOS uuid, disks, links), bootstrap, kubeconfig, upgrade,
//! reset and reboot requests, etcd members and service health — independent of the wire types, so
//! the rollout logic and test fakes never touch protobuf.

use serde::{Deserialize, Serialize};

/// The SMBIOS identity of a machine (COSI `SystemInformations.hardware.talos.dev`, id
/// `systeminformation`). `uuid` is what tells machines apart, never their address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemInfo {
    /// SMBIOS system UUID.
    pub uuid: String,
    /// Manufacturer.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub manufacturer: String,
    /// Product name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub product_name: String,
    /// Serial number.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub serial_number: String,
}

/// One disk (COSI `Disks.block.talos.dev`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiskInfo {
    /// The resource id, the device name (`sda`, `nvme0n1`).
    pub id: String,
    /// The device path (`/dev/sda`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub dev_path: String,
    /// Size in bytes.
    pub size: u64,
    /// Model.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub model: String,
    /// Serial.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub serial: String,
    /// World wide id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub wwid: String,
    /// Transport (`nvme`, `sata`, `virtio`, `usb`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub transport: String,
    /// Rotational (spinning) disk.
    #[serde(default)]
    pub rotational: bool,
    /// Read-only device.
    #[serde(default)]
    pub readonly: bool,
    /// CD-ROM device.
    #[serde(default)]
    pub cdrom: bool,
}

/// One network link (COSI `LinkStatuses.net.talos.dev`, namespace `network`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkInfo {
    /// The link name (`eth0`, `enp1s0`).
    pub id: String,
    /// MAC address, lower-case colon form.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hardware_addr: String,
    /// Permanent MAC address when the kernel reports one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub permanent_addr: String,
    /// Link kind (`` for physical, `bond`, `vlan`, ...).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// Whether it is a physical device.
    #[serde(default)]
    pub physical: bool,
    /// Operational state (`up`, `down`, ...).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub oper_state: String,
    /// Driver name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub driver: String,
}

/// What a node's discovery says about it: identity, disks, links. Secret-free; recorded into
/// `facts/<node>.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Facts {
    /// SMBIOS identity.
    pub system: SystemInfo,
    /// Disks, by id.
    #[serde(default)]
    pub disks: Vec<DiskInfo>,
    /// Links, by id.
    #[serde(default)]
    pub links: Vec<LinkInfo>,
}

/// What `MachineService/Bootstrap` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BootstrapOutcome {
    /// etcd was bootstrapped now.
    Bootstrapped,
    /// The node refused because etcd is already bootstrapped (data directory not empty).
    AlreadyBootstrapped,
}

/// An upgrade to an installer image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpgradeRequest {
    /// The installer image (`factory.talos.dev/installer/<id>:v1.13.0`).
    pub image: String,
    /// Keep ephemeral data (MachineService only; ignored by LifecycleService).
    pub preserve: bool,
    /// Stage the upgrade for the next reboot (MachineService only).
    pub stage: bool,
    /// Skip etcd health checks on the node (MachineService only).
    pub force: bool,
}

/// Which service carried an upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpgradeApi {
    /// `machine.LifecycleService/Upgrade` (v1.13+).
    Lifecycle,
    /// `machine.MachineService/Upgrade` (all versions, deprecated from v1.13).
    Machine,
}

/// What the node answered to an upgrade request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpgradeOutcome {
    /// Which call was used.
    pub api: UpgradeApi,
    /// Progress lines (LifecycleService) or the ack (MachineService).
    pub messages: Vec<String>,
}

/// What `ResetRequest.mode` wipes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WipeMode {
    /// System disk and user disks (`ALL`, the wire default).
    All,
    /// Only the system disk (`SYSTEM_DISK`).
    SystemDisk,
    /// Only user disks (`USER_DISKS`).
    UserDisks,
}

/// A reset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetRequest {
    /// Leave etcd (control planes) and cordon/drain first.
    pub graceful: bool,
    /// Reboot after the reset (else the node powers off).
    pub reboot: bool,
    /// What to wipe.
    pub wipe: WipeMode,
}

/// One etcd member, as a control plane lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EtcdMember {
    /// Member id.
    pub id: u64,
    /// The member's hostname.
    pub hostname: String,
    /// Peer URLs.
    pub peer_urls: Vec<String>,
    /// Client URLs.
    pub client_urls: Vec<String>,
    /// A learner (not yet voting).
    pub is_learner: bool,
}

/// One service on a node (`MachineService/ServiceList`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceInfo {
    /// Service id (`etcd`, `kubelet`, `apid`, ...).
    pub id: String,
    /// State (`Running`, `Waiting`, `Finished`, ...).
    pub state: String,
    /// Health as reported: `Some(true)` healthy, `Some(false)` unhealthy, `None` unknown / no
    /// health check.
    pub healthy: Option<bool>,
}

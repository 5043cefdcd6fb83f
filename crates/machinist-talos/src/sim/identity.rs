//! The hardware a simulated node reports. In: the node name, and optionally a UUID given on the
//! command line. Out: a stable SMBIOS identity (a name-based UUID unless overridden), its disks
//! and its links with MAC addresses — all derived from a SHA-256 of the name, so they are the same
//! on every run and different for every node (a swapped address is detectable).

use sha2::{Digest as _, Sha256};

use crate::lifecycle::{DiskInfo, LinkInfo, SystemInfo};

fn digest(name: &str) -> [u8; 32] {
    Sha256::digest(format!("machinist-sim/{name}").as_bytes()).into()
}

/// A name-based UUID (RFC 9562 version 8, variant 10xx) from SHA-256 of the node name.
pub fn name_uuid(name: &str) -> String {
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest(name)[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The SMBIOS identity of node `name` (`uuid` overrides the derived UUID).
pub fn system_info(name: &str, uuid: Option<&str>) -> SystemInfo {
    let d = digest(name);
    SystemInfo {
        uuid: uuid.map(str::to_owned).unwrap_or_else(|| name_uuid(name)),
        manufacturer: "machinist-sim".into(),
        product_name: "Simulated Talos node".into(),
        serial_number: d[16..22].iter().map(|x| format!("{x:02X}")).collect(),
    }
}

/// The disks of node `name`: a 100 GiB system disk and a 50 GiB data disk.
pub fn disks(name: &str) -> Vec<DiskInfo> {
    let d = digest(name);
    let serial = |i: usize| format!("QM{:02X}{:02X}{:02X}", d[22 + i], d[23 + i], i);
    vec![
        DiskInfo {
            id: "sda".into(),
            dev_path: "/dev/sda".into(),
            size: 100 << 30,
            model: "QEMU HARDDISK".into(),
            serial: serial(0),
            transport: "sata".into(),
            rotational: true,
            ..Default::default()
        },
        DiskInfo {
            id: "sdb".into(),
            dev_path: "/dev/sdb".into(),
            size: 50 << 30,
            model: "QEMU HARDDISK".into(),
            serial: serial(1),
            transport: "sata".into(),
            rotational: true,
            ..Default::default()
        },
    ]
}

/// The links of node `name`: loopback and one physical NIC with a stable MAC (QEMU's 52:54:00
/// prefix).
pub fn links(name: &str) -> Vec<LinkInfo> {
    let d = digest(name);
    let mac = format!("52:54:00:{:02x}:{:02x}:{:02x}", d[28], d[29], d[30]);
    vec![
        LinkInfo {
            id: "lo".into(),
            hardware_addr: "00:00:00:00:00:00".into(),
            permanent_addr: String::new(),
            kind: String::new(),
            physical: false,
            oper_state: "unknown".into(),
            driver: String::new(),
        },
        LinkInfo {
            id: "eth0".into(),
            hardware_addr: mac.clone(),
            permanent_addr: mac,
            kind: String::new(),
            physical: true,
            oper_state: "up".into(),
            driver: "virtio_net".into(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_is_stable_per_name_and_differs_between_names() {
        assert_eq!(name_uuid("cp-01"), name_uuid("cp-01"));
        assert_ne!(name_uuid("cp-01"), name_uuid("cp-02"));
        let u = name_uuid("cp-01");
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "8", "version 8: {u}");
        assert!("89ab".contains(&u[19..20]), "variant: {u}");
        assert_eq!(system_info("x", Some("given")).uuid, "given");
        assert_ne!(
            links("cp-01")[1].hardware_addr,
            links("cp-02")[1].hardware_addr
        );
    }
}

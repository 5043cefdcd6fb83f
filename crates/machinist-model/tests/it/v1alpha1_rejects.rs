//! The v1alpha1 model rejects what Talos's decoder rejects: unknown keys at every level
//! (including inside list items and map values) and values of the wrong shape.

use crate::v1alpha1_support;

use machinist_model::v1alpha1::{Config, FileMode, Flag};
use v1alpha1_support::{UNKNOWN_KEYS, WRONG_SHAPES};

#[test]
fn unknown_keys_are_rejected_at_every_level() {
    for (yaml, key) in UNKNOWN_KEYS {
        let err = match serde_yaml_ng::from_str::<Config>(yaml) {
            Ok(cfg) => panic!("accepted an unknown key `{key}`:\n{yaml}\nparsed as {cfg:?}"),
            Err(err) => err.to_string(),
        };
        assert!(
            err.contains(&format!("unknown field `{key}`")),
            "error for `{key}` does not name it: {err}"
        );
    }
}

#[test]
fn values_of_the_wrong_shape_are_rejected() {
    for (yaml, expected) in WRONG_SHAPES {
        let err = match serde_yaml_ng::from_str::<Config>(yaml) {
            Ok(cfg) => panic!("accepted:\n{yaml}\nparsed as {cfg:?}"),
            Err(err) => err.to_string(),
        };
        assert!(err.contains(expected), "{yaml}: {err}");
    }
}

#[test]
fn shapes_talos_accepts_are_accepted() {
    let yaml = "\
debug: no
machine:
  type: join
  network:
    interfaces:
      - interface: eth0
        dhcp: yes
  acceptedCAs:
    - crt: abc
  files:
    - path: /var/etc/a
      permissions: 0644
      op: create
      content: x
  sysctls:
    net.ipv4.ip_forward: 1
    vm.overcommit_memory: \"1\"
  kubelet:
    extraArgs:
      max-pods: 250
      rotate-server-certificates: true
  install:
    diskSelector:
      size: '>= 100GB'
  disks:
    - device: /dev/sdb
      partitions:
        - size: 1073741824
        - mountpoint: /var/mnt/b
cluster:
  controllerManager:
    extraArgs:
      node-cidr-mask-size: 22
  apiServer:
    extraArgs:
      feature-gates: [A=true, B=false]
";
    let cfg: Config = serde_yaml_ng::from_str(yaml).unwrap();
    assert_eq!(cfg.debug, Some(Flag(false)));
    let machine = cfg.machine.unwrap();
    let eth0 = &machine
        .network
        .as_ref()
        .unwrap()
        .interfaces
        .as_ref()
        .unwrap()[0];
    assert_eq!(eth0.dhcp, Some(Flag(true)));
    assert_eq!(machine.files.unwrap()[0].permissions, Some(FileMode(0o644)));
    assert_eq!(
        machine.sysctls.unwrap()["net.ipv4.ip_forward"].as_str(),
        "1"
    );
}

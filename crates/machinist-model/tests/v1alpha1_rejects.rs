//! The v1alpha1 model rejects what Talos's decoder rejects: unknown keys at every level
//! (including inside list items and map values) and values of the wrong shape.

use machinist_model::v1alpha1::Config;

/// (document, key or value the error must name)
const UNKNOWN_KEYS: &[(&str, &str)] = &[
    ("version: v1alpha1\nmachin: {}\n", "machin"),
    ("machine:\n  typ: worker\n", "typ"),
    ("machine:\n  hostname: cp-01\n", "hostname"),
    ("machine:\n  kubelet:\n    extraArg: {}\n", "extraArg"),
    (
        "machine:\n  kubelet:\n    nodeIP:\n      validSubnet: []\n",
        "validSubnet",
    ),
    (
        "machine:\n  install:\n    diskSelector:\n      sizee: 4GB\n",
        "sizee",
    ),
    (
        "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        dhcp6: true\n",
        "dhcp6",
    ),
    (
        "machine:\n  network:\n    interfaces:\n      - interface: bond0\n        bond:\n          mode: 802.3ad\n          member: [eth0]\n",
        "member",
    ),
    (
        "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        vlans:\n          - vlanId: 10\n            vipp: {}\n",
        "vipp",
    ),
    (
        "machine:\n  registries:\n    mirrors:\n      docker.io:\n        endpoint: [https://m]\n",
        "endpoint",
    ),
    (
        "machine:\n  files:\n    - path: /var/a\n      mode: 0o644\n",
        "mode",
    ),
    (
        "machine:\n  features:\n    kubePrism:\n      enable: true\n",
        "enable",
    ),
    (
        "machine:\n  systemDiskEncryption:\n    state:\n      keys:\n        - slot: 0\n          tmp: {}\n",
        "tmp",
    ),
    (
        "cluster:\n  controlPlane:\n    endpoints: https://a:6443\n",
        "endpoints",
    ),
    ("cluster:\n  apiServer:\n    certSans: [a]\n", "certSans"),
    (
        "cluster:\n  network:\n    podSubnet: [10.0.0.0/8]\n",
        "podSubnet",
    ),
    (
        "cluster:\n  etcd:\n    advertisedSubnet: []\n",
        "advertisedSubnet",
    ),
    (
        "cluster:\n  apiServer:\n    admissionControl:\n      - name: PodSecurity\n        config: {}\n",
        "config",
    ),
    (
        "cluster:\n  discovery:\n    registries:\n      service:\n        url: x\n",
        "url",
    ),
];

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

/// (document, part of the expected error)
const WRONG_SHAPES: &[(&str, &str)] = &[
    ("machine:\n  type: master\n", "unknown variant `master`"),
    ("debug: maybe\n", "invalid type"),
    ("machine:\n  certSANs: a.example\n", "invalid type"),
    (
        "machine:\n  files:\n    - op: replace\n",
        "unknown variant `replace`",
    ),
    (
        "machine:\n  install:\n    diskSelector:\n      type: tape\n",
        "unknown variant `tape`",
    ),
    (
        "machine:\n  sysctls:\n    vm.swappiness: [1]\n",
        "a string, number or boolean",
    ),
    (
        "machine:\n  kubelet:\n    extraConfig: [a]\n",
        "invalid type",
    ),
    (
        "machine:\n  network:\n    interfaces:\n      - vlans:\n          - vlanId: 70000\n",
        "70000",
    ),
    (
        "cluster:\n  network:\n    cni:\n      name: cilium\n",
        "unknown variant `cilium`",
    ),
    (
        "cluster:\n  proxy:\n    extraArgs:\n      a: {b: c}\n",
        "did not match any variant",
    ),
    ("cluster:\n  acceptedCAs:\n    crt: abc\n", "invalid type"),
];

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
machine:
  type: join
  acceptedCAs:
    - crt: abc
  files:
    - path: /var/etc/a
      permissions: 0o644
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
    let machine = cfg.machine.unwrap();
    assert_eq!(machine.files.unwrap()[0].permissions, Some(0o644));
    assert_eq!(
        machine.sysctls.unwrap()["net.ipv4.ip_forward"].as_str(),
        "1"
    );
}

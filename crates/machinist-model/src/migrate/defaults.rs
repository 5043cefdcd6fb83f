//! Defaults Talos changes between contracts for *new* clusters. In: the source and target
//! contracts. Out: the [`DefaultChange`]s in between, each with how to keep the old behaviour or
//! adopt the new one. A migrated config keeps its behaviour (Talos applies these defaults through
//! `talosctl gen config`, not to existing configs), so these are notes, not edits.
//!
//! Source: `pkg/machinery/config/contract.go` (`FilesystemTrimEnabledByDefault`,
//! `WorkloadIsolationEnabledByDefault`, `GrubUseUKICmdlineDefault`) and
//! `pkg/machinery/config/generate/` at Talos HEAD. An IPVS kernel-module default for v1.15 was
//! looked for there and not found, so it is not listed.

use crate::Contract;

/// One default that differs between contracts for newly generated configs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultChange {
    /// The first contract with the new default.
    pub since: Contract,
    /// What changes.
    pub what: &'static str,
    /// How a migrated config keeps the old behaviour, or adopts the new one.
    pub how: &'static str,
}

/// Every default change, oldest first.
pub static CHANGES: &[DefaultChange] = &[
    DefaultChange {
        since: Contract::V1_12,
        what: "new configs install with `machine.install.grubUseUKICmdline: true` (GRUB takes the kernel command line from the UKI)",
        how: "a migrated config keeps what it says; without the field GRUB keeps using `extraKernelArgs`",
    },
    DefaultChange {
        since: Contract::V1_14,
        what: "new configs get a FilesystemTrimConfig (weekly fstrim) and an EPHEMERAL VolumeConfig with secure mounts",
        how: "a migrated config runs no periodic trim, as before; add a FilesystemTrimConfig document to adopt it",
    },
    DefaultChange {
        since: Contract::V1_14,
        what: "new configs get a SecurityProfileConfig with `workloadIsolation: true` (sandboxd)",
        how: "a migrated config keeps workload isolation off, as before; add SecurityProfileConfig `workloadIsolation: true` to adopt it",
    },
    DefaultChange {
        since: Contract::V1_14,
        what: "a new KubeEtcdEncryptionConfig lists the `secretbox` (or `aescbc`) provider only, where the v1alpha1 path also listed `identity` last",
        how: "`migrate config` keeps `identity`, and `migrate DIR --write` adds templates/etcd-encryption.yaml with the old provider list (the secrets stage fills in the key), since the secrets stage alone writes the new default; delete that template to adopt it (data stored before encryption was on then becomes unreadable)",
    },
];

/// The default changes a migration from `from` to `to` crosses.
pub fn between(from: Contract, to: Contract) -> Vec<DefaultChange> {
    CHANGES
        .iter()
        .filter(|c| c.since > from && c.since <= to)
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changes_inside_the_step_are_reported() {
        assert!(between(Contract::V1_14, Contract::V1_15).is_empty());
        let crossed = between(Contract::V1_13, Contract::V1_14);
        assert_eq!(crossed.len(), 3);
        assert!(crossed.iter().any(|c| c.what.contains("workloadIsolation")));
        assert!(crossed.iter().any(|c| c.what.contains("`identity`")));
        assert_eq!(between(Contract::V1_11, Contract::V1_15).len(), 4);
        assert!(between(Contract::V1_14, Contract::V1_14).is_empty());
    }
}

//! Fault injection for the simulator. In: `--fault` specs such as `latency=200ms:node=cp-01`,
//! `refuse:count=2`, `drop:node=w-01,call=apply,count=1`, `crash-after-persist:node=cp-02`.
//! Out: [`Fault`] values the simulated nodes consult on every connection and call.
//!
//! Grammar: `KIND[:key=value[,key=value]...]` where KIND is `latency=DURATION`, `refuse` (close
//! connections before the TLS handshake), `drop` (close the connection mid-call, nothing applied),
//! `crash-before-persist` or `crash-after-persist` (the node goes down for the reboot delay, with
//! or without the new config saved), `upgrade-fallback` or `upgrade-fallback=NODE` (an upgraded
//! node comes back from its reboot on the old version, like Talos falling back to the previous
//! boot entry), `etcd-member-missing=NODE` (that control plane is not in the etcd member list,
//! as after `talosctl etcd remove-member`, and its etcd service does not run; it rejoins once the
//! simulator runs without the fault). Keys: `node=NAME` (default: every node), `call=version|get|apply|lifecycle|any`
//! (default `any`; crashes default to `apply`; `lifecycle` = bootstrap, kubeconfig, upgrade,
//! image pull, reset, reboot, etcd member list, service list), `count=N` (how many times it
//! fires; default unlimited).

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// What a fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// Delay every matching call.
    Latency(Duration),
    /// Close new connections before the TLS handshake.
    Refuse,
    /// Close the connection while the call is in progress; nothing is applied.
    Drop,
    /// Apply only: go down before the new config is saved.
    CrashBeforePersist,
    /// Apply only: save the new config, then go down without answering.
    CrashAfterPersist,
    /// Upgrades: the node reboots but comes back on its old version.
    UpgradeFallback,
    /// The control plane is not an etcd member (and does not join).
    EtcdMemberMissing,
}

/// Which RPC a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `machine.MachineService/Version`.
    Version,
    /// `cosi.resource.State/Get` and `List`.
    Get,
    /// `machine.MachineService/ApplyConfiguration`.
    Apply,
    /// The lifecycle calls: Bootstrap, Kubeconfig, Upgrade (both services), ImageService/Pull,
    /// Reset, Reboot, EtcdMemberList, ServiceList.
    Lifecycle,
    /// Every call.
    Any,
}

/// One injected fault.
#[derive(Debug)]
pub struct Fault {
    /// What happens.
    pub kind: FaultKind,
    /// Only this node (by name), or every node.
    pub node: Option<String>,
    /// Only this call.
    pub call: Call,
    remaining: AtomicI64,
}

/// A `--fault` spec that cannot be parsed.
#[derive(Debug, thiserror::Error)]
#[error("bad --fault `{spec}`: {reason}")]
pub struct FaultParseError {
    spec: String,
    reason: String,
}

/// Parses `200ms`, `2s`, `1.5s`, `1m`, `1h`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    crate::duration::parse(s).ok()
}

impl Fault {
    /// Parses one spec (see the module documentation for the grammar).
    pub fn parse(spec: &str) -> Result<Fault, FaultParseError> {
        let bad = |reason: String| FaultParseError {
            spec: spec.to_owned(),
            reason,
        };
        let (head, opts) = spec.split_once(':').unwrap_or((spec, ""));
        let kind = match head.split_once('=') {
            Some(("latency", d)) => {
                FaultKind::Latency(crate::duration::parse(d).map_err(|e| bad(e.to_string()))?)
            }
            None if head == "refuse" => FaultKind::Refuse,
            None if head == "drop" => FaultKind::Drop,
            None if head == "crash-before-persist" => FaultKind::CrashBeforePersist,
            None if head == "crash-after-persist" => FaultKind::CrashAfterPersist,
            None if head == "upgrade-fallback" => FaultKind::UpgradeFallback,
            Some(("upgrade-fallback", _)) => FaultKind::UpgradeFallback,
            Some(("etcd-member-missing", _)) => FaultKind::EtcdMemberMissing,
            None if head == "etcd-member-missing" => {
                return Err(bad(
                    "etcd-member-missing needs a node: etcd-member-missing=NODE".into(),
                ));
            }
            _ => {
                return Err(bad(format!(
                    "unknown fault `{head}` (expected latency=D, refuse, drop, crash-before-persist, crash-after-persist, upgrade-fallback[=NODE], etcd-member-missing=NODE)"
                )));
            }
        };
        let mut node = match head.split_once('=') {
            Some((k @ ("upgrade-fallback" | "etcd-member-missing"), n)) => {
                if n.is_empty() {
                    return Err(bad(format!("{k}= needs a node name")));
                }
                Some(n.to_owned())
            }
            _ => None,
        };
        let mut call = match kind {
            FaultKind::CrashBeforePersist | FaultKind::CrashAfterPersist => Call::Apply,
            _ => Call::Any,
        };
        let mut count = -1i64;
        for kv in opts.split(',').filter(|s| !s.is_empty()) {
            let (k, v) = kv
                .split_once('=')
                .ok_or_else(|| bad(format!("`{kv}` is not key=value")))?;
            match k {
                "node" => node = Some(v.to_owned()),
                "call" => {
                    call = match v {
                        "version" => Call::Version,
                        "get" => Call::Get,
                        "apply" => Call::Apply,
                        "lifecycle" => Call::Lifecycle,
                        "any" => Call::Any,
                        _ => {
                            return Err(bad(format!(
                                "unknown call `{v}` (version, get, apply, lifecycle, any)"
                            )));
                        }
                    }
                }
                "count" => {
                    count = v
                        .parse::<u32>()
                        .map_err(|_| bad(format!("count `{v}` is not a number")))?
                        .into()
                }
                _ => return Err(bad(format!("unknown key `{k}` (node, call, count)"))),
            }
        }
        Ok(Fault {
            kind,
            node,
            call,
            remaining: AtomicI64::new(count),
        })
    }

    /// Whether the fault fires for this node and call; consumes one use when it does.
    pub fn fires(&self, node: &str, call: Call) -> bool {
        if self.node.as_deref().is_some_and(|n| n != node) {
            return false;
        }
        if self.call != Call::Any && call != Call::Any && self.call != call {
            return false;
        }
        loop {
            let left = self.remaining.load(Ordering::SeqCst);
            if left < 0 {
                return true;
            }
            if left == 0 {
                return false;
            }
            if self
                .remaining
                .compare_exchange(left, left - 1, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_with_selectors_and_counts() {
        let f = Fault::parse("drop:node=w-01,call=apply,count=1").unwrap();
        assert_eq!(f.kind, FaultKind::Drop);
        assert!(!f.fires("w-02", Call::Apply));
        assert!(!f.fires("w-01", Call::Version));
        assert!(
            !f.fires("w-01", Call::Lifecycle),
            "call=apply spares lifecycle calls"
        );
        assert!(f.fires("w-01", Call::Apply));
        assert!(!f.fires("w-01", Call::Apply), "count=1 fires once");
        let l = Fault::parse("latency=250ms").unwrap();
        assert_eq!(l.kind, FaultKind::Latency(Duration::from_millis(250)));
        assert!(l.fires("any", Call::Get) && l.fires("any", Call::Get));
        assert_eq!(
            Fault::parse("crash-after-persist").unwrap().call,
            Call::Apply
        );
        for spec in ["upgrade-fallback=w-01", "upgrade-fallback:node=w-01"] {
            let f = Fault::parse(spec).unwrap();
            assert_eq!(f.kind, FaultKind::UpgradeFallback, "{spec}");
            assert!(
                !f.fires("w-02", Call::Any) && f.fires("w-01", Call::Any),
                "{spec}"
            );
        }
    }

    #[test]
    fn an_etcd_member_goes_missing_on_one_node() {
        let f = Fault::parse("etcd-member-missing=cp-03").unwrap();
        assert_eq!(f.kind, FaultKind::EtcdMemberMissing);
        assert!(!f.fires("cp-01", Call::Any) && f.fires("cp-03", Call::Any));
        for spec in ["etcd-member-missing", "etcd-member-missing="] {
            let e = Fault::parse(spec).unwrap_err().to_string();
            assert!(e.contains("needs a node"), "{spec}: {e}");
        }
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        let e = Fault::parse("explode").unwrap_err().to_string();
        assert!(
            e.starts_with("bad --fault `explode`: unknown fault `explode`"),
            "{e}"
        );
        let e = Fault::parse("drop:count=x").unwrap_err().to_string();
        assert!(e.contains("count `x` is not a number"), "{e}");
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_duration("5x"), None);
    }
}

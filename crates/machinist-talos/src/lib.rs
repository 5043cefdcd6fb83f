//! The Talos node API for machinist. In: a talosconfig (or maintenance-mode settings) and node
//! addresses. Out: typed answers from nodes — their version, their live machine configuration, and
//! the outcome of applying a new one.
//!
//! - [`proto`]: Rust types generated from our trimmed copies of Talos's `.proto` files (same
//!   packages, services, message names and field numbers as Talos);
//! - [`talosconfig`]: finding the talosctl client configuration file and normalising endpoints
//!   (its model and reader live in `machinist_secrets::talosconfig`);
//! - [`tls`]: rustls client settings (mutual TLS with the cluster CA, or maintenance mode);
//! - [`duration`]: the one parser for duration flags (`2m30s`), bounded;
//! - [`client`]: the [`client::NodeApi`] trait and its gRPC implementation [`client::TalosClient`];
//! - [`lifecycle`]: typed requests and answers of the lifecycle calls (identity, bootstrap,
//!   kubeconfig, upgrade, reset, etcd, services);
//! - [`hardware`]: the discovery resources (SMBIOS identity, disks, links) and their two spec forms;
//! - [`machineconfig`]: decoding the MachineConfig resource returned by `cosi.resource.State/Get`;
//! - [`sim`]: the library behind `machinist-sim`, a wire-compatible simulated Talos node.

// Library code never prints: only src/cli/ and src/bin/ talk to the terminal.
#![deny(clippy::print_stdout, clippy::print_stderr)]
#![warn(unreachable_pub)]

pub mod certinfo;
pub mod client;
pub mod duration;
pub mod extensions;
pub mod hardware;
pub mod lifecycle;
pub mod machineconfig;
pub mod proto;
pub mod sim;
pub mod talosconfig;
pub mod tls;

pub use client::{
    ApplyMode, ApplyOutcome, ApplyRequest, NodeApi, NodeError, NodeTarget, TalosClient,
};
pub use extensions::ExtensionInfo;
pub use lifecycle::{
    BootstrapOutcome, DiskInfo, EtcdMember, Facts, LinkInfo, ResetRequest, ServiceInfo, SystemInfo,
    UpgradeApi, UpgradeOutcome, UpgradeRequest, WipeMode,
};
pub use talosconfig::{Credentials, Talosconfig};

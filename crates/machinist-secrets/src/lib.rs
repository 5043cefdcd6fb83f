//! Talos cluster secrets. In: a config contract, an existing `secrets.yaml` or controlplane machine
//! config, rendered Talos documents, and the user's age identity. Out: a secrets [`Bundle`] in
//! talosctl's exact format (generated natively), its age-encrypted form at rest, talosconfig client
//! credentials, server certificates signed by the OS CA, and rendered documents with every secret
//! injected where `talosctl gen config` puts it — or replaced by `<redacted>`.
//!
//! Modules: [`bundle`] (format, generation, validation), [`x509`] (certificates as Talos makes
//! them), [`pem`] (Talos's PEM labels and key encodings), [`talosconfig`], [`atrest`] (age),
//! [`import`] (adopting an existing cluster), [`inject`] (placing and redacting secrets in
//! rendered documents), [`fsutil`] (0600 atomic writes).

// Library code never prints: only src/cli/ and src/bin/ talk to the terminal.
#![deny(clippy::print_stdout, clippy::print_stderr)]
#![warn(unreachable_pub)]

pub mod atrest;
pub mod bundle;
pub mod error;
pub mod fsutil;
pub mod import;
pub mod inject;
pub mod pem;
pub mod talosconfig;
pub mod x509;
mod yamlout;

pub use atrest::{IdentityEnv, load_bundle, save_bundle};
pub use bundle::Bundle;
pub use error::{PemError, Result, SecretsError};
pub use import::import;
pub use inject::{REDACTED, Role, inject, inject_redacted, redact};
pub use talosconfig::{Context, Credentials, Talosconfig};
pub use x509::{CertificateAuthority, IssuedCert};

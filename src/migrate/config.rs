//! Migrating one plain Talos config file. In: the file's path, its text, the source and target
//! contracts and whether it is a patch. Out: a [`ConfigMigration`] — the new YAML text, what moved,
//! the named warnings, the default changes and the effective-settings comparison — or a
//! [`ConfigError`] naming the file (and the line, for YAML errors). Nothing is written here; the
//! caller writes the text atomically only when this returns `Ok`.

use std::path::{Path, PathBuf};

use machinist_model::Contract;
use machinist_model::migrate::effective::{Difference, Effective};
use machinist_model::migrate::{MigrateError, Migration, migrate};
use serde::Deserialize;
use serde_yaml_ng::Value;

use machinist_patch::to_yaml;

/// A migrated config file.
#[derive(Debug, Clone)]
pub struct ConfigMigration {
    /// The migrated config, as YAML text.
    pub text: String,
    /// What moved and what did not.
    pub migration: Migration,
    /// Effective settings that differ between the input and the output (empty: behaviour
    /// preserved).
    pub differences: Vec<Difference>,
}

/// Why a file could not be migrated.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{}: cannot read: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not YAML.
    #[error("{}:{line}: not valid YAML: {message}", .path.display())]
    Yaml {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem (0: unknown).
        line: usize,
        /// What the parser said.
        message: String,
    },
    /// The migration itself refused.
    #[error("{}: {source}", .path.display())]
    Migrate {
        /// The file.
        path: PathBuf,
        /// Why.
        source: MigrateError,
    },
    /// A setting would behave differently after the migration (a bug in a mapping: nothing is
    /// written).
    #[error("{}: the migrated config would behave differently: {}", .path.display(), .differences.iter().map(|d| format!("{} {} -> {}", d.setting, d.before, d.after)).collect::<Vec<_>>().join("; "))]
    Behaviour {
        /// The file.
        path: PathBuf,
        /// The settings that differ.
        differences: Vec<Difference>,
    },
}

/// Parses a YAML stream into its documents (empty documents dropped).
pub fn parse_stream(path: &Path, text: &str) -> Result<Vec<Value>, ConfigError> {
    let mut docs = Vec::new();
    for de in serde_yaml_ng::Deserializer::from_str(text) {
        let v = Value::deserialize(de).map_err(|e| ConfigError::Yaml {
            path: path.to_path_buf(),
            line: e.location().map(|l| l.line()).unwrap_or(0),
            message: e.to_string(),
        })?;
        if !v.is_null() {
            docs.push(v);
        }
    }
    Ok(docs)
}

/// Migrates the config `text` read from `path`.
pub fn migrate_text(
    path: &Path,
    text: &str,
    from: Contract,
    to: Contract,
    patch: bool,
) -> Result<ConfigMigration, ConfigError> {
    let docs = parse_stream(path, text)?;
    let migration = migrate(&docs, from, to, patch).map_err(|source| ConfigError::Migrate {
        path: path.to_path_buf(),
        source,
    })?;
    let differences = Effective::of(&docs).differences(&Effective::of(&migration.docs));
    if !differences.is_empty() {
        return Err(ConfigError::Behaviour {
            path: path.to_path_buf(),
            differences,
        });
    }
    Ok(ConfigMigration {
        text: to_yaml(&migration.docs),
        migration,
        differences,
    })
}

/// Reads and migrates the config file at `path`.
pub fn migrate_file(
    path: &Path,
    from: Contract,
    to: Contract,
    patch: bool,
) -> Result<ConfigMigration, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    migrate_text(path, &text, from, to, patch)
}

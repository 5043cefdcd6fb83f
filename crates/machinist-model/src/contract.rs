//! Talos config contracts. In: a Talos version string such as `v1.13.0`. Out: the [`Contract`]
//! (the minor version whose schema, defaults and apply semantics apply).

use std::fmt;
use std::str::FromStr;

/// A Talos machine-config contract: the minor release whose config format applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Contract {
    /// Talos v1.11.
    V1_11,
    /// Talos v1.12.
    V1_12,
    /// Talos v1.13, the newest stable release and the default.
    V1_13,
    /// Talos v1.14.
    V1_14,
    /// Talos v1.15 (Talos's main branch).
    V1_15,
}

impl Contract {
    /// Every supported contract, oldest first.
    pub const ALL: [Contract; 5] = [
        Contract::V1_11,
        Contract::V1_12,
        Contract::V1_13,
        Contract::V1_14,
        Contract::V1_15,
    ];

    /// The contract used when a project does not say.
    pub const DEFAULT: Contract = Contract::V1_13;

    /// The minor version number (11 for v1.11).
    pub fn minor(self) -> u32 {
        match self {
            Contract::V1_11 => 11,
            Contract::V1_12 => 12,
            Contract::V1_13 => 13,
            Contract::V1_14 => 14,
            Contract::V1_15 => 15,
        }
    }

    /// `v1.13` style name.
    pub fn as_str(self) -> &'static str {
        match self {
            Contract::V1_11 => "v1.11",
            Contract::V1_12 => "v1.12",
            Contract::V1_13 => "v1.13",
            Contract::V1_14 => "v1.14",
            Contract::V1_15 => "v1.15",
        }
    }
}

impl fmt::Display for Contract {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Talos version that names no supported contract.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unsupported Talos version `{given}`: supported contracts are v1.11, v1.12, v1.13, v1.14 and v1.15"
)]
pub struct UnsupportedVersion {
    /// The text that was given.
    pub given: String,
}

impl FromStr for Contract {
    type Err = UnsupportedVersion;

    /// Accepts `v1.13`, `1.13`, `v1.13.0`, `v1.13.9`, `v1.14.0-rc.1` and similar.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || UnsupportedVersion {
            given: s.to_string(),
        };
        let t = s.trim().trim_start_matches('v');
        let mut parts = t.split(['.', '-']);
        let major = parts.next().ok_or_else(err)?;
        let minor = parts.next().ok_or_else(err)?;
        if major != "1" {
            return Err(err());
        }
        match minor {
            "11" => Ok(Contract::V1_11),
            "12" => Ok(Contract::V1_12),
            "13" => Ok(Contract::V1_13),
            "14" => Ok(Contract::V1_14),
            "15" => Ok(Contract::V1_15),
            _ => Err(err()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_release_and_prerelease_versions() {
        assert_eq!("v1.13.0".parse::<Contract>(), Ok(Contract::V1_13));
        assert_eq!("1.12".parse::<Contract>(), Ok(Contract::V1_12));
        assert_eq!("v1.14.0-rc.1".parse::<Contract>(), Ok(Contract::V1_14));
        assert!("v1.10.0".parse::<Contract>().is_err());
        assert!("v2.0.0".parse::<Contract>().is_err());
        assert!("latest".parse::<Contract>().is_err());
    }
}

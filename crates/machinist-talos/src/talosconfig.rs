//! Where the talosctl client configuration ("talosconfig") is and how its endpoints are dialled.
//! In: the rules that find the file (`--talosconfig`, the project's `talosconfig`, `$TALOSCONFIG`,
//! `~/.talos/config`) and endpoint strings. Out: the file's path and `host:port` dial addresses.
//! The file's model and reader are `machinist_secrets::talosconfig` (re-exported here).

use std::path::{Path, PathBuf};

pub use machinist_secrets::talosconfig::{Context, Credentials, Talosconfig};

/// Why a talosconfig could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TalosConfigError {
    /// No file was given and none was found in the usual places.
    #[error(
        "no talosconfig found (looked for {looked}); pass --talosconfig FILE or create one with `machinist secrets gen`"
    )]
    NotFound {
        /// The places searched, in order.
        looked: String,
    },
}

/// Finds the talosconfig to use. Precedence: the explicit `--talosconfig` path, then the project's
/// own `talosconfig` file, then `$TALOSCONFIG`, then `~/.talos/config`. The project file comes
/// before the environment so a shell set up for another cluster never silently targets it.
pub fn locate(
    explicit: Option<&Path>,
    project_dir: Option<&Path>,
) -> Result<PathBuf, TalosConfigError> {
    let mut looked = Vec::new();
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(dir) = project_dir {
        let p = dir.join("talosconfig");
        if p.is_file() {
            return Ok(p);
        }
        looked.push(p.display().to_string());
    }
    if let Some(p) = std::env::var_os("TALOSCONFIG").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    looked.push("$TALOSCONFIG".into());
    if let Some(home) = std::env::var_os("HOME") {
        let p = Path::new(&home).join(".talos/config");
        if p.is_file() {
            return Ok(p);
        }
        looked.push(p.display().to_string());
    }
    Err(TalosConfigError::NotFound {
        looked: looked.join(", "),
    })
}

/// Normalises an endpoint the way talosctl does: `https://host` without a port becomes
/// `host:443`, a URL is reduced to `host:port`, and a bare host gets port 50000.
pub fn normalize_endpoint(endpoint: &str) -> String {
    let e = endpoint.trim();
    if let Some((scheme, rest)) = e.split_once("://") {
        let hostport = rest.split('/').next().unwrap_or(rest);
        if has_port(hostport) {
            return hostport.to_owned();
        }
        let port = if scheme.eq_ignore_ascii_case("https") {
            443
        } else {
            80
        };
        return format!("{}:{port}", bracket(hostport));
    }
    if has_port(e) {
        e.to_owned()
    } else {
        format!("{}:50000", bracket(e))
    }
}

fn bracket(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

fn has_port(hostport: &str) -> bool {
    if let Some(rest) = hostport.strip_prefix('[') {
        return rest.contains("]:");
    }
    matches!(hostport.matches(':').count(), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_follow_talosctl_rules() {
        assert_eq!(normalize_endpoint("10.0.0.1"), "10.0.0.1:50000");
        assert_eq!(normalize_endpoint("10.0.0.1:1234"), "10.0.0.1:1234");
        assert_eq!(normalize_endpoint("https://cp.example"), "cp.example:443");
        assert_eq!(
            normalize_endpoint("https://cp.example:8443/x"),
            "cp.example:8443"
        );
        assert_eq!(normalize_endpoint("fd00::1"), "[fd00::1]:50000");
        assert_eq!(normalize_endpoint("[fd00::1]:50001"), "[fd00::1]:50001");
    }

    #[test]
    fn explicit_path_wins_and_project_file_beats_environment() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("talosconfig"), "contexts: {}\n").unwrap();
        let explicit = Path::new("/x/tc");
        assert_eq!(locate(Some(explicit), Some(dir.path())).unwrap(), explicit);
        assert_eq!(
            locate(None, Some(dir.path())).unwrap(),
            dir.path().join("talosconfig")
        );
    }
}

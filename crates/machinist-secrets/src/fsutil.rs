//! Temporary files and atomic replacement. In: a path and bytes. Out: the file replaced
//! atomically (a temporary file in the same directory, then a rename). Every temporary file is
//! created owner-only (0600) from the start, is named `.machinist-<pid>-<random>.tmp` (the pattern
//! `init`'s `.gitignore` ignores, [`TEMP_GLOB`]), and one that a killed run left behind — its
//! process no longer exists — is removed by the next write into the same directory and reported by
//! [`leftover_temp_files`] (which `render -o DIR --check` prints).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Result, SecretsError};

/// The shell pattern every machinist temporary file matches.
pub const TEMP_GLOB: &str = ".machinist-*.tmp";
const TEMP_PREFIX: &str = ".machinist-";
const TEMP_SUFFIX: &str = ".tmp";

/// Whether `name` is a machinist temporary file name.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX) && name.len() > 15
}

/// The process that created temporary file `name`, when the name records one.
fn temp_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(TEMP_PREFIX)?;
    rest.split('-').next()?.parse().ok()
}

/// Whether the process that wrote `name` is gone, so the file is an orphan. Without `/proc`,
/// a temporary file older than an hour counts as orphaned.
fn orphaned(path: &Path, name: &str) -> bool {
    let proc = Path::new("/proc/self");
    match temp_owner(name) {
        Some(pid) if proc.exists() => {
            pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists()
        }
        _ => std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 3600),
    }
}

/// Machinist temporary files in `dir` whose writer is gone (a run killed mid-write).
pub fn leftover_temp_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = rd
        .filter_map(std::result::Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (is_temp_name(&name) && orphaned(&e.path(), &name)).then(|| e.path())
        })
        .collect();
    out.sort();
    out
}

/// Removes the orphaned temporary files of `dir`; returns how many went.
pub fn clean_leftovers(dir: &Path) -> usize {
    leftover_temp_files(dir)
        .iter()
        .filter(|p| std::fs::remove_file(p).is_ok())
        .count()
}

/// A new owner-only (0600) temporary file in `dir`, named by [`TEMP_GLOB`], after removing the
/// leftovers of killed runs there (the first time this run writes into `dir`). It is deleted when dropped unless persisted.
pub fn temp_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    // Once per directory per run: `render -o` writes hundreds of files into one directory.
    static CLEANED: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
    let first = CLEANED.lock().map_or(true, |mut seen| {
        let fresh = !seen.iter().any(|d| d == dir);
        if fresh {
            seen.push(dir.to_path_buf());
        }
        fresh
    });
    if first {
        clean_leftovers(dir);
    }
    // tempfile creates the file with mode 0600 on Unix.
    tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to `path` atomically with owner-only permissions (0600 on Unix).
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = parent_dir(path);
    let mut tmp = temp_in(dir).map_err(|e| SecretsError::io(dir, e))?;
    tmp.write_all(bytes)
        .map_err(|e| SecretsError::io(path, e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| SecretsError::io(path, e))?;
    tmp.persist(path)
        .map_err(|e| SecretsError::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_files_are_owner_only_and_replace_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.txt");
        std::fs::write(&p, "old").unwrap();
        write_private(&p, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // No temporary files are left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn leftovers_of_killed_runs_are_found_and_removed_by_the_next_write() {
        let dir = tempfile::tempdir().unwrap();
        // A live writer (this process) is left alone.
        let live = temp_in(dir.path()).unwrap();
        // A dead writer: pid numbers above the kernel's maximum never exist.
        let dead = dir.path().join(".machinist-4294967-AbCdEf.tmp");
        std::fs::write(&dead, "client key").unwrap();
        assert_eq!(leftover_temp_files(dir.path()), vec![dead.clone()]);
        assert_eq!(clean_leftovers(dir.path()), 1);
        assert!(!dead.exists());
        // A later run's first write into the directory cleans too.
        let other = tempfile::tempdir().unwrap();
        let dead = other.path().join(".machinist-4294967-XnwGjm.tmp");
        std::fs::write(&dead, "client key").unwrap();
        write_private(&other.path().join("talosconfig"), b"x").unwrap();
        assert!(!dead.exists(), "the next write cleans the leftover");
        assert!(live.path().exists(), "a running writer's file stays");
        let name = live
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(is_temp_name(&name), "{name}");
        assert!(name.starts_with(&format!(".machinist-{}-", std::process::id())));
    }

    #[cfg(unix)]
    #[test]
    fn temporary_files_are_owner_only_from_the_start() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let t = temp_in(dir.path()).unwrap();
        let mode = t.as_file().metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

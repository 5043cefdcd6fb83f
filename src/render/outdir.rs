//! Rendered files into an output directory (`render -o OUT`). In: the directory, each file's name
//! and contents, and the file mode. Out: the files on disk and a [`Written`] count of what changed.
//! A file whose bytes are already there is not touched (its mtime stays), so GitOps diffs and file
//! watchers see only real changes; a changed file is replaced atomically (temporary file, then
//! rename) without a per-file `fsync`; files are written in parallel; when anything changed the
//! directory is synced once at the end. Rendered output is derived from the project: after a crash
//! the next `render -o` (or `render -o --check`) puts it right, which is why a file-by-file fsync —
//! most of the time of a fleet's render — buys nothing here.

use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::fsutil;

/// What [`write`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Files created or replaced.
    pub changed: usize,
    /// Files that already held these bytes and were left alone.
    pub unchanged: usize,
}

/// A file of the output directory could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", path.display())]
pub struct WriteError {
    /// The file (or the directory itself).
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

/// Writes each `(name, contents)` of `files` to `dir/name`, creating `dir` when needed. `mode`
/// (Unix permission bits) applies to every file written; a file left alone because its bytes are
/// current gets `mode` too when it has other bits (a secret file must never stay readable by
/// others). Stops at the first error; files already written stay written, each one whole.
pub fn write<T: AsRef<str> + Sync>(
    dir: &Path,
    files: &[(String, T)],
    mode: Option<u32>,
) -> Result<Written, WriteError> {
    let err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WriteError { path, source }
    };
    std::fs::create_dir_all(dir).map_err(err(dir))?;
    // Temporary files a killed run left here go, even when no file needs writing this time.
    machinist_secrets::fsutil::clean_leftovers(dir);
    let changed: Vec<bool> = files
        .par_iter()
        .map(|(name, text)| {
            let path = dir.join(name);
            let bytes = text.as_ref().as_bytes();
            if current(&path, bytes).map_err(err(&path))? {
                keep_mode(&path, mode).map_err(err(&path))?;
                return Ok(false);
            }
            fsutil::write_atomic_unsynced(&path, bytes, mode).map_err(err(&path))?;
            Ok(true)
        })
        .collect::<Result<_, WriteError>>()?;
    let n = changed.iter().filter(|c| **c).count();
    if n > 0 {
        fsutil::sync_dir(dir).map_err(err(dir))?;
    }
    Ok(Written {
        changed: n,
        unchanged: changed.len() - n,
    })
}

/// Whether `path` already holds exactly `bytes` (a missing file does not).
fn current(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() || meta.len() != bytes.len() as u64 {
        return Ok(false);
    }
    let mut old = Vec::with_capacity(bytes.len());
    file.read_to_end(&mut old)?;
    Ok(old == bytes)
}

/// Narrows the permissions of a file left alone to `mode` when it allows more.
fn keep_mode(path: &Path, mode: Option<u32>) -> std::io::Result<()> {
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt;
        let now = std::fs::metadata(path)?.permissions().mode() & 0o777;
        if now & !mode != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn stamp(p: &Path) -> (i64, i64, u64) {
        let m = std::fs::metadata(p).unwrap();
        (m.mtime(), m.mtime_nsec(), m.ino())
    }

    fn files(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn unchanged_files_are_not_rewritten_and_changed_ones_are() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let first = write(
            &out,
            &files(&[("a.yaml", "a: 1\n"), ("b.yaml", "b: 1\n")]),
            None,
        );
        assert_eq!(
            first.unwrap(),
            Written {
                changed: 2,
                unchanged: 0
            }
        );
        let (a, b) = (stamp(&out.join("a.yaml")), stamp(&out.join("b.yaml")));
        // Same length, different bytes: must still be replaced.
        let second = write(
            &out,
            &files(&[("a.yaml", "a: 1\n"), ("b.yaml", "b: 2\n")]),
            None,
        );
        assert_eq!(
            second.unwrap(),
            Written {
                changed: 1,
                unchanged: 1
            }
        );
        assert_eq!(stamp(&out.join("a.yaml")), a, "a.yaml untouched");
        assert_ne!(stamp(&out.join("b.yaml")), b, "b.yaml replaced");
        assert_eq!(
            std::fs::read_to_string(out.join("b.yaml")).unwrap(),
            "b: 2\n"
        );
        let leftovers: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "no temporary files left: {leftovers:?}"
        );
    }

    #[test]
    fn a_current_secret_file_readable_by_others_is_narrowed_not_rewritten() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("cp.yaml");
        std::fs::write(&path, "token: x\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let before = stamp(&path);
        let w = write(
            tmp.path(),
            &files(&[("cp.yaml", "token: x\n")]),
            Some(0o600),
        )
        .unwrap();
        assert_eq!(w.unchanged, 1);
        assert_eq!(stamp(&path), before);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn errors_name_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        // A directory where the file should go cannot be replaced by a file.
        std::fs::create_dir(tmp.path().join("n.yaml")).unwrap();
        std::fs::write(tmp.path().join("n.yaml/x"), "").unwrap();
        let e = write(tmp.path(), &files(&[("n.yaml", "a: 1\n")]), None).unwrap_err();
        assert_eq!(e.path, tmp.path().join("n.yaml"));
        assert!(e.to_string().starts_with(&format!(
            "cannot write {}: ",
            tmp.path().join("n.yaml").display()
        )));
    }
}

//! File output and bounded input. In: a path and bytes. Out: the file written atomically (a
//! temporary file in the same directory, then a rename), so a failed run never leaves a
//! half-written file behind; or a file's text, at most [`MAX_INPUT_BYTES`]. Temporary files come
//! from `machinist_secrets::fsutil::temp_in`: owner-only from the start, named
//! `.machinist-<pid>-<random>.tmp`, and cleaned by the next run when a killed one left them.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically. `mode` (Unix permission bits, default 0644) applies before
/// the rename, so a secret file (0600) is never readable by others even for a moment.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    write_via_temp(path, bytes, mode, true)
}

/// [`write_atomic`] without the `fsync` of the file: for output that is derived and can be
/// written again (rendered configs), where a thousand fsyncs cost more than the render. Readers
/// still see the old or the new contents, never a mix; the caller syncs the directory once at the
/// end (see [`sync_dir`]).
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    write_via_temp(path, bytes, mode, false)
}

/// A temporary file next to `path` (owner-only while it is written), the final mode, an
/// optional `fsync`, then the rename over `path`.
fn write_via_temp(path: &Path, bytes: &[u8], mode: Option<u32>, sync: bool) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = machinist_secrets::fsutil::temp_in(dir)?;
    tmp.write_all(bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode.unwrap_or(0o644)))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    if sync {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Makes the renames into `dir` durable: one `fsync` of the directory (a no-op where directories
/// cannot be opened, as on Windows).
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// The most bytes machinist reads from one input file (values, layers, templates, patches,
/// configs): 64 MiB, far above any real config and far below what would exhaust memory.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a UTF-8 input file, at most [`MAX_INPUT_BYTES`]: `-f /dev/zero` or a huge file is an
/// error ("larger than 64 MiB"), not a read until memory runs out. Pipes (`-f <(cmd)`) work.
pub fn read_input(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(std::io::Error::other("it is a directory, not a file"));
    }
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(std::io::Error::other(format!(
            "it is larger than {} MiB, the most machinist reads from one file",
            MAX_INPUT_BYTES / 1024 / 1024
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "it is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Makes sure `dir` is a directory to write into, creating it when missing. The errors name the
/// path: a plain file or a symlink that leads nowhere is not "File exists".
pub fn ensure_dir(dir: &Path) -> std::io::Result<()> {
    let shown = dir.display();
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() && !dir.exists() => {
            let target = std::fs::read_link(dir)
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            Err(std::io::Error::other(format!(
                "`{shown}` is a symlink to `{target}`, which does not exist; create that directory or choose another output"
            )))
        }
        Ok(_) if !dir.is_dir() => Err(std::io::Error::other(format!(
            "`{shown}` exists and is not a directory; the output needs a directory (remove the file or choose another)"
        ))),
        Ok(_) => Ok(()),
        Err(_) => std::fs::create_dir_all(dir)
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot create `{shown}`: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_input_is_an_error_not_a_read_until_memory_runs_out() {
        #[cfg(unix)]
        {
            let err = read_input(Path::new("/dev/zero")).unwrap_err();
            assert!(err.to_string().contains("larger than 64 MiB"), "{err}");
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bin");
        std::fs::write(&p, b"a: \xff\n").unwrap();
        assert!(
            read_input(&p)
                .unwrap_err()
                .to_string()
                .contains("not UTF-8")
        );
        assert!(
            read_input(dir.path())
                .unwrap_err()
                .to_string()
                .contains("directory")
        );
    }

    #[test]
    fn written_files_get_their_mode_and_leave_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("n.yaml");
        write_atomic(&p, b"x", Some(0o600)).unwrap();
        write_atomic(&p, b"y", Some(0o600)).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "y");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn output_dir_errors_name_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("out");
        std::fs::write(&f, "x").unwrap();
        let e = ensure_dir(&f).unwrap_err().to_string();
        assert!(e.contains("out`") && e.contains("not a directory"), "{e}");
        #[cfg(unix)]
        {
            let l = dir.path().join("link");
            std::os::unix::fs::symlink("/nonexistent/x", &l).unwrap();
            let e = ensure_dir(&l).unwrap_err().to_string();
            assert!(
                e.contains("/nonexistent/x") && e.contains("does not exist"),
                "{e}"
            );
        }
        ensure_dir(&dir.path().join("a/b")).unwrap();
        assert!(dir.path().join("a/b").is_dir());
    }
}

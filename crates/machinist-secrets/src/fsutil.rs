//! Writing files that hold secrets. In: a path and bytes. Out: the file replaced atomically (a
//! temporary file in the same directory, then a rename) and created with mode 0600 from the start,
//! so no other user can ever read a partially written or permissive copy.

use std::io::Write;
use std::path::Path;

use crate::error::{Result, SecretsError};

/// Writes `bytes` to `path` atomically with owner-only permissions (0600 on Unix).
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // tempfile creates the file with mode 0600 on Unix.
    let mut tmp = tempfile::Builder::new()
        .prefix(".machinist-")
        .tempfile_in(dir)
        .map_err(|e| SecretsError::io(dir, e))?;
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
}

//! Keeping project reads inside the project. In: the project root and a path a project file
//! names (a layer, node, template, fact or patch file). Out: the file's text, read only when the
//! path — after following every symlink — lies inside the project directory and the file is no
//! larger than [`crate::fsutil::MAX_INPUT_BYTES`]. Files the user names on the command line
//! (`-f`, `-p`) are not confined: the user chose them.

use std::path::{Component, Path, PathBuf};

/// Why a project path was refused.
#[derive(Debug, thiserror::Error)]
pub enum OutsideError {
    /// The path itself leaves the project (absolute, or with `..`).
    #[error("`{0}` leaves the project directory; project files may only name files inside it")]
    Escapes(String),
    /// A symlink on the way points outside the project.
    #[error("`{shown}` resolves to `{target}`, outside the project directory (through a symlink)")]
    Symlink {
        /// The path as the project names it.
        shown: String,
        /// Where it leads.
        target: String,
    },
    /// The file could not be read.
    #[error("cannot read `{shown}`: {source}")]
    Io {
        /// The path as the project names it.
        shown: String,
        /// The OS error.
        source: std::io::Error,
    },
}

/// Whether `rel` (as written in a project file) stays inside the project by its text: relative,
/// and no `..` component.
pub fn is_relative_inside(rel: &str) -> bool {
    let p = Path::new(rel);
    !rel.is_empty()
        && p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// `root/rel` after following symlinks, when it lies inside `root` (also resolved).
pub fn resolve(root: &Path, rel: &Path) -> Result<PathBuf, OutsideError> {
    let shown = rel.display().to_string();
    if !rel
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(OutsideError::Escapes(shown));
    }
    let io = |source| OutsideError::Io {
        shown: shown.clone(),
        source,
    };
    let base = root.canonicalize().map_err(io)?;
    let target = root.join(rel).canonicalize().map_err(io)?;
    if !target.starts_with(&base) {
        return Err(OutsideError::Symlink {
            shown,
            target: target.display().to_string(),
        });
    }
    Ok(target)
}

/// Reads `root/rel` when it resolves inside `root`, bounded in size.
pub fn read(root: &Path, rel: &Path) -> Result<String, OutsideError> {
    let path = resolve(root, rel)?;
    crate::fsutil::read_input(&path).map_err(|source| OutsideError::Io {
        shown: rel.display().to_string(),
        source,
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn symlinks_out_of_the_project_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("key.txt"), "AGE-SECRET-KEY-1XYZ").unwrap();
        let project = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), project.path().join("templates")).unwrap();
        std::fs::write(project.path().join("in.yaml"), "a: 1").unwrap();
        std::os::unix::fs::symlink("in.yaml", project.path().join("alias.yaml")).unwrap();

        let err = read(project.path(), Path::new("templates/key.txt")).unwrap_err();
        assert!(matches!(err, OutsideError::Symlink { .. }), "{err}");
        assert!(!err.to_string().contains("AGE-SECRET-KEY"));
        assert_eq!(
            read(project.path(), Path::new("alias.yaml")).unwrap(),
            "a: 1",
            "a symlink that stays inside is fine"
        );
        assert!(matches!(
            read(project.path(), Path::new("../x")).unwrap_err(),
            OutsideError::Escapes(_)
        ));
        assert!(matches!(
            read(project.path(), Path::new("/etc/passwd")).unwrap_err(),
            OutsideError::Escapes(_)
        ));
    }

    #[test]
    fn textual_check() {
        assert!(is_relative_inside("patches/a.yaml"));
        assert!(is_relative_inside("./patches/a.yaml"));
        assert!(!is_relative_inside("../x.yaml"));
        assert!(!is_relative_inside("patches/../../x.yaml"));
        assert!(!is_relative_inside("/etc/passwd"));
        assert!(!is_relative_inside(""));
    }
}

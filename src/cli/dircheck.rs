//! Checking generated files against a directory (`schema --check`, `render -o DIR --check`). In:
//! the directory, the files that would be written (path relative to it, contents) and the
//! extension generated files carry. Out: one line per difference: a stale file with its changed
//! line counts, a missing file, or a file that would not be generated any more. Nothing is
//! written, and no file content is ever printed (rendered files may hold secrets).

use std::path::Path;

/// Every file under `dir` with extension `ext`, relative, with `/` separators, sorted.
fn existing(dir: &Path, ext: &str) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| e.path().extension().is_some_and(|x| x == ext))
        .filter_map(|e| {
            e.path()
                .strip_prefix(dir)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    out.sort();
    out
}

/// What differs between `files` and `dir`. With `extras`, files with extension `ext` in `dir`
/// that `files` does not list are reported too.
pub(super) fn stale(
    dir: &Path,
    files: &[(String, String)],
    ext: &str,
    extras: bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (rel, contents) in files {
        let path = dir.join(rel);
        match std::fs::read_to_string(&path) {
            Ok(text) if text == *contents => {}
            Ok(text) => {
                let diff = similar::TextDiff::from_lines(&text, contents);
                let (mut added, mut removed) = (0, 0);
                for change in diff.iter_all_changes() {
                    match change.tag() {
                        similar::ChangeTag::Insert => added += 1,
                        similar::ChangeTag::Delete => removed += 1,
                        similar::ChangeTag::Equal => {}
                    }
                }
                problems.push(format!(
                    "{}: stale (+{added} -{removed} lines)",
                    path.display()
                ));
            }
            Err(_) => problems.push(format!("{}: missing", path.display())),
        }
    }
    for tmp in machinist_secrets::fsutil::leftover_temp_files(dir) {
        problems.push(format!(
            "{}: left-over temporary file of an interrupted run (the next write removes it)",
            tmp.display()
        ));
    }
    if extras {
        for name in existing(dir, ext) {
            if !files.iter().any(|(rel, _)| *rel == name) {
                problems.push(format!(
                    "{}: not generated any more",
                    dir.join(&name).display()
                ));
            }
        }
    }
    problems
}

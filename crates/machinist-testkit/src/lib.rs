//! Test support shared by the integration tests of every crate of the workspace. In: nothing but
//! where this crate sits in the checkout. Out: the `shared/reference` directory (Talos schemas and
//! the config corpus, test data kept outside the repository) found beside the repository root or
//! one of its ancestors — or, when it is missing, `None` after the agreed skip line, and a failed
//! test under `CI=true`, where reference tests must run rather than pass by skipping. The same
//! rule for any other missing prerequisite (a CLI that CI installs): [`skip`].

use std::path::{Path, PathBuf};

/// `shared/reference` beside the repository root, found by walking up from this crate (CI clones
/// the repository beside `shared/`; a worktree may sit one level deeper). No message when absent.
pub fn reference_dir() -> Option<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("shared/reference"))
        .find(|dir| dir.is_dir())
}

/// Says that the calling test is skipped because `missing` is missing: prints `skipped: <missing>`
/// (in the test's captured output), or fails the test under `CI=true`, where everything a test
/// needs is installed (`.ci/run`) and a test must run rather than pass by skipping.
pub fn skip(missing: &str) {
    assert_ne!(
        std::env::var("CI").as_deref(),
        Ok("true"),
        "{missing} and CI=true: this test must run in CI, not skip"
    );
    println!("skipped: {missing}");
}

/// [`reference_dir`] for a test that needs it: when it is missing, [`skip`]s (a failure under
/// `CI=true`) and gives `None`, so the test returns early.
pub fn reference_or_skip() -> Option<PathBuf> {
    let found = reference_dir();
    if found.is_none() {
        skip("../shared/reference not found");
    }
    found
}

/// The text of the file of the Talos corpus (`corpus/talos/`) whose name ends with `suffix`;
/// `None` as for [`reference_or_skip`]. Panics when the reference is there but the file is not.
pub fn talos_corpus_file(suffix: &str) -> Option<(PathBuf, String)> {
    let dir = reference_or_skip()?.join("corpus/talos");
    let entry = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with(suffix))
        .unwrap_or_else(|| panic!("no file ending in {suffix} in {}", dir.display()));
    let text = std::fs::read_to_string(entry.path()).unwrap();
    Some((entry.path(), text))
}

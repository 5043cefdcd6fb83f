//! Shared helpers of the integration tests: locating ../shared/reference and running openssl.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// `shared/reference` beside the repository root, found by walking up from this crate.
pub fn reference_dir() -> Option<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .map(|a| a.join("shared/reference"))
        .find(|p| p.is_dir())
}

/// The corpus file whose name ends with `suffix`, or None (after printing the skip line).
pub fn corpus_file(suffix: &str) -> Option<String> {
    let Some(dir) = reference_dir() else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "../shared/reference not found and CI=true: reference tests must run in CI, not skip"
        );
        println!("skipped: ../shared/reference not found");
        return None;
    };
    let talos = dir.join("corpus/talos");
    let entry = std::fs::read_dir(&talos)
        .ok()?
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with(suffix))?;
    Some(std::fs::read_to_string(entry.path()).unwrap())
}

/// Whether a command exists on PATH.
pub fn have(cmd: &str) -> bool {
    Command::new(cmd).arg("version").output().is_ok()
        || Command::new(cmd).arg("--version").output().is_ok()
}

/// Runs openssl with `args`, returning stdout; panics with stderr when it fails.
pub fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes `text` to `dir/name` and returns the path as a string.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

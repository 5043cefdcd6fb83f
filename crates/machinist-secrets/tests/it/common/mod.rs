//! Shared helpers of the integration tests: reading the Talos corpus of ../shared/reference
//! (through `machinist_testkit`) and running openssl.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// The Talos corpus file whose name ends with `suffix`, or None (after printing the skip line).
pub fn corpus_file(suffix: &str) -> Option<String> {
    machinist_testkit::talos_corpus_file(suffix).map(|(_, text)| text)
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

//! The `render -o` cache (make-style). In: everything a render reads — the project directory's
//! files, the files named on the command line, the options that change the output, the binary —
//! hashed into one [`Digest`]; and, after a render, the files it wrote. Out: a [`Record`] stored in
//! the user's cache directory (one file per output directory), and on the next run a yes/no: the
//! digest is the same and every recorded output file is still in the directory with the same
//! bytes, nothing more and nothing less, so rendering again would write nothing.
//!
//! The digest over-approximates the inputs on purpose: every file under the project directory
//! (except `.git` and the output directory itself) is hashed, not only the files today's loader
//! opens, so an input kind added later cannot be forgotten here. Template functions are pure (no
//! clock, environment or file access: see `machinist-functions`), so the only input from outside
//! the project and the command line is the age identity of `--with-secrets`, and such renders are
//! never cached (the caller decides). Any error while hashing means "no cache", never a wrong hit.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// The format of a stored record; a record of another version is ignored.
const RECORD_VERSION: u32 = 1;

/// The hash of every input of one render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest(String);

/// Accumulates the inputs of a render into a [`Digest`].
pub struct Inputs {
    hasher: Sha256,
}

impl Default for Inputs {
    fn default() -> Self {
        Self::new()
    }
}

impl Inputs {
    /// An empty set of inputs, already holding this binary's identity (version, and the size and
    /// modification time of the executable, so a rebuilt binary never trusts an older record).
    pub fn new() -> Inputs {
        let mut i = Inputs {
            hasher: Sha256::new(),
        };
        i.text("version", env!("CARGO_PKG_VERSION"));
        let exe = std::env::current_exe()
            .and_then(std::fs::metadata)
            .map(|m| {
                let modified = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                format!("{} {modified}", m.len())
            })
            .unwrap_or_default();
        i.text("exe", &exe);
        i
    }

    /// Adds a labelled piece of text (an option, a version). Labels and lengths are hashed too,
    /// so two inputs can never run together into the same bytes.
    pub fn text(&mut self, label: &str, text: &str) {
        self.bytes(label, text.as_bytes());
    }

    fn bytes(&mut self, label: &str, bytes: &[u8]) {
        self.hasher.update((label.len() as u64).to_le_bytes());
        self.hasher.update(label.as_bytes());
        self.hasher.update((bytes.len() as u64).to_le_bytes());
        self.hasher.update(bytes);
    }

    /// Adds one file named on the command line (`-f`, `-p`): its path as given and its bytes.
    pub fn file(&mut self, path: &Path) -> std::io::Result<()> {
        let bytes = std::fs::read(path)?;
        self.bytes(&format!("file {}", path.display()), &bytes);
        Ok(())
    }

    /// Adds every file under the project directory `root`, in path order, following symlinks,
    /// except `.git` directories and the directory `skip` (the output directory, when it lies
    /// inside the project). Each file contributes its path relative to `root` and its bytes.
    pub fn tree(&mut self, root: &Path, skip: Option<&Path>) -> std::io::Result<()> {
        let skip = skip.and_then(|s| s.canonicalize().ok());
        let walk = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                let git = e.depth() > 0 && e.file_name() == ".git";
                let out = e.file_type().is_dir()
                    && skip
                        .as_deref()
                        .is_some_and(|s| e.path().canonicalize().is_ok_and(|p| p == s));
                !(git || out)
            });
        let mut buf = Vec::new();
        for entry in walk {
            let entry = entry.map_err(std::io::Error::other)?;
            if entry.file_type().is_dir() {
                continue;
            }
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            buf.clear();
            std::fs::File::open(entry.path())?.read_to_end(&mut buf)?;
            self.bytes(&format!("tree {}", rel.display()), &buf);
        }
        Ok(())
    }

    /// The digest of everything added.
    pub fn finish(self) -> Digest {
        Digest(hex::encode(self.hasher.finalize()))
    }
}

/// One output file as a record remembers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputFile {
    /// File name inside the output directory.
    pub name: String,
    /// Length in bytes.
    pub len: u64,
    /// SHA-256 of the contents, hex.
    pub sha256: String,
}

/// What one `render -o` run left behind: the digest of its inputs, the files it wrote, and the
/// warnings it printed (so a cached run prints them again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    version: u32,
    digest: String,
    /// The output directory (for a person reading the cache; lookups go by file name).
    out: PathBuf,
    /// The files, in name order.
    pub files: Vec<OutputFile>,
    /// Names of the other entries the directory held when the record was stored (a README, files
    /// of nodes since removed: a render leaves them alone), in name order.
    pub others: Vec<String>,
    /// Warnings the render printed.
    pub warnings: Vec<String>,
}

impl Record {
    /// The record of a render with inputs `digest` that wrote `files` (name and contents) into
    /// `out` and printed `warnings`.
    pub fn new<T: AsRef<str>>(
        digest: &Digest,
        out: &Path,
        files: &[(String, T)],
        warnings: Vec<String>,
    ) -> Record {
        let mut files: Vec<OutputFile> = files
            .iter()
            .map(|(name, text)| {
                let bytes = text.as_ref().as_bytes();
                OutputFile {
                    name: name.clone(),
                    len: bytes.len() as u64,
                    sha256: hex::encode(Sha256::digest(bytes)),
                }
            })
            .collect();
        files.sort_by(|a, b| a.name.cmp(&b.name));
        Record {
            version: RECORD_VERSION,
            digest: digest.0.clone(),
            out: out.to_path_buf(),
            files,
            others: Vec::new(),
            warnings,
        }
    }
}

fn entries(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<Vec<_>, _>>()?;
    names.sort();
    Ok(names)
}

/// Where records live: `$XDG_CACHE_HOME/machinist/render`, else `~/.cache/machinist/render`;
/// `None` (no cache) when neither variable is set.
pub fn default_dir() -> Option<PathBuf> {
    let non_empty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    non_empty("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| non_empty("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|d| d.join("machinist").join("render"))
}

/// The record file of output directory `out` inside `cache_dir`: named by a hash of `out`'s
/// absolute path, so two output directories never share a record.
pub fn record_path(cache_dir: &Path, out: &Path) -> PathBuf {
    let abs = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    let key = hex::encode(Sha256::digest(abs.as_os_str().as_encoded_bytes()));
    cache_dir.join(format!("{}.json", &key[..32]))
}

/// The stored record of `out` when it answers for a render with inputs `digest` and `out` still
/// holds exactly the recorded files with the recorded bytes, and the same other entries. A missing,
/// unreadable, corrupt or
/// outdated record, a file edited, added or deleted by hand: `None`, and the
/// caller renders.
pub fn lookup(cache_dir: &Path, out: &Path, digest: &Digest) -> Option<Record> {
    let text = std::fs::read(record_path(cache_dir, out)).ok()?;
    let record: Record = serde_json::from_slice(&text).ok()?;
    if record.version != RECORD_VERSION || record.digest != digest.0 {
        return None;
    }
    let present = entries(out).ok()?;
    let mut expected: Vec<&str> = record.files.iter().map(|f| f.name.as_str()).collect();
    expected.extend(record.others.iter().map(String::as_str));
    expected.sort_unstable();
    if present != expected {
        return None;
    }
    let mut buf = Vec::new();
    for f in &record.files {
        let path = out.join(&f.name);
        let mut file = std::fs::File::open(&path).ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() || meta.len() != f.len {
            return None;
        }
        buf.clear();
        file.read_to_end(&mut buf).ok()?;
        if hex::encode(Sha256::digest(&buf)) != f.sha256 {
            return None;
        }
    }
    Some(record)
}

/// Stores `record` as the record of `out` (atomically; the cache directory is created), noting the
/// other entries `out` holds now.
pub fn store(cache_dir: &Path, out: &Path, mut record: Record) -> std::io::Result<()> {
    let ours: std::collections::BTreeSet<&str> =
        record.files.iter().map(|f| f.name.as_str()).collect();
    record.others = entries(out)?
        .into_iter()
        .filter(|n| !ours.contains(n.as_str()))
        .collect();
    std::fs::create_dir_all(cache_dir)?;
    let text = serde_json::to_vec(&record).map_err(std::io::Error::other)?;
    crate::fsutil::write_atomic_unsynced(&record_path(cache_dir, out), &text, Some(0o600))
}

/// Forgets the record of `out` (before a render that may fail or write differently).
pub fn forget(cache_dir: &Path, out: &Path) {
    let _ = std::fs::remove_file(record_path(cache_dir, out));
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Setup {
        _tmp: tempfile::TempDir,
        project: PathBuf,
        out: PathBuf,
        cache: PathBuf,
    }

    fn setup() -> Setup {
        let tmp = tempfile::tempdir().unwrap();
        let project = tmp.path().join("p");
        for (rel, text) in [
            ("Chart.yaml", "name: c\n"),
            ("values.yaml", "a: 1\n"),
            ("nodes/n1.yaml", "address: 10.0.0.1\n"),
            ("templates/t.yaml", "x: {{ values.a }}\n"),
        ] {
            let p = project.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let out = project.join("out");
        let cache = tmp.path().join("cache");
        Setup {
            _tmp: tmp,
            project,
            out,
            cache,
        }
    }

    fn digest(s: &Setup, set: &str) -> Digest {
        let mut i = Inputs::new();
        i.tree(&s.project, Some(&s.out)).unwrap();
        i.text("set", set);
        i.finish()
    }

    /// Writes the outputs and their record, as a render would.
    fn rendered(s: &Setup, d: &Digest) -> Vec<(String, String)> {
        let files = vec![
            ("n1.yaml".to_string(), "x: 1\n".to_string()),
            ("n2.yaml".to_string(), "x: 2\n".to_string()),
        ];
        std::fs::create_dir_all(&s.out).unwrap();
        for (n, t) in &files {
            std::fs::write(s.out.join(n), t).unwrap();
        }
        store(&s.cache, &s.out, Record::new(d, &s.out, &files, vec![])).unwrap();
        files
    }

    #[test]
    fn an_unchanged_render_is_found_with_its_files() {
        let s = setup();
        let d = digest(&s, "");
        rendered(&s, &d);
        // The output directory is inside the project: its files are not inputs.
        assert_eq!(digest(&s, ""), d);
        let r = lookup(&s.cache, &s.out, &d).expect("hit");
        let names: Vec<_> = r.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["n1.yaml", "n2.yaml"]);
    }

    #[test]
    fn every_project_file_and_option_is_an_input() {
        let s = setup();
        let d = digest(&s, "");
        assert_ne!(digest(&s, "a=2"), d, "an option");
        for rel in [
            "Chart.yaml",
            "values.yaml",
            "nodes/n1.yaml",
            "templates/t.yaml",
        ] {
            let p = s.project.join(rel);
            let before = std::fs::read_to_string(&p).unwrap();
            std::fs::write(&p, format!("{before}# edited\n")).unwrap();
            assert_ne!(digest(&s, ""), d, "{rel} edited");
            std::fs::write(&p, before).unwrap();
            assert_eq!(digest(&s, ""), d, "{rel} restored");
        }
        // A new file anywhere (a layer, facts, a patch), and a renamed one.
        std::fs::create_dir_all(s.project.join("layers/env")).unwrap();
        std::fs::write(s.project.join("layers/env/lab.yaml"), "a: 3\n").unwrap();
        assert_ne!(digest(&s, ""), d, "a new layer");
        std::fs::remove_file(s.project.join("layers/env/lab.yaml")).unwrap();
        std::fs::rename(
            s.project.join("nodes/n1.yaml"),
            s.project.join("nodes/n9.yaml"),
        )
        .unwrap();
        assert_ne!(digest(&s, ""), d, "a renamed node");
    }

    #[test]
    fn a_file_edited_deleted_or_added_by_hand_is_a_miss() {
        let s = setup();
        let d = digest(&s, "");
        rendered(&s, &d);
        // Same length, other bytes.
        std::fs::write(s.out.join("n1.yaml"), "x: 9\n").unwrap();
        assert!(lookup(&s.cache, &s.out, &d).is_none(), "edited");
        rendered(&s, &d);
        std::fs::remove_file(s.out.join("n2.yaml")).unwrap();
        assert!(lookup(&s.cache, &s.out, &d).is_none(), "deleted");
        rendered(&s, &d);
        std::fs::write(s.out.join("old.yaml"), "x: 0\n").unwrap();
        assert!(lookup(&s.cache, &s.out, &d).is_none(), "added");
        std::fs::remove_file(s.out.join("old.yaml")).unwrap();
        assert!(lookup(&s.cache, &s.out, &d).is_some(), "as recorded again");
        // A file that was there when the record was stored is part of it.
        std::fs::write(s.out.join("README"), "kept\n").unwrap();
        rendered(&s, &d);
        let r = lookup(&s.cache, &s.out, &d).expect("hit with the README");
        assert_eq!(r.others, ["README"]);
        std::fs::remove_file(s.out.join("README")).unwrap();
        assert!(lookup(&s.cache, &s.out, &d).is_none(), "README gone");
    }

    #[test]
    fn another_digest_or_output_directory_is_a_miss() {
        let s = setup();
        let d = digest(&s, "");
        rendered(&s, &d);
        assert!(lookup(&s.cache, &s.out, &digest(&s, "a=2")).is_none());
        let other = s.project.join("out2");
        std::fs::create_dir_all(&other).unwrap();
        assert!(lookup(&s.cache, &other, &d).is_none());
        forget(&s.cache, &s.out);
        assert!(lookup(&s.cache, &s.out, &d).is_none(), "forgotten");
    }

    #[test]
    fn a_corrupt_record_is_ignored() {
        let s = setup();
        let d = digest(&s, "");
        rendered(&s, &d);
        let path = record_path(&s.cache, &s.out);
        let text = std::fs::read(&path).unwrap();
        std::fs::write(&path, &text[..text.len() / 2]).unwrap();
        assert!(lookup(&s.cache, &s.out, &d).is_none(), "truncated");
        std::fs::write(&path, "not json").unwrap();
        assert!(lookup(&s.cache, &s.out, &d).is_none(), "garbage");
        // A well-formed record whose hashes do not match the files.
        let mut r: Record = serde_json::from_slice(&text).unwrap();
        r.files[0].sha256 = "00".repeat(32);
        std::fs::write(&path, serde_json::to_vec(&r).unwrap()).unwrap();
        assert!(lookup(&s.cache, &s.out, &d).is_none(), "wrong hash");
    }
}

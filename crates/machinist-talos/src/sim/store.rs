//! What the simulator keeps on disk. In: the state directory and the state to save. Out: private
//! files (directories 0700, files 0600: they sit next to CA material) written atomically —
//! `<node>/config.yaml` (the saved machine config), `<node>/node.yaml` (running Talos version, the
//! installer image it came from, and any installed-but-not-yet-booted upgrade image), `etcd.yaml` (bootstrapped flag and members,
//! shared by the cluster) — and the append-only `events.log` tests read: one line per event,
//! `<RFC 3339 UTC time> <node> <event>`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// A node's saved lifecycle state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct NodeFile {
    /// The Talos version the node runs (`v1.13.9`).
    pub version: String,
    /// An installer image written to disk and booted at the next reboot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staged_image: Option<String>,
    /// The installer image the running system came from (install, or the last booted upgrade):
    /// its Image Factory schematic is what the node serves as its `schematic` extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// One etcd member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Member {
    /// Member id.
    pub id: u64,
    /// The node name (etcd member name = hostname).
    pub node: String,
    /// The node's IP (peer and client URLs are derived from it).
    pub ip: String,
}

/// The cluster's etcd, as far as the simulator plays it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct EtcdFile {
    /// Whether Bootstrap has run.
    pub bootstrapped: bool,
    /// Members, in join order.
    #[serde(default)]
    pub members: Vec<Member>,
}

/// Creates `dir` (and parents) and makes it private (0700).
pub(super) fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    set_mode(dir, 0o700)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}

fn open_private(path: &Path, append: bool) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.create(true);
    if append {
        o.append(true);
    } else {
        o.write(true).truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.mode(0o600);
    }
    o.open(path)
}

/// Writes `data` to `path` atomically (temporary file, then rename), mode 0600, in a private
/// directory.
pub(super) fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    private_dir(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp"));
    {
        let mut f = open_private(&tmp, false)?;
        f.write_all(data)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

/// Reads a YAML state file; a missing file gives the default.
pub(super) fn read_yaml<T: for<'de> Deserialize<'de> + Default>(path: &Path) -> Result<T, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_yaml_ng::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Writes a YAML state file privately and atomically.
pub(super) fn write_yaml<T: Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    let text = serde_yaml_ng::to_string(value).map_err(std::io::Error::other)?;
    write_private(path, text.as_bytes())
}

/// Removes a file; a missing file is fine.
pub(super) fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// One line of `events.log`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// UTC time, RFC 3339 with milliseconds (sorts as text).
    pub time: String,
    /// The node.
    pub node: String,
    /// What happened (`reboot`, `up version=v1.13.1`, `upgrade-start image=...`).
    pub what: String,
}

/// The events recorded in `<state_dir>/events.log`, in order (none when there is no log yet).
pub fn read_events(state_dir: &Path) -> std::io::Result<Vec<Event>> {
    let text = match std::fs::read_to_string(state_dir.join("events.log")) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(text
        .lines()
        .filter_map(|l| {
            let (time, rest) = l.split_once(' ')?;
            let (node, what) = rest.split_once(' ')?;
            Some(Event {
                time: time.to_owned(),
                node: node.to_owned(),
                what: what.to_owned(),
            })
        })
        .collect())
}

/// The append-only event log.
pub(super) struct EventLog {
    path: PathBuf,
    file: Mutex<Option<std::fs::File>>,
}

/// `2026-12-05T01:02:03.456Z` for now.
pub(super) fn now_rfc3339() -> String {
    let t = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

impl EventLog {
    /// The log at `<state_dir>/events.log` (opened on first use).
    pub(super) fn new(state_dir: &Path) -> Self {
        EventLog {
            path: state_dir.join("events.log"),
            file: Mutex::new(None),
        }
    }

    /// Appends `<time> <node> <event>`. Logging never fails a call: a write error is dropped.
    pub(super) fn record(&self, node: &str, event: &str) {
        let mut guard = self.file.lock().expect("event log");
        if guard.is_none() {
            *guard = open_private(&self.path, true).ok();
        }
        if let Some(f) = guard.as_mut() {
            let _ = writeln!(f, "{} {node} {event}", now_rfc3339());
            let _ = f.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_files_are_private_and_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("state/n1/node.yaml");
        let v = NodeFile {
            version: "v1.13.1".into(),
            staged_image: Some("installer:v1.13.2".into()),
            image: Some("installer:v1.13.1".into()),
        };
        write_yaml(&f, &v).unwrap();
        assert_eq!(read_yaml::<NodeFile>(&f).unwrap(), v);
        assert_eq!(
            read_yaml::<EtcdFile>(&dir.path().join("none.yaml")).unwrap(),
            EtcdFile::default()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&f), 0o600);
            assert_eq!(mode(f.parent().unwrap()), 0o700);
            let log = EventLog::new(dir.path());
            log.record("n1", "reboot");
            assert_eq!(mode(&dir.path().join("events.log")), 0o600);
        }
        let text = std::fs::read_to_string(dir.path().join("events.log")).unwrap();
        let line = text.lines().next().unwrap();
        assert!(line.ends_with("Z n1 reboot"), "{line}");
        assert_eq!(line.len(), "2026-12-05T01:02:03.456Z n1 reboot".len());
        EventLog::new(dir.path()).record("n2", "up version=v1.13.1");
        let ev = read_events(dir.path()).unwrap();
        assert_eq!(ev.len(), 2);
        assert_eq!(
            (ev[1].node.as_str(), ev[1].what.as_str()),
            ("n2", "up version=v1.13.1")
        );
        assert!(ev[0].time <= ev[1].time);
    }
}

//! Running `machinist` from a benchmark and measuring it. In: a prepared `Command` (arguments,
//! environment, working directory). Out: a [`Run`] with the exit code, both output streams and the
//! process's peak resident memory, sampled from `/proc/<pid>/status` (`VmHWM`) every 5 ms until it
//! exits (the kernel's high-water mark only grows, so the last sample misses at most the final
//! 5 ms). Shared by the benchmarks that drive `machinist-sim` (diff_nodes, lifecycle).

use std::io::Read;
use std::process::{Command, Stdio};

/// What one measured run printed and used.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Peak resident memory of the process, in MiB.
    pub peak_mib: f64,
}

/// The high-water mark of a process's resident memory (`VmHWM`), in KiB.
fn hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `cmd` with both streams captured, sampling its peak memory until it exits.
pub fn measured(mut cmd: Command) -> Run {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let readers = std::thread::spawn(move || {
        let (mut o, mut e) = (String::new(), String::new());
        let t = std::thread::spawn(move || {
            err.read_to_string(&mut e).unwrap();
            e
        });
        out.read_to_string(&mut o).unwrap();
        (o, t.join().unwrap())
    });
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = hwm_kib(child.id()) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let (stdout, stderr) = readers.join().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
        peak_mib: peak as f64 / 1024.0,
    }
}

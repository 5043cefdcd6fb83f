//! The `machinist-sim` harness of the CLI tests against simulated nodes. In: a home directory (the
//! age identity, `HOME`, the simulator's `state/`), the project directory, where `machinist` runs,
//! how many nodes the simulator serves and its reboot delay. Out: a [`SimLab`] that starts and
//! stops `machinist-sim` as a child process (waiting for its `ready` lines, never a fixed time),
//! runs `machinist` with the lab's environment (failing the test if any of the lab's secret values
//! shows in the output), and reads what the simulator recorded: its event log and each node's
//! saved config. The simulator is killed when the lab is dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::common::Run;

pub struct SimLab {
    /// `HOME` of every command: holds `age.key` and the simulator's `state/`.
    pub home: tempfile::TempDir,
    /// The project directory, as given to `machinist-sim`.
    project: PathBuf,
    /// Keeps a project that lives outside `home` alive as long as the lab.
    _project_dir: Option<tempfile::TempDir>,
    /// Where `machinist` runs.
    cwd: PathBuf,
    /// How many nodes the simulator serves when started without `--node`.
    nodes: usize,
    reboot_delay: &'static str,
    sim: Option<Child>,
    /// Values that no command may print (secrets of the lab's bundle and values).
    pub secrets: Vec<String>,
}

impl SimLab {
    /// A lab for the project at `project`, run from `cwd`, with `nodes` nodes whose reboots take
    /// `reboot_delay`; `project_dir` is the project's own temporary directory when it is not
    /// inside `home`.
    pub fn new(
        home: tempfile::TempDir,
        project: PathBuf,
        project_dir: Option<tempfile::TempDir>,
        cwd: PathBuf,
        nodes: usize,
        reboot_delay: &'static str,
    ) -> SimLab {
        SimLab {
            home,
            project,
            _project_dir: project_dir,
            cwd,
            nodes,
            reboot_delay,
            sim: None,
            secrets: Vec::new(),
        }
    }

    /// The project directory.
    pub fn dir(&self) -> &Path {
        &self.project
    }

    /// The lab's environment: plain output, its own `HOME` and age identity, no talosconfig.
    pub fn envs(&self, cmd: &mut Command) {
        cmd.env("NO_COLOR", "1")
            .env("HOME", self.home.path())
            .env("MACHINIST_AGE_KEY_FILE", self.home.path().join("age.key"))
            .env_remove("MACHINIST_AGE_KEY")
            .env_remove("TALOSCONFIG");
    }

    /// The simulator's state directory (saved configs, `events.log`).
    pub fn state(&self) -> PathBuf {
        self.home.path().join("state")
    }

    /// Starts `machinist-sim` with `extra` arguments and waits for one `ready` line per node it
    /// serves (one per `--node` argument, else every node); returns those lines, sorted.
    pub fn start_sim(&mut self, extra: &[&str]) -> Vec<String> {
        assert!(self.sim.is_none(), "the simulator is already running");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_machinist-sim"));
        self.envs(&mut cmd);
        let mut child = cmd
            .arg(&self.project)
            .arg("--state")
            .arg(self.state())
            .args(["--reboot-delay", self.reboot_delay])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("machinist-sim starts");
        let want = match extra.iter().filter(|a| **a == "--node").count() {
            0 => self.nodes,
            n => n,
        };
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut ready = Vec::new();
        while ready.len() < want {
            let line = lines.next().expect("sim prints ready lines").unwrap();
            assert!(line.starts_with("ready "), "{line}");
            ready.push(line);
        }
        ready.sort();
        self.sim = Some(child);
        ready
    }

    /// Stops the simulator with SIGTERM; it must exit cleanly.
    pub fn stop_sim(&mut self) {
        let mut child = self.sim.take().expect("the simulator is running");
        let st = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(st.success());
        let status = child.wait().unwrap();
        assert!(
            status.success(),
            "machinist-sim exits 0 on SIGTERM: {status}"
        );
    }

    /// Runs `machinist args` in the lab; fails the test if a secret of the lab is in the output.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_machinist"));
        self.envs(&mut cmd);
        let out = cmd.args(args).current_dir(&self.cwd).output().unwrap();
        let r = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        for s in &self.secrets {
            assert!(
                !r.stdout.contains(s.as_str()) && !r.stderr.contains(s.as_str()),
                "secret {s:?} leaked by `machinist {}`:\n{}\n{}",
                args.join(" "),
                r.stdout,
                r.stderr
            );
        }
        r
    }

    /// [`SimLab::run`], asserting exit code 0.
    pub fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_eq!(
            r.code,
            0,
            "machinist {}:\n{}\n{}",
            args.join(" "),
            r.stdout,
            r.stderr
        );
        r
    }

    /// Replaces `from` (which must be there) with `to` in the project file `rel`.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let p = self.dir().join(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{rel} has no {from:?}:\n{text}");
        std::fs::write(p, text.replace(from, to)).unwrap();
    }

    /// The config the simulator saved for `node`, if it has one.
    pub fn saved(&self, node: &str) -> Option<String> {
        std::fs::read_to_string(self.state().join(node).join("config.yaml")).ok()
    }

    /// The simulator's event log: (node, event) in order.
    pub fn events(&self) -> Vec<(String, String)> {
        std::fs::read_to_string(self.state().join("events.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                let mut p = l.splitn(3, ' ');
                let _time = p.next()?;
                Some((p.next()?.to_string(), p.next()?.to_string()))
            })
            .collect()
    }
}

impl Drop for SimLab {
    fn drop(&mut self) {
        if let Some(mut c) = self.sim.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// `impl Deref<Target = SimLab>` (and `DerefMut`) for a test's own lab type `$t`, which keeps its
/// [`SimLab`] in a field named `lab`: the test calls `lab.run(..)`, `lab.saved(..)` directly.
macro_rules! deref_to_sim_lab {
    ($t:ty) => {
        impl std::ops::Deref for $t {
            type Target = $crate::sim_lab::SimLab;
            fn deref(&self) -> &$crate::sim_lab::SimLab {
                &self.lab
            }
        }

        impl std::ops::DerefMut for $t {
            fn deref_mut(&mut self) -> &mut $crate::sim_lab::SimLab {
                &mut self.lab
            }
        }
    };
}
pub(crate) use deref_to_sim_lab;

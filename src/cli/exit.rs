//! The process exit status, defined once. In: what a command found. Out: the code the shell sees
//! and the `Exit status:` paragraph printed at the end of every command's `--help`.
//!
//! 0 ok; 1 error; 2 "differs from the project" (diff, `render --check`, status); 64 usage error
//! (as sysexits' EX_USAGE), so a CI script can tell its own typo from drift.

use std::process::ExitCode;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done, nothing to report.
    Success,
    /// 1: an error (bad input, unreachable node, invalid config, failed rollout).
    Failure,
    /// 2: the command compared and found differences (diff, `render --check`, status).
    Changes,
    /// 64: the command line itself is wrong (unknown flag, missing argument).
    Usage,
}

impl ExitStatus {
    /// The numeric code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Changes => 2,
            ExitStatus::Usage => 64,
        }
    }

    /// `Failure` when `failed`, else `Success`.
    pub fn failure_if(failed: bool) -> Self {
        if failed {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        }
    }

    /// The status for a command that still reports a bare code (0 ok, 2 changes, else error).
    pub fn from_code(code: u8) -> Self {
        match code {
            0 => ExitStatus::Success,
            2 => ExitStatus::Changes,
            64 => ExitStatus::Usage,
            _ => ExitStatus::Failure,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> Self {
        ExitCode::from(s.code())
    }
}

/// Commands whose exit status 2 means "differs from the project", and what differs.
const COMPARING: &[(&str, &str)] = &[
    ("diff", "a node's live config differs from the rendered one"),
    (
        "render",
        "with --check, the files in OUT differ from what would be written",
    ),
    (
        "status",
        "a node is not as the project wants it (version or config)",
    ),
];

/// The `Exit status:` paragraph for the (sub)command `name`.
pub(super) fn help_text(name: &str) -> String {
    let mut s = String::from("Exit status:\n  0   ok\n  1   error\n");
    if let Some((_, what)) = COMPARING.iter().find(|(n, _)| *n == name) {
        s.push_str(&format!("  2   {what}\n"));
    }
    s.push_str("  64  usage error (unknown flag, missing or invalid argument)");
    s
}

/// Adds the exit-status paragraph to `cmd` and every subcommand below it.
pub(super) fn document(cmd: clap::Command) -> clap::Command {
    let name = cmd.get_name().to_string();
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    let mut cmd = cmd.after_help(help_text(&name));
    for s in subs {
        cmd = cmd.mut_subcommand(s, document);
    }
    cmd
}

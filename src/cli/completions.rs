//! `machinist completions SHELL` and `machinist man [-o DIR]`. In: the clap command tree (the
//! same one that parses, exit-status paragraphs included). Out: a shell completion script on
//! stdout, or one roff man page per command (`machinist.1`, `machinist-render.1`, ...) in DIR.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::exit::ExitStatus;
use super::report;

/// Shells with completion scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum Shell {
    /// `source <(machinist completions bash)`, or save it in
    /// `/etc/bash_completion.d/machinist`.
    Bash,
    /// Save as `_machinist` in a directory on `$fpath`.
    Zsh,
    /// Save as `~/.config/fish/completions/machinist.fish`.
    Fish,
    /// `machinist completions powershell | Out-String | Invoke-Expression` in `$PROFILE`.
    Powershell,
}

/// Print a shell completion script.
#[derive(Debug, Args)]
pub(super) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Write man pages, one per command.
#[derive(Debug, Args)]
pub(super) struct ManArgs {
    /// The directory to write `machinist.1` and `machinist-<command>.1` to.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        default_value = "man"
    )]
    pub output: PathBuf,
}

/// Runs `machinist completions`.
pub(super) fn completions(args: CompletionsArgs) -> ExitStatus {
    use clap_complete::Shell as S;
    let shell = match args.shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
    };
    let mut cmd = super::command();
    clap_complete::generate(shell, &mut cmd, "machinist", &mut std::io::stdout());
    ExitStatus::Success
}

/// Runs `machinist man`.
pub(super) fn man(args: ManArgs) -> ExitStatus {
    let mut cmd = super::command().disable_help_subcommand(true);
    cmd.build();
    let mut written = 0;
    let result = std::fs::create_dir_all(&args.output)
        .and_then(|()| write_pages(&cmd, &args.output, &mut written));
    match result {
        Ok(()) => {
            eprintln!("wrote {written} man pages to {}", args.output.display());
            ExitStatus::Success
        }
        Err(e) => {
            report::error(&format!(
                "cannot write man pages to {}: {e}",
                args.output.display()
            ));
            ExitStatus::Failure
        }
    }
}

/// Writes the page of `cmd` (named after its display name, `machinist-secrets-gen.1`) and of
/// every subcommand below it.
fn write_pages(
    cmd: &clap::Command,
    dir: &std::path::Path,
    written: &mut usize,
) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut page = Vec::new();
    man.render(&mut page)?;
    machinist::fsutil::write_atomic(&dir.join(man.get_filename()), &page, None)?;
    *written += 1;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, dir, written)?;
    }
    Ok(())
}

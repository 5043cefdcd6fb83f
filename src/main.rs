//! The `machinist` command line: parses arguments and hands them to one subcommand in `cli/`.
//! Exit status: 0 success, 1 any error, 2 "changes found" for commands that compare (`diff`).

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}

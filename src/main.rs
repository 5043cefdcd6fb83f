//! The `machinist` command line: parses arguments and hands them to one subcommand in `cli/`.
//! Exit status: see `cli/exit.rs` (0 ok, 1 error, 2 changes found, 64 usage error).

// The CLI is no library API: everything in it is crate-private (`pub(crate)` at most).
#![warn(unreachable_pub)]

mod cli;

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}

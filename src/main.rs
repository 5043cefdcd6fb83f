//! The `machinist` command line: parses arguments and hands them to one subcommand in `cli/`.
//! Exit status: see `cli/exit.rs` (0 ok, 1 error, 2 changes found, 64 usage error).

mod cli;

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}

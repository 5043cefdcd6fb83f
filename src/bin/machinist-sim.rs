//! `machinist-sim`: a wire-compatible Talos node simulator for tests, examples and demos.

fn main() {
    eprintln!("error: machinist-sim is not built yet");
    std::process::exit(1);
}

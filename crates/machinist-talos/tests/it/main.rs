//! The integration tests of `machinist-talos`, linked into one test binary instead of one binary per
//! file (each binary links the whole crate and its dependencies again). Each file below is a
//! module named as the file was; the helpers they share are modules too. Run one file's tests with
//! a filter on its module path, e.g. `cargo test -p machinist-talos --test it -- sim_lifecycle::`.
//! The tests share one process: none may change the environment, the current directory or a
//! fixed port.

mod sim_env;

mod sim_client;
mod sim_lifecycle;

//! The integration tests of `machinist-functions`, linked into one test binary instead of one binary per
//! file (each binary links the whole crate and its dependencies again). Each file below is a
//! module named as the file was; the helpers they share are modules too. Run one file's tests with
//! a filter on its module path, e.g. `cargo test -p machinist-functions --test it -- templates::`.
//! The tests share one process: none may change the environment, the current directory or a
//! fixed port.

mod book;
mod encoding;
mod goyaml;
mod ipmath;
mod schematic;
mod templates;

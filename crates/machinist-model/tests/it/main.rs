//! The integration tests of `machinist-model`, linked into one test binary instead of one binary per
//! file (each binary links the whole crate and its dependencies again). Each file below is a
//! module named as the file was; the helpers they share are modules too. Run one file's tests with
//! a filter on its module path, e.g. `cargo test -p machinist-model --test it -- validation_fixtures::`.
//! The tests share one process: none may change the environment, the current directory or a
//! fixed port.

mod common;
mod kinds_support;
mod v1alpha1_support;

mod corpus;
mod kinds;
mod mutations;
mod v1alpha1_corpus;
mod v1alpha1_coverage;
mod v1alpha1_rejects;
mod v1alpha1_schema_agrees;
mod validation_fixtures;

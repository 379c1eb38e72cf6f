//! Integration tests of `nnph-complex`: one binary, one module per area.

mod common;
mod explicit;
mod flag_complex;
mod flag_reader;
mod rips;

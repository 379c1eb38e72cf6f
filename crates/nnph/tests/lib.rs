//! Integration tests of the facade: golden end-to-end cases, the worked test vector,
//! and the command-line contract.

mod cli;
mod cli_docs;
mod determinism;
mod export;
mod golden;
mod plot;
mod reference8;
mod support;
mod ui;

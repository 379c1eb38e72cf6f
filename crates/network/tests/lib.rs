//! Integration tests of nnph-network: the one test binary of this crate.

mod bad_input;
mod common;
mod golden;
mod npy;
mod options;
mod readers;
mod worked;

//! Integration tests of `nnph-homology`: one binary, one module per area.

mod betti;
mod cohomology;
mod common;
mod flag_engine;
mod giotto;
mod options;
mod reduce;
mod shortcut;

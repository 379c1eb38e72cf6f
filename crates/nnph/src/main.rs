//! The `nnph` command-line tool. See `nnph --help`.

use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    cli::run()
}

//! The `nnph` command-line tool. See `nnph --help`.

use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    restore_sigpipe();
    cli::run()
}

/// Restores the default action of SIGPIPE, which Rust's runtime sets to "ignore": `nnph … | head`
/// then ends quietly when `head` stops reading, as other command-line tools do, instead of
/// panicking on the failed write to stdout.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

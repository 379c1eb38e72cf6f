//! Progress bars and timings on stderr: bars only on a terminal and without `--quiet`,
//! timings with `--verbose`.

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Clone, Copy, Debug)]
struct Ui {
    quiet: bool,
    verbose: bool,
}

static UI: OnceLock<Ui> = OnceLock::new();

/// Sets the global flags once, at start-up.
pub(super) fn init(quiet: bool, verbose: bool) {
    let _ = UI.set(Ui { quiet, verbose });
}

fn ui() -> Ui {
    UI.get().copied().unwrap_or(Ui { quiet: false, verbose: false })
}

/// Whether progress is drawn: stderr is a terminal and `--quiet` was not given.
pub(super) fn shows_progress() -> bool {
    !ui().quiet && std::io::stderr().is_terminal()
}

/// A bar of `len` steps named `what`, hidden when progress is not shown.
pub(super) fn bar(len: u64, what: &str) -> ProgressBar {
    if !shows_progress() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} ({elapsed}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    bar
}

/// A spinner named `what` for a stage without steps, hidden when progress is not shown.
pub(super) fn spinner(what: &str) -> ProgressBar {
    if !shows_progress() {
        return ProgressBar::hidden();
    }
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message(what.to_owned());
    spinner.enable_steady_tick(Duration::from_millis(120));
    spinner
}

/// Prints `stage: seconds` on stderr with `--verbose`.
pub(super) fn timing(stage: &str, seconds: f64) {
    if ui().verbose {
        eprintln!("nnph: {stage}: {seconds:.6} s");
    }
}

//! `docs/cli.md` is the `--help` of every subcommand, so it can never drift from the binary.
//! Regenerate it with `NNPH_BLESS=1 cargo test -p nnph --test integration cli_docs`.

use std::path::Path;
use std::process::Command;

fn help(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_nnph")).args(args).output().unwrap();
    assert!(o.status.success(), "nnph {args:?}");
    String::from_utf8(o.stdout).unwrap().trim_end().to_owned()
}

/// The subcommands listed under `Commands:` in a help text, `help` left out.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // A command's line starts with two spaces; its wrapped description with more.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|c| c != "help")
        .collect()
}

fn generate() -> String {
    let top = help(&["--help"]);
    let commands = subcommands(&top);
    assert!(commands.len() >= 8, "{top}");
    let mut out = String::from(
        "# The `nnph` command line\n\n\
         Generated from the binary's `--help` (regenerate with\n\
         `NNPH_BLESS=1 cargo test -p nnph --test integration cli_docs`; a test fails when this\n\
         file and the binary disagree). Exit codes: 0 success, 1 bad input (one line on stderr\n\
         naming the file), 2 bad usage (clap's message says what to type instead).\n\n",
    );
    out.push_str("Commands: ");
    out.push_str(
        &commands.iter().map(|c| format!("[`{c}`](#nnph-{c})")).collect::<Vec<_>>().join(", "),
    );
    out.push_str(".\n\n```text\n$ nnph --help\n");
    out.push_str(&top);
    out.push_str("\n```\n");
    for c in &commands {
        let text = help(&[c, "--help"]);
        out.push_str(&format!("\n## nnph {c}\n\n```text\n$ nnph {c} --help\n{text}\n```\n"));
        // Nested subcommands (`nnph experiment paper`, …) get their own section.
        for sub in subcommands(&text) {
            out.push_str(&format!("\n### nnph {c} {sub}\n\n```text\n$ nnph {c} {sub} --help\n"));
            out.push_str(&help(&[c, &sub, "--help"]));
            out.push_str("\n```\n");
        }
    }
    out
}

#[test]
fn cli_docs_match_the_binary() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/cli.md");
    let text = generate();
    if std::env::var_os("NNPH_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == text,
        "docs/cli.md differs from the binary's --help: regenerate it with \
         NNPH_BLESS=1 cargo test -p nnph --test integration cli_docs"
    );
}

//! `wasiproc`: the command-line front end.
//!
//! Each subcommand lives in its own module with an `Args` struct (clap
//! derive) and a `run(&Args) -> Result<Outcome, CliError>` function. This
//! file parses the arguments, dispatches, and turns the result into the
//! process exit code in one place. Adding a subcommand is one variant of
//! [`Command`] and one arm in [`main`].

mod explore;
mod replay;
mod run;
mod validate;
mod wast;

use clap::{Parser, Subcommand};
use std::borrow::Cow;
use std::fmt;
use std::io::Write;
use std::process::ExitCode;

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(
    name = "wasiproc",
    version,
    about = "A self-contained WebAssembly interpreter with WASI and processes"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run a WASI preview1 program.
    Run(Box<run::Args>),
    /// Run a program under many schedules to find one that breaks it.
    Explore(Box<explore::Args>),
    /// Replay a run recorded with `run --record`, from the trace alone.
    Replay(replay::Args),
    /// Check that a binary module decodes and validates.
    Validate(validate::Args),
    /// Run WebAssembly specification scripts (.wast) and count their assertions.
    Wast(wast::Args),
}

/// How a subcommand ended; [`main`] turns it into the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It did what was asked: exit code 0.
    Success,
    /// It ran, and what it checked did not hold (an invalid module, a failed
    /// assertion): exit code 1. It has already said why.
    Failure,
    /// A guest program's own exit status, passed on (low 8 bits).
    Exit(i32),
}

/// A problem that stops a subcommand (a file that cannot be read, ...):
/// printed as one line `wasiproc: MESSAGE`, exit code 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError(
    /// The message, without the `wasiproc: ` prefix.
    pub String,
);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for CliError {
    fn from(message: String) -> Self {
        CliError(message)
    }
}

/// Whether `c` must not reach a terminal as it is: control characters
/// (C0, DEL, C1) and the invisible marks that reorder text (bidi controls).
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let hidden = |c: char| is_hidden(c) && !(keep_newlines && c == '\n');
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hidden(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` with every control character escaped as in a Rust string
/// (`\u{1b}`, `\r`, `\n`, ...): how the command line prints text it did
/// not write itself (module names, trap messages, anything from a trace),
/// so that it cannot move the cursor, rewrite a line or fake one.
pub(crate) fn escape_controls(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// As [`escape_controls`], but line feeds stay: for multi-line text such as
/// a trap and its backtrace.
pub(crate) fn escape_lines(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// Writes `text` to stdout; a closed or full stdout is an error of the
/// command (exit 1), not a panic.
pub(crate) fn print_out(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError(format!("cannot write to stdout: {e}")))
}

/// Pins glibc's mmap threshold at its default (128 KiB). Left dynamic, it
/// rises after large blocks are freed, and linear memories would then be
/// carved from the heap and zeroed in full instead of arriving as untouched
/// zero pages: an idle process would cost tens of KiB instead of a few.
///
/// Not for `explore`: its worker threads create and drop thousands of short
/// runs, and with the threshold pinned every linear memory is an mmap and a
/// munmap, whose TLB shootdowns stall the other worker (measured: 2 jobs
/// gave 1.2-1.4x the schedules/s of 1; left dynamic, 1.95x, and 1 job 13%
/// faster). An exploration's processes live for microseconds, so what an
/// idle process costs does not matter there.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; it is called before
    // any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Parses the arguments, runs the subcommand, maps its result to an exit code.
fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Explore(_)) {
        tune_allocator();
    }
    let result = match &cli.command {
        Command::Run(args) => run::run(args),
        Command::Explore(args) => explore::run(args),
        Command::Replay(args) => replay::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Wast(args) => wast::run(args),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::FAILURE,
        Ok(Outcome::Exit(code)) => ExitCode::from((code & 0xff) as u8),
        Err(e) => {
            // A closed stderr must not turn the error into a panic.
            let _ = writeln!(std::io::stderr(), "wasiproc: {}", escape_controls(&e.0));
            ExitCode::FAILURE
        }
    }
}

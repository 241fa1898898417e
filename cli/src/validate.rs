//! `wasiproc validate MODULE`: decode and validate a binary module.

use crate::{CliError, Outcome, escape_controls};
use std::io::Write;
use std::path::PathBuf;
use wasiproc_engine::{Engine, Module};

/// Arguments of `wasiproc validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The binary module (.wasm) to check.
    pub module: PathBuf,
}

/// Prints `MODULE: valid` and succeeds, or prints the validation error with
/// its byte offset and fails. A file that cannot be read is an error.
pub fn run(args: &Args) -> Result<Outcome, CliError> {
    let path = args.module.display();
    let bytes =
        std::fs::read(&args.module).map_err(|e| CliError(format!("cannot read {path}: {e}")))?;
    match Module::validate(&Engine::default(), &bytes) {
        Ok(()) => {
            crate::print_out(&format!("{}: valid\n", escape_controls(&path.to_string())))?;
            Ok(Outcome::Success)
        }
        Err(e) => {
            let line = format!("{path}: {e}");
            let _ = writeln!(std::io::stderr(), "{}", escape_controls(&line));
            Ok(Outcome::Failure)
        }
    }
}

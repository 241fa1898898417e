//! Spawning Wasm processes from a Wasm guest of wasiproc, with an API shaped
//! like `std::process`.
//!
//! The main type is [`Command`], a builder for a child process: arguments,
//! environment variables, directory grants, stdio and other descriptors,
//! permission to spawn further modules, and limits (fuel, memory,
//! descendants, descriptors). [`Command::spawn`] returns a [`Child`] to
//! wait for ([`ExitStatus`]) or kill. [`pipe`] connects processes;
//! [`wait_any`] reaps whichever child ends first; [`getpid`] and
//! [`getppid`] tell who is who.
//!
//! Underneath are the `wasi_process` imports of wasiproc's docs/abi.md,
//! available raw in [`sys`]. The crate builds for `wasm32-wasip1` and runs
//! under `wasiproc run`, which provides those imports (and decides, with
//! `--allow-command`, which modules the root may spawn).
//!
//! Errors are `std::io::Error`s carrying the WASI errno as their OS error
//! (`err.raw_os_error()`, or [`Errno::of`]), so they print as
//! "Capabilities insufficient (os error 76)".
//!
//! # Example
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use wasiproc_guest::{Command, Stdio};
//!
//! fn main() -> std::io::Result<()> {
//!     // Run `child_worker.wasm 10 25`; the child prints to our stdout.
//!     let status = Command::new("child_worker.wasm").args(["10", "25"]).status()?;
//!     println!("child: {status}"); // "child: exited(0)"
//!
//!     // Feed a child through a pipe and read what it prints.
//!     let mut child = Command::new("transformer.wasm")
//!         .stdin(Stdio::piped())
//!         .stdout(Stdio::piped())
//!         .fuel(10_000_000)
//!         .max_memory(16 << 20)
//!         .spawn()?;
//!     child.stdin.take().unwrap().write_all(b"hello")?; // closed when dropped
//!     let mut out = Vec::new();
//!     child.stdout.take().unwrap().read_to_end(&mut out)?;
//!     assert!(child.wait()?.success());
//!     Ok(())
//! }
//! ```
#![deny(missing_docs)]

mod child;
mod command;
mod errno;
mod pipe;
mod status;
pub mod sys;

pub use child::{Child, getpid, getppid, kill, try_wait_any, wait_any};
pub use command::{Command, Stdio};
pub use errno::Errno;
pub use pipe::{ChildStderr, ChildStdin, ChildStdout, PipeReader, PipeWriter, pipe};
pub use status::{ExitStatus, Limit, trap_name};

//! # wasiproc-process
//!
//! Processes for wasiproc. A [`Runtime`] holds the process table and runs
//! every process of a run on one thread: each process is a store of its
//! own, preempted every [`RuntimeConfig::slice`] units of fuel, so spawn
//! order, interleaving and output are the same on every run.
//!
//! Guests use the `wasi_process` import module ([`abi`], documented in
//! docs/abi.md) to spawn children with a precise subset of their own
//! capabilities, wait for them, kill them and connect them with [`pipe`]s.
//!
//! A run can be watched and made fully reproducible:
//! [`Runtime::set_event_sink`] receives every scheduler [`Event`] (slices
//! with their fuel, blocks with their reason, wake-ups, spawns, kills,
//! exits), and [`RuntimeConfig::fuel_clock`] lets a
//! [`wasiproc_wasi::DeterministicHost`]'s virtual clock follow the run's
//! fuel (see docs/determinism.md).
//!
//! ```no_run
//! use wasiproc_process::{Limits, Runtime, RuntimeConfig};
//! use wasiproc_engine::Module;
//! use wasiproc_wasi::{RealHost, WasiCtxBuilder};
//! let mut rt = Runtime::new(RuntimeConfig::default(), Box::new(RealHost::new())).unwrap();
//! let parent = Module::new(rt.engine(), std::fs::read("parent.wasm").unwrap()).unwrap();
//! let child = Module::new(rt.engine(), std::fs::read("child.wasm").unwrap()).unwrap();
//! rt.register("child.wasm", child);
//! let mut ctx = WasiCtxBuilder::new();
//! ctx.arg("parent.wasm").inherit_stdio().host_env(rt.host());
//! let allow = ["child.wasm".to_string()].into_iter().collect();
//! rt.spawn_root(&parent, "parent.wasm", ctx.build().unwrap(), allow, Limits::default()).unwrap();
//! let report = rt.run().unwrap();
//! println!("root: {}", report.status);
//! ```

#![deny(missing_docs)]

pub mod abi;
pub mod account;
pub mod data;
pub mod event;
pub mod explore;
mod fxhash;
pub mod limits;
pub mod pid;
pub mod pipe;
mod run;
mod runtime;
pub mod schedule;
pub mod shared_host;
pub mod status;

pub use event::{Blocker, Event, EventKind, EventSink};
pub use explore::{Budget, Explore, FailOn, Strategy, Summary};
pub use limits::Limits;
pub use pid::{Pid, ROOT};
pub use run::{
    Check, Difference, Ending, Error, Grant, HostCall, HostPipe, Invocation, Invoked, Output,
    OutputCallback, OutputDigest, Progress, ROOT_MAX_FDS, Replay, Replayed, Report, Run, Running,
    SharedBuffer, Stdin, trap_text,
};
pub use runtime::{MEMORY_POOL_BYTES, ProcessSummary, RunError, RunReport, Runtime, RuntimeConfig};
pub use schedule::{Point, Schedule};
pub use shared_host::SharedHost;
pub use status::{ExitStatus, Limit};
pub use wasiproc_engine::{FuncType, HostError, Trap, TrapKind, Val, ValType};

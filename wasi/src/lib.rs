//! # wasiproc-wasi
//!
//! WASI preview1 (`wasi_snapshot_preview1`) for the wasiproc engine. The
//! main type is [`WasiCtx`], built with [`WasiCtxBuilder`]; register the
//! functions with [`add_to_linker`] and put the context in the store's data
//! (or a field of it).
//!
//! ```no_run
//! use wasiproc_engine::{Engine, Linker, Module, Store};
//! use wasiproc_wasi::{WasiCtx, add_to_linker};
//! let engine = Engine::default();
//! let module = Module::new(&engine, &std::fs::read("app.wasm").unwrap()).unwrap();
//! let ctx = WasiCtx::builder()
//!     .arg("app.wasm")
//!     .inherit_stdio()
//!     .preopened_dir_read_only("./data", "/data")
//!     .build()
//!     .unwrap();
//! let mut linker = Linker::new(&engine);
//! add_to_linker(&mut linker, |c: &mut WasiCtx| c).unwrap();
//! let mut store = Store::new(&engine, ctx);
//! let instance = linker.instantiate(&mut store, &module).unwrap();
//! ```
//! [`run()`] does all of that and carries the call through "blocked" reports.
//!
//! Layout: one module per ABI prefix ([`args`] with environ, [`clock`],
//! [`fd`], [`path`], [`poll`], [`proc`], [`random`], [`sock`]) with functions
//! named as in the ABI; [`linker`] is the registration table; [`memory`] the
//! only guest-memory accessor; [`errno`] the only place errors are
//! converted; [`table`] the descriptor table; [`host`] the host-environment
//! trait, the only door for nondeterminism; [`blocked`] what a waiting call
//! reports; [`run()`] the single-process driver.
//!
//! **Invariant:** guest paths are resolved only beneath a granted directory
//! handle; ambient authority is used once per grant, in
//! [`HostEnv::open_preopen`].

#![deny(missing_docs)]
// The ABI functions take as many arguments as the WASI signatures do.
#![allow(clippy::too_many_arguments)]

pub mod args;
pub mod blocked;
pub mod clock;
pub mod ctx;
pub mod errno;
pub mod fd;
pub mod host;
pub mod linker;
pub mod memory;
pub mod path;
pub mod poll;
pub mod proc;
pub mod random;
pub mod run;
pub mod sock;
pub mod stream;
pub mod table;
pub mod types;

pub use blocked::{BlockedOn, Interest, Yielded};
pub use ctx::{
    BuildError, FUEL_BYTES_PER_UNIT, FUEL_PER_SUBSCRIPTION, WasiCtx, WasiCtxBuilder, bytes_fuel,
};
pub use errno::{Errno, WasiError, WasiResult};
pub use host::{
    DeterministicHost, FuelClock, Halt, HostEnv, HostHandle, OpenRequest, PidCell, RealHost,
    RecordingHost, ReplayHost, RunPosition, StdinTape,
};
pub use linker::{MODULE, add_to_linker};
pub use run::{RunError, RunOptions, RunOutcome, drive, run, run_module};
pub use stream::{InputStream, OutputStream, ReadPipe, StreamRead, StreamWrite, WritePipe};

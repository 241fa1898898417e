//! # wasiproc-engine
//!
//! A validating WebAssembly interpreter whose execution can stop between any
//! two instructions and resume later. Modules are decoded and validated with
//! `wasmparser` and translated into a compact internal instruction stream
//! ([`isa`]), each function body on its first call by default
//! ([`Config::lazy_translation`]); the interpreter runs it on an explicit value stack and
//! frame stack, never recursing on the Rust stack per guest call.
//!
//! The embedding API follows wasmtime and wasmi: an [`Engine`] with a
//! [`Config`], a [`Module`] shared behind an `Arc`, a [`Store`] holding all
//! runtime state and the embedder's data, a [`Linker`] for host functions,
//! and [`Instance`]s with their exports. A module instantiated many times
//! (one store per request or per process) can have its imports resolved
//! once ([`Linker::instantiate_pre`], [`InstancePre`]), and a store can be
//! emptied for reuse ([`Store::reset`]).
//!
//! ```
//! use wasiproc_engine::{Engine, Linker, Module, Store};
//! let engine = Engine::default();
//! let wasm = wat_free_add_module();
//! let module = Module::new(&engine, &wasm).unwrap();
//! let mut store = Store::new(&engine, ());
//! let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
//! let add = instance.get_typed_func::<(i32, i32), i32>(&store, "add").unwrap();
//! assert_eq!(add.call(&mut store, (2, 3)).unwrap(), 5);
//! # fn wat_free_add_module() -> Vec<u8> {
//! #     vec![0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7f,
//! #          0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64,
//! #          0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b]
//! # }
//! ```
//!
//! Fuel ([`Config::consume_fuel`]) meters execution, one unit per Wasm
//! operator, charged per region (function entry, loop header, `else` arm);
//! with a slice set ([`Store::set_fuel_slice`]) a call made with
//! [`Func::call_resumable`] returns [`CallOutcome::Suspended`] and continues
//! with [`Store::resume`], ending with exactly the result of an uninterrupted
//! run. Host functions may return [`HostError::Blocked`] to suspend the call
//! until their condition holds.

//!
//! ## Without std
//!
//! The `std` feature (on by default) adds [`Module::from_file`], the
//! `WASIPROC_PROFILE=pairs` profiler and `core::error::Error` impls. Built with
//! `default-features = false` the engine needs only `core` and `alloc` (and
//! a global allocator): float rounding and square roots then use the
//! engine's own bit-level implementations, and the engine's locks spin.

#![no_std]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// What `std`'s prelude would give every module: the `alloc` types.
mod prelude {
    #[cfg(not(feature = "std"))]
    pub(crate) use crate::float::FloatMath;
    pub(crate) use alloc::boxed::Box;
    pub(crate) use alloc::format;
    pub(crate) use alloc::string::{String, ToString};
    pub(crate) use alloc::vec;
    pub(crate) use alloc::vec::Vec;
}

mod config;
mod engine;
mod error;
mod exec;
#[cfg(any(not(feature = "std"), test))]
mod float;
mod func;
mod instance;
mod instance_pre;
pub mod isa;
mod linker;
mod module;
mod store;
mod sync;
mod translate;
mod value;

pub use config::Config;
pub use engine::Engine;
pub use error::{Error, FrameInfo, Trap, TrapKind};
pub use exec::Suspension;
pub use func::{
    CallOutcome, Caller, HostError, HostFunc, HostReturn, IntoFunc, TypedFunc, WasmParams,
    WasmResults, WasmTy,
};
pub use instance::Instance;
pub use instance_pre::InstancePre;
pub use linker::Linker;
pub use module::{ExportType, ImportType, Module};
pub use store::{
    AsContext, AsContextMut, Extern, Func, Global, Memory, MemoryAccessError, RESET_KEEP, Resource,
    ResourceLimiter, Store, StoreLimits, TABLE_ELEMENT_BYTES, Table, Tag,
};
pub use value::{
    ExnRef, ExternRef, ExternType, FuncType, GlobalType, MAX_PAGES, MemoryType, Mutability,
    PAGE_SIZE, TableType, TagType, Val, ValType,
};

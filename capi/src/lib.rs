//! # wasiproc-capi
//!
//! The standard WebAssembly C API — the `wasm.h` of
//! github.com/WebAssembly/wasm-c-api — on the wasiproc interpreter. The
//! header is `capi/include/wasm.h`; the library builds as `libwasiproc.a`
//! and `libwasiproc.so`, so a C host written against the standard header
//! switches to wasiproc by relinking. docs/embedding-c.md has the build and
//! link steps and the ownership rules.
//!
//! ## Layout
//!
//! One file per C type family: `vec` (every `wasm_*_vec_t`),
//! `types` (valtype, functype, globaltype, tabletype, memorytype,
//! externtype, importtype, exporttype), `engine_store` (config, engine,
//! store), `reference` (the object behind every reference type, host info,
//! foreign objects), `val` (values), `module`, `instance`, `func`, `global`,
//! `table`, `memory`, `extern`, `trap` (traps and frames).
//!
//! ## Safety contract
//!
//! Every exported function is `unsafe extern "C"`: its contract is the
//! header's. A pointer argument is either null or points to a live object of
//! the named type created by this library (or, for vectors and values, a
//! struct the caller laid out as the header declares). Null pointers are
//! accepted everywhere and make the call do nothing and return null, zero or
//! false. Objects of different stores are never mixed: such a call fails
//! instead of acting. No Rust panic crosses the boundary: each entry point
//! runs its body under `catch_unwind` and returns its failure value (null,
//! zero, false, or a trap) if the body panicked. Every `unsafe` block says
//! why it is sound (`clippy::undocumented_unsafe_blocks` is on).

// The exported functions are the C API; their safety contract is the one of
// wasm.h, stated once above rather than on each of the ~250 functions.
#![allow(clippy::missing_safety_doc)]
// C names (wasm_byte_vec_t, ...) are the API.
#![allow(non_camel_case_types)]
#![deny(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod engine_store;
mod r#extern;
mod func;
mod global;
mod instance;
mod memory;
mod module;
mod reference;
mod table;
mod trap;
mod types;
mod val;
mod vec;

use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs an entry point's body, turning a panic into `fallback()`.
///
/// Every `extern "C"` function goes through this, so no panic unwinds into C.
pub(crate) fn guard<R>(fallback: impl FnOnce() -> R, body: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(r) => r,
        Err(_) => fallback(),
    }
}

/// Moves a value to the heap and hands ownership to C.
pub(crate) fn into_c<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Takes back ownership of a value created by [`into_c`] and drops it; null is ignored.
///
/// # Safety
/// `ptr` is null or came from [`into_c`] with the same `T` and was not freed since.
pub(crate) unsafe fn drop_c<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: by the contract, `ptr` is an unfreed `Box<T>` allocation.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

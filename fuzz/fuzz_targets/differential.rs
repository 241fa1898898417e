//! Differential execution against wasmi 2: wasm-smith modules of Wasm 2.0
//! plus tail calls, multi-memory, memory64, extended-const, wide
//! arithmetic and custom page sizes (SIMD behind `common/diff.rs`'s
//! `SIMD` switch), no imports, everything exported, run under wasiproc and
//! wasmi 2 (both fuel-limited) and under wasiproc without fuel; see
//! `common/diff.rs` for what is compared.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common/diff.rs"]
mod diff;

fuzz_target!(|data: &[u8]| {
    let _ = diff::run(data, diff::Mode::AgainstWasmi);
});

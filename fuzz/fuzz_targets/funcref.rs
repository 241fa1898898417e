//! The proposals wasmi 2 lacks: wasm-smith modules with typed function
//! references (its GC option; modules using GC values beyond function
//! references are refused as unsupported and skipped) on top of
//! everything the `differential` target generates (exceptions behind
//! `common/diff.rs`'s `EXCEPTIONS` switch). wasiproc with fuel against
//! wasiproc without: results, trap kinds, memories and globals must agree
//! exactly; see `common/diff.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common/diff.rs"]
mod diff;

fuzz_target!(|data: &[u8]| {
    let _ = diff::run(data, diff::Mode::WasiprocOnly);
});

//! Arbitrary bytes → decode, validate and translate (`Module::new`, eager
//! translation), with and without fuel metering, and lazy (validation only).
//! Must never panic; run with `-rss_limit_mb` to catch unbounded allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasiproc_engine::{Config, Engine, Module};

fuzz_target!(|data: &[u8]| {
    // Eager translation, so that every body is translated here; and the
    // default lazy mode, which validates only.
    let mut cfg = Config::new();
    cfg.lazy_translation(false);
    let plain = Engine::new(&cfg);
    let _ = Module::new(&plain, data);
    let _ = Module::new(&Engine::default(), data);
    cfg.consume_fuel(true);
    let fuel = Engine::new(&cfg);
    let _ = Module::new(&fuel, data);
});

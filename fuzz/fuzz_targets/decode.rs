//! Arbitrary bytes → decode, validate and translate (`Module::new`), with and
//! without fuel metering. Must never panic; run with `-rss_limit_mb` to catch
//! unbounded allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasiproc_engine::{Config, Engine, Module};

fuzz_target!(|data: &[u8]| {
    let plain = Engine::default();
    let _ = Module::new(&plain, data);
    let mut cfg = Config::new();
    cfg.consume_fuel(true);
    let fuel = Engine::new(&cfg);
    let _ = Module::new(&fuel, data);
});

//! (a) Each workload at its small `Bench` size: the module is compiled once,
//! each iteration instantiates it with WASI (argv, stdout captured in memory)
//! and runs `_start`; the output is checked once before measuring.
//! (d) One workload (sieve) with fuel metering on and off.

mod common;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use std::hint::black_box;
use wasiproc_benches::wasiproc_run;
use wasiproc_benches::workloads::{self, Size, WORKLOADS, Workload};
use wasiproc_engine::{Engine, Module};

fn compiled(w: &Workload, fuel: bool) -> (Engine, Module) {
    let wasm = w.wasm().unwrap_or_else(|e| panic!("{e}"));
    let engine = wasiproc_run::engine(fuel);
    let module = Module::new(&engine, &wasm).unwrap_or_else(|e| panic!("{}: {e}", w.name));
    // Check once that this engine computes the right answer.
    let argv = w.argv(Size::Bench);
    wasiproc_run::run(&engine, &module, &argv, fuel)
        .and_then(|o| w.verify(&o, Size::Bench))
        .unwrap_or_else(|e| panic!("{} (fuel {fuel}): {e}", w.name));
    (engine, module)
}

fn skip() -> bool {
    if workloads::available() {
        return false;
    }
    eprintln!(
        "skipped: workload modules not found in {} (set WASIPROC_WORKLOADS)",
        workloads::dir().display()
    );
    true
}

fn workload(c: &mut Criterion) {
    if skip() {
        return;
    }
    let mut group = c.benchmark_group("workload");
    group.sampling_mode(SamplingMode::Flat);
    for w in &WORKLOADS {
        let (engine, module) = compiled(w, false);
        let argv = w.argv(Size::Bench);
        group.bench_with_input(BenchmarkId::new(w.name, w.bench.arg), &argv, |b, argv| {
            b.iter(|| black_box(wasiproc_run::run(&engine, &module, argv, false)))
        });
    }
    group.finish();
}

fn fuel(c: &mut Criterion) {
    if skip() {
        return;
    }
    let w = workloads::by_name("sieve").expect("sieve is a workload");
    let mut group = c.benchmark_group(format!("fuel/{}", w.name));
    group.sampling_mode(SamplingMode::Flat);
    for on in [false, true] {
        let (engine, module) = compiled(w, on);
        let argv = w.argv(Size::Bench);
        let id = if on { "on" } else { "off" };
        group.bench_with_input(BenchmarkId::new(id, w.bench.arg), &argv, |b, argv| {
            b.iter(|| black_box(wasiproc_run::run(&engine, &module, argv, on)))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config(10);
    targets = workload, fuel
}
criterion_main!(benches);

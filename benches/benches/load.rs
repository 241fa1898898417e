//! (b) Module load + translation of a large module: `Module::new` (decode,
//! validate, translate every function) on the ~2 MiB debug build of
//! `benches/fixtures/big`, built by `benches/build-fixtures.sh` when missing.
//! wasmi's eager `Module::new` is measured alongside for reference.

mod common;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use wasiproc_benches::{fixtures, wasiproc_run, wasmi_run};

fn load(c: &mut Criterion) {
    let wasm = match fixtures::big_or_build() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("skipped: no big fixture: {e}");
            return;
        }
    };
    let mut group = c.benchmark_group("load/big");
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Bytes(wasm.len() as u64));
    // Eager: every body translated, the work wasmi_eager does.
    let engine = wasiproc_run::engine_with(false, false);
    group.bench_function("wasiproc", |b| {
        b.iter(|| black_box(wasiproc_engine::Module::new(&engine, &wasm).expect("valid")))
    });
    let engine = wasiproc_run::engine_with(true, false);
    group.bench_function("wasiproc_fuel", |b| {
        b.iter(|| black_box(wasiproc_engine::Module::new(&engine, &wasm).expect("valid")))
    });
    let engine = wasmi_run::engine();
    group.bench_function("wasmi_eager", |b| {
        b.iter(|| black_box(wasmi::Module::new(&engine, &wasm).expect("valid")))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config(20);
    targets = load
}
criterion_main!(benches);

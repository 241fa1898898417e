//! (c) Instantiate + run `_start` of tiny modules, compiled once: a WASI
//! command writing one line (linker with all of WASI, context with captured
//! stdout), and a module without imports (the engine alone). Also the same
//! WASI command including `Module::new`, i.e. a whole tiny run.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use wasiproc_benches::{tiny_bare_wasm, tiny_wasi_wasm, wasiproc_run};
use wasiproc_engine::{Linker, Module, Store};

fn startup(c: &mut Criterion) {
    let mut group = c.benchmark_group("startup");
    let engine = wasiproc_run::engine(false);

    let wasi = tiny_wasi_wasm();
    let module = Module::new(&engine, &wasi).expect("valid");
    wasiproc_run::run(&engine, &module, &["tiny"], false)
        .and_then(|o| o.check("hi"))
        .unwrap_or_else(|e| panic!("tiny WASI module: {e}"));
    group.bench_function("tiny_wasi", |b| {
        b.iter(|| black_box(wasiproc_run::run(&engine, &module, &["tiny"], false)))
    });
    group.bench_function("tiny_wasi_with_compile", |b| {
        b.iter(|| {
            let module = Module::new(&engine, &wasi).expect("valid");
            black_box(wasiproc_run::run(&engine, &module, &["tiny"], false))
        })
    });

    let bare = Module::new(&engine, tiny_bare_wasm()).expect("valid");
    let linker = Linker::<()>::new(&engine);
    group.bench_function("tiny_bare", |b| {
        b.iter(|| {
            let mut store = Store::new(&engine, ());
            let instance = linker.instantiate(&mut store, &bare).expect("instantiates");
            let start = instance
                .get_typed_func::<(), ()>(&store, "_start")
                .expect("exports _start");
            start.call(&mut store, ()).expect("runs");
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config(30);
    targets = startup
}
criterion_main!(benches);

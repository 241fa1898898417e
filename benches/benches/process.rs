//! (d) The process layer (`wasiproc-process`): the cost of a whole empty
//! run, of one spawn + wait of a tiny child, of one switch between two
//! processes that `sched_yield`, and the throughput of a pipe between two
//! processes. The WAT guests are in `wasiproc_benches::process_run`.
//!
//! Per-operation benches time `Runtime::run` of a root that does the
//! operation many times and divide by the count (`iter_custom`); building
//! the runtime (engine, linker, compiling the modules, `spawn_root`) is
//! outside the timed part there, and is what `process/empty_run` measures.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::{Duration, Instant};
use wasiproc_benches::process_run::{
    self, CHILD, EMPTY_MEM1_WAT, EMPTY_WAT, PIPE_CHUNK, READER, WRITER, WRITES_MEM1_WAT, wasm,
};

/// Spawn + wait pairs per run of `process/spawn_wait_tiny*`.
const SPAWNS: u32 = 1000;
/// `sched_yield` calls of each of the two processes of `process/yield_resume`.
const YIELDS: u32 = 20_000;
/// Bytes through the pipe per run of `process/pipe_throughput` (16 MiB).
const PIPE_BYTES: u32 = 16 << 20;

/// Times `Runtime::run` of a fresh runtime (root `root`, `children`
/// registered) `iters` times and returns the total divided by `per_run`.
/// Each run is checked (root exited with 0) outside the timed part.
fn time_runs(iters: u64, per_run: u32, root: &[u8], children: &[(&str, &[u8])]) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let mut rt = process_run::prepare_default(root, children).expect("scenario sets up");
        let t = Instant::now();
        let report = rt.run();
        total += t.elapsed();
        let report = report.expect("scenario runs");
        process_run::check(&report).expect("scenario succeeds");
    }
    total / per_run
}

/// Runs a scenario once, checked, before it is measured.
fn verify(name: &str, root: &[u8], children: &[(&str, &[u8])]) {
    process_run::prepare_default(root, children)
        .and_then(|mut rt| process_run::run_checked(&mut rt))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
}

fn process(c: &mut Criterion) {
    let mut group = c.benchmark_group("process");

    let empty = wasm(EMPTY_WAT);
    verify("empty_run", &empty, &[]);
    group.bench_function("empty_run", |b| {
        b.iter(|| {
            let mut rt = process_run::prepare_default(&empty, &[]).expect("sets up");
            black_box(rt.run().expect("runs"))
        })
    });

    let root = wasm(&process_run::spawn_wait_root(SPAWNS));
    for (id, child) in [
        ("spawn_wait_tiny", wasm(EMPTY_WAT)),
        ("spawn_wait_tiny_mem1", wasm(EMPTY_MEM1_WAT)),
        ("spawn_wait_mem1_written", wasm(WRITES_MEM1_WAT)),
    ] {
        let children = [(CHILD, &child[..])];
        verify(id, &root, &children);
        group.bench_function(id, |b| {
            b.iter_custom(|iters| time_runs(iters, SPAWNS, &root, &children))
        });
    }

    let root = wasm(&process_run::two_children_root());
    let child = wasm(&process_run::yielder(YIELDS));
    let children = [(CHILD, &child[..])];
    verify("yield_resume", &root, &children);
    group.bench_function("yield_resume", |b| {
        b.iter_custom(|iters| time_runs(iters, 2 * YIELDS, &root, &children))
    });

    let root = wasm(&process_run::pipe_root());
    let writer = wasm(&process_run::pipe_writer(PIPE_BYTES));
    let reader = wasm(&process_run::pipe_reader(PIPE_BYTES));
    let children = [(WRITER, &writer[..]), (READER, &reader[..])];
    assert_eq!(PIPE_BYTES % PIPE_CHUNK, 0);
    verify("pipe_throughput", &root, &children);
    group.throughput(Throughput::Bytes(u64::from(PIPE_BYTES)));
    group.bench_function("pipe_throughput", |b| {
        b.iter_custom(|iters| time_runs(iters, 1, &root, &children))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config(20);
    targets = process
}
criterion_main!(benches);

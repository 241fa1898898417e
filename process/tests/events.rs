//! Scheduler events and deterministic runs (a `DeterministicHost` fed by the
//! runtime's fuel clock), with small WAT guests.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wasiproc_process::{
    Blocker, Event, EventKind, ExitStatus, Pid, RunReport, Runtime, RuntimeConfig,
};
use wasiproc_wasi::host::VIRTUAL_EPOCH_NS;

mod common;
use common::spawn_root_wat;
use wasiproc_wasi::{BlockedOn, DeterministicHost, FuelClock, HostEnv, RealHost};

const IMPORTS: &str = r#"
  (import "wasi_process" "spawn_config_new" (func $cfg_new (param i32) (result i32)))
  (import "wasi_process" "spawn" (func $spawn (param i32 i32 i32 i32) (result i32)))
  (import "wasi_process" "wait" (func $wait (param i32 i32 i32) (result i32)))
  (import "wasi_process" "kill" (func $kill (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
"#;

/// Spawns `child.wasm`, optionally kills it, waits for it, exits 0.
fn parent(kill: bool) -> String {
    let kill = if kill {
        "(drop (call $kill (i32.load (i32.const 4))))"
    } else {
        ""
    };
    format!(
        r#"(module {IMPORTS}
  (data (i32.const 100) "child.wasm")
  (func (export "_start")
    (drop (call $cfg_new (i32.const 0)))
    (drop (call $spawn (i32.load (i32.const 0)) (i32.const 100) (i32.const 10) (i32.const 4)))
    {kill}
    (drop (call $wait (i32.load (i32.const 4)) (i32.const 0) (i32.const 16)))))"#
    )
}

/// Busy for a few slices, then exits 7.
const BUSY_EXIT7: &str = r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $i i32)
    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 20000))))
    (call $exit (i32.const 7))))"#;

const LOOPER: &str =
    r#"(module (memory (export "memory") 1) (func (export "_start") (loop (br 0))))"#;

struct Run {
    report: RunReport,
    events: Vec<Event>,
    stdout: Vec<u8>,
    total_fuel: u64,
}

fn run_with(
    root: &str,
    children: &[(&str, &str)],
    host: Box<dyn HostEnv>,
    clock: Option<FuelClock>,
) -> Run {
    let config = RuntimeConfig {
        fuel_clock: clock,
        canonicalize_nans: true,
        ..RuntimeConfig::default()
    };
    let mut rt = Runtime::new(config, host).unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    rt.set_event_sink(move |e| sink.lock().unwrap().push(e.clone()));
    let allow: Vec<&str> = children.iter().map(|(name, _)| *name).collect();
    let out = spawn_root_wat(&mut rt, root, children, &allow);
    let report = rt.run().expect("the run ends");
    let total_fuel = rt.fuel_consumed();
    let events = std::mem::take(&mut *events.lock().unwrap());
    Run {
        report,
        events,
        stdout: out.contents(),
        total_fuel,
    }
}

fn run(root: &str, children: &[(&str, &str)]) -> Run {
    run_with(root, children, Box::new(RealHost::new()), None)
}

fn kinds(events: &[Event], pid: u32) -> Vec<EventKind> {
    events
        .iter()
        .filter(|e| e.pid == Pid(pid))
        .map(|e| e.kind.clone())
        .filter(|k| !matches!(k, EventKind::SliceStart | EventKind::SliceEnd { .. }))
        .collect()
}

#[test]
fn spawn_wait_and_exit_are_reported_in_order() {
    let r = run(&parent(false), &[("child.wasm", BUSY_EXIT7)]);
    assert_eq!(r.report.status, ExitStatus::Exited(0));
    let ev = &r.events;
    assert_eq!(
        ev[0].kind,
        EventKind::Spawned {
            child: Pid(1),
            module: "root.wasm".into()
        }
    );
    assert_eq!(ev[0].pid, Pid(0));
    assert_eq!(
        kinds(ev, 1),
        [
            EventKind::Spawned {
                child: Pid(2),
                module: "child.wasm".into()
            },
            EventKind::Blocked(Blocker::Child(Some(Pid(2)))),
            EventKind::Woken,
            EventKind::Exited(ExitStatus::Exited(0)),
        ]
    );
    assert_eq!(kinds(ev, 2), [EventKind::Exited(ExitStatus::Exited(7))]);
    // The child ran several slices; its exit wakes the parent.
    let child_slices = ev
        .iter()
        .filter(|e| e.pid == Pid(2) && e.kind == EventKind::SliceStart)
        .count();
    assert!(child_slices > 1, "{child_slices}");
    let exit = ev
        .iter()
        .position(|e| e.kind == EventKind::Exited(ExitStatus::Exited(7)))
        .unwrap();
    assert_eq!(ev[exit + 1].kind, EventKind::Woken);
    assert_eq!(ev[exit + 1].pid, Pid(1));
    // Slices alternate start/end per process; fuel stamps never go back,
    // and each process's slice fuel adds up to its summary.
    let mut last = 0;
    for e in ev {
        assert!(e.fuel >= last, "{e}");
        last = e.fuel;
    }
    for p in &r.report.processes {
        let sum: u64 = ev
            .iter()
            .filter(|e| e.pid == p.pid)
            .filter_map(|e| match e.kind {
                EventKind::SliceEnd { fuel } => Some(fuel),
                _ => None,
            })
            .sum();
        assert_eq!(sum, p.fuel, "pid {}", p.pid);
    }
    assert_eq!(
        r.total_fuel,
        r.report.processes.iter().map(|p| p.fuel).sum::<u64>()
    );
    assert_eq!(ev.last().unwrap().fuel, r.total_fuel);
}

#[test]
fn a_kill_is_reported_by_the_killer_and_the_victim() {
    let r = run(&parent(true), &[("child.wasm", LOOPER)]);
    assert_eq!(r.report.status, ExitStatus::Exited(0));
    let k = kinds(&r.events, 1);
    assert_eq!(k[1], EventKind::Killed { target: Pid(2) });
    assert_eq!(
        kinds(&r.events, 2),
        [EventKind::Exited(ExitStatus::Killed(Pid(1)))]
    );
    let text: Vec<String> = r.events.iter().map(|e| e.to_string()).collect();
    assert!(
        text.iter().any(|t| t.ends_with("pid 1: killed pid 2")),
        "{text:?}"
    );
}

#[test]
fn processes_left_when_the_root_ends_are_reported_killed_by_the_runtime() {
    let root = format!(
        r#"(module {IMPORTS}
  (data (i32.const 100) "child.wasm")
  (func (export "_start")
    (drop (call $cfg_new (i32.const 0)))
    (drop (call $spawn (i32.load (i32.const 0)) (i32.const 100) (i32.const 10) (i32.const 4)))))"#
    );
    let r = run(&root, &[("child.wasm", LOOPER)]);
    let last = r.events.last().unwrap();
    assert_eq!(last.pid, Pid(2));
    assert_eq!(last.kind, EventKind::Exited(ExitStatus::Killed(Pid(0))));
}

/// Reads the monotonic clock, burns fuel over several slices, reads it
/// again, sleeps 1 s (poll_oneoff), reads both clocks, takes 16 random
/// bytes, and writes the four u64 readings and the bytes to stdout.
const CLOCKS: &str = r#"(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $now (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $i i32)
    (drop (call $now (i32.const 1) (i64.const 1) (i32.const 0)))
    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 20000))))
    (drop (call $now (i32.const 1) (i64.const 1) (i32.const 8)))
    (i32.store8 (i32.const 208) (i32.const 0))
    (i32.store (i32.const 216) (i32.const 1))
    (i64.store (i32.const 224) (i64.const 1000000000))
    (drop (call $poll (i32.const 200) (i32.const 300) (i32.const 1) (i32.const 400)))
    (drop (call $now (i32.const 1) (i64.const 1) (i32.const 16)))
    (drop (call $now (i32.const 0) (i64.const 1) (i32.const 24)))
    (drop (call $random (i32.const 32) (i32.const 16)))
    (i32.store (i32.const 100) (i32.const 0))
    (i32.store (i32.const 104) (i32.const 48))
    (drop (call $fd_write (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 108)))))"#;

fn deterministic(seed: u64) -> Run {
    let clock = FuelClock::new();
    let host = DeterministicHost::new(seed, clock.clone());
    run_with(CLOCKS, &[], Box::new(host), Some(clock))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

#[test]
fn a_deterministic_run_reads_fuel_time_and_sleeps_without_waiting() {
    let t = Instant::now();
    let r = deterministic(0);
    assert!(t.elapsed() < Duration::from_millis(900), "it slept");
    assert_eq!(r.report.status, ExitStatus::Exited(0));
    let out = &r.stdout;
    assert_eq!(out.len(), 48);
    let (t0, t1, t2, wall) = (
        u64_at(out, 0),
        u64_at(out, 8),
        u64_at(out, 16),
        u64_at(out, 24),
    );
    assert_eq!(t0, 0, "nothing has run before the first slice ends");
    assert!(
        t1 > 0 && t1 <= r.total_fuel,
        "t1 {t1} total {}",
        r.total_fuel
    );
    assert!(
        r.events
            .iter()
            .any(|e| matches!(e.kind, EventKind::SliceEnd { .. }) && e.fuel == t1),
        "the clock moves at slice boundaries"
    );
    // The run sleeps alone: the clock jumps to the deadline.
    assert_eq!(t2, t1 + 1_000_000_000);
    assert_eq!(wall, VIRTUAL_EPOCH_NS + t2);
    // The timer shows up as a blocked period.
    assert!(r.events.iter().any(|e| matches!(
        &e.kind,
        EventKind::Blocked(Blocker::On(BlockedOn::Timer { deadline })) if *deadline == t2
    )));
    // Same seed: the same bytes, events and fuel; another seed: other bytes.
    let again = deterministic(0);
    assert_eq!(again.stdout, r.stdout);
    assert_eq!(again.events, r.events);
    let other = deterministic(1);
    assert_eq!(other.stdout[..32], r.stdout[..32]);
    assert_ne!(other.stdout[32..], r.stdout[32..]);
}

//! The process runtime driven directly with small WAT guests.

use wasiproc_process::{ExitStatus, RunError, RunReport, Runtime, RuntimeConfig};
use wasiproc_wasi::RealHost;

mod common;
use common::spawn_root_wat;

const IMPORTS: &str = r#"
  (import "wasi_process" "spawn_config_new" (func $cfg_new (param i32) (result i32)))
  (import "wasi_process" "spawn_config_fd" (func $cfg_fd (param i32 i32 i32) (result i32)))
  (import "wasi_process" "spawn_config_arg" (func $cfg_arg (param i32 i32 i32) (result i32)))
  (import "wasi_process" "spawn_config_limit" (func $cfg_limit (param i32 i32 i64) (result i32)))
  (import "wasi_process" "spawn_config_allow" (func $cfg_allow (param i32 i32 i32) (result i32)))
  (import "wasi_process" "spawn" (func $spawn (param i32 i32 i32 i32) (result i32)))
  (import "wasi_process" "wait" (func $wait (param i32 i32 i32) (result i32)))
  (import "wasi_process" "kill" (func $kill (param i32) (result i32)))
  (import "wasi_process" "pipe" (func $pipe (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
"#;

/// A parent that spawns `child.wasm` (with `setup` run on config handle at
/// mem[0]), optionally kills it, waits, and exits with kind*10+value, or
/// with the errno when spawn fails, or 120 when wait fails.
fn parent(setup: &str, kill: bool) -> String {
    let kill = if kill {
        "(drop (call $kill (i32.load (i32.const 4))))"
    } else {
        ""
    };
    format!(
        r#"(module {IMPORTS}
  (data (i32.const 100) "child.wasm")
  (func (export "_start") (local $e i32)
    (drop (call $cfg_new (i32.const 0)))
    {setup}
    (local.set $e (call $spawn (i32.load (i32.const 0)) (i32.const 100) (i32.const 10) (i32.const 4)))
    (if (local.get $e) (then (call $exit (local.get $e))))
    {kill}
    (local.set $e (call $wait (i32.load (i32.const 4)) (i32.const 0) (i32.const 16)))
    (if (local.get $e) (then (call $exit (i32.const 120))))
    (call $exit (i32.add (i32.mul (i32.load (i32.const 20)) (i32.const 10))
                         (i32.load (i32.const 24))))))"#
    )
}

const EXIT7: &str = r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (i32.const 7))))"#;

const LOOPER: &str =
    r#"(module (memory (export "memory") 1) (func (export "_start") (loop (br 0))))"#;

struct Run {
    result: Result<RunReport, RunError>,
    stdout: Vec<u8>,
}

fn run(root: &str, children: &[(&str, &str)], allow: &[&str]) -> Run {
    let mut rt = Runtime::new(RuntimeConfig::default(), Box::new(RealHost::new())).unwrap();
    let out = spawn_root_wat(&mut rt, root, children, allow);
    let result = rt.run();
    Run {
        result,
        stdout: out.contents(),
    }
}

fn root_status(r: &Run) -> ExitStatus {
    let report = r.result.as_ref().expect("run finished");
    if let Some(t) = &report.trap {
        eprintln!("root trapped: {t}");
    }
    report.status.clone()
}

#[test]
fn spawn_and_wait_returns_the_child_exit_code() {
    let r = run(
        &parent("", false),
        &[("child.wasm", EXIT7)],
        &["child.wasm"],
    );
    assert_eq!(root_status(&r), ExitStatus::Exited(7));
    let procs = &r.result.unwrap().processes;
    assert_eq!(procs.len(), 2);
    assert_eq!(procs[1].pid.0, 2);
    assert_eq!(procs[1].status, ExitStatus::Exited(7));
}

#[test]
fn spawn_without_permission_is_not_capable() {
    let r = run(&parent("", false), &[("child.wasm", EXIT7)], &[]);
    assert_eq!(root_status(&r), ExitStatus::Exited(76));
}

#[test]
fn a_looping_child_ends_by_its_fuel_limit() {
    let setup =
        "(drop (call $cfg_limit (i32.load (i32.const 0)) (i32.const 0) (i64.const 100000)))";
    let r = run(
        &parent(setup, false),
        &[("child.wasm", LOOPER)],
        &["child.wasm"],
    );
    assert_eq!(
        root_status(&r),
        ExitStatus::Exited(30),
        "out of fuel is kind 3"
    );
}

#[test]
fn a_looping_child_is_killed_by_its_parent() {
    let r = run(
        &parent("", true),
        &[("child.wasm", LOOPER)],
        &["child.wasm"],
    );
    assert_eq!(
        root_status(&r),
        ExitStatus::Exited(11),
        "killed (1) by pid 1"
    );
}

const ECHO_CHILD: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "hello through a pipe\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 21))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;

/// Copies the pipe whose read end is at address 8 to stdout, 256 bytes at a
/// time through a buffer at 1024, until it reads end of file (needs a local
/// `$n`).
const COPY_PIPE: &str = r#"(i32.store (i32.const 32) (i32.const 1024))
    (loop $copy
      (i32.store (i32.const 36) (i32.const 256))
      (drop (call $fd_read (i32.load (i32.const 8)) (i32.const 32) (i32.const 1) (i32.const 40)))
      (local.set $n (i32.load (i32.const 40)))
      (if (local.get $n) (then
        (i32.store (i32.const 36) (local.get $n))
        (drop (call $fd_write (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 44)))
        (br $copy))))"#;

/// Parent: pipe; child's stdout = write end; close own write end; copy the
/// read end to stdout until end of file; wait.
fn pipe_parent() -> String {
    format!(
        r#"(module {IMPORTS}
  (data (i32.const 100) "child.wasm")
  (func (export "_start") (local $n i32)
    (drop (call $pipe (i32.const 8) (i32.const 12)))
    (drop (call $cfg_new (i32.const 0)))
    (drop (call $cfg_fd (i32.load (i32.const 0)) (i32.load (i32.const 12)) (i32.const 1)))
    (drop (call $spawn (i32.load (i32.const 0)) (i32.const 100) (i32.const 10) (i32.const 4)))
    (drop (call $fd_close (i32.load (i32.const 12))))
    {COPY_PIPE}
    (drop (call $wait (i32.const -1) (i32.const 0) (i32.const 16)))))"#
    )
}

#[test]
fn a_pipe_carries_child_output_to_the_parent() {
    let r = run(
        &pipe_parent(),
        &[("child.wasm", ECHO_CHILD)],
        &["child.wasm"],
    );
    assert_eq!(root_status(&r), ExitStatus::Exited(0));
    assert_eq!(String::from_utf8_lossy(&r.stdout), "hello through a pipe\n");
}

const READER_CHILD: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 16))
    (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;

#[test]
fn a_deadlock_is_reported_with_every_process() {
    // The child reads a pipe whose only writer is the parent, which waits
    // for the child: neither can proceed.
    let root = format!(
        r#"(module {IMPORTS}
  (data (i32.const 100) "child.wasm")
  (func (export "_start")
    (drop (call $pipe (i32.const 8) (i32.const 12)))
    (drop (call $cfg_new (i32.const 0)))
    (drop (call $cfg_fd (i32.load (i32.const 0)) (i32.load (i32.const 8)) (i32.const 0)))
    (drop (call $spawn (i32.load (i32.const 0)) (i32.const 100) (i32.const 10) (i32.const 4)))
    (drop (call $wait (i32.load (i32.const 4)) (i32.const 0) (i32.const 16)))))"#
    );
    let r = run(&root, &[("child.wasm", READER_CHILD)], &["child.wasm"]);
    match r.result {
        Err(RunError::Deadlock(lines)) => {
            assert_eq!(lines.len(), 2, "{lines:?}");
            assert!(
                lines[0].contains("pid 1") && lines[0].contains("child 2"),
                "{lines:?}"
            );
            assert!(
                lines[1].contains("pid 2") && lines[1].contains("fd 0"),
                "{lines:?}"
            );
        }
        other => panic!("expected a deadlock, got {:?}", other.map(|r| r.status)),
    }
}

/// Two children print their letter 300 times with busy work in between;
/// the interleaving must be identical on every run.
#[test]
fn interleaving_and_fuel_are_deterministic() {
    let child = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $i i32) (local $j i32)
    (drop (call $args_get (i32.const 0) (i32.const 16)))
    ;; argv[1] begins after "child.wasm\0" at 16 + 11
    (i32.store (i32.const 100) (i32.const 27))
    (i32.store (i32.const 104) (i32.const 1))
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $busy (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $busy (i32.lt_u (local.get $j) (i32.add (i32.const 500) (i32.mul (local.get $i) (i32.const 7))))))
      (drop (call $fd_write (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 108)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (i32.const 300))))))"#;
    let root = format!(
        r#"(module {IMPORTS}
  (data (i32.const 100) "child.wasm")
  (data (i32.const 120) "child.wasm")
  (data (i32.const 140) "A")
  (data (i32.const 150) "B")
  (func $one (param $letter i32) (param $slot i32)
    (drop (call $cfg_new (i32.const 0)))
    (drop (call $cfg_arg (i32.load (i32.const 0)) (i32.const 120) (i32.const 10)))
    (drop (call $cfg_arg (i32.load (i32.const 0)) (local.get $letter) (i32.const 1)))
    (drop (call $spawn (i32.load (i32.const 0)) (i32.const 100) (i32.const 10) (local.get $slot))))
  (func (export "_start")
    (call $one (i32.const 140) (i32.const 4))
    (call $one (i32.const 150) (i32.const 8))
    (drop (call $wait (i32.const -1) (i32.const 0) (i32.const 16)))
    (drop (call $wait (i32.const -1) (i32.const 0) (i32.const 16)))))"#
    );
    let mut seen = Vec::new();
    for _ in 0..3 {
        let r = run(&root, &[("child.wasm", child)], &["child.wasm"]);
        let report = r.result.unwrap();
        let fuel: Vec<u64> = report.processes.iter().map(|p| p.fuel).collect();
        seen.push((r.stdout, fuel));
    }
    let out = String::from_utf8(seen[0].0.clone()).unwrap();
    assert_eq!(out.len(), 600);
    assert!(
        out.contains("AB") || out.contains("BA"),
        "slices interleave: {out}"
    );
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "runs differ");
}

/// Spawns `leaf.wasm` (allowing nothing) and exits 5 without waiting.
const MIDDLE: &str = r#"(module
  (import "wasi_process" "spawn_config_new" (func $cfg_new (param i32) (result i32)))
  (import "wasi_process" "spawn" (func $spawn (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "leaf.wasm")
  (func (export "_start")
    (drop (call $cfg_new (i32.const 0)))
    (if (call $spawn (i32.load (i32.const 0)) (i32.const 100) (i32.const 9) (i32.const 4))
      (then (call $exit (i32.const 1))))
    (call $exit (i32.const 5))))"#;

/// Busy for a while, then exits 9.
const LEAF: &str = r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $i i32)
    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 200000))))
    (call $exit (i32.const 9))))"#;

#[test]
fn orphans_are_adopted_and_reaped_by_the_root() {
    let root = format!(
        r#"(module {IMPORTS}
  (data (i32.const 100) "middle.wasm")
  (data (i32.const 120) "leaf.wasm")
  (func (export "_start") (local $a i32)
    (drop (call $cfg_new (i32.const 0)))
    (drop (call $cfg_allow (i32.load (i32.const 0)) (i32.const 120) (i32.const 9)))
    (drop (call $spawn (i32.load (i32.const 0)) (i32.const 100) (i32.const 11) (i32.const 4)))
    ;; first the middle child ends, then its orphan, now the root's child
    (if (call $wait (i32.const -1) (i32.const 0) (i32.const 16)) (then (call $exit (i32.const 120))))
    (local.set $a (i32.load (i32.const 24)))
    (if (call $wait (i32.const -1) (i32.const 0) (i32.const 16)) (then (call $exit (i32.const 121))))
    ;; no children are left
    (if (i32.ne (call $wait (i32.const -1) (i32.const 0) (i32.const 16)) (i32.const 12))
      (then (call $exit (i32.const 122))))
    (call $exit (i32.add (i32.mul (local.get $a) (i32.const 10)) (i32.load (i32.const 24))))))"#
    );
    let r = run(
        &root,
        &[("middle.wasm", MIDDLE), ("leaf.wasm", LEAF)],
        &["middle.wasm", "leaf.wasm"],
    );
    assert_eq!(root_status(&r), ExitStatus::Exited(59));
    let report = r.result.unwrap();
    let leaf = report
        .processes
        .iter()
        .find(|p| p.module == "leaf.wasm")
        .unwrap();
    assert_eq!(leaf.parent.0, 1, "adopted by the root");
}

/// Mapping a child descriptor again replaces the earlier mapping: a config
/// reused for many spawns does not accumulate mappings, and a mapping of a
/// descriptor the parent has since closed no longer matters once replaced.
#[test]
fn remapping_a_child_descriptor_replaces_the_earlier_mapping() {
    let setup = r#"
    (drop (call $pipe (i32.const 8) (i32.const 12)))
    (drop (call $cfg_fd (i32.load (i32.const 0)) (i32.load (i32.const 8)) (i32.const 0)))
    (drop (call $fd_close (i32.load (i32.const 8))))
    (drop (call $fd_close (i32.load (i32.const 12))))
    (drop (call $cfg_fd (i32.load (i32.const 0)) (i32.const -1) (i32.const 0)))"#;
    let r = run(
        &parent(setup, false),
        &[("child.wasm", EXIT7)],
        &["child.wasm"],
    );
    // Before the fix the stale mapping of the closed pipe end made spawn
    // fail with EBADF (8).
    assert_eq!(root_status(&r), ExitStatus::Exited(7));
}

/// Busy for a while between writes of `letter` + a digit, `times` times.
fn chatty(letter: char, times: u32) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 200) "{letter}0\n")
  (func (export "_start") (local $i i32) (local $j i32)
    (i32.store (i32.const 100) (i32.const 200))
    (i32.store (i32.const 104) (i32.const 3))
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $busy (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $busy (i32.lt_u (local.get $j)
          (i32.add (i32.const 300) (i32.rem_u (i32.mul (local.get $i) (i32.const 7919)) (i32.const 9000))))))
      (i32.store8 (i32.const 201) (i32.add (i32.const 48) (i32.rem_u (local.get $i) (i32.const 10))))
      (drop (call $fd_write (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 108)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (i32.const {times}))))))"#
    )
}

/// Loops forever, growing its memory by a page every 65,536 iterations
/// and filling a bit of it: ends by its fuel limit.
const GROWER: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "_start") (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (if (i32.eqz (i32.and (local.get $i) (i32.const 0xffff)))
        (then (drop (memory.grow (i32.const 1)))
              (memory.fill (i32.const 0) (i32.const 7) (i32.shr_u (local.get $i) (i32.const 2)))))
      (br $l))))"#;

/// The root computes alone, then runs a writer into a pipe it copies to
/// stdout, a child printing to stdout itself (ending well before the
/// writer, which then runs alone while the root waits for the pipe) and a
/// fuel-limited child growing its memory; it waits for all three.
fn mixed_root() -> String {
    format!(
        r#"(module {IMPORTS}
  (data (i32.const 100) "writer.wasm")
  (data (i32.const 120) "printer.wasm")
  (data (i32.const 140) "grower.wasm")
  (func (export "_start") (local $n i32) (local $j i32)
    (loop $busy (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $busy (i32.lt_u (local.get $j) (i32.const 200000))))
    (drop (call $pipe (i32.const 8) (i32.const 12)))
    (drop (call $cfg_new (i32.const 0)))
    (drop (call $cfg_fd (i32.load (i32.const 0)) (i32.load (i32.const 12)) (i32.const 1)))
    (drop (call $spawn (i32.load (i32.const 0)) (i32.const 100) (i32.const 11) (i32.const 4)))
    (drop (call $fd_close (i32.load (i32.const 12))))
    (drop (call $cfg_new (i32.const 0)))
    (drop (call $spawn (i32.load (i32.const 0)) (i32.const 120) (i32.const 12) (i32.const 4)))
    (drop (call $cfg_new (i32.const 0)))
    (drop (call $cfg_limit (i32.load (i32.const 0)) (i32.const 0) (i64.const 3000000)))
    (drop (call $spawn (i32.load (i32.const 0)) (i32.const 140) (i32.const 11) (i32.const 4)))
    {COPY_PIPE}
    (drop (call $wait (i32.const -1) (i32.const 0) (i32.const 16)))
    (drop (call $wait (i32.const -1) (i32.const 0) (i32.const 16)))
    (drop (call $wait (i32.const -1) (i32.const 0) (i32.const 16)))))"#
    )
}

/// What a run of [`mixed_root`] shows: its output, every process's
/// summary line, the run's fuel after each step, and how many slices
/// were started in place.
#[derive(Debug, PartialEq)]
struct Seen {
    stdout: String,
    status: ExitStatus,
    processes: Vec<wasiproc_process::ProcessSummary>,
    steps: Vec<u64>,
    renewed: u64,
}

fn run_mixed(slice: u64, renew: bool, step: Option<u64>) -> Seen {
    let config = RuntimeConfig {
        slice,
        renew_slices: renew,
        ..RuntimeConfig::default()
    };
    let mut rt = Runtime::new(config, Box::new(RealHost::new())).unwrap();
    let (writer, printer) = (chatty('w', 60), chatty('p', 20));
    let children = [
        ("writer.wasm", writer.as_str()),
        ("printer.wasm", printer.as_str()),
        ("grower.wasm", GROWER),
    ];
    let allow = ["writer.wasm", "printer.wasm", "grower.wasm"];
    let out = spawn_root_wat(&mut rt, &mixed_root(), &children, &allow);
    let mut steps = Vec::new();
    let report = match step {
        None => rt.run().unwrap(),
        Some(budget) => loop {
            if let Some(report) = rt.step(budget).unwrap() {
                break report;
            }
            steps.push(rt.fuel_consumed());
        },
    };
    Seen {
        stdout: String::from_utf8(out.contents()).unwrap(),
        status: report.status,
        processes: report.processes,
        steps,
        renewed: rt.slices_renewed(),
    }
}

/// Slices started in place (`RuntimeConfig::renew_slices`) change nothing
/// a run shows: the same interleaving of output, the same fuel and peak
/// memory per process, the same statuses (a child ending out of fuel
/// within its joined slices), and with `Runtime::step` the same fuel at
/// every return, against the path that ends every slice in the scheduler.
#[test]
fn slices_started_in_place_schedule_exactly_as_slice_ends() {
    for slice in [1_000, 10_000] {
        for step in [None, Some(7_777), Some(123_457)] {
            let fast = run_mixed(slice, true, step);
            let slow = run_mixed(slice, false, step);
            assert_eq!(slow.renewed, 0);
            // (A step shorter than a slice returns after every slice.)
            if step.is_none_or(|b| b > slice) {
                assert!(
                    fast.renewed > 0,
                    "slice {slice}, step {step:?}: none in place"
                );
            } else {
                assert_eq!(fast.renewed, 0);
            }
            assert_eq!(fast.status, ExitStatus::Exited(0));
            assert_eq!(fast.stdout.len(), 3 * (60 + 20), "{}", fast.stdout);
            assert!(
                fast.stdout.contains("p") && fast.stdout.contains("w"),
                "{}",
                fast.stdout
            );
            assert_eq!(fast.processes.len(), 4);
            assert_eq!(fast.processes[3].status, ExitStatus::OutOfFuel);
            assert!(fast.processes[3].peak_memory > 2 * 65536);
            if step.is_some() {
                assert!(fast.steps.len() > 10);
            }
            let fast = Seen { renewed: 0, ..fast };
            assert_eq!(fast, slow, "slice {slice}, step {step:?}");
        }
    }
}

/// Runs `root` with `children` registered and allowed; the report and the
/// bytes the engine's memory pool holds after the run.
fn run_pooled(root: &str, children: &[(&str, &str)]) -> (RunReport, usize) {
    let mut rt = Runtime::new(RuntimeConfig::default(), Box::new(RealHost::new())).unwrap();
    let allow: Vec<&str> = children.iter().map(|(name, _)| *name).collect();
    spawn_root_wat(&mut rt, root, children, &allow);
    let report = rt.run().unwrap();
    (report, rt.engine().pooled_memory_bytes())
}

#[test]
fn a_reused_memory_holds_nothing_of_the_process_before() {
    // A writes secrets across its page and exits; B, spawned next, gets
    // A's pooled block and exits with 1 if any byte of its memory is not 0.
    let writer = r#"(module
  (memory (export "memory") 1)
  (func (export "_start")
    (i64.store (i32.const 0) (i64.const 0x5ec2e75ec2e75ec2))
    (i64.store (i32.const 12305) (i64.const -1))
    (i64.store (i32.const 65528) (i64.const 0x0123456789abcdef))))"#;
    let checker = r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $i i32) (local $acc i64)
    (loop $l
      (local.set $acc (i64.or (local.get $acc) (i64.load (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 65536))))
    (call $exit (i64.ne (local.get $acc) (i64.const 0)))))"#;
    let root = format!(
        r#"(module {IMPORTS}
  (data (i32.const 100) "a.wasm")
  (data (i32.const 120) "b.wasm")
  (func $run (param $name i32) (result i32)
    (if (call $spawn (i32.load (i32.const 0)) (local.get $name) (i32.const 6) (i32.const 4))
      (then unreachable))
    (if (call $wait (i32.load (i32.const 4)) (i32.const 0) (i32.const 16))
      (then unreachable))
    (i32.or (i32.load (i32.const 20)) (i32.load (i32.const 24))))
  (func (export "_start")
    (drop (call $cfg_new (i32.const 0)))
    (if (call $run (i32.const 100)) (then (call $exit (i32.const 2))))
    (call $exit (call $run (i32.const 120)))))"#
    );
    let (report, pooled) = run_pooled(&root, &[("a.wasm", writer), ("b.wasm", checker)]);
    assert_eq!(report.status, ExitStatus::Exited(0), "{report:?}");
    assert_eq!(report.processes.len(), 3);
    // One block for the root's memory and one that A and B used in turn:
    // a run of the root alone leaves one.
    let (alone, one) = run_pooled(EXIT7, &[]);
    assert_eq!(alone.status, ExitStatus::Exited(7));
    assert!(one > 0);
    assert_eq!(pooled, 2 * one, "B reused A's block");
}

/// A child importing the embedder's `env.answer`.
const ASKS_ENV: &str = r#"(module
  (import "env" "answer" (func $answer (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (call $answer))))"#;

#[test]
fn a_child_sees_the_embedders_imports_and_without_them_cannot_execute() {
    // Without a definition the spawn answers ENOEXEC (the root exits with it).
    let r = run(
        &parent("", false),
        &[("child.wasm", ASKS_ENV)],
        &["child.wasm"],
    );
    assert_eq!(
        root_status(&r),
        ExitStatus::Exited(wasiproc_wasi::errno::Errno::Noexec as i32)
    );
    // Defined after the module was registered, before the run: each of two
    // spawns of it calls the definition.
    let mut rt = Runtime::new(RuntimeConfig::default(), Box::new(RealHost::new())).unwrap();
    spawn_root_wat(
        &mut rt,
        &parent("", false),
        &[("child.wasm", ASKS_ENV)],
        &["child.wasm"],
    );
    rt.linker_mut()
        .func_wrap(
            "env",
            "answer",
            |_: wasiproc_engine::Caller<'_, wasiproc_process::data::ProcData>| -> Result<i32, wasiproc_engine::HostError> {
                Ok(4)
            },
        )
        .unwrap();
    let report = rt.run().unwrap();
    assert_eq!(report.status, ExitStatus::Exited(4), "{report:?}");
}

/// A child that exits with argc*20 + envc*5 + (1 if it has descriptor 3)
/// (exit codes above 125 are not a WASI command's).
const COUNTS: &str = r#"(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $envs (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $stat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $args (i32.const 0) (i32.const 4)))
    (drop (call $envs (i32.const 8) (i32.const 12)))
    (call $exit (i32.add
      (i32.add (i32.mul (i32.load (i32.const 0)) (i32.const 20))
               (i32.mul (i32.load (i32.const 8)) (i32.const 5)))
      (i32.eqz (call $stat (i32.const 3) (i32.const 64)))))))"#;

#[test]
fn a_reused_entry_holds_nothing_of_the_process_before() {
    // The first child gets three arguments, an environment variable and a
    // pipe end as descriptor 3; the second, spawned after the first ended
    // (its emptied entry is reused), gets none of them.
    let root = format!(
        r#"(module
  (import "wasi_process" "spawn_config_env" (func $cfg_env (param i32 i32 i32) (result i32)))
  {IMPORTS}
  (data (i32.const 100) "child.wasm")
  (data (i32.const 120) "K=V")
  (func $run (param $cfg i32) (result i32)
    (if (call $spawn (local.get $cfg) (i32.const 100) (i32.const 10) (i32.const 4))
      (then unreachable))
    (if (call $wait (i32.load (i32.const 4)) (i32.const 0) (i32.const 16))
      (then unreachable))
    (i32.load (i32.const 24)))
  (func (export "_start") (local $first i32)
    (drop (call $pipe (i32.const 40) (i32.const 44)))
    (drop (call $cfg_new (i32.const 0)))
    (drop (call $cfg_arg (i32.load (i32.const 0)) (i32.const 100) (i32.const 5)))
    (drop (call $cfg_arg (i32.load (i32.const 0)) (i32.const 100) (i32.const 5)))
    (drop (call $cfg_arg (i32.load (i32.const 0)) (i32.const 100) (i32.const 5)))
    (drop (call $cfg_env (i32.load (i32.const 0)) (i32.const 120) (i32.const 3)))
    (drop (call $cfg_fd (i32.load (i32.const 0)) (i32.load (i32.const 44)) (i32.const 3)))
    (local.set $first (call $run (i32.load (i32.const 0))))
    (if (i32.ne (local.get $first) (i32.const 66)) (then (call $exit (local.get $first))))
    (drop (call $cfg_new (i32.const 8)))
    (call $exit (i32.sub (call $run (i32.load (i32.const 8))) (i32.const 20)))))"#
    );
    let r = run(&root, &[("child.wasm", COUNTS)], &["child.wasm"]);
    assert_eq!(root_status(&r), ExitStatus::Exited(0));
    assert_eq!(r.result.unwrap().processes.len(), 3);
}

//! Programs that use Wasm proposals beyond 2.0, run through the CLI.

mod common;
#[path = "common/watlib.rs"]
mod watlib;

use common::{p, run_args, scratch, stderr, stdout};
use watlib::Guest;

/// The functions of the tail-call guest: `$sum` adds 1 + ... + n in n tail
/// calls, alternating between `$even` (`return_call_indirect`) and `$odd`
/// (`return_call`); `$plain` is the same recursion with plain calls (one
/// frame per step).
const TAIL: &str = r#"
  (type $step (func (param i64 i64) (result i64)))
  (table 1 funcref)
  (elem (i32.const 0) $odd)
  (func $sum (param $n i64) (result i64)
    (return_call $even (local.get $n) (i64.const 0)))
  (func $even (param $n i64) (param $acc i64) (result i64)
    (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call_indirect (type $step)
      (i64.sub (local.get $n) (i64.const 1))
      (i64.add (local.get $acc) (local.get $n))
      (i32.const 0)))
  (func $odd (param $n i64) (param $acc i64) (result i64)
    (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call $even
      (i64.sub (local.get $n) (i64.const 1))
      (i64.add (local.get $acc) (local.get $n))))
  (func $plain (param $n i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.const 0))
      (else (i64.add (local.get $n)
        (call $plain (i64.sub (local.get $n) (i64.const 1)))))))"#;

/// Tail calls: 10 M tail calls (`return_call` and `return_call_indirect`)
/// run in constant memory: within `--max-memory 256K`, which bounds linear
/// memory (64 KiB here), tables and the value and frame stacks together,
/// where the same recursion with plain calls runs out of memory after a
/// few thousand frames (and, unbounded, exhausts the call stack).
#[test]
fn tail_recursion_ten_million_times_in_constant_memory() {
    let dir = scratch("tail-call");
    let run = |name: &str, func: &str, n: u64| {
        let g = Guest::new();
        let body = format!(
            "{TAIL}\n(func (export \"_start\") (call $int (call ${func} (i64.const {n}))) (call $flush))"
        );
        let wasm = g.write(&dir, name, 1, &body);
        run_args(&[
            "run".into(),
            "--summary".into(),
            "--max-memory".into(),
            "256K".into(),
            p(&wasm),
        ])
    };
    let small = run("small.wasm", "sum", 10);
    assert_eq!(small.status.code(), Some(0), "{}", stderr(&small));
    assert_eq!(stdout(&small), "55\n");
    let big = run("big.wasm", "sum", 10_000_000);
    assert_eq!(big.status.code(), Some(0), "{}", stderr(&big));
    assert_eq!(stdout(&big), "50000005000000\n");
    let fuel = |o| common::summary(o)[0].1;
    assert!(fuel(&big) > 10_000_000 * 5, "{}", stderr(&big));

    let plain = run("plain.wasm", "plain", 10_000_000);
    assert!(
        stderr(&plain).contains("limit exceeded(memory)"),
        "{}",
        stderr(&plain)
    );
}

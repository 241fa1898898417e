//! A guest using exception handling, run through the CLI: a hand-written
//! WAT program (no clang with `-fwasm-exceptions` and a WASI sysroot is on
//! the machine) that throws three calls deep, catches by tag with payload
//! (`try_table` and legacy `try`/`catch`), rethrows (`throw_ref`, legacy
//! `rethrow`), uses `catch_all` and legacy `delegate`, and prints what it
//! saw through WASI `fd_write`.

mod common;
#[path = "common/watlib.rs"]
mod watlib;

use common::{p, run_args, scratch, stderr, stdout};
use watlib::Guest;

/// Throws `$Error(n, 3)` for odd `n`, `$Other(n * 10)` for even `n`, from
/// `$level3`, called through `$level1` and `$level2`.
const THROWERS: &str = r#"
  (tag $Error (param i32 i32))
  (tag $Other (param i64))
  (func $level3 (param $n i32)
    (if (i32.and (local.get $n) (i32.const 1))
      (then (throw $Error (local.get $n) (i32.const 3))))
    (throw $Other (i64.mul (i64.extend_i32_u (local.get $n)) (i64.const 10))))
  (func $level2 (param $n i32) (call $level3 (local.get $n)))
  (func $level1 (param $n i32) (call $level2 (local.get $n)))"#;

fn program(g: &mut Guest) -> String {
    let caught = g.put("try_table caught Error code=");
    let depth = g.put(" depth=");
    let all = g.put("try_table catch_all for n=");
    let inner = g.put("inner catch_ref saw code=");
    let rethrown = g.put("rethrown by throw_ref, outer got code=");
    let legacy_inner = g.put("legacy inner catch code=");
    let legacy = g.put("legacy rethrow result=");
    let legacy_all = g.put("legacy catch_all result=");
    let delegated = g.put("delegate result=");
    let delegated_all = g.put("delegate catch_all result=");
    format!(
        r#"{THROWERS}
  (func $exnref_style (param $n i32) (local $code i32) (local $depth i32)
    (block $all
      (block $err (result i32 i32)
        (try_table (catch $Error $err) (catch_all $all)
          (call $level1 (local.get $n)))
        (return))
      (local.set $depth)
      (local.set $code)
      {caught} (call $i32 (local.get $code)) {depth} (call $i32 (local.get $depth)) (call $flush)
      (return))
    {all} (call $i32 (local.get $n)) (call $flush))

  (func $rethrow_ref (param $n i32) (result i32) (local $ex exnref)
    (block $outer (result i32 i32)
      (try_table (catch $Error $outer)
        (block $inner (result i32 i32 exnref)
          (try_table (catch_ref $Error $inner) (call $level1 (local.get $n)))
          (unreachable))
        (local.set $ex)
        (drop)
        {inner} (call $i32) (call $flush)
        (throw_ref (local.get $ex)))
      (unreachable))
    (drop))

  (func $legacy (param $n i32) (result i32) (local $code i32)
    try (result i32)
      try (result i32)
        (call $level1 (local.get $n))
        (i32.const 0)
      catch $Error
        drop
        local.set $code
        {legacy_inner} (call $i32 (local.get $code)) (call $flush)
        rethrow 0
      end
    catch $Error
      drop
      i32.const 1000
      i32.add
    catch_all
      i32.const -1
    end)

  (func $legacy_delegate (param $n i32) (result i32)
    try $outer (result i32)
      try (result i32)
        (call $level1 (local.get $n))
        (i32.const 0)
      delegate $outer
    catch $Other
      i32.wrap_i64
    catch_all
      i32.const -2
    end)

  (func (export "_start") (local $r i32)
    (call $exnref_style (i32.const 7))
    (call $exnref_style (i32.const 4))
    (local.set $r (call $rethrow_ref (i32.const 5)))
    {rethrown} (call $i32 (local.get $r)) (call $flush)
    (local.set $r (call $legacy (i32.const 9)))
    {legacy} (call $i32 (local.get $r)) (call $flush)
    (local.set $r (call $legacy (i32.const 2)))
    {legacy_all} (call $i32 (local.get $r)) (call $flush)
    (local.set $r (call $legacy_delegate (i32.const 6)))
    {delegated} (call $i32 (local.get $r)) (call $flush)
    (local.set $r (call $legacy_delegate (i32.const 3)))
    {delegated_all} (call $i32 (local.get $r)) (call $flush))"#
    )
}

#[test]
fn a_guest_throws_catches_and_rethrows_across_frames() {
    let dir = scratch("exceptions");
    let mut g = Guest::new();
    let body = program(&mut g);
    let wasm = g.write(&dir, "exceptions.wasm", 1, &body);
    for extra in [&[][..], &["--deterministic"][..]] {
        let mut args = vec!["run".to_string()];
        args.extend(extra.iter().map(|s| s.to_string()));
        args.push(p(&wasm));
        let o = run_args(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(
            stdout(&o),
            "try_table caught Error code=7 depth=3\n\
             try_table catch_all for n=4\n\
             inner catch_ref saw code=5\n\
             rethrown by throw_ref, outer got code=5\n\
             legacy inner catch code=9\n\
             legacy rethrow result=1009\n\
             legacy catch_all result=-1\n\
             delegate result=60\n\
             delegate catch_all result=-2\n"
        );
    }
}

#[test]
fn an_uncaught_exception_ends_the_run_like_a_trap() {
    let dir = scratch("exceptions-uncaught");
    let mut g = Guest::new();
    let before = g.say("before ", "(i32.const 1)");
    let after = g.say("after ", "(i32.const 2)");
    let body = format!(
        r#"{THROWERS}
  (func (export "_start")
    {before}
    (call $level1 (i32.const 1))
    {after})"#
    );
    let wasm = g.write(&dir, "uncaught.wasm", 1, &body);
    let o = run_args(&["run".into(), p(&wasm)]);
    assert_eq!(stdout(&o), "before 1\n");
    assert_eq!(o.status.code(), Some(134), "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with("wasiproc: wasm trap: uncaught exception\n"),
        "{}",
        stderr(&o)
    );
}

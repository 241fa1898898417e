//! The runner itself: assertions that should fail are reported as failures,
//! with their location, and every directive kind is understood.

use wasiproc_spectests::{Report, RunOptions, run_wast};

fn run(script: &str) -> Report {
    run_wast("t.wast", script, &RunOptions::default())
}

fn run_fuel(script: &str) -> Report {
    run_wast(
        "t.wast",
        script,
        &RunOptions {
            fuel: true,
            ..RunOptions::default()
        },
    )
}

const MODULE: &str = r#"
(module $M
  (global (export "g") i32 (i32.const 7))
  (func (export "id") (param i32) (result i32) local.get 0)
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "nan") (result f32) (f32.div (f32.const 0) (f32.const 0)))
  (func (export "snan") (result f64) (f64.const nan:0x1))
  (func (export "null") (result funcref) ref.null func)
  (func (export "ext") (param externref) (result externref) local.get 0)
  (func (export "self") (result funcref) ref.func 0)
  (func $loop (export "loop") (call $loop))
)
"#;

#[test]
fn passing_assertions_count() {
    let script = format!(
        "{MODULE}
        (assert_return (invoke \"id\" (i32.const 5)) (i32.const 5))
        (assert_return (get \"g\") (i32.const 7))
        (assert_return (get $M \"g\") (i32.const 7))
        (assert_return (invoke \"nan\") (f32.const nan:canonical))
        (assert_return (invoke \"nan\") (f32.const nan:arithmetic))
        (assert_return (invoke \"null\") (ref.null func))
        (assert_return (invoke \"self\") (ref.func))
        (assert_return (invoke \"ext\" (ref.extern 3)) (ref.extern 3))
        (assert_return (invoke \"ext\" (ref.null extern)) (ref.null extern))
        (assert_trap (invoke \"div\" (i32.const 1) (i32.const 0)) \"integer divide by zero\")
        (assert_exhaustion (invoke \"loop\") \"call stack exhausted\")
        (assert_invalid (module (func (result i32))) \"type mismatch\")
        (assert_malformed (module quote \"(func (i32.bogus))\") \"unknown operator\")
        (assert_malformed (module binary \"\\00asm\\02\\00\\00\\00\") \"unknown binary version\")
        (assert_unlinkable (module (import \"nowhere\" \"f\" (func))) \"unknown import\")
        (assert_unlinkable (module (import \"spectest\" \"print_i32\" (func))) \"incompatible import type\")
        (assert_trap (module (func $f unreachable) (start $f)) \"unreachable\")
        (register \"m\" $M)
        (module (import \"m\" \"id\" (func (param i32) (result i32)))
                (import \"spectest\" \"global_i32\" (global i32))
                (import \"spectest\" \"table\" (table 10 funcref))
                (import \"spectest\" \"memory\" (memory 1))
                (import \"spectest\" \"print_i32\" (func (param i32)))
                (func (export \"g\") (result i32) global.get 0))
        (assert_return (invoke \"g\") (i32.const 666))
        (invoke \"g\")
        (module definition $D (func (export \"two\") (result i32) i32.const 2))
        (module instance $I $D)
        (assert_return (invoke $I \"two\") (i32.const 2))
        (assert_return (invoke \"two\") (i32.const 2))
        "
    );
    for report in [run(&script), run_fuel(&script)] {
        assert!(report.is_ok(), "{:#?}", report.failures);
        assert_eq!(report.passed, 20);
    }
}

#[test]
fn wrong_results_fail_with_location() {
    let script = format!(
        "{MODULE}
(assert_return (invoke \"id\" (i32.const 5)) (i32.const 6))
(assert_return (invoke \"snan\") (f64.const nan:arithmetic))
(assert_return (invoke \"nan\") (f32.const 0))
(assert_return (invoke \"null\") (ref.func))
(assert_return (invoke \"ext\" (ref.extern 3)) (ref.extern 4))
(assert_return (invoke \"id\" (i32.const 5)))
"
    );
    let report = run(&script);
    assert_eq!((report.passed, report.failed), (0, 6), "{report:#?}");
    let first = report.failures[0].to_string();
    assert!(first.starts_with("t.wast:14:2: "), "{first}");
    assert!(
        first.contains("i32:6") && first.contains("i32:5"),
        "{first}"
    );
}

#[test]
fn trap_assertions_need_the_right_trap() {
    let script = format!(
        "{MODULE}
(assert_trap (invoke \"id\" (i32.const 1)) \"unreachable\")
(assert_trap (invoke \"div\" (i32.const 1) (i32.const 0)) \"integer overflow\")
(assert_exhaustion (invoke \"id\" (i32.const 1)) \"call stack exhausted\")
(assert_trap (module (func)) \"unreachable\")
"
    );
    let report = run(&script);
    assert_eq!((report.passed, report.failed), (0, 4), "{report:#?}");
}

#[test]
fn rejections_must_happen() {
    let script = r#"
(assert_invalid (module (func)) "type mismatch")
(assert_malformed (module quote "(func)") "whatever")
(assert_malformed (module binary "\00asm\01\00\00\00") "whatever")
(assert_unlinkable (module (import "spectest" "print_i32" (func (param i32)))) "unknown import")
"#;
    let report = run(script);
    assert_eq!((report.passed, report.failed), (0, 4), "{report:#?}");
}

#[test]
fn setup_failures_are_reported_and_later_assertions_fail() {
    let script = r#"
(module (import "nowhere" "f" (func)) (func (export "f")))
(assert_return (invoke "f"))
(register "x" $Nope)
"#;
    let report = run(script);
    assert_eq!((report.passed, report.failed), (0, 3), "{report:#?}");
    assert!(report.failures[0].message.contains("instantiate"));
}

#[test]
fn unparsable_script_is_one_failure() {
    let report = run("(module (func)\n(assert_return");
    assert_eq!((report.passed, report.failed), (0, 1));
    assert_eq!(report.failures[0].line, 2);
}

/// `assert_exception` passes only for a call that ends with an uncaught
/// exception: not for a return, nor for a trap.
#[test]
fn assert_exception_needs_an_uncaught_exception() {
    let script = r#"
        (module
          (tag $e (param i32))
          (func (export "throw") (throw $e (i32.const 1)))
          (func (export "ok") (result i32) (i32.const 1))
          (func (export "trap") (unreachable)))
        (assert_exception (invoke "throw"))
        (assert_exception (invoke "ok"))
        (assert_exception (invoke "trap"))
        (assert_trap (invoke "throw") "unreachable")"#;
    for fuel in [false, true] {
        let options = RunOptions {
            fuel,
            proposals: true,
            ..RunOptions::default()
        };
        let report = run_wast("t.wast", script, &options);
        assert_eq!((report.passed, report.failed), (1, 3), "{report:?}");
        let lines: Vec<usize> = report.failures.iter().map(|f| f.line).collect();
        assert_eq!(lines, [8, 9, 10]);
    }
}

//! Exception handling (both encodings), hand-written cases: unwinding
//! across frames and instances, payload delivery, `delegate` and `rethrow`,
//! uncaught exceptions, suspension inside a protected body, deep
//! unwinding, tags when linking, and the bytes exception objects take.

mod common;

use wasiproc_engine::*;

/// Every combination of fuel metering and lazy translation.
fn engines() -> Vec<Engine> {
    let mut out = Vec::new();
    for fuel in [false, true] {
        for lazy in [false, true] {
            let mut config = Config::new();
            config.consume_fuel(fuel).lazy_translation(lazy);
            out.push(Engine::new(&config));
        }
    }
    out
}

fn instantiate(engine: &Engine, wat: &str) -> (Store<()>, Instance) {
    let (_, mut store, inst) = common::instantiate(engine, wat);
    if engine.config().fuel_enabled() {
        store.set_fuel(u64::MAX).unwrap();
    }
    (store, inst)
}

const LEGACY: &str = r#"(module
  (tag $e (param i32))
  (tag $f (param i64 i32))
  (tag $empty)
  (func $throw_e (param i32) (throw $e (local.get 0)))
  ;; Three frames deep before the throw.
  (func $deep3 (param i32) (call $throw_e (i32.add (local.get 0) (i32.const 1))))
  (func $deep2 (param i32) (call $deep3 (i32.add (local.get 0) (i32.const 1))))
  (func $deep1 (param i32) (call $deep2 (i32.add (local.get 0) (i32.const 1))))

  (func (export "catch-payload") (param i32) (result i32)
    try (result i32)
      (call $deep1 (local.get 0))
      i32.const -1
    catch $e
      i32.const 100
      i32.add
    end)

  (func (export "catch-order") (param i32) (result i32)
    try (result i32)
      (if (i32.eqz (local.get 0)) (then (throw $empty)))
      (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $f (i64.const 7) (i32.const 8))))
      (if (i32.eq (local.get 0) (i32.const 2)) (then (throw $e (i32.const 9))))
      i32.const 0
    catch $f
      drop
      i32.wrap_i64
      i32.const 1000
      i32.add
    catch $e
      i32.const 2000
      i32.add
    catch_all
      i32.const 3000
    end)

  ;; `rethrow 0` from the arm: caught by the enclosing `try`.
  (func (export "rethrow") (result i32)
    try (result i32)
      try (result i32)
        (throw $e (i32.const 5))
      catch $e
        drop
        rethrow 0
      end
    catch $e
    end)

  ;; `rethrow 1` from a nested arm rethrows the outer arm's exception.
  (func (export "rethrow-outer") (result i32)
    try (result i32)
      try (result i32)
        (throw $e (i32.const 1))
      catch $e
        drop
        try (result i32)
          (throw $e (i32.const 2))
        catch $e
          drop
          rethrow 1
        end
      end
    catch $e
      i32.const 10
      i32.mul
    end)

  ;; `delegate` to an enclosing `try`: its arms catch.
  (func (export "delegate-to-try") (result i32)
    try $t (result i32)
      try (result i32)
        (call $deep1 (i32.const 40))
        i32.const 0
      delegate $t
    catch $e
    end)

  ;; `delegate` skips the `try` in between.
  (func (export "delegate-skips") (result i32)
    try $outer (result i32)
      try (result i32)
        try (result i32)
          (throw $e (i32.const 3))
        delegate $outer
      catch $e
        i32.const 1000
        i32.add
      end
    catch $e
      i32.const 2000
      i32.add
    end)

  ;; `delegate` to a block: the `try` enclosing the block catches.
  (func (export "delegate-to-block") (result i32)
    try (result i32)
      block
        try
          (throw $empty)
        delegate 0
      end
      i32.const 0
    catch_all
      i32.const 1
    end)

  ;; `delegate` to the function's label: the caller catches.
  (func $delegate_out
    try
      (throw $e (i32.const 77))
    delegate 0)
  (func (export "delegate-to-caller") (result i32)
    try (result i32)
      call $delegate_out
      i32.const 0
    catch $e
    end)

  ;; A `try` with parameters; an exception from the body after values were
  ;; pushed leaves only the payload.
  (func (export "try-params") (param i32) (result i32)
    (i32.const 1)
    (i32.const 10)
    try (param i32) (result i32)
      (local.get 0)
      (br_if 0 (i32.eqz (local.get 0)))
      (throw $e)
    catch $e
      i32.const 1
      i32.add
    end
    i32.add)

  (func (export "uncaught") (param i32) (result i32)
    try (result i32)
      (call $deep1 (local.get 0))
      i32.const 0
    catch $empty
      i32.const 1
    end)
)"#;

#[test]
fn legacy_try_catch_delegate_rethrow() {
    for engine in engines() {
        let (mut store, inst) = instantiate(&engine, LEGACY);
        let mut i32_of = |name: &str, arg: Option<i32>| -> Result<i32, Error> {
            match arg {
                Some(a) => common::call::<i32, i32>(&inst, &mut store, name, a),
                None => common::call::<(), i32>(&inst, &mut store, name, ()),
            }
        };
        // 4 + three increments on the way down, + 100 in the arm.
        assert_eq!(i32_of("catch-payload", Some(4)).unwrap(), 107);
        assert_eq!(i32_of("catch-order", Some(0)).unwrap(), 3000);
        assert_eq!(i32_of("catch-order", Some(1)).unwrap(), 1007);
        assert_eq!(i32_of("catch-order", Some(2)).unwrap(), 2009);
        assert_eq!(i32_of("catch-order", Some(3)).unwrap(), 0);
        assert_eq!(i32_of("rethrow", None).unwrap(), 5);
        assert_eq!(i32_of("rethrow-outer", None).unwrap(), 10);
        assert_eq!(i32_of("delegate-to-try", None).unwrap(), 43);
        assert_eq!(i32_of("delegate-skips", None).unwrap(), 2003);
        assert_eq!(i32_of("delegate-to-block", None).unwrap(), 1);
        assert_eq!(i32_of("delegate-to-caller", None).unwrap(), 77);
        assert_eq!(i32_of("try-params", Some(0)).unwrap(), 1);
        assert_eq!(i32_of("try-params", Some(5)).unwrap(), 7);
        let err = i32_of("uncaught", Some(1)).unwrap_err();
        assert_eq!(common::trap_kind(err), TrapKind::UncaughtException);
        // The store is usable after an uncaught exception.
        assert_eq!(i32_of("catch-payload", Some(0)).unwrap(), 103);
    }
}

const TRY_TABLE: &str = r#"(module
  (tag $e (param i32))
  (tag $g (param i32 f64))
  (func $thrower (param i32)
    (if (i32.and (local.get 0) (i32.const 1)) (then (throw $e (local.get 0))))
    (throw $g (local.get 0) (f64.const 0.5)))
  (func $mid (param i32) (call $thrower (local.get 0)))

  ;; The catch clause targets a loop: each exception retries with the
  ;; payload plus one until it is even; the loop header pays its fuel again.
  (func (export "retry") (param i32) (result i32)
    (local.get 0)
    (loop $l (param i32) (result i32)
      (try_table (param i32) (result i32) (catch $e $l)
        (i32.add (i32.const 1))
        (call $mid (i32.const 0))
        (unreachable))))

  ;; The catch clause targets the function: the payload is the result.
  (func (export "to-function") (param i32) (result i32)
    (try_table (catch $e 0)
      (call $mid (local.get 0)))
    (i32.const -1))

  ;; catch_ref keeps the exception; throw_ref throws it again; the outer
  ;; block receives both payload values.
  (func (export "catch-ref") (param i32) (result f64) (local f64)
    (block $outer (result i32 f64)
      (try_table (catch $g $outer)
        (block $h (result i32 f64 exnref)
          (try_table (catch_ref $g $h)
            (call $mid (local.get 0)))
          (return (f64.const -1)))
        (throw_ref))
      (return (f64.const -2)))
    (local.set 1)
    (f64.convert_i32_s)
    (local.get 1)
    (f64.add))

  (func (export "catch-all-ref") (result i32)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (call $mid (i32.const 3)))
      (return (i32.const -1)))
    (block $c (param exnref) (result i32)
      (try_table (param exnref) (catch $e $c) (throw_ref))
      (return (i32.const -2))))

  (func (export "throw-null") (throw_ref (ref.null exn)))
)"#;

#[test]
fn try_table_targets_loops_functions_and_blocks() {
    for engine in engines() {
        let (mut store, inst) = instantiate(&engine, TRY_TABLE);
        // 1 -> 2 thrown as $g (even): not caught by the loop's clause.
        let err = common::call::<i32, i32>(&inst, &mut store, "retry", 0).unwrap_err();
        assert_eq!(common::trap_kind(err), TrapKind::UncaughtException);
        assert_eq!(
            common::call::<i32, i32>(&inst, &mut store, "to-function", 7).unwrap(),
            7
        );
        let err = common::call::<i32, i32>(&inst, &mut store, "to-function", 8).unwrap_err();
        assert_eq!(common::trap_kind(err), TrapKind::UncaughtException);
        assert_eq!(
            common::call::<i32, f64>(&inst, &mut store, "catch-ref", 6).unwrap(),
            6.5
        );
        assert_eq!(
            common::call::<(), i32>(&inst, &mut store, "catch-all-ref", ()).unwrap(),
            3
        );
        let err = common::call::<(), ()>(&inst, &mut store, "throw-null", ()).unwrap_err();
        assert_eq!(common::trap_kind(err), TrapKind::NullReference);
    }
}

#[test]
fn loop_retry_counts_catches() {
    // The clause targets the loop: every exception retries with the
    // payload, until the callee stops throwing at 10.
    let wat = r#"(module
      (tag $e (param i32))
      (func $t (param i32)
        (if (i32.lt_u (local.get 0) (i32.const 10)) (then (throw $e (local.get 0)))))
      (func (export "retry") (result i32) (local i32)
        (i32.const 0)
        (loop $l (param i32) (result i32)
          (try_table (param i32) (result i32) (catch $e $l)
            (i32.add (i32.const 1))
            (local.tee 0)
            (call $t)
            (local.get 0)))))"#;
    for engine in engines() {
        let (mut store, inst) = instantiate(&engine, wat);
        assert_eq!(
            common::call::<(), i32>(&inst, &mut store, "retry", ()).unwrap(),
            10
        );
    }
}

#[test]
fn uncaught_exception_is_a_trap_with_the_throw_in_its_backtrace() {
    let engine = Engine::default();
    let (mut store, inst) = instantiate(&engine, LEGACY);
    let err = common::call::<i32, i32>(&inst, &mut store, "uncaught", 0).unwrap_err();
    let trap = err.as_trap().unwrap();
    assert_eq!(trap.kind(), TrapKind::UncaughtException);
    assert_eq!(trap.to_string(), "uncaught exception");
    // thrower, deep3, deep2, deep1, the export.
    let funcs: Vec<u32> = trap.backtrace().iter().map(|f| f.func_index).collect();
    assert_eq!(funcs, [0, 1, 2, 3, 14]);
}

/// Unwinds through 20,000 frames; the frame stack is left empty and the
/// next call runs normally.
#[test]
fn deep_unwinding() {
    let wat = r#"(module
      (tag $e (param i32))
      (func $down (param i32) (result i32)
        (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 42))))
        (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))
      (func (export "run") (param i32) (result i32)
        (block $h (result i32)
          (try_table (result i32) (catch $e $h)
            (call $down (local.get 0)))
          (return))
        (i32.const 1000000)
        (i32.add))
      (func (export "legacy") (param i32) (result i32)
        try (result i32)
          (call $down (local.get 0))
        catch $e
        end))"#;
    for engine in engines() {
        let (mut store, inst) = instantiate(&engine, wat);
        assert_eq!(
            common::call::<i32, i32>(&inst, &mut store, "run", 20_000).unwrap(),
            1_000_042
        );
        assert_eq!(
            common::call::<i32, i32>(&inst, &mut store, "legacy", 20_000).unwrap(),
            42
        );
        // At depth 0 the throw comes at once.
        assert_eq!(
            common::call::<i32, i32>(&inst, &mut store, "run", 0).unwrap(),
            1_000_042
        );
    }
}

/// Fuel slices end inside the `try_table` body (before and after the
/// throw's callee was entered); the results and the fuel used are those of
/// an uninterrupted run, for every slice length.
#[test]
fn suspension_inside_a_protected_body_then_throw() {
    let wat = r#"(module
      (tag $e (param i64))
      (func $work (param i64) (result i64) (local i64)
        (loop $l
          (local.set 1 (i64.add (local.get 1) (local.get 0)))
          (local.set 0 (i64.sub (local.get 0) (i64.const 1)))
          (br_if $l (i64.gt_s (local.get 0) (i64.const 0))))
        (throw $e (local.get 1)))
      (func (export "run") (param i64) (result i64)
        (local $acc i64)
        (loop $again
          (block $h (result i64)
            (try_table (catch $e $h)
              (drop (call $work (local.get 0))))
            (unreachable))
          (local.set $acc (i64.add (local.get $acc)))
          (local.set 0 (i64.sub (local.get 0) (i64.const 7)))
          (br_if $again (i64.gt_s (local.get 0) (i64.const 0))))
        (local.get $acc)))"#;
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let (mut store, inst) = instantiate(&engine, wat);
    let run = inst.get_func(&store, "run").unwrap();
    let mut whole = [Val::I64(0)];
    let before = store.fuel_consumed();
    run.call(&mut store, &[Val::I64(60)], &mut whole).unwrap();
    let whole_fuel = store.fuel_consumed() - before;
    let expected: i64 = (1..=60i64).rev().step_by(7).map(|n| n * (n + 1) / 2).sum();
    assert_eq!(whole[0], Val::I64(expected));
    for slice in [1u64, 2, 3, 5, 7, 13, 64] {
        let (mut store, inst) = instantiate(&engine, wat);
        let run = inst.get_func(&store, "run").unwrap();
        let before = store.fuel_consumed();
        let (results, slices) = common::run_sliced(&mut store, run, &[Val::I64(60)], slice);
        assert_eq!(results, whole.to_vec(), "slice {slice}");
        assert_eq!(store.fuel_consumed() - before, whole_fuel, "slice {slice}");
        // Most slices end inside `$work`, called from the protected body.
        assert!(
            slices >= whole_fuel / (slice + 16),
            "slice {slice}: {slices}"
        );
    }
}

#[test]
fn tags_link_by_exact_type_and_identity() {
    let engine = Engine::default();
    let provider = r#"(module
      (tag $t (export "t") (param i32))
      (func (export "throw") (param i32) (throw $t (local.get 0))))"#;
    let user = r#"(module
      (import "p" "t" (tag $t (param i32)))
      (import "p" "throw" (func $throw (param i32)))
      (tag $own (param i32))
      (func (export "catch-imported") (param i32) (result i32)
        (block $h (result i32)
          (try_table (catch $t $h) (call $throw (local.get 0)))
          (i32.const -1)))
      (func (export "catch-own") (param i32) (result i32)
        (block $h (result i32)
          (try_table (catch $own $h) (call $throw (local.get 0)))
          (i32.const -1))))"#;
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let p = Module::new(&engine, wat::parse_str(provider).unwrap()).unwrap();
    let pi = linker.instantiate(&mut store, &p).unwrap();
    linker.instance(&store, "p", pi).unwrap();
    assert!(matches!(
        p.get_export("t"),
        Some(ExternType::Tag(t)) if t.params() == [ValType::I32]
    ));
    let u = Module::new(&engine, wat::parse_str(user).unwrap()).unwrap();
    let ui = linker.instantiate(&mut store, &u).unwrap();
    let f = ui
        .get_typed_func::<i32, i32>(&store, "catch-imported")
        .unwrap();
    assert_eq!(f.call(&mut store, 9).unwrap(), 9);
    // Another tag of the same type is another tag.
    let f = ui.get_typed_func::<i32, i32>(&store, "catch-own").unwrap();
    let err = f.call(&mut store, 9).unwrap_err();
    assert_eq!(common::trap_kind(err), TrapKind::UncaughtException);

    // A tag of another type does not link; nor does a host-made one of
    // another type; a host-made one of the same type does.
    let wrong = r#"(module (import "p" "t" (tag (param i64))))"#;
    let w = Module::new(&engine, wat::parse_str(wrong).unwrap()).unwrap();
    assert!(matches!(
        linker.instantiate(&mut store, &w),
        Err(Error::IncompatibleImport { .. })
    ));
    let host_tag = Tag::new(&mut store, &TagType::new([ValType::I32])).unwrap();
    let single = r#"(module (import "h" "t" (tag (param i32))))"#;
    let s = Module::new(&engine, wat::parse_str(single).unwrap()).unwrap();
    assert!(Instance::new(&mut store, &s, &[Extern::Tag(host_tag)]).is_ok());
    let other = Tag::new(&mut store, &TagType::new([ValType::F32])).unwrap();
    assert!(matches!(
        Instance::new(&mut store, &s, &[Extern::Tag(other)]),
        Err(Error::IncompatibleImport { .. })
    ));
    assert_eq!(other.ty(&store).params(), [ValType::F32]);
}

#[test]
fn caught_exceptions_are_recycled_and_kept_ones_are_counted() {
    let wat = r#"(module
      (tag $e (param i64 i64))
      (global $keep (mut exnref) (ref.null exn))
      (func $t (param i64) (throw $e (local.get 0) (local.get 0)))
      (func (export "plain") (param i32)
        (loop $l
          (block $h (result i64 i64)
            (try_table (catch $e $h) (call $t (i64.const 1)))
            (unreachable))
          (drop) (drop)
          (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))))
      (func (export "kept") (param i32)
        (loop $l
          (block $h (result i64 i64 exnref)
            (try_table (catch_ref $e $h) (call $t (i64.const 1)))
            (unreachable))
          (global.set $keep) (drop) (drop)
          (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))"#;
    let engine = Engine::default();
    let (mut store, inst) = instantiate(&engine, wat);
    common::call::<i32, ()>(&inst, &mut store, "plain", 100_000).unwrap();
    let after_plain = store.exception_bytes();
    assert!(after_plain > 0 && after_plain < 1024, "{after_plain} bytes");
    common::call::<i32, ()>(&inst, &mut store, "kept", 1000).unwrap();
    let kept = store.exception_bytes();
    assert!(kept >= 1000 * 16, "{kept} bytes for 1000 kept exceptions");

    // With a limit, keeping exceptions ends in a trap, not an abort.
    let (mut store, inst) = instantiate(&engine, wat);
    store.set_limiter(TightStack(64 * 1024));
    let err = common::call::<i32, ()>(&inst, &mut store, "kept", 1_000_000).unwrap_err();
    assert_eq!(common::trap_kind(err), TrapKind::MemoryLimit);
}

/// Refuses stack (and exception) growth beyond a byte count.
struct TightStack(usize);

impl ResourceLimiter for TightStack {
    fn memory_growing(&mut self, _: usize, _: usize, _: Option<usize>) -> bool {
        true
    }
    fn table_growing(&mut self, _: usize, _: usize, _: Option<usize>) -> bool {
        true
    }
    fn stack_growing(&mut self, _current: usize, desired: usize) -> bool {
        desired <= self.0
    }
}

#[test]
fn exceptions_switch_off_like_other_proposals() {
    let wat = r#"(module (tag $e) (func (throw $e)))"#;
    let bytes = wat::parse_str(wat).unwrap();
    let mut config = Config::new();
    config.wasm_exceptions(false);
    assert!(Module::new(&Engine::new(&config), &bytes).is_err());
    let mut config = Config::new();
    config.wasm_proposals(false);
    assert!(Module::new(&Engine::new(&config), &bytes).is_err());
    assert!(Module::new(&Engine::default(), &bytes).is_ok());
}

/// A host function cannot throw, and an exception does not cross it: the
/// host function that calls back into Wasm gets the callee's uncaught
/// exception as an error, and the Wasm handler around the host call does
/// not see it (the host's trap ends the outer call).
#[test]
fn exceptions_do_not_cross_host_functions() {
    let engine = Engine::default();
    let wat = r#"(module
      (import "host" "reenter" (func $reenter (result i32)))
      (tag $e (param i32))
      (func (export "thrower") (result i32) (throw $e (i32.const 5)))
      (func (export "outer") (result i32)
        (block $all
          (block $h (result i32)
            (try_table (catch $e $h) (catch_all $all) (return (call $reenter)))
            (unreachable))
          (return (i32.add (i32.const 100))))
        (i32.const -1)))"#;
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_new(
            "host",
            "reenter",
            FuncType::new([], [ValType::I32]),
            |mut caller: Caller<'_, Option<Func>>, _, results| {
                let f = caller.data().expect("set before the call");
                let mut out = [Val::I32(0)];
                match f.call(&mut caller, &[], &mut out) {
                    Ok(()) => {
                        results[0] = out[0];
                        Ok(())
                    }
                    Err(e) => {
                        let kind = e.as_trap().map(|t| t.kind());
                        assert_eq!(kind, Some(TrapKind::UncaughtException));
                        Err(HostError::trap(format!("callee failed: {e}")))
                    }
                }
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, None);
    let inst = linker.instantiate(&mut store, &module).unwrap();
    *store.data_mut() = inst.get_func(&store, "thrower");
    let outer = inst.get_typed_func::<(), i32>(&store, "outer").unwrap();
    let err = outer.call(&mut store, ()).unwrap_err();
    let trap = err.as_trap().expect("a trap");
    assert_eq!(trap.kind(), TrapKind::Host);
    assert!(trap.to_string().contains("uncaught exception"), "{trap}");
    // The store still works, and a plain call of the thrower fails alike.
    let thrower = inst.get_typed_func::<(), i32>(&store, "thrower").unwrap();
    let err = thrower.call(&mut store, ()).unwrap_err();
    assert_eq!(common::trap_kind(err), TrapKind::UncaughtException);
}

#[test]
fn an_uncaught_exception_in_the_start_function_fails_instantiation() {
    let wat = r#"(module (tag $e) (func $s (throw $e)) (start $s))"#;
    let (_, _, inst) = common::load(&Engine::default(), wat);
    assert_eq!(
        common::trap_kind(inst.unwrap_err()),
        TrapKind::UncaughtException
    );
}

/// An exception kept as an `exnref` is never reused, even when a plain
/// `catch` catches it after a `throw_ref`: later throws (which reuse the
/// objects plain catches release) leave its payload alone.
#[test]
fn a_kept_exception_survives_plain_catches_and_later_throws() {
    let wat = r#"(module
      (tag $e (param i32))
      (global $kept (mut exnref) (ref.null exn))
      (func $catch_plain (param exnref) (result i32)
        (block $h (result i32)
          (try_table (catch $e $h) (throw_ref (local.get 0)))
          (unreachable)))
      (func $throw_plain (param i32) (result i32)
        (block $h (result i32)
          (try_table (catch $e $h) (throw $e (local.get 0)))
          (unreachable)))
      (func (export "run") (result i32) (local $sum i32)
        (block $h (result i32 exnref)
          (try_table (catch_ref $e $h) (throw $e (i32.const 7)))
          (unreachable))
        (global.set $kept)
        (drop)
        ;; 7 (kept, caught plain) + 1000 (new) + 7 (kept again) + 2000 + 7
        (local.set $sum (call $catch_plain (global.get $kept)))
        (local.set $sum (i32.add (local.get $sum) (call $throw_plain (i32.const 1000))))
        (local.set $sum (i32.add (local.get $sum) (call $catch_plain (global.get $kept))))
        (local.set $sum (i32.add (local.get $sum) (call $throw_plain (i32.const 2000))))
        (i32.add (local.get $sum) (call $catch_plain (global.get $kept)))))"#;
    for engine in engines() {
        let (mut store, inst) = instantiate(&engine, wat);
        assert_eq!(
            common::call::<(), i32>(&inst, &mut store, "run", ()).unwrap(),
            3021
        );
    }
}

/// `exnref` values reach the host as opaque references and can come back.
#[test]
fn exnref_through_a_host_function() {
    let engine = Engine::default();
    let wat = r#"(module
      (import "host" "pass" (func $pass (param exnref) (result exnref)))
      (tag $e (param i64))
      (func (export "run") (result i64)
        (block $outer (result i64)
          (try_table (catch $e $outer)
            (block $h (result i64 exnref)
              (try_table (catch_ref $e $h) (throw $e (i64.const 99)))
              (unreachable))
            (call $pass)
            (throw_ref))
          (unreachable)))
      (func (export "null") (result exnref) (call $pass (ref.null exn))))"#;
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_new(
            "host",
            "pass",
            FuncType::new([ValType::ExnRef], [ValType::ExnRef]),
            |_: Caller<'_, ()>, params, results| {
                results[0] = params[0];
                Ok(())
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let run = inst.get_typed_func::<(), i64>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 99);
    let null = inst.get_func(&store, "null").unwrap();
    let mut out = [Val::I32(0)];
    null.call(&mut store, &[], &mut out).unwrap();
    assert_eq!(out[0], Val::ExnRef(None));
}

/// A throw inside a legacy arm is not caught by that `try`'s arms; a
/// `rethrow` caught by a plain `try_table` catch inside the arm leaves the
/// arm's exception intact for a second `rethrow`.
#[test]
fn legacy_arms_are_outside_their_try() {
    let wat = r#"(module
      (tag $e (param i32))
      (tag $f (param i32))
      (func (export "throw-in-arm") (result i32)
        try (result i32)
          try (result i32)
            (throw $e (i32.const 1))
          catch $e
            (throw $e (i32.add (i32.const 10)))
          catch_all
            (i32.const -1)
          end
        catch $e
        end)
      (func (export "rethrow-twice") (result i32) (local $sum i32)
        try (result i32)
          try (result i32)
            (throw $e (i32.const 5))
          catch $e
            local.set $sum
            (block $h (result i32)
              (try_table (catch $e $h) (rethrow 2))
              (unreachable))
            ;; A new exception of the same size, which may reuse a
            ;; released object.
            (block $h2 (result i32)
              (try_table (catch $f $h2) (throw $f (i32.const 1000)))
              (unreachable))
            (local.set $sum (i32.add (i32.add (local.get $sum))))
            rethrow 0
          end
        catch $e
          (i32.add (local.get $sum))
        end))"#;
    for engine in engines() {
        let (mut store, inst) = instantiate(&engine, wat);
        assert_eq!(
            common::call::<(), i32>(&inst, &mut store, "throw-in-arm", ()).unwrap(),
            11
        );
        // sum = 5 + 5 + 1000, then the rethrown 5 is added.
        assert_eq!(
            common::call::<(), i32>(&inst, &mut store, "rethrow-twice", ()).unwrap(),
            1015
        );
    }
}

//! Lazy translation (the default): bodies are translated on their
//! function's first call, validated up front, with the same results, fuel
//! and stopping points as eager translation, also when a module is shared
//! between threads.

use std::sync::Arc;
use wasiproc_engine::*;

/// Calls between functions of different frame sizes (a big frame entered
/// first through a small caller, recursion, calls through a table), memory,
/// and a function that is never called.
const PROGRAM: &str = r#"(module
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $fib $wide)
  (type $unary (func (param i64) (result i64)))
  (func $fib (param $n i64) (result i64)
    (if (result i64) (i64.lt_u (local.get $n) (i64.const 2))
      (then (local.get $n))
      (else (i64.add
        (call $fib (i64.sub (local.get $n) (i64.const 1)))
        (call_indirect (type $unary) (i64.sub (local.get $n) (i64.const 2)) (i32.const 0))))))
  ;; Many locals and a deep operand stack: a frame much larger than the stub's.
  (func $wide (param $x i64) (result i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 1 (local.get $x))
    (i64.add (local.get 1) (i64.add (local.get 2) (i64.add (local.get 3)
      (i64.add (local.get 4) (i64.add (local.get 5) (i64.add (local.get 6)
      (i64.add (local.get 7) (i64.add (local.get 8) (i64.add (local.get 9)
      (i64.add (local.get 10) (i64.add (local.get 16) (i64.const 1)))))))))))))
  (func $never (result i32) (i32.const 42))
  (func (export "run") (param $n i64) (result i64) (local $i i64) (local $acc i64)
    (loop $l
      (local.set $acc (i64.add (local.get $acc)
        (i64.add (call $fib (i64.rem_u (local.get $i) (i64.const 16)))
                 (call_indirect (type $unary) (local.get $i) (i32.const 1)))))
      (i64.store (i32.wrap_i64 (i64.rem_u (i64.mul (local.get $i) (i64.const 8)) (i64.const 60000)))
        (local.get $acc))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $l (i64.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))"#;

fn engine(lazy: bool, fuel: bool) -> Engine {
    let mut config = Config::new();
    config.lazy_translation(lazy).consume_fuel(fuel);
    Engine::new(&config)
}

fn expected(n: i64) -> i64 {
    fn fib(n: i64) -> i64 {
        if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
    }
    (0..n).map(|i| fib(i % 16) + i + 1).sum()
}

#[test]
fn bodies_are_translated_on_first_call_only() {
    let bytes = wat::parse_str(PROGRAM).unwrap();
    let eager = Module::new(&engine(false, false), &bytes).unwrap();
    let module = Module::new(&engine(true, false), &bytes).unwrap();
    assert!(eager.instruction_count() > 0);
    assert_eq!(module.instruction_count(), 0);
    let mut store = Store::new(module.engine(), ());
    let instance = Linker::new(module.engine())
        .instantiate(&mut store, &module)
        .unwrap();
    let run = instance.get_typed_func::<i64, i64>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 100).unwrap(), expected(100));
    // Everything but $never is translated now, exactly as eagerly.
    let never = eager.disassemble(2).unwrap();
    let translated = module.instruction_count();
    assert!(translated > 0 && translated < eager.instruction_count());
    assert_eq!(
        translated + never.lines().count() - 1,
        eager.instruction_count()
    );
    for f in [0, 1, 3] {
        assert_eq!(module.disassemble(f), eager.disassemble(f));
    }
    // Another instance reuses the translations.
    let mut store2 = Store::new(module.engine(), ());
    let instance2 = Linker::new(module.engine())
        .instantiate(&mut store2, &module)
        .unwrap();
    let run2 = instance2
        .get_typed_func::<i64, i64>(&store2, "run")
        .unwrap();
    assert_eq!(run2.call(&mut store2, 50).unwrap(), expected(50));
    assert_eq!(module.instruction_count(), translated);
}

#[test]
fn an_invalid_body_is_refused_before_anything_runs() {
    // The invalid function is never called: lazily it is still validated.
    let wat = r#"(module
      (func (export "ok") (result i32) (i32.const 1))
      (func (result i32) (i64.const 1)))"#;
    let bytes = wat::parse_str(wat).unwrap();
    for lazy in [false, true] {
        let err = Module::new(&engine(lazy, false), &bytes).unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "lazy {lazy}: {err}");
    }
    assert!(Module::validate(&engine(true, false), &bytes).is_err());
}

/// Runs `run(n)` with fuel slices of `slice`, counting suspensions.
fn run_sliced(engine: &Engine, n: i64, slice: u64) -> (i64, u64, u32) {
    let module = Module::new(engine, wat::parse_str(PROGRAM).unwrap()).unwrap();
    let mut store = Store::new(engine, ());
    store.set_fuel(u64::MAX / 2).unwrap();
    store.set_fuel_slice(Some(slice)).unwrap();
    let instance = Linker::new(engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let run = instance.get_func(&store, "run").unwrap();
    let mut outcome = run.call_resumable(&mut store, &[Val::I64(n)]).unwrap();
    let mut stops = 0;
    let results = loop {
        match outcome {
            CallOutcome::Finished(r) => break r,
            CallOutcome::Suspended(_) => {
                stops += 1;
                outcome = store.resume().unwrap();
            }
        }
    };
    let Val::I64(v) = results[0] else {
        panic!("{results:?}")
    };
    (v, store.fuel_consumed(), stops)
}

#[test]
fn fuel_and_stopping_points_are_those_of_eager_translation() {
    for slice in [7, 100, 1_000_000] {
        let eager = run_sliced(&engine(false, true), 300, slice);
        let lazy = run_sliced(&engine(true, true), 300, slice);
        assert_eq!(eager.0, expected(300));
        assert_eq!(lazy, eager, "slice {slice}");
        if slice == 7 {
            assert!(eager.2 > 1000, "{eager:?}");
        }
    }
}

#[test]
fn a_module_shared_between_threads_translates_once_and_runs_everywhere() {
    let bytes = wat::parse_str(PROGRAM).unwrap();
    for round in 0..20 {
        let module = Module::new(&engine(true, round % 2 == 1), &bytes).unwrap();
        let barrier = Arc::new(std::sync::Barrier::new(4));
        let threads: Vec<_> = (0..4i64)
            .map(|t| {
                let (module, barrier) = (module.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let engine = module.engine().clone();
                    let mut store = Store::new(&engine, ());
                    if engine.config().fuel_enabled() {
                        store.set_fuel(u64::MAX / 2).unwrap();
                    }
                    let instance = Linker::new(&engine)
                        .instantiate(&mut store, &module)
                        .unwrap();
                    let run = instance.get_typed_func::<i64, i64>(&store, "run").unwrap();
                    barrier.wait();
                    let n = 40 + t;
                    (run.call(&mut store, n).unwrap(), expected(n))
                })
            })
            .collect();
        for t in threads {
            let (got, want) = t.join().unwrap();
            assert_eq!(got, want);
        }
        let eager = Module::new(&engine(false, round % 2 == 1), &bytes).unwrap();
        for f in [0, 1, 3] {
            assert_eq!(module.disassemble(f), eager.disassemble(f));
        }
    }
}

#[test]
fn a_trap_in_a_body_entered_for_the_first_time_has_its_offsets() {
    let wat = r#"(module
      (func $inner (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
      (func (export "outer") (param i32) (result i32) (call $inner (local.get 0))))"#;
    let bytes = wat::parse_str(wat).unwrap();
    let mut got = Vec::new();
    for lazy in [false, true] {
        let engine = engine(lazy, false);
        let module = Module::new(&engine, &bytes).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let outer = instance
            .get_typed_func::<i32, i32>(&store, "outer")
            .unwrap();
        let err = outer.call(&mut store, 0).unwrap_err();
        got.push(err.as_trap().unwrap().backtrace().to_vec());
    }
    assert_eq!(got[0], got[1]);
    assert_eq!(got[0].len(), 2);
    assert!(got[0][0].func_offset > 0);
}

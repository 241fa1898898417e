//! Resumable execution: fuel slices and blocked host calls end with exactly
//! the result and fuel of an uninterrupted run.

mod common;

use wasiproc_engine::*;

const LONG_COMPUTATION: &str = r#"(module
  (memory 1)
  (func $collatz (param $n i64) (result i64) (local $steps i64)
    (block $done (loop $next
      (br_if $done (i64.le_u (local.get $n) (i64.const 1)))
      (local.set $n (if (result i64) (i64.eqz (i64.rem_u (local.get $n) (i64.const 2)))
        (then (i64.div_u (local.get $n) (i64.const 2)))
        (else (i64.add (i64.mul (local.get $n) (i64.const 3)) (i64.const 1)))))
      (local.set $steps (i64.add (local.get $steps) (i64.const 1)))
      (br $next)))
    (local.get $steps))
  (func (export "run") (param $count i64) (result i64) (local $i i64) (local $acc i64)
    (loop $l
      (local.set $acc (i64.add (local.get $acc) (call $collatz (local.get $i))))
      (i64.store (i32.wrap_i64 (i64.rem_u (local.get $i) (i64.const 8000))) (local.get $acc))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $l (i64.lt_u (local.get $i) (local.get $count))))
    (local.get $acc)))"#;

fn fuel_engine() -> Engine {
    let mut config = Config::new();
    config.consume_fuel(true);
    Engine::new(&config)
}

fn setup(engine: &Engine) -> (Store<()>, Func) {
    let module = Module::new(engine, wat::parse_str(LONG_COMPUTATION).unwrap()).unwrap();
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let run = instance.get_func(&store, "run").unwrap();
    (store, run)
}

#[test]
fn sliced_run_matches_uninterrupted_run() {
    let engine = fuel_engine();

    let (mut store, run) = setup(&engine);
    let mut out = [Val::I64(0)];
    run.call(&mut store, &[Val::I64(20_000)], &mut out).unwrap();
    let whole_fuel = store.fuel_consumed();
    assert!(
        whole_fuel > 1_000_000,
        "the computation should be long: {whole_fuel}"
    );

    let (mut store, run) = setup(&engine);
    let (results, slices) = common::run_sliced(&mut store, run, &[Val::I64(20_000)], 1_000);
    assert_eq!(results, out.to_vec());
    assert_eq!(store.fuel_consumed(), whole_fuel);
    assert!(
        slices >= whole_fuel / 1_000 - 1,
        "{slices} slices for {whole_fuel} fuel"
    );
}

#[test]
fn fuel_is_identical_across_runs() {
    let engine = fuel_engine();
    let mut seen = Vec::new();
    for _ in 0..3 {
        let (mut store, run) = setup(&engine);
        let mut out = [Val::I64(0)];
        run.call(&mut store, &[Val::I64(2_000)], &mut out).unwrap();
        seen.push((out[0], store.fuel_consumed()));
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:?}");
}

#[test]
fn total_fuel_exhaustion_is_its_own_trap() {
    let engine = fuel_engine();
    let (mut store, run) = setup(&engine);
    store.set_fuel(10_000).unwrap();
    let err = run
        .call(&mut store, &[Val::I64(1_000_000)], &mut [Val::I64(0)])
        .unwrap_err();
    assert_eq!(
        err.as_trap().map(Trap::kind),
        Some(TrapKind::OutOfFuel),
        "{err}"
    );
    assert!(store.fuel_consumed() <= 10_000);
}

#[test]
fn blocked_host_call_is_retried_and_guest_sees_only_final_result() {
    struct Data {
        attempts: u32,
    }
    let engine = Engine::default();
    let wat = r#"(module
      (import "host" "slow" (func $slow (param i32) (result i32)))
      (func (export "go") (param i32) (result i32)
        (i32.add (call $slow (local.get 0)) (i32.const 1))))"#;
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "slow",
            |mut caller: Caller<'_, Data>, x: i32| -> Result<i32, HostError> {
                caller.data_mut().attempts += 1;
                if caller.data().attempts <= 3 {
                    return Err(HostError::Blocked(Box::new(caller.data().attempts)));
                }
                Ok(x * 10)
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, Data { attempts: 0 });
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let go = instance.get_func(&store, "go").unwrap();

    let mut outcome = go.call_resumable(&mut store, &[Val::I32(4)]).unwrap();
    let mut blocked = Vec::new();
    let results = loop {
        match outcome {
            CallOutcome::Finished(v) => break v,
            CallOutcome::Suspended(Suspension::Blocked(why)) => {
                blocked.push(*why.downcast::<u32>().unwrap());
                outcome = store.resume().unwrap();
            }
            CallOutcome::Suspended(other) => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(blocked, vec![1, 2, 3]);
    assert_eq!(results, vec![Val::I32(41)]);
    assert_eq!(store.data().attempts, 4);
}

#[test]
fn host_exit_ends_the_call_with_the_code() {
    let engine = Engine::default();
    let wat = r#"(module (import "host" "exit" (func $exit (param i32)))
      (func (export "main") (call $exit (i32.const 7)) unreachable))"#;
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "exit",
            |_: Caller<'_, ()>, code: i32| -> Result<(), HostError> { Err(HostError::Exit(code)) },
        )
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let main = instance.get_typed_func::<(), ()>(&store, "main").unwrap();
    assert!(matches!(main.call(&mut store, ()), Err(Error::Exit(7))));
}

#[test]
fn resume_with_supplies_the_blocked_host_functions_results() {
    let engine = Engine::default();
    let wat = r#"(module
      (import "host" "ask" (func $ask (result i32)))
      (func (export "go") (result i32) (i32.mul (call $ask) (i32.const 3))))"#;
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "ask",
            |mut c: Caller<'_, u32>| -> Result<i32, HostError> {
                *c.data_mut() += 1;
                Err(HostError::Blocked(Box::new(())))
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, 0u32);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let go = instance.get_func(&store, "go").unwrap();
    let outcome = go.call_resumable(&mut store, &[]).unwrap();
    assert!(matches!(
        outcome,
        CallOutcome::Suspended(Suspension::Blocked(_))
    ));
    // A value of the wrong type is refused and the call stays suspended.
    assert!(store.resume_with(&[Val::I64(1)]).is_err());
    assert!(store.is_suspended());
    match store.resume_with(&[Val::I32(14)]).unwrap() {
        CallOutcome::Finished(v) => assert_eq!(v, vec![Val::I32(42)]),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(*store.data(), 1, "the host function ran once");
}

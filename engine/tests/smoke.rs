mod common;

use wasiproc_engine::*;

#[test]
fn fib_recursive_and_loop() {
    let (_, mut store, inst) = common::instantiate(
        &Engine::default(),
        r#"(module
        (func $fib (export "fib") (param i32) (result i32)
          (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
            (then (local.get 0))
            (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                           (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
        (func (export "sum") (param i32) (result i64) (local i64)
          (block (loop
            (br_if 1 (i32.eqz (local.get 0)))
            (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
            (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
            (br 0)))
          (local.get 1))
        (func (export "swap") (param i32 i32) (result i32 i32) (local.get 1) (local.get 0)))"#,
    );
    let fib = inst.get_typed_func::<i32, i32>(&store, "fib").unwrap();
    assert_eq!(fib.call(&mut store, 20).unwrap(), 6765);
    let sum = inst.get_typed_func::<i32, i64>(&store, "sum").unwrap();
    assert_eq!(sum.call(&mut store, 100_000).unwrap(), 5_000_050_000);
    let swap = inst
        .get_typed_func::<(i32, i32), (i32, i32)>(&store, "swap")
        .unwrap();
    assert_eq!(swap.call(&mut store, (1, 2)).unwrap(), (2, 1));
}

/// A host function grows the caller's memory (moving it to a larger
/// allocation); the guest must see the new size and keep its old contents
/// right after the call returns, in the same function activation.
#[test]
fn memory_grown_by_a_host_call_is_seen_by_the_caller() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        wat::parse_str(
            r#"(module
            (import "host" "grow" (func $grow))
            (memory (export "memory") 1)
            (func (export "run") (result i32)
              (i32.store (i32.const 100) (i32.const 0x11223344))
              (call $grow)
              ;; 64 pages later: only valid after the host's grow.
              (i32.store (i32.const 4194300) (i32.const 7))
              (i32.add (i32.load (i32.const 100)) (i32.load (i32.const 4194300)))))"#,
        )
        .unwrap(),
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_new("host", "grow", FuncType::new([], []), |mut caller, _, _| {
            let mem = caller.get_export("memory").unwrap().into_memory().unwrap();
            mem.grow(&mut caller, 64).unwrap();
            Ok(())
        })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let run = inst.get_typed_func::<(), i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 0x11223344 + 7);
    let mem = inst.get_memory(&store, "memory").unwrap();
    assert_eq!(mem.size(&store), 65);
}

//! Limits that trap or fail cleanly instead of crashing the host.

mod common;

use wasiproc_engine::*;

const RECURSE: &str = r#"(module
  (func $down (export "down") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (i64.add (i64.const 1) (call $down (i64.sub (local.get 0) (i64.const 1))))))))"#;

#[test]
fn million_deep_recursion_traps_with_stack_exhausted() {
    let engine = Engine::default();
    let (_, mut store, instance) = common::instantiate(&engine, RECURSE);
    let down = instance.get_typed_func::<i64, i64>(&store, "down").unwrap();
    let err = down.call(&mut store, 1_000_000).unwrap_err();
    let trap = err.as_trap().expect("a trap");
    assert_eq!(trap.kind(), TrapKind::StackExhausted);
    assert_eq!(trap.to_string(), "call stack exhausted");
    // The store stays usable after the trap.
    assert_eq!(down.call(&mut store, 1000).unwrap(), 1000);
}

#[test]
fn call_depth_limit_is_configurable() {
    let mut config = Config::new();
    config.max_call_depth(50);
    let engine = Engine::new(&config);
    let (_, mut store, instance) = common::instantiate(&engine, RECURSE);
    let down = instance.get_typed_func::<i64, i64>(&store, "down").unwrap();
    assert_eq!(down.call(&mut store, 40).unwrap(), 40);
    let err = down.call(&mut store, 60).unwrap_err();
    assert_eq!(
        err.as_trap().map(Trap::kind),
        Some(TrapKind::StackExhausted)
    );
}

#[test]
fn a_deeper_limit_allows_a_million_frames() {
    let mut config = Config::new();
    config
        .max_call_depth(2_000_000)
        .max_stack_slots(64 * 1024 * 1024);
    let engine = Engine::new(&config);
    let (_, mut store, instance) = common::instantiate(&engine, RECURSE);
    let down = instance.get_typed_func::<i64, i64>(&store, "down").unwrap();
    assert_eq!(down.call(&mut store, 1_000_000).unwrap(), 1_000_000);
}

#[test]
fn memory_growth_respects_store_limits() {
    let engine = Engine::default();
    let wat = r#"(module (memory 1)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#;
    let (_, mut store, instance) = common::instantiate(&engine, wat);
    store.set_limits(StoreLimits {
        memory_bytes: 4 * PAGE_SIZE,
        ..StoreLimits::default()
    });
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 2).unwrap(), 1);
    assert_eq!(grow.call(&mut store, 2).unwrap(), -1, "over the limit: -1");
    store.set_limits(StoreLimits {
        memory_bytes: 4 * PAGE_SIZE,
        trap_on_grow_failure: true,
        ..StoreLimits::default()
    });
    let err = grow.call(&mut store, 2).unwrap_err();
    assert_eq!(err.as_trap().map(Trap::kind), Some(TrapKind::MemoryLimit));
}

#[test]
fn table_growth_respects_store_limits() {
    let engine = Engine::default();
    let wat = r#"(module (table 0 funcref)
      (func (export "grow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))"#;
    let (_, mut store, instance) = common::instantiate(&engine, wat);
    store.set_limits(StoreLimits {
        table_elements: 100,
        ..StoreLimits::default()
    });
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 60).unwrap(), 0);
    assert_eq!(grow.call(&mut store, 60).unwrap(), -1);
}

#[test]
fn nan_canonicalisation_makes_float_results_canonical() {
    let wat = r#"(module (func (export "f") (param f32 f32) (result f32)
        (f32.add (local.get 0) (local.get 1))))"#;
    let nan_in = Val::F32(0x7fa0_0001);
    let plain = Engine::default();
    let (_, mut store, instance) = common::instantiate(&plain, wat);
    let f = instance.get_func(&store, "f").unwrap();
    let mut out = [Val::F32(0)];
    f.call(&mut store, &[nan_in, Val::from_f32(1.0)], &mut out)
        .unwrap();
    assert_ne!(out[0], Val::F32(0x7fc0_0000), "the CPU keeps the payload");

    let mut config = Config::new();
    config.canonicalize_nans(true);
    let canon = Engine::new(&config);
    let (_, mut store, instance) = common::instantiate(&canon, wat);
    let f = instance.get_func(&store, "f").unwrap();
    f.call(&mut store, &[nan_in, Val::from_f32(1.0)], &mut out)
        .unwrap();
    assert_eq!(out[0], Val::F32(0x7fc0_0000));
}

#[test]
fn traps_carry_kind_and_backtrace_with_names() {
    let engine = Engine::default();
    let wat = r#"(module $m
      (func $inner (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
      (func $outer (export "outer") (param i32) (result i32) (call $inner (local.get 0))))"#;
    let (_, mut store, instance) = common::instantiate(&engine, wat);
    let outer = instance
        .get_typed_func::<i32, i32>(&store, "outer")
        .unwrap();
    let err = outer.call(&mut store, 0).unwrap_err();
    let trap = err.as_trap().unwrap();
    assert_eq!(trap.kind(), TrapKind::IntegerDivideByZero);
    let names: Vec<_> = trap
        .backtrace()
        .iter()
        .map(|f| f.func_name.clone())
        .collect();
    assert_eq!(
        names,
        vec![Some("inner".to_string()), Some("outer".to_string())]
    );
}

/// Where `pattern` starts in `bytes` (it must occur exactly once).
fn find_once(bytes: &[u8], pattern: &[u8]) -> u32 {
    let hits: Vec<usize> = (0..=bytes.len() - pattern.len())
        .filter(|&i| bytes[i..].starts_with(pattern))
        .collect();
    assert_eq!(hits.len(), 1, "{pattern:x?} in {bytes:x?}");
    hits[0] as u32
}

/// The body start of the `n`th function body of a module with one code
/// section whose bodies are each under 128 bytes: after the section id,
/// its size (one byte), the count (one byte), and per body its size byte.
fn body_starts(bytes: &[u8]) -> Vec<u32> {
    let mut at = 8;
    loop {
        let (id, size) = (bytes[at], bytes[at + 1] as usize);
        assert!(size < 128);
        if id == 10 {
            let count = bytes[at + 2] as usize;
            let mut pos = at + 3;
            let mut starts = Vec::new();
            for _ in 0..count {
                starts.push(pos as u32 + 1);
                pos += 1 + bytes[pos] as usize;
            }
            return starts;
        }
        at += 2 + size;
    }
}

#[test]
fn backtrace_frames_carry_the_offsets_of_the_trapping_instruction_and_the_calls() {
    for fuel in [false, true] {
        let mut config = Config::new();
        config.consume_fuel(fuel);
        let engine = Engine::new(&config);
        // $div traps at i32.div_s; $load traps at the load an addition was
        // fused into; $super at a load whose superinstruction overlays
        // the addition before it (I32AddImmLoad8U); $outer calls each.
        let wat = r#"(module
          (memory 1)
          (func $div (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
          (func $load (param i32) (result i32)
            (i32.load (i32.add (local.get 0) (local.get 0))))
          (func $super (param i32 i32) (result i32)
            (local.set 1 (i32.add (local.get 1) (i32.const 3)))
            (i32.add (local.get 1) (i32.load8_u offset=9 (local.get 0))))
          (func (export "outer") (param i32 i32) (result i32)
            (if (result i32) (i32.eqz (local.get 1))
              (then (call $div (local.get 0)))
              (else (if (result i32) (i32.eq (local.get 1) (i32.const 1))
                (then (call $load (local.get 0)))
                (else (call $super (local.get 0) (i32.const 0))))))))"#;
        let bytes = wat::parse_str(wat).unwrap();
        let module = Module::new(&engine, &bytes).unwrap();
        // The forms this test is about were made.
        let load = module.disassemble(1).unwrap();
        assert!(!load.contains("I32Add {"), "{load}");
        let sup = module.disassemble(2).unwrap();
        assert!(sup.contains("I32AddImmLoad8U"), "{sup}");
        let mut store = Store::new(&engine, ());
        if fuel {
            store.set_fuel(1_000_000).unwrap();
        }
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let outer = instance
            .get_typed_func::<(i32, i32), i32>(&store, "outer")
            .unwrap();
        let starts = body_starts(&bytes);
        let cases = [
            // (selector, argument, function, encoding of the trapping op
            // with what precedes it, bytes before the op, call encoding)
            (
                0,
                0,
                0,
                &[0x41, 0x01, 0x20, 0x00, 0x6d][..],
                4,
                &[0x10, 0x00][..],
            ),
            (
                1,
                0x10000,
                1,
                &[0x6a, 0x28, 0x02, 0x00][..],
                1,
                &[0x10, 0x01][..],
            ),
            (2, 0x10000, 2, &[0x2d, 0x00, 0x09][..], 0, &[0x10, 0x02][..]),
        ];
        for (sel, arg, func, op, before, call) in cases {
            let err = outer.call(&mut store, (arg, sel)).unwrap_err();
            let bt = err.as_trap().unwrap().backtrace();
            assert_eq!(bt.len(), 2, "{bt:?}");
            let want = find_once(&bytes, op) + before;
            assert_eq!(bt[0].func_index, func);
            assert_eq!(bt[0].module_offset, want, "fuel {fuel}: {bt:?}");
            assert_eq!(bt[0].func_offset, want - starts[func as usize]);
            let want_call = find_once(&bytes, call);
            assert_eq!(bt[1].func_index, 3);
            assert_eq!(bt[1].module_offset, want_call, "fuel {fuel}: {bt:?}");
            assert_eq!(bt[1].func_offset, want_call - starts[3]);
            assert!(bt[0].to_string().starts_with(&format!("{want:#x} - ")));
        }
    }
}

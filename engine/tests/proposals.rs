//! One kept regression test (or more) per Wasm proposal beyond 2.0 that the
//! engine implements, each with the proposal's `Config` switch checked too.

mod common;

use wasiproc_engine::*;

/// extended-const: globals, data and element offsets computed by
/// `i32/i64.add/sub/mul` over constants and an imported global. Wraps as
/// the instructions do; rejected when the proposal is off.
#[test]
fn extended_const_offsets_and_globals() {
    let wat = r#"(module
        (import "env" "base" (global $base i32))
        (memory 1)
        (table 8 funcref)

        (global $g (export "g") i32
            (i32.sub (i32.mul (global.get $base) (i32.const 3)) (i32.const 8)))
        (global $w (export "w") i32 (i32.add (i32.const 0x7fffffff) (i32.const 2)))
        (global (export "big") i64 (i64.mul (i64.const 0x100000001) (i64.const 0x100000001)))
        (data (i32.add (global.get $base) (i32.const 4)) "\2a")
        (elem (i32.sub (global.get $base) (i32.const 13)) func $f)
        (func $f (result i32) i32.const 77)
        (func (export "byte") (param i32) (result i32) local.get 0 i32.load8_u)
        (func (export "elem") (param i32) (result i32) local.get 0 call_indirect (result i32)))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(&engine, ());
    let base = Global::new(
        &mut store,
        GlobalType {
            content: ValType::I32,
            mutability: Mutability::Const,
        },
        Val::I32(16),
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker.define("env", "base", base).unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let g = |store: &Store<()>, name| inst.get_global(store, name).unwrap().get(store);
    assert_eq!(g(&store, "g"), Val::I32(40));
    assert_eq!(g(&store, "w"), Val::I32(i32::MIN + 1));
    // (2^32 + 1)^2 = 2^64 + 2^33 + 1, wrapped to 64 bits.
    assert_eq!(g(&store, "big"), Val::I64((1i64 << 33) + 1));
    assert_eq!(
        common::call::<i32, i32>(&inst, &mut store, "byte", 20).unwrap(),
        42
    );
    assert_eq!(
        common::call::<i32, i32>(&inst, &mut store, "byte", 16).unwrap(),
        0
    );
    assert_eq!(
        common::call::<i32, i32>(&inst, &mut store, "elem", 3).unwrap(),
        77
    );

    let mut config = Config::new();
    config.wasm_extended_const(false);
    let bytes = wat::parse_str(wat).unwrap();
    assert!(Module::new(&Engine::new(&config), &bytes).is_err());
}

const TAIL_LOOP: &str = r#"(module
  (type $t (func (param i64 i64) (result i64)))
  (table 2 funcref)
  (elem (i32.const 0) $a $b)
  (func $a (param $n i64) (param $acc i64) (result i64) (local $pad i64)
    (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call $b (i64.sub (local.get $n) (i64.const 1))
      (i64.add (local.get $acc) (i64.mul (local.get $n) (local.get $n)))))
  ;; More locals than $a: its frame is bigger, and its locals start at zero.
  (func $b (param $n i64) (param $acc i64) (result i64) (local $x i64) (local $y i64)
    (local.set $acc (i64.add (local.get $acc) (local.get $x)))
    (local.set $x (i64.const 1000))
    (return_call_indirect (type $t) (local.get $n) (local.get $acc) (i32.const 0)))
  (func (export "sum_squares") (param i64) (result i64)
    (return_call $a (local.get 0) (i64.const 0))))"#;

/// tail-call: mutual tail recursion through `return_call` and
/// `return_call_indirect` between functions of different frame sizes runs
/// far past the call-depth limit, zeroes each callee's locals, and stops
/// and resumes at fuel-slice boundaries with the uninterrupted run's
/// result and fuel. Rejected when the proposal is off.
#[test]
fn tail_calls_in_constant_frames_sliced_and_resumed() {
    let mut config = Config::new();
    config.consume_fuel(true).max_call_depth(100);
    let engine = Engine::new(&config);
    let (_, mut store, inst) = common::instantiate(&engine, TAIL_LOOP);
    store.set_fuel(u64::MAX).unwrap();
    let n = 100_000i64;
    let expect = (1..=n).map(|k| k * k).sum::<i64>();
    let r: i64 = common::call(&inst, &mut store, "sum_squares", n).unwrap();
    assert_eq!(r, expect);
    let whole = store.fuel_consumed();

    let (_, mut store, inst) = common::instantiate(&engine, TAIL_LOOP);
    store.set_fuel(u64::MAX).unwrap();
    let f = inst.get_func(&store, "sum_squares").unwrap();
    let (results, slices) = common::run_sliced(&mut store, f, &[Val::I64(n)], 777);
    assert_eq!(results, vec![Val::I64(expect)]);
    assert_eq!(store.fuel_consumed(), whole);
    assert!(
        slices >= whole / 777 - 1,
        "{slices} slices for {whole} fuel"
    );

    let mut config = Config::new();
    config.wasm_tail_call(false);
    let bytes = wat::parse_str(TAIL_LOOP).unwrap();
    assert!(Module::new(&Engine::new(&config), &bytes).is_err());
}

/// tail-call: `return_call` to imports. A host function is called and its
/// results returned (also when it blocks and is resumed, or when the call
/// comes through `return_call_indirect`); a Wasm function of another
/// instance replaces the caller (a deep tail recursion across the two
/// instances stays within a call-depth limit of 10).
#[test]
fn tail_calls_to_host_functions_and_other_instances() {
    let mut config = Config::new();
    config.max_call_depth(10);
    let engine = Engine::new(&config);
    let mut linker = Linker::<u32>::new(&engine);
    linker
        .func_wrap(
            "host",
            "twice",
            |mut c: Caller<'_, u32>, x: i64| -> Result<(i64, i32), HostError> {
                *c.data_mut() += 1;
                if *c.data() % 2 == 1 {
                    return Err(HostError::Blocked(Box::new(())));
                }
                Ok((x * 2, 7))
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, 0u32);
    let ping = r#"(module
      (import "host" "twice" (func $twice (param i64) (result i64 i32)))
      (import "pong" "pong" (func $pong (param i64) (result i64)))
      (type $h (func (param i64) (result i64 i32)))
      (table 1 funcref)
      (elem (i32.const 0) $twice)
      (func (export "direct") (param i64) (result i64 i32)
        (return_call $twice (i64.add (local.get 0) (i64.const 1))))
      (func (export "indirect") (param i64) (result i64 i32)
        (return_call_indirect (type $h) (local.get 0) (i32.const 0)))
      (func (export "ping") (param $n i64) (result i64)
        (if (i64.eqz (local.get $n)) (then (return (i64.const 99))))
        (return_call $pong (i64.sub (local.get $n) (i64.const 1)))))"#;
    // `pong` calls back into `ping` of the first instance: it is defined
    // after it, through a forward table slot filled by the test.
    let pong = r#"(module
      (type $p (func (param i64) (result i64)))
      (import "ping" "table" (table 1 funcref))
      (func (export "pong") (param $n i64) (result i64)
        (return_call_indirect (type $p) (local.get $n) (i32.const 0))))"#;
    let table = Table::new(
        &mut store,
        TableType {
            element: ValType::FuncRef,
            minimum: 1,
            maximum: None,
        },
        Val::FuncRef(None),
    )
    .unwrap();
    linker.define("ping", "table", table).unwrap();
    let pong_module = Module::new(&engine, wat::parse_str(pong).unwrap()).unwrap();
    let pong_inst = linker.instantiate(&mut store, &pong_module).unwrap();
    linker.instance(&store, "pong", pong_inst).unwrap();
    let ping_module = Module::new(&engine, wat::parse_str(ping).unwrap()).unwrap();
    let ping_inst = linker.instantiate(&mut store, &ping_module).unwrap();
    let ping_fn = ping_inst.get_func(&store, "ping").unwrap();
    table
        .set(&mut store, 0, Val::FuncRef(Some(ping_fn)))
        .unwrap();
    let mut out = [Val::I64(0)];
    ping_fn
        .call(&mut store, &[Val::I64(1_000)], &mut out)
        .unwrap();
    assert_eq!(out, [Val::I64(99)]);

    for (name, arg, expect) in [("direct", 20, 42), ("indirect", 20, 40)] {
        let f = ping_inst.get_func(&store, name).unwrap();
        let mut outcome = f.call_resumable(&mut store, &[Val::I64(arg)]).unwrap();
        let mut blocked = 0;
        let results = loop {
            match outcome {
                CallOutcome::Finished(v) => break v,
                CallOutcome::Suspended(Suspension::Blocked(_)) => {
                    blocked += 1;
                    outcome = store.resume().unwrap();
                }
                CallOutcome::Suspended(other) => panic!("unexpected {other:?}"),
            }
        };
        assert_eq!(blocked, 1, "{name}");
        assert_eq!(results, vec![Val::I64(expect), Val::I32(7)], "{name}");
    }
}

const MEMORIES: &str = r#"(module
  (memory $a 1)
  (memory $b 2 4)
  (memory $c i64 1 3)
  (data (memory $b) (i32.const 70000) "\01\02\03\04")
  (data (memory $c) (i64.const 65530) "\ff\fe")
  (data $p "hello")
  (func (export "load_b") (param i32) (result i64) (i64.load $b (local.get 0)))
  (func (export "load_c") (param i64) (result i32) (i32.load16_s $c offset=2 (local.get 0)))
  (func (export "store_c") (param i64 i64) (i64.store $c (local.get 0) (local.get 1)))
  (func (export "size") (result i32 i32 i64)
    (memory.size $a) (memory.size $b) (memory.size $c))
  (func (export "grow_c") (param i64) (result i64) (memory.grow $c (local.get 0)))
  (func (export "grow_b") (param i32) (result i32) (memory.grow $b (local.get 0)))
  ;; copies len bytes from $c at src to $b at dst, then reads them back
  (func (export "copy_c_to_b") (param $dst i32) (param $src i64) (param $len i32) (result i32)
    (memory.copy $b $c (local.get $dst) (local.get $src) (local.get $len))
    (i32.load8_u $b (local.get $dst)))
  (func (export "fill_c") (param i64 i32 i64) (memory.fill $c (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_c") (param i64) (memory.init $c $p (local.get 0) (i32.const 1) (i32.const 4)))
  (func (export "a0") (param i32) (result i32) (i32.load8_u (local.get 0))))"#;

/// multi-memory and memory64: loads, stores, `memory.size/grow/copy/fill/
/// init` and data segments on a second (32-bit) and a third (64-bit)
/// memory, with their own bounds; memory 0 is untouched. 64-bit addresses
/// beyond 4 GiB trap instead of wrapping. Rejected when the proposals are off.
#[test]
fn multi_memory_and_memory64() {
    for fuel in [false, true] {
        let (_, mut store, inst) = common::instantiate_fuel(fuel, MEMORIES);
        let s = &mut store;
        let load_b = |s: &mut Store<()>, a: i32| common::call::<i32, i64>(&inst, s, "load_b", a);
        assert_eq!(load_b(s, 70000).unwrap(), 0x04030201);
        assert_eq!(load_b(s, 2 * 65536 - 8).unwrap(), 0);
        let e = load_b(s, 2 * 65536 - 7).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
        let load_c = |s: &mut Store<()>, a: i64| common::call::<i64, i32>(&inst, s, "load_c", a);
        assert_eq!(load_c(s, 65528).unwrap(), 0xfffffeff_u32 as i32);
        // 4 GiB + 65528 must not wrap around to 65528.
        let e = load_c(s, (1 << 32) + 65528).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
        let e = load_c(s, -1).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
        common::call::<(i64, i64), ()>(&inst, s, "store_c", (100, 0x1122334455667788)).unwrap();
        assert_eq!(load_c(s, 102).unwrap(), 0x3344);
        let sizes: (i32, i32, i64) = common::call(&inst, s, "size", ()).unwrap();
        assert_eq!(sizes, (1, 2, 1));
        assert_eq!(common::call::<i64, i64>(&inst, s, "grow_c", 2).unwrap(), 1);
        assert_eq!(common::call::<i64, i64>(&inst, s, "grow_c", 1).unwrap(), -1);
        assert_eq!(
            common::call::<i64, i64>(&inst, s, "grow_c", 1 << 40).unwrap(),
            -1
        );
        assert_eq!(common::call::<i32, i32>(&inst, s, "grow_b", 1).unwrap(), 2);
        assert_eq!(load_c(s, 3 * 65536 - 4).unwrap(), 0);
        let copy: i32 =
            common::call(&inst, s, "copy_c_to_b", (3 * 65536 - 1, 65531i64, 1)).unwrap();
        assert_eq!(copy, 0xfe);
        let e =
            common::call::<(i32, i64, i32), i32>(&inst, s, "copy_c_to_b", (0, 3 * 65536 - 1, 2))
                .unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
        common::call::<(i64, i32, i64), ()>(&inst, s, "fill_c", (1000, 0x61, 3)).unwrap();
        assert_eq!(load_c(s, 998).unwrap(), 0x6161);
        common::call::<i64, ()>(&inst, s, "init_c", 2000).unwrap();
        assert_eq!(
            load_c(s, 1998).unwrap(),
            i32::from(b'e') | i32::from(b'l') << 8
        );
        let e = common::call::<i64, ()>(&inst, s, "init_c", 3 * 65536 - 3).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
        // Memory 0 saw none of it.
        for a in [0, 100, 998, 1000, 2000] {
            assert_eq!(common::call::<i32, i32>(&inst, s, "a0", a).unwrap(), 0);
        }
    }
    let bytes = wat::parse_str(MEMORIES).unwrap();
    let mut config = Config::new();
    config.wasm_multi_memory(false);
    assert!(Module::new(&Engine::new(&config), &bytes).is_err());
    let mut config = Config::new();
    config.wasm_memory64(false);
    let one64 = wat::parse_str("(module (memory i64 1))").unwrap();
    assert!(Module::new(&Engine::new(&config), &one64).is_err());
    assert!(Module::new(&Engine::default(), &one64).is_ok());
}

/// wide-arithmetic: 128-bit add/sub with carries across the halves, and
/// the full signed and unsigned 64 x 64 -> 128 products.
#[test]
fn wide_arithmetic() {
    let wat = &format!("(module {})", common::WIDE_ARITH_FUNCS);
    let (_, mut store, inst) = common::instantiate(&Engine::default(), wat);
    let s = &mut store;
    type Four = (i64, i64, i64, i64);
    let add: (i64, i64) = common::call::<Four, _>(&inst, s, "add", (-1, 0, 1, 0)).unwrap();
    assert_eq!(add, (0, 1));
    let add: (i64, i64) = common::call::<Four, _>(&inst, s, "add", (-1, -1, 1, 0)).unwrap();
    assert_eq!(add, (0, 0));
    let sub: (i64, i64) = common::call::<Four, _>(&inst, s, "sub", (0, 1, 1, 0)).unwrap();
    assert_eq!(sub, (-1, 0));
    let sub: (i64, i64) = common::call::<Four, _>(&inst, s, "sub", (0, 0, 1, 0)).unwrap();
    assert_eq!(sub, (-1, -1));
    let m: (i64, i64) = common::call(&inst, s, "mul_s", (-1i64, 3i64)).unwrap();
    assert_eq!(m, (-3, -1));
    let m: (i64, i64) = common::call(&inst, s, "mul_u", (-1i64, 3i64)).unwrap();
    assert_eq!(m, (-3, 2));
    let m: (i64, i64) = common::call(&inst, s, "mul_s", (i64::MIN, i64::MIN)).unwrap();
    assert_eq!(m, (0, 1 << 62));
    let mut config = Config::new();
    config.wasm_wide_arithmetic(false);
    assert!(Module::new(&Engine::new(&config), wat::parse_str(wat).unwrap()).is_err());
}

const FUNC_REFS: &str = r#"(module
  (type $ii (func (param i32) (result i32)))
  (type $base (sub (func (param i32) (result i32))))
  (type $derived (sub $base (func (param i32) (result i32))))
  (rec (type $r1 (func (param (ref null $r2)))) (type $r2 (func (param (ref null $r1)))))
  (elem declare func $inc $dbl $count)
  (table $t 4 (ref null $ii) (ref.func $inc))
  (table $sub 1 funcref)
  (elem (table $sub) (i32.const 0) func $derived_fn)
  (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (func $derived_fn (type $derived) (i32.sub (local.get 0) (i32.const 7)))
  (func (export "apply") (param $which i32) (param $x i32) (result i32)
    (local $f (ref $ii))
    (local.set $f (select (result (ref $ii)) (ref.func $inc) (ref.func $dbl) (local.get $which)))
    (call_ref $ii (local.get $x) (local.get $f)))
  (func (export "null_call") (result i32)
    (call_ref $ii (i32.const 1) (ref.null $ii)))
  (func (export "as_non_null") (param $null i32) (result i32)
    (ref.is_null (ref.as_non_null
      (if (result (ref null $ii)) (local.get $null)
        (then (ref.null $ii)) (else (ref.func $inc))))))
  ;; 10 if the reference is null, else the function applied to 5
  (func (export "on_null") (param $null i32) (result i32)
    (block $is_null
      (return (call_ref $ii (i32.const 5)
        (br_on_null $is_null
          (if (result (ref null $ii)) (local.get $null)
            (then (ref.null $ii)) (else (ref.func $dbl)))))))
    (i32.const 10))
  ;; the function applied to 6 if not null, else 20
  (func (export "on_non_null") (param $null i32) (result i32)
    (call_ref $ii (i32.const 6)
      (block $f (result (ref $ii))
        (br_on_non_null $f
          (if (result (ref null $ii)) (local.get $null)
            (then (ref.null $ii)) (else (ref.func $inc))))
        (return (i32.const 20)))))
  ;; table $t starts filled with $inc
  (func (export "table_init") (param i32) (result i32)
    (call_indirect $t (type $ii) (i32.const 40) (local.get 0)))
  ;; $derived_fn is a $derived, a subtype of $base: callable as one
  (func (export "as_base") (result i32)
    (call_indirect $sub (type $base) (i32.const 50) (i32.const 0)))
  (func (export "as_ii") (result i32)
    (call_indirect $sub (type $ii) (i32.const 50) (i32.const 0)))
  ;; counts down n times through return_call_ref
  (func $count (param $n i32) (param $f (ref $ii)) (result i32)
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (return_call_ref $count_t (i32.sub (local.get $n) (i32.const 1)) (local.get $f) (ref.func $count)))
  (type $count_t (func (param i32 (ref $ii)) (result i32)))
  (func (export "count") (param i32) (result i32)
    (call $count (local.get 0) (ref.func $inc))))"#;

/// function-references (with the GC type system Wasm 3.0 needs):
/// `call_ref` and `return_call_ref` (a null reference traps),
/// `ref.as_non_null`, `br_on_null`, `br_on_non_null`, non-nullable locals,
/// a table with an initialiser, and `call_indirect` accepting a declared
/// subtype while refusing a structurally equal but distinct type.
#[test]
fn function_references_and_subtypes() {
    let mut config = Config::new();
    config.max_call_depth(50);
    let engine = Engine::new(&config);
    let (_, mut store, inst) = common::instantiate(&engine, FUNC_REFS);
    let s = &mut store;
    let apply = |s: &mut Store<()>, w: i32, x: i32| {
        common::call::<(i32, i32), i32>(&inst, s, "apply", (w, x))
    };
    assert_eq!(apply(s, 1, 10).unwrap(), 11);
    assert_eq!(apply(s, 0, 10).unwrap(), 20);
    let e = common::call::<(), i32>(&inst, s, "null_call", ()).unwrap_err();
    assert_eq!(common::trap_kind(e), TrapKind::NullFunctionReference);
    assert_eq!(
        common::call::<i32, i32>(&inst, s, "as_non_null", 0).unwrap(),
        0
    );
    let e = common::call::<i32, i32>(&inst, s, "as_non_null", 1).unwrap_err();
    assert_eq!(common::trap_kind(e), TrapKind::NullReference);
    assert_eq!(
        common::call::<i32, i32>(&inst, s, "on_null", 1).unwrap(),
        10
    );
    assert_eq!(
        common::call::<i32, i32>(&inst, s, "on_null", 0).unwrap(),
        10
    );
    assert_eq!(
        common::call::<i32, i32>(&inst, s, "on_non_null", 1).unwrap(),
        20
    );
    assert_eq!(
        common::call::<i32, i32>(&inst, s, "on_non_null", 0).unwrap(),
        7
    );
    for i in 0..4 {
        assert_eq!(
            common::call::<i32, i32>(&inst, s, "table_init", i).unwrap(),
            41
        );
    }
    assert_eq!(
        common::call::<(), i32>(&inst, s, "as_base", ()).unwrap(),
        43
    );
    let e = common::call::<(), i32>(&inst, s, "as_ii", ()).unwrap_err();
    assert_eq!(common::trap_kind(e), TrapKind::IndirectCallTypeMismatch);
    // Far past the call-depth limit of 50.
    assert_eq!(
        common::call::<i32, i32>(&inst, s, "count", 100_000).unwrap(),
        0
    );

    let mut config = Config::new();
    config.wasm_function_references(false).wasm_gc_types(false);
    let bytes = wat::parse_str(FUNC_REFS).unwrap();
    assert!(Module::new(&Engine::new(&config), &bytes).is_err());
}

/// function-references linking: an exported `(ref $t)` constant global
/// can be imported as `(ref null func)` or as its supertype's reference,
/// not as an unrelated type's or as mutable; a table of `(ref null $t)`
/// only as exactly that.
#[test]
fn typed_reference_imports_follow_subtyping() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let exporter = r#"(module
      (type $base (sub (func)))
      (type $t (sub $base (func)))
      (func $f (type $t))
      (global (export "g") (ref $t) (ref.func $f))
      (table (export "tab") 1 (ref null $t)))"#;
    let m = Module::new(&engine, wat::parse_str(exporter).unwrap()).unwrap();
    let inst = linker.instantiate(&mut store, &m).unwrap();
    linker.instance(&store, "m", inst).unwrap();
    let link = |store: &mut Store<()>, import: &str| {
        let text = format!(
            r#"(module (type $base (sub (func))) (type $t (sub $base (func)))
                 (type $other (func (param i32))) {import})"#
        );
        let m = Module::new(&engine, wat::parse_str(&text).unwrap()).unwrap();
        linker.instantiate(store, &m).map(|_| ())
    };
    let s = &mut store;
    assert!(link(s, r#"(global (import "m" "g") (ref null func))"#).is_ok());
    assert!(link(s, r#"(global (import "m" "g") (ref $base))"#).is_ok());
    assert!(link(s, r#"(global (import "m" "g") (ref $t))"#).is_ok());
    for bad in [
        r#"(global (import "m" "g") (ref $other))"#,
        r#"(global (import "m" "g") (mut (ref $t)))"#,
        r#"(global (import "m" "g") externref)"#,
    ] {
        let e = link(s, bad).unwrap_err();
        assert!(matches!(e, Error::IncompatibleImport { .. }), "{bad}: {e}");
    }
    assert!(link(s, r#"(table (import "m" "tab") 1 (ref null $t))"#).is_ok());
    for bad in [
        r#"(table (import "m" "tab") 1 (ref null $base))"#,
        r#"(table (import "m" "tab") 1 funcref)"#,
    ] {
        let e = link(s, bad).unwrap_err();
        assert!(matches!(e, Error::IncompatibleImport { .. }), "{bad}: {e}");
    }
}

/// custom-page-sizes: a memory of one-byte pages (memory 0, so the general
/// instruction forms serve it) grows, sizes and bounds-checks by the byte;
/// importing it needs the same page size.
#[test]
fn one_byte_pages() {
    let wat = r#"(module
      (memory (export "m") 10 20 (pagesize 1))
      (func (export "size") (result i32) (memory.size))
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
      (func (export "store") (param i32 i32) (i32.store16 (local.get 0) (local.get 1))))"#;
    let engine = Engine::default();
    let (m, mut store, inst) = common::instantiate(&engine, wat);
    let s = &mut store;
    assert_eq!(common::call::<(), i32>(&inst, s, "size", ()).unwrap(), 10);
    common::call::<(i32, i32), ()>(&inst, s, "store", (8, 0x0201)).unwrap();
    assert_eq!(common::call::<i32, i32>(&inst, s, "load", 9).unwrap(), 2);
    let e = common::call::<(i32, i32), ()>(&inst, s, "store", (9, 0)).unwrap_err();
    assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
    let e = common::call::<i32, i32>(&inst, s, "load", 10).unwrap_err();
    assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
    assert_eq!(common::call::<i32, i32>(&inst, s, "grow", 5).unwrap(), 10);
    assert_eq!(common::call::<i32, i32>(&inst, s, "grow", 6).unwrap(), -1);
    assert_eq!(common::call::<(), i32>(&inst, s, "size", ()).unwrap(), 15);
    assert_eq!(common::call::<i32, i32>(&inst, s, "load", 14).unwrap(), 0);
    let mem = inst.get_memory(&*s, "m").unwrap();
    assert_eq!(mem.data(&*s).len(), 15);
    assert_eq!(mem.ty(&*s).page_size(), 1);

    let mut linker = Linker::new(&engine);
    linker.define("env", "m", mem).unwrap();
    let mut import = |pagesize: &str| {
        let text = format!(r#"(module (memory (import "env" "m") 1 {pagesize}))"#);
        let m = Module::new(&engine, wat::parse_str(&text).unwrap()).unwrap();
        linker.instantiate(&mut *s, &m).map(|_| ())
    };
    assert!(import("(pagesize 1)").is_ok());
    assert!(matches!(import(""), Err(Error::IncompatibleImport { .. })));
    drop(m);

    let mut config = Config::new();
    config.wasm_custom_page_sizes(false);
    assert!(Module::new(&Engine::new(&config), wat::parse_str(wat).unwrap()).is_err());
}

/// References of GC's `any` hierarchy exist only as nulls (no GC
/// instruction that makes one is supported); they reach the embedder as
/// `Val::NullAnyRef` and their type as `ValType::AnyRef`.
#[test]
fn any_hierarchy_references_are_null() {
    let wat = r#"(module
      (global $n nullref (ref.null none))
      (global (export "g") anyref (ref.null any))
      (func (export "any") (result anyref) (global.get $n))
      (func (export "eq") (param eqref) (result i32) (ref.is_null (local.get 0))))"#;
    let (_, mut store, inst) = common::instantiate(&Engine::default(), wat);
    let any = inst.get_func(&store, "any").unwrap();
    assert_eq!(any.ty(&store).results(), [ValType::AnyRef]);
    let mut out = [Val::I32(0)];
    any.call(&mut store, &[], &mut out).unwrap();
    assert_eq!(out[0], Val::NullAnyRef);
    let eq = inst.get_func(&store, "eq").unwrap();
    eq.call(&mut store, &[Val::NullAnyRef], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(1));
    let g = inst.get_global(&store, "g").unwrap();
    assert_eq!(g.get(&store), Val::NullAnyRef);
    // A GC instruction is still refused: by validation, or (lazily) on the
    // function's first call.
    let gc =
        wat::parse_str(r#"(module (func (export "f") (result i31ref) (ref.i31 (i32.const 1))))"#)
            .unwrap();
    assert!(matches!(
        Module::validate(&Engine::default(), &gc),
        Err(Error::Unsupported { .. })
    ));
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let module = Module::new(&engine, &gc).unwrap();
    let inst = Linker::new(&engine).instantiate(&mut store, &module);
    let err = inst.and_then(|i| {
        let f = i.get_func(&store, "f").unwrap();
        f.call(&mut store, &[], &mut [Val::NullAnyRef])
    });
    assert!(matches!(err, Err(Error::Unsupported { .. })), "{err:?}");
}

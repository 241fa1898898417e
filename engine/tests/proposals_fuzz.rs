//! Regression cases for the Wasm 3.0 proposals, found by the `differential`
//! and `funcref` fuzz targets (fuzz/README.md, "Campaign of 2026-11-26
//! (proposals)") or by hand while extending them. `proposals.rs` keeps the
//! first test of each proposal; these are the cases around the edges: the
//! forms the fuzzer's modules reach (memory 0 being 64-bit or of one-byte
//! pages, instantiation-time offsets, the host boundary of typed
//! references), each checked against the specification's answer.

mod common;

use wasiproc_engine::*;

fn engines() -> [Engine; 2] {
    let mut fuel = Config::new();
    fuel.consume_fuel(true);
    [Engine::default(), Engine::new(&fuel)]
}

fn instantiate(engine: &Engine, wat: &str) -> (Store<()>, Instance) {
    let (_, mut store, inst) = common::instantiate(engine, wat);
    if engine.config().fuel_enabled() {
        store.set_fuel(u64::MAX / 2).unwrap();
    }
    (store, inst)
}

/// memory64 (fuzz-found, `differential`): a 64-bit table's element
/// segment at offset -2^41 was applied at offset 0 (its index cut to 32
/// bits) where wasmi traps. The engine does not implement 64-bit tables,
/// so it refuses them as unsupported; a 64-bit memory stays accepted.
#[test]
fn table64_is_refused_not_truncated() {
    let wat = r#"(module
      (table i64 10000 10000 externref)
      (elem (table 0) (i64.const -2199023255552) externref))"#;
    let bytes = wat::parse_str(wat).unwrap();
    match Module::new(&Engine::default(), &bytes) {
        Err(Error::Unsupported { feature, .. }) => assert!(feature.contains("table64")),
        other => panic!("a 64-bit table must be refused as unsupported: {other:?}"),
    }
    let mut config = Config::new();
    config.wasm_memory64(false);
    assert!(matches!(
        Module::new(&Engine::new(&config), &bytes),
        Err(Error::Invalid { .. })
    ));
    let call =
        wat::parse_str("(module (table i64 1 funcref) (func (call_indirect (i64.const 0))))")
            .unwrap();
    assert!(matches!(
        Module::new(&Engine::default(), &call),
        Err(Error::Unsupported { .. })
    ));
}

/// tail-call: ten million `return_call`s (and `return_call_indirect`s)
/// in a loop through two functions run with a call-depth limit of 8 and
/// the smallest value stack, with and without fuel, and give the
/// arithmetic answer; a plain `call` in the same place exhausts the stack.
#[test]
fn ten_million_tail_calls_in_bounded_frames() {
    let wat = r#"(module
      (type $t (func (param i64 i64) (result i64)))
      (table 1 funcref)
      (elem (i32.const 0) $odd)
      (func $even (param $n i64) (param $acc i64) (result i64)
        (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
        (return_call_indirect (type $t)
          (i64.sub (local.get $n) (i64.const 1))
          (i64.add (local.get $acc) (local.get $n))
          (i32.const 0)))
      (func $odd (param $n i64) (param $acc i64) (result i64) (local $pad f64)
        (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
        (return_call $even
          (i64.sub (local.get $n) (i64.const 1))
          (i64.xor (local.get $acc) (local.get $n))))
      (func $plain (param $n i64) (result i64)
        (if (result i64) (i64.eqz (local.get $n))
          (then (i64.const 0))
          (else (call $plain (i64.sub (local.get $n) (i64.const 1))))))
      (func (export "run") (param i64) (result i64)
        (return_call $even (local.get 0) (i64.const 0)))
      (func (export "plain") (param i64) (result i64) (call $plain (local.get 0))))"#;
    let n: i64 = 10_000_000;
    let mut expect = 0i64;
    for (step, k) in (1..=n).rev().enumerate() {
        expect = if step % 2 == 0 {
            expect.wrapping_add(k)
        } else {
            expect ^ k
        };
    }
    for fuel in [false, true] {
        let mut config = Config::new();
        config
            .consume_fuel(fuel)
            .max_call_depth(8)
            .max_stack_slots(1024);
        let engine = Engine::new(&config);
        let (mut store, inst) = instantiate(&engine, wat);
        let got: i64 = common::call(&inst, &mut store, "run", n).unwrap();
        assert_eq!(got, expect, "fuel {fuel}");
        let e = common::call::<i64, i64>(&inst, &mut store, "plain", 100).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::StackExhausted);
    }
}

/// memory64 with memory 0 64-bit (the fuzzer's common case; the first
/// proposals test puts it third): every address at or beyond 4 GiB traps,
/// offsets add in 64 bits without wrapping, `memory.size`/`grow` are i64
/// (a refused growth is i64 -1, all 64 bits set), bulk operations take
/// i64 lengths, and an active data segment at an offset past the end
/// fails instantiation.
#[test]
fn memory64_as_memory_zero() {
    let wat = r#"(module
      (memory (export "m") i64 1 3)
      (data (i64.const 65532) "\01\02\03\04")
      (func (export "load") (param i64) (result i32) (i32.load (local.get 0)))
      (func (export "load_off") (param i64) (result i32) (i32.load offset=0x100000000 (local.get 0)))
      (func (export "store") (param i64 i64) (i64.store (local.get 0) (local.get 1)))
      (func (export "size") (result i64) (memory.size))
      (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
      (func (export "fill") (param i64 i32 i64) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
      (func (export "copy") (param i64 i64 i64) (memory.copy (local.get 0) (local.get 1) (local.get 2))))"#;
    for engine in engines() {
        let (mut store, inst) = instantiate(&engine, wat);
        let s = &mut store;
        let load = |s: &mut Store<()>, a: i64| common::call::<i64, i32>(&inst, s, "load", a);
        assert_eq!(load(s, 65532).unwrap(), 0x04030201);
        for a in [65533, 1 << 32, (1 << 32) + 65532, -4, i64::MAX] {
            let e = load(s, a).unwrap_err();
            assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds, "{a:#x}");
        }
        // 0x1_0000_0000 + 0 is past the end; it must not wrap to 0.
        let e = common::call::<i64, i32>(&inst, s, "load_off", 0).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
        let e = common::call::<i64, i32>(&inst, s, "load_off", -(1 << 32)).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
        assert_eq!(common::call::<(), i64>(&inst, s, "size", ()).unwrap(), 1);
        assert_eq!(common::call::<i64, i64>(&inst, s, "grow", 1).unwrap(), 1);
        assert_eq!(common::call::<i64, i64>(&inst, s, "grow", 2).unwrap(), -1);
        assert_eq!(
            common::call::<i64, i64>(&inst, s, "grow", 1 << 48).unwrap(),
            -1
        );
        assert_eq!(common::call::<i64, i64>(&inst, s, "grow", -1).unwrap(), -1);
        assert_eq!(common::call::<(), i64>(&inst, s, "size", ()).unwrap(), 2);
        common::call::<(i64, i64), ()>(&inst, s, "store", (131064, -1)).unwrap();
        let e = common::call::<(i64, i64), ()>(&inst, s, "store", (131065, -1)).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
        // A length of 2^32 + 1 must not be cut to 1.
        let e = common::call::<(i64, i32, i64), ()>(&inst, s, "fill", (0, 7, (1 << 32) + 1))
            .unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
        assert_eq!(load(s, 0).unwrap(), 0);
        let e =
            common::call::<(i64, i64, i64), ()>(&inst, s, "copy", (0, 65532, 1 << 32)).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
        common::call::<(i64, i64, i64), ()>(&inst, s, "copy", (1, 65532, 4)).unwrap();
        assert_eq!(load(s, 0).unwrap(), 0x03020100);
        let m = inst.get_memory(&*s, "m").unwrap();
        assert_eq!(m.data(&*s).len(), 2 * 65536);
    }
    let past = r#"(module (memory i64 1) (data (i64.const 0x100000000) ""))"#;
    let (_, _, inst) = common::load(&Engine::default(), past);
    assert_eq!(
        common::trap_kind(inst.unwrap_err()),
        TrapKind::MemoryOutOfBounds
    );
}

/// multi-memory: `memory.copy` between a 64-bit memory and a 32-bit one in
/// both directions (the length is the narrower index type), bounds
/// checked per memory, data segments and `memory.init` per memory.
#[test]
fn multi_memory_copies_between_memories() {
    let wat = r#"(module
      (memory $a 1)
      (memory $b i64 2)
      (memory $c 1 1)
      (data (memory $b) (i64.const 70000) "wasiproc")
      (data $p "passive")
      (func (export "b_to_a") (param i32 i64 i32) (memory.copy $a $b (local.get 0) (local.get 1) (local.get 2)))
      (func (export "a_to_c") (param i32 i32 i32) (memory.copy $c $a (local.get 0) (local.get 1) (local.get 2)))
      (func (export "c_to_b") (param i64 i32 i32) (memory.copy $b $c (local.get 0) (local.get 1) (local.get 2)))
      (func (export "init_c") (param i32) (memory.init $c $p (local.get 0) (i32.const 0) (i32.const 7)))
      (func (export "a") (param i32) (result i64) (i64.load $a (local.get 0)))
      (func (export "b") (param i64) (result i64) (i64.load $b (local.get 0)))
      (func (export "c") (param i32) (result i64) (i64.load $c (local.get 0))))"#;
    let word = |s: &[u8]| {
        let mut b = [0u8; 8];
        b[..s.len()].copy_from_slice(s);
        i64::from_le_bytes(b)
    };
    for engine in engines() {
        let (mut store, inst) = instantiate(&engine, wat);
        let s = &mut store;
        common::call::<(i32, i64, i32), ()>(&inst, s, "b_to_a", (10, 70000, 8)).unwrap();
        assert_eq!(
            common::call::<i32, i64>(&inst, s, "a", 10).unwrap(),
            word(b"wasiproc")
        );
        common::call::<(i32, i32, i32), ()>(&inst, s, "a_to_c", (65528, 10, 8)).unwrap();
        assert_eq!(
            common::call::<i32, i64>(&inst, s, "c", 65528).unwrap(),
            word(b"wasiproc")
        );
        common::call::<(i64, i32, i32), ()>(&inst, s, "c_to_b", (131064, 65528, 8)).unwrap();
        assert_eq!(
            common::call::<i64, i64>(&inst, s, "b", 131064).unwrap(),
            word(b"wasiproc")
        );
        // Each memory's own bounds: $c has one page, $b two.
        let e = common::call::<(i32, i32, i32), ()>(&inst, s, "a_to_c", (65529, 0, 8)).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
        let e =
            common::call::<(i32, i64, i32), ()>(&inst, s, "b_to_a", (0, 131065, 8)).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
        let e =
            common::call::<(i64, i32, i32), ()>(&inst, s, "c_to_b", (1 << 32, 0, 1)).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
        common::call::<i32, ()>(&inst, s, "init_c", 100).unwrap();
        assert_eq!(
            common::call::<i32, i64>(&inst, s, "c", 100).unwrap(),
            word(b"passive")
        );
        // Memory $a saw only its own copy.
        assert_eq!(common::call::<i32, i64>(&inst, s, "a", 100).unwrap(), 0);
        assert_eq!(common::call::<i32, i64>(&inst, s, "a", 65528).unwrap(), 0);
    }
}

/// extended-const: global initialisers from earlier defined globals (Wasm
/// 3.0) and imported ones, 64-bit products that wrap, a 64-bit memory's
/// data offset computed in i64, and an element offset; each value checked
/// against Rust's wrapping arithmetic.
#[test]
fn extended_const_initialisers() {
    let wat = r#"(module
      (global $a i64 (i64.const 0x0123456789abcdef))
      (global $b (export "b") i64 (i64.mul (global.get $a) (i64.const 0x1000001)))
      (global $c (export "c") i64 (i64.sub (global.get $b) (i64.add (global.get $a) (i64.const -1))))
      (global $d (export "d") i32 (i32.mul (i32.const 0x10001) (i32.const 0x10001)))
      (memory i64 1)
      (data (i64.add (i64.mul (i64.const 3) (i64.const 0x5000)) (i64.const 3)) "\2a")
      (table 4 funcref)
      (elem (i32.sub (i32.const 5) (i32.const 2)) func $f)
      (func $f (result i32) (i32.const 9))
      (func (export "byte") (param i64) (result i32) (i32.load8_u (local.get 0)))
      (func (export "elem") (param i32) (result i32) (call_indirect (result i32) (local.get 0))))"#;
    let a: i64 = 0x0123456789abcdef;
    let b = a.wrapping_mul(0x1000001);
    let c = b.wrapping_sub(a.wrapping_add(-1));
    for engine in engines() {
        let (mut store, inst) = instantiate(&engine, wat);
        let g = |store: &Store<()>, name| inst.get_global(store, name).unwrap().get(store);
        assert_eq!(g(&store, "b"), Val::I64(b));
        assert_eq!(g(&store, "c"), Val::I64(c));
        assert_eq!(g(&store, "d"), Val::I32(0x10001i32.wrapping_mul(0x10001)));
        assert_eq!(
            common::call::<i64, i32>(&inst, &mut store, "byte", 3 * 0x5000 + 3).unwrap(),
            42
        );
        assert_eq!(
            common::call::<i64, i32>(&inst, &mut store, "byte", 3 * 0x5000 + 2).unwrap(),
            0
        );
        assert_eq!(
            common::call::<i32, i32>(&inst, &mut store, "elem", 3).unwrap(),
            9
        );
        let e = common::call::<i32, i32>(&inst, &mut store, "elem", 2).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::UninitializedElement);
    }
}

/// wide-arithmetic: 2,000 pseudo-random operand sets (and the corner
/// values) through `i64.add128`, `i64.sub128`, `i64.mul_wide_s/u`,
/// compared with Rust's u128/i128 arithmetic.
#[test]
fn wide_arithmetic_against_u128() {
    let wat = &format!(
        "(module {}{})",
        common::WIDE_ARITH_FUNCS,
        r#"
      ;; The halves kept in locals across a block, as generated code does.
      (func (export "add_keep") (param i64 i64 i64 i64) (result i64)
        (local $lo i64) (local $hi i64)
        (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3))
        (local.set $hi) (local.set $lo)
        (block (br_if 0 (i64.eqz (local.get $hi))))
        (i64.xor (local.get $lo) (i64.rotl (local.get $hi) (i64.const 17))))"#
    );
    let mut x: u64 = 0x9e3779b97f4a7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let corners = [0u64, 1, u64::MAX, 1 << 63, (1 << 63) - 1, 0xffff_ffff];
    let mut cases: Vec<[u64; 4]> = Vec::new();
    for &p in &corners {
        for &q in &corners {
            cases.push([p, q, q, p]);
        }
    }
    for _ in 0..2000 {
        cases.push([next(), next(), next(), next()]);
    }
    let split = |v: u128| (v as u64 as i64, (v >> 64) as u64 as i64);
    for engine in engines() {
        let (mut store, inst) = instantiate(&engine, wat);
        let s = &mut store;
        for &[a, b, c, d] in &cases {
            let l = u128::from(a) | u128::from(b) << 64;
            let r = u128::from(c) | u128::from(d) << 64;
            let args = (a as i64, b as i64, c as i64, d as i64);
            let add: (i64, i64) = common::call(&inst, s, "add", args).unwrap();
            assert_eq!(add, split(l.wrapping_add(r)), "add {args:x?}");
            let sub: (i64, i64) = common::call(&inst, s, "sub", args).unwrap();
            assert_eq!(sub, split(l.wrapping_sub(r)), "sub {args:x?}");
            let mu: (i64, i64) = common::call(&inst, s, "mul_u", (a as i64, c as i64)).unwrap();
            assert_eq!(
                mu,
                split(u128::from(a) * u128::from(c)),
                "mul_u {a:x} {c:x}"
            );
            let ms: (i64, i64) = common::call(&inst, s, "mul_s", (a as i64, c as i64)).unwrap();
            let wide = i128::from(a as i64) * i128::from(c as i64);
            assert_eq!(ms, split(wide as u128), "mul_s {a:x} {c:x}");
            let keep: i64 = common::call(&inst, s, "add_keep", args).unwrap();
            let (lo, hi) = split(l.wrapping_add(r));
            assert_eq!(keep, lo ^ hi.rotate_left(17), "add_keep {args:x?}");
        }
    }
}

/// custom-page-sizes: a 64-bit memory of one-byte pages (memory 0) grows
/// by single bytes; `memory.size` counts bytes; the byte past the end
/// traps; growth beyond the declared maximum, or by a 64-bit delta, is
/// refused with i64 -1; a second one-byte-page memory beside a normal one
/// keeps its own size.
#[test]
fn one_byte_pages_grow_by_bytes() {
    let wat = r#"(module
      (memory $m i64 3 10 (pagesize 1))
      (memory $n 1)
      (memory $o 0 5 (pagesize 1))
      (func (export "grow") (param i64) (result i64) (memory.grow $m (local.get 0)))
      (func (export "size") (result i64) (memory.size $m))
      (func (export "store") (param i64 i32) (i32.store8 $m (local.get 0) (local.get 1)))
      (func (export "load") (param i64) (result i32) (i32.load8_u $m (local.get 0)))
      (func (export "load16") (param i64) (result i32) (i32.load16_u $m (local.get 0)))
      (func (export "grow_o") (param i32) (result i32) (memory.grow $o (local.get 0)))
      (func (export "fill_o") (param i32 i32) (memory.fill $o (local.get 0) (i32.const 0x55) (local.get 1)))
      (func (export "sizes") (result i32 i32) (memory.size $n) (memory.size $o)))"#;
    for engine in engines() {
        let (mut store, inst) = instantiate(&engine, wat);
        let s = &mut store;
        assert_eq!(common::call::<(), i64>(&inst, s, "size", ()).unwrap(), 3);
        common::call::<(i64, i32), ()>(&inst, s, "store", (2, 0xab)).unwrap();
        let e = common::call::<(i64, i32), ()>(&inst, s, "store", (3, 1)).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
        let e = common::call::<i64, i32>(&inst, s, "load16", 2).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
        assert_eq!(common::call::<i64, i64>(&inst, s, "grow", 1).unwrap(), 3);
        assert_eq!(
            common::call::<i64, i32>(&inst, s, "load16", 2).unwrap(),
            0xab
        );
        common::call::<(i64, i32), ()>(&inst, s, "store", (3, 1)).unwrap();
        assert_eq!(common::call::<i64, i64>(&inst, s, "grow", 6).unwrap(), 4);
        assert_eq!(common::call::<(), i64>(&inst, s, "size", ()).unwrap(), 10);
        assert_eq!(common::call::<i64, i64>(&inst, s, "grow", 1).unwrap(), -1);
        assert_eq!(
            common::call::<i64, i64>(&inst, s, "grow", 1 << 40).unwrap(),
            -1
        );
        assert_eq!(common::call::<i64, i32>(&inst, s, "load", 9).unwrap(), 0);
        let e = common::call::<i64, i32>(&inst, s, "load", 10).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
        assert_eq!(common::call::<i32, i32>(&inst, s, "grow_o", 2).unwrap(), 0);
        common::call::<(i32, i32), ()>(&inst, s, "fill_o", (0, 2)).unwrap();
        let e = common::call::<(i32, i32), ()>(&inst, s, "fill_o", (1, 2)).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
        assert_eq!(common::call::<i32, i32>(&inst, s, "grow_o", 4).unwrap(), -1);
        let sizes: (i32, i32) = common::call(&inst, s, "sizes", ()).unwrap();
        assert_eq!(sizes, (1, 2));
    }
}

const TYPED_REFS: &str = r#"(module
  (type $t (func (param i32) (result i32)))
  (type $u (func (param i64) (result i64)))
  (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
  (func $neg (type $u) (i64.sub (i64.const 0) (local.get 0)))
  (elem declare func $inc $neg)
  (global $g (export "g") (mut (ref null $t)) (ref.null $t))
  (table $tab (export "tab") 2 (ref null $t))
  (func (export "inc") (result funcref) (ref.func $inc))
  (func (export "neg") (result funcref) (ref.func $neg))
  ;; call_ref of a typed parameter: no check left at run time.
  (func (export "apply") (param $f (ref $t)) (param i32) (result i32)
    (call_ref $t (local.get 1) (local.get $f)))
  (func (export "apply_null") (param $f (ref null $t)) (param i32) (result i32)
    (call_ref $t (local.get 1) (local.get $f)))
  (func (export "as_non_null") (param $f (ref null $t)) (result i32)
    (call_ref $t (i32.const 41) (ref.as_non_null (local.get $f))))
  ;; br_on_null leaves the argument 1 for a null; the non-null reference
  ;; it leaves on the stack is called with it.
  (func (export "on_null") (param $f (ref null $t)) (result i32)
    (block $null (result i32)
      (i32.const 1)
      (local.get $f)
      (br_on_null $null)
      (call_ref $t)))
  ;; br_on_non_null branches with the reference.
  (func (export "on_non_null") (param $f (ref null $t)) (result i32)
    (i32.const 99)
    (block $some (param i32) (result i32 (ref $t))
      (br_on_non_null $some (local.get $f))
      (drop)
      (return (i32.const -2)))
    (call_ref $t))
  (func (export "via_global") (result i32)
    (call_ref $t (i32.const 7) (global.get $g)))
  (func (export "via_table") (param i32) (result i32)
    (call_ref $t (i32.const 7) (table.get $tab (local.get 0))))
  (func (export "tail") (param $f (ref null $t)) (result i32)
    (return_call_ref $t (i32.const 1000) (local.get $f))))"#;

/// function-references: `call_ref`, `return_call_ref`, `ref.as_non_null`,
/// `br_on_null`, `br_on_non_null` with their traps; and the host boundary
/// (found by hand while building the `funcref` target, whose harness
/// passes references in): a null or a function of another type for a
/// `(ref $t)` parameter, a typed global or a typed table was accepted and
/// then called unchecked (the callee reading parameters that were never
/// passed); now each is refused with a usage error before anything runs.
#[test]
fn typed_references_and_their_host_boundary() {
    for engine in engines() {
        let (mut store, inst) = instantiate(&engine, TYPED_REFS);
        let s = &mut store;
        let get = |s: &mut Store<()>, name: &str| {
            let mut out = [Val::I32(0)];
            inst.get_func(&*s, name)
                .unwrap()
                .call(&mut *s, &[], &mut out)
                .unwrap();
            out[0]
        };
        let inc = get(s, "inc");
        let neg = get(s, "neg");
        let call = |s: &mut Store<()>, name: &str, args: &[Val]| {
            let mut out = [Val::I32(0)];
            inst.get_func(&*s, name)
                .unwrap()
                .call(&mut *s, args, &mut out)
                .map(|()| out[0])
        };
        assert_eq!(call(s, "apply", &[inc, Val::I32(5)]).unwrap(), Val::I32(6));
        assert_eq!(call(s, "as_non_null", &[inc]).unwrap(), Val::I32(42));
        assert_eq!(call(s, "on_null", &[inc]).unwrap(), Val::I32(2));
        assert_eq!(
            call(s, "on_null", &[Val::FuncRef(None)]).unwrap(),
            Val::I32(1)
        );
        assert_eq!(call(s, "on_non_null", &[inc]).unwrap(), Val::I32(100));
        assert_eq!(
            call(s, "on_non_null", &[Val::FuncRef(None)]).unwrap(),
            Val::I32(-2)
        );
        assert_eq!(call(s, "tail", &[inc]).unwrap(), Val::I32(1001));
        for (name, kind) in [
            ("apply_null", TrapKind::NullFunctionReference),
            ("as_non_null", TrapKind::NullReference),
            ("tail", TrapKind::NullFunctionReference),
        ] {
            let args: &[Val] = if name == "apply_null" {
                &[Val::FuncRef(None), Val::I32(1)]
            } else {
                &[Val::FuncRef(None)]
            };
            let e = call(s, name, args).unwrap_err();
            assert_eq!(common::trap_kind(e), kind, "{name}");
        }
        let e = call(s, "via_global", &[]).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::NullFunctionReference);

        // The host boundary: refused before the call runs.
        for bad in [Val::FuncRef(None), neg] {
            match call(s, "apply", &[bad, Val::I32(5)]) {
                Err(Error::Usage(_)) => {}
                other => panic!("apply({bad:?}) must be refused: {other:?}"),
            }
        }
        match call(s, "apply_null", &[neg, Val::I32(5)]) {
            Err(Error::Usage(_)) => {}
            other => panic!("a function of another type must be refused: {other:?}"),
        }
        let g = inst.get_global(&*s, "g").unwrap();
        assert!(g.set(&mut *s, neg).is_err());
        assert!(matches!(g.get(&*s), Val::FuncRef(None)));
        g.set(&mut *s, inc).unwrap();
        assert_eq!(call(s, "via_global", &[]).unwrap(), Val::I32(8));
        let t = inst.get_table(&*s, "tab").unwrap();
        assert!(t.set(&mut *s, 0, neg).is_err());
        assert!(t.grow(&mut *s, 1, neg).is_err());
        assert_eq!(t.size(&*s), 2);
        t.set(&mut *s, 1, inc).unwrap();
        assert_eq!(call(s, "via_table", &[Val::I32(1)]).unwrap(), Val::I32(8));
        let e = call(s, "via_table", &[Val::I32(0)]).unwrap_err();
        assert_eq!(common::trap_kind(e), TrapKind::NullFunctionReference);
    }
}

//! Semantics of the fused and shortened forms that are not memory accesses:
//! rotations by a constant, paired copies, results computed straight into
//! the return slot, and `br_table` taking its entry directly. Each test also
//! checks that the translation really used the form under test.

mod common;

use common::{call, disassembly};
use wasiproc_engine::*;

#[test]
fn rotations_by_a_constant_match_the_operator_forms() {
    let (module, mut store, inst) = common::instantiate(
        &Engine::default(),
        r#"(module
        (func (export "rotl32") (param i32) (result i32)
          (i32.rotl (local.get 0) (i32.const 5)))
        (func (export "rotr32") (param i32) (result i32)
          (i32.rotr (local.get 0) (i32.const 5)))
        (func (export "rotl32_big") (param i32) (result i32)
          (i32.rotl (local.get 0) (i32.const 37)))
        (func (export "rotr32_neg") (param i32) (result i32)
          (i32.rotr (local.get 0) (i32.const -3)))
        (func (export "rotl64") (param i64) (result i64)
          (i64.rotl (local.get 0) (i64.const 13)))
        (func (export "rotr64") (param i64) (result i64)
          (i64.rotr (local.get 0) (i64.const 13)))
        (func (export "rotr64_zero") (param i64) (result i64)
          (i64.rotr (local.get 0) (i64.const 64)))
        (func (export "rotl32_var") (param i32 i32) (result i32)
          (i32.rotl (local.get 0) (local.get 1))))"#,
    );
    let text = disassembly(&module, 0..8);
    assert_eq!(text.matches("I32RotlImm").count(), 4, "{text}");
    assert_eq!(text.matches("I64RotlImm").count(), 3, "{text}");
    let mut f32 = |name: &str, x: i32| call::<i32, i32>(&inst, &mut store, name, x).unwrap() as u32;
    for x in [0x8000_0001u32 as i32, 0x1234_5678, -1, 0] {
        let u = x as u32;
        assert_eq!(f32("rotl32", x), u.rotate_left(5));
        assert_eq!(f32("rotr32", x), u.rotate_right(5));
        // 37 rotates like 5; -3 (an amount of 0xFFFF_FFFD) rotates right by 29.
        assert_eq!(f32("rotl32_big", x), u.rotate_left(5));
        assert_eq!(f32("rotr32_neg", x), u.rotate_right(29));
    }
    for x in [0x8000_0001u32 as i32, 0x1234_5678, -1, 0] {
        for n in [0, 5, 31, 32, 37] {
            let got: i32 = call(&inst, &mut store, "rotl32_var", (x, n)).unwrap();
            assert_eq!(got as u32, (x as u32).rotate_left(n as u32));
        }
    }
    let mut f64 = |name: &str, x: i64| call::<i64, i64>(&inst, &mut store, name, x).unwrap() as u64;
    for x in [0x8000_0000_0000_0001u64 as i64, 0x0123_4567_89ab_cdef, -1] {
        let u = x as u64;
        assert_eq!(f64("rotl64", x), u.rotate_left(13));
        assert_eq!(f64("rotr64", x), u.rotate_right(13));
        assert_eq!(f64("rotr64_zero", x), u);
    }
}

#[test]
fn paired_copies_run_in_order() {
    // The loop ends by shifting four locals (d <- c, c <- b, b <- a,
    // a <- sum): each copy reads what the previous one has not yet
    // overwritten only if they run first to last.
    let (module, mut store, inst) = common::instantiate(
        &Engine::default(),
        r#"(module
        (func (export "shift") (param $n i32) (result i32)
          (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $s i32)
          (local.set $a (i32.const 1))
          (local.set $b (i32.const 2))
          (local.set $c (i32.const 3))
          (local.set $d (i32.const 4))
          (block $done
            (loop $next
              (br_if $done (i32.eqz (local.get $n)))
              (local.set $s (i32.add (i32.mul (local.get $a) (i32.const 3))
                                     (i32.add (local.get $b) (local.get $d))))
              (local.set $d (local.get $c))
              (local.set $c (local.get $b))
              (local.set $b (local.get $a))
              (local.set $a (local.get $s))
              (local.set $n (i32.sub (local.get $n) (i32.const 1)))
              (br $next)))
          (i32.add (i32.mul (local.get $a) (i32.const 1000000))
            (i32.add (i32.mul (local.get $b) (i32.const 10000))
              (i32.add (i32.mul (local.get $c) (i32.const 100)) (local.get $d))))))"#,
    );
    let text = disassembly(&module, 0..1);
    assert!(text.contains("Copy2"), "{text}");
    let shift = inst.get_typed_func::<i32, i32>(&store, "shift").unwrap();
    let expected = |n: i32| {
        let (mut a, mut b, mut c, mut d) = (1i32, 2i32, 3i32, 4i32);
        for _ in 0..n {
            let s = a.wrapping_mul(3).wrapping_add(b.wrapping_add(d));
            (d, c, b, a) = (c, b, a, s);
        }
        a.wrapping_mul(1_000_000).wrapping_add(
            b.wrapping_mul(10_000)
                .wrapping_add(c.wrapping_mul(100).wrapping_add(d)),
        )
    };
    for n in [0, 1, 2, 3, 7, 50] {
        assert_eq!(shift.call(&mut store, n).unwrap(), expected(n), "n = {n}");
    }
}

#[test]
fn a_result_computed_into_the_return_slot_reads_its_operands_first() {
    // `a - b` written straight to slot 0, which holds `a` itself.
    let (module, mut store, inst) = common::instantiate(
        &Engine::default(),
        r#"(module
        (func (export "sub") (param i32 i32) (result i32)
          (i32.sub (local.get 0) (local.get 1)))
        (func (export "sub_rev") (param i32 i32) (result i32)
          (i32.sub (local.get 1) (local.get 0)))
        (func (export "early") (param i32 i32) (result i32)
          (if (local.get 1) (then (return (i32.mul (local.get 0) (local.get 1)))))
          (i32.add (local.get 0) (i32.const 7))))"#,
    );
    let text = disassembly(&module, 0..3);
    assert!(
        !text.contains("Copy"),
        "results should be computed in place:\n{text}"
    );
    let mut f = |name: &str, a: i32, b: i32| {
        call::<(i32, i32), i32>(&inst, &mut store, name, (a, b)).unwrap()
    };
    assert_eq!(f("sub", 10, 3), 7);
    assert_eq!(f("sub_rev", 10, 3), -7);
    assert_eq!(f("early", 6, 7), 42);
    assert_eq!(f("early", 6, 0), 13);
}

#[test]
fn br_table_takes_each_entry_and_the_default() {
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let (_module, mut store, inst) = common::instantiate(
        &engine,
        r#"(module
        (func (export "pick") (param i32) (result i32)
          (block $d (block $c (block $b (block $a
            (br_table $a $b $c $d (local.get 0)))
            (return (i32.const 10)))
            (return (i32.const 20)))
            (return (i32.const 30)))
          (i32.const 40)))"#,
    );
    store.set_fuel(1_000).unwrap();
    let pick = inst.get_typed_func::<i32, i32>(&store, "pick").unwrap();
    for (i, want) in [(0, 10), (1, 20), (2, 30), (3, 40), (4, 40), (-1, 40)] {
        assert_eq!(pick.call(&mut store, i).unwrap(), want, "index {i}");
    }
}

/// `(x << k) + y` (either order of the sum) and `(x >> k) & mask` run as
/// superinstructions (`I32ShlImmAdd`, `I32ShrUImmAndImm`) that also leave
/// the shifted value in its slot, as the two instructions do; shifts by 32
/// or more take the amount mod 32, masks wider than 16 bits are not fused.
#[test]
fn shift_then_add_or_mask_match_the_two_operators() {
    let (module, mut store, inst) = common::instantiate(
        &Engine::default(),
        r#"(module
        (func (export "shl_add") (param i32 i32) (result i32) (local i32)
          (local.set 2 (i32.shl (local.get 0) (i32.const 35)))
          (i32.xor (i32.add (local.get 1) (local.get 2)) (i32.mul (local.get 2) (i32.const 1000))))
        (func (export "shl_add2") (param i32 i32) (result i32)
          (i32.add (i32.shl (local.get 0) (i32.const 3)) (local.get 1)))
        (func (export "shr_and") (param i32) (result i32) (local i32)
          (local.set 1 (i32.shr_u (local.get 0) (i32.const 36)))
          (i32.xor (i32.and (local.get 1) (i32.const 0xfff0)) (i32.mul (local.get 1) (i32.const 1000))))
        (func (export "shr_and_wide") (param i32) (result i32)
          (i32.and (i32.shr_u (local.get 0) (i32.const 4)) (i32.const 0x1ffff))))"#,
    );
    let text = disassembly(&module, 0..4);
    assert_eq!(text.matches("I32ShlImmAdd").count(), 2, "{text}");
    assert_eq!(text.matches("I32ShrUImmAndImm").count(), 1, "{text}");
    for (x, y) in [
        (0x1234_5678_u32, 99_u32),
        (u32::MAX, 1),
        (0x8000_0001, 0xffff_fff0),
    ] {
        let t = x.wrapping_shl(35);
        let want = y.wrapping_add(t) ^ t.wrapping_mul(1000);
        let got: i32 = call(&inst, &mut store, "shl_add", (x as i32, y as i32)).unwrap();
        assert_eq!(got as u32, want);
        let got: i32 = call(&inst, &mut store, "shl_add2", (x as i32, y as i32)).unwrap();
        assert_eq!(got as u32, (x << 3).wrapping_add(y));
        let t = x >> 4;
        let got: i32 = call(&inst, &mut store, "shr_and", x as i32).unwrap();
        assert_eq!(got as u32, (t & 0xfff0) ^ t.wrapping_mul(1000));
        let got: i32 = call(&inst, &mut store, "shr_and_wide", x as i32).unwrap();
        assert_eq!(got as u32, t & 0x1ffff);
    }
}

//! SIMD and relaxed SIMD beyond the specification scripts: `v128` values
//! through every construct that moves values (block parameters and results,
//! `br_table`, `select`, calls with mixed slot widths, globals, host
//! functions, the embedding API), the instruction forms for frames whose
//! slots do not fit 16 bits, resumption, the fixed results of the relaxed
//! operations, and NaN canonicalisation of vector lanes.

mod common;

use wasiproc_engine::*;

/// A v128 from four i32 lanes (lane 0 first).
fn i32x4(l: [i32; 4]) -> u128 {
    l.iter()
        .enumerate()
        .fold(0, |v, (i, x)| v | (*x as u32 as u128) << (32 * i))
}

/// The four i32 lanes of a v128.
fn lanes32(v: u128) -> [u32; 4] {
    std::array::from_fn(|i| (v >> (32 * i)) as u32)
}

const FLOW: &str = r#"(module
  (global $g (export "g") (mut v128) (v128.const i32x4 10 20 30 40))
  ;; ((a + b) * splat(k), n + 1): parameters and results of both widths.
  (func $mix (param $k i32) (param $a v128) (param $n i64) (param $b v128) (result v128 i64)
    (i32x4.mul (i32x4.add (local.get $a) (local.get $b)) (i32x4.splat (local.get $k)))
    (i64.add (local.get $n) (i64.const 1)))
  (func (export "flow") (param $n i32) (result v128 i64)
    (local $acc v128) (local $i i64) (local $t v128)
    (local.set $acc (global.get $g))
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (call $mix (i32.const 2) (local.get $acc) (local.get $i) (v128.const i32x4 1 1 1 1))
        (local.set $i)
        (local.set $acc)
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.set $t
      (select (result v128) (local.get $acc) (v128.const i32x4 0 0 0 0) (i32.const 1)))
    (drop (local.tee $acc (local.get $acc)))
    (global.set $g (i32x4.sub (local.get $t) (global.get $g)))
    (local.get $t)
    (block $b0 (param v128) (result v128)
      (block $b1 (param v128) (result v128)
        (br_table $b0 $b1 (i32.wrap_i64 (local.get $i))))
      (i32x4.add (v128.const i32x4 100 100 100 100)))
    (if (param v128) (result v128) (i64.eqz (local.get $i))
      (then (i32x4.neg))
      (else (v128.const i64x2 0 0) (select (i32.const 1))))
    (local.get $i))
)"#;

/// Block values, `br_table`, `select`, calls and globals with v128s, with
/// fuel off and on, and resumed in slices of 3 units.
#[test]
fn v128_values_move_through_every_construct() {
    for fuel in [false, true] {
        let mut config = Config::new();
        config.consume_fuel(fuel);
        let engine = Engine::new(&config);
        for (n, want, g) in [
            (3, [194, 274, 354, 434], [84, 154, 224, 294]),
            (0, [-10, -20, -30, -40], [0, 0, 0, 0]),
        ] {
            let (_, mut store, inst) = common::instantiate(&engine, FLOW);
            if fuel {
                store.set_fuel(1_000_000).unwrap();
                store.set_fuel_slice(Some(3)).unwrap();
            }
            let f = inst.get_func(&store, "flow").unwrap();
            let mut outcome = f.call_resumable(&mut store, &[Val::I32(n)]).unwrap();
            let mut slices = 0;
            let results = loop {
                match outcome {
                    CallOutcome::Finished(v) => break v,
                    CallOutcome::Suspended(Suspension::OutOfSlice) => {
                        slices += 1;
                        outcome = store.resume().unwrap();
                    }
                    CallOutcome::Suspended(other) => panic!("unexpected {other:?}"),
                }
            };
            assert_eq!(results, vec![Val::V128(i32x4(want)), Val::I64(n as i64)]);
            assert_eq!(fuel, slices > 0, "slices: {slices}");
            let global = inst.get_global(&store, "g").unwrap();
            assert_eq!(global.get(&store), Val::V128(i32x4(g)));
        }
    }
}

/// Hand-found: in a frame of more than 65,536 slots the operands of a
/// two-operand SIMD instruction do not fit its 16-bit slot pair; the
/// translator must use the base form (operands moved to consecutive slots)
/// for binary operations, shifts and lane replacements alike.
#[test]
fn simd_operands_beyond_16_bit_slots() {
    let locals = "v128 ".repeat(40_000);
    let wat = format!(
        r#"(module (func (export "deep") (param i32) (result v128 i32)
          (local {locals})
          (local.set 40000 (v128.const i32x4 1 2 3 4))
          (i32x4.add (local.get 40000) (i32x4.splat (local.get 0)))
          (i32x4.shl (local.get 0))
          (i32x4.replace_lane 3 (i32.const 7))
          (v128.const i32x4 1 1 1 1)
          (v128.const i32x4 0 -1 0 -1)
          (v128.bitselect)
          (i32x4.extract_lane 1 (local.get 40000))))"#
    );
    let (_, mut store, inst) = common::instantiate(&Engine::default(), &wat);
    let f = inst.get_func(&store, "deep").unwrap();
    let mut out = [Val::I32(0), Val::I32(0)];
    f.call(&mut store, &[Val::I32(2)], &mut out).unwrap();
    assert_eq!(out, [Val::V128(i32x4([1, 16, 1, 7])), Val::I32(2)]);
}

/// v128s cross the host boundary as `Val::V128`, in both directions.
#[test]
fn host_functions_take_and_return_v128() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        wat::parse_str(
            r#"(module
              (import "host" "shl" (func $shl (param v128 i32) (result v128)))
              (func (export "go") (param v128) (result v128)
                (call $shl (local.get 0) (i32.const 1))))"#,
        )
        .unwrap(),
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_new(
            "host",
            "shl",
            FuncType::new([ValType::V128, ValType::I32], [ValType::V128]),
            |_, p, r| {
                r[0] = Val::V128(p[0].v128().unwrap() << p[1].i32().unwrap());
                Ok(())
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let go = inst.get_func(&store, "go").unwrap();
    let mut out = [Val::V128(0)];
    go.call(&mut store, &[Val::V128(1 | 2 << 64)], &mut out)
        .unwrap();
    assert_eq!(out[0], Val::V128(2 | 4 << 64));
}

/// Accesses of a 64-bit memory (the general form), in and out of bounds.
#[test]
fn lane_accesses_of_a_64_bit_memory() {
    let (_, mut store, inst) = common::instantiate(
        &Engine::default(),
        r#"(module
          (memory i64 1)
          (data (i64.const 0) "\01\02\03\04\05\06\07\08\f0\f1\f2\f3")
          (func (export "go") (param i64) (result v128)
            (v128.store32_lane 1 (i64.const 100) (v128.load8x8_s (local.get 0)))
            (v128.load32_lane offset=100 2 (i64.const 0) (v128.load64_zero (i64.const 4)))))"#,
    );
    let go = inst.get_func(&store, "go").unwrap();
    let mut out = [Val::V128(0)];
    go.call(&mut store, &[Val::I64(4)], &mut out).unwrap();
    // load8x8_s at 4: i16 lanes 5 6 7 8 -16 -15 -14 -13; lane 1 of i32x4
    // (i16 lanes 2, 3 = 7, 8) stored at 100, loaded into lane 2 of the
    // bytes 4..12 zero-extended.
    let want = i32x4([0x0807_0605, 0xf3f2_f1f0_u32 as i32, 0x0008_0007, 0]);
    assert_eq!(out[0], Val::V128(want));
    let e = go
        .call(&mut store, &[Val::I64(65_530)], &mut out)
        .unwrap_err();
    assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
}

/// Each relaxed operation gives its documented result (docs/determinism.md).
#[test]
fn relaxed_operations_give_their_documented_results() {
    let (_, mut store, inst) = common::instantiate(
        &Engine::default(),
        r#"(module
          (func (export "madd") (result v128)
            ;; (1 + 2^-12)^2 - (1 + 2^-11) is 2^-24 fused, 0 unfused.
            (f32x4.relaxed_madd (v128.const f32x4 0x1.001p+0 0x1.001p+0 0x1.001p+0 0x1.001p+0)
                                (v128.const f32x4 0x1.001p+0 0x1.001p+0 0x1.001p+0 0x1.001p+0)
                                (v128.const f32x4 -0x1.002p+0 -0x1.002p+0 -0x1.002p+0 -0x1.002p+0)))
          (func (export "dot") (result v128)
            (i16x8.relaxed_dot_i8x16_i7x16_s (v128.const i8x16 -128 -128 -128 127 0 0 0 0 0 0 0 0 0 0 0 0)
                                             (v128.const i8x16 -128 -128 -1 -1 0 0 0 0 0 0 0 0 0 0 0 0)))
          (func (export "dot_add") (result v128)
            (i32x4.relaxed_dot_i8x16_i7x16_add_s (v128.const i8x16 -128 -128 -128 -128 0 0 0 0 0 0 0 0 0 0 0 0)
                                                 (v128.const i8x16 -128 -128 -128 -128 0 0 0 0 0 0 0 0 0 0 0 0)
                                                 (v128.const i32x4 1 2 3 4)))
          (func (export "trunc") (result v128)
            (i32x4.relaxed_trunc_f32x4_s (v128.const f32x4 nan 3e9 -3e9 -1.5)))
          (func (export "swizzle") (result v128)
            (i8x16.relaxed_swizzle (v128.const i32x4 0x03020100 0x07060504 0x0b0a0908 0x0f0e0d0c)
                                   (v128.const i8x16 0 16 200 128 4 4 4 4 15 15 15 15 1 1 1 1)))
          (func (export "laneselect") (result v128)
            (i32x4.relaxed_laneselect (v128.const i32x4 -1 -1 -1 -1) (v128.const i32x4 0 0 0 0)
                                      (v128.const i32x4 0x0000ffff 0 -1 0x80000000)))
          (func (export "min") (result v128)
            (f32x4.relaxed_min (v128.const f32x4 -0 0 nan 1) (v128.const f32x4 0 -0 1 nan))))"#,
    );
    let mut get = |name: &str| {
        let f = inst.get_func(&store, name).unwrap();
        let mut out = [Val::V128(0)];
        f.call(&mut store, &[], &mut out).unwrap();
        lanes32(out[0].v128().unwrap())
    };
    assert_eq!(get("madd"), [0; 4], "unfused multiply-add");
    // -128 * -128 * 2 saturates to 32767; -128 * -1 + 127 * -1 = 1.
    assert_eq!(get("dot")[0], 0x0001_7fff);
    // Two saturated pair sums: 32767 * 2 + 1.
    assert_eq!(get("dot_add"), [65_535, 2, 3, 4]);
    assert_eq!(
        get("trunc"),
        [0, i32::MAX as u32, i32::MIN as u32, (-1i32) as u32]
    );
    assert_eq!(
        get("swizzle"),
        [0x0000_0000, 0x0404_0404, 0x0f0f_0f0f, 0x0101_0101]
    );
    assert_eq!(
        get("laneselect"),
        [0x0000_ffff, 0, 0xffff_ffff, 0x8000_0000]
    );
    let min = get("min");
    assert_eq!(min[0], 0x8000_0000, "-0 below +0");
    assert_eq!(min[1], 0x8000_0000, "-0 below +0");
    assert!(f32::from_bits(min[2]).is_nan() && f32::from_bits(min[3]).is_nan());
}

/// With `canonicalize_nans`, every NaN lane a vector float operation makes
/// is the canonical NaN; other lanes are untouched.
#[test]
fn nan_lanes_are_canonical_in_deterministic_runs() {
    let mut config = Config::new();
    config.canonicalize_nans(true);
    let (_, mut store, inst) = common::instantiate(
        &Engine::new(&config),
        r#"(module
          (func (export "div") (param v128) (result v128)
            (f32x4.div (local.get 0) (v128.const f32x4 0 2 0 3)))
          (func (export "sqrt") (result v128)
            (f64x2.sqrt (v128.const f64x2 -1 4)))
          (func (export "madd") (result v128)
            (f32x4.relaxed_madd (v128.const f32x4 inf 1 -inf 2) (v128.const f32x4 0 1 0 2)
                                (v128.const f32x4 1 1 1 1)))
          (func (export "tee") (param v128) (result v128) (local v128)
            (local.tee 1 (f32x4.mul (local.get 0) (v128.const f32x4 0 0 0 0)))))"#,
    );
    let mut call = |name: &str, params: &[Val]| {
        let f = inst.get_func(&store, name).unwrap();
        let mut out = [Val::V128(0)];
        f.call(&mut store, params, &mut out).unwrap();
        out[0].v128().unwrap()
    };
    let x = Val::V128(i32x4([
        0,
        1.0f32.to_bits() as i32,
        0x7fc0_0001,
        6.0f32.to_bits() as i32,
    ]));
    assert_eq!(
        lanes32(call("div", &[x])),
        [0x7fc0_0000, 0.5f32.to_bits(), 0x7fc0_0000, 2.0f32.to_bits()]
    );
    let sqrt = call("sqrt", &[]);
    assert_eq!(sqrt as u64, 0x7ff8_0000_0000_0000);
    assert_eq!((sqrt >> 64) as u64, 2.0f64.to_bits());
    assert_eq!(
        lanes32(call("madd", &[])),
        [0x7fc0_0000, 2.0f32.to_bits(), 0x7fc0_0000, 5.0f32.to_bits()]
    );
    let inf = Val::V128(i32x4([f32::INFINITY.to_bits() as i32, 0, 0, 0]));
    assert_eq!(lanes32(call("tee", &[inf])), [0x7fc0_0000, 0, 0, 0]);
}

/// `wasm_simd(false)` and `wasm_proposals(false)` refuse v128 code;
/// `wasm_relaxed_simd(false)` refuses only the relaxed operators.
#[test]
fn simd_switches_refuse_vector_code() {
    let plain = wat::parse_str(
        r#"(module (func (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))))"#,
    )
    .unwrap();
    let relaxed = wat::parse_str(
        r#"(module (func (result v128) (i8x16.relaxed_swizzle (v128.const i64x2 0 0) (v128.const i64x2 0 0))))"#,
    )
    .unwrap();
    let compiles = |config: &Config, wasm: &[u8]| Module::new(&Engine::new(config), wasm).is_ok();
    let all = Config::new();
    assert!(compiles(&all, &plain) && compiles(&all, &relaxed));
    let mut no_simd = Config::new();
    no_simd.wasm_simd(false);
    assert!(!compiles(&no_simd, &plain) && !compiles(&no_simd, &relaxed));
    let mut v2 = Config::new();
    v2.wasm_proposals(false);
    assert!(!compiles(&v2, &plain));
    let mut no_relaxed = Config::new();
    no_relaxed.wasm_relaxed_simd(false);
    assert!(compiles(&no_relaxed, &plain) && !compiles(&no_relaxed, &relaxed));
}

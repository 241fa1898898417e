//! Semantics of the fused memory forms (address addition folded into a
//! load, constant stores, f64 arithmetic on a loaded operand), including
//! the address wrap-around that makes an `i32.add` differ from a load
//! offset. Each test also checks that the translation really used the
//! fused form.

mod common;

use common::{call, disassembly, trap_kind};
use wasiproc_engine::*;

#[test]
fn add_then_load_wraps_like_wasm() {
    let (module, mut store, inst) = common::instantiate(
        &Engine::default(),
        r#"(module (memory 1)
        (data (i32.const 0) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
        (func (export "wrap32") (param i32) (result i32)
          (i32.load (i32.add (local.get 0) (i32.const 8))))
        (func (export "wrap64") (param i32) (result i64)
          (i64.load (i32.add (local.get 0) (i32.const 8))))
        (func (export "wrapf64") (param i32) (result f64)
          (f64.load (i32.add (local.get 0) (i32.const 8))))
        (func (export "wrap8") (param i32) (result i32)
          (i32.load8_u (i32.add (local.get 0) (i32.const 8))))
        (func (export "idx8s") (param i32 i32) (result i32)
          (i32.load8_s (i32.add (local.get 0) (local.get 1))))
        (func (export "idx16") (param i32 i32) (result i32)
          (i32.load16_u (i32.add (local.get 0) (local.get 1))))
        (func (export "idx32") (param i32 i32) (result i32)
          (i32.load (i32.add (local.get 0) (local.get 1)))))"#,
    );
    let text = disassembly(&module, 0..7);
    for form in [
        "I32LoadWrap",
        "I64LoadWrap",
        "F64LoadWrap",
        "I32Load8UWrap",
        "I32Load8SIdx",
        "I32Load16UIdx",
        "I32LoadIdx",
    ] {
        assert!(text.contains(form), "{form} not used:\n{text}");
    }
    let wrap32 = inst.get_typed_func::<i32, i32>(&store, "wrap32").unwrap();
    // 0xFFFF_FFFC + 8 wraps to 4: reads bytes 4..8, no trap.
    assert_eq!(wrap32.call(&mut store, -4).unwrap(), 0x0807_0605);
    assert_eq!(wrap32.call(&mut store, 0).unwrap(), 0x0c0b_0a09);
    assert_eq!(
        trap_kind(wrap32.call(&mut store, 65536 - 8).unwrap_err()),
        TrapKind::MemoryOutOfBounds
    );
    let wrap64 = inst.get_typed_func::<i32, i64>(&store, "wrap64").unwrap();
    assert_eq!(wrap64.call(&mut store, -8).unwrap(), 0x0807_0605_0403_0201);
    let wrapf64 = inst.get_typed_func::<i32, f64>(&store, "wrapf64").unwrap();
    assert_eq!(
        wrapf64.call(&mut store, -8).unwrap().to_bits(),
        0x0807_0605_0403_0201
    );
    let wrap8 = inst.get_typed_func::<i32, i32>(&store, "wrap8").unwrap();
    assert_eq!(wrap8.call(&mut store, -1).unwrap(), 8);
    let idx8s = inst
        .get_typed_func::<(i32, i32), i32>(&store, "idx8s")
        .unwrap();
    assert_eq!(idx8s.call(&mut store, (-1, 3)).unwrap(), 3);
    let idx16 = inst
        .get_typed_func::<(i32, i32), i32>(&store, "idx16")
        .unwrap();
    assert_eq!(idx16.call(&mut store, (-2, 4)).unwrap(), 0x0403);
    let idx32 = inst
        .get_typed_func::<(i32, i32), i32>(&store, "idx32")
        .unwrap();
    assert_eq!(idx32.call(&mut store, (10, 2)).unwrap(), 0x100f_0e0d);
    assert_eq!(
        trap_kind(idx32.call(&mut store, (65533, 0)).unwrap_err()),
        TrapKind::MemoryOutOfBounds
    );
}

#[test]
fn constant_stores_write_the_right_bytes() {
    let (module, mut store, inst) = common::instantiate(
        &Engine::default(),
        r#"(module (memory (export "m") 1)
        (func (export "run") (param i32)
          (i32.store (local.get 0) (i32.const 0x11223344))
          (i32.store8 offset=4 (local.get 0) (i32.const 0x1ff))
          (i32.store16 offset=6 (local.get 0) (i32.const 0x12345))
          (i64.store offset=8 (local.get 0) (i64.const -2))
          (f64.store offset=16 (local.get 0) (f64.const 0))
          (f64.store offset=24 (local.get 0) (f64.const -0))
          (f32.store offset=32 (local.get 0) (f32.const 1.5))
          (i64.store32 offset=36 (local.get 0) (i64.const 0x1_0000_0007))
          (i64.store8 offset=40 (local.get 0) (i64.const 0x1ab))))"#,
    );
    let text = module.disassemble(0).unwrap();
    for form in [
        "I32StoreImm",
        "I32Store8Imm",
        "I32Store16Imm",
        "I64StoreImm",
    ] {
        assert!(text.contains(form), "{form} not used:\n{text}");
    }
    // -0.0 does not fit a sign-extended 32-bit immediate: stored as before.
    assert!(text.contains("F64Store"), "{text}");
    let mem = inst.get_memory(&store, "m").unwrap();
    mem.write(&mut store, 100, &[0xee; 48]).unwrap();
    let run = inst.get_typed_func::<i32, ()>(&store, "run").unwrap();
    run.call(&mut store, 100).unwrap();
    let mut got = [0u8; 48];
    mem.read(&store, 100, &mut got).unwrap();
    let mut want = [0xee_u8; 48];
    want[0..4].copy_from_slice(&0x1122_3344_u32.to_le_bytes());
    want[4] = 0xff;
    want[6..8].copy_from_slice(&0x2345_u16.to_le_bytes());
    want[8..16].copy_from_slice(&(-2_i64).to_le_bytes());
    want[16..24].copy_from_slice(&0.0_f64.to_le_bytes());
    want[24..32].copy_from_slice(&(-0.0_f64).to_le_bytes());
    want[32..36].copy_from_slice(&1.5_f32.to_le_bytes());
    want[36..40].copy_from_slice(&7_u32.to_le_bytes());
    want[40] = 0xab;
    assert_eq!(got, want);
    assert_eq!(
        trap_kind(run.call(&mut store, 65536 - 2).unwrap_err()),
        TrapKind::MemoryOutOfBounds
    );
}

#[test]
fn constant_stores_at_an_added_address_wrap_like_wasm() {
    let (module, mut store, inst) = common::instantiate(
        &Engine::default(),
        r#"(module (memory (export "m") 1)
        (func (export "st") (param i32 i32)
          (i32.store8 (i32.add (local.get 0) (local.get 1)) (i32.const 0x1ab))
          (i32.store (i32.add (local.get 0) (i32.add (local.get 1) (i32.const 8))) (i32.const -2))
          (i64.store (i32.add (local.get 0) (i32.add (local.get 1) (i32.const 16))) (i64.const -3))))"#,
    );
    let text = module.disassemble(0).unwrap();
    for form in ["I32Store8ImmIdx", "I32StoreImmIdx", "I64StoreImmIdx"] {
        assert!(text.contains(form), "{form} not used:\n{text}");
    }
    let st = inst.get_typed_func::<(i32, i32), ()>(&store, "st").unwrap();
    // 0xFFFF_FFF0 + 0x20 wraps to 0x10.
    st.call(&mut store, (-16, 32)).unwrap();
    let mem = inst.get_memory(&store, "m").unwrap();
    let mut got = [0u8; 24];
    mem.read(&store, 16, &mut got).unwrap();
    let mut want = [0u8; 24];
    want[0] = 0xab;
    want[8..12].copy_from_slice(&(-2_i32).to_le_bytes());
    want[16..24].copy_from_slice(&(-3_i64).to_le_bytes());
    assert_eq!(got, want);
    assert_eq!(
        trap_kind(st.call(&mut store, (65536, 0)).unwrap_err()),
        TrapKind::MemoryOutOfBounds
    );
}

#[test]
fn select_with_a_zero_first_operand() {
    let (module, mut store, inst) = common::instantiate(
        &Engine::default(),
        r#"(module
        (func (export "z32") (param i32 i32) (result i32)
          (select (i32.const 0) (local.get 0) (local.get 1)))
        (func (export "z64") (param i64 i32) (result i64)
          (select (i64.const 0) (local.get 0) (local.get 1))))"#,
    );
    let text = disassembly(&module, 0..2);
    assert_eq!(text.matches("SelectZero").count(), 2, "{text}");
    let z32 = inst
        .get_typed_func::<(i32, i32), i32>(&store, "z32")
        .unwrap();
    assert_eq!(z32.call(&mut store, (7, 1)).unwrap(), 0);
    assert_eq!(z32.call(&mut store, (7, 0)).unwrap(), 7);
    assert_eq!(z32.call(&mut store, (-7, -1)).unwrap(), 0);
    let z64 = inst
        .get_typed_func::<(i64, i32), i64>(&store, "z64")
        .unwrap();
    assert_eq!(z64.call(&mut store, (-1, 0)).unwrap(), -1);
    assert_eq!(z64.call(&mut store, (-1, 5)).unwrap(), 0);
}

#[test]
fn f64_arithmetic_on_a_loaded_right_operand() {
    let (module, mut store, inst) = common::instantiate(
        &Engine::default(),
        r#"(module (memory 1)
        (func (export "init")
          (f64.store (i32.const 8) (f64.const 2.5))
          (f64.store (i32.const 24) (f64.const -4.0)))
        (func (export "mul") (param f64 i32) (result f64)
          (f64.mul (local.get 0) (f64.load (local.get 1))))
        (func (export "add") (param f64 i32) (result f64)
          (f64.add (local.get 0) (f64.load offset=16 (local.get 1))))
        (func (export "sub") (param f64 i32) (result f64)
          (f64.sub (local.get 0) (f64.load (local.get 1))))
        (func (export "sub_chain") (param f64 i32) (result f64)
          (f64.sub (f64.mul (local.get 0) (local.get 0)) (f64.load (local.get 1)))))"#,
    );
    let text = disassembly(&module, 1..5);
    for form in ["F64MulLoad", "F64AddLoad", "F64SubLoad"] {
        assert!(text.contains(form), "{form} not used:\n{text}");
    }
    assert!(
        !text.contains("F64Load "),
        "a load was left unfused:\n{text}"
    );
    call::<(), ()>(&inst, &mut store, "init", ()).unwrap();
    let f = |store: &mut Store<()>, name: &str, x: f64, addr: i32| {
        call::<(f64, i32), f64>(&inst, store, name, (x, addr))
    };
    assert_eq!(f(&mut store, "mul", 3.0, 8).unwrap(), 7.5);
    assert_eq!(f(&mut store, "add", 1.0, 8).unwrap(), -3.0);
    // The loaded value is the right operand: x - mem, not mem - x.
    assert_eq!(f(&mut store, "sub", 1.0, 8).unwrap(), -1.5);
    assert_eq!(f(&mut store, "sub_chain", 3.0, 24).unwrap(), 13.0);
    for (name, addr) in [("mul", 65536 - 7), ("add", 65536 - 23), ("sub", -1)] {
        assert_eq!(
            trap_kind(f(&mut store, name, 1.0, addr).unwrap_err()),
            TrapKind::MemoryOutOfBounds,
            "{name} at {addr}"
        );
    }
    assert_eq!(f(&mut store, "mul", 2.0, 65536 - 8).unwrap(), 0.0);
}

#[test]
fn scaled_index_loads_shift_then_add_like_wasm() {
    let (module, mut store, inst) = common::instantiate(
        &Engine::default(),
        r#"(module (memory 1)
        (data (i32.const 0) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
        (func (export "i32") (param i32 i32) (result i32)
          (i32.load (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2)))))
        (func (export "i64") (param i32 i32) (result i64)
          (i64.load (i32.add (i32.shl (local.get 1) (i32.const 3)) (local.get 0))))
        (func (export "f64") (param i32 i32) (result f64)
          (f64.load (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 35)))))
        (func (export "kept") (param i32 i32) (result i32)
          (local $s i32)
          (i32.load (i32.add (local.get 0) (local.tee $s (i32.shl (local.get 1) (i32.const 2)))))
          (i32.add (local.get $s))))"#,
    );
    let text = disassembly(&module, 0..4);
    for form in ["I32LoadIdxShl", "I64LoadIdxShl", "F64LoadIdxShl"] {
        assert!(text.contains(form), "{form} not used:\n{text}");
    }
    // A shift whose result is also kept in a local stays a separate instruction.
    let kept = module.disassemble(3).unwrap();
    assert!(kept.contains("I32ShlImm"), "{kept}");
    let mut i32_at = |name: &str, base: i32, index: i32| {
        call::<(i32, i32), i32>(&inst, &mut store, name, (base, index)).map(|v| v as u32)
    };
    assert_eq!(i32_at("i32", 4, 1).unwrap(), 0x0c0b_0a09);
    // base + (index << 2) wraps around 2^32 before the access: 8 - 4 = 4.
    assert_eq!(i32_at("i32", 8, 0x3fff_ffff).unwrap(), 0x0807_0605);
    // (1 << 30) << 2 wraps to 0 in 32 bits.
    assert_eq!(i32_at("i32", 0, 1 << 30).unwrap(), 0x0403_0201);
    assert_eq!(i32_at("kept", 4, 1).unwrap(), 0x0c0b_0a09 + 4);
    let i64_at = call::<(i32, i32), i64>(&inst, &mut store, "i64", (0, 1));
    assert_eq!(i64_at.unwrap() as u64, 0x100f_0e0d_0c0b_0a09);
    // 35 & 31 = 3: like the i64 case.
    let f64_at = call::<(i32, i32), f64>(&inst, &mut store, "f64", (0, 1));
    assert_eq!(f64_at.unwrap().to_bits(), 0x100f_0e0d_0c0b_0a09);
    assert_eq!(
        trap_kind(call::<(i32, i32), i64>(&inst, &mut store, "i64", (65536 - 8, 1)).unwrap_err()),
        TrapKind::MemoryOutOfBounds
    );
}

/// Sieve's marking loop, `i32.store8` of a constant at `base + j` (either
/// order of the sum), `j += step` and a `j <= lim` back edge, runs as one
/// superinstruction (`I32Store8ImmIdxAddBrI32LeU`): the same stores, the
/// same final `j`, the address wrapping like an `i32.add`, and a store out
/// of bounds trapping with the stores before it done; with and without
/// fuel metering.
#[test]
fn a_marking_loop_stores_steps_and_branches_like_wasm() {
    let wat = r#"(module (memory (export "m") 1)
        (func (export "mark") (param $base i32) (param $j i32) (param $step i32) (param $lim i32)
          (result i32)
          (loop $l
            (i32.store8 (i32.add (local.get $base) (local.get $j)) (i32.const 0x301))
            (br_if $l (i32.le_u (local.tee $j (i32.add (local.get $j) (local.get $step)))
                                (local.get $lim))))
          (local.get $j))
        (func (export "mark2") (param $base i32) (param $j i32) (param $step i32) (param $lim i32)
          (result i32)
          (loop $l
            (i32.store8 (i32.add (local.get $j) (local.get $base)) (i32.const 2))
            (br_if $l (i32.le_u (local.tee $j (i32.add (local.get $step) (local.get $j)))
                                (local.get $lim))))
          (local.get $j)))"#;
    for fuel in [false, true] {
        let (module, mut store, inst) = common::instantiate_fuel(fuel, wat);
        let text = disassembly(&module, 0..2);
        assert_eq!(
            text.matches("I32Store8ImmIdxAddBrI32LeU").count(),
            2,
            "not fused:\n{text}"
        );
        let mem = inst.get_memory(&store, "m").unwrap();
        let bytes = |store: &Store<()>| {
            let mut got = vec![0u8; 65536];
            mem.read(store, 0, &mut got).unwrap();
            got
        };
        let mut want = vec![0u8; 65536];
        // j = 0, 3, ..., 30 at 100 + j; returns the first j past 30.
        let j: i32 = call(&inst, &mut store, "mark", (100, 0, 3, 30)).unwrap();
        assert_eq!(j, 33);
        for j in (0..=30).step_by(3) {
            want[100 + j] = 1;
        }
        // 0xFFFF_FFF0 + j wraps: j = 16, 24, 32, 40 store at 0, 8, 16, 24.
        let j: i32 = call(&inst, &mut store, "mark2", (-16, 16, 8, 40)).unwrap();
        assert_eq!(j, 48);
        for a in [0, 8, 16, 24] {
            want[a] = 2;
        }
        // A loop entered once (j past lim after the first step).
        let j: i32 = call(&inst, &mut store, "mark", (200, 7, 5, 3)).unwrap();
        assert_eq!(j, 12);
        want[207] = 1;
        assert_eq!(bytes(&store), want);
        // 65530 and 65534 are stored, 65538 traps.
        let e = call::<(i32, i32, i32, i32), i32>(&inst, &mut store, "mark", (65530, 0, 4, 100));
        assert_eq!(trap_kind(e.unwrap_err()), TrapKind::MemoryOutOfBounds);
        want[65530] = 1;
        want[65534] = 1;
        assert_eq!(bytes(&store), want);
    }
}

/// An `i64.store` followed by a branch back to a loop's start runs as one
/// superinstruction (`I64StoreBr`): the stores land, the loop runs its
/// count (paying each iteration's fuel with metering on), and a store out
/// of bounds traps before the branch.
#[test]
fn a_store_then_branch_stores_and_jumps() {
    let wat = r#"(module (memory (export "m") 1)
        (func (export "fill") (param $at i32) (param $n i32) (result i32)
          (block $done
            (loop $l
              (br_if $done (i32.eqz (local.get $n)))
              (local.set $n (i32.sub (local.get $n) (i32.const 1)))
              (i64.store offset=8 (i32.add (local.get $at) (i32.shl (local.get $n) (i32.const 3)))
                (i64.extend_i32_u (local.get $n)))
              (br $l)))
          (local.get $n)))"#;
    for fuel in [false, true] {
        let (module, mut store, inst) = common::instantiate_fuel(fuel, wat);
        let text = disassembly(&module, 0..1);
        assert!(text.contains("I64StoreBr"), "not fused:\n{text}");
        let before = store.fuel_consumed();
        let left: i32 = call(&inst, &mut store, "fill", (64, 10)).unwrap();
        assert_eq!(left, 0);
        if fuel {
            // Every iteration pays for its loop header.
            let ten = store.fuel_consumed() - before;
            let left: i32 = call(&inst, &mut store, "fill", (64, 20)).unwrap();
            assert_eq!(left, 0);
            let twenty = store.fuel_consumed() - before - ten;
            assert!(twenty > ten && (twenty - ten) % 10 == 0, "{ten} {twenty}");
        }
        let mem = inst.get_memory(&store, "m").unwrap();
        let mut got = [0u8; 80];
        mem.read(&store, 72, &mut got).unwrap();
        for i in 0..10 {
            let v = u64::from_le_bytes(got[i * 8..i * 8 + 8].try_into().unwrap());
            assert_eq!(v, i as u64);
        }
        // n = 2 stores at 65528 + 8 + 8 = 65544: out of bounds, nothing stored.
        let e = call::<(i32, i32), i32>(&inst, &mut store, "fill", (65528, 2));
        assert_eq!(trap_kind(e.unwrap_err()), TrapKind::MemoryOutOfBounds);
    }
}

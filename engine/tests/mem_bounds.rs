//! Effective addresses past 4 GiB: `address + offset` of a 32-bit memory is
//! a 33-bit sum, and an access whose sum is at or past the memory's end
//! traps on every host. On a 32-bit host (`usize` of 32 bits: thumbv7em,
//! wasm32) the sum must not wrap to a small in-bounds address: here
//! `0x20 + 0xFFFF_FFF0` would wrap to `0x10`, where the data segment put
//! bytes a wrong load would return. The fast handlers (plain, fused, SIMD)
//! and the interpreter loop each compute the address, so every shape is
//! run with and without fuel. Run for a 32-bit target with
//! `cargo test -p wasiproc-engine --test mem_bounds --target wasm32-wasip1`
//! and `CARGO_TARGET_WASM32_WASIP1_RUNNER="target/release/wasiproc run"`.

mod common;

use wasiproc_engine::*;

const MODULE: &str = r#"(module
  (memory 1)
  (data (i32.const 0x10) "\ab\cd\ef\12\34\56\78\9a\ab\cd\ef\12\34\56\78\9a")
  (func (export "i32_load") (param i32) (result i32)
    (i32.load offset=0xFFFFFFF0 (local.get 0)))
  (func (export "i64_load") (param i32) (result i64)
    (i64.load offset=0xFFFFFFF0 (local.get 0)))
  (func (export "f64_load") (param i32) (result f64)
    (f64.load offset=0xFFFFFFF0 (local.get 0)))
  (func (export "load8_u") (param i32) (result i32)
    (i32.load8_u offset=0xFFFFFFF0 (local.get 0)))
  (func (export "add_load8_u") (param i32) (result i32)
    (i32.load8_u offset=0xFFFFFFF0 (i32.add (local.get 0) (i32.const 1))))
  (func (export "load8_u_br_table") (param i32) (result i32)
    (block $a (block $b
      (br_table $a $b (i32.load8_u offset=0xFFFFFFF0 (local.get 0))))
      (return (i32.const 1)))
    (i32.const 2))
  (func (export "i32_store") (param i32)
    (i32.store offset=0xFFFFFFF0 (local.get 0) (i32.const 0x01020304)))
  (func (export "store8") (param i32)
    (i32.store8 offset=0xFFFFFFF0 (local.get 0) (i32.const 7)))
  (func (export "v128_load") (param i32) (result i32)
    (i32x4.extract_lane 0 (v128.load offset=0xFFFFFFF0 (local.get 0))))
  (func (export "v128_load_lane") (param i32) (result i32)
    (i32x4.extract_lane 0
      (v128.load32_lane offset=0xFFFFFFF0 0 (local.get 0) (v128.const i32x4 0 0 0 0))))
  (func (export "byte") (param i32) (result i32)
    (i32.load8_u (local.get 0))))"#;

/// Every access at `0x20 + 0xFFFF_FFF0` (and `0x1F + 1 + ...`) traps as out
/// of bounds, and the bytes at `0x10`, which a wrapped address would reach,
/// are left as the data segment wrote them.
#[test]
fn an_address_past_4_gib_traps_and_does_not_wrap() {
    for fuel in [false, true] {
        let (_, mut store, inst) = common::instantiate_fuel(fuel, MODULE);
        let oob = |r: Result<(), Error>| {
            let e = r.expect_err("an access past 4 GiB must trap");
            assert_eq!(common::trap_kind(e), TrapKind::MemoryOutOfBounds);
        };
        let s = &mut store;
        oob(common::call::<i32, i32>(&inst, s, "i32_load", 0x20).map(drop));
        oob(common::call::<i32, i64>(&inst, s, "i64_load", 0x20).map(drop));
        oob(common::call::<i32, f64>(&inst, s, "f64_load", 0x20).map(drop));
        oob(common::call::<i32, i32>(&inst, s, "load8_u", 0x20).map(drop));
        oob(common::call::<i32, i32>(&inst, s, "add_load8_u", 0x1F).map(drop));
        oob(common::call::<i32, i32>(&inst, s, "load8_u_br_table", 0x20).map(drop));
        oob(common::call::<i32, ()>(&inst, s, "i32_store", 0x20));
        oob(common::call::<i32, ()>(&inst, s, "store8", 0x20));
        oob(common::call::<i32, i32>(&inst, s, "v128_load", 0x20).map(drop));
        oob(common::call::<i32, i32>(&inst, s, "v128_load_lane", 0x20).map(drop));
        // The stores did not land at the wrapped address.
        for (at, want) in [(0x10, 0xab), (0x11, 0xcd), (0x12, 0xef), (0x13, 0x12)] {
            let b: i32 = common::call(&inst, s, "byte", at).unwrap();
            assert_eq!(b, want, "byte {at:#x} (fuel {fuel})");
        }
        // From address 0 the offset alone is past the one page.
        oob(common::call::<i32, i32>(&inst, s, "i32_load", 0).map(drop));
    }
}

/// A memory of 65,536 pages (4 GiB) is either had in full or refused: on a
/// 32-bit host its byte size does not fit a `usize`, and it must not wrap
/// to an empty memory that `memory.grow` reports as grown (or that
/// instantiation creates with 0 bytes).
#[test]
fn a_4_gib_memory_is_had_in_full_or_refused() {
    let (_, mut store, inst) = common::instantiate_fuel(
        false,
        r#"(module
          (memory 0)
          (func (export "grow") (result i32) (memory.grow (i32.const 65536)))
          (func (export "size") (result i32) (memory.size)))"#,
    );
    let old: i32 = common::call(&inst, &mut store, "grow", ()).unwrap();
    let size: i32 = common::call(&inst, &mut store, "size", ()).unwrap();
    match old {
        -1 => assert_eq!(size, 0, "a refused growth leaves the memory"),
        0 => assert_eq!(size, 65536, "a growth reported done is there"),
        _ => panic!("memory.grow returned {old}"),
    }
    drop(store);
    let engine = Engine::default();
    let (_, store, inst) = common::load(&engine, r#"(module (memory (export "m") 65536))"#);
    if let Ok(inst) = inst {
        let m = inst.get_memory(&store, "m").unwrap();
        assert_eq!(m.size(&store), 65536);
        assert_eq!(m.data(&store).len() as u64, 1 << 32);
    }
}

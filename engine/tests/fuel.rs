//! The fuel model: one unit per Wasm operator, charged in advance per
//! region (function entry, loop header, `else` arm); the code after a
//! nested construct is charged in the region that entered it.

mod common;

use wasiproc_engine::*;

fn metered(wat: &str) -> (Store<()>, Instance) {
    let mut config = Config::new();
    config.consume_fuel(true);
    let (_, mut store, inst) = common::instantiate(&Engine::new(&config), wat);
    store.set_fuel(1_000_000).unwrap();
    (store, inst)
}

fn fuel_of(store: &mut Store<()>, inst: &Instance, name: &str, arg: i32) -> u64 {
    let before = store.fuel_consumed();
    common::call::<i32, i32>(inst, store, name, arg).unwrap();
    store.fuel_consumed() - before
}

#[test]
fn code_after_a_loop_is_charged_once_not_per_iteration() {
    // Entry region: `loop`, then (after the loop's `end`) `i32.const` and the
    // function's `end`: 3. Loop region, per iteration: local.get, i32.const,
    // i32.sub, local.set, local.get, br_if, end: 7.
    let (mut store, inst) = metered(
        r#"(module
        (func (export "count") (param $n i32) (result i32)
          (loop $l
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br_if $l (local.get $n)))
          (i32.const 42)))"#,
    );
    for n in [1, 2, 5, 100] {
        assert_eq!(
            fuel_of(&mut store, &inst, "count", n),
            3 + 7 * n as u64,
            "n = {n}"
        );
    }
}

#[test]
fn both_arms_of_an_if_are_charged_in_their_own_region() {
    // Entry region, charged whichever arm runs: local.get, if, the `then`
    // arm (i32.const, local.set), `else` (translated at the end of the
    // `then` arm), then after the `if`'s end local.get and the function's
    // end: 7. The `else` region: i32.const, local.set, i32.const, local.set
    // and the `if`'s end: 5.
    let (mut store, inst) = metered(
        r#"(module
        (func (export "pick") (param $c i32) (result i32) (local $r i32)
          (if (local.get $c)
            (then (local.set $r (i32.const 1)))
            (else (local.set $r (i32.const 2)) (local.set $r (i32.const 3))))
          (local.get $r)))"#,
    );
    assert_eq!(fuel_of(&mut store, &inst, "pick", 1), 7);
    assert_eq!(fuel_of(&mut store, &inst, "pick", 0), 7 + 5);
    assert_eq!(fuel_of(&mut store, &inst, "pick", -3), 7);
}

/// A module whose exports run one bulk operation of length `n` each, and
/// whose entry regions are the same for every `n`.
const BULK: &str = r#"(module
  (memory (export "mem") 4)
  (table $t (export "tab") 2000 funcref)
  (table $u 2000 funcref)
  (data $d "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
  (elem $e func $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f)
  (func $f)
  (func (export "mfill") (param $n i32) (result i32)
    (memory.fill (i32.const 0) (i32.const 7) (local.get $n)) (i32.const 0))
  (func (export "mcopy") (param $n i32) (result i32)
    (memory.copy (i32.const 100000) (i32.const 0) (local.get $n)) (i32.const 0))
  (func (export "minit") (param $n i32) (result i32)
    (memory.init $d (i32.const 0) (i32.const 0) (local.get $n)) (i32.const 0))
  (func (export "tfill") (param $n i32) (result i32)
    (table.fill $t (i32.const 0) (ref.func $f) (local.get $n)) (i32.const 0))
  (func (export "tcopy") (param $n i32) (result i32)
    (table.copy $u $t (i32.const 0) (i32.const 0) (local.get $n)) (i32.const 0))
  (func (export "tinit") (param $n i32) (result i32)
    (table.init $t $e (i32.const 0) (i32.const 0) (local.get $n)) (i32.const 0))
  (func (export "tgrow") (param $n i32) (result i32)
    (table.grow $u (ref.null func) (local.get $n))))"#;

#[test]
fn bulk_operations_cost_fuel_in_proportion_to_their_length() {
    let (mut store, inst) = metered(BULK);
    let mem_cases = [1, 63, 64, 65, 128, 160];
    for name in ["mfill", "mcopy", "minit"] {
        let base = fuel_of(&mut store, &inst, name, 0);
        for n in mem_cases {
            // One unit per started 64 bytes, on top of the operator's unit.
            let expected = base + (n as u64).div_ceil(64);
            assert_eq!(fuel_of(&mut store, &inst, name, n), expected, "{name}({n})");
            assert_eq!(isa::memory_bulk_fuel(n as u64), (n as u64).div_ceil(64));
        }
    }
    for name in ["tfill", "tcopy", "tinit", "tgrow"] {
        let base = fuel_of(&mut store, &inst, name, 0);
        for n in [1, 7, 8, 9, 16, 40] {
            // One unit per started 8 elements.
            assert_eq!(
                fuel_of(&mut store, &inst, name, n),
                base + (n as u64).div_ceil(8),
                "{name}({n})"
            );
        }
    }
    // A refused table.grow does no work and costs only its operator.
    let base = fuel_of(&mut store, &inst, "tgrow", 0);
    assert_eq!(fuel_of(&mut store, &inst, "tgrow", -1), base);
    // So does a bulk operation that traps out of bounds.
    let before = store.fuel_consumed();
    let err = common::call::<i32, i32>(&inst, &mut store, "mfill", 1 << 20).unwrap_err();
    assert_eq!(common::trap_kind(err), TrapKind::MemoryOutOfBounds);
    assert_eq!(
        store.fuel_consumed() - before,
        fuel_of(&mut store, &inst, "mfill", 0)
    );
}

#[test]
fn a_bulk_operation_the_budget_cannot_pay_traps_without_acting() {
    let (mut store, inst) = metered(BULK);
    let small = fuel_of(&mut store, &inst, "mfill", 0);
    // Enough for the operators of two calls and 100 units: a fill of 6,400
    // bytes fits, one of 64 KiB (1,024 units) does not.
    store.set_fuel(2 * small + 100).unwrap();
    let err = common::call::<i32, i32>(&inst, &mut store, "mfill", 65536).unwrap_err();
    assert_eq!(common::trap_kind(err), TrapKind::OutOfFuel);
    let mem = inst.get_memory(&store, "mem").unwrap();
    assert!(
        mem.data(&store)[..65536].iter().all(|&b| b == 0),
        "the fill ran although it could not be paid for"
    );
    // Only the operators of the entry region were charged (in advance).
    assert_eq!(
        store.get_fuel().unwrap(),
        small + 100,
        "the fill was charged"
    );
    common::call::<i32, i32>(&inst, &mut store, "mfill", 6400).unwrap();
    assert_eq!(store.get_fuel().unwrap(), 0);
    assert!(mem.data(&store)[..6400].iter().all(|&b| b == 7));
}

#[test]
fn a_bulk_charge_beyond_the_slice_is_paid_in_the_next_slice() {
    let engine = {
        let mut config = Config::new();
        config.consume_fuel(true);
        Engine::new(&config)
    };
    let (mut store, inst) = metered(BULK);
    let whole = fuel_of(&mut store, &inst, "mfill", 1 << 16);
    let (_, mut store, inst) = common::instantiate(&engine, BULK);
    store.set_fuel(1_000_000).unwrap();
    let f = inst.get_func(&store, "mfill").unwrap();
    let (results, slices) = common::run_sliced(&mut store, f, &[Val::I32(1 << 16)], 100);
    assert_eq!(results, vec![Val::I32(0)]);
    assert_eq!(store.fuel_consumed(), whole);
    // The 1,024 units of the fill exceed the 100-unit slice: the call stops
    // once before the fill and runs it at the start of the next slice.
    assert_eq!(slices, 1);
}

#[test]
fn branches_into_fuel_regions_stop_and_charge_as_the_regions_do() {
    // Back edges to a loop header and the branch of an `if` to its `else`
    // arm pay the region they enter as they take it (exec/threaded); every
    // slice length and every budget must see the charges and stopping
    // points of the regions themselves: the same result, the same fuel, and
    // "out of fuel" exactly below the total.
    let wat = r#"(module
        (func (export "mix") (param $n i32) (result i32) (local $acc i32)
          (loop $outer
            (block $skip
              (br_if $skip (i32.eqz (i32.and (local.get $n) (i32.const 3))))
              (if (i32.and (local.get $n) (i32.const 1))
                (then (local.set $acc (i32.add (local.get $acc) (i32.const 7))))
                (else (local.set $acc (i32.xor (local.get $acc) (local.get $n)))
                      (local.set $acc (i32.rotl (local.get $acc) (i32.const 3))))))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br_if $outer (i32.gt_s (local.get $n) (i32.const 0))))
          (local.get $acc)))"#;
    let (mut store, inst) = metered(wat);
    let total = fuel_of(&mut store, &inst, "mix", 50);
    // Entry region: loop, then local.get and the function's end: 3. Loop
    // region, per iteration: block, the br_if's 5 operators, the if's 4,
    // the then arm's 4, else, the block's end, the 4 of the decrement, the
    // 4 of the back edge and the loop's end: 25. The else region (n = 2
    // mod 4: 13 of the 50 values): its 8 operators and the if's end: 9.
    assert_eq!(total, 3 + 50 * 25 + 13 * 9);
    let expect = common::call::<i32, i32>(&inst, &mut store, "mix", 50).unwrap();
    let engine = {
        let mut config = Config::new();
        config.consume_fuel(true);
        Engine::new(&config)
    };
    for slice in 1..=40 {
        let (_, mut store, inst) = common::instantiate(&engine, wat);
        store.set_fuel(1_000_000).unwrap();
        let f = inst.get_func(&store, "mix").unwrap();
        let (results, slices) = common::run_sliced(&mut store, f, &[Val::I32(50)], slice);
        assert_eq!(results, vec![Val::I32(expect)], "slice {slice}");
        assert_eq!(store.fuel_consumed(), total, "slice {slice}");
        // With 1-unit slices every entry into the loop region (50
        // iterations, all but the first through the back edge) stops once.
        let at_least = if slice == 1 { 50 } else { 1 };
        assert!(slices >= at_least, "slice {slice}: {slices} slices");
    }
    for budget in [0, 1, total / 2, total - 1, total] {
        let (_, mut store, inst) = common::instantiate(&engine, wat);
        store.set_fuel(budget).unwrap();
        let got = common::call::<i32, i32>(&inst, &mut store, "mix", 50);
        if budget < total {
            assert_eq!(
                common::trap_kind(got.unwrap_err()),
                TrapKind::OutOfFuel,
                "{budget}"
            );
        } else {
            assert_eq!(got.unwrap(), expect);
        }
    }
}

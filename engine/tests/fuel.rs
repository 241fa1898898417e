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

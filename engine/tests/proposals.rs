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

//! `Linker::instantiate_pre` and `InstancePre::instantiate`: an instance
//! made from a pre-resolved module behaves as one made by
//! `Linker::instantiate`, whether it takes the empty-store path (host
//! functions only, shared layout) or the general one (a store that holds
//! something already, or imports that are not host functions).

use wasiproc_engine::*;

/// Host imports, functions with and without tables, element segments
/// (active, passive, declared), globals whose initialisers name functions
/// and earlier globals, a memory with active and passive data, and a start
/// function that uses all of them.
const MODULE: &str = r#"(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (import "env" "seven" (func $seven (result i32)))
  (type $un (func (result i32)))
  (table $t 4 funcref)
  (table $u 2 funcref)
  (elem (table $t) (i32.const 1) func $f $g $seven)
  (elem $p func $g $f)
  (elem declare func $h)
  (global $a i32 (i32.const 40))
  (global $b (mut i32) (i32.add (global.get $a) (i32.const 2)))
  (global $r (ref $un) (ref.func $h))
  (memory (export "memory") 1)
  (data (i32.const 16) "\01\02\03\04")
  (data $d "xyz")
  (func $f (result i32) (i32.const 100))
  (func $g (result i32) (call $add (i32.const 20) (i32.const 3)))
  (func $h (result i32) (i32.const 5))
  (func $start
    (global.set $b (i32.add (global.get $b) (call $seven)))
    (table.init $u $p (i32.const 0) (i32.const 0) (i32.const 2))
    (memory.init $d (i32.const 100) (i32.const 0) (i32.const 3)))
  (start $start)
  (func (export "indirect") (param i32) (result i32)
    (call_indirect $t (type $un) (local.get 0)))
  (func (export "indirect_u") (param i32) (result i32)
    (call_indirect $u (type $un) (local.get 0)))
  (func (export "b") (result i32) (global.get $b))
  (func (export "r") (result i32) (call_ref $un (global.get $r)))
  (func (export "bump") (global.set $b (i32.add (global.get $b) (i32.const 1))))
  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0))))"#;

fn linker(engine: &Engine) -> Linker<()> {
    let mut linker = Linker::new(engine);
    linker
        .func_wrap(
            "env",
            "add",
            |_: Caller<'_, ()>, a: i32, b: i32| -> Result<i32, HostError> { Ok(a + b) },
        )
        .unwrap()
        .func_wrap(
            "env",
            "seven",
            |_: Caller<'_, ()>| -> Result<i32, HostError> { Ok(7) },
        )
        .unwrap();
    linker
}

/// What the module's exports answer, in one list.
fn observe(store: &mut Store<()>, inst: &Instance) -> Vec<i32> {
    let mut out = Vec::new();
    for i in 1..4 {
        let f = inst
            .get_typed_func::<i32, i32>(&*store, "indirect")
            .unwrap();
        out.push(f.call(&mut *store, i).unwrap());
    }
    for i in 0..2 {
        let f = inst
            .get_typed_func::<i32, i32>(&*store, "indirect_u")
            .unwrap();
        out.push(f.call(&mut *store, i).unwrap());
    }
    let b = inst.get_typed_func::<(), i32>(&*store, "b").unwrap();
    out.push(b.call(&mut *store, ()).unwrap());
    let r = inst.get_typed_func::<(), i32>(&*store, "r").unwrap();
    out.push(r.call(&mut *store, ()).unwrap());
    let peek = inst.get_typed_func::<i32, i32>(&*store, "peek").unwrap();
    for a in [16, 17, 18, 19, 100, 101, 102, 103] {
        out.push(peek.call(&mut *store, a).unwrap());
    }
    out
}

#[test]
fn an_instance_from_a_pre_behaves_as_one_from_the_linker() {
    for fuel in [false, true] {
        let mut config = Config::new();
        config.consume_fuel(fuel);
        let engine = Engine::new(&config);
        let linker = linker(&engine);
        let module = Module::new(&engine, wat::parse_str(MODULE).unwrap()).unwrap();
        let fresh = || {
            let mut s = Store::new(&engine, ());
            if fuel {
                s.set_fuel(1_000_000).unwrap();
            }
            s
        };
        let mut store = fresh();
        let inst = linker.instantiate(&mut store, &module).unwrap();
        let want = observe(&mut store, &inst);
        assert_eq!(
            want,
            [100, 23, 7, 23, 100, 49, 5, 1, 2, 3, 4, 120, 121, 122, 0],
            "fuel {fuel}"
        );

        let pre = linker.instantiate_pre(&module).unwrap();
        // An empty store, twice (the shared layout), then a store that
        // already holds an instance (the general path): each instance is
        // its own, so bumping one global leaves the others.
        let mut a = fresh();
        let ia = pre.instantiate(&mut a).unwrap();
        let mut b = fresh();
        let ib = pre.instantiate(&mut b).unwrap();
        let ib2 = pre.instantiate(&mut b).unwrap();
        let bump = ia.get_typed_func::<(), ()>(&a, "bump").unwrap();
        bump.call(&mut a, ()).unwrap();
        let mut bumped = want.clone();
        bumped[5] += 1;
        assert_eq!(observe(&mut a, &ia), bumped, "fuel {fuel}");
        assert_eq!(observe(&mut b, &ib), want, "fuel {fuel}");
        assert_eq!(observe(&mut b, &ib2), want, "fuel {fuel}");
        let m1 = ib.get_memory(&b, "memory").unwrap();
        let m2 = ib2.get_memory(&b, "memory").unwrap();
        assert_ne!(m1, m2, "two instances in one store have two memories");
    }
}

#[test]
fn imports_that_are_not_host_functions_take_the_general_path() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = linker(&engine);
    let ty = GlobalType {
        content: ValType::I32,
        mutability: Mutability::Const,
    };
    let global = Global::new(&mut store, ty, Val::I32(9)).unwrap();
    linker.define("env", "g", global).unwrap();
    let wat = r#"(module
      (import "env" "g" (global $g i32))
      (import "env" "seven" (func $seven (result i32)))
      (func (export "sum") (result i32) (i32.add (global.get $g) (call $seven))))"#;
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let pre = linker.instantiate_pre(&module).unwrap();
    let inst = pre.instantiate(&mut store).unwrap();
    let sum = inst.get_typed_func::<(), i32>(&store, "sum").unwrap();
    assert_eq!(sum.call(&mut store, ()).unwrap(), 16);
}

#[test]
fn a_missing_import_fails_early_and_a_mistyped_one_when_instantiated() {
    let engine = Engine::default();
    let linker = linker(&engine);
    let missing = r#"(module (import "env" "nope" (func)))"#;
    let module = Module::new(&engine, wat::parse_str(missing).unwrap()).unwrap();
    assert!(matches!(
        linker.instantiate_pre(&module),
        Err(Error::UnknownImport { .. })
    ));
    // `seven` returns an i32; the module asks for an i64.
    let mistyped = r#"(module (import "env" "seven" (func (result i64))))"#;
    let module = Module::new(&engine, wat::parse_str(mistyped).unwrap()).unwrap();
    let pre = linker.instantiate_pre(&module).unwrap();
    let mut store = Store::new(&engine, ());
    let from_pre = pre.instantiate(&mut store).unwrap_err();
    let mut store = Store::new(&engine, ());
    let from_linker = linker.instantiate(&mut store, &module).unwrap_err();
    assert!(matches!(from_pre, Error::IncompatibleImport { .. }));
    assert_eq!(from_pre.to_string(), from_linker.to_string());
}

#[test]
fn a_pre_for_another_engine_is_refused() {
    let engine = Engine::default();
    let other = Engine::default();
    let module = Module::new(&other, wat::parse_str("(module)").unwrap()).unwrap();
    assert!(linker(&engine).instantiate_pre(&module).is_err());
    let pre = linker(&other).instantiate_pre(&module).unwrap();
    let mut store = Store::new(&engine, ());
    assert!(pre.instantiate(&mut store).is_err());
}

//! Exception handling through the C API, which has no tag extern kind and
//! no exnref value kind: tags are left out of the export and import lists,
//! a module importing one is refused with a reason, an exnref crosses as a
//! null reference of kind `WASIPROC_EXNREF`, and an uncaught exception is a
//! trap.

use std::ptr::null_mut;

mod common;
use common::*;

const WASIPROC_EXNREF: u8 = 130;

fn empty<T>() -> Vec<T> {
    Vec {
        size: 0,
        data: null_mut(),
    }
}

#[test]
fn tags_are_left_out_and_exceptions_are_traps() {
    unsafe {
        let engine = wasm_engine_new();
        let store = wasm_store_new(engine);
        let m = module(
            store,
            r#"(module
              (tag (export "t") (param i32))
              (func (export "f") (throw 0 (i32.const 1)))
              (func (export "g") (result exnref) (ref.null exn)))"#,
        );
        let mut types = empty();
        wasm_module_exports(m, &mut types);
        assert_eq!(types.size, 2, "the tag is left out");
        wasm_exporttype_vec_delete(&mut types);

        let mut trap = null_mut();
        let inst = wasm_instance_new(store, m, &empty(), &mut trap);
        assert!(!inst.is_null() && trap.is_null());
        let mut externs = empty();
        wasm_instance_exports(inst, &mut externs);
        assert_eq!(externs.size, 2);
        let f = wasm_extern_as_func(*externs.data);
        let g = wasm_extern_as_func(*externs.data.add(1));
        let mut none = empty::<Val>();
        let trap = wasm_func_call(f, &empty(), &mut none);
        assert_eq!(message(trap), "uncaught exception");
        let mut slot = [Val { kind: 0, of: 1 }];
        let mut results = Vec {
            size: 1,
            data: slot.as_mut_ptr(),
        };
        assert!(wasm_func_call(g, &empty(), &mut results).is_null());
        assert_eq!(slot[0].kind, WASIPROC_EXNREF);
        assert_eq!(slot[0].of, 0, "a null reference");
        wasm_extern_vec_delete(&mut externs);
        wasm_instance_delete(inst);
        wasm_module_delete(m);

        let m = module(store, r#"(module (import "h" "t" (tag (param i32))))"#);
        let mut types = empty();
        wasm_module_imports(m, &mut types);
        assert_eq!(types.size, 0, "the tag is left out");
        wasm_importtype_vec_delete(&mut types);
        let mut trap = null_mut();
        let inst = wasm_instance_new(store, m, &empty(), &mut trap);
        assert!(inst.is_null());
        let text = message(trap);
        assert!(text.contains("exception tag"), "{text}");
        wasm_module_delete(m);
        wasm_store_delete(store);
        wasm_engine_delete(engine);
    }
}

//! The C API from Rust, through its C symbols: calls with null pointers and
//! with objects of another store are refused without crashing, a host
//! callback can call back into its store (reentrant calls, globals), and a
//! callback giving a result of the wrong kind makes the call trap.

use std::ptr::{null, null_mut};

mod common;
use common::*;

const I32: u8 = 0;
const EXTERNREF: u8 = 128;

fn i32_val(x: i32) -> Val {
    Val {
        kind: I32,
        of: x as u32 as u64,
    }
}

unsafe fn exports(instance: P) -> Vec<P> {
    let mut v = Vec {
        size: 0,
        data: null_mut(),
    };
    unsafe { wasm_instance_exports(instance, &mut v) };
    v
}

unsafe fn export(v: &Vec<P>, i: usize) -> P {
    assert!(i < v.size);
    unsafe { *v.data.add(i) }
}

/// `(i32) -> (i32)` (or `() -> ()` when `i32` is false).
unsafe fn functype(i32: bool) -> P {
    let mut params = Vec {
        size: 0,
        data: null_mut(),
    };
    let mut results = Vec {
        size: 0,
        data: null_mut(),
    };
    unsafe {
        if i32 {
            let p = [wasm_valtype_new(I32)];
            let r = [wasm_valtype_new(I32)];
            wasm_valtype_vec_new(&mut params, 1, p.as_ptr());
            wasm_valtype_vec_new(&mut results, 1, r.as_ptr());
        } else {
            wasm_valtype_vec_new_empty(&mut params);
            wasm_valtype_vec_new_empty(&mut results);
        }
        wasm_functype_new(&mut params, &mut results)
    }
}

unsafe extern "C" fn identity(args: *const Vec<Val>, results: *mut Vec<Val>) -> P {
    unsafe { *(*results).data = *(*args).data };
    null_mut()
}

#[test]
fn null_arguments_are_refused() {
    unsafe {
        assert!(wasm_store_new(null_mut()).is_null());
        assert!(wasm_module_new(null_mut(), null()).is_null());
        assert!(!wasm_module_validate(null_mut(), null()));
        let mut trap: P = null_mut();
        assert!(wasm_instance_new(null_mut(), null_mut(), null(), &mut trap).is_null());
        assert_eq!(message(trap), "wasm_instance_new: null store or module");
        assert_eq!(
            message(wasm_func_call(null_mut(), null(), null_mut())),
            "wasm_func_call: not a function"
        );
        assert_eq!(wasm_func_param_arity(null_mut()), 0);
        assert!(wasm_func_type(null_mut()).is_null());
        assert!(wasm_extern_as_func(null_mut()).is_null());
        assert!(wasm_memory_data(null_mut()).is_null());
        assert!(!wasm_memory_grow(null_mut(), 1));
        assert_eq!(wasm_table_size(null_mut()), 0);
        assert!(wasm_table_get(null_mut(), 0).is_null());
        assert!(wasm_trap_origin(null_mut()).is_null());
        assert_eq!(wasm_frame_func_index(null_mut()), 0);
        assert!(wasm_valtype_new(7).is_null(), "unknown value kind");
        assert!(
            wasm_globaltype_new(wasm_valtype_new(I32), 2).is_null(),
            "bad mutability"
        );
        wasm_global_get(null_mut(), null_mut());
        wasm_global_set(null_mut(), null());
        wasm_val_delete(null_mut());
        wasm_val_vec_delete(null_mut());
        wasm_byte_vec_new_uninitialized(null_mut(), 4);
        wasm_trap_message(null_mut(), null_mut());
        for delete in [
            wasm_engine_delete,
            wasm_store_delete,
            wasm_module_delete,
            wasm_instance_delete,
            wasm_func_delete,
            wasm_functype_delete,
            wasm_valtype_delete,
            wasm_ref_delete,
            wasm_trap_delete,
        ] {
            delete(null_mut());
        }

        let engine = wasm_engine_new();
        let store = wasm_store_new(engine);
        let ty = functype(true);
        assert!(wasm_func_new(store, ty, None).is_null(), "null callback");
        assert!(
            wasm_func_new(store, null_mut(), Some(identity)).is_null(),
            "null type"
        );
        wasm_functype_delete(ty);
        // A vector far larger than memory is empty, not an abort.
        let mut huge = ByteVec {
            size: 1,
            data: null_mut(),
        };
        wasm_byte_vec_new_uninitialized(&mut huge, usize::MAX / 2);
        assert_eq!((huge.size, huge.data.is_null()), (0, true));
        let mut vals = Vec {
            size: 0,
            data: null_mut(),
        };
        wasm_val_vec_new_uninitialized(&mut vals, 2);
        assert_eq!(vals.size, 2);
        assert_eq!(
            (*vals.data).kind,
            EXTERNREF,
            "blank values are null references"
        );
        wasm_val_vec_delete(&mut vals);
        wasm_store_delete(store);
        wasm_engine_delete(engine);
    }
}

#[test]
fn objects_of_another_store_are_refused() {
    unsafe {
        let engine = wasm_engine_new();
        let a = wasm_store_new(engine);
        let b = wasm_store_new(engine);
        let m = module(
            b,
            r#"(module
                 (import "" "f" (func (param i32) (result i32)))
                 (table (export "t") 1 funcref)
                 (func (export "call") (param funcref) (result i32) (i32.const 1)))"#,
        );
        let ty = functype(true);
        let f_a = wasm_func_new(a, ty, Some(identity));
        let f_b = wasm_func_new(b, ty, Some(identity));
        wasm_functype_delete(ty);

        let mut foreign_import = [wasm_func_as_extern(f_a)];
        let mut imports = Vec {
            size: 1,
            data: foreign_import.as_mut_ptr(),
        };
        let mut trap: P = null_mut();
        assert!(wasm_instance_new(b, m, &imports, &mut trap).is_null());
        assert_eq!(
            message(trap),
            "wasm_instance_new: import 0 is not an external of this store"
        );

        let mut own_import = [wasm_func_as_extern(f_b)];
        imports.data = own_import.as_mut_ptr();
        let instance = wasm_instance_new(b, m, &imports, &mut trap);
        assert!(!instance.is_null() && trap.is_null());
        let mut ex = exports(instance);
        let table = wasm_extern_as_table(export(&ex, 0));
        let call = wasm_extern_as_func(export(&ex, 1));
        assert!(!wasm_table_set(table, 0, wasm_func_as_ref(f_a)));
        assert!(wasm_table_get(table, 0).is_null());
        assert!(wasm_table_set(table, 0, wasm_func_as_ref(f_b)));

        let args = [Val {
            kind: 129,
            of: wasm_func_as_ref(f_a) as u64,
        }];
        let mut out = [i32_val(0)];
        let argv = Vec {
            size: 1,
            data: args.as_ptr() as *mut Val,
        };
        let mut resv = Vec {
            size: 1,
            data: out.as_mut_ptr(),
        };
        assert_eq!(
            message(wasm_func_call(call, &argv, &mut resv)),
            "wasm_func_call: a funcref must be a function of the same store"
        );
        // A foreign object of store `a` is not a value of store `b` either.
        let foreign = wasm_foreign_new(a);
        let gty = wasm_globaltype_new(wasm_valtype_new(EXTERNREF), 1);
        let v = Val {
            kind: EXTERNREF,
            of: foreign as u64,
        };
        assert!(wasm_global_new(b, gty, &v).is_null());
        let g = wasm_global_new(a, gty, &v);
        assert!(!g.is_null());
        wasm_globaltype_delete(gty);
        wasm_ref_delete(g);
        wasm_foreign_delete(foreign);

        wasm_extern_vec_delete(&mut ex);
        wasm_instance_delete(instance);
        wasm_func_delete(f_a);
        wasm_func_delete(f_b);
        wasm_module_delete(m);
        wasm_store_delete(a);
        wasm_store_delete(b);
        wasm_engine_delete(engine);
    }
}

/// The function and global the reentrant callback uses (one test uses them).
static mut DOUBLE: P = null_mut();
static mut COUNTER: P = null_mut();

unsafe extern "C" fn reenter(args: *const Vec<Val>, results: *mut Vec<Val>) -> P {
    unsafe {
        // Call back into Wasm: double(x).
        let mut out = [i32_val(0)];
        let mut resv = Vec {
            size: 1,
            data: out.as_mut_ptr(),
        };
        let trap = wasm_func_call(DOUBLE, args, &mut resv);
        if !trap.is_null() {
            return trap;
        }
        // Count the calls in a Wasm global.
        let mut c = i32_val(0);
        wasm_global_get(COUNTER, &mut c);
        let next = i32_val(c.of as u32 as i32 + 1);
        wasm_global_set(COUNTER, &next);
        *(*results).data = out[0];
        null_mut()
    }
}

unsafe extern "C" fn wrong_kind(_args: *const Vec<Val>, results: *mut Vec<Val>) -> P {
    unsafe {
        *(*results).data = Val { kind: 1, of: 5 };
    }
    null_mut()
}

#[test]
fn callbacks_reenter_their_store() {
    unsafe {
        let engine = wasm_engine_new();
        let store = wasm_store_new(engine);
        let m = module(
            store,
            r#"(module
                 (import "" "cb" (func $cb (param i32) (result i32)))
                 (global (export "counter") (mut i32) (i32.const 0))
                 (func (export "double") (param i32) (result i32)
                   (i32.mul (local.get 0) (i32.const 2)))
                 (func (export "run") (param i32) (result i32)
                   (i32.add (call $cb (local.get 0)) (global.get 0))))"#,
        );
        let ty = functype(true);
        let cb = wasm_func_new(store, ty, Some(reenter));
        let bad = wasm_func_new(store, ty, Some(wrong_kind));
        wasm_functype_delete(ty);
        let mut import = [wasm_func_as_extern(cb)];
        let imports = Vec {
            size: 1,
            data: import.as_mut_ptr(),
        };
        let instance = wasm_instance_new(store, m, &imports, null_mut());
        assert!(!instance.is_null());
        let mut ex = exports(instance);
        COUNTER = wasm_extern_as_global(export(&ex, 0));
        DOUBLE = wasm_extern_as_func(export(&ex, 1));
        let run = wasm_extern_as_func(export(&ex, 2));

        for (arg, want) in [(5, 11), (20, 42)] {
            let args = [i32_val(arg)];
            let mut out = [i32_val(0)];
            let argv = Vec {
                size: 1,
                data: args.as_ptr() as *mut Val,
            };
            let mut resv = Vec {
                size: 1,
                data: out.as_mut_ptr(),
            };
            let trap = wasm_func_call(run, &argv, &mut resv);
            assert!(trap.is_null(), "{}", message(trap));
            // run(x) = double(x) + counter, counter incremented by the callback first.
            assert_eq!(out[0].of as u32 as i32, want);
        }

        let args = [i32_val(1)];
        let mut out = [i32_val(0)];
        let argv = Vec {
            size: 1,
            data: args.as_ptr() as *mut Val,
        };
        let mut resv = Vec {
            size: 1,
            data: out.as_mut_ptr(),
        };
        assert_eq!(
            message(wasm_func_call(bad, &argv, &mut resv)),
            "host function result: value kind 1 given where i32 is expected"
        );

        wasm_extern_vec_delete(&mut ex);
        wasm_instance_delete(instance);
        wasm_func_delete(cb);
        wasm_func_delete(bad);
        wasm_module_delete(m);
        // Deleting the store before its last object is fine: the object keeps it alive.
        let ty0 = functype(false);
        let late = wasm_func_new(store, ty0, Some(identity));
        wasm_functype_delete(ty0);
        wasm_store_delete(store);
        assert_eq!(wasm_func_param_arity(late), 0);
        wasm_func_delete(late);
        wasm_engine_delete(engine);
    }
}

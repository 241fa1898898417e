//! Exception handling through the C API, which has no tag extern kind and
//! no exnref value kind: tags are left out of the export and import lists,
//! a module importing one is refused with a reason, an exnref crosses as a
//! null reference of kind `WASIPROC_EXNREF`, and an uncaught exception is a
//! trap.

use std::ffi::c_void;
use std::ptr::null_mut;

// Links the library, whose `#[no_mangle]` functions the block below names.
use wasiproc as _;

type P = *mut c_void;

#[repr(C)]
struct ByteVec {
    size: usize,
    data: *mut u8,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct Val {
    kind: u8,
    of: u64,
}

#[repr(C)]
struct Vec<T> {
    size: usize,
    data: *mut T,
}

const WASIPROC_EXNREF: u8 = 130;

unsafe extern "C" {
    fn wasm_engine_new() -> P;
    fn wasm_engine_delete(e: P);
    fn wasm_store_new(e: P) -> P;
    fn wasm_store_delete(s: P);
    fn wasm_module_new(s: P, b: *const ByteVec) -> P;
    fn wasm_module_delete(m: P);
    fn wasm_module_exports(m: P, out: *mut Vec<P>);
    fn wasm_module_imports(m: P, out: *mut Vec<P>);
    fn wasm_exporttype_vec_delete(v: *mut Vec<P>);
    fn wasm_importtype_vec_delete(v: *mut Vec<P>);
    fn wasm_instance_new(s: P, m: P, imports: *const Vec<P>, trap: *mut P) -> P;
    fn wasm_instance_delete(i: P);
    fn wasm_instance_exports(i: P, out: *mut Vec<P>);
    fn wasm_extern_vec_delete(v: *mut Vec<P>);
    fn wasm_extern_as_func(e: P) -> P;
    fn wasm_func_call(f: P, args: *const Vec<Val>, results: *mut Vec<Val>) -> P;
    fn wasm_trap_message(t: P, out: *mut ByteVec);
    fn wasm_trap_delete(t: P);
    fn wasm_byte_vec_delete(v: *mut ByteVec);
}

/// The message of a trap, which is deleted.
unsafe fn message(trap: P) -> String {
    assert!(!trap.is_null(), "expected a trap");
    let mut m = ByteVec {
        size: 0,
        data: null_mut(),
    };
    unsafe {
        wasm_trap_message(trap, &mut m);
        let s = std::slice::from_raw_parts(m.data, m.size);
        let text = String::from_utf8_lossy(&s[..s.len() - 1]).into_owned();
        wasm_byte_vec_delete(&mut m);
        wasm_trap_delete(trap);
        text
    }
}

unsafe fn module(store: P, wat: &str) -> P {
    let mut bytes = wat::parse_str(wat).unwrap();
    let v = ByteVec {
        size: bytes.len(),
        data: bytes.as_mut_ptr(),
    };
    let m = unsafe { wasm_module_new(store, &v) };
    assert!(!m.is_null());
    m
}

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

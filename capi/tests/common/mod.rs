//! What the C API tests share: the C types of `wasm.h`/`wasiproc.h` as
//! Rust sees them, and the library's symbols they call (declared once
//! here; each test uses some of them).
#![allow(dead_code)]

use std::ffi::{c_char, c_void};
use std::ptr::null_mut;

// Links the library, whose `#[no_mangle]` functions the block below names.
use wasiproc as _;

/// Any opaque handle of the API.
pub type P = *mut c_void;

/// `wasm_byte_vec_t`.
#[repr(C)]
pub struct ByteVec {
    pub size: usize,
    pub data: *mut u8,
}

/// `wasm_val_t`: a kind byte, then an 8-byte union at offset 8.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Val {
    pub kind: u8,
    pub of: u64,
}

/// Any `wasm_*_vec_t`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Vec<T> {
    pub size: usize,
    pub data: *mut T,
}

/// `wasiproc_status_t`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Status {
    pub kind: u32,
    pub value: u64,
}

/// The message of a trap, which is deleted.
pub unsafe fn message(trap: P) -> String {
    assert!(!trap.is_null(), "expected a trap");
    let mut m = ByteVec {
        size: 0,
        data: null_mut(),
    };
    unsafe {
        wasm_trap_message(trap, &mut m);
        let s = std::slice::from_raw_parts(m.data, m.size);
        assert_eq!(s.last(), Some(&0), "messages are NUL-terminated");
        let text = String::from_utf8_lossy(&s[..s.len() - 1]).into_owned();
        wasm_byte_vec_delete(&mut m);
        wasm_trap_delete(trap);
        text
    }
}

/// A module compiled from WAT text in `store` (not null).
pub unsafe fn module(store: P, wat: &str) -> P {
    let mut bytes = wat::parse_str(wat).unwrap();
    let v = ByteVec {
        size: bytes.len(),
        data: bytes.as_mut_ptr(),
    };
    let m = unsafe { wasm_module_new(store, &v) };
    assert!(!m.is_null());
    m
}

/// `wasm_func_callback_t`.
pub type Callback = unsafe extern "C" fn(*const Vec<Val>, *mut Vec<Val>) -> P;

unsafe extern "C" {
    pub fn wasiproc_config_consume_fuel(c: P, on: bool);
    pub fn wasiproc_error_delete(e: P);
    pub fn wasiproc_error_message(e: P, out: *mut ByteVec);
    pub fn wasiproc_func_call_with_fuel(
        f: P,
        args: *const Vec<Val>,
        results: *mut Vec<Val>,
        fuel: u64,
        resumable: *mut P,
    ) -> P;
    pub fn wasiproc_replay_new(trace: *const ByteVec, out: *mut P) -> P;
    pub fn wasiproc_report_delete(r: P);
    pub fn wasiproc_report_exit_code(r: P) -> i32;
    pub fn wasiproc_report_status(r: P, out: *mut Status) -> bool;
    pub fn wasiproc_report_stdout(r: P, out: *mut ByteVec) -> bool;
    pub fn wasiproc_report_trap(r: P, out: *mut ByteVec) -> bool;
    pub fn wasiproc_resumable_delete(r: P);
    pub fn wasiproc_run_arg(r: P, a: *const c_char) -> bool;
    pub fn wasiproc_run_delete(r: P);
    pub fn wasiproc_run_execute(r: P, out: *mut P) -> P;
    pub fn wasiproc_run_fuel(r: P, f: u64) -> bool;
    pub fn wasiproc_run_new(name: *const c_char, wasm: *const ByteVec) -> P;
    pub fn wasiproc_run_record_file(r: P, path: *const c_char) -> bool;
    pub fn wasiproc_run_recording(r: P, out: *mut ByteVec) -> bool;
    pub fn wasiproc_run_stdout(r: P, mode: u32, limit: usize) -> bool;
    pub fn wasm_byte_vec_delete(v: *mut ByteVec);
    pub fn wasm_byte_vec_new_uninitialized(out: *mut ByteVec, n: usize);
    pub fn wasm_config_new() -> P;
    pub fn wasm_engine_delete(e: P);
    pub fn wasm_engine_new() -> P;
    pub fn wasm_engine_new_with_config(c: P) -> P;
    pub fn wasm_exporttype_vec_delete(v: *mut Vec<P>);
    pub fn wasm_extern_as_func(e: P) -> P;
    pub fn wasm_extern_as_global(e: P) -> P;
    pub fn wasm_extern_as_table(e: P) -> P;
    pub fn wasm_extern_vec_delete(v: *mut Vec<P>);
    pub fn wasm_foreign_delete(f: P);
    pub fn wasm_foreign_new(s: P) -> P;
    pub fn wasm_frame_func_index(f: P) -> u32;
    pub fn wasm_func_as_extern(f: P) -> P;
    pub fn wasm_func_as_ref(f: P) -> P;
    pub fn wasm_func_call(f: P, args: *const Vec<Val>, results: *mut Vec<Val>) -> P;
    pub fn wasm_func_delete(f: P);
    pub fn wasm_func_new(s: P, ty: P, cb: Option<Callback>) -> P;
    pub fn wasm_func_param_arity(f: P) -> usize;
    pub fn wasm_func_type(f: P) -> P;
    pub fn wasm_functype_delete(t: P);
    pub fn wasm_functype_new(params: *mut Vec<P>, results: *mut Vec<P>) -> P;
    pub fn wasm_global_get(g: P, out: *mut Val);
    pub fn wasm_global_new(s: P, ty: P, v: *const Val) -> P;
    pub fn wasm_global_set(g: P, v: *const Val);
    pub fn wasm_globaltype_delete(t: P);
    pub fn wasm_globaltype_new(content: P, mutability: u8) -> P;
    pub fn wasm_importtype_vec_delete(v: *mut Vec<P>);
    pub fn wasm_instance_delete(i: P);
    pub fn wasm_instance_exports(i: P, out: *mut Vec<P>);
    pub fn wasm_instance_new(s: P, m: P, imports: *const Vec<P>, trap: *mut P) -> P;
    pub fn wasm_memory_data(m: P) -> *mut u8;
    pub fn wasm_memory_grow(m: P, delta: u32) -> bool;
    pub fn wasm_module_delete(m: P);
    pub fn wasm_module_exports(m: P, out: *mut Vec<P>);
    pub fn wasm_module_imports(m: P, out: *mut Vec<P>);
    pub fn wasm_module_new(s: P, b: *const ByteVec) -> P;
    pub fn wasm_module_validate(s: P, b: *const ByteVec) -> bool;
    pub fn wasm_ref_delete(r: P);
    pub fn wasm_store_delete(s: P);
    pub fn wasm_store_new(e: P) -> P;
    pub fn wasm_table_get(t: P, index: u32) -> P;
    pub fn wasm_table_set(t: P, index: u32, r: P) -> bool;
    pub fn wasm_table_size(t: P) -> u32;
    pub fn wasm_trap_delete(t: P);
    pub fn wasm_trap_message(t: P, out: *mut ByteVec);
    pub fn wasm_trap_origin(t: P) -> P;
    pub fn wasm_val_delete(v: *mut Val);
    pub fn wasm_val_vec_delete(v: *mut Vec<Val>);
    pub fn wasm_val_vec_new_uninitialized(out: *mut Vec<Val>, n: usize);
    pub fn wasm_valtype_delete(t: P);
    pub fn wasm_valtype_new(k: u8) -> P;
    pub fn wasm_valtype_vec_new(out: *mut Vec<P>, n: usize, elems: *const P);
    pub fn wasm_valtype_vec_new_empty(out: *mut Vec<P>);
}

//! The wasiproc.h extension from Rust, through its C symbols: failures a
//! run reports (a module that does not compile, a recording that cannot be
//! written), statuses of processes that exit, trap or run out of fuel,
//! executing one configuration twice, and a budgeted call refused inside a
//! host callback.

use std::ffi::{CString, c_char, c_void};
use std::ptr::{null, null_mut};
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

mod common;
use common::*;

const CAPTURE: u32 = 2;

fn empty() -> ByteVec {
    ByteVec {
        size: 0,
        data: null_mut(),
    }
}

/// Takes the bytes out of an own byte vector, which is deleted.
unsafe fn take(mut v: ByteVec) -> std::vec::Vec<u8> {
    let bytes = if v.data.is_null() {
        std::vec::Vec::new()
    } else {
        // SAFETY: an own vector of `size` bytes.
        unsafe { std::slice::from_raw_parts(v.data, v.size) }.to_vec()
    };
    // SAFETY: own vector.
    unsafe { wasm_byte_vec_delete(&mut v) };
    bytes
}

/// The message of an own error, which is deleted.
unsafe fn error_text(e: P) -> String {
    assert!(!e.is_null(), "expected an error");
    let mut m = empty();
    unsafe {
        wasiproc_error_message(e, &mut m);
        wasiproc_error_delete(e);
        String::from_utf8(take(m)).unwrap()
    }
}

/// A run of the module in `wat`, stdout captured.
unsafe fn run_of(wat: &str) -> P {
    let mut bytes = wat::parse_str(wat).unwrap();
    let v = ByteVec {
        size: bytes.len(),
        data: bytes.as_mut_ptr(),
    };
    let name = CString::new("prog.wasm").unwrap();
    let run = unsafe { wasiproc_run_new(name.as_ptr(), &v) };
    assert!(!run.is_null());
    assert!(unsafe { wasiproc_run_stdout(run, CAPTURE, 0) });
    run
}

/// Executes `run`: its report, or the error's message.
unsafe fn execute(run: P) -> Result<P, String> {
    let mut report: P = 1 as P;
    let e = unsafe { wasiproc_run_execute(run, &mut report) };
    if e.is_null() {
        assert!(!report.is_null());
        Ok(report)
    } else {
        assert!(report.is_null(), "no report with an error");
        Err(unsafe { error_text(e) })
    }
}

unsafe fn status(report: P) -> (u32, u64, i32) {
    let mut s = Status::default();
    assert!(unsafe { wasiproc_report_status(report, &mut s) });
    (s.kind, s.value, unsafe {
        wasiproc_report_exit_code(report)
    })
}

const HELLO: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const 3))))"#;

#[test]
fn statuses_and_output() {
    unsafe {
        // Exits with 3 after writing "hi\n"; executed twice, same report.
        let run = run_of(HELLO);
        assert!(wasiproc_run_arg(run, c"x".as_ptr()));
        for _ in 0..2 {
            let report = execute(run).unwrap();
            assert_eq!(status(report), (0, 3, 3));
            let mut out = empty();
            assert!(wasiproc_report_stdout(report, &mut out));
            assert_eq!(take(out), b"hi\n");
            let mut trap = empty();
            assert!(!wasiproc_report_trap(report, &mut trap));
            wasiproc_report_delete(report);
        }
        // No recording asked for: none to give.
        let mut rec = empty();
        assert!(!wasiproc_run_recording(run, &mut rec));
        wasiproc_run_delete(run);

        // Traps: kind 2, shell code 134, the trap text.
        let run =
            run_of(r#"(module (memory (export "memory") 1) (func (export "_start") unreachable))"#);
        let report = execute(run).unwrap();
        let (kind, _, code) = status(report);
        assert_eq!((kind, code), (2, 134));
        let mut trap = empty();
        assert!(wasiproc_report_trap(report, &mut trap));
        let text = String::from_utf8(take(trap)).unwrap();
        assert!(text.contains("unreachable"), "{text}");
        wasiproc_report_delete(report);
        wasiproc_run_delete(run);

        // Runs out of fuel: kind 3.
        let run = run_of(
            r#"(module (memory (export "memory") 1) (func (export "_start") (loop (br 0))))"#,
        );
        assert!(wasiproc_run_fuel(run, 10_000));
        let report = execute(run).unwrap();
        assert_eq!(status(report).0, 3);
        wasiproc_report_delete(report);
        wasiproc_run_delete(run);
    }
}

#[test]
fn failures_carry_a_message() {
    unsafe {
        // Not a module.
        let bad = ByteVec {
            size: 4,
            data: b"\0asx".as_ptr() as *mut u8,
        };
        let run = wasiproc_run_new(c"bad.wasm".as_ptr(), &bad);
        let msg = execute(run).unwrap_err();
        assert!(msg.starts_with("bad.wasm"), "{msg}");
        wasiproc_run_delete(run);

        // A recording that cannot be written.
        let run = run_of(HELLO);
        assert!(wasiproc_run_record_file(
            run,
            c"/nonexistent-dir/trace".as_ptr()
        ));
        let msg = execute(run).unwrap_err();
        assert!(msg.contains("/nonexistent-dir/trace"), "{msg}");
        wasiproc_run_delete(run);

        // Not a trace.
        let mut replay: P = 1 as P;
        let junk = ByteVec {
            size: 3,
            data: b"abc".as_ptr() as *mut u8,
        };
        let e = wasiproc_replay_new(&junk, &mut replay);
        assert!(replay.is_null());
        assert!(!error_text(e).is_empty());

        // Null output pointers and runs.
        let run = run_of(HELLO);
        let e = wasiproc_run_execute(run, null_mut());
        assert!(error_text(e).contains("null output"));
        wasiproc_run_delete(run);
        let e = wasiproc_run_execute(null_mut(), null_mut());
        assert!(error_text(e).contains("null"));
        assert!(wasiproc_run_new(null(), &bad).is_null());
        let not_utf8 = [0xffu8 as c_char, 0];
        assert!(wasiproc_run_new(not_utf8.as_ptr(), &bad).is_null());
    }
}

static INNER: AtomicPtr<c_void> = AtomicPtr::new(null_mut());
static REFUSED: AtomicBool = AtomicBool::new(false);

/// Tries a budgeted call from inside a host callback.
unsafe extern "C" fn nested(_: *const Vec<Val>, _: *mut Vec<Val>) -> P {
    let mut resumable: P = null_mut();
    unsafe {
        let trap = wasiproc_func_call_with_fuel(
            INNER.load(Ordering::SeqCst),
            null(),
            null_mut(),
            10,
            &mut resumable,
        );
        assert!(resumable.is_null());
        let mut m = empty();
        wasm_trap_message(trap, &mut m);
        wasm_trap_delete(trap);
        let text = String::from_utf8(take(m)).unwrap();
        REFUSED.store(text.contains("inside a host callback"), Ordering::SeqCst);
    }
    null_mut()
}

#[test]
fn budgeted_calls_are_refused_inside_callbacks() {
    unsafe {
        let config = wasm_config_new();
        wasiproc_config_consume_fuel(config, true);
        let engine = wasm_engine_new_with_config(config);
        let store = wasm_store_new(engine);
        let mut bytes = wat::parse_str(
            r#"(module (import "" "cb" (func $cb))
                 (func (export "outer") (call $cb))
                 (func (export "inner")))"#,
        )
        .unwrap();
        let v = ByteVec {
            size: bytes.len(),
            data: bytes.as_mut_ptr(),
        };
        let module = wasm_module_new(store, &v);
        let (mut p, mut r) = (
            Vec {
                size: 0,
                data: null_mut(),
            },
            Vec {
                size: 0,
                data: null_mut(),
            },
        );
        wasm_valtype_vec_new_empty(&mut p);
        wasm_valtype_vec_new_empty(&mut r);
        let ty = wasm_functype_new(&mut p, &mut r);
        let cb = wasm_func_new(store, ty, Some(nested));
        wasm_functype_delete(ty);
        let mut imports = [wasm_func_as_extern(cb)];
        let iv = Vec {
            size: 1,
            data: imports.as_mut_ptr(),
        };
        let instance = wasm_instance_new(store, module, &iv, null_mut());
        assert!(!instance.is_null());
        let mut ex = Vec {
            size: 0,
            data: null_mut(),
        };
        wasm_instance_exports(instance, &mut ex);
        let outer = wasm_extern_as_func(*ex.data);
        INNER.store(wasm_extern_as_func(*ex.data.add(1)), Ordering::SeqCst);
        // A plain call and a budgeted one both reach the callback, which is refused.
        assert!(wasm_func_call(outer, null(), null_mut()).is_null());
        assert!(REFUSED.swap(false, Ordering::SeqCst));
        let mut resumable: P = null_mut();
        let t = wasiproc_func_call_with_fuel(outer, null(), null_mut(), 1000, &mut resumable);
        assert!(t.is_null() && resumable.is_null());
        assert!(REFUSED.load(Ordering::SeqCst));
        wasiproc_resumable_delete(resumable);
        wasm_extern_vec_delete(&mut ex);
        wasm_instance_delete(instance);
        wasm_func_delete(cb);
        wasm_module_delete(module);
        wasm_store_delete(store);
        wasm_engine_delete(engine);
    }
}

//! The wasiproc extension for runs (`include/wasiproc.h`): a C face of the
//! library Run API (`wasiproc_process::Run`, `Replay`, `Report`).
//!
//! A `wasiproc_run_t` keeps the plan (modules, commands, arguments,
//! environment, grants, limits, seed) in a `Run` and the C settings that a
//! run uses up (stdio, recording) beside it, so each
//! [`wasiproc_run_execute`] applies them afresh: a run configuration can be
//! executed more than once. Errors are own `wasiproc_error_t` handles
//! carrying a one-line message.

use crate::vec::{try_vec, wasm_byte_vec_t, wasm_name_t};
use crate::{drop_c, guard, into_c};
use std::ffi::{CStr, c_char};
use std::io::Write;
use std::ptr;
use std::sync::{Arc, Mutex};
use wasiproc_process::{ExitStatus, Grant, Output, ProcessSummary, Replay, Report, Run, Stdin};

/// An error: a one-line message.
pub struct wasiproc_error_t {
    message: String,
}

/// A run being configured (see the module documentation).
pub struct wasiproc_run_t {
    run: Run,
    stdin: Option<Vec<u8>>,
    stdout: OutputMode,
    stderr: OutputMode,
    record: RecordTo,
    recording: Option<Vec<u8>>,
}

/// A recorded run to replay.
pub struct wasiproc_replay_t {
    trace: Vec<u8>,
    fuel: Option<u64>,
    max_memory: Option<usize>,
    stdout: OutputMode,
    stderr: OutputMode,
}

/// What a finished run (or replay) produced.
pub struct wasiproc_report_t {
    report: Report,
}

/// An exit status as docs/abi.md encodes it: `kind` is one of the
/// `WASIPROC_STATUS_*` values, `value` the exit code (as an unsigned 32-bit
/// number), the killer's pid, the trap code or the limit.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct wasiproc_status_t {
    /// `WASIPROC_STATUS_EXITED` (0), `_KILLED` (1), `_TRAPPED` (2),
    /// `_OUT_OF_FUEL` (3) or `_LIMIT_EXCEEDED` (4).
    pub kind: u32,
    /// Exit code, killer pid, trap code or limit, by `kind`.
    pub value: u64,
}

/// One process of a finished run.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct wasiproc_process_t {
    /// Its pid (the root is 1).
    pub pid: u32,
    /// Its parent when it ended (0 for the root).
    pub parent: u32,
    /// How it ended.
    pub status: wasiproc_status_t,
    /// Fuel it consumed.
    pub fuel: u64,
    /// Largest linear memory seen at a slice boundary, in bytes.
    pub peak_memory: usize,
}

/// Where a standard stream of the root goes.
#[derive(Clone, Copy)]
enum OutputMode {
    Inherit,
    Null,
    Capture(usize),
}

/// `WASIPROC_OUTPUT_INHERIT`.
const OUTPUT_INHERIT: u32 = 0;
/// `WASIPROC_OUTPUT_NULL`.
const OUTPUT_NULL: u32 = 1;
/// `WASIPROC_OUTPUT_CAPTURE`.
const OUTPUT_CAPTURE: u32 = 2;
/// The capture limit when C passes 0: the library's default, 64 MiB.
const DEFAULT_CAPTURE: usize = 64 << 20;

impl OutputMode {
    fn from_c(mode: u32, limit: usize) -> Option<OutputMode> {
        match mode {
            OUTPUT_INHERIT => Some(OutputMode::Inherit),
            OUTPUT_NULL => Some(OutputMode::Null),
            OUTPUT_CAPTURE => Some(OutputMode::Capture(if limit == 0 {
                DEFAULT_CAPTURE
            } else {
                limit
            })),
            _ => None,
        }
    }

    fn output(self) -> Output {
        match self {
            OutputMode::Inherit => Output::Inherit,
            OutputMode::Null => Output::Null,
            OutputMode::Capture(n) => Output::Capture(n),
        }
    }
}

/// Where a run is recorded.
enum RecordTo {
    Nowhere,
    File(String),
    Buffer,
}

/// A recording kept in memory, grown fallibly.
#[derive(Clone, Default)]
struct SharedBytes(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBytes {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut v = self.0.lock().unwrap_or_else(|p| p.into_inner());
        v.try_reserve(buf.len())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::OutOfMemory))?;
        v.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn error(message: impl Into<String>) -> *mut wasiproc_error_t {
    into_c(wasiproc_error_t {
        message: message.into(),
    })
}

fn internal_error() -> *mut wasiproc_error_t {
    error("internal error in the wasiproc C API")
}

/// A NUL-terminated UTF-8 string argument, or `None` (null or not UTF-8).
///
/// # Safety
/// `s` is null or points to a NUL-terminated string.
unsafe fn str_arg<'a>(s: *const c_char) -> Option<&'a str> {
    if s.is_null() {
        return None;
    }
    // SAFETY: by the contract, a NUL-terminated string.
    unsafe { CStr::from_ptr(s) }.to_str().ok()
}

/// The bytes of a byte vector argument (null: `None`).
///
/// # Safety
/// `v` is null or a valid byte vector.
unsafe fn bytes_arg<'a>(v: *const wasm_byte_vec_t) -> Option<&'a [u8]> {
    // SAFETY: by the contract.
    unsafe { v.as_ref() }.map(|v| unsafe { v.as_slice() })
}

/// A fallible copy of `bytes`.
fn copy(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut v = try_vec(bytes.len())?;
    v.extend_from_slice(bytes);
    Some(v)
}

/// Writes an own byte vector to `out` (which may be null).
///
/// # Safety
/// `out` is null or writable.
unsafe fn put_bytes(out: *mut wasm_byte_vec_t, bytes: &[u8]) -> bool {
    if out.is_null() {
        return false;
    }
    // SAFETY: by the contract; the old content is not read (own output).
    unsafe { out.write(wasm_byte_vec_t::from_bytes(bytes)) };
    true
}

/// Stores an own handle into an output pointer, or releases it if the
/// pointer is null.
///
/// # Safety
/// `out` is null or writable.
unsafe fn put<T>(out: *mut *mut T, value: *mut T) {
    if out.is_null() {
        // SAFETY: `value` came from `into_c` (or is null).
        unsafe { drop_c(value) };
    } else {
        // SAFETY: by the contract.
        unsafe { out.write(value) };
    }
}

/* ------------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------- */

/// Deletes an error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_error_delete(e: *mut wasiproc_error_t) {
    // SAFETY: `e` is null or an own error.
    guard(|| (), || unsafe { drop_c(e) })
}

/// The error's message as an own name (not NUL-terminated).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_error_message(e: *const wasiproc_error_t, out: *mut wasm_name_t) {
    guard(
        || (),
        || {
            // SAFETY: `e` is null or a valid error; `out` null or writable.
            let msg = unsafe { e.as_ref() }.map_or("", |e| e.message.as_str());
            // SAFETY: `out` is null or writable.
            unsafe { put_bytes(out, msg.as_bytes()) };
        },
    )
}

/* ------------------------------------------------------------------------
 * Runs
 * ---------------------------------------------------------------------- */

fn new_run(run: Run) -> *mut wasiproc_run_t {
    into_c(wasiproc_run_t {
        run,
        stdin: None,
        stdout: OutputMode::Inherit,
        stderr: OutputMode::Inherit,
        record: RecordTo::Nowhere,
        recording: None,
    })
}

/// A run of the module `wasm` (copied) as its root process named `name`
/// (its `argv[0]`). NULL for a null or non-UTF-8 name or a null vector.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_run_new(
    name: *const c_char,
    wasm: *const wasm_byte_vec_t,
) -> *mut wasiproc_run_t {
    guard(ptr::null_mut, || {
        // SAFETY: `name` is null or a string, `wasm` null or a vector.
        let (Some(name), Some(wasm)) = (unsafe { str_arg(name) }, unsafe { bytes_arg(wasm) })
        else {
            return ptr::null_mut();
        };
        match copy(wasm) {
            Some(bytes) => new_run(Run::new(name, bytes)),
            None => ptr::null_mut(),
        }
    })
}

/// A run of the module in the file `path`, named by the path. Writes an own
/// run to `*out` and returns NULL, or returns an own error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_run_new_from_file(
    path: *const c_char,
    out: *mut *mut wasiproc_run_t,
) -> *mut wasiproc_error_t {
    guard(internal_error, || {
        if out.is_null() {
            return error("wasiproc_run_new_from_file: null output pointer");
        }
        // SAFETY: `out` is writable; cleared first so it is never left stale.
        unsafe { out.write(ptr::null_mut()) };
        // SAFETY: `path` is null or a string.
        let Some(path) = (unsafe { str_arg(path) }) else {
            return error("wasiproc_run_new_from_file: the path is null or not UTF-8");
        };
        match Run::from_file(path) {
            // SAFETY: `out` is writable.
            Ok(run) => unsafe { put(out, new_run(run)) },
            Err(e) => return error(e.to_string()),
        }
        ptr::null_mut()
    })
}

/// Deletes a run configuration.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_run_delete(run: *mut wasiproc_run_t) {
    // SAFETY: `run` is null or an own run.
    guard(|| (), || unsafe { drop_c(run) })
}

/// Runs `f` on a run argument; `false` for null or when `f` says so.
///
/// # Safety
/// `run` is null or a valid run.
unsafe fn with_run(run: *mut wasiproc_run_t, f: impl FnOnce(&mut wasiproc_run_t) -> bool) -> bool {
    guard(
        || false,
        // SAFETY: by the contract.
        || unsafe { run.as_mut() }.is_some_and(f),
    )
}

/// Lets the run's processes spawn the module `wasm` (copied) under `name`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_run_allow_command(
    run: *mut wasiproc_run_t,
    name: *const c_char,
    wasm: *const wasm_byte_vec_t,
) -> bool {
    // SAFETY: forwarded contract; `name` null or a string, `wasm` null or a vector.
    unsafe {
        with_run(run, |r| {
            match (str_arg(name), bytes_arg(wasm).and_then(copy)) {
                (Some(name), Some(bytes)) => {
                    r.run.allow_command(name, bytes);
                    true
                }
                _ => false,
            }
        })
    }
}

/// Lets the run's processes spawn the module in the host file `path` under
/// `name`. Returns NULL, or an own error (unreadable file, bad argument).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_run_allow_command_file(
    run: *mut wasiproc_run_t,
    name: *const c_char,
    path: *const c_char,
) -> *mut wasiproc_error_t {
    guard(internal_error, || {
        // SAFETY: `run` null or valid, strings null or NUL-terminated.
        let (Some(r), Some(name), Some(path)) =
            (unsafe { run.as_mut() }, unsafe { str_arg(name) }, unsafe {
                str_arg(path)
            })
        else {
            return error("wasiproc_run_allow_command_file: a null or non-UTF-8 argument");
        };
        match std::fs::read(path) {
            Ok(bytes) => {
                r.run.allow_command(name, bytes);
                ptr::null_mut()
            }
            Err(e) => error(format!("cannot read {path}: {e}")),
        }
    })
}

/// Appends an argument (after `argv[0]`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_run_arg(run: *mut wasiproc_run_t, arg: *const c_char) -> bool {
    // SAFETY: forwarded contract.
    unsafe {
        with_run(run, |r| match str_arg(arg) {
            Some(a) => {
                r.run.arg(a);
                true
            }
            None => false,
        })
    }
}

/// Adds an environment variable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_run_env(
    run: *mut wasiproc_run_t,
    name: *const c_char,
    value: *const c_char,
) -> bool {
    // SAFETY: forwarded contract.
    unsafe {
        with_run(run, |r| match (str_arg(name), str_arg(value)) {
            (Some(n), Some(v)) if !n.is_empty() && !n.contains('=') => {
                r.run.env(n, v);
                true
            }
            _ => false,
        })
    }
}

/// Grants the host directory `host` to the root, seen at `guest`;
/// `read_only` forbids creating, writing, renaming or removing beneath it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_run_dir(
    run: *mut wasiproc_run_t,
    host: *const c_char,
    guest: *const c_char,
    read_only: bool,
) -> bool {
    // SAFETY: forwarded contract.
    unsafe {
        with_run(run, |r| match (str_arg(host), str_arg(guest)) {
            (Some(h), Some(g)) => {
                r.run.grant(Grant {
                    host: h.to_string(),
                    guest: g.to_string(),
                    read_only,
                });
                true
            }
            _ => false,
        })
    }
}

/// A setter that forwards one number to the [`Run`] builder method of the
/// same meaning; false only for a null or deleted run.
macro_rules! run_setter {
    ($(#[$doc:meta])* $name:ident, $method:ident, $ty:ty) => {
        $(#[$doc])*
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name(run: *mut wasiproc_run_t, value: $ty) -> bool {
            // SAFETY: forwarded contract.
            unsafe {
                with_run(run, |r| {
                    r.run.$method(value);
                    true
                })
            }
        }
    };
}

run_setter!(
    /// Fuel the whole run may consume, children included (`--fuel`).
    wasiproc_run_fuel, fuel, u64
);
run_setter!(
    /// Bytes the whole run may hold (`--max-memory`: memories, tables,
    /// stacks and host-side buffers of every process).
    wasiproc_run_max_memory, max_memory, usize
);
run_setter!(
    /// Most processes alive at once, the root included (at least 1).
    wasiproc_run_max_processes, max_processes, usize
);
run_setter!(
    /// Fuel per scheduling slice (at least 1).
    wasiproc_run_slice, slice, u64
);
run_setter!(
    /// Runs deterministically, random bytes seeded by `seed`.
    wasiproc_run_deterministic, deterministic, u64
);

/// The root's stdin: `bytes` (copied) then end of file; a null vector
/// gives end of file at once. Without this call the host's stdin is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_run_stdin_bytes(
    run: *mut wasiproc_run_t,
    bytes: *const wasm_byte_vec_t,
) -> bool {
    // SAFETY: forwarded contract.
    unsafe {
        with_run(run, |r| {
            match copy(bytes_arg(bytes).unwrap_or(&[])) {
                Some(b) => r.stdin = Some(b),
                None => return false,
            }
            true
        })
    }
}

/// Where the root's stdout goes: `WASIPROC_OUTPUT_INHERIT`, `_NULL` or
/// `_CAPTURE` (kept up to `capture_limit` bytes, 0 for 64 MiB).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_run_stdout(
    run: *mut wasiproc_run_t,
    mode: u32,
    capture_limit: usize,
) -> bool {
    // SAFETY: forwarded contract.
    unsafe {
        with_run(run, |r| match OutputMode::from_c(mode, capture_limit) {
            Some(m) => {
                r.stdout = m;
                true
            }
            None => false,
        })
    }
}

/// Where the root's stderr goes (as [`wasiproc_run_stdout`]).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_run_stderr(
    run: *mut wasiproc_run_t,
    mode: u32,
    capture_limit: usize,
) -> bool {
    // SAFETY: forwarded contract.
    unsafe {
        with_run(run, |r| match OutputMode::from_c(mode, capture_limit) {
            Some(m) => {
                r.stderr = m;
                true
            }
            None => false,
        })
    }
}

/// Records each execution into the file `path` (created or truncated when
/// the run executes). NULL `path`: no recording.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_run_record_file(
    run: *mut wasiproc_run_t,
    path: *const c_char,
) -> bool {
    // SAFETY: forwarded contract.
    unsafe {
        with_run(run, |r| {
            if path.is_null() {
                r.record = RecordTo::Nowhere;
                return true;
            }
            match str_arg(path) {
                Some(p) => {
                    r.record = RecordTo::File(p.to_string());
                    true
                }
                None => false,
            }
        })
    }
}

/// Records each execution into memory; [`wasiproc_run_recording`] gives
/// the last one's bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_run_record_buffer(run: *mut wasiproc_run_t) -> bool {
    // SAFETY: forwarded contract.
    unsafe {
        with_run(run, |r| {
            r.record = RecordTo::Buffer;
            true
        })
    }
}

/// Copies the in-memory recording of the last execution into `out` (own).
/// `false` when there is none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_run_recording(
    run: *const wasiproc_run_t,
    out: *mut wasm_byte_vec_t,
) -> bool {
    guard(
        || false,
        // SAFETY: `run` null or valid, `out` null or writable.
        || match unsafe { run.as_ref() }.and_then(|r| r.recording.as_deref()) {
            // SAFETY: `out` is null or writable (the contract).
            Some(bytes) => unsafe { put_bytes(out, bytes) },
            None => false,
        },
    )
}

/// Executes the run to the end of its root process. Writes an own report
/// to `*out` and returns NULL, or returns an own error (a module that does
/// not compile or link, a deadlock, a recording that cannot be written...).
/// A guest that traps, runs out of fuel or exits non-zero is not an error:
/// the report says so.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_run_execute(
    run: *mut wasiproc_run_t,
    out: *mut *mut wasiproc_report_t,
) -> *mut wasiproc_error_t {
    guard(internal_error, || {
        if out.is_null() {
            return error("wasiproc_run_execute: null output pointer");
        }
        // SAFETY: `out` is writable.
        unsafe { out.write(ptr::null_mut()) };
        // SAFETY: `run` is null or valid.
        let Some(r) = (unsafe { run.as_mut() }) else {
            return error("wasiproc_run_execute: null run");
        };
        r.recording = None;
        r.run.stdout(r.stdout.output()).stderr(r.stderr.output());
        match &r.stdin {
            None => r.run.stdin(Stdin::Inherit),
            Some(b) => match copy(b) {
                Some(b) => r.run.stdin(Stdin::Bytes(b)),
                None => return error("out of memory copying stdin"),
            },
        };
        let buffer = SharedBytes::default();
        match &r.record {
            RecordTo::Nowhere => {}
            RecordTo::File(p) => match std::fs::File::create(p) {
                Ok(f) => {
                    r.run.record(std::io::BufWriter::new(f));
                }
                Err(e) => return error(format!("cannot create {p}: {e}")),
            },
            RecordTo::Buffer => {
                r.run.record(buffer.clone());
            }
        }
        let result = r.run.execute();
        if matches!(r.record, RecordTo::Buffer) {
            let mut v = buffer.0.lock().unwrap_or_else(|p| p.into_inner());
            r.recording = Some(std::mem::take(&mut *v));
        }
        match result {
            Ok(report) => {
                // SAFETY: `out` is writable.
                unsafe { put(out, into_c(wasiproc_report_t { report })) };
                ptr::null_mut()
            }
            Err(e) => error(e.to_string()),
        }
    })
}

/* ------------------------------------------------------------------------
 * Replay
 * ---------------------------------------------------------------------- */

fn new_replay(trace: Vec<u8>) -> Result<*mut wasiproc_replay_t, *mut wasiproc_error_t> {
    // Checked now, so a bad trace is reported where it is given.
    Replay::from_bytes(&trace).map_err(|e| error(e.to_string()))?;
    Ok(into_c(wasiproc_replay_t {
        trace,
        fuel: None,
        max_memory: None,
        stdout: OutputMode::Inherit,
        stderr: OutputMode::Inherit,
    }))
}

/// A replay of the recording in `trace` (copied). Writes an own replay to
/// `*out` and returns NULL, or returns an own error (unreadable trace).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_replay_new(
    trace: *const wasm_byte_vec_t,
    out: *mut *mut wasiproc_replay_t,
) -> *mut wasiproc_error_t {
    guard(internal_error, || {
        if out.is_null() {
            return error("wasiproc_replay_new: null output pointer");
        }
        // SAFETY: `out` is writable.
        unsafe { out.write(ptr::null_mut()) };
        // SAFETY: `trace` is null or a valid vector.
        let Some(bytes) = (unsafe { bytes_arg(trace) }).and_then(copy) else {
            return error("wasiproc_replay_new: null trace");
        };
        match new_replay(bytes) {
            // SAFETY: `out` is writable.
            Ok(r) => unsafe { put(out, r) },
            Err(e) => return e,
        }
        ptr::null_mut()
    })
}

/// A replay of the recording in the file `path`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_replay_new_from_file(
    path: *const c_char,
    out: *mut *mut wasiproc_replay_t,
) -> *mut wasiproc_error_t {
    guard(internal_error, || {
        if out.is_null() {
            return error("wasiproc_replay_new_from_file: null output pointer");
        }
        // SAFETY: `out` is writable.
        unsafe { out.write(ptr::null_mut()) };
        // SAFETY: `path` is null or a string.
        let Some(path) = (unsafe { str_arg(path) }) else {
            return error("wasiproc_replay_new_from_file: the path is null or not UTF-8");
        };
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => return error(format!("cannot read {path}: {e}")),
        };
        match new_replay(bytes) {
            // SAFETY: `out` is writable.
            Ok(r) => unsafe { put(out, r) },
            Err(e) => return e,
        }
        ptr::null_mut()
    })
}

/// Runs `f` on the replay (false for a null one), inside the panic guard.
///
/// # Safety
/// `replay` is null or a valid, unaliased replay.
unsafe fn with_replay(
    replay: *mut wasiproc_replay_t,
    f: impl FnOnce(&mut wasiproc_replay_t) -> bool,
) -> bool {
    guard(
        || false,
        // SAFETY: by the contract.
        || unsafe { replay.as_mut() }.is_some_and(f),
    )
}

/// Deletes a replay.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_replay_delete(replay: *mut wasiproc_replay_t) {
    // SAFETY: `replay` is null or an own replay.
    guard(|| (), || unsafe { drop_c(replay) })
}

/// A fuel budget below the recorded one.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_replay_fuel(replay: *mut wasiproc_replay_t, fuel: u64) -> bool {
    // SAFETY: forwarded contract.
    unsafe {
        with_replay(replay, |r| {
            r.fuel = Some(fuel);
            true
        })
    }
}

/// A memory limit below the recorded one.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_replay_max_memory(
    replay: *mut wasiproc_replay_t,
    bytes: usize,
) -> bool {
    // SAFETY: forwarded contract.
    unsafe {
        with_replay(replay, |r| {
            r.max_memory = Some(bytes);
            true
        })
    }
}

/// Where the replay's root stdout goes (as [`wasiproc_run_stdout`]).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_replay_stdout(
    replay: *mut wasiproc_replay_t,
    mode: u32,
    capture_limit: usize,
) -> bool {
    // SAFETY: forwarded contract.
    unsafe {
        with_replay(replay, |r| {
            OutputMode::from_c(mode, capture_limit).is_some_and(|m| {
                r.stdout = m;
                true
            })
        })
    }
}

/// Where the replay's root stderr goes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_replay_stderr(
    replay: *mut wasiproc_replay_t,
    mode: u32,
    capture_limit: usize,
) -> bool {
    // SAFETY: forwarded contract.
    unsafe {
        with_replay(replay, |r| {
            OutputMode::from_c(mode, capture_limit).is_some_and(|m| {
                r.stderr = m;
                true
            })
        })
    }
}

/// Replays the recording. Writes an own report to `*out` and returns NULL,
/// or returns an own error: the replay diverged, the trace was not used up,
/// the recorded run failed (no report), or — with `verify` — the replay's
/// outputs, ending or fuel differ from the recorded ones (the message lists
/// them). The replay can be executed again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_replay_execute(
    replay: *const wasiproc_replay_t,
    verify: bool,
    out: *mut *mut wasiproc_report_t,
) -> *mut wasiproc_error_t {
    guard(internal_error, || {
        if out.is_null() {
            return error("wasiproc_replay_execute: null output pointer");
        }
        // SAFETY: `out` is writable.
        unsafe { out.write(ptr::null_mut()) };
        // SAFETY: `replay` is null or valid.
        let Some(r) = (unsafe { replay.as_ref() }) else {
            return error("wasiproc_replay_execute: null replay");
        };
        let mut replay = match Replay::from_bytes(&r.trace) {
            Ok(p) => p,
            Err(e) => return error(e.to_string()),
        };
        if let Some(f) = r.fuel {
            replay.fuel(f);
        }
        if let Some(m) = r.max_memory {
            replay.max_memory(m);
        }
        replay.stdout(r.stdout.output()).stderr(r.stderr.output());
        let replayed = match replay.execute() {
            Ok(p) => p,
            Err(e) => return error(e.to_string()),
        };
        if verify {
            let diffs = replayed.differences();
            if !diffs.is_empty() {
                return error(format!(
                    "the replay differs from the recording: {}",
                    diffs.join("; ")
                ));
            }
        }
        match replayed.report {
            Some(report) => {
                // SAFETY: `out` is writable.
                unsafe { put(out, into_c(wasiproc_report_t { report })) };
                ptr::null_mut()
            }
            None => error(format!("the run failed: {}", replayed.ending)),
        }
    })
}

/* ------------------------------------------------------------------------
 * Reports
 * ---------------------------------------------------------------------- */

/// Deletes a report.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_report_delete(report: *mut wasiproc_report_t) {
    // SAFETY: `report` is null or an own report.
    guard(|| (), || unsafe { drop_c(report) })
}

fn status_to_c(s: &ExitStatus) -> wasiproc_status_t {
    let (kind, value) = s.encode();
    wasiproc_status_t { kind, value }
}

/// The report's root status into `*out`; `false` for null arguments.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_report_status(
    report: *const wasiproc_report_t,
    out: *mut wasiproc_status_t,
) -> bool {
    guard(
        || false,
        // SAFETY: `report` null or valid, `out` null or writable.
        || match (unsafe { report.as_ref() }, unsafe { out.as_mut() }) {
            (Some(r), Some(o)) => {
                *o = status_to_c(&r.report.status);
                true
            }
            _ => false,
        },
    )
}

/// The exit code a shell would see: the guest's own, 134 after a trap or a
/// limit, 137 when killed; -1 for a null report.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_report_exit_code(report: *const wasiproc_report_t) -> i32 {
    guard(
        || -1,
        // SAFETY: `report` is null or valid.
        || unsafe { report.as_ref() }.map_or(-1, |r| r.report.exit_code()),
    )
}

/// Fuel consumed by the whole run (0 for null).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_report_fuel(report: *const wasiproc_report_t) -> u64 {
    guard(
        || 0,
        // SAFETY: `report` is null or valid.
        || unsafe { report.as_ref() }.map_or(0, |r| r.report.fuel),
    )
}

/// The root's captured stdout into `out` (own); `false` if it was not captured.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_report_stdout(
    report: *const wasiproc_report_t,
    out: *mut wasm_byte_vec_t,
) -> bool {
    guard(
        || false,
        // SAFETY: `report` null or valid, `out` null or writable.
        || match unsafe { report.as_ref() }.and_then(|r| r.report.stdout.as_deref()) {
            // SAFETY: `out` is null or writable (the contract).
            Some(b) => unsafe { put_bytes(out, b) },
            None => false,
        },
    )
}

/// The root's captured stderr into `out` (own); `false` if it was not captured.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_report_stderr(
    report: *const wasiproc_report_t,
    out: *mut wasm_byte_vec_t,
) -> bool {
    guard(
        || false,
        // SAFETY: `report` null or valid, `out` null or writable.
        || match unsafe { report.as_ref() }.and_then(|r| r.report.stderr.as_deref()) {
            // SAFETY: `out` is null or writable (the contract).
            Some(b) => unsafe { put_bytes(out, b) },
            None => false,
        },
    )
}

/// The root's trap as wasiproc prints it (kind, message, backtrace) into
/// `out` (own, not NUL-terminated); `false` if the root did not trap.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_report_trap(
    report: *const wasiproc_report_t,
    out: *mut wasm_name_t,
) -> bool {
    guard(
        || false,
        // SAFETY: `report` null or valid, `out` null or writable.
        || match unsafe { report.as_ref() }.and_then(|r| r.report.trap.as_ref()) {
            // SAFETY: `out` is null or writable (the contract).
            Some(t) => unsafe { put_bytes(out, wasiproc_process::trap_text(t).as_bytes()) },
            None => false,
        },
    )
}

/// Number of processes in the report (0 for null).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_report_process_count(report: *const wasiproc_report_t) -> usize {
    guard(
        || 0,
        // SAFETY: `report` is null or valid.
        || unsafe { report.as_ref() }.map_or(0, |r| r.report.processes.len()),
    )
}

/// The `i`th process (pid order).
///
/// # Safety
/// `report` is null or valid.
unsafe fn process_at<'a>(report: *const wasiproc_report_t, i: usize) -> Option<&'a ProcessSummary> {
    // SAFETY: by the contract.
    unsafe { report.as_ref() }.and_then(|r| r.report.processes.get(i))
}

/// The `i`th process (in pid order) into `*out`; `false` out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_report_process(
    report: *const wasiproc_report_t,
    i: usize,
    out: *mut wasiproc_process_t,
) -> bool {
    guard(
        || false,
        // SAFETY: `report` null or valid, `out` null or writable.
        || match (unsafe { process_at(report, i) }, unsafe { out.as_mut() }) {
            (Some(p), Some(o)) => {
                *o = wasiproc_process_t {
                    pid: p.pid.0,
                    parent: p.parent.0,
                    status: status_to_c(&p.status),
                    fuel: p.fuel,
                    peak_memory: p.peak_memory,
                };
                true
            }
            _ => false,
        },
    )
}

/// The `i`th process's module name into `out` (own, not NUL-terminated).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_report_process_module(
    report: *const wasiproc_report_t,
    i: usize,
    out: *mut wasm_name_t,
) -> bool {
    guard(
        || false,
        // SAFETY: `report` null or valid, `out` null or writable.
        || match unsafe { process_at(report, i) } {
            // SAFETY: `out` is null or writable (the contract).
            Some(p) => unsafe { put_bytes(out, p.module.as_bytes()) },
            None => false,
        },
    )
}

/// The `i`th process's status as text (`exited(0)`, `trapped(unreachable)`,
/// `out of fuel`, ...) into `out` (own, not NUL-terminated).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasiproc_report_process_status_text(
    report: *const wasiproc_report_t,
    i: usize,
    out: *mut wasm_name_t,
) -> bool {
    guard(
        || false,
        // SAFETY: `report` null or valid, `out` null or writable.
        || match unsafe { process_at(report, i) } {
            // SAFETY: `out` is null or writable (the contract).
            Some(p) => unsafe { put_bytes(out, p.status.to_string().as_bytes()) },
            None => false,
        },
    )
}

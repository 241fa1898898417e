//! Traps and frames: `wasm_trap_t` (message, origin, trace) and `wasm_frame_t`.
//!
//! A trap's message is a NUL-terminated `wasm_message_t`. For a trap raised
//! by a host function it is the message that function gave `wasm_trap_new`;
//! for a trap of Wasm code it is the specification's wording ("unreachable",
//! "out of bounds memory access", ...); for any other failure of a call it
//! is the engine's error text. Frames are innermost first and carry the
//! function index in its module and the byte offsets of the frame's Wasm
//! instruction (the trapping one, or the call in outer frames): from the
//! start of the function's body (`func_offset`) and of the module binary
//! (`module_offset`). The engine keeps no instance per frame, so
//! `wasm_frame_instance` returns null.

use crate::engine_store::{cell_of, wasm_store_t};
use crate::reference::{Family, LocalInfo, RefKind, borrow, wasm_ref_t, wasm_trap_t};
use crate::vec::{wasm_byte_vec_t, wasm_frame_vec_t};
use crate::{drop_c, guard, into_c};
use std::ptr;
use std::rc::Rc;
use wasiproc_engine::Error;

/// `wasm_message_t`: a NUL-terminated byte vector.
pub type wasm_message_t = wasm_byte_vec_t;

/// A trap's contents.
pub(crate) struct TrapData {
    /// The message without the terminating NUL.
    pub message: String,
    pub frames: Vec<wasm_frame_t>,
    pub info: LocalInfo,
}

/// One frame of a trap's trace.
#[derive(Clone, Debug)]
pub struct wasm_frame_t {
    func_index: u32,
    func_offset: usize,
    module_offset: usize,
}

/// A new trap handle with `message` and `frames`.
pub(crate) fn new_trap(message: String, frames: Vec<wasm_frame_t>) -> *mut wasm_trap_t {
    into_c(wasm_ref_t {
        store: None,
        kind: RefKind::Trap(Rc::new(TrapData {
            message,
            frames,
            info: LocalInfo::default(),
        })),
    })
}

/// A new trap handle describing an engine error.
pub(crate) fn trap_from_error(e: &Error) -> *mut wasm_trap_t {
    match e {
        Error::Trap(t) => new_trap(
            t.to_string(),
            t.backtrace()
                .iter()
                .map(|f| wasm_frame_t {
                    func_index: f.func_index,
                    func_offset: f.func_offset as usize,
                    module_offset: f.module_offset as usize,
                })
                .collect(),
        ),
        other => new_trap(other.to_string(), Vec::new()),
    }
}

/// The message of a trap handle given back by C (for a host function's trap).
///
/// # Safety
/// `t` is null or a valid trap.
pub(crate) unsafe fn trap_message(t: *const wasm_trap_t) -> Option<String> {
    // SAFETY: by the contract.
    match unsafe { borrow(t, Family::Trap) } {
        Some(wasm_ref_t {
            kind: RefKind::Trap(d),
            ..
        }) => Some(d.message.clone()),
        _ => None,
    }
}

/// The contents of a trap handle.
///
/// # Safety
/// `t` is null or a valid trap that outlives the borrow.
unsafe fn trap_data<'a>(t: *const wasm_trap_t) -> Option<&'a TrapData> {
    // SAFETY: by the contract.
    match unsafe { borrow(t, Family::Trap) } {
        Some(wasm_ref_t {
            kind: RefKind::Trap(d),
            ..
        }) => Some(d),
        _ => None,
    }
}

/// Creates a trap with a message (a copy is kept; a missing final NUL is fine).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_trap_new(
    _store: *mut wasm_store_t,
    message: *const wasm_message_t,
) -> *mut wasm_trap_t {
    guard(ptr::null_mut, || {
        // SAFETY: `message` is null or a valid byte vector.
        let bytes = match unsafe { message.as_ref() } {
            // SAFETY: `message` is null or a valid byte vector.
            Some(m) => unsafe { m.as_slice() },
            None => &[],
        };
        let bytes = bytes.strip_suffix(&[0]).unwrap_or(bytes);
        // SAFETY: `_store` is null or a valid store; only checked for validity.
        let _ = unsafe { cell_of(_store) };
        new_trap(String::from_utf8_lossy(bytes).into_owned(), Vec::new())
    })
}

/// Writes the trap's message, NUL-terminated, to `out`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_trap_message(t: *const wasm_trap_t, out: *mut wasm_message_t) {
    guard(
        || (),
        || {
            if out.is_null() {
                return;
            }
            // SAFETY: `t` is null or a valid trap.
            let mut bytes =
                unsafe { trap_data(t) }.map_or_else(Vec::new, |d| d.message.as_bytes().to_vec());
            bytes.push(0);
            // SAFETY: `out` points to writable vector memory.
            unsafe { out.write(wasm_byte_vec_t::from_bytes(&bytes)) };
        },
    )
}

/// The innermost frame, or null if the trap has no Wasm frames.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_trap_origin(t: *const wasm_trap_t) -> *mut wasm_frame_t {
    guard(ptr::null_mut, || {
        // SAFETY: `t` is null or a valid trap.
        match unsafe { trap_data(t) }.and_then(|d| d.frames.first()) {
            Some(f) => into_c(f.clone()),
            None => ptr::null_mut(),
        }
    })
}

/// Writes the trap's frames, innermost first, to `out`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_trap_trace(t: *const wasm_trap_t, out: *mut wasm_frame_vec_t) {
    guard(
        || (),
        || {
            if out.is_null() {
                return;
            }
            // SAFETY: `t` is null or a valid trap.
            let frames = unsafe { trap_data(t) }.map_or_else(Vec::new, |d| {
                d.frames.iter().map(|f| into_c(f.clone())).collect()
            });
            // SAFETY: `out` points to writable vector memory.
            unsafe { out.write(wasm_frame_vec_t::from_vec(frames)) };
        },
    )
}

/// Deletes a frame.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_frame_delete(f: *mut wasm_frame_t) {
    // SAFETY: `f` is null or an own frame.
    guard(|| (), || unsafe { drop_c(f) })
}

/// Copies a frame.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_frame_copy(f: *const wasm_frame_t) -> *mut wasm_frame_t {
    // SAFETY: `f` is null or a valid frame.
    guard(ptr::null_mut, || match unsafe { f.as_ref() } {
        Some(f) => into_c(f.clone()),
        None => ptr::null_mut(),
    })
}

/// The instance of the frame's function: not tracked, always null.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_frame_instance(_f: *const wasm_frame_t) -> *mut wasm_ref_t {
    ptr::null_mut()
}

/// The index of the frame's function in its module's function index space.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_frame_func_index(f: *const wasm_frame_t) -> u32 {
    // SAFETY: `f` is null or a valid frame.
    guard(|| 0, || unsafe { f.as_ref() }.map_or(0, |f| f.func_index))
}

/// Offset of the frame's instruction (the trapping one, or a call) from the start of
/// its function's body.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_frame_func_offset(f: *const wasm_frame_t) -> usize {
    // SAFETY: `f` is null or a valid frame.
    guard(|| 0, || unsafe { f.as_ref() }.map_or(0, |f| f.func_offset))
}

/// Offset of the frame's instruction (the trapping one, or a call) in the module binary.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_frame_module_offset(f: *const wasm_frame_t) -> usize {
    // SAFETY: `f` is null or a valid frame.
    guard(
        || 0,
        || unsafe { f.as_ref() }.map_or(0, |f| f.module_offset),
    )
}

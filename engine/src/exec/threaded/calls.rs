//! Calls and returns within the current instance, in threaded code.
//!
//! Soundness: a callee's frame pointer is made only after checking that
//! its whole frame fits in the slot vector, and a caller's is rebuilt from
//! the frame saved when it made the call (which fitted then, and the vector
//! has not shrunk or moved while handlers run: growing it steps out).
//! Frames are pushed and popped through `Cx::frames_top`, between
//! `frames_base` and `frames_limit` (within the frame vector's capacity,
//! which does not change while handlers run either); the loop sets the
//! vector's length from `frames_top` when they stop.
#![allow(non_snake_case)]

use super::decode::decode;
use super::{Cont, Cx, dispatch, step};
use crate::exec::Frame;
use crate::exec::cursor::Ip;
use crate::exec::frame_ptr::FramePtr;
use crate::exec::mem_view::MemView;
use crate::isa::Instr;

/// `CallInternal`: pushes the caller's frame, pays the callee's entry fuel
/// region and continues after its `ConsumeFuel`. Steps out when the depth limit is reached, the
/// frame does not fit in the slot vector, or the frame stack must grow
/// (the loop's `push_frame!` then grows it, charged to the limiter).
pub(super) fn CallInternal(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, CallInternal { func, base });
    let Some(callee) = cx.module_code.get(func as usize) else {
        return step(ip, fp, mem, cx);
    };
    // The code first, then the frame size, which is then at least what
    // that code needs (lazy translation publishes them in the other order:
    // module::CompiledFunc).
    let code = callee.entry();
    let size = base as u64 + callee.frame_size() as u64;
    if cx.frames_top >= cx.frames_limit || !fp.fits(size, cx.slots_end) {
        return step(ip, fp, mem, cx);
    }
    // SAFETY: a translated body (or the untranslated stub), at its first
    // instruction.
    let mut entry = unsafe { Ip::at(code, 0) };
    // The callee's entry fuel region is paid here, saving its dispatch;
    // when the budget cannot pay, the loop makes the call and runs the
    // `ConsumeFuel` (slow path) itself.
    if let Instr::ConsumeFuel { amount } = entry.get() {
        if amount as u64 > cx.budget {
            return step(ip, fp, mem, cx);
        }
        cx.budget -= amount as u64;
        entry = entry.next();
    }
    // The caller's frame; then the callee becomes the current function.
    let frame = Frame {
        func: cx.func,
        instance: cx.instance,
        pc: ip.pc(cx.code) + 1,
        fp: fp.index(cx.slots) as u32,
    };
    cx.func = func;
    cx.code = code;
    // A push without the growth path (a call, which would make every call
    // save registers): `frames_top < frames_limit` (checked above).
    // SAFETY: the element at `frames_top` is inside the vector's capacity
    // and unused; it is written before `frames_top` passes it.
    unsafe {
        cx.frames_top.write(frame);
        cx.frames_top = cx.frames_top.add(1);
    }
    // SAFETY: the callee's frame ends at or before the end of the slot
    // vector (checked above).
    let callee_fp = unsafe { fp.offset(base) };
    let (params, declared) = (callee.num_params, callee.num_declared);
    callee_fp.zero(params, declared);
    dispatch(entry, callee_fp, mem, cx)
}

/// `Return` to a caller in the same instance; steps out for the outermost
/// frame and for a caller in another instance.
pub(super) fn Return(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    if cx.frames_top == cx.frames_base {
        return step(ip, fp, mem, cx);
    }
    // SAFETY: the frame stack is not empty, and every frame below
    // `frames_top` was written (`Cx`).
    let caller = unsafe { *cx.frames_top.sub(1) };
    // (Validation makes the index valid; stepping out keeps panics out.)
    let code = match cx.module_code.get(caller.func as usize) {
        Some(code) if caller.instance == cx.instance => code.entry(),
        _ => return step(ip, fp, mem, cx),
    };
    // The caller runs translated code, which this thread published or saw
    // published before running it.
    // SAFETY: the frame stack is not empty (checked above).
    cx.frames_top = unsafe { cx.frames_top.sub(1) };
    // SAFETY: the caller's frame fitted when it called, and the vector has
    // not moved since (module docs); its saved pc is inside its body.
    let (fp, ip) = unsafe {
        (
            FramePtr::at_index(cx.slots, cx.slots_end, caller.fp as usize),
            Ip::at(code, caller.pc),
        )
    };
    cx.func = caller.func;
    cx.code = code;
    dispatch(ip, fp, mem, cx)
}

/// `ReturnCallInternal` (tail call): moves the arguments to slot 0 of the
/// current frame, zeroes the callee's locals, pays its entry fuel region
/// and continues after its `ConsumeFuel`, in the same frame (the frame
/// stack does not change). Steps out when the callee's frame does not fit
/// in the slot vector or the budget cannot pay (the loop grows the vector,
/// charged to the limiter, or runs the fuel slow path).
pub(super) fn ReturnCallInternal(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    decode!(ip, ReturnCallInternal { func, base });
    let Some(callee) = cx.module_code.get(func as usize) else {
        return step(ip, fp, mem, cx);
    };
    // The code first, then the frame size (as in `CallInternal`).
    let code = callee.entry();
    if !fp.fits(callee.frame_size() as u64, cx.slots_end) {
        return step(ip, fp, mem, cx);
    }
    // SAFETY: a translated body (or the untranslated stub, which translates
    // it in this frame), at its first instruction.
    let mut entry = unsafe { Ip::at(code, 0) };
    if let Instr::ConsumeFuel { amount } = entry.get() {
        if amount as u64 > cx.budget {
            return step(ip, fp, mem, cx);
        }
        cx.budget -= amount as u64;
        entry = entry.next();
    }
    // The arguments sit above slot 0 (`base` is past the caller's locals),
    // so an ascending copy never overwrites one before reading it; they
    // are inside the current frame, which fits.
    for i in 0..callee.num_params {
        fp.set(i, fp.get(base + i));
    }
    // The callee's frame fits (checked above).
    fp.zero(callee.num_params, callee.num_declared);
    cx.func = func;
    cx.code = code;
    dispatch(entry, fp, mem, cx)
}

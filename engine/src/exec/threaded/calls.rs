//! Calls and returns within the current instance, in threaded code.
//!
//! Soundness: a callee's frame pointer is made only after checking that
//! its whole frame fits in the slot vector, and a caller's is rebuilt from
//! the frame saved when it made the call (which fitted then, and the vector
//! has not shrunk or moved while handlers run: growing it steps out).
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
    let caller_fp = fp.index(cx.slots);
    let need = caller_fp + base as usize + callee.frame_size() as usize;
    let depth = cx.frames.len();
    if depth >= cx.max_depth || depth == cx.frames.capacity() || need > cx.slots_len {
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
    // SAFETY: the callee's frame ends at `need <= slots_len` (checked above).
    let callee_fp = unsafe { fp.offset(base) };
    callee_fp.zero(callee.num_params, callee.num_locals);
    let frame = Frame {
        instance: cx.instance,
        func: cx.func,
        pc: ip.pc(cx.code) + 1,
        fp: caller_fp as u32,
    };
    // A push without the growth path (a call, which would make every call
    // save registers): the capacity was checked above.
    let frames = &mut *cx.frames;
    let len = frames.len();
    match frames.spare_capacity_mut().first_mut() {
        Some(free) => {
            free.write(frame);
            // SAFETY: the element at `len` was just initialised.
            unsafe { frames.set_len(len + 1) };
        }
        None => return step(ip, fp, mem, cx),
    }
    cx.func = func;
    cx.code = code;
    dispatch(entry, callee_fp, mem, cx)
}

/// `Return` to a caller in the same instance; steps out for the outermost
/// frame and for a caller in another instance.
pub(super) fn Return(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    let Some(&caller) = cx.frames.last() else {
        return step(ip, fp, mem, cx);
    };
    if caller.instance != cx.instance {
        return step(ip, fp, mem, cx);
    }
    // (Validation makes the index valid; stepping out keeps panics out.)
    let Some(code) = cx.module_code.get(caller.func as usize) else {
        return step(ip, fp, mem, cx);
    };
    // The caller runs translated code, which this thread published or saw
    // published before running it.
    cx.code = code.entry();
    cx.frames.pop();
    cx.func = caller.func;
    // SAFETY: the caller's frame fitted when it called, and the vector has
    // not moved since (module docs); its saved pc is inside its body.
    let (fp, ip) = unsafe {
        (
            FramePtr::at_index(cx.slots, cx.slots_len, caller.fp as usize),
            Ip::at(cx.code, caller.pc),
        )
    };
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
    let need = fp.index(cx.slots) + callee.frame_size() as usize;
    if need > cx.slots_len {
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
    fp.zero(callee.num_params, callee.num_locals);
    cx.func = func;
    cx.code = code;
    dispatch(entry, fp, mem, cx)
}

//! The interpreter: one loop over the internal instruction stream, with an
//! explicit value stack (`slots`) and frame stack (`frames`). The common
//! instructions run in threaded handlers ([`threaded`]) entered from the top
//! of the loop; the loop itself runs the instruction a handler stepped out
//! at (traps, slow paths, rare instructions), then enters them again.
//!
//! Guest calls never recurse on the Rust stack: a call pushes a [`Frame`] and
//! continues the same loop. All state needed to continue lives in
//! [`ExecState`], so the loop can stop before any instruction — when the fuel
//! slice is used up or a host function reports "blocked" — and later pick up
//! exactly there.

use crate::prelude::*;
mod cursor;
mod frame_ptr;
mod mem_view;
mod numeric;
mod profile;
mod simd;
mod threaded;
mod unwind;

use cursor::{Cursor, Ip};
use frame_ptr::FramePtr;
use mem_view::MemView;

use crate::error::{Error, FrameInfo, Trap, TrapKind};
use crate::func::{Caller, HostError};
use crate::isa::{Instr, Slot};
use crate::module::CompiledFunc;
use crate::store::{FuncKind, Store, StoreInner};
use crate::store::{
    GrowResult, copy_between_tables, grow_frames, grow_memory, grow_slots, grow_table,
};
use crate::value::{PAGE_SIZE, Val, ValType};
use core::any::Any;
use numeric::*;

/// A function activation: which function, where in it, and its frame pointer.
///
/// `repr(C)`, with `func` and `instance` in the order of the threaded
/// handlers' `Cx`, which saves them with one copy.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
pub(crate) struct Frame {
    /// Defined-function index within the instance's module.
    pub func: u32,
    pub instance: u32,
    pub pc: u32,
    pub fp: u32,
}

/// Everything needed to continue a call.
#[derive(Debug, Default)]
pub(crate) struct ExecState {
    pub slots: Vec<u64>,
    /// The callers of `current`, outermost first.
    pub frames: Vec<Frame>,
    pub current: Option<Frame>,
    /// Result types of the outermost call.
    pub results: Vec<ValType>,
}

/// Why a call stopped before finishing.
pub enum Suspension {
    /// The fuel slice is used up; resume to continue.
    OutOfSlice,
    /// A host function reported that it must wait; the value says for what.
    /// Resuming calls the host function again.
    Blocked(Box<dyn Any + Send>),
}

impl core::fmt::Debug for Suspension {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Suspension::OutOfSlice => f.write_str("OutOfSlice"),
            Suspension::Blocked(_) => f.write_str("Blocked(..)"),
        }
    }
}

/// Where a call that a host function blocked stopped: that function and
/// the slot its arguments (and results) start at, so that completing the
/// call ([`complete_host_call`]) needs no look at the instruction.
#[derive(Debug, Clone, Copy)]
pub(crate) struct At {
    pub host: u32,
    pub slot: usize,
}

/// A suspended call, kept in the store until resumed.
#[derive(Debug)]
pub(crate) enum Suspended {
    /// Wasm code stopped at an instruction boundary; `at` when a host
    /// function it called blocked. (Kept beside the state, not in it: the
    /// `Host` variant is the larger one, so the store does not grow.)
    Wasm { state: ExecState, at: Option<At> },
    /// The embedder called a host function directly and it blocked.
    Host {
        func: u32,
        params: Vec<Val>,
        results: Vec<ValType>,
        state: ExecState,
    },
}

impl Suspended {
    pub(crate) fn into_state(self) -> ExecState {
        match self {
            Suspended::Wasm { state: s, .. } | Suspended::Host { state: s, .. } => s,
        }
    }
}

/// How the loop stopped without an error.
pub(crate) enum Step {
    /// The outermost function returned; its results are in `slots[0..]`.
    Done,
    /// Stopped before an instruction; the state is complete.
    Suspend(Suspension),
    /// Stopped at a host call that reported "blocked" (with why, and where).
    Blocked(Box<dyn Any + Send>, At),
}

/// Checks `start + len <= size` without overflow.
#[inline(always)]
fn in_bounds(start: u64, len: u64, size: usize) -> bool {
    start.checked_add(len).is_some_and(|end| end <= size as u64)
}

/// Builds a trap with a backtrace from the frame stack.
fn make_trap(trap: Trap, inner: &StoreInner, frames: &[Frame], current: &Frame) -> Trap {
    // At most 64 entries, whatever the depth the guest reached.
    let mut bt = Vec::with_capacity(frames.len().min(63) + 1);
    // The current frame is at the trapping instruction; a caller's saved pc
    // is just after its call.
    let at_call = frames.iter().rev().map(|f| (f, f.pc.saturating_sub(1)));
    for (f, pc) in core::iter::once((current, current.pc)).chain(at_call) {
        let module = &inner.instances[f.instance as usize].module;
        let index = module.num_imported_funcs + f.func;
        let (module_offset, body_start) = module.code[f.func as usize].offsets(pc);
        bt.push(FrameInfo {
            module_name: module.name.clone(),
            func_index: index,
            func_name: module.func_names.get(&index).cloned(),
            module_offset,
            func_offset: module_offset.saturating_sub(body_start),
        });
        if bt.len() >= 64 {
            break;
        }
    }
    trap.with_backtrace(bt)
}

/// Parameters and results a host call passes in arrays on the stack; a
/// function with more (none of WASI's has more than 9 parameters, see
/// `call_host`) passes them in vectors.
const HOST_PARAMS: usize = 10;
const HOST_RESULTS: usize = 4;

/// Calls host function `host` with arguments read from `slots[at..]` and
/// writes its results back there. The argument and result values live in
/// arrays on the stack (no allocation, nothing moved but the values
/// themselves) unless the function has more than [`HOST_PARAMS`]
/// parameters or [`HOST_RESULTS`] results.
pub(crate) fn call_host<T>(
    store: &mut Store<T>,
    host: u32,
    slots: &mut [u64],
    at: usize,
    instance: Option<u32>,
) -> Result<(), HostError> {
    // The embedder hears of the run from here on: slices end by suspending.
    store.inner.fuel.stop_renewal();
    let func = store.hosts[host as usize].clone();
    let (np, nr) = (func.ty.params().len(), func.ty.results().len());
    if np <= HOST_PARAMS && nr <= HOST_RESULTS {
        let mut params = [Val::I32(0); HOST_PARAMS];
        let mut results = [Val::I32(0); HOST_RESULTS];
        call_host_with(
            store,
            &func,
            slots,
            at,
            instance,
            &mut params[..np],
            &mut results[..nr],
        )
    } else {
        core::hint::cold_path();
        let mut params = vec![Val::I32(0); np];
        let mut results = vec![Val::I32(0); nr];
        call_host_with(store, &func, slots, at, instance, &mut params, &mut results)
    }
}

/// [`call_host`] with room for the values: `params` and `results` have
/// exactly the function's numbers of parameters and results.
#[inline(always)]
fn call_host_with<T>(
    store: &mut Store<T>,
    func: &crate::func::HostFunc<T>,
    slots: &mut [u64],
    at: usize,
    instance: Option<u32>,
    params: &mut [Val],
    results: &mut [Val],
) -> Result<(), HostError> {
    let store_id = store.inner.id;
    let mut next = at;
    for (p, t) in params.iter_mut().zip(func.ty.params()) {
        *p = Val::read_slots(*t, slots, next, store_id);
        next += t.slots();
    }
    for (r, t) in results.iter_mut().zip(func.ty.results()) {
        *r = Val::default_for(*t);
    }
    (func.call)(Caller::new(store, instance), params, results)?;
    let mut next = at;
    for (r, t) in results.iter().zip(func.ty.results()) {
        if r.ty() != *t {
            return Err(wrong_result(r, *t));
        }
        next = r.write_slots(slots, next);
    }
    Ok(())
}

/// The trap of a host function that returned a value of another type than
/// it declared.
#[cold]
#[inline(never)]
fn wrong_result(r: &Val, t: ValType) -> HostError {
    HostError::Trap(Trap::host(format!(
        "host function returned a {} where {} was declared",
        r.ty(),
        t
    )))
}

/// Finishes the host call a suspended execution stopped at with `results`
/// as its return values, and moves past it (the host function is not called
/// again).
pub(crate) fn complete_host_call<T>(
    store: &Store<T>,
    state: &mut ExecState,
    blocked: Option<At>,
    results: &[Val],
) -> Result<(), Error> {
    let frame = state
        .current
        .as_mut()
        .ok_or_else(|| Error::usage("no suspended call"))?;
    if let Some(At { host, slot }) = blocked {
        // The host function that blocked, and where its values go.
        let types = store.hosts[host as usize].ty.results();
        if types.len() != results.len() || types.iter().zip(results).any(|(t, v)| v.ty() != *t) {
            return Err(wrong_results(types, results));
        }
        let mut at = slot;
        for v in results {
            at = v.write_slots(&mut state.slots, at);
        }
        frame.pc += 1;
        return Ok(());
    }
    let module = &store.inner.instances[frame.instance as usize].module;
    let (types, base) = match module.code[frame.func as usize]
        .current()
        .0
        .get(frame.pc as usize)
    {
        Some(Instr::CallImported { func, base } | Instr::ReturnCallImported { func, base }) => {
            (module.func_type(*func).results(), *base)
        }
        Some(
            Instr::CallIndirect {
                type_index, base, ..
            }
            | Instr::ReturnCallIndirect {
                type_index, base, ..
            }
            | Instr::CallRef { type_index, base }
            | Instr::ReturnCallRef { type_index, base },
        ) => (module.types[*type_index as usize].results(), *base),
        _ => {
            return Err(Error::usage(
                "the suspended call is not stopped at a host call",
            ));
        }
    };
    if types.len() != results.len() || types.iter().zip(results).any(|(t, v)| v.ty() != *t) {
        return Err(wrong_results(types, results));
    }
    let mut at = frame.fp as usize + base as usize;
    for v in results {
        at = v.write_slots(&mut state.slots, at);
    }
    frame.pc += 1;
    Ok(())
}

/// The error of results that do not fit the blocked host function's type.
#[cold]
#[inline(never)]
fn wrong_results(types: &[ValType], results: &[Val]) -> Error {
    Error::usage(format!(
        "the blocked host function returns {types:?}, got {results:?}"
    ))
}

/// The store function `call_indirect` (and `return_call_indirect`) calls:
/// element `index` of table `table` of `inst`, which must be set and of type
/// `type_index` of `module`.
#[inline]
fn indirect_callee(
    inner: &StoreInner,
    inst: &crate::store::InstanceEntity,
    module: &crate::module::ModuleInner,
    type_index: u32,
    table: u32,
    index: u32,
) -> Result<u32, TrapKind> {
    let t = &inner.tables[inst.tables[table as usize] as usize];
    let Some(&r) = t.elems.get(index as usize) else {
        return Err(TrapKind::UndefinedElement);
    };
    if r == 0 {
        return Err(TrapKind::UninitializedElement);
    }
    let fid = (r - 1) as u32;
    let (have, want) = (
        inner.funcs[fid as usize].ty,
        module.type_ids[type_index as usize],
    );
    // Equal canonical types, or (Wasm 3.0) a declared subtype.
    if have != want && !inner.engine.is_subtype(have, want) {
        return Err(TrapKind::IndirectCallTypeMismatch);
    }
    Ok(fid)
}

/// An address operand of a memory: the whole slot for a 64-bit memory, its
/// low 32 bits otherwise.
#[inline]
fn address(slot: u64, memory64: bool) -> u64 {
    if memory64 { slot } else { slot as u32 as u64 }
}

/// The bytes `addr + offset .. + width` of `m`, or `MemoryOutOfBounds`.
fn access_range(
    m: &crate::store::MemoryEntity,
    addr: u64,
    offset: u64,
    width: usize,
) -> Result<core::ops::Range<usize>, TrapKind> {
    let ea = address(addr, m.ty.memory64)
        .checked_add(offset)
        .ok_or(TrapKind::MemoryOutOfBounds)?;
    if !in_bounds(ea, width as u64, m.data.len()) {
        return Err(TrapKind::MemoryOutOfBounds);
    }
    Ok(ea as usize..ea as usize + width)
}

/// [`Instr::MemLoad`]: the value loaded by `op` (a `mem_op` code), in slot
/// encoding.
fn general_load(
    m: &crate::store::MemoryEntity,
    addr: u64,
    offset: u64,
    op: u8,
) -> Result<u64, TrapKind> {
    let (width, signed, wide) = crate::isa::mem_op::load_parts(op);
    let range = access_range(m, addr, offset, width)?;
    let mut buf = [0u8; 8];
    buf[..width].copy_from_slice(&m.data[range]);
    let mut v = u64::from_le_bytes(buf);
    if signed {
        let shift = 64 - 8 * width as u32;
        v = (((v << shift) as i64) >> shift) as u64;
    }
    Ok(if wide { v } else { v as u32 as u64 })
}

/// [`Instr::MemStore`]: stores the low `width` bytes of `value`.
fn general_store(
    m: &mut crate::store::MemoryEntity,
    addr: u64,
    offset: u64,
    width: u8,
    value: u64,
) -> Result<(), TrapKind> {
    let width = width as usize;
    let range = access_range(m, addr, offset, width)?;
    m.data[range].copy_from_slice(&value.to_le_bytes()[..width]);
    Ok(())
}

/// Runs until the outermost function returns, a trap, an exit, or a suspension.
#[allow(unused_assignments)] // `fpp` is rederived by the threaded block at the loop top
pub(crate) fn execute<T>(store: &mut Store<T>, state: &mut ExecState) -> Result<Step, Error> {
    let max_depth = store.inner.engine.config().max_call_depth;
    let fuel_on = store.inner.fuel.enabled();
    let ExecState {
        slots,
        frames,
        current,
        ..
    } = state;
    let current = current.as_mut().expect("execute needs a current frame");
    // How many frames the threaded handlers may find and still push one:
    // the depth limit or the capacity (changed only by `grow_frames` here).
    let mut frame_limit = max_depth.min(frames.capacity());
    let mut budget = store.inner.fuel.budget();
    let mut budget_start = budget;
    // `WASIPROC_PROFILE=pairs`: every instruction runs in this loop, which
    // counts them (exec/profile.rs); the threaded handlers are not used.
    let profiling = profile::enabled();

    // Hands the fuel spent since the last sync back to the store.
    macro_rules! commit_fuel {
        () => {
            if fuel_on {
                store.inner.fuel.commit(budget_start - budget);
            }
        };
    }
    // Takes a fresh budget from the store (after a commit or a host call).
    macro_rules! refresh_fuel {
        () => {
            budget = store.inner.fuel.budget();
            budget_start = budget;
        };
    }

    'outer: loop {
        let inst = store.inner.instances[current.instance as usize].clone();
        let module = &*inst.module;
        let mem0 = inst.memories.first().copied().unwrap_or(u32::MAX) as usize;
        let mut func_idx = current.func;
        let (mut code, frame_size): (&[Instr], u32) = module.code[func_idx as usize].current();
        // SAFETY: `code` is a translated body and the saved pc is inside it.
        let mut cur = unsafe { Cursor::new(code, current.pc as usize) };
        let mut fp = current.fp as usize;
        // Re-derives the view of memory 0 (see `mem_view` for when).
        macro_rules! refresh_mem {
            () => {
                MemView::of(store.inner.memories.get_mut(mem0).map(|m| &mut m.data))
            };
        }
        let mut mem = refresh_mem!();

        macro_rules! save {
            ($pc:expr) => {
                *current = Frame {
                    instance: current.instance,
                    func: func_idx,
                    pc: $pc as u32,
                    fp: fp as u32,
                }
            };
        }
        macro_rules! trap {
            ($kind:expr) => {{
                core::hint::cold_path();
                save!(cur.pc() - 1);
                commit_fuel!();
                let t = make_trap(Trap::from($kind), &store.inner, frames, current);
                return Err(Error::Trap(t));
            }};
        }
        // An out-of-bounds memory access: leaves the dispatch loop for the
        // one shared exit after it, which keeps the many load/store trap
        // sites small. Never used inside a nested loop (its `break` would
        // leave that loop instead; `trap!` has no such restriction).
        macro_rules! out_of_bounds {
            () => {{
                core::hint::cold_path();
                break;
            }};
        }
        // SAFETY: `execute` sized the slots for the current function's frame
        // before entering it (see `frame_ptr`).
        let mut fpp = unsafe { FramePtr::new(slots, fp) };
        // Re-derives the frame pointer after `fp` changed or `slots` may have moved.
        macro_rules! reframe {
            () => {
                // SAFETY: every caller has just ensured fp + frame_size <= slots.len().
                fpp = unsafe { FramePtr::new(slots, fp) }
            };
        }
        macro_rules! s {
            ($slot:expr) => {
                fpp.get($slot)
            };
        }
        macro_rules! r32 {
            ($slot:expr) => {
                (s!($slot) as u32)
            };
        }
        macro_rules! w32 {
            ($slot:expr, $v:expr) => {{
                let v: u32 = $v;
                fpp.set($slot, v as u64);
            }};
        }
        macro_rules! w64 {
            ($slot:expr, $v:expr) => {{
                let v: u64 = $v;
                fpp.set($slot, v);
            }};
        }
        macro_rules! f32v {
            ($slot:expr) => {
                f32::from_bits(r32!($slot))
            };
        }
        macro_rules! f64v {
            ($slot:expr) => {
                f64::from_bits(s!($slot))
            };
        }
        macro_rules! ea {
            ($addr:expr, $offset:expr) => {
                mem_view::ea(r32!($addr), u32::from($offset))
            };
        }
        // A load at an already computed effective address.
        macro_rules! load_at {
            ($dst:expr, $ea:expr, $n:literal, |$b:ident| $conv:expr, $w:ident) => {{
                match mem.load::<$n>($ea) {
                    Some($b) => $w!($dst, $conv),
                    None => out_of_bounds!(),
                }
            }};
        }
        macro_rules! load {
            ($dst:expr, $addr:expr, $offset:expr, $n:literal, |$b:ident| $conv:expr, $w:ident) => {
                load_at!($dst, ea!($addr, $offset), $n, |$b| $conv, $w)
            };
        }
        // `slot[dst] = slot[ops.0] OP f64(mem[slot[ops.1] + offset])`.
        macro_rules! f64_load_op {
            ($dst:expr, $ops:expr, $offset:expr, $op:tt) => {
                load!(
                    $dst,
                    $ops.1 as Slot,
                    $offset,
                    8,
                    |b| (f64v!($ops.0 as Slot) $op f64::from_le_bytes(b)).to_bits(),
                    w64
                )
            };
        }
        macro_rules! idx {
            ($base:expr, $index:expr) => {
                r32!($base).wrapping_add(r32!($index)) as usize
            };
        }
        macro_rules! scaled {
            ($ops:expr, $scale:expr) => {
                r32!($ops.0 as Slot).wrapping_add(r32!($ops.1 as Slot).wrapping_mul($scale))
                    as usize
            };
        }
        macro_rules! wrap {
            ($addr:expr, $imm:expr) => {
                r32!($addr).wrapping_add($imm) as usize
            };
        }
        macro_rules! store {
            ($addr:expr, $value:expr, $offset:expr, $bytes:expr) => {{
                let bytes = $bytes;
                if !mem.store(ea!($addr, $offset), bytes) {
                    out_of_bounds!();
                }
            }};
        }
        macro_rules! checked {
            ($e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(kind) => trap!(kind),
                }
            };
        }
        // Charges the length-proportional part of a bulk operation's fuel
        // (`isa::bulk_fuel`), after its bounds check and before it acts:
        // traps with `OutOfFuel` (the operation not done) when the total
        // budget cannot pay; when only the slice cannot, suspends before the
        // instruction, which runs again (charging again) in the next slice.
        macro_rules! charge_bulk {
            ($extra:expr) => {{
                let extra: u64 = $extra;
                if fuel_on && extra > 0 {
                    if extra <= budget {
                        budget -= extra;
                    } else {
                        commit_fuel!();
                        refresh_fuel!();
                        match store.inner.fuel.charge_slow(extra) {
                            Ok(()) => {
                                refresh_fuel!();
                            }
                            Err(crate::store::FuelShortfall::OutOfFuel) => {
                                trap!(TrapKind::OutOfFuel)
                            }
                            Err(crate::store::FuelShortfall::EndOfSlice) => {
                                save!(cur.pc() - 1);
                                return Ok(Step::Suspend(Suspension::OutOfSlice));
                            }
                        }
                    }
                }
            }};
        }
        // Throws exception object `exn` from the current instruction
        // (exec/unwind.rs): continues at the handler that catches it, in
        // this frame or a caller, or ends the call with
        // `UncaughtException`.
        macro_rules! throw {
            ($exn:expr) => {{
                let exn: u32 = $exn;
                save!(cur.pc() - 1);
                let tag = store
                    .inner
                    .rare
                    .get()
                    .and_then(|r| r.exns.objects.get(exn as usize));
                let Some(tag) = tag.map(|e| e.tag) else {
                    trap!(TrapKind::NullReference)
                };
                match unwind::find_handler(&store.inner, frames, current, tag) {
                    None => trap!(TrapKind::UncaughtException),
                    Some((j, h)) => {
                        let f = if j == frames.len() {
                            *current
                        } else {
                            frames[j]
                        };
                        frames.truncate(j);
                        let at = f.fp as usize;
                        let e = &mut store.inner.rare.state().exns.objects[exn as usize];
                        let n = e.payload.len();
                        let to = at + h.payload as usize;
                        slots[to..to + n].copy_from_slice(&e.payload);
                        if h.exn != crate::isa::NO_SLOT {
                            e.escaped = true;
                            slots[at + h.exn as usize] = exn as u64 + 1;
                        } else if h.releases {
                            store.inner.recycle_exception(exn);
                        }
                        *current = Frame { pc: h.target, ..f };
                        continue 'outer;
                    }
                }
            }};
        }
        // Enters Wasm function `index` of the current instance with its
        // frame starting at slot `base`.
        // Reserves the frame of `callee` at slot `base` of the current frame
        // (depth and stack limits), zeroes its declared locals and pushes
        // the caller's frame; evaluates to the callee's frame pointer.
        // `frame_size` is the one `callee.current()` gave with the code
        // that will run.
        macro_rules! push_frame {
            ($callee:expr, $frame_size:expr, $base:expr) => {{
                let callee: &crate::module::CompiledFunc = $callee;
                let new_fp = fp + $base as usize;
                if frames.len() >= max_depth {
                    trap!(TrapKind::StackExhausted);
                }
                let need = new_fp + $frame_size as usize;
                if need > slots.len() {
                    core::hint::cold_path();
                    if let Err(kind) = grow_slots(&mut store.inner, slots, need, true) {
                        trap!(kind);
                    }
                }
                slots[new_fp + callee.num_params as usize..new_fp + callee.num_locals as usize]
                    .fill(0);
                if frames.len() == frames.capacity() {
                    core::hint::cold_path();
                    if let Err(kind) = grow_frames(&mut store.inner, frames) {
                        trap!(kind);
                    }
                    frame_limit = max_depth.min(frames.capacity());
                }
                frames.push(Frame {
                    instance: current.instance,
                    func: func_idx,
                    pc: cur.pc() as u32,
                    fp: fp as u32,
                });
                new_fp
            }};
        }
        // Enters Wasm function `index` of the current instance with its
        // frame starting at slot `base`.
        macro_rules! enter_local {
            ($index:expr, $base:expr) => {{
                let index: u32 = $index;
                let callee = &module.code[index as usize];
                let (callee_code, frame_size) = callee.current();
                fp = push_frame!(callee, frame_size, $base);
                func_idx = index;
                code = callee_code;
                // SAFETY: a translated body (or the untranslated stub),
                // starting at its first instruction.
                cur = unsafe { Cursor::new(code, 0) };
                reframe!();
            }};
        }
        // `return_call*`: makes room for `callee`'s frame at the current
        // frame pointer (the value-stack limit applies), moves its
        // arguments from slot `base` to slot 0 and zeroes its locals. The
        // frame stack does not grow: the callee returns to our caller.
        macro_rules! tail_frame {
            ($callee:expr, $frame_size:expr, $base:expr) => {{
                let callee: &crate::module::CompiledFunc = $callee;
                let need = fp + $frame_size as usize;
                if need > slots.len() {
                    core::hint::cold_path();
                    if let Err(kind) = grow_slots(&mut store.inner, slots, need, true) {
                        trap!(kind);
                    }
                }
                let from = fp + $base as usize;
                let np = callee.num_params as usize;
                slots.copy_within(from..from + np, fp);
                slots[fp + np..fp + callee.num_locals as usize].fill(0);
            }};
        }
        // Tail-calls Wasm function `index` of the current instance with
        // arguments at slot `base`: it replaces the current function.
        macro_rules! tail_local {
            ($index:expr, $base:expr) => {{
                let index: u32 = $index;
                let callee = &module.code[index as usize];
                let (callee_code, frame_size) = callee.current();
                tail_frame!(callee, frame_size, $base);
                func_idx = index;
                code = callee_code;
                // SAFETY: a translated body (or the untranslated stub),
                // starting at its first instruction.
                cur = unsafe { Cursor::new(code, 0) };
                reframe!();
            }};
        }
        // Tail-calls store function `fid` with arguments at slot `base`: a
        // Wasm callee replaces the current function; a host function is
        // called as by `dispatch!` (the code after the instruction moves its
        // results and returns).
        macro_rules! tail_dispatch {
            ($fid:expr, $base:expr) => {{
                let fid: u32 = $fid;
                let base: u32 = $base;
                match store.inner.funcs[fid as usize].kind {
                    FuncKind::Wasm { instance, index } if instance == current.instance => {
                        tail_local!(index, base)
                    }
                    FuncKind::Wasm { instance, index } => {
                        let other = store.inner.instances[instance as usize].clone();
                        let callee = &other.module.code[index as usize];
                        tail_frame!(callee, callee.current().1, base);
                        *current = Frame {
                            instance,
                            func: index,
                            pc: 0,
                            fp: fp as u32,
                        };
                        continue 'outer;
                    }
                    FuncKind::Host(_) => dispatch!(fid, base),
                }
            }};
        }
        // Calls store function `fid` with arguments at slot `base`.
        macro_rules! dispatch {
            ($fid:expr, $base:expr) => {{
                let base: u32 = $base;
                match store.inner.funcs[$fid as usize].kind {
                    FuncKind::Wasm { instance, index } if instance == current.instance => {
                        enter_local!(index, base)
                    }
                    FuncKind::Wasm { instance, index } => {
                        let other = store.inner.instances[instance as usize].clone();
                        // (The frame is checked again at `'outer`, with
                        // the code found there.)
                        let callee = &other.module.code[index as usize];
                        let new_fp = push_frame!(callee, callee.current().1, base);
                        *current = Frame {
                            instance,
                            func: index,
                            pc: 0,
                            fp: new_fp as u32,
                        };
                        continue 'outer;
                    }
                    FuncKind::Host(h) => {
                        core::hint::cold_path();
                        commit_fuel!();
                        let at = fp + base as usize;
                        let need = at + store.hosts[h as usize].slots as usize;
                        if need > slots.len()
                            && let Err(kind) = grow_slots(&mut store.inner, slots, need, false)
                        {
                            trap!(kind);
                        }
                        let instance = current.instance;
                        let result = call_host(store, h, slots, at, Some(instance));
                        reframe!();
                        mem = refresh_mem!();
                        match result {
                            Ok(()) => {
                                refresh_fuel!();
                            }
                            Err(HostError::Trap(t)) => {
                                refresh_fuel!();
                                trap!(t)
                            }
                            Err(HostError::Exit(code)) => {
                                save!(cur.pc() - 1);
                                return Err(Error::Exit(code));
                            }
                            Err(HostError::Blocked(why)) => {
                                save!(cur.pc() - 1);
                                return Ok(Step::Blocked(why, At { host: h, slot: at }));
                            }
                        }
                    }
                }
            }};
        }

        // The frame was made for the code found when the call was made;
        // when another thread has translated the function since, the body
        // found above may need more slots (lazy translation).
        if fp + frame_size as usize > slots.len() {
            core::hint::cold_path();
            let need = fp + frame_size as usize;
            if let Err(kind) = grow_slots(&mut store.inner, slots, need, true) {
                trap!(kind);
            }
            reframe!();
        }

        loop {
            // The threaded handlers run until one steps out before an
            // instruction; this loop runs that one (exec/threaded).
            if profiling {
                profile::record(cur.tag());
            } else {
                let base = slots.as_mut_ptr();
                // SAFETY: one past the vector's last element.
                let slots_end = unsafe { base.add(slots.len()) };
                let frames_base = frames.as_mut_ptr();
                debug_assert!(frame_limit <= frames.capacity() && frames.len() <= frame_limit);
                let mut cx = threaded::Cx {
                    code: code.as_ptr(),
                    func: func_idx,
                    instance: current.instance,
                    module_code: &module.code,
                    frames_base,
                    // SAFETY: within the vector (or one past its end).
                    frames_top: unsafe { frames_base.add(frames.len()) },
                    // SAFETY: at most the capacity, within the allocation.
                    frames_limit: unsafe { frames_base.add(frame_limit) },
                    slots: base,
                    slots_end,
                    globals: &mut store.inner.globals,
                    global_map: &inst.globals,
                    // SAFETY: the cursor is inside `code`.
                    ip: unsafe { Ip::at(code.as_ptr(), cur.pc() as u32) },
                    // SAFETY: the current frame fits (as for `fpp`); derived
                    // from `base` like every frame pointer the handlers make.
                    fp: unsafe { FramePtr::at_index(base, slots_end, fp) },
                    budget,
                    budget_start,
                    fuel: &mut store.inner.fuel,
                };
                threaded::run(mem, &mut cx);
                (budget, budget_start) = (cx.budget, cx.budget_start);
                // SAFETY: the handlers pushed frames only below
                // `frames_limit` (within the capacity), each written
                // before `frames_top` passed it, and popped only down to
                // `frames_base`; the vector has not moved.
                unsafe { frames.set_len(cx.frames_top.offset_from(frames_base) as usize) };
                if !core::ptr::eq(cx.code, code.as_ptr()) {
                    func_idx = cx.func;
                    // The code the handlers ran: the stub, or a body they
                    // found published (which `current` then finds too).
                    code = if core::ptr::eq(cx.code, CompiledFunc::stub().as_ptr()) {
                        CompiledFunc::stub()
                    } else {
                        module.code[func_idx as usize].current().0
                    };
                    debug_assert!(core::ptr::eq(cx.code, code.as_ptr()));
                }
                // SAFETY: handlers stop at an instruction inside the current body.
                cur = unsafe { Cursor::new(code, cx.ip.pc(cx.code) as usize) };
                fpp = cx.fp;
                fp = fpp.index(base);
            }
            let instr = cur.next();
            // A memory the guest has not accessed yet has a view of length
            // 0; it is opened before the first instruction that may use it.
            if mem.len() == 0 && mem0 != usize::MAX && instr.may_access_memory() {
                core::hint::cold_path();
                mem = MemView::opened(store.inner.memories.get_mut(mem0).map(|m| &mut m.data));
            }
            match instr {
                // Every instruction has an arm here: the threaded handlers step
                // out to it for traps, slow paths and rare instructions, and
                // most handlers are generated from these arms (exec/threaded).
                // ---- the instructions the workloads spend their time in ----
                Instr::ConsumeFuel { amount } => {
                    let amount = amount as u64;
                    if amount <= budget {
                        budget -= amount;
                    } else {
                        core::hint::cold_path();
                        commit_fuel!();
                        refresh_fuel!();
                        match store.inner.fuel.charge_slow(amount) {
                            Ok(()) => {
                                refresh_fuel!();
                            }
                            Err(crate::store::FuelShortfall::OutOfFuel) => {
                                trap!(TrapKind::OutOfFuel)
                            }
                            Err(crate::store::FuelShortfall::EndOfSlice) => {
                                save!(cur.pc() - 1);
                                return Ok(Step::Suspend(Suspension::OutOfSlice));
                            }
                        }
                    }
                }
                Instr::Br { target } => cur.jump(target),
                Instr::BrIfEqz { cond, target } => {
                    if r32!(cond) == 0 {
                        cur.jump(target);
                    }
                }
                Instr::BrIfNez { cond, target } => {
                    if r32!(cond) != 0 {
                        cur.jump(target);
                    }
                }
                Instr::BrTable { index, len } => {
                    cur.skip(r32!(index).min(len) as usize);
                    // Every entry is a `Br`: take it here instead of dispatching it.
                    if let Instr::Br { target } = cur.peek() {
                        // (The target is the entry's: read it as the branch.)
                        cur.skip(1);
                        cur.jump(target);
                    }
                }
                Instr::Return => match frames.pop() {
                    None => {
                        core::hint::cold_path();
                        save!(cur.pc());
                        commit_fuel!();
                        return Ok(Step::Done);
                    }
                    Some(f) if f.instance == current.instance => {
                        func_idx = f.func;
                        code = module.code[f.func as usize].current().0;
                        // SAFETY: the saved return pc is inside the caller's body.
                        cur = unsafe { Cursor::new(code, f.pc as usize) };
                        fp = f.fp as usize;
                        reframe!();
                    }
                    Some(f) => {
                        *current = f;
                        continue 'outer;
                    }
                },
                Instr::Copy { dst, src } => w64!(dst, s!(src)),
                Instr::Copy2 { dst, src, second } => {
                    w64!(dst, s!(src));
                    w64!(second.0 as Slot, s!(second.1 as Slot));
                }
                Instr::Const64 { dst, value } => w64!(dst, value),
                Instr::Select { dst, rhs, cond } => {
                    if r32!(cond) == 0 {
                        w64!(dst, s!(rhs));
                    }
                }
                Instr::SelectZero { dst, rhs, cond } => {
                    let v = if r32!(cond) != 0 { 0 } else { s!(rhs) };
                    w64!(dst, v)
                }
                Instr::SelectTo { dst, lhs, ops } => {
                    let v = if r32!(ops.1 as Slot) != 0 {
                        s!(lhs)
                    } else {
                        s!(ops.0 as Slot)
                    };
                    w64!(dst, v)
                }
                Instr::SelectImm { dst, ops, imm } => {
                    let v = if r32!(ops.1 as Slot) != 0 {
                        imm as u64
                    } else {
                        s!(ops.0 as Slot)
                    };
                    w64!(dst, v)
                }
                Instr::CallInternal { func, base } => enter_local!(func, base),
                Instr::I32Add { dst, lhs, rhs } => w32!(dst, r32!(lhs).wrapping_add(r32!(rhs))),
                Instr::I32Sub { dst, lhs, rhs } => w32!(dst, r32!(lhs).wrapping_sub(r32!(rhs))),
                Instr::I32Mul { dst, lhs, rhs } => w32!(dst, r32!(lhs).wrapping_mul(r32!(rhs))),
                Instr::I32And { dst, lhs, rhs } => w32!(dst, r32!(lhs) & r32!(rhs)),
                Instr::I32Or { dst, lhs, rhs } => w32!(dst, r32!(lhs) | r32!(rhs)),
                Instr::I32Xor { dst, lhs, rhs } => w32!(dst, r32!(lhs) ^ r32!(rhs)),
                Instr::I32Shl { dst, lhs, rhs } => w32!(dst, r32!(lhs).wrapping_shl(r32!(rhs))),
                Instr::I32ShrU { dst, lhs, rhs } => w32!(dst, r32!(lhs).wrapping_shr(r32!(rhs))),
                Instr::I32ShrS { dst, lhs, rhs } => {
                    w32!(dst, (r32!(lhs) as i32).wrapping_shr(r32!(rhs)) as u32)
                }
                Instr::I32AddImm { dst, lhs, imm } => w32!(dst, r32!(lhs).wrapping_add(imm)),
                Instr::I32MulImm { dst, lhs, imm } => w32!(dst, r32!(lhs).wrapping_mul(imm)),
                Instr::I32AndImm { dst, lhs, imm } => w32!(dst, r32!(lhs) & imm),
                Instr::I32OrImm { dst, lhs, imm } => w32!(dst, r32!(lhs) | imm),
                Instr::I32XorImm { dst, lhs, imm } => w32!(dst, r32!(lhs) ^ imm),
                Instr::I32ShlImm { dst, lhs, imm } => w32!(dst, r32!(lhs).wrapping_shl(imm)),
                Instr::I32ShrUImm { dst, lhs, imm } => w32!(dst, r32!(lhs).wrapping_shr(imm)),
                Instr::I32ShrSImm { dst, lhs, imm } => {
                    w32!(dst, (r32!(lhs) as i32).wrapping_shr(imm) as u32)
                }
                Instr::I32RotlImm { dst, lhs, imm } => w32!(dst, r32!(lhs).rotate_left(imm)),
                Instr::I32Eqz { dst, src } => w32!(dst, (r32!(src) == 0) as u32),
                Instr::I32Load { dst, addr, offset } => {
                    load!(dst, addr, offset, 4, |b| u32::from_le_bytes(b), w32)
                }
                Instr::I32Load8U { dst, addr, offset } => {
                    load!(dst, addr, offset, 1, |b| b[0] as u32, w32)
                }
                Instr::I32LoadIdx { dst, base, index } => {
                    load_at!(dst, idx!(base, index), 4, |b| u32::from_le_bytes(b), w32)
                }
                Instr::I32Load8UIdx { dst, base, index } => {
                    load_at!(dst, idx!(base, index), 1, |b| b[0] as u32, w32)
                }
                Instr::I32LoadWrap { dst, addr, imm } => {
                    load_at!(dst, wrap!(addr, imm), 4, |b| u32::from_le_bytes(b), w32)
                }
                Instr::I32Load8UWrap { dst, addr, imm } => {
                    load_at!(dst, wrap!(addr, imm), 1, |b| b[0] as u32, w32)
                }
                Instr::I32Store {
                    addr,
                    value,
                    offset,
                } => store!(addr, value, offset, r32!(value).to_le_bytes()),
                Instr::I32Store8 {
                    addr,
                    value,
                    offset,
                } => store!(addr, value, offset, [s!(value) as u8]),
                Instr::I32Store8ImmIdx { base, index, imm } => {
                    if !mem.store(idx!(base, index), [imm as u8]) {
                        out_of_bounds!();
                    }
                }
                Instr::I32StoreImm { addr, imm, offset } => {
                    store!(addr, imm, offset, imm.to_le_bytes())
                }
                Instr::I64Load { dst, addr, offset } => {
                    load!(dst, addr, offset, 8, |b| u64::from_le_bytes(b), w64)
                }
                Instr::I64LoadIdx { dst, base, index } => {
                    load_at!(dst, idx!(base, index), 8, |b| u64::from_le_bytes(b), w64)
                }
                Instr::I64Load32S { dst, addr, offset } => load!(
                    dst,
                    addr,
                    offset,
                    4,
                    |b| i32::from_le_bytes(b) as i64 as u64,
                    w64
                ),
                Instr::I64Load32U { dst, addr, offset } => {
                    load!(dst, addr, offset, 4, |b| u32::from_le_bytes(b) as u64, w64)
                }
                Instr::I64Store {
                    addr,
                    value,
                    offset,
                } => store!(addr, value, offset, s!(value).to_le_bytes()),
                Instr::I64Store8 {
                    addr,
                    value,
                    offset,
                } => store!(addr, value, offset, [s!(value) as u8]),
                Instr::I64Add { dst, lhs, rhs } => w64!(dst, s!(lhs).wrapping_add(s!(rhs))),
                Instr::I64AddImm { dst, lhs, imm } => {
                    w64!(dst, s!(lhs).wrapping_add(imm as i64 as u64))
                }
                Instr::I64Mul { dst, lhs, rhs } => w64!(dst, s!(lhs).wrapping_mul(s!(rhs))),
                Instr::I64MulImm { dst, lhs, imm } => {
                    w64!(dst, s!(lhs).wrapping_mul(imm as i64 as u64))
                }
                Instr::I64And { dst, lhs, rhs } => w64!(dst, s!(lhs) & s!(rhs)),
                Instr::I64Xor { dst, lhs, rhs } => w64!(dst, s!(lhs) ^ s!(rhs)),
                Instr::I64ShlImm { dst, lhs, imm } => w64!(dst, s!(lhs).wrapping_shl(imm as u32)),
                Instr::I64ShrUImm { dst, lhs, imm } => w64!(dst, s!(lhs).wrapping_shr(imm as u32)),
                Instr::I64ShrS { dst, lhs, rhs } => {
                    w64!(dst, (s!(lhs) as i64).wrapping_shr(s!(rhs) as u32) as u64)
                }
                Instr::I64Eq { dst, lhs, rhs } => w32!(dst, (s!(lhs) == s!(rhs)) as u32),
                Instr::I64ExtendI32U { dst, src } => w64!(dst, r32!(src) as u64),
                Instr::I32WrapI64 { dst, src } => w32!(dst, s!(src) as u32),
                Instr::F64Load { dst, addr, offset } => {
                    load!(dst, addr, offset, 8, |b| u64::from_le_bytes(b), w64)
                }
                Instr::F64LoadIdx { dst, base, index } => {
                    load_at!(dst, idx!(base, index), 8, |b| u64::from_le_bytes(b), w64)
                }
                Instr::F64LoadWrap { dst, addr, imm } => {
                    load_at!(dst, wrap!(addr, imm), 8, |b| u64::from_le_bytes(b), w64)
                }
                Instr::F64Store {
                    addr,
                    value,
                    offset,
                } => store!(addr, value, offset, s!(value).to_le_bytes()),
                Instr::F64Add { dst, lhs, rhs } => w64!(dst, (f64v!(lhs) + f64v!(rhs)).to_bits()),
                Instr::F64Mul { dst, lhs, rhs } => w64!(dst, (f64v!(lhs) * f64v!(rhs)).to_bits()),
                Instr::F64AddLoad { dst, ops, offset } => f64_load_op!(dst, ops, offset, +),
                Instr::F64MulLoad { dst, ops, offset } => f64_load_op!(dst, ops, offset, *),
                Instr::F64SubLoad { dst, ops, offset } => f64_load_op!(dst, ops, offset, -),
                // ---- fused compare + branch ----
                Instr::BrI32Eq { lhs, rhs, target } => {
                    if (r32!(lhs)) == (r32!(rhs)) {
                        cur.jump(target)
                    }
                }
                Instr::BrI32EqImm { lhs, imm, target } => {
                    if (r32!(lhs)) == (imm) {
                        cur.jump(target)
                    }
                }
                Instr::BrI32Ne { lhs, rhs, target } => {
                    if (r32!(lhs)) != (r32!(rhs)) {
                        cur.jump(target)
                    }
                }
                Instr::BrI32NeImm { lhs, imm, target } => {
                    if (r32!(lhs)) != (imm) {
                        cur.jump(target)
                    }
                }
                Instr::BrI32LtS { lhs, rhs, target } => {
                    if ((r32!(lhs)) as i32) < (r32!(rhs)) as i32 {
                        cur.jump(target)
                    }
                }
                Instr::BrI32LtSImm { lhs, imm, target } => {
                    if ((r32!(lhs)) as i32) < (imm) as i32 {
                        cur.jump(target)
                    }
                }
                Instr::BrI32LtU { lhs, rhs, target } => {
                    if (r32!(lhs)) < (r32!(rhs)) {
                        cur.jump(target)
                    }
                }
                Instr::BrI32LtUImm { lhs, imm, target } => {
                    if (r32!(lhs)) < (imm) {
                        cur.jump(target)
                    }
                }
                Instr::BrI32GtS { lhs, rhs, target } => {
                    if ((r32!(lhs)) as i32) > (r32!(rhs)) as i32 {
                        cur.jump(target)
                    }
                }
                Instr::BrI32GtSImm { lhs, imm, target } => {
                    if ((r32!(lhs)) as i32) > (imm) as i32 {
                        cur.jump(target)
                    }
                }
                Instr::BrI32GtU { lhs, rhs, target } => {
                    if (r32!(lhs)) > (r32!(rhs)) {
                        cur.jump(target)
                    }
                }
                Instr::BrI32GtUImm { lhs, imm, target } => {
                    if (r32!(lhs)) > (imm) {
                        cur.jump(target)
                    }
                }
                Instr::BrI32LeS { lhs, rhs, target } => {
                    if ((r32!(lhs)) as i32) <= (r32!(rhs)) as i32 {
                        cur.jump(target)
                    }
                }
                Instr::BrI32LeSImm { lhs, imm, target } => {
                    if ((r32!(lhs)) as i32) <= (imm) as i32 {
                        cur.jump(target)
                    }
                }
                Instr::BrI32LeU { lhs, rhs, target } => {
                    if (r32!(lhs)) <= (r32!(rhs)) {
                        cur.jump(target)
                    }
                }
                Instr::BrI32LeUImm { lhs, imm, target } => {
                    if (r32!(lhs)) <= (imm) {
                        cur.jump(target)
                    }
                }
                Instr::BrI32GeS { lhs, rhs, target } => {
                    if ((r32!(lhs)) as i32) >= (r32!(rhs)) as i32 {
                        cur.jump(target)
                    }
                }
                Instr::BrI32GeSImm { lhs, imm, target } => {
                    if ((r32!(lhs)) as i32) >= (imm) as i32 {
                        cur.jump(target)
                    }
                }
                Instr::BrI32GeU { lhs, rhs, target } => {
                    if (r32!(lhs)) >= (r32!(rhs)) {
                        cur.jump(target)
                    }
                }
                Instr::BrI32GeUImm { lhs, imm, target } => {
                    if (r32!(lhs)) >= (imm) {
                        cur.jump(target)
                    }
                }
                Instr::BrI64Eq { lhs, rhs, target } => {
                    if (s!(lhs)) == (s!(rhs)) {
                        cur.jump(target)
                    }
                }
                Instr::BrI64EqImm { lhs, imm, target } => {
                    if (s!(lhs)) == (imm as i64 as u64) {
                        cur.jump(target)
                    }
                }
                Instr::BrI64Ne { lhs, rhs, target } => {
                    if (s!(lhs)) != (s!(rhs)) {
                        cur.jump(target)
                    }
                }
                Instr::BrI64NeImm { lhs, imm, target } => {
                    if (s!(lhs)) != (imm as i64 as u64) {
                        cur.jump(target)
                    }
                }
                Instr::BrI64LtS { lhs, rhs, target } => {
                    if ((s!(lhs)) as i64) < (s!(rhs)) as i64 {
                        cur.jump(target)
                    }
                }
                Instr::BrI64LtSImm { lhs, imm, target } => {
                    if ((s!(lhs)) as i64) < (imm as i64 as u64) as i64 {
                        cur.jump(target)
                    }
                }
                Instr::BrI64LtU { lhs, rhs, target } => {
                    if (s!(lhs)) < (s!(rhs)) {
                        cur.jump(target)
                    }
                }
                Instr::BrI64LtUImm { lhs, imm, target } => {
                    if (s!(lhs)) < (imm as i64 as u64) {
                        cur.jump(target)
                    }
                }
                Instr::BrI64GtS { lhs, rhs, target } => {
                    if ((s!(lhs)) as i64) > (s!(rhs)) as i64 {
                        cur.jump(target)
                    }
                }
                Instr::BrI64GtSImm { lhs, imm, target } => {
                    if ((s!(lhs)) as i64) > (imm as i64 as u64) as i64 {
                        cur.jump(target)
                    }
                }
                Instr::BrI64GtU { lhs, rhs, target } => {
                    if (s!(lhs)) > (s!(rhs)) {
                        cur.jump(target)
                    }
                }
                Instr::BrI64GtUImm { lhs, imm, target } => {
                    if (s!(lhs)) > (imm as i64 as u64) {
                        cur.jump(target)
                    }
                }
                Instr::BrI64LeS { lhs, rhs, target } => {
                    if ((s!(lhs)) as i64) <= (s!(rhs)) as i64 {
                        cur.jump(target)
                    }
                }
                Instr::BrI64LeSImm { lhs, imm, target } => {
                    if ((s!(lhs)) as i64) <= (imm as i64 as u64) as i64 {
                        cur.jump(target)
                    }
                }
                Instr::BrI64LeU { lhs, rhs, target } => {
                    if (s!(lhs)) <= (s!(rhs)) {
                        cur.jump(target)
                    }
                }
                Instr::BrI64LeUImm { lhs, imm, target } => {
                    if (s!(lhs)) <= (imm as i64 as u64) {
                        cur.jump(target)
                    }
                }
                Instr::BrI64GeS { lhs, rhs, target } => {
                    if ((s!(lhs)) as i64) >= (s!(rhs)) as i64 {
                        cur.jump(target)
                    }
                }
                Instr::BrI64GeSImm { lhs, imm, target } => {
                    if ((s!(lhs)) as i64) >= (imm as i64 as u64) as i64 {
                        cur.jump(target)
                    }
                }
                Instr::BrI64GeU { lhs, rhs, target } => {
                    if (s!(lhs)) >= (s!(rhs)) {
                        cur.jump(target)
                    }
                }
                Instr::BrI64GeUImm { lhs, imm, target } => {
                    if (s!(lhs)) >= (imm as i64 as u64) {
                        cur.jump(target)
                    }
                }
                Instr::GlobalGet { dst, global } => {
                    w64!(
                        dst,
                        store.inner.globals[inst.globals[global as usize] as usize].value
                    )
                }
                Instr::GlobalSet { src, global } => {
                    store.inner.globals[inst.globals[global as usize] as usize].value = s!(src)
                }
                Instr::CallIndirect {
                    type_index,
                    table,
                    base,
                } => {
                    let fid = checked!(indirect_callee(
                        &store.inner,
                        &inst,
                        module,
                        type_index,
                        table,
                        r32!(base + module.types[type_index as usize].param_slots()),
                    ));
                    dispatch!(fid, base)
                }

                // ---- everything else, by kind ----
                Instr::Unreachable => trap!(TrapKind::Unreachable),
                Instr::Untranslated => {
                    core::hint::cold_path();
                    let body = match module.code[func_idx as usize].translate(module, func_idx) {
                        Ok(body) => body,
                        Err(e) => {
                            save!(cur.pc() - 1);
                            commit_fuel!();
                            return Err(e);
                        }
                    };
                    // The frame was made for the stub: parameters and
                    // zeroed locals; the body may need more slots.
                    let need = fp + body.frame_size as usize;
                    if need > slots.len()
                        && let Err(kind) = grow_slots(&mut store.inner, slots, need, true)
                    {
                        trap!(kind);
                    }
                    reframe!();
                    code = &body.instrs;
                    // SAFETY: a translated body, at its first instruction.
                    cur = unsafe { Cursor::new(code, 0) };
                }
                Instr::CallImported { func, base } => dispatch!(inst.funcs[func as usize], base),
                Instr::ReturnCallInternal { func, base } => tail_local!(func, base),
                Instr::ReturnCallImported { func, base } => {
                    tail_dispatch!(inst.funcs[func as usize], base)
                }
                Instr::ReturnCallIndirect {
                    type_index,
                    table,
                    base,
                } => {
                    let fid = checked!(indirect_callee(
                        &store.inner,
                        &inst,
                        module,
                        type_index,
                        table,
                        r32!(base + module.types[type_index as usize].param_slots()),
                    ));
                    tail_dispatch!(fid, base)
                }
                Instr::RefFunc { dst, func } => {
                    core::hint::cold_path();
                    w64!(dst, inst.funcs[func as usize] as u64 + 1)
                }

                // ---- tables ----
                Instr::TableGet { dst, index, table } => {
                    core::hint::cold_path();
                    let t = &store.inner.tables[inst.tables[table as usize] as usize];
                    match t.elems.get(r32!(index) as usize) {
                        Some(&v) => w64!(dst, v),
                        None => trap!(TrapKind::TableOutOfBounds),
                    }
                }
                Instr::TableSet {
                    index,
                    value,
                    table,
                } => {
                    core::hint::cold_path();
                    let v = s!(value);
                    let t = &mut store.inner.tables[inst.tables[table as usize] as usize];
                    match t.elems.get_mut(r32!(index) as usize) {
                        Some(e) => *e = v,
                        None => trap!(TrapKind::TableOutOfBounds),
                    }
                }
                Instr::TableSize { dst, table } => {
                    core::hint::cold_path();
                    let t = &store.inner.tables[inst.tables[table as usize] as usize];
                    w32!(dst, t.elems.len() as u32)
                }
                Instr::TableGrow { table, base } => {
                    core::hint::cold_path();
                    let init = s!(base);
                    let delta = r32!(base + 1);
                    let ti = inst.tables[table as usize];
                    let t = &store.inner.tables[ti as usize];
                    // Charged only when the growth will be granted: a refused
                    // request does no work.
                    let granted = (t.elems.len() as u64 + delta as u64)
                        <= (t.ty.maximum.unwrap_or(u32::MAX) as u64)
                            .min(store.inner.limits.table_elements as u64);
                    if granted {
                        charge_bulk!(crate::isa::table_bulk_fuel(delta as u64));
                    }
                    match grow_table(&mut store.inner, ti, delta, init) {
                        GrowResult::Grown(old) => w32!(base, old),
                        GrowResult::Refused => w32!(base, u32::MAX),
                        GrowResult::LimitTrap => trap!(TrapKind::MemoryLimit),
                    }
                }
                Instr::TableFill { table, base } => {
                    core::hint::cold_path();
                    let (i, v, n) = (r32!(base) as u64, s!(base + 1), r32!(base + 2) as u64);
                    let ti = inst.tables[table as usize] as usize;
                    if !in_bounds(i, n, store.inner.tables[ti].elems.len()) {
                        trap!(TrapKind::TableOutOfBounds);
                    }
                    charge_bulk!(crate::isa::table_bulk_fuel(n));
                    store.inner.tables[ti].elems[i as usize..(i + n) as usize].fill(v);
                }
                Instr::TableCopy {
                    dst_table,
                    src_table,
                    base,
                } => {
                    core::hint::cold_path();
                    let (d, sr, n) = (
                        r32!(base) as u64,
                        r32!(base + 1) as u64,
                        r32!(base + 2) as u64,
                    );
                    let dt = inst.tables[dst_table as usize] as usize;
                    let st = inst.tables[src_table as usize] as usize;
                    let tables = &mut store.inner.tables;
                    if !in_bounds(d, n, tables[dt].elems.len())
                        || !in_bounds(sr, n, tables[st].elems.len())
                    {
                        trap!(TrapKind::TableOutOfBounds);
                    }
                    charge_bulk!(crate::isa::table_bulk_fuel(n));
                    let (d, sr, n) = (d as usize, sr as usize, n as usize);
                    copy_between_tables(&mut store.inner, dt, d, st, sr, n);
                }
                Instr::TableInit { table, elem, base } => {
                    core::hint::cold_path();
                    let (d, sr, n) = (
                        r32!(base) as u64,
                        r32!(base + 1) as u64,
                        r32!(base + 2) as u64,
                    );
                    let (ei, ti) = (
                        inst.elems[elem as usize] as usize,
                        inst.tables[table as usize] as usize,
                    );
                    if !in_bounds(sr, n, store.inner.elems[ei].items.len())
                        || !in_bounds(d, n, store.inner.tables[ti].elems.len())
                    {
                        trap!(TrapKind::TableOutOfBounds);
                    }
                    charge_bulk!(crate::isa::table_bulk_fuel(n));
                    let StoreInner { tables, elems, .. } = &mut store.inner;
                    let seg = &elems[ei].items;
                    let t = &mut tables[ti];
                    let (d, sr, n) = (d as usize, sr as usize, n as usize);
                    t.elems[d..d + n].copy_from_slice(&seg[sr..sr + n]);
                }
                Instr::ElemDrop { elem } => {
                    core::hint::cold_path();
                    store.inner.elems[inst.elems[elem as usize] as usize].items = Box::new([]);
                }

                // ---- memory ----
                Instr::MemorySize { dst } => {
                    core::hint::cold_path();
                    w32!(dst, (mem.len() / PAGE_SIZE) as u32)
                }
                Instr::MemoryGrow { dst, delta } => {
                    core::hint::cold_path();
                    let delta = r32!(delta);
                    match grow_memory(&mut store.inner, mem0 as u32, delta) {
                        GrowResult::Grown(old) => {
                            mem = refresh_mem!();
                            w32!(dst, old)
                        }
                        GrowResult::Refused => w32!(dst, u32::MAX),
                        GrowResult::LimitTrap => trap!(TrapKind::MemoryLimit),
                    }
                }
                Instr::MemoryFill { base } => {
                    core::hint::cold_path();
                    let (d, v, n) = (
                        r32!(base) as u64,
                        r32!(base + 1) as u8,
                        r32!(base + 2) as u64,
                    );
                    if !in_bounds(d, n, mem.len()) {
                        out_of_bounds!();
                    }
                    charge_bulk!(crate::isa::memory_bulk_fuel(n));
                    let m = mem.bytes_mut();
                    m[d as usize..(d + n) as usize].fill(v);
                }
                Instr::MemoryCopy { base } => {
                    core::hint::cold_path();
                    let (d, sr, n) = (
                        r32!(base) as u64,
                        r32!(base + 1) as u64,
                        r32!(base + 2) as u64,
                    );
                    if !in_bounds(d, n, mem.len()) || !in_bounds(sr, n, mem.len()) {
                        out_of_bounds!();
                    }
                    charge_bulk!(crate::isa::memory_bulk_fuel(n));
                    let m = mem.bytes_mut();
                    m.copy_within(sr as usize..(sr + n) as usize, d as usize);
                }
                Instr::MemoryInit { data, base } => {
                    core::hint::cold_path();
                    let (d, sr, n) = (
                        r32!(base) as u64,
                        r32!(base + 1) as u64,
                        r32!(base + 2) as u64,
                    );
                    let di = inst.datas[data as usize] as usize;
                    if !in_bounds(sr, n, store.inner.datas[di].bytes().len())
                        || !in_bounds(d, n, mem.len())
                    {
                        out_of_bounds!();
                    }
                    charge_bulk!(crate::isa::memory_bulk_fuel(n));
                    let seg = store.inner.datas[di].bytes();
                    let m = mem.bytes_mut();
                    let (d, sr, n) = (d as usize, sr as usize, n as usize);
                    m[d..d + n].copy_from_slice(&seg[sr..sr + n]);
                }
                Instr::DataDrop { data } => {
                    core::hint::cold_path();
                    store.inner.datas[inst.datas[data as usize] as usize].bytes = None;
                }
                Instr::F32Load { dst, addr, offset } => {
                    load!(dst, addr, offset, 4, |b| u32::from_le_bytes(b), w32)
                }
                Instr::I32Load8S { dst, addr, offset } => {
                    load!(dst, addr, offset, 1, |b| b[0] as i8 as i32 as u32, w32)
                }
                Instr::I32Load16S { dst, addr, offset } => load!(
                    dst,
                    addr,
                    offset,
                    2,
                    |b| i16::from_le_bytes(b) as i32 as u32,
                    w32
                ),
                Instr::I32Load16U { dst, addr, offset } => {
                    load!(dst, addr, offset, 2, |b| u16::from_le_bytes(b) as u32, w32)
                }
                Instr::I64Load8S { dst, addr, offset } => {
                    load!(dst, addr, offset, 1, |b| b[0] as i8 as i64 as u64, w64)
                }
                Instr::I64Load8U { dst, addr, offset } => {
                    load!(dst, addr, offset, 1, |b| b[0] as u64, w64)
                }
                Instr::I64Load16S { dst, addr, offset } => load!(
                    dst,
                    addr,
                    offset,
                    2,
                    |b| i16::from_le_bytes(b) as i64 as u64,
                    w64
                ),
                Instr::I64Load16U { dst, addr, offset } => {
                    load!(dst, addr, offset, 2, |b| u16::from_le_bytes(b) as u64, w64)
                }
                Instr::F32Store {
                    addr,
                    value,
                    offset,
                } => store!(addr, value, offset, r32!(value).to_le_bytes()),
                Instr::I32Store16 {
                    addr,
                    value,
                    offset,
                } => store!(addr, value, offset, (s!(value) as u16).to_le_bytes()),
                Instr::I64Store16 {
                    addr,
                    value,
                    offset,
                } => store!(addr, value, offset, (s!(value) as u16).to_le_bytes()),
                Instr::I64Store32 {
                    addr,
                    value,
                    offset,
                } => store!(addr, value, offset, (s!(value) as u32).to_le_bytes()),
                Instr::I32LoadIdxShl { dst, ops, scale } => {
                    load_at!(dst, scaled!(ops, scale), 4, |b| u32::from_le_bytes(b), w32)
                }
                Instr::I64LoadIdxShl { dst, ops, scale } => {
                    load_at!(dst, scaled!(ops, scale), 8, |b| u64::from_le_bytes(b), w64)
                }
                Instr::F64LoadIdxShl { dst, ops, scale } => {
                    load_at!(dst, scaled!(ops, scale), 8, |b| u64::from_le_bytes(b), w64)
                }
                Instr::F32LoadIdx { dst, base, index } => {
                    load_at!(dst, idx!(base, index), 4, |b| u32::from_le_bytes(b), w32)
                }
                Instr::I32Load8SIdx { dst, base, index } => {
                    load_at!(dst, idx!(base, index), 1, |b| b[0] as i8 as i32 as u32, w32)
                }
                Instr::I32Load16UIdx { dst, base, index } => load_at!(
                    dst,
                    idx!(base, index),
                    2,
                    |b| u16::from_le_bytes(b) as u32,
                    w32
                ),
                Instr::I64LoadWrap { dst, addr, imm } => {
                    load_at!(dst, wrap!(addr, imm), 8, |b| u64::from_le_bytes(b), w64)
                }
                Instr::F32LoadWrap { dst, addr, imm } => {
                    load_at!(dst, wrap!(addr, imm), 4, |b| u32::from_le_bytes(b), w32)
                }
                Instr::I32Store8Imm { addr, imm, offset } => store!(addr, imm, offset, [imm as u8]),
                Instr::I32Store16Imm { addr, imm, offset } => {
                    store!(addr, imm, offset, (imm as u16).to_le_bytes())
                }
                Instr::I32StoreImmIdx { base, index, imm } => {
                    if !mem.store(idx!(base, index), imm.to_le_bytes()) {
                        out_of_bounds!();
                    }
                }
                Instr::I64StoreImmIdx { base, index, imm } => {
                    if !mem.store(idx!(base, index), (imm as i64).to_le_bytes()) {
                        out_of_bounds!();
                    }
                }
                Instr::I64StoreImm { addr, imm, offset } => {
                    store!(addr, imm, offset, (imm as i64).to_le_bytes())
                }

                Instr::I32Eq { dst, lhs, rhs } => w32!(dst, (r32!(lhs) == r32!(rhs)) as u32),
                Instr::I32Ne { dst, lhs, rhs } => w32!(dst, (r32!(lhs) != r32!(rhs)) as u32),
                Instr::I32LtS { dst, lhs, rhs } => {
                    w32!(dst, ((r32!(lhs) as i32) < r32!(rhs) as i32) as u32)
                }
                Instr::I32LtU { dst, lhs, rhs } => w32!(dst, (r32!(lhs) < r32!(rhs)) as u32),
                Instr::I32GtS { dst, lhs, rhs } => {
                    w32!(dst, (r32!(lhs) as i32 > r32!(rhs) as i32) as u32)
                }
                Instr::I32GtU { dst, lhs, rhs } => w32!(dst, (r32!(lhs) > r32!(rhs)) as u32),
                Instr::I32LeS { dst, lhs, rhs } => {
                    w32!(dst, (r32!(lhs) as i32 <= r32!(rhs) as i32) as u32)
                }
                Instr::I32LeU { dst, lhs, rhs } => w32!(dst, (r32!(lhs) <= r32!(rhs)) as u32),
                Instr::I32GeS { dst, lhs, rhs } => {
                    w32!(dst, (r32!(lhs) as i32 >= r32!(rhs) as i32) as u32)
                }
                Instr::I32GeU { dst, lhs, rhs } => w32!(dst, (r32!(lhs) >= r32!(rhs)) as u32),
                Instr::I32Clz { dst, src } => w32!(dst, r32!(src).leading_zeros()),
                Instr::I32Ctz { dst, src } => w32!(dst, r32!(src).trailing_zeros()),
                Instr::I32Popcnt { dst, src } => w32!(dst, r32!(src).count_ones()),
                Instr::I32DivS { dst, lhs, rhs } => {
                    let (a, b) = (r32!(lhs) as i32, r32!(rhs) as i32);
                    if b == 0 {
                        trap!(TrapKind::IntegerDivideByZero);
                    }
                    if a == i32::MIN && b == -1 {
                        trap!(TrapKind::IntegerOverflow);
                    }
                    w32!(dst, (a / b) as u32)
                }
                Instr::I32DivU { dst, lhs, rhs } => {
                    let (a, b) = (r32!(lhs), r32!(rhs));
                    if b == 0 {
                        trap!(TrapKind::IntegerDivideByZero);
                    }
                    w32!(dst, a / b)
                }
                Instr::I32RemS { dst, lhs, rhs } => {
                    let (a, b) = (r32!(lhs) as i32, r32!(rhs) as i32);
                    if b == 0 {
                        trap!(TrapKind::IntegerDivideByZero);
                    }
                    w32!(dst, a.wrapping_rem(b) as u32)
                }
                Instr::I32RemU { dst, lhs, rhs } => {
                    let (a, b) = (r32!(lhs), r32!(rhs));
                    if b == 0 {
                        trap!(TrapKind::IntegerDivideByZero);
                    }
                    w32!(dst, a % b)
                }
                Instr::I32Rotl { dst, lhs, rhs } => {
                    w32!(dst, r32!(lhs).rotate_left(r32!(rhs) % 32))
                }
                Instr::I32Rotr { dst, lhs, rhs } => {
                    w32!(dst, r32!(lhs).rotate_right(r32!(rhs) % 32))
                }

                // ---- i64 ----
                Instr::I64Eqz { dst, src } => w32!(dst, (s!(src) == 0) as u32),
                Instr::I64Ne { dst, lhs, rhs } => w32!(dst, (s!(lhs) != s!(rhs)) as u32),
                Instr::I64LtS { dst, lhs, rhs } => {
                    w32!(dst, ((s!(lhs) as i64) < s!(rhs) as i64) as u32)
                }
                Instr::I64LtU { dst, lhs, rhs } => w32!(dst, (s!(lhs) < s!(rhs)) as u32),
                Instr::I64GtS { dst, lhs, rhs } => {
                    w32!(dst, (s!(lhs) as i64 > s!(rhs) as i64) as u32)
                }
                Instr::I64GtU { dst, lhs, rhs } => w32!(dst, (s!(lhs) > s!(rhs)) as u32),
                Instr::I64LeS { dst, lhs, rhs } => {
                    w32!(dst, (s!(lhs) as i64 <= s!(rhs) as i64) as u32)
                }
                Instr::I64LeU { dst, lhs, rhs } => w32!(dst, (s!(lhs) <= s!(rhs)) as u32),
                Instr::I64GeS { dst, lhs, rhs } => {
                    w32!(dst, (s!(lhs) as i64 >= s!(rhs) as i64) as u32)
                }
                Instr::I64GeU { dst, lhs, rhs } => w32!(dst, (s!(lhs) >= s!(rhs)) as u32),
                Instr::I64Clz { dst, src } => w64!(dst, s!(src).leading_zeros() as u64),
                Instr::I64Ctz { dst, src } => w64!(dst, s!(src).trailing_zeros() as u64),
                Instr::I64Popcnt { dst, src } => w64!(dst, s!(src).count_ones() as u64),
                Instr::I64Sub { dst, lhs, rhs } => w64!(dst, s!(lhs).wrapping_sub(s!(rhs))),
                Instr::I64DivS { dst, lhs, rhs } => {
                    let (a, b) = (s!(lhs) as i64, s!(rhs) as i64);
                    if b == 0 {
                        trap!(TrapKind::IntegerDivideByZero);
                    }
                    if a == i64::MIN && b == -1 {
                        trap!(TrapKind::IntegerOverflow);
                    }
                    w64!(dst, (a / b) as u64)
                }
                Instr::I64DivU { dst, lhs, rhs } => {
                    let (a, b) = (s!(lhs), s!(rhs));
                    if b == 0 {
                        trap!(TrapKind::IntegerDivideByZero);
                    }
                    w64!(dst, a / b)
                }
                Instr::I64RemS { dst, lhs, rhs } => {
                    let (a, b) = (s!(lhs) as i64, s!(rhs) as i64);
                    if b == 0 {
                        trap!(TrapKind::IntegerDivideByZero);
                    }
                    w64!(dst, a.wrapping_rem(b) as u64)
                }
                Instr::I64RemU { dst, lhs, rhs } => {
                    let (a, b) = (s!(lhs), s!(rhs));
                    if b == 0 {
                        trap!(TrapKind::IntegerDivideByZero);
                    }
                    w64!(dst, a % b)
                }
                Instr::I64Or { dst, lhs, rhs } => w64!(dst, s!(lhs) | s!(rhs)),
                Instr::I64Shl { dst, lhs, rhs } => w64!(dst, s!(lhs).wrapping_shl(s!(rhs) as u32)),
                Instr::I64ShrU { dst, lhs, rhs } => w64!(dst, s!(lhs).wrapping_shr(s!(rhs) as u32)),
                Instr::I64Rotl { dst, lhs, rhs } => {
                    w64!(dst, s!(lhs).rotate_left((s!(rhs) % 64) as u32))
                }
                Instr::I64Rotr { dst, lhs, rhs } => {
                    w64!(dst, s!(lhs).rotate_right((s!(rhs) % 64) as u32))
                }

                // ---- f32 ----
                Instr::F32Eq { dst, lhs, rhs } => w32!(dst, (f32v!(lhs) == f32v!(rhs)) as u32),
                Instr::F32Ne { dst, lhs, rhs } => w32!(dst, (f32v!(lhs) != f32v!(rhs)) as u32),
                Instr::F32Lt { dst, lhs, rhs } => w32!(dst, (f32v!(lhs) < f32v!(rhs)) as u32),
                Instr::F32Gt { dst, lhs, rhs } => w32!(dst, (f32v!(lhs) > f32v!(rhs)) as u32),
                Instr::F32Le { dst, lhs, rhs } => w32!(dst, (f32v!(lhs) <= f32v!(rhs)) as u32),
                Instr::F32Ge { dst, lhs, rhs } => w32!(dst, (f32v!(lhs) >= f32v!(rhs)) as u32),
                Instr::F32Abs { dst, src } => w32!(dst, r32!(src) & 0x7fff_ffff),
                Instr::F32Neg { dst, src } => w32!(dst, r32!(src) ^ 0x8000_0000),
                Instr::F32Ceil { dst, src } => w32!(dst, quiet32(f32v!(src).ceil()).to_bits()),
                Instr::F32Floor { dst, src } => w32!(dst, quiet32(f32v!(src).floor()).to_bits()),
                Instr::F32Trunc { dst, src } => w32!(dst, quiet32(f32v!(src).trunc()).to_bits()),
                Instr::F32Nearest { dst, src } => {
                    w32!(dst, quiet32(f32v!(src).round_ties_even()).to_bits())
                }
                Instr::F32Sqrt { dst, src } => w32!(dst, f32v!(src).sqrt().to_bits()),
                Instr::F32Add { dst, lhs, rhs } => w32!(dst, (f32v!(lhs) + f32v!(rhs)).to_bits()),
                Instr::F32Sub { dst, lhs, rhs } => w32!(dst, (f32v!(lhs) - f32v!(rhs)).to_bits()),
                Instr::F32Mul { dst, lhs, rhs } => w32!(dst, (f32v!(lhs) * f32v!(rhs)).to_bits()),
                Instr::F32Div { dst, lhs, rhs } => w32!(dst, (f32v!(lhs) / f32v!(rhs)).to_bits()),
                Instr::F32Min { dst, lhs, rhs } => {
                    w32!(dst, f32_min(f32v!(lhs), f32v!(rhs)).to_bits())
                }
                Instr::F32Max { dst, lhs, rhs } => {
                    w32!(dst, f32_max(f32v!(lhs), f32v!(rhs)).to_bits())
                }
                Instr::F32Copysign { dst, lhs, rhs } => {
                    w32!(dst, (r32!(lhs) & 0x7fff_ffff) | (r32!(rhs) & 0x8000_0000))
                }

                // ---- f64 ----
                Instr::F64Eq { dst, lhs, rhs } => w32!(dst, (f64v!(lhs) == f64v!(rhs)) as u32),
                Instr::F64Ne { dst, lhs, rhs } => w32!(dst, (f64v!(lhs) != f64v!(rhs)) as u32),
                Instr::F64Lt { dst, lhs, rhs } => w32!(dst, (f64v!(lhs) < f64v!(rhs)) as u32),
                Instr::F64Gt { dst, lhs, rhs } => w32!(dst, (f64v!(lhs) > f64v!(rhs)) as u32),
                Instr::F64Le { dst, lhs, rhs } => w32!(dst, (f64v!(lhs) <= f64v!(rhs)) as u32),
                Instr::F64Ge { dst, lhs, rhs } => w32!(dst, (f64v!(lhs) >= f64v!(rhs)) as u32),
                Instr::F64Abs { dst, src } => w64!(dst, s!(src) & 0x7fff_ffff_ffff_ffff),
                Instr::F64Neg { dst, src } => w64!(dst, s!(src) ^ 0x8000_0000_0000_0000),
                Instr::F64Ceil { dst, src } => w64!(dst, quiet64(f64v!(src).ceil()).to_bits()),
                Instr::F64Floor { dst, src } => w64!(dst, quiet64(f64v!(src).floor()).to_bits()),
                Instr::F64Trunc { dst, src } => w64!(dst, quiet64(f64v!(src).trunc()).to_bits()),
                Instr::F64Nearest { dst, src } => {
                    w64!(dst, quiet64(f64v!(src).round_ties_even()).to_bits())
                }
                Instr::F64Sqrt { dst, src } => w64!(dst, f64v!(src).sqrt().to_bits()),
                Instr::F64Sub { dst, lhs, rhs } => w64!(dst, (f64v!(lhs) - f64v!(rhs)).to_bits()),
                Instr::F64Div { dst, lhs, rhs } => w64!(dst, (f64v!(lhs) / f64v!(rhs)).to_bits()),
                Instr::F64Min { dst, lhs, rhs } => {
                    w64!(dst, f64_min(f64v!(lhs), f64v!(rhs)).to_bits())
                }
                Instr::F64Max { dst, lhs, rhs } => {
                    w64!(dst, f64_max(f64v!(lhs), f64v!(rhs)).to_bits())
                }
                Instr::F64Copysign { dst, lhs, rhs } => w64!(
                    dst,
                    (s!(lhs) & 0x7fff_ffff_ffff_ffff) | (s!(rhs) & 0x8000_0000_0000_0000)
                ),

                Instr::I32TruncF32S { dst, src } => {
                    w32!(dst, checked!(i32_trunc_f32_s(f32v!(src))))
                }
                Instr::I32TruncF32U { dst, src } => {
                    w32!(dst, checked!(i32_trunc_f32_u(f32v!(src))))
                }
                Instr::I32TruncF64S { dst, src } => {
                    w32!(dst, checked!(i32_trunc_f64_s(f64v!(src))))
                }
                Instr::I32TruncF64U { dst, src } => {
                    w32!(dst, checked!(i32_trunc_f64_u(f64v!(src))))
                }
                Instr::I64ExtendI32S { dst, src } => w64!(dst, r32!(src) as i32 as i64 as u64),
                Instr::I64TruncF32S { dst, src } => {
                    w64!(dst, checked!(i64_trunc_f32_s(f32v!(src))))
                }
                Instr::I64TruncF32U { dst, src } => {
                    w64!(dst, checked!(i64_trunc_f32_u(f32v!(src))))
                }
                Instr::I64TruncF64S { dst, src } => {
                    w64!(dst, checked!(i64_trunc_f64_s(f64v!(src))))
                }
                Instr::I64TruncF64U { dst, src } => {
                    w64!(dst, checked!(i64_trunc_f64_u(f64v!(src))))
                }
                Instr::F32ConvertI32S { dst, src } => {
                    w32!(dst, (r32!(src) as i32 as f32).to_bits())
                }
                Instr::F32ConvertI32U { dst, src } => w32!(dst, (r32!(src) as f32).to_bits()),
                Instr::F32ConvertI64S { dst, src } => w32!(dst, (s!(src) as i64 as f32).to_bits()),
                Instr::F32ConvertI64U { dst, src } => w32!(dst, (s!(src) as f32).to_bits()),
                Instr::F32DemoteF64 { dst, src } => w32!(dst, (f64v!(src) as f32).to_bits()),
                Instr::F64ConvertI32S { dst, src } => {
                    w64!(dst, (r32!(src) as i32 as f64).to_bits())
                }
                Instr::F64ConvertI32U { dst, src } => w64!(dst, (r32!(src) as f64).to_bits()),
                Instr::F64ConvertI64S { dst, src } => w64!(dst, (s!(src) as i64 as f64).to_bits()),
                Instr::F64ConvertI64U { dst, src } => w64!(dst, (s!(src) as f64).to_bits()),
                Instr::F64PromoteF32 { dst, src } => w64!(dst, (f32v!(src) as f64).to_bits()),
                Instr::I32Extend8S { dst, src } => w32!(dst, r32!(src) as i8 as i32 as u32),
                Instr::I32Extend16S { dst, src } => w32!(dst, r32!(src) as i16 as i32 as u32),
                Instr::I64Extend8S { dst, src } => w64!(dst, s!(src) as i8 as i64 as u64),
                Instr::I64Extend16S { dst, src } => w64!(dst, s!(src) as i16 as i64 as u64),
                Instr::I64Extend32S { dst, src } => w64!(dst, s!(src) as i32 as i64 as u64),
                Instr::I32TruncSatF32S { dst, src } => w32!(dst, f32v!(src) as i32 as u32),
                Instr::I32TruncSatF32U { dst, src } => w32!(dst, f32v!(src) as u32),
                Instr::I32TruncSatF64S { dst, src } => w32!(dst, f64v!(src) as i32 as u32),
                Instr::I32TruncSatF64U { dst, src } => w32!(dst, f64v!(src) as u32),
                Instr::I64TruncSatF32S { dst, src } => w64!(dst, f32v!(src) as i64 as u64),
                Instr::I64TruncSatF32U { dst, src } => w64!(dst, f32v!(src) as u64),
                Instr::I64TruncSatF64S { dst, src } => w64!(dst, f64v!(src) as i64 as u64),
                Instr::I64TruncSatF64U { dst, src } => w64!(dst, f64v!(src) as u64),

                Instr::I32EqImm { dst, lhs, imm } => w32!(dst, ((r32!(lhs)) == (imm)) as u32),
                Instr::I32NeImm { dst, lhs, imm } => w32!(dst, ((r32!(lhs)) != (imm)) as u32),
                Instr::I32LtSImm { dst, lhs, imm } => {
                    w32!(dst, (((r32!(lhs)) as i32) < (imm) as i32) as u32)
                }
                Instr::I32LtUImm { dst, lhs, imm } => w32!(dst, ((r32!(lhs)) < (imm)) as u32),
                Instr::I32GtSImm { dst, lhs, imm } => {
                    w32!(dst, (((r32!(lhs)) as i32) > (imm) as i32) as u32)
                }
                Instr::I32GtUImm { dst, lhs, imm } => w32!(dst, ((r32!(lhs)) > (imm)) as u32),
                Instr::I32LeSImm { dst, lhs, imm } => {
                    w32!(dst, (((r32!(lhs)) as i32) <= (imm) as i32) as u32)
                }
                Instr::I32LeUImm { dst, lhs, imm } => w32!(dst, ((r32!(lhs)) <= (imm)) as u32),
                Instr::I32GeSImm { dst, lhs, imm } => {
                    w32!(dst, (((r32!(lhs)) as i32) >= (imm) as i32) as u32)
                }
                Instr::I32GeUImm { dst, lhs, imm } => w32!(dst, ((r32!(lhs)) >= (imm)) as u32),
                Instr::I64AndImm { dst, lhs, imm } => w64!(dst, s!(lhs) & imm as i64 as u64),
                Instr::I64OrImm { dst, lhs, imm } => w64!(dst, s!(lhs) | imm as i64 as u64),
                Instr::I64XorImm { dst, lhs, imm } => w64!(dst, s!(lhs) ^ imm as i64 as u64),
                Instr::I64ShrSImm { dst, lhs, imm } => {
                    w64!(dst, (s!(lhs) as i64).wrapping_shr(imm as u32) as u64)
                }
                Instr::I64RotlImm { dst, lhs, imm } => w64!(dst, s!(lhs).rotate_left(imm as u32)),
                Instr::I64EqImm { dst, lhs, imm } => {
                    w32!(dst, ((s!(lhs)) == (imm as i64 as u64)) as u32)
                }
                Instr::I64NeImm { dst, lhs, imm } => {
                    w32!(dst, ((s!(lhs)) != (imm as i64 as u64)) as u32)
                }
                Instr::I64LtSImm { dst, lhs, imm } => w32!(
                    dst,
                    (((s!(lhs)) as i64) < (imm as i64 as u64) as i64) as u32
                ),
                Instr::I64LtUImm { dst, lhs, imm } => {
                    w32!(dst, ((s!(lhs)) < (imm as i64 as u64)) as u32)
                }
                Instr::I64GtSImm { dst, lhs, imm } => w32!(
                    dst,
                    (((s!(lhs)) as i64) > (imm as i64 as u64) as i64) as u32
                ),
                Instr::I64GtUImm { dst, lhs, imm } => {
                    w32!(dst, ((s!(lhs)) > (imm as i64 as u64)) as u32)
                }
                Instr::I64LeSImm { dst, lhs, imm } => w32!(
                    dst,
                    (((s!(lhs)) as i64) <= (imm as i64 as u64) as i64) as u32
                ),
                Instr::I64LeUImm { dst, lhs, imm } => {
                    w32!(dst, ((s!(lhs)) <= (imm as i64 as u64)) as u32)
                }
                Instr::I64GeSImm { dst, lhs, imm } => w32!(
                    dst,
                    (((s!(lhs)) as i64) >= (imm as i64 as u64) as i64) as u32
                ),
                Instr::I64GeUImm { dst, lhs, imm } => {
                    w32!(dst, ((s!(lhs)) >= (imm as i64 as u64)) as u32)
                }

                Instr::BrIfEqz64 { cond, target } => {
                    if s!(cond) == 0 {
                        cur.jump(target)
                    }
                }
                Instr::BrIfNez64 { cond, target } => {
                    if s!(cond) != 0 {
                        cur.jump(target)
                    }
                }

                // ---- superinstructions: here only their first part runs;
                // the second is the unchanged next instruction (isa) ----
                Instr::I32AddImm2 { a, imms, .. }
                | Instr::I32AddImmLoad8U { a, imms, .. }
                | Instr::I32AddImmLoad8UShlAdd { a, imms, .. }
                | Instr::I32AddImmLoadShlAdd { a, imms, .. }
                | Instr::I32AddImmLoad8ULoadIdx8 { a, imms, .. }
                | Instr::I32AddImmAndImm { a, imms, .. } => {
                    w32!(
                        a.0 as Slot,
                        r32!(a.1 as Slot).wrapping_add(imms.0 as i16 as u32)
                    )
                }
                Instr::I32AddBrI32LeU { a, ops, .. } => {
                    w32!(
                        a.0 as Slot,
                        r32!(a.1 as Slot).wrapping_add(r32!(ops.0 as Slot))
                    )
                }
                Instr::I32AddImmBrI32Ne { a, ops, .. } => {
                    w32!(
                        a.0 as Slot,
                        r32!(a.1 as Slot).wrapping_add(ops.0 as i16 as u32)
                    )
                }
                Instr::I32RotlImmXor { a, ops, .. } => {
                    w32!(a.0 as Slot, r32!(a.1 as Slot).rotate_left(ops.1 as u32))
                }
                Instr::CopyI32AddImm { a, .. } => w64!(a.0 as Slot, s!(a.1 as Slot)),
                Instr::I32Store8ImmIdxAddBrI32LeU { imm, idx, .. } => {
                    if !mem.store(idx!(idx.0 as Slot, idx.1 as Slot), [imm]) {
                        out_of_bounds!();
                    }
                }
                Instr::I32ShlImmAdd { a, imm, .. } => {
                    w32!(a.0 as Slot, r32!(a.1 as Slot).wrapping_shl(imm))
                }
                Instr::I32ShrUImmAndImm { a, imms, .. } => {
                    w32!(a.0 as Slot, r32!(a.1 as Slot).wrapping_shr(imms.0 as u32))
                }
                Instr::I64StoreBr { ops, offset, .. } => store!(
                    ops.0 as Slot,
                    ops.1 as Slot,
                    offset,
                    s!(ops.1 as Slot).to_le_bytes()
                ),
                Instr::I32Add2 { a, rhs, .. } => {
                    w32!(
                        a.0 as Slot,
                        r32!(a.1 as Slot).wrapping_add(r32!(rhs.0 as Slot))
                    )
                }
                Instr::I32MulAdd { a, rhs, .. } => {
                    w32!(a.0 as Slot, r32!(a.1 as Slot).wrapping_mul(r32!(rhs)))
                }
                Instr::I32AddAddImm { a, ops, .. } => {
                    w32!(
                        a.0 as Slot,
                        r32!(a.1 as Slot).wrapping_add(r32!(ops.0 as Slot))
                    )
                }
                Instr::I32AddImmBrI32NeImm { a, imms, .. } => {
                    w32!(
                        a.0 as Slot,
                        r32!(a.1 as Slot).wrapping_add(imms.0 as i16 as u32)
                    )
                }
                Instr::CopyBrIfNez { a, .. }
                | Instr::CopyBrIfEqz { a, .. }
                | Instr::CopyBrI32NeImm { a, .. } => {
                    w64!(a.0 as Slot, s!(a.1 as Slot))
                }
                Instr::I32LoadBrIfNez { ops, offset, .. } => load!(
                    ops.0 as Slot,
                    ops.1 as Slot,
                    offset,
                    4,
                    |b| u32::from_le_bytes(b),
                    w32
                ),
                Instr::I32XorAndImm { a, ops, .. } => {
                    w32!(a.0 as Slot, r32!(a.1 as Slot) ^ r32!(ops.0 as Slot))
                }
                Instr::I32LoadStore { a, offsets, .. } => load!(
                    a.0 as Slot,
                    a.1 as Slot,
                    offsets.0,
                    4,
                    |b| u32::from_le_bytes(b),
                    w32
                ),
                Instr::I32LoadAddImm { a, ops, .. } => load!(
                    a.0 as Slot,
                    a.1 as Slot,
                    ops.0,
                    4,
                    |b| u32::from_le_bytes(b),
                    w32
                ),
                Instr::I32Load8USelectZero { a, offset, .. } => {
                    load!(a.0 as Slot, a.1 as Slot, offset, 1, |b| b[0] as u32, w32)
                }
                Instr::I32XorImmShrUImm { a, imms, .. } => {
                    w32!(a.0 as Slot, r32!(a.1 as Slot) ^ imms.0 as i16 as u32)
                }
                Instr::I32Load16UAndImm { a, ops, .. } => load!(
                    a.0 as Slot,
                    a.1 as Slot,
                    ops.0,
                    2,
                    |b| u16::from_le_bytes(b) as u32,
                    w32
                ),
                Instr::Const64Copy { dst, value, .. } => w64!(dst as Slot, value as i64 as u64),
                Instr::F64MulLoadAddStore {
                    dst, ops, offsets, ..
                } => f64_load_op!(dst as Slot, ops, u32::from(offsets.0), *),
                Instr::F64LoadWrapMulAddStore { tmp, ops, imms, .. } => load_at!(
                    tmp as Slot,
                    wrap!(ops.1 as Slot, u32::from(imms.0)),
                    8,
                    |b| u64::from_le_bytes(b),
                    w64
                ),
                Instr::I32EqzAdd { a, .. } => w32!(a.0 as Slot, (r32!(a.1 as Slot) == 0) as u32),
                Instr::I64Add2 { a, rhs, .. } => {
                    w64!(a.0 as Slot, s!(a.1 as Slot).wrapping_add(s!(rhs.0 as Slot)))
                }
                Instr::I32LoadLoad8U { a, offsets, .. } => load!(
                    a.0 as Slot,
                    a.1 as Slot,
                    offsets.0,
                    4,
                    |b| u32::from_le_bytes(b),
                    w32
                ),
                Instr::I32Load8UBrTable { ops, offset, .. } => {
                    load!(
                        ops.0 as Slot,
                        ops.1 as Slot,
                        offset,
                        1,
                        |b| b[0] as u32,
                        w32
                    )
                }

                // ---- determinism ----
                Instr::CanonNan32 { slot } => {
                    if f32v!(slot).is_nan() {
                        w32!(slot, CANON_NAN32);
                    }
                }
                Instr::CanonNan64 { slot } => {
                    if f64v!(slot).is_nan() {
                        w64!(slot, CANON_NAN64);
                    }
                }

                // ---- any memory (multi-memory, memory64) ----
                Instr::MemLoad {
                    dst,
                    addr,
                    mem: index,
                    op,
                } => {
                    let Instr::MemOffset { offset } = cur.peek() else {
                        unreachable!("a MemLoad is followed by its MemOffset")
                    };
                    let m = &store.inner.memories[inst.memories[index as usize] as usize];
                    let v = checked!(general_load(m, s!(addr), offset, op));
                    w64!(dst, v);
                    cur.skip(1);
                }
                Instr::MemStore {
                    addr,
                    value,
                    mem: index,
                    op,
                } => {
                    let Instr::MemOffset { offset } = cur.peek() else {
                        unreachable!("a MemStore is followed by its MemOffset")
                    };
                    let m = &mut store.inner.memories[inst.memories[index as usize] as usize];
                    checked!(general_store(m, s!(addr), offset, op, s!(value)));
                    mem = refresh_mem!();
                    cur.skip(1);
                }
                Instr::MemOffset { .. } => {}

                // ---- function references ----
                Instr::CallRef { type_index, base } | Instr::ReturnCallRef { type_index, base } => {
                    let np = module.types[type_index as usize].param_slots();
                    let r = s!(base + np);
                    if r == 0 {
                        trap!(TrapKind::NullFunctionReference);
                    }
                    if matches!(instr, Instr::CallRef { .. }) {
                        dispatch!((r - 1) as u32, base)
                    } else {
                        tail_dispatch!((r - 1) as u32, base)
                    }
                }
                Instr::RefAsNonNull { slot } => {
                    if s!(slot) == 0 {
                        trap!(TrapKind::NullReference);
                    }
                }

                // ---- wide arithmetic ----
                Instr::I64Add128 { base } | Instr::I64Sub128 { base } => {
                    let a = s!(base) as u128 | (s!(base + 1) as u128) << 64;
                    let b = s!(base + 2) as u128 | (s!(base + 3) as u128) << 64;
                    let r = if matches!(instr, Instr::I64Add128 { .. }) {
                        a.wrapping_add(b)
                    } else {
                        a.wrapping_sub(b)
                    };
                    w64!(base, r as u64);
                    w64!(base + 1, (r >> 64) as u64);
                }
                Instr::I64MulWideS { base } => {
                    let r = (s!(base) as i64 as i128) * (s!(base + 1) as i64 as i128);
                    w64!(base, r as u64);
                    w64!(base + 1, (r >> 64) as u64);
                }
                Instr::I64MulWideU { base } => {
                    let r = (s!(base) as u128) * (s!(base + 1) as u128);
                    w64!(base, r as u64);
                    w64!(base + 1, (r >> 64) as u64);
                }
                Instr::MemorySizeN { dst, mem: index } => {
                    let m = &store.inner.memories[inst.memories[index as usize] as usize];
                    w64!(dst, m.pages() as u64)
                }
                Instr::MemoryGrowN {
                    dst,
                    delta,
                    mem: index,
                } => {
                    let id = inst.memories[index as usize];
                    let m64 = store.inner.memories[id as usize].ty.memory64;
                    let delta = if m64 { s!(delta) } else { r32!(delta) as u64 };
                    let failed = if m64 { u64::MAX } else { u32::MAX as u64 };
                    let result = match u32::try_from(delta) {
                        Ok(delta) => grow_memory(&mut store.inner, id, delta),
                        Err(_) => GrowResult::Refused,
                    };
                    mem = refresh_mem!();
                    match result {
                        GrowResult::Grown(old) => w64!(dst, old as u64),
                        GrowResult::Refused => w64!(dst, failed),
                        GrowResult::LimitTrap => trap!(TrapKind::MemoryLimit),
                    }
                }
                Instr::MemoryFillN { base, mem: index } => {
                    let id = inst.memories[index as usize] as usize;
                    let m64 = store.inner.memories[id].ty.memory64;
                    let (d, v, n) = (
                        address(s!(base), m64),
                        r32!(base + 1) as u8,
                        address(s!(base + 2), m64),
                    );
                    if !in_bounds(d, n, store.inner.memories[id].data.len()) {
                        trap!(TrapKind::MemoryOutOfBounds);
                    }
                    charge_bulk!(crate::isa::memory_bulk_fuel(n));
                    store.inner.memories[id].data[d as usize..(d + n) as usize].fill(v);
                    mem = refresh_mem!();
                }
                Instr::MemoryCopyN {
                    base,
                    dst_mem,
                    src_mem,
                } => {
                    let di = inst.memories[dst_mem as usize] as usize;
                    let si = inst.memories[src_mem as usize] as usize;
                    let (d64, s64) = (
                        store.inner.memories[di].ty.memory64,
                        store.inner.memories[si].ty.memory64,
                    );
                    let (d, sr, n) = (
                        address(s!(base), d64),
                        address(s!(base + 1), s64),
                        address(s!(base + 2), d64 && s64),
                    );
                    if !in_bounds(d, n, store.inner.memories[di].data.len())
                        || !in_bounds(sr, n, store.inner.memories[si].data.len())
                    {
                        trap!(TrapKind::MemoryOutOfBounds);
                    }
                    charge_bulk!(crate::isa::memory_bulk_fuel(n));
                    let (d, sr, n) = (d as usize, sr as usize, n as usize);
                    let mems = &mut store.inner.memories;
                    if di == si {
                        mems[di].data.copy_within(sr..sr + n, d);
                    } else {
                        let (to, from) = if di < si {
                            let (low, high) = mems.split_at_mut(si);
                            (&mut low[di], &high[0])
                        } else {
                            let (low, high) = mems.split_at_mut(di);
                            (&mut high[0], &low[si])
                        };
                        to.data[d..d + n].copy_from_slice(&from.data[sr..sr + n]);
                    }
                    mem = refresh_mem!();
                }
                Instr::MemoryInitN {
                    data,
                    base,
                    mem: index,
                } => {
                    let id = inst.memories[index as usize] as usize;
                    let m64 = store.inner.memories[id].ty.memory64;
                    let (d, sr, n) = (
                        address(s!(base), m64),
                        r32!(base + 1) as u64,
                        r32!(base + 2) as u64,
                    );
                    let di = inst.datas[data as usize] as usize;
                    if !in_bounds(sr, n, store.inner.datas[di].bytes().len())
                        || !in_bounds(d, n, store.inner.memories[id].data.len())
                    {
                        trap!(TrapKind::MemoryOutOfBounds);
                    }
                    charge_bulk!(crate::isa::memory_bulk_fuel(n));
                    let crate::store::StoreInner {
                        memories, datas, ..
                    } = &mut store.inner;
                    let (d, sr, n) = (d as usize, sr as usize, n as usize);
                    memories[id].data[d..d + n].copy_from_slice(&datas[di].bytes()[sr..sr + n]);
                    mem = refresh_mem!();
                }

                // ---- SIMD (exec/simd) ----
                Instr::Simd1 { dst, src, op, lane } => simd::run1(fpp, op, lane, dst, src),
                Instr::Simd2 { dst, ops, op, lane } => {
                    simd::run2(fpp, op, lane, dst, ops.0 as Slot, ops.1 as Slot)
                }
                Instr::SimdBase { base, op, lane } => simd::run_base(fpp, op, lane, base),
                Instr::V128Load { dst, addr, offset } => match mem.load::<16>(ea!(addr, offset)) {
                    Some(b) => simd::set(fpp, dst, u128::from_le_bytes(b)),
                    None => out_of_bounds!(),
                },
                Instr::V128Store {
                    addr,
                    value,
                    offset,
                } => store!(addr, value, offset, simd::get(fpp, value).to_le_bytes()),
                Instr::SimdMem {
                    base,
                    mem: index,
                    op,
                    lane,
                } => {
                    let Instr::MemOffset { offset } = cur.peek() else {
                        unreachable!("a SimdMem is followed by its MemOffset")
                    };
                    let m = &mut store.inner.memories[inst.memories[index as usize] as usize];
                    checked!(simd::mem::access(m, fpp, base, offset, op, lane));
                    mem = refresh_mem!();
                    cur.skip(1);
                }
                Instr::GlobalGetV128 { dst, global } => {
                    let g = &store.inner.globals[inst.globals[global as usize] as usize];
                    simd::set(fpp, dst, g.get128());
                }
                Instr::GlobalSetV128 { src, global } => {
                    let v = simd::get(fpp, src);
                    let g = &mut store.inner.globals[inst.globals[global as usize] as usize];
                    (g.value, g.hi) = (v as u64, (v >> 64) as u64);
                }
                Instr::SimdMem0 {
                    base,
                    offset,
                    op,
                    lane,
                } => {
                    if !simd::mem::access_plain(mem.bytes_mut(), fpp, base, offset, op, lane) {
                        out_of_bounds!();
                    }
                }
                // ---- exception handling (exec/unwind.rs) ----
                Instr::Throw { tag, base } => {
                    let n = module.types[module.tags[tag as usize] as usize].param_slots() as usize;
                    let at = fp + base as usize;
                    let exn = checked!(
                        store
                            .inner
                            .new_exception(inst.tags[tag as usize], &slots[at..at + n])
                    );
                    throw!(exn)
                }
                Instr::ThrowRef { slot } => {
                    let r = s!(slot);
                    if r == 0 {
                        trap!(TrapKind::NullReference);
                    }
                    throw!((r - 1) as u32)
                }
            }
        }
        // Reached only through `out_of_bounds!`.
        trap!(TrapKind::MemoryOutOfBounds)
    }
}

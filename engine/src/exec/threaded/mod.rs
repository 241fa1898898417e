//! Threaded dispatch: every instruction has its own handler function, and
//! each handler ends by calling the handler of the next instruction.
//!
//! All handlers share one signature of five register-sized arguments — the
//! instruction pointer, the frame pointer, the view of memory 0 (base and
//! length) and the context [`Cx`], which holds the fuel budget — so in
//! optimised builds
//! LLVM compiles the call at the end of a handler into a jump (a sibling
//! call): execution flows from handler to handler without returning, every
//! handler has its own indirect jump (which the branch predictor learns per
//! instruction), and a handler's machine code depends on nothing but its own
//! body. Adding an instruction adds a function and a table entry; it cannot
//! change how the others compile. (Stable Rust cannot force the jump; the
//! release build is checked to contain no call between handlers:
//! ARCHITECTURE.md.) Without optimisation (`debug_assertions`) the call is
//! not turned into a jump, so there each handler returns to a trampoline
//! loop in [`run`] instead, which keeps the Rust stack flat; building with
//! `RUSTFLAGS="--cfg wasiproc_trampoline"` selects the trampoline in an
//! optimised build too, to test it.
//!
//! Handlers cover the instructions that need nothing but slots, memory 0,
//! the current instance's globals and functions, and the fuel budget. Any
//! other case — a rare instruction (tables, bulk memory, host calls, calls
//! into another instance), a trap, a call that needs a bigger stack (the
//! loop grows stacks only through `grow_slots`/`grow_frames`, which the
//! store's limiter is asked about and which may fail with a trap), the
//! fuel slow path, the return from the outermost frame — *steps out*: the
//! handler stores the state in [`Cx`] and returns, without having changed
//! anything, and the interpreter loop in `exec/mod.rs` runs that one
//! instruction with its general code and enters the handlers again.

mod calls;
mod decode;
mod ops;

use super::Frame;
use super::cursor::Ip;
use super::frame_ptr::FramePtr;
use super::mem_view::MemView;
use crate::isa::{FUEL_TARGET, Instr};
use crate::module::CompiledFunc;
use crate::store::{FuelState, GlobalEntity};

/// What a handler chain ended with.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Cont {
    /// The instruction at `Cx::ip` must run in the general interpreter loop.
    Step,
    /// (Trampoline only) continue with the handler of `Cx::ip`. Present in
    /// every build: with a single variant LLVM would know `step`'s result
    /// and could not end handlers with a jump to it.
    #[cfg_attr(not(any(debug_assertions, wasiproc_trampoline)), allow(dead_code))]
    Next,
}

/// The state handlers share besides their register arguments: where the
/// current function's code starts, the frame stack, the current instance's
/// functions and globals; and where a chain stopped.
///
/// `repr(C)`: `func` and `instance` are adjacent and in the order of
/// [`Frame`]'s first two fields, so a call saves them with one copy.
#[repr(C)]
pub(super) struct Cx<'a> {
    /// Start of the current function's code (branch targets are indexes).
    pub code: *const Instr,
    /// The current function (defined-function index).
    pub func: u32,
    /// The current instance (store index).
    pub instance: u32,
    /// The current instance's compiled functions.
    pub module_code: &'a [CompiledFunc],
    /// The callers of the current function: the frame vector's start, one
    /// past its last frame, and how far a call may push (the smaller of
    /// the call depth limit and the vector's capacity). The vector does
    /// not move while handlers run (only the loop grows it); the loop sets
    /// its length from `frames_top` when they stop.
    pub frames_base: *mut Frame,
    pub frames_top: *mut Frame,
    pub frames_limit: *mut Frame,
    /// Start and end (one past the last slot) of the slot vector (frames
    /// must fit in it).
    pub slots: *mut u64,
    pub slots_end: *mut u64,
    /// The store's globals and the current instance's map into them.
    pub globals: &'a mut [GlobalEntity],
    pub global_map: &'a [u32],
    /// The fuel budget left (what `ConsumeFuel` and fuel folded into
    /// branches and calls pay from).
    pub budget: u64,
    /// The budget as last taken from the store (`budget_start - budget`
    /// is spent but not committed yet), and the store's fuel state: a
    /// charge the budget cannot pay commits and asks the store's slow path
    /// in place ([`refund`]), as the loop would.
    pub budget_start: u64,
    pub fuel: &'a mut FuelState,
    /// Where the chain stopped: the instruction to step and its frame.
    pub ip: Ip,
    pub fp: FramePtr,
}

/// A handler: one per instruction variant.
type Handler = for<'a, 'b> fn(Ip, FramePtr, MemView, &'b mut Cx<'a>) -> Cont;

/// Runs handlers from `cx.ip` (frame `cx.fp`) until one
/// steps out; the state it stopped in is in `cx`.
pub(super) fn run(mem: MemView, cx: &mut Cx<'_>) {
    #[cfg(not(any(debug_assertions, wasiproc_trampoline)))]
    {
        let _ = dispatch(cx.ip, cx.fp, mem, cx);
    }
    #[cfg(any(debug_assertions, wasiproc_trampoline))]
    {
        let (mut ip, mut fp) = (cx.ip, cx.fp);
        while decode::handler(ip.tag())(ip, fp, mem, cx) == Cont::Next {
            (ip, fp) = (cx.ip, cx.fp);
        }
    }
}

/// Continues with the handler of the instruction at `ip`: a tail call in
/// optimised builds, a return to the trampoline otherwise.
#[inline(always)]
fn dispatch(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    #[cfg(not(any(debug_assertions, wasiproc_trampoline)))]
    {
        decode::handler(ip.tag())(ip, fp, mem, cx)
    }
    #[cfg(any(debug_assertions, wasiproc_trampoline))]
    {
        let _ = mem;
        (cx.ip, cx.fp) = (ip, fp);
        Cont::Next
    }
}

/// Continues with the instruction after the one at `ip`.
#[inline(always)]
fn next(ip: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>) -> Cont {
    dispatch(ip.next(), fp, mem, cx)
}

/// Steps out before the instruction at `ip` (see the module docs).
#[cold]
#[inline(never)]
fn step(ip: Ip, fp: FramePtr, _mem: MemView, cx: &mut Cx<'_>) -> Cont {
    (cx.ip, cx.fp) = (ip, fp);
    // Opaque, so that LLVM does not see a constant result and turn the
    // handlers' `return step(..)` from a jump into a call plus `ret`.
    core::hint::black_box(Cont::Step)
}

/// Checks at compile time that a handler has the shared signature.
const _: Handler = step;

/// Continues at branch target `target` of the instruction at `at` (the
/// branch, the fused instruction holding it, or the `br_table` entry): a
/// distance from `at`, so the next instruction is one addition away
/// (`isa::Instr::resolve_branches`).
///
/// Fuel folded into the branch: when the target starts a fuel region (a
/// loop header or an `else` arm, with metering on), the translator flagged
/// it ([`FUEL_TARGET`]); the branch then pays that region's `ConsumeFuel`
/// and continues after it, saving that instruction's dispatch on every
/// loop iteration, and an unflagged target is dispatched without looking
/// at it. When the budget cannot pay, it steps out *at the `ConsumeFuel`*
/// — the state the unfolded code would be in — and the loop's slow path
/// suspends or traps there. Charges and stopping points are exactly those
/// of the unfolded code.
#[inline(always)]
fn jump(at: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>, target: u32) -> Cont {
    if target & FUEL_TARGET != 0 {
        let after = at.after_flagged(target);
        return pay(after, fp, mem, cx, decode::fuel_amount(after.prev()));
    }
    dispatch(at.jump(target), fp, mem, cx)
}

/// Pays the `ConsumeFuel { amount }` at `at` and continues after it, or
/// steps out at it when the budget cannot pay.
///
/// The budget is lowered in place (one read-modify-write instruction, whose
/// borrow flag is the test) and raised back on the cold path, instead of
/// being loaded, compared, lowered and stored.
#[inline(always)]
fn charge(at: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>, amount: u32) -> Cont {
    pay(at.next(), fp, mem, cx, amount)
}

/// [`charge`] given the instruction after the `ConsumeFuel`.
#[inline(always)]
fn pay(after: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>, amount: u32) -> Cont {
    let (left, short) = cx.budget.overflowing_sub(amount as u64);
    cx.budget = left;
    if short {
        return refund(after, fp, mem, cx, amount);
    }
    dispatch(after, fp, mem, cx)
}

/// The cold path of [`charge`]: gives `amount` back (the budget is as it
/// was) and, when the loop's `ConsumeFuel` slow path would renew the slice
/// in place (commit the fuel spent, `FuelState::charge_slow`), does that
/// itself (`FuelState::try_renew`) and continues without stepping out.
/// Otherwise (a block larger than a fresh slice, end of slice, out of
/// fuel, renewal not allowed) it steps out at the `ConsumeFuel` before
/// `after`, uncommitted, and the loop's slow path does the rest. `after`
/// is passed on instead of the `ConsumeFuel` itself so that the hot path
/// keeps one pointer.
#[cold]
#[inline(never)]
fn refund(after: Ip, fp: FramePtr, mem: MemView, cx: &mut Cx<'_>, amount: u32) -> Cont {
    cx.budget = cx.budget.wrapping_add(amount as u64);
    let spent = cx.budget_start - cx.budget;
    if let Some(budget) = cx.fuel.try_renew(spent, amount as u64) {
        cx.budget = budget;
        cx.budget_start = budget;
        return dispatch(after, fp, mem, cx);
    }
    step(after.prev(), fp, mem, cx)
}

/// The name of every instruction variant, indexed by tag.
#[cfg(feature = "std")]
pub(super) use ops::HANDLER_NAMES as VARIANT_NAMES;

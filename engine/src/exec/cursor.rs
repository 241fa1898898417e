//! Unchecked instruction fetch: a raw instruction pointer into a function's
//! translated code.
//!
//! Soundness rests on the translator's guarantees for every function body:
//! it ends with [`Instr::Unreachable`] (so straight-line execution cannot run
//! past the end), every branch target is an index inside the body, and a
//! `BrTable { len }` is followed by exactly `len + 1` entries.

use crate::isa::{FUEL_TARGET, Instr};

/// The position of execution inside one function's code.
#[derive(Clone, Copy)]
pub(super) struct Cursor {
    base: *const Instr,
    ip: *const Instr,
}

impl Cursor {
    /// A cursor at index `pc` of `code`.
    ///
    /// # Safety
    /// `code` must be a translated function body (see the module docs), `pc`
    /// an instruction index inside it, and `code` must outlive the cursor.
    #[inline(always)]
    pub(super) unsafe fn new(code: &[Instr], pc: usize) -> Self {
        debug_assert!(pc < code.len());
        let base = code.as_ptr();
        // SAFETY: pc < code.len().
        Cursor {
            base,
            ip: unsafe { base.add(pc) },
        }
    }

    /// Reads the instruction at the cursor and advances past it.
    #[inline(always)]
    pub(super) fn next(&mut self) -> Instr {
        // SAFETY: execution never moves past the terminal instruction, and
        // jumps stay inside the body (module docs).
        unsafe {
            let instr = *self.ip;
            self.ip = self.ip.add(1);
            instr
        }
    }

    /// Continues at instruction index `target`.
    /// The instruction `next` would return, without moving.
    #[inline(always)]
    pub(super) fn peek(&self) -> Instr {
        // SAFETY: as for `next`: `ip` is inside the body, whose last
        // instruction is a terminator.
        unsafe { *self.ip }
    }

    /// The tag of the instruction `next` would return (`Instr` is `repr(u16)`).
    #[inline(always)]
    pub(super) fn tag(&self) -> u16 {
        // SAFETY: as for `peek`; a `repr(u16)` enum begins with its tag.
        unsafe { *(self.ip as *const u16) }
    }

    /// (A target carrying [`FUEL_TARGET`] holds the index after the
    /// `ConsumeFuel` it names; this loop continues at the `ConsumeFuel`
    /// and runs it as any other instruction.)
    #[inline(always)]
    pub(super) fn jump(&mut self, target: u32) {
        let index = match target & FUEL_TARGET {
            0 => target,
            _ => (target & !FUEL_TARGET) - 1,
        };
        // SAFETY: branch targets are indexes inside the body (a flagged one
        // the index after its `ConsumeFuel`, with the flag).
        self.ip = unsafe { self.base.add(index as usize) };
    }

    /// Skips `n` instructions (a `br_table` entry selection, `n <= len`).
    #[inline(always)]
    pub(super) fn skip(&mut self, n: usize) {
        // SAFETY: a BrTable is followed by len + 1 entries and n <= len.
        self.ip = unsafe { self.ip.add(n) };
    }

    /// The index of the next instruction.
    #[inline(always)]
    pub(super) fn pc(&self) -> usize {
        // SAFETY: both pointers are into the same body.
        unsafe { self.ip.offset_from(self.base) as usize }
    }
}

/// The instruction pointer of the threaded handlers (`exec/threaded`): a
/// raw pointer to the instruction being executed, passed from handler to
/// handler in a register. Same soundness argument as [`Cursor`]: it only
/// ever points into a translated body, because it starts at an index
/// inside one and moves only to the next instruction (never past the
/// terminal one) or to a branch target inside the body.
#[derive(Clone, Copy)]
pub(super) struct Ip(*const Instr);

impl Ip {
    /// The pointer to index `pc` of the body starting at `code`.
    ///
    /// # Safety
    /// `code` must be the start of a translated body and `pc` an index inside it.
    #[inline(always)]
    pub(super) unsafe fn at(code: *const Instr, pc: u32) -> Ip {
        // SAFETY: pc is inside the body (the caller's contract).
        Ip(unsafe { code.add(pc as usize) })
    }

    /// The branch target `target` (an index inside the body starting at
    /// `code`, as every translated branch names, without the fuel flag).
    #[inline(always)]
    pub(super) fn jump(code: *const Instr, target: u32) -> Ip {
        // SAFETY: branch targets are indexes inside the body (module docs),
        // and `code` is the body the branch belongs to (the handlers keep
        // it current across calls and returns).
        Ip(unsafe { code.add(target as usize) })
    }

    /// The instruction after the `ConsumeFuel` that branch target `target`
    /// names: a flagged target ([`FUEL_TARGET`]) holds that next index.
    /// Flagged indexes are below `isa::FUEL_TARGET_LIMIT` (2^27), so
    /// scaling the 32-bit target by the instruction size (16 bytes) in 32
    /// bits drops the flag: one shift instead of a mask and a shift.
    #[inline(always)]
    pub(super) fn after_flagged(code: *const Instr, target: u32) -> Ip {
        const _: () = assert!(core::mem::size_of::<Instr>() == 16);
        debug_assert!(target & FUEL_TARGET != 0);
        let offset = target.wrapping_shl(4) as usize;
        // SAFETY: a flagged target is the index (below 2^27) after a
        // `ConsumeFuel` inside the body (`isa::FUEL_TARGET_LIMIT`) plus the
        // flag, so `offset` is that index times the instruction size, and
        // a `ConsumeFuel` is never the body's terminal instruction.
        Ip(unsafe { code.byte_add(offset) })
    }

    /// The instruction at the pointer.
    #[inline(always)]
    pub(super) fn get(self) -> Instr {
        // SAFETY: the pointer is inside a body (type docs).
        unsafe { *self.0 }
    }

    /// The 16-bit tag of the instruction at the pointer (`Instr` is
    /// `repr(u16)`, so every variant starts with it).
    #[inline(always)]
    pub(super) fn tag(self) -> u16 {
        // SAFETY: inside a body; a `repr(u16)` enum begins with its tag.
        unsafe { *(self.0 as *const u16) }
    }

    /// The next instruction.
    #[inline(always)]
    pub(super) fn next(self) -> Ip {
        // SAFETY: the current instruction is not the terminal one (it did
        // not end execution of the body), so the next one exists.
        Ip(unsafe { self.0.add(1) })
    }

    /// The previous instruction, of a pointer made by [`Ip::next`].
    #[inline(always)]
    pub(super) fn prev(self) -> Ip {
        // SAFETY: the pointer is the one after an instruction of the same
        // body (the caller's contract).
        Ip(unsafe { self.0.sub(1) })
    }

    /// The instruction `n` places further (a `br_table` entry, `n <= len + 1`).
    #[inline(always)]
    pub(super) fn skip(self, n: usize) -> Ip {
        // SAFETY: a BrTable is followed by len + 1 entries.
        Ip(unsafe { self.0.add(n) })
    }

    /// The index of the pointer inside the body starting at `code`.
    #[inline(always)]
    pub(super) fn pc(self, code: *const Instr) -> u32 {
        // SAFETY: both point into the same body.
        unsafe { self.0.offset_from(code) as u32 }
    }
}

//! Unchecked instruction fetch: a raw instruction pointer into a function's
//! translated code.
//!
//! Soundness rests on the translator's guarantees for every function body:
//! it ends with [`Instr::Unreachable`] (so straight-line execution cannot run
//! past the end), every branch target is the distance in bytes from the
//! instruction holding it to an instruction inside the body
//! (`Instr::resolve_branches`; a flagged one to the instruction after a
//! `ConsumeFuel`), and a `BrTable { len }` is followed by exactly `len + 1`
//! entries.

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

    /// Takes the branch target `target` of the instruction just read (the
    /// one before the cursor; a `br_table` entry is read by skipping it).
    /// (A target carrying [`FUEL_TARGET`] leads to the instruction after
    /// the `ConsumeFuel` it names; this loop continues at the `ConsumeFuel`
    /// and runs it as any other instruction.)
    #[inline(always)]
    pub(super) fn jump(&mut self, target: u32) {
        let bytes = (target & !FUEL_TARGET) as i32 as isize
            - (size_of::<Instr>() * (1 + (target & FUEL_TARGET) as usize)) as isize;
        // SAFETY: `target` is the distance from the instruction just read,
        // the one before `ip`, to an instruction inside the body (module
        // docs); a flagged one to the instruction after a `ConsumeFuel`,
        // where this continues one instruction earlier.
        self.ip = unsafe { self.ip.byte_offset(bytes) };
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

    /// The branch target `target`, without the fuel flag, of the
    /// instruction at the pointer (the branch, or the fused instruction
    /// holding it, or the `br_table` entry): one addition.
    #[inline(always)]
    pub(super) fn jump(self, target: u32) -> Ip {
        debug_assert!(target & FUEL_TARGET == 0);
        // SAFETY: a branch target is the distance in bytes from the
        // instruction holding it to an instruction of the same body
        // (module docs).
        Ip(unsafe { self.0.byte_offset(target as i32 as isize) })
    }

    /// The instruction after the `ConsumeFuel` that the flagged branch
    /// target `target` ([`FUEL_TARGET`]) of the instruction at the pointer
    /// leads to: one addition (the flag is bit 0 and is subtracted with
    /// the distance).
    #[inline(always)]
    pub(super) fn after_flagged(self, target: u32) -> Ip {
        debug_assert!(target & FUEL_TARGET != 0);
        // SAFETY: a flagged target is the distance in bytes plus one from
        // the instruction holding it to the instruction after a
        // `ConsumeFuel` of the same body (module docs; a `ConsumeFuel` is
        // never the body's terminal instruction).
        Ip(unsafe { self.0.byte_offset(target as i32 as isize - 1) })
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

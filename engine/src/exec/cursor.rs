//! Unchecked instruction fetch: a raw instruction pointer into a function's
//! translated code.
//!
//! Soundness rests on the translator's guarantees for every function body:
//! it ends with [`Instr::Unreachable`] (so straight-line execution cannot run
//! past the end), every branch target is an index inside the body, and a
//! `BrTable { len }` is followed by exactly `len + 1` entries.

use crate::isa::Instr;

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

    #[inline(always)]
    pub(super) fn jump(&mut self, target: u32) {
        // SAFETY: branch targets are indexes inside the body.
        self.ip = unsafe { self.base.add(target as usize) };
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

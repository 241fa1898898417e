//! The side table from internal instruction positions to the byte offsets
//! of the Wasm operators they came from, for trap backtraces
//! ([`crate::FrameInfo::func_offset`], wasm-c-api `wasm_frame_func_offset`).
//!
//! Built during translation, consulted only when a backtrace is made: the
//! interpreter never reads it. Stored compactly: a run of instructions from
//! one operator is one entry, and entries are LEB128 deltas (position
//! delta, then zigzag offset delta), about two bytes per entry.
//!
//! The translator reports, after each operator, the positions that operator
//! wrote ([`OffsetRecorder::assign`]): its new instructions, and earlier
//! ones a peephole rewrote or replaced with a fused form (so a fused load
//! carries the load's offset, not that of the addition it absorbed).
//! Superinstructions need nothing: one overlays the first instruction of
//! its pair, which keeps its place, and a trap or call in the second half
//! is reported at the second's position (the interpreter loop runs only the
//! first half of an overlay, then the second in place).

use crate::isa::Instr;
use crate::prelude::*;

/// How many instructions before an operator's first new one the translator
/// compares to find those a peephole replaced (fusions reach back at most
/// three instructions).
const REWRITE_WINDOW: usize = 4;

/// The variants of the last instructions before an operator is translated.
pub(crate) struct Window {
    start: usize,
    len: usize,
    tags: [core::mem::Discriminant<Instr>; REWRITE_WINDOW],
}

impl Window {
    /// Notes the variants of the last instructions of `code`.
    #[inline]
    pub(crate) fn before(code: &[Instr]) -> Window {
        let len = code.len();
        let start = len.saturating_sub(REWRITE_WINDOW);
        let filler = core::mem::discriminant(&Instr::Unreachable);
        let mut tags = [filler; REWRITE_WINDOW];
        for (t, i) in tags.iter_mut().zip(&code[start..]) {
            *t = core::mem::discriminant(i);
        }
        Window { start, len, tags }
    }

    /// The first position the operator translated since [`Window::before`]
    /// wrote: its first new instruction, or an earlier one a fusion replaced
    /// with another variant (a rewrite that keeps the variant, such as a
    /// result redirected into a local or a patched jump target, keeps the
    /// instruction's operator).
    #[inline]
    pub(crate) fn first_written(&self, code: &[Instr]) -> usize {
        let end = self.len.min(code.len());
        (self.start..end)
            .find(|&i| core::mem::discriminant(&code[i]) != self.tags[i - self.start])
            .unwrap_or(end)
    }
}

/// The offset of every instruction of the body being translated (a
/// scratch vector reused between functions; the stored form is
/// [`OffsetTable`]).
#[derive(Debug, Default)]
pub(crate) struct OffsetRecorder {
    per_pc: Vec<u32>,
    first: u32,
}

impl OffsetRecorder {
    /// Starts a new function: positions before the first operator's (a
    /// function's entry fuel charge) get `first_offset`.
    pub(crate) fn start(&mut self, first_offset: u32) {
        self.per_pc.clear();
        self.first = first_offset;
    }

    /// Positions `from..to` now hold instructions of the operator at
    /// `offset`; positions from `to` on no longer exist.
    pub(crate) fn assign(&mut self, from: usize, to: usize, offset: u32) {
        let first = self.first;
        self.per_pc.resize(from.min(to), first);
        self.per_pc.resize(to, offset);
    }

    /// The compact table for a body of `len` instructions whose bytes start
    /// at module offset `body_start` (positions nothing was recorded for,
    /// such as the final sentinel, take the last recorded offset).
    pub(crate) fn finish(&self, len: usize, body_start: u32) -> OffsetTable {
        let mut bytes = Vec::new();
        let (mut last_pc, mut last_off) = (0u32, body_start);
        for (pc, &o) in self.per_pc.iter().enumerate().take(len) {
            if pc == 0 || o != last_off {
                let pc = pc as u32;
                write_leb(&mut bytes, u64::from(pc - last_pc));
                let delta = i64::from(o) - i64::from(last_off);
                write_leb(&mut bytes, ((delta << 1) ^ (delta >> 63)) as u64);
                (last_pc, last_off) = (pc, o);
            }
        }
        OffsetTable {
            body_start,
            bytes: bytes.into_boxed_slice(),
        }
    }
}

fn write_leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_leb(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let byte = *bytes.get(*at)?;
        *at += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
        if shift >= 64 {
            return None;
        }
    }
}

/// A translated function's map from instruction position to the module
/// byte offset of its Wasm operator.
#[derive(Debug, Default)]
pub(crate) struct OffsetTable {
    /// Module offset of the function body (its locals declaration).
    pub body_start: u32,
    bytes: Box<[u8]>,
}

impl OffsetTable {
    /// The module byte offset of the operator instruction `pc` came from
    /// (the body's start when nothing is recorded).
    pub(crate) fn module_offset(&self, pc: u32) -> u32 {
        let (mut at, mut cur_pc, mut off) = (0usize, 0u32, self.body_start);
        let mut found = self.body_start;
        while let (Some(dp), Some(doff)) = (
            read_leb(&self.bytes, &mut at),
            read_leb(&self.bytes, &mut at),
        ) {
            cur_pc = cur_pc.saturating_add(dp as u32);
            if cur_pc > pc {
                break;
            }
            let delta = ((doff >> 1) as i64) ^ -((doff & 1) as i64);
            off = (i64::from(off) + delta) as u32;
            found = off;
        }
        found
    }

    /// Bytes the table occupies.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn size(&self) -> usize {
        self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_rewrites_and_lookups() {
        let mut r = OffsetRecorder::default();
        r.start(100);
        // pc 0: fuel charge (offset 100, recorded by the first operator's
        // assign from 0); op at 101 emits pcs 1..3,
        // op at 105 emits nothing, op at 107 emits pc 3, op at 110 rewrites
        // pc 3 and emits pc 4, op at 120 removes pc 4 (a dropped producer).
        r.assign(1, 3, 101);
        r.assign(3, 3, 105);
        r.assign(3, 4, 107);
        r.assign(3, 5, 110);
        r.assign(4, 4, 120);
        r.assign(4, 6, 130);
        let t = r.finish(6, 90);
        let got: Vec<u32> = (0..6).map(|pc| t.module_offset(pc)).collect();
        assert_eq!(got, [100, 101, 101, 110, 130, 130]);
        assert!(t.size() <= 8, "{} bytes", t.size());
        // Offsets may go backwards (zigzag deltas).
        let mut r = OffsetRecorder::default();
        r.start(500);
        r.assign(0, 1, 400);
        r.assign(1, 2, 70_000);
        r.assign(2, 3, 450);
        let t = r.finish(3, 300);
        let got: Vec<u32> = (0..4).map(|pc| t.module_offset(pc)).collect();
        assert_eq!(got, [400, 70_000, 450, 450]);
    }
}

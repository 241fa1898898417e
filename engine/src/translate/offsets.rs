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
use core::mem::{Discriminant, discriminant};

/// How far back from an operator's first new instruction the recorder
/// looks for instructions a fusion replaced (fusions reach back at most
/// three instructions).
const REWRITE_WINDOW: usize = 4;

/// The offset and variant of every instruction of the body being
/// translated (scratch vectors reused between functions; the stored form
/// is [`OffsetTable`]).
#[derive(Debug, Default)]
pub(crate) struct OffsetRecorder {
    /// Per instruction: its operator's offset and its variant.
    per_pc: Vec<(u32, Discriminant<Instr>)>,
    first: u32,
}

impl OffsetRecorder {
    /// Starts a new function: positions before the first operator's (a
    /// function's entry fuel charge) get `first_offset`.
    pub(crate) fn start(&mut self, first_offset: u32) {
        self.per_pc.clear();
        self.first = first_offset;
    }

    /// Records what the operator at `offset` wrote, `code` having had
    /// `before` instructions before it was translated: its new
    /// instructions, and earlier ones a fusion replaced with another
    /// variant (a rewrite that keeps the variant, such as a result
    /// redirected into a local or a patched jump target, keeps the
    /// instruction's operator). Positions from `code.len()` on are dropped.
    #[inline]
    pub(crate) fn record(&mut self, code: &[Instr], before: usize, offset: u32) {
        // The common cases: nothing written, or one instruction appended.
        let after = code.len();
        if self.per_pc.len() == before
            && (before..=before + 1).contains(&after)
            && (before == 0 || discriminant(&code[before - 1]) == self.per_pc[before - 1].1)
        {
            if after > before {
                self.per_pc.push((offset, discriminant(&code[before])));
            }
            return;
        }
        // Instructions made before the first operator.
        while self.per_pc.len() < before.min(code.len()) {
            self.per_pc
                .push((self.first, discriminant(&code[self.per_pc.len()])));
        }
        let known = before.min(code.len()).min(self.per_pc.len());
        // Usually the operator only appended (or wrote nothing): the last
        // instruction before it is still there, unchanged.
        let tag = |i: usize| self.per_pc[i].1;
        let appended_only =
            known == before && (known == 0 || discriminant(&code[known - 1]) == tag(known - 1));
        let from = if appended_only {
            known
        } else {
            let lo = known.saturating_sub(REWRITE_WINDOW);
            (lo..known)
                .find(|&i| discriminant(&code[i]) != tag(i))
                .unwrap_or(known)
        };
        self.per_pc.truncate(from);
        for i in &code[from..] {
            self.per_pc.push((offset, discriminant(i)));
        }
    }

    /// The compact table for a body of `len` instructions whose bytes start
    /// at module offset `body_start` (positions nothing was recorded for,
    /// such as the final sentinel, take the last recorded offset).
    pub(crate) fn finish(&self, len: usize, body_start: u32) -> OffsetTable {
        let mut bytes = Vec::new();
        let (mut last_pc, mut last_off) = (0u32, body_start);
        for (pc, &(o, _)) in self.per_pc.iter().enumerate().take(len) {
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
        let add = Instr::I32Add {
            dst: 0,
            lhs: 0,
            rhs: 0,
        };
        let load = Instr::I32Load {
            dst: 0,
            addr: 0,
            offset: 0,
        };
        let fuel = Instr::ConsumeFuel { amount: 1 };
        let mut r = OffsetRecorder::default();
        r.start(100);
        let mut code = vec![fuel];
        // op at 101 emits two adds (pcs 1, 2); op at 105 emits nothing;
        // op at 107 emits an add at pc 3; op at 110 replaces it with a
        // load (a fusion) and adds a load at pc 4; op at 120 removes pc 4
        // (a dropped producer); op at 130 emits two adds at pcs 4, 5; op
        // at 140 redirects pc 5's result (same variant): pc 5 keeps 130.
        type Step<'a> = (u32, &'a dyn Fn(&mut Vec<Instr>));
        let steps: [Step; 7] = [
            (101, &|c| c.extend([add, add])),
            (105, &|_| {}),
            (107, &|c| c.push(add)),
            (110, &|c| {
                c.pop();
                c.extend([load, load]);
            }),
            (120, &|c| {
                c.pop();
            }),
            (130, &|c| c.extend([add, add])),
            (140, &|c| {
                if let Some(Instr::I32Add { dst, .. }) = c.last_mut() {
                    *dst = 7;
                }
            }),
        ];
        for (offset, step) in steps {
            let before = code.len();
            step(&mut code);
            r.record(&code, before, offset);
        }
        let t = r.finish(code.len(), 90);
        let got: Vec<u32> = (0..7).map(|pc| t.module_offset(pc)).collect();
        assert_eq!(got, [100, 101, 101, 110, 130, 130, 130]);
        assert!(t.size() <= 10, "{} bytes", t.size());
        // Offsets may go backwards (zigzag deltas).
        let mut r = OffsetRecorder::default();
        r.start(500);
        let mut code = Vec::new();
        for offset in [400, 70_000, 450] {
            let before = code.len();
            code.push(add);
            r.record(&code, before, offset);
        }
        let t = r.finish(3, 300);
        let got: Vec<u32> = (0..4).map(|pc| t.module_offset(pc)).collect();
        assert_eq!(got, [400, 70_000, 450, 450]);
    }
}

//! Translation of the SIMD and relaxed SIMD operators.
//!
//! A `v128` is two entries of the translator's operand stack, its low and
//! high 64-bit halves, which generic code (block values, calls, returns,
//! locals) moves like any two values; each half names its own slot. A
//! SIMD instruction reads a `v128` operand from one slot and the next, so
//! [`FuncTranslator::pop_v128`] makes sure the two halves are adjacent.

use super::{FuncTranslator, ModuleView, Operand, memory_index};
use crate::isa::{Instr, Pair16, SimdOp, Slot, for_each_simd_op};
use wasmparser::{MemArg, Operator};

/// How an operator's operands and result are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Unary,
    Test,
    Splat,
    Binary,
    Shift,
    Ternary,
    Extract,
    Replace,
    Load,
    LoadLane,
    StoreLane,
}

macro_rules! define_classify {
    (
        unary [$($u:ident)*] test [$($t:ident)*] splat [$($s:ident)*]
        binary [$($b:ident)*] shift [$($sh:ident)*] ternary [$($te:ident)*]
        extract [$($e:ident)*] replace [$($r:ident)*] load [$($l:ident)*]
        load_lane [$($ll:ident)*] store_lane [$($sl:ident)*]
    ) => {
        /// The operation, shape, lane immediate and memory argument of a
        /// SIMD operator of a regular shape (`None` for other operators).
        fn classify(op: &Operator<'_>) -> Option<(SimdOp, Shape, u8, Option<MemArg>)> {
            Some(match *op {
                $(Operator::$u => (SimdOp::$u, Shape::Unary, 0, None),)*
                $(Operator::$t => (SimdOp::$t, Shape::Test, 0, None),)*
                $(Operator::$s => (SimdOp::$s, Shape::Splat, 0, None),)*
                $(Operator::$b => (SimdOp::$b, Shape::Binary, 0, None),)*
                $(Operator::$sh => (SimdOp::$sh, Shape::Shift, 0, None),)*
                $(Operator::$te => (SimdOp::$te, Shape::Ternary, 0, None),)*
                $(Operator::$e { lane } => (SimdOp::$e, Shape::Extract, lane, None),)*
                $(Operator::$r { lane } => (SimdOp::$r, Shape::Replace, lane, None),)*
                $(Operator::$l { memarg } => (SimdOp::$l, Shape::Load, 0, Some(memarg)),)*
                $(Operator::$ll { memarg, lane } => (SimdOp::$ll, Shape::LoadLane, lane, Some(memarg)),)*
                $(Operator::$sl { memarg, lane } => (SimdOp::$sl, Shape::StoreLane, lane, Some(memarg)),)*
                Operator::V128Store { memarg } => (SimdOp::V128Store, Shape::StoreLane, 0, Some(memarg)),
                _ => return None,
            })
        }
    };
}
for_each_simd_op!(define_classify);

/// The in-place NaN canonicalisation a float-producing operation needs in
/// deterministic runs (`None` for operations whose NaNs are copies of
/// their inputs' or that produce no float).
fn canon_of(op: SimdOp) -> Option<SimdOp> {
    use SimdOp as S;
    match op {
        S::F32x4Ceil
        | S::F32x4Floor
        | S::F32x4Trunc
        | S::F32x4Nearest
        | S::F32x4Sqrt
        | S::F32x4Add
        | S::F32x4Sub
        | S::F32x4Mul
        | S::F32x4Div
        | S::F32x4Min
        | S::F32x4Max
        | S::F32x4DemoteF64x2Zero
        | S::F32x4RelaxedMadd
        | S::F32x4RelaxedNmadd
        | S::F32x4RelaxedMin
        | S::F32x4RelaxedMax => Some(S::CanonF32x4),
        S::F64x2Ceil
        | S::F64x2Floor
        | S::F64x2Trunc
        | S::F64x2Nearest
        | S::F64x2Sqrt
        | S::F64x2Add
        | S::F64x2Sub
        | S::F64x2Mul
        | S::F64x2Div
        | S::F64x2Min
        | S::F64x2Max
        | S::F64x2PromoteLowF32x4
        | S::F64x2RelaxedMadd
        | S::F64x2RelaxedNmadd
        | S::F64x2RelaxedMin
        | S::F64x2RelaxedMax => Some(S::CanonF64x2),
        _ => None,
    }
}

impl FuncTranslator {
    /// Translates a SIMD operator; false for any other operator.
    pub(super) fn simd_operator(&mut self, module: &ModuleView<'_>, op: &Operator<'_>) -> bool {
        match *op {
            Operator::V128Const { value } => {
                self.push_const_v128(value.i128() as u128);
                return true;
            }
            Operator::I8x16Shuffle { lanes } => {
                self.push_const_v128(u128::from_le_bytes(lanes));
                self.ternary(SimdOp::I8x16Shuffle);
                return true;
            }
            _ => {}
        }
        let Some((op, shape, lane, memarg)) = classify(op) else {
            return false;
        };
        match shape {
            Shape::Unary | Shape::Test | Shape::Splat | Shape::Extract => {
                let src = if shape == Shape::Splat {
                    self.pop()
                } else {
                    self.pop_v128()
                };
                let dst = if matches!(shape, Shape::Unary | Shape::Splat) {
                    self.push_v128()
                } else {
                    self.push()
                };
                self.emit(Instr::Simd1 { dst, src, op, lane });
            }
            Shape::Binary | Shape::Shift | Shape::Replace => {
                let rhs_v128 = shape == Shape::Binary;
                let top = self.canonical(self.stack.len() - 1);
                if top <= u16::MAX as u32 {
                    // Every operand slot (a local's or a canonical one) is
                    // at most the top's canonical slot.
                    let b = if rhs_v128 {
                        self.pop_v128()
                    } else {
                        self.pop()
                    };
                    let a = self.pop_v128();
                    let dst = self.push_v128();
                    let ops = Pair16::new(a, b).expect("slots checked above");
                    self.emit(Instr::Simd2 { dst, ops, op, lane });
                } else {
                    let base = self.pop_operands(if rhs_v128 { 4 } else { 3 });
                    self.push_v128();
                    self.emit(Instr::SimdBase { base, op, lane });
                }
            }
            Shape::Ternary => self.ternary(op),
            Shape::Load | Shape::LoadLane | Shape::StoreLane => {
                let memarg = memarg.expect("memory shapes carry a memory argument");
                self.simd_access(module, op, shape, lane, memarg);
                return true;
            }
        }
        if self.canonicalize_nans
            && let Some(canon) = canon_of(op)
        {
            let slot = self.canonical(self.stack.len() - 2);
            self.emit(Instr::Simd1 {
                dst: slot,
                src: slot,
                op: canon,
                lane: 0,
            });
        }
        true
    }

    /// An operation of three v128 operands, in the base form.
    fn ternary(&mut self, op: SimdOp) {
        let base = self.pop_operands(6);
        self.push_v128();
        self.emit(Instr::SimdBase { base, op, lane: 0 });
        if self.canonicalize_nans
            && let Some(canon) = canon_of(op)
        {
            self.emit(Instr::Simd1 {
                dst: base,
                src: base,
                op: canon,
                lane: 0,
            });
        }
    }

    /// A SIMD load or store: the memory-0 forms (`V128Load`, `V128Store`,
    /// `SimdMem0`) for a 32-bit memory 0 of 64 KiB pages, the general form
    /// (`SimdMem`, run by the interpreter loop) otherwise.
    fn simd_access(
        &mut self,
        module: &ModuleView<'_>,
        op: SimdOp,
        shape: Shape,
        lane: u8,
        memarg: MemArg,
    ) {
        let mem = memory_index(&memarg);
        let plain = module.is_plain_memory(mem);
        match op {
            SimdOp::V128Load if plain => {
                let addr = self.pop();
                let dst = self.push_v128();
                self.emit(Instr::V128Load {
                    dst,
                    addr,
                    offset: memarg.offset as u32,
                });
            }
            SimdOp::V128Store if plain => {
                let value = self.pop_v128();
                let addr = self.pop();
                self.emit(Instr::V128Store {
                    addr,
                    value,
                    offset: memarg.offset as u32,
                });
            }
            _ if plain => {
                let base = self.pop_operands(if shape == Shape::Load { 1 } else { 3 });
                if shape != Shape::StoreLane {
                    self.push_v128();
                }
                self.emit(Instr::SimdMem0 {
                    base,
                    offset: memarg.offset as u32,
                    op,
                    lane,
                });
            }
            _ => {
                let base = self.pop_operands(if shape == Shape::Load { 1 } else { 3 });
                if shape != Shape::StoreLane {
                    self.push_v128();
                }
                self.emit(Instr::SimdMem {
                    base,
                    mem: mem as u16,
                    op,
                    lane,
                });
                self.emit(Instr::MemOffset {
                    offset: memarg.offset,
                });
            }
        }
    }

    /// Pushes a `v128` constant (two pending constant halves).
    fn push_const_v128(&mut self, value: u128) {
        self.v128_at.push(self.stack.len() as u32);
        self.push_const(value as u64);
        self.push_const((value >> 64) as u64);
    }

    /// Pops a `v128` and returns the first of the two adjacent slots it can
    /// be read from (moving its halves to their canonical slots when they
    /// are not adjacent, or are pending constants).
    pub(super) fn pop_v128(&mut self) -> Slot {
        let n = self.stack.len();
        let slot = match (self.stack[n - 2], self.stack[n - 1]) {
            (Operand::Local(a), Operand::Local(b)) if b == a + 1 => a,
            _ => {
                self.materialize_at(n - 2);
                self.materialize_at(n - 1);
                self.canonical(n - 2)
            }
        };
        self.drop_top();
        self.drop_top();
        slot
    }

    /// `local.get` of the v128 local at slots `slot`, `slot + 1`.
    pub(super) fn local_get_v128(&mut self, slot: Slot) {
        self.v128_at.push(self.stack.len() as u32);
        self.push_local(slot);
        self.push_local(slot + 1);
    }

    /// `local.set` of the v128 local at slots `slot`, `slot + 1`.
    pub(super) fn local_set_v128(&mut self, slot: Slot) {
        let n = self.stack.len();
        let pending = self.stack[self.first_lazy..]
            .iter()
            .any(|e| *e == Operand::Local(slot) || *e == Operand::Local(slot + 1));
        // A value just computed into its canonical slots by an instruction
        // that reads its operands first is written to the local directly.
        if !pending
            && self.stack[n - 2] == Operand::Stack
            && self.stack[n - 1] == Operand::Stack
            && self.fusable_last().is_some()
        {
            let from = self.canonical(n - 2);
            if let Some(
                Instr::Simd1 { dst, .. } | Instr::Simd2 { dst, .. } | Instr::V128Load { dst, .. },
            ) = self.code.last_mut()
                && *dst == from
            {
                *dst = slot;
                self.drop_top();
                self.drop_top();
                return;
            }
        }
        self.materialize_local(slot);
        self.materialize_local(slot + 1);
        self.move_entry(n - 2, slot);
        self.move_entry(n - 1, slot + 1);
        self.drop_top();
        self.drop_top();
    }

    /// `select` of two v128s.
    pub(super) fn select_v128(&mut self) {
        let base = self.pop_operands(5);
        self.push_v128();
        self.emit(Instr::SimdBase {
            base,
            op: SimdOp::SelectV128,
            lane: 0,
        });
    }
}

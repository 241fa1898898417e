//! The semantics of the SIMD instructions (`isa::Instr::Simd1`, `Simd2`,
//! `SimdBase`, `SimdMem0`, `SimdMem`), shared by the threaded handlers and
//! the interpreter loop.
//!
//! A `v128` is a `u128` (lane 0 in the lowest bits, as in memory) kept in
//! two adjacent 64-bit slots, low half first. Lanes are plain Rust arrays:
//! `int.rs` (integer lanes and bit operations), `float.rs` (float lanes),
//! `convert.rs` (conversions between lane types), `relaxed.rs` (the
//! relaxed SIMD operations, each with its one fixed result) and `mem.rs`
//! (the loads and stores of any memory). No operation here traps.

mod convert;
mod float;
mod int;
pub(super) mod mem;
mod relaxed;

use super::frame_ptr::FramePtr;
use crate::isa::{SimdOp, Slot};

/// Reads the v128 at `slot`, `slot + 1`.
#[inline]
pub(super) fn get(fp: FramePtr, slot: Slot) -> u128 {
    fp.get(slot) as u128 | (fp.get(slot + 1) as u128) << 64
}

/// Writes a v128 to `slot`, `slot + 1`.
#[inline]
pub(super) fn set(fp: FramePtr, slot: Slot, v: u128) {
    fp.set(slot, v as u64);
    fp.set(slot + 1, (v >> 64) as u64);
}

/// Runs an operation of one operand (`isa::Instr::Simd1`).
#[inline(never)]
pub(super) fn run1(fp: FramePtr, op: SimdOp, lane: u8, dst: Slot, src: Slot) {
    use SimdOp as S;
    let x = fp.get(src);
    match op {
        S::I8x16Splat => set(fp, dst, int::splat8(x as u8)),
        S::I16x8Splat => set(fp, dst, int::splat16(x as u16)),
        S::I32x4Splat | S::F32x4Splat => set(fp, dst, int::splat32(x as u32)),
        S::I64x2Splat | S::F64x2Splat => set(fp, dst, int::splat64(x)),
        S::V128AnyTrue
        | S::I8x16AllTrue
        | S::I8x16Bitmask
        | S::I16x8AllTrue
        | S::I16x8Bitmask
        | S::I32x4AllTrue
        | S::I32x4Bitmask
        | S::I64x2AllTrue
        | S::I64x2Bitmask => fp.set(dst, int::test(op, get(fp, src)) as u64),
        S::I8x16ExtractLaneS
        | S::I8x16ExtractLaneU
        | S::I16x8ExtractLaneS
        | S::I16x8ExtractLaneU
        | S::I32x4ExtractLane
        | S::I64x2ExtractLane
        | S::F32x4ExtractLane
        | S::F64x2ExtractLane => fp.set(dst, int::extract(op, get(fp, src), lane)),
        S::CanonF32x4 => set(fp, dst, float::canon32(get(fp, src))),
        S::CanonF64x2 => set(fp, dst, float::canon64(get(fp, src))),
        _ => set(fp, dst, unary(op, get(fp, src))),
    }
}

/// Runs an operation of two operands (`isa::Instr::Simd2`): the v128 at
/// `a`, the v128 or scalar at `b`.
#[inline(never)]
pub(super) fn run2(fp: FramePtr, op: SimdOp, lane: u8, dst: Slot, a: Slot, b: Slot) {
    use SimdOp as S;
    let v = get(fp, a);
    let r = match op {
        S::I8x16Shl
        | S::I8x16ShrS
        | S::I8x16ShrU
        | S::I16x8Shl
        | S::I16x8ShrS
        | S::I16x8ShrU
        | S::I32x4Shl
        | S::I32x4ShrS
        | S::I32x4ShrU
        | S::I64x2Shl
        | S::I64x2ShrS
        | S::I64x2ShrU => int::shift(op, v, fp.get(b) as u32),
        S::I8x16ReplaceLane
        | S::I16x8ReplaceLane
        | S::I32x4ReplaceLane
        | S::I64x2ReplaceLane
        | S::F32x4ReplaceLane
        | S::F64x2ReplaceLane => int::replace(op, v, lane, fp.get(b)),
        _ => binary(op, v, get(fp, b)),
    };
    set(fp, dst, r);
}

/// Runs an operation in the base form (`isa::Instr::SimdBase`).
#[inline(never)]
pub(super) fn run_base(fp: FramePtr, op: SimdOp, lane: u8, base: Slot) {
    use SimdOp as S;
    match op {
        S::SelectV128 => {
            let r = if fp.get(base + 4) as u32 != 0 {
                get(fp, base)
            } else {
                get(fp, base + 2)
            };
            set(fp, base, r);
        }
        S::V128Bitselect
        | S::I8x16RelaxedLaneselect
        | S::I16x8RelaxedLaneselect
        | S::I32x4RelaxedLaneselect
        | S::I64x2RelaxedLaneselect
        | S::F32x4RelaxedMadd
        | S::F32x4RelaxedNmadd
        | S::F64x2RelaxedMadd
        | S::F64x2RelaxedNmadd
        | S::I32x4RelaxedDotI8x16I7x16AddS
        | S::I8x16Shuffle => {
            let (a, b, c) = (get(fp, base), get(fp, base + 2), get(fp, base + 4));
            set(fp, base, ternary(op, a, b, c));
        }
        _ => run2(fp, op, lane, base, base, base + 2),
    }
}

/// v128 → v128 operations.
fn unary(op: SimdOp, a: u128) -> u128 {
    int::unary(op, a)
        .or_else(|| float::unary(op, a))
        .or_else(|| convert::unary(op, a))
        .or_else(|| relaxed::unary(op, a))
        .unwrap_or_else(|| unreachable!("{op:?} is not a unary SIMD operation"))
}

/// v128, v128 → v128 operations.
fn binary(op: SimdOp, a: u128, b: u128) -> u128 {
    int::binary(op, a, b)
        .or_else(|| float::binary(op, a, b))
        .or_else(|| relaxed::binary(op, a, b))
        .unwrap_or_else(|| unreachable!("{op:?} is not a binary SIMD operation"))
}

/// v128, v128, v128 → v128 operations.
fn ternary(op: SimdOp, a: u128, b: u128, c: u128) -> u128 {
    match op {
        SimdOp::V128Bitselect => int::bitselect(a, b, c),
        SimdOp::I8x16Shuffle => int::shuffle(a, b, c),
        _ => relaxed::ternary(op, a, b, c)
            .unwrap_or_else(|| unreachable!("{op:?} is not a ternary SIMD operation")),
    }
}

// ---- lanes ----------------------------------------------------------------

macro_rules! lanes {
    ($split:ident, $join:ident, $t:ty, $n:literal) => {
        /// The lanes of a v128.
        #[inline]
        pub(super) fn $split(v: u128) -> [$t; $n] {
            let b = v.to_le_bytes();
            core::array::from_fn(|i| {
                const W: usize = 16 / $n;
                let mut x = [0u8; W];
                x.copy_from_slice(&b[i * W..(i + 1) * W]);
                <$t>::from_le_bytes(x)
            })
        }
        /// The v128 of the lanes.
        #[inline]
        pub(super) fn $join(lanes: [$t; $n]) -> u128 {
            let mut b = [0u8; 16];
            for (i, l) in lanes.iter().enumerate() {
                const W: usize = 16 / $n;
                b[i * W..(i + 1) * W].copy_from_slice(&l.to_le_bytes());
            }
            u128::from_le_bytes(b)
        }
    };
}
lanes!(u8s, from_u8s, u8, 16);
lanes!(i8s, from_i8s, i8, 16);
lanes!(u16s, from_u16s, u16, 8);
lanes!(i16s, from_i16s, i16, 8);
lanes!(u32s, from_u32s, u32, 4);
lanes!(i32s, from_i32s, i32, 4);
lanes!(u64s, from_u64s, u64, 2);
lanes!(i64s, from_i64s, i64, 2);
lanes!(f32s, from_f32s, f32, 4);
lanes!(f64s, from_f64s, f64, 2);

/// Applies `f` to each lane of `a` (lane type `$t`, split by `$split`).
macro_rules! map {
    ($split:ident, $join:ident, $a:expr, |$x:ident| $e:expr) => {{
        let a = super::$split($a);
        super::$join(core::array::from_fn(|i| {
            let $x = a[i];
            $e
        }))
    }};
}
/// Applies `f` to each pair of lanes of `a` and `b`.
macro_rules! zip {
    ($split:ident, $join:ident, $a:expr, $b:expr, |$x:ident, $y:ident| $e:expr) => {{
        let (a, b) = (super::$split($a), super::$split($b));
        super::$join(core::array::from_fn(|i| {
            let ($x, $y) = (a[i], b[i]);
            $e
        }))
    }};
}
/// A lane mask: all ones when `c` holds.
macro_rules! mask {
    ($c:expr) => {
        if $c { !0 } else { 0 }
    };
}
use {map, mask, zip};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_round_trip_in_memory_order() {
        let v = u128::from_le_bytes(core::array::from_fn(|i| i as u8));
        assert_eq!(u16s(v)[1], 0x0302);
        assert_eq!(from_u32s(u32s(v)), v);
        assert_eq!(i8s(v)[15], 15);
    }
}

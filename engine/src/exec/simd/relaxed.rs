//! Relaxed SIMD. The proposal lets each of these operations return one of
//! several results (whatever the host CPU's instruction gives); this engine
//! always returns the same one, on every machine, documented in
//! docs/determinism.md ("Relaxed SIMD"):
//!
//! - `i8x16.relaxed_swizzle` is `i8x16.swizzle` (out-of-range index: 0);
//! - `i32x4.relaxed_trunc_*` are the saturating `i32x4.trunc_sat_*`;
//! - `f32x4/f64x2.relaxed_madd` is `a * b + c` and `relaxed_nmadd` is
//!   `-(a * b) + c`, both *unfused* (the product is rounded first);
//! - `*.relaxed_laneselect` is `v128.bitselect` (bit by bit);
//! - `f32x4/f64x2.relaxed_min/max` are `f32x4/f64x2.min/max` (NaN
//!   propagating, -0 below +0);
//! - `i16x8.relaxed_q15mulr_s` is `i16x8.q15mulr_sat_s`;
//! - `i16x8.relaxed_dot_i8x16_i7x16_s` multiplies both operands' lanes as
//!   signed and saturates each sum of two products to i16;
//!   `i32x4.relaxed_dot_i8x16_i7x16_add_s` adds two such (saturated) i16
//!   sums, widened to i32, and the accumulator lane (wrapping).

use super::convert::{
    trunc_sat_f32x4_s, trunc_sat_f32x4_u, trunc_sat_f64x2_s_zero, trunc_sat_f64x2_u_zero,
};
use super::int::{bitselect, q15mulr, swizzle};
use super::{f32s, f64s, from_f32s, from_f64s, from_i16s, from_i32s, i8s, i32s, zip};
use crate::exec::numeric::{f32_max, f32_min, f64_max, f64_min};
use crate::isa::SimdOp;

/// Relaxed v128 → v128 operations (`None` for others).
pub(super) fn unary(op: SimdOp, v: u128) -> Option<u128> {
    use SimdOp as S;
    Some(match op {
        S::I32x4RelaxedTruncF32x4S => trunc_sat_f32x4_s(v),
        S::I32x4RelaxedTruncF32x4U => trunc_sat_f32x4_u(v),
        S::I32x4RelaxedTruncF64x2SZero => trunc_sat_f64x2_s_zero(v),
        S::I32x4RelaxedTruncF64x2UZero => trunc_sat_f64x2_u_zero(v),
        _ => return None,
    })
}

/// The i16 sums of adjacent products of `a`'s and `b`'s i8 lanes, each
/// saturated.
fn dot_i8_pairs(a: u128, b: u128) -> [i16; 8] {
    let (x, y) = (i8s(a), i8s(b));
    core::array::from_fn(|i| {
        let s = x[2 * i] as i32 * y[2 * i] as i32 + x[2 * i + 1] as i32 * y[2 * i + 1] as i32;
        s.clamp(i16::MIN as i32, i16::MAX as i32) as i16
    })
}

/// Relaxed v128, v128 → v128 operations (`None` for others).
pub(super) fn binary(op: SimdOp, a: u128, b: u128) -> Option<u128> {
    use SimdOp as S;
    Some(match op {
        S::I8x16RelaxedSwizzle => swizzle(a, b),
        S::F32x4RelaxedMin => zip!(f32s, from_f32s, a, b, |x, y| f32_min(x, y)),
        S::F32x4RelaxedMax => zip!(f32s, from_f32s, a, b, |x, y| f32_max(x, y)),
        S::F64x2RelaxedMin => zip!(f64s, from_f64s, a, b, |x, y| f64_min(x, y)),
        S::F64x2RelaxedMax => zip!(f64s, from_f64s, a, b, |x, y| f64_max(x, y)),
        S::I16x8RelaxedQ15mulrS => zip!(i16s, from_i16s, a, b, |x, y| q15mulr(x, y)),
        S::I16x8RelaxedDotI8x16I7x16S => from_i16s(dot_i8_pairs(a, b)),
        _ => return None,
    })
}

/// Relaxed v128, v128, v128 → v128 operations (`None` for others).
pub(super) fn ternary(op: SimdOp, a: u128, b: u128, c: u128) -> Option<u128> {
    use SimdOp as S;
    Some(match op {
        S::F32x4RelaxedMadd => {
            let (x, y, z) = (f32s(a), f32s(b), f32s(c));
            from_f32s(core::array::from_fn(|i| x[i] * y[i] + z[i]))
        }
        S::F32x4RelaxedNmadd => {
            let (x, y, z) = (f32s(a), f32s(b), f32s(c));
            from_f32s(core::array::from_fn(|i| -(x[i] * y[i]) + z[i]))
        }
        S::F64x2RelaxedMadd => {
            let (x, y, z) = (f64s(a), f64s(b), f64s(c));
            from_f64s(core::array::from_fn(|i| x[i] * y[i] + z[i]))
        }
        S::F64x2RelaxedNmadd => {
            let (x, y, z) = (f64s(a), f64s(b), f64s(c));
            from_f64s(core::array::from_fn(|i| -(x[i] * y[i]) + z[i]))
        }
        S::I8x16RelaxedLaneselect
        | S::I16x8RelaxedLaneselect
        | S::I32x4RelaxedLaneselect
        | S::I64x2RelaxedLaneselect => bitselect(a, b, c),
        S::I32x4RelaxedDotI8x16I7x16AddS => {
            let (d, acc) = (dot_i8_pairs(a, b), i32s(c));
            from_i32s(core::array::from_fn(|i| {
                (d[2 * i] as i32 + d[2 * i + 1] as i32).wrapping_add(acc[i])
            }))
        }
        _ => return None,
    })
}

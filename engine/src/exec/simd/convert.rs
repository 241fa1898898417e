//! Conversions between lane types. Float to integer conversions saturate
//! (NaN gives 0), as Rust's `as` does; integer to float conversions round
//! to nearest, ties to even.

use super::{f32s, f64s, from_f32s, from_f64s, from_i32s, from_u32s, i32s, map, u32s};
use crate::isa::SimdOp;

/// Conversion operations (`None` for others).
pub(super) fn unary(op: SimdOp, v: u128) -> Option<u128> {
    use SimdOp as S;
    Some(match op {
        S::I32x4TruncSatF32x4S => trunc_sat_f32x4_s(v),
        S::I32x4TruncSatF32x4U => trunc_sat_f32x4_u(v),
        S::I32x4TruncSatF64x2SZero => trunc_sat_f64x2_s_zero(v),
        S::I32x4TruncSatF64x2UZero => trunc_sat_f64x2_u_zero(v),
        S::F32x4ConvertI32x4S => map!(i32s, from_f32s, v, |x| x as f32),
        S::F32x4ConvertI32x4U => map!(u32s, from_f32s, v, |x| x as f32),
        S::F64x2ConvertLowI32x4S => {
            let a = i32s(v);
            from_f64s([a[0] as f64, a[1] as f64])
        }
        S::F64x2ConvertLowI32x4U => {
            let a = u32s(v);
            from_f64s([a[0] as f64, a[1] as f64])
        }
        S::F32x4DemoteF64x2Zero => {
            let a = f64s(v);
            from_f32s([a[0] as f32, a[1] as f32, 0.0, 0.0])
        }
        S::F64x2PromoteLowF32x4 => {
            let a = f32s(v);
            from_f64s([a[0] as f64, a[1] as f64])
        }
        _ => return None,
    })
}

/// `i32x4.trunc_sat_f32x4_s`.
pub(super) fn trunc_sat_f32x4_s(v: u128) -> u128 {
    map!(f32s, from_i32s, v, |x| x as i32)
}
/// `i32x4.trunc_sat_f32x4_u`.
pub(super) fn trunc_sat_f32x4_u(v: u128) -> u128 {
    map!(f32s, from_u32s, v, |x| x as u32)
}
/// `i32x4.trunc_sat_f64x2_s_zero`.
pub(super) fn trunc_sat_f64x2_s_zero(v: u128) -> u128 {
    let a = f64s(v);
    from_i32s([a[0] as i32, a[1] as i32, 0, 0])
}
/// `i32x4.trunc_sat_f64x2_u_zero`.
pub(super) fn trunc_sat_f64x2_u_zero(v: u128) -> u128 {
    let a = f64s(v);
    from_u32s([a[0] as u32, a[1] as u32, 0, 0])
}

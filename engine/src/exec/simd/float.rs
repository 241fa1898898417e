//! Float lanes. Rounding and square roots go through `crate::float` in
//! builds without std, like the scalar operators; min and max follow
//! Wasm's NaN and signed-zero rules (`exec/numeric.rs`).

use super::{f32s, f64s, from_u32s, from_u64s, map, mask, zip};
use crate::exec::numeric::{
    CANON_NAN32, CANON_NAN64, f32_max, f32_min, f64_max, f64_min, quiet32, quiet64,
};
#[cfg(not(feature = "std"))]
use crate::float::FloatMath;
use crate::isa::SimdOp;

/// Every NaN lane of an f32x4 replaced with the canonical NaN.
pub(super) fn canon32(v: u128) -> u128 {
    map!(u32s, from_u32s, v, |x| if f32::from_bits(x).is_nan() {
        CANON_NAN32
    } else {
        x
    })
}

/// Every NaN lane of an f64x2 replaced with the canonical NaN.
pub(super) fn canon64(v: u128) -> u128 {
    map!(u64s, from_u64s, v, |x| if f64::from_bits(x).is_nan() {
        CANON_NAN64
    } else {
        x
    })
}

/// Float v128 → v128 operations (`None` for others).
pub(super) fn unary(op: SimdOp, v: u128) -> Option<u128> {
    use SimdOp as S;
    const SIGN32: u32 = 1 << 31;
    const SIGN64: u64 = 1 << 63;
    Some(match op {
        S::F32x4Ceil => map!(f32s, from_f32s, v, |x| quiet32(x.ceil())),
        S::F32x4Floor => map!(f32s, from_f32s, v, |x| quiet32(x.floor())),
        S::F32x4Trunc => map!(f32s, from_f32s, v, |x| quiet32(x.trunc())),
        S::F32x4Nearest => map!(f32s, from_f32s, v, |x| quiet32(x.round_ties_even())),
        S::F32x4Sqrt => map!(f32s, from_f32s, v, |x| x.sqrt()),
        S::F32x4Abs => map!(u32s, from_u32s, v, |x| x & !SIGN32),
        S::F32x4Neg => map!(u32s, from_u32s, v, |x| x ^ SIGN32),
        S::F64x2Ceil => map!(f64s, from_f64s, v, |x| quiet64(x.ceil())),
        S::F64x2Floor => map!(f64s, from_f64s, v, |x| quiet64(x.floor())),
        S::F64x2Trunc => map!(f64s, from_f64s, v, |x| quiet64(x.trunc())),
        S::F64x2Nearest => map!(f64s, from_f64s, v, |x| quiet64(x.round_ties_even())),
        S::F64x2Sqrt => map!(f64s, from_f64s, v, |x| x.sqrt()),
        S::F64x2Abs => map!(u64s, from_u64s, v, |x| x & !SIGN64),
        S::F64x2Neg => map!(u64s, from_u64s, v, |x| x ^ SIGN64),
        _ => return None,
    })
}

/// Float v128, v128 → v128 operations (`None` for others).
pub(super) fn binary(op: SimdOp, a: u128, b: u128) -> Option<u128> {
    use SimdOp as S;
    // Comparisons: lanes compared as floats, the mask written as integers.
    macro_rules! cmp32 {
        (|$x:ident, $y:ident| $e:expr) => {{
            let (p, q) = (f32s(a), f32s(b));
            from_u32s(core::array::from_fn(|i| {
                let ($x, $y) = (p[i], q[i]);
                mask!($e)
            }))
        }};
    }
    macro_rules! cmp64 {
        (|$x:ident, $y:ident| $e:expr) => {{
            let (p, q) = (f64s(a), f64s(b));
            from_u64s(core::array::from_fn(|i| {
                let ($x, $y) = (p[i], q[i]);
                mask!($e)
            }))
        }};
    }
    Some(match op {
        S::F32x4Eq => cmp32!(|x, y| x == y),
        S::F32x4Ne => cmp32!(|x, y| x != y),
        S::F32x4Lt => cmp32!(|x, y| x < y),
        S::F32x4Gt => cmp32!(|x, y| x > y),
        S::F32x4Le => cmp32!(|x, y| x <= y),
        S::F32x4Ge => cmp32!(|x, y| x >= y),
        S::F64x2Eq => cmp64!(|x, y| x == y),
        S::F64x2Ne => cmp64!(|x, y| x != y),
        S::F64x2Lt => cmp64!(|x, y| x < y),
        S::F64x2Gt => cmp64!(|x, y| x > y),
        S::F64x2Le => cmp64!(|x, y| x <= y),
        S::F64x2Ge => cmp64!(|x, y| x >= y),
        S::F32x4Add => zip!(f32s, from_f32s, a, b, |x, y| x + y),
        S::F32x4Sub => zip!(f32s, from_f32s, a, b, |x, y| x - y),
        S::F32x4Mul => zip!(f32s, from_f32s, a, b, |x, y| x * y),
        S::F32x4Div => zip!(f32s, from_f32s, a, b, |x, y| x / y),
        S::F32x4Min => zip!(f32s, from_f32s, a, b, |x, y| f32_min(x, y)),
        S::F32x4Max => zip!(f32s, from_f32s, a, b, |x, y| f32_max(x, y)),
        S::F32x4PMin => zip!(f32s, from_f32s, a, b, |x, y| if y < x { y } else { x }),
        S::F32x4PMax => zip!(f32s, from_f32s, a, b, |x, y| if x < y { y } else { x }),
        S::F64x2Add => zip!(f64s, from_f64s, a, b, |x, y| x + y),
        S::F64x2Sub => zip!(f64s, from_f64s, a, b, |x, y| x - y),
        S::F64x2Mul => zip!(f64s, from_f64s, a, b, |x, y| x * y),
        S::F64x2Div => zip!(f64s, from_f64s, a, b, |x, y| x / y),
        S::F64x2Min => zip!(f64s, from_f64s, a, b, |x, y| f64_min(x, y)),
        S::F64x2Max => zip!(f64s, from_f64s, a, b, |x, y| f64_max(x, y)),
        S::F64x2PMin => zip!(f64s, from_f64s, a, b, |x, y| if y < x { y } else { x }),
        S::F64x2PMax => zip!(f64s, from_f64s, a, b, |x, y| if x < y { y } else { x }),
        _ => return None,
    })
}

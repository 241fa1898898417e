//! Integer lanes and bit operations.

use super::{
    from_i8s, from_i16s, from_i32s, from_i64s, from_u8s, from_u16s, from_u32s, from_u64s, i8s,
    i16s, i32s, i64s, map, mask, u8s, u16s, u32s, u64s, zip,
};
use crate::isa::SimdOp;

pub(super) fn splat8(x: u8) -> u128 {
    from_u8s([x; 16])
}
pub(super) fn splat16(x: u16) -> u128 {
    from_u16s([x; 8])
}
pub(super) fn splat32(x: u32) -> u128 {
    from_u32s([x; 4])
}
pub(super) fn splat64(x: u64) -> u128 {
    from_u64s([x; 2])
}

/// `any_true`, `all_true` and `bitmask`: an i32.
pub(super) fn test(op: SimdOp, v: u128) -> u32 {
    use SimdOp as S;
    fn bits<const N: usize>(top: [bool; N]) -> u32 {
        top.iter()
            .enumerate()
            .fold(0, |m, (i, &b)| m | (b as u32) << i)
    }
    match op {
        S::V128AnyTrue => (v != 0) as u32,
        S::I8x16AllTrue => u8s(v).iter().all(|&x| x != 0) as u32,
        S::I16x8AllTrue => u16s(v).iter().all(|&x| x != 0) as u32,
        S::I32x4AllTrue => u32s(v).iter().all(|&x| x != 0) as u32,
        S::I64x2AllTrue => u64s(v).iter().all(|&x| x != 0) as u32,
        S::I8x16Bitmask => bits(i8s(v).map(|x| x < 0)),
        S::I16x8Bitmask => bits(i16s(v).map(|x| x < 0)),
        S::I32x4Bitmask => bits(i32s(v).map(|x| x < 0)),
        S::I64x2Bitmask => bits(i64s(v).map(|x| x < 0)),
        _ => unreachable!("{op:?} is not a test"),
    }
}

/// `extract_lane`: the lane in slot encoding (i32s zero-extended).
pub(super) fn extract(op: SimdOp, v: u128, lane: u8) -> u64 {
    use SimdOp as S;
    let l = lane as usize;
    match op {
        S::I8x16ExtractLaneS => i8s(v)[l] as i32 as u32 as u64,
        S::I8x16ExtractLaneU => u8s(v)[l] as u64,
        S::I16x8ExtractLaneS => i16s(v)[l] as i32 as u32 as u64,
        S::I16x8ExtractLaneU => u16s(v)[l] as u64,
        S::I32x4ExtractLane | S::F32x4ExtractLane => u32s(v)[l] as u64,
        S::I64x2ExtractLane | S::F64x2ExtractLane => u64s(v)[l],
        _ => unreachable!("{op:?} is not an extract_lane"),
    }
}

/// `replace_lane` with the scalar `x` (slot encoding).
pub(super) fn replace(op: SimdOp, v: u128, lane: u8, x: u64) -> u128 {
    use SimdOp as S;
    let l = lane as usize;
    match op {
        S::I8x16ReplaceLane => {
            let mut a = u8s(v);
            a[l] = x as u8;
            from_u8s(a)
        }
        S::I16x8ReplaceLane => {
            let mut a = u16s(v);
            a[l] = x as u16;
            from_u16s(a)
        }
        S::I32x4ReplaceLane | S::F32x4ReplaceLane => {
            let mut a = u32s(v);
            a[l] = x as u32;
            from_u32s(a)
        }
        S::I64x2ReplaceLane | S::F64x2ReplaceLane => {
            let mut a = u64s(v);
            a[l] = x;
            from_u64s(a)
        }
        _ => unreachable!("{op:?} is not a replace_lane"),
    }
}

/// Shifts by `n` modulo the lane width.
pub(super) fn shift(op: SimdOp, v: u128, n: u32) -> u128 {
    use SimdOp as S;
    match op {
        S::I8x16Shl => map!(u8s, from_u8s, v, |x| x.wrapping_shl(n)),
        S::I8x16ShrS => map!(i8s, from_i8s, v, |x| x.wrapping_shr(n)),
        S::I8x16ShrU => map!(u8s, from_u8s, v, |x| x.wrapping_shr(n)),
        S::I16x8Shl => map!(u16s, from_u16s, v, |x| x.wrapping_shl(n)),
        S::I16x8ShrS => map!(i16s, from_i16s, v, |x| x.wrapping_shr(n)),
        S::I16x8ShrU => map!(u16s, from_u16s, v, |x| x.wrapping_shr(n)),
        S::I32x4Shl => map!(u32s, from_u32s, v, |x| x.wrapping_shl(n)),
        S::I32x4ShrS => map!(i32s, from_i32s, v, |x| x.wrapping_shr(n)),
        S::I32x4ShrU => map!(u32s, from_u32s, v, |x| x.wrapping_shr(n)),
        S::I64x2Shl => map!(u64s, from_u64s, v, |x| x.wrapping_shl(n)),
        S::I64x2ShrS => map!(i64s, from_i64s, v, |x| x.wrapping_shr(n)),
        S::I64x2ShrU => map!(u64s, from_u64s, v, |x| x.wrapping_shr(n)),
        _ => unreachable!("{op:?} is not a shift"),
    }
}

/// `v128.bitselect`: bits of `a` where `c` is 1, of `b` where it is 0.
pub(super) fn bitselect(a: u128, b: u128, c: u128) -> u128 {
    (a & c) | (b & !c)
}

/// `i8x16.shuffle`: lane `i` is lane `mask[i]` of the 32 lanes of `a`
/// then `b` (validation keeps every index below 32).
pub(super) fn shuffle(a: u128, b: u128, mask: u128) -> u128 {
    let (a, b, m) = (u8s(a), u8s(b), u8s(mask));
    from_u8s(core::array::from_fn(|i| {
        let k = m[i] as usize & 31;
        if k < 16 { a[k] } else { b[k - 16] }
    }))
}

/// `i8x16.swizzle`: lane `i` is lane `s[i]` of `a`, 0 when out of range.
pub(super) fn swizzle(a: u128, s: u128) -> u128 {
    let (a, s) = (u8s(a), u8s(s));
    from_u8s(core::array::from_fn(|i| {
        a.get(s[i] as usize).copied().unwrap_or(0)
    }))
}

/// The low or high half of the lanes, widened.
macro_rules! extend {
    ($split:ident, $join:ident, $wide:ty, $v:expr, $high:expr) => {{
        let a = $split($v);
        let h = if $high { a.len() / 2 } else { 0 };
        $join(core::array::from_fn(|i| a[h + i] as $wide))
    }};
}

/// Sums of adjacent lane pairs, widened.
macro_rules! pairwise {
    ($split:ident, $join:ident, $wide:ty, $v:expr) => {{
        let a = $split($v);
        $join(core::array::from_fn(|i| {
            (a[2 * i] as $wide).wrapping_add(a[2 * i + 1] as $wide)
        }))
    }};
}

/// Products of the low or high halves' lanes, widened.
macro_rules! extmul {
    ($split:ident, $join:ident, $wide:ty, $a:expr, $b:expr, $high:expr) => {{
        let (a, b) = ($split($a), $split($b));
        let h = if $high { a.len() / 2 } else { 0 };
        $join(core::array::from_fn(|i| {
            (a[h + i] as $wide).wrapping_mul(b[h + i] as $wide)
        }))
    }};
}

/// Lanes of `a` then `b`, each saturated to the narrower type.
macro_rules! narrow {
    ($split:ident, $join:ident, $lo:expr, $hi:expr, $t:ty, $a:expr, $b:expr) => {{
        let (a, b) = ($split($a), $split($b));
        let n = a.len();
        $join(core::array::from_fn(|i| {
            let x = if i < n { a[i] } else { b[i - n] };
            x.clamp($lo, $hi) as $t
        }))
    }};
}

/// Integer and bitwise v128 → v128 operations (`None` for others).
pub(super) fn unary(op: SimdOp, v: u128) -> Option<u128> {
    use SimdOp as S;
    Some(match op {
        S::V128Not => !v,
        S::I8x16Abs => map!(i8s, from_i8s, v, |x| x.wrapping_abs()),
        S::I8x16Neg => map!(i8s, from_i8s, v, |x| x.wrapping_neg()),
        S::I8x16Popcnt => map!(u8s, from_u8s, v, |x| x.count_ones() as u8),
        S::I16x8Abs => map!(i16s, from_i16s, v, |x| x.wrapping_abs()),
        S::I16x8Neg => map!(i16s, from_i16s, v, |x| x.wrapping_neg()),
        S::I32x4Abs => map!(i32s, from_i32s, v, |x| x.wrapping_abs()),
        S::I32x4Neg => map!(i32s, from_i32s, v, |x| x.wrapping_neg()),
        S::I64x2Abs => map!(i64s, from_i64s, v, |x| x.wrapping_abs()),
        S::I64x2Neg => map!(i64s, from_i64s, v, |x| x.wrapping_neg()),
        S::I16x8ExtAddPairwiseI8x16S => pairwise!(i8s, from_i16s, i16, v),
        S::I16x8ExtAddPairwiseI8x16U => pairwise!(u8s, from_u16s, u16, v),
        S::I32x4ExtAddPairwiseI16x8S => pairwise!(i16s, from_i32s, i32, v),
        S::I32x4ExtAddPairwiseI16x8U => pairwise!(u16s, from_u32s, u32, v),
        S::I16x8ExtendLowI8x16S => extend!(i8s, from_i16s, i16, v, false),
        S::I16x8ExtendHighI8x16S => extend!(i8s, from_i16s, i16, v, true),
        S::I16x8ExtendLowI8x16U => extend!(u8s, from_u16s, u16, v, false),
        S::I16x8ExtendHighI8x16U => extend!(u8s, from_u16s, u16, v, true),
        S::I32x4ExtendLowI16x8S => extend!(i16s, from_i32s, i32, v, false),
        S::I32x4ExtendHighI16x8S => extend!(i16s, from_i32s, i32, v, true),
        S::I32x4ExtendLowI16x8U => extend!(u16s, from_u32s, u32, v, false),
        S::I32x4ExtendHighI16x8U => extend!(u16s, from_u32s, u32, v, true),
        S::I64x2ExtendLowI32x4S => extend!(i32s, from_i64s, i64, v, false),
        S::I64x2ExtendHighI32x4S => extend!(i32s, from_i64s, i64, v, true),
        S::I64x2ExtendLowI32x4U => extend!(u32s, from_u64s, u64, v, false),
        S::I64x2ExtendHighI32x4U => extend!(u32s, from_u64s, u64, v, true),
        _ => return None,
    })
}

/// `i16x8.q15mulr_sat_s` of two lanes.
pub(super) fn q15mulr(x: i16, y: i16) -> i16 {
    (((x as i32) * (y as i32) + 0x4000) >> 15).clamp(i16::MIN as i32, i16::MAX as i32) as i16
}

/// Integer and bitwise v128, v128 → v128 operations (`None` for others).
pub(super) fn binary(op: SimdOp, a: u128, b: u128) -> Option<u128> {
    use SimdOp as S;
    Some(match op {
        S::V128And => a & b,
        S::V128AndNot => a & !b,
        S::V128Or => a | b,
        S::V128Xor => a ^ b,
        S::I8x16Swizzle => swizzle(a, b),

        S::I8x16Eq => zip!(u8s, from_u8s, a, b, |x, y| mask!(x == y)),
        S::I8x16Ne => zip!(u8s, from_u8s, a, b, |x, y| mask!(x != y)),
        S::I8x16LtS => zip!(i8s, from_i8s, a, b, |x, y| mask!(x < y)),
        S::I8x16LtU => zip!(u8s, from_u8s, a, b, |x, y| mask!(x < y)),
        S::I8x16GtS => zip!(i8s, from_i8s, a, b, |x, y| mask!(x > y)),
        S::I8x16GtU => zip!(u8s, from_u8s, a, b, |x, y| mask!(x > y)),
        S::I8x16LeS => zip!(i8s, from_i8s, a, b, |x, y| mask!(x <= y)),
        S::I8x16LeU => zip!(u8s, from_u8s, a, b, |x, y| mask!(x <= y)),
        S::I8x16GeS => zip!(i8s, from_i8s, a, b, |x, y| mask!(x >= y)),
        S::I8x16GeU => zip!(u8s, from_u8s, a, b, |x, y| mask!(x >= y)),
        S::I16x8Eq => zip!(u16s, from_u16s, a, b, |x, y| mask!(x == y)),
        S::I16x8Ne => zip!(u16s, from_u16s, a, b, |x, y| mask!(x != y)),
        S::I16x8LtS => zip!(i16s, from_i16s, a, b, |x, y| mask!(x < y)),
        S::I16x8LtU => zip!(u16s, from_u16s, a, b, |x, y| mask!(x < y)),
        S::I16x8GtS => zip!(i16s, from_i16s, a, b, |x, y| mask!(x > y)),
        S::I16x8GtU => zip!(u16s, from_u16s, a, b, |x, y| mask!(x > y)),
        S::I16x8LeS => zip!(i16s, from_i16s, a, b, |x, y| mask!(x <= y)),
        S::I16x8LeU => zip!(u16s, from_u16s, a, b, |x, y| mask!(x <= y)),
        S::I16x8GeS => zip!(i16s, from_i16s, a, b, |x, y| mask!(x >= y)),
        S::I16x8GeU => zip!(u16s, from_u16s, a, b, |x, y| mask!(x >= y)),
        S::I32x4Eq => zip!(u32s, from_u32s, a, b, |x, y| mask!(x == y)),
        S::I32x4Ne => zip!(u32s, from_u32s, a, b, |x, y| mask!(x != y)),
        S::I32x4LtS => zip!(i32s, from_i32s, a, b, |x, y| mask!(x < y)),
        S::I32x4LtU => zip!(u32s, from_u32s, a, b, |x, y| mask!(x < y)),
        S::I32x4GtS => zip!(i32s, from_i32s, a, b, |x, y| mask!(x > y)),
        S::I32x4GtU => zip!(u32s, from_u32s, a, b, |x, y| mask!(x > y)),
        S::I32x4LeS => zip!(i32s, from_i32s, a, b, |x, y| mask!(x <= y)),
        S::I32x4LeU => zip!(u32s, from_u32s, a, b, |x, y| mask!(x <= y)),
        S::I32x4GeS => zip!(i32s, from_i32s, a, b, |x, y| mask!(x >= y)),
        S::I32x4GeU => zip!(u32s, from_u32s, a, b, |x, y| mask!(x >= y)),
        S::I64x2Eq => zip!(u64s, from_u64s, a, b, |x, y| mask!(x == y)),
        S::I64x2Ne => zip!(u64s, from_u64s, a, b, |x, y| mask!(x != y)),
        S::I64x2LtS => zip!(i64s, from_i64s, a, b, |x, y| mask!(x < y)),
        S::I64x2GtS => zip!(i64s, from_i64s, a, b, |x, y| mask!(x > y)),
        S::I64x2LeS => zip!(i64s, from_i64s, a, b, |x, y| mask!(x <= y)),
        S::I64x2GeS => zip!(i64s, from_i64s, a, b, |x, y| mask!(x >= y)),

        S::I8x16NarrowI16x8S => narrow!(i16s, from_i8s, -128, 127, i8, a, b),
        S::I8x16NarrowI16x8U => narrow!(i16s, from_u8s, 0, 255, u8, a, b),
        S::I16x8NarrowI32x4S => narrow!(i32s, from_i16s, -32768, 32767, i16, a, b),
        S::I16x8NarrowI32x4U => narrow!(i32s, from_u16s, 0, 65535, u16, a, b),

        S::I8x16Add => zip!(u8s, from_u8s, a, b, |x, y| x.wrapping_add(y)),
        S::I8x16AddSatS => zip!(i8s, from_i8s, a, b, |x, y| x.saturating_add(y)),
        S::I8x16AddSatU => zip!(u8s, from_u8s, a, b, |x, y| x.saturating_add(y)),
        S::I8x16Sub => zip!(u8s, from_u8s, a, b, |x, y| x.wrapping_sub(y)),
        S::I8x16SubSatS => zip!(i8s, from_i8s, a, b, |x, y| x.saturating_sub(y)),
        S::I8x16SubSatU => zip!(u8s, from_u8s, a, b, |x, y| x.saturating_sub(y)),
        S::I8x16MinS => zip!(i8s, from_i8s, a, b, |x, y| x.min(y)),
        S::I8x16MinU => zip!(u8s, from_u8s, a, b, |x, y| x.min(y)),
        S::I8x16MaxS => zip!(i8s, from_i8s, a, b, |x, y| x.max(y)),
        S::I8x16MaxU => zip!(u8s, from_u8s, a, b, |x, y| x.max(y)),
        S::I8x16AvgrU => zip!(u8s, from_u8s, a, b, |x, y| ((x as u16 + y as u16 + 1) >> 1)
            as u8),
        S::I16x8Add => zip!(u16s, from_u16s, a, b, |x, y| x.wrapping_add(y)),
        S::I16x8AddSatS => zip!(i16s, from_i16s, a, b, |x, y| x.saturating_add(y)),
        S::I16x8AddSatU => zip!(u16s, from_u16s, a, b, |x, y| x.saturating_add(y)),
        S::I16x8Sub => zip!(u16s, from_u16s, a, b, |x, y| x.wrapping_sub(y)),
        S::I16x8SubSatS => zip!(i16s, from_i16s, a, b, |x, y| x.saturating_sub(y)),
        S::I16x8SubSatU => zip!(u16s, from_u16s, a, b, |x, y| x.saturating_sub(y)),
        S::I16x8Mul => zip!(u16s, from_u16s, a, b, |x, y| x.wrapping_mul(y)),
        S::I16x8MinS => zip!(i16s, from_i16s, a, b, |x, y| x.min(y)),
        S::I16x8MinU => zip!(u16s, from_u16s, a, b, |x, y| x.min(y)),
        S::I16x8MaxS => zip!(i16s, from_i16s, a, b, |x, y| x.max(y)),
        S::I16x8MaxU => zip!(u16s, from_u16s, a, b, |x, y| x.max(y)),
        S::I16x8AvgrU => zip!(
            u16s,
            from_u16s,
            a,
            b,
            |x, y| ((x as u32 + y as u32 + 1) >> 1) as u16
        ),
        S::I16x8Q15MulrSatS => zip!(i16s, from_i16s, a, b, |x, y| q15mulr(x, y)),
        S::I16x8ExtMulLowI8x16S => extmul!(i8s, from_i16s, i16, a, b, false),
        S::I16x8ExtMulHighI8x16S => extmul!(i8s, from_i16s, i16, a, b, true),
        S::I16x8ExtMulLowI8x16U => extmul!(u8s, from_u16s, u16, a, b, false),
        S::I16x8ExtMulHighI8x16U => extmul!(u8s, from_u16s, u16, a, b, true),
        S::I32x4Add => zip!(u32s, from_u32s, a, b, |x, y| x.wrapping_add(y)),
        S::I32x4Sub => zip!(u32s, from_u32s, a, b, |x, y| x.wrapping_sub(y)),
        S::I32x4Mul => zip!(u32s, from_u32s, a, b, |x, y| x.wrapping_mul(y)),
        S::I32x4MinS => zip!(i32s, from_i32s, a, b, |x, y| x.min(y)),
        S::I32x4MinU => zip!(u32s, from_u32s, a, b, |x, y| x.min(y)),
        S::I32x4MaxS => zip!(i32s, from_i32s, a, b, |x, y| x.max(y)),
        S::I32x4MaxU => zip!(u32s, from_u32s, a, b, |x, y| x.max(y)),
        S::I32x4DotI16x8S => {
            let (x, y) = (i16s(a), i16s(b));
            from_i32s(core::array::from_fn(|i| {
                (x[2 * i] as i32 * y[2 * i] as i32)
                    .wrapping_add(x[2 * i + 1] as i32 * y[2 * i + 1] as i32)
            }))
        }
        S::I32x4ExtMulLowI16x8S => extmul!(i16s, from_i32s, i32, a, b, false),
        S::I32x4ExtMulHighI16x8S => extmul!(i16s, from_i32s, i32, a, b, true),
        S::I32x4ExtMulLowI16x8U => extmul!(u16s, from_u32s, u32, a, b, false),
        S::I32x4ExtMulHighI16x8U => extmul!(u16s, from_u32s, u32, a, b, true),
        S::I64x2Add => zip!(u64s, from_u64s, a, b, |x, y| x.wrapping_add(y)),
        S::I64x2Sub => zip!(u64s, from_u64s, a, b, |x, y| x.wrapping_sub(y)),
        S::I64x2Mul => zip!(u64s, from_u64s, a, b, |x, y| x.wrapping_mul(y)),
        S::I64x2ExtMulLowI32x4S => extmul!(i32s, from_i64s, i64, a, b, false),
        S::I64x2ExtMulHighI32x4S => extmul!(i32s, from_i64s, i64, a, b, true),
        S::I64x2ExtMulLowI32x4U => extmul!(u32s, from_u64s, u64, a, b, false),
        S::I64x2ExtMulHighI32x4U => extmul!(u32s, from_u64s, u64, a, b, true),
        _ => return None,
    })
}

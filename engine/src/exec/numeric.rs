//! Numeric semantics that are more than one Rust operator: trapping float to
//! integer truncation, Wasm `min`/`max`, and NaN canonicalisation.

use crate::error::TrapKind;
#[cfg(not(feature = "std"))]
use crate::float::FloatMath;

macro_rules! trunc {
    ($name:ident, $float:ty, $int:ty, $out:ty, $lo:expr, $hi:expr) => {
        /// Trapping truncation: NaN is an invalid conversion, values outside
        /// the target range overflow.
        #[inline]
        pub(crate) fn $name(x: $float) -> Result<$out, TrapKind> {
            if x.is_nan() {
                return Err(TrapKind::InvalidConversionToInteger);
            }
            let t = x.trunc();
            if !($lo..$hi).contains(&t) {
                return Err(TrapKind::IntegerOverflow);
            }
            Ok(t as $int as $out)
        }
    };
}

trunc!(i32_trunc_f32_s, f32, i32, u32, -2147483648.0, 2147483648.0);
trunc!(i32_trunc_f32_u, f32, u32, u32, 0.0, 4294967296.0);
trunc!(i32_trunc_f64_s, f64, i32, u32, -2147483648.0, 2147483648.0);
trunc!(i32_trunc_f64_u, f64, u32, u32, 0.0, 4294967296.0);
trunc!(
    i64_trunc_f32_s,
    f32,
    i64,
    u64,
    -9223372036854775808.0,
    9223372036854775808.0
);
trunc!(i64_trunc_f32_u, f32, u64, u64, 0.0, 18446744073709551616.0);
trunc!(
    i64_trunc_f64_s,
    f64,
    i64,
    u64,
    -9223372036854775808.0,
    9223372036854775808.0
);
trunc!(i64_trunc_f64_u, f64, u64, u64, 0.0, 18446744073709551616.0);

macro_rules! minmax {
    ($min:ident, $max:ident, $float:ty) => {
        /// Wasm `min`: NaN if either operand is NaN; -0 is less than +0.
        #[inline]
        pub(crate) fn $min(a: $float, b: $float) -> $float {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$float>::from_bits(a.to_bits() | b.to_bits())
            } else if a < b {
                a
            } else {
                b
            }
        }

        /// Wasm `max`: NaN if either operand is NaN; +0 is greater than -0.
        #[inline]
        pub(crate) fn $max(a: $float, b: $float) -> $float {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$float>::from_bits(a.to_bits() & b.to_bits())
            } else if a > b {
                a
            } else {
                b
            }
        }
    };
}

minmax!(f32_min, f32_max, f32);
minmax!(f64_min, f64_max, f64);

/// Rounding functions (`ceil`, `floor`, `trunc`, `nearest`) must return a
/// quiet NaN for NaN input; libm keeps a signalling NaN as it is.
#[inline]
pub(crate) fn quiet32(x: f32) -> f32 {
    if x.is_nan() {
        f32::from_bits(x.to_bits() | 0x0040_0000)
    } else {
        x
    }
}

/// The f64 counterpart of [`quiet32`].
#[inline]
pub(crate) fn quiet64(x: f64) -> f64 {
    if x.is_nan() {
        f64::from_bits(x.to_bits() | 0x0008_0000_0000_0000)
    } else {
        x
    }
}

/// The canonical f32 NaN.
pub(crate) const CANON_NAN32: u32 = 0x7fc0_0000;
/// The canonical f64 NaN.
pub(crate) const CANON_NAN64: u64 = 0x7ff8_0000_0000_0000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_boundaries() {
        assert_eq!(i32_trunc_f32_s(-2147483648.0), Ok(i32::MIN as u32));
        assert_eq!(
            i32_trunc_f32_s(2147483648.0),
            Err(TrapKind::IntegerOverflow)
        );
        assert_eq!(i32_trunc_f32_u(-0.9), Ok(0));
        assert_eq!(i32_trunc_f32_u(-1.0), Err(TrapKind::IntegerOverflow));
        assert_eq!(i32_trunc_f64_s(2147483647.9), Ok(i32::MAX as u32));
        assert_eq!(
            i64_trunc_f64_u(f64::NAN),
            Err(TrapKind::InvalidConversionToInteger)
        );
    }

    #[test]
    fn min_max_of_zeros() {
        assert!(f32_min(0.0, -0.0).is_sign_negative());
        assert!(f32_max(-0.0, 0.0).is_sign_positive());
        assert!(f64_min(f64::NAN, 1.0).is_nan());
    }
}

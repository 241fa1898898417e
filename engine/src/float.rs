//! Float rounding and square root without std.
//!
//! `core` has no `trunc`, `floor`, `ceil`, `round_ties_even` or `sqrt` for
//! `f32`/`f64` (std gets them from the platform's libm or the CPU). Without
//! the `std` feature the engine uses these bit-level implementations
//! instead, through the [`FloatMath`] trait, whose methods have std's names
//! so the interpreter's code is the same either way (with std the inherent
//! methods win and this module is not built, except for its tests).
//!
//! All results are exact as IEEE 754 requires (rounding functions are
//! exact by nature; the square root is correctly rounded to nearest, ties
//! to even), `-0.0` and infinities are kept, and a NaN input comes back
//! with its payload and the quiet bit set, as x86 and ARM instructions do.
//! The std tests compare every function with std's over millions of inputs.

/// One float format's parameters, and its bit pattern as a `u64`.
trait Format: Copy {
    /// Explicitly stored mantissa bits (23 or 52).
    const MANT: u32;
    /// Exponent field bits (8 or 11).
    const EXP: u32;
    fn to_u64(self) -> u64;
    fn from_u64(bits: u64) -> Self;
}

impl Format for f32 {
    const MANT: u32 = 23;
    const EXP: u32 = 8;
    fn to_u64(self) -> u64 {
        u64::from(self.to_bits())
    }
    fn from_u64(bits: u64) -> Self {
        f32::from_bits(bits as u32)
    }
}

impl Format for f64 {
    const MANT: u32 = 52;
    const EXP: u32 = 11;
    fn to_u64(self) -> u64 {
        self.to_bits()
    }
    fn from_u64(bits: u64) -> Self {
        f64::from_bits(bits)
    }
}

/// How a rounding function treats the fraction it drops.
#[derive(Clone, Copy)]
enum Round {
    /// Toward zero.
    Trunc,
    /// Toward negative infinity.
    Floor,
    /// Toward positive infinity.
    Ceil,
    /// To nearest, ties to even.
    Nearest,
}

fn sign_bit<F: Format>() -> u64 {
    1 << (F::MANT + F::EXP)
}

fn exp_max<F: Format>() -> u64 {
    (1 << F::EXP) - 1
}

fn bias<F: Format>() -> i32 {
    (1 << (F::EXP - 1)) - 1
}

fn quiet_bit<F: Format>() -> u64 {
    1 << (F::MANT - 1)
}

/// The bit pattern of 1.0.
fn one<F: Format>() -> u64 {
    (bias::<F>() as u64) << F::MANT
}

/// Rounds `x` to an integer in the given direction.
fn round<F: Format>(x: F, mode: Round) -> F {
    let bits = x.to_u64();
    let sign = bits & sign_bit::<F>();
    let mag = bits & !sign;
    let exp_field = mag >> F::MANT;
    if exp_field == exp_max::<F>() {
        // Infinity stays; a NaN comes back quiet.
        return if mag & ((1 << F::MANT) - 1) != 0 {
            F::from_u64(bits | quiet_bit::<F>())
        } else {
            x
        };
    }
    // The unbiased exponent: |x| is in [2^e, 2^(e+1)).
    let e = exp_field as i32 - bias::<F>();
    if e >= F::MANT as i32 {
        // No fraction bits left: already an integer.
        return x;
    }
    if e < 0 {
        // |x| < 1: the result is 0 or 1 with x's sign.
        if mag == 0 {
            return x;
        }
        let away = match mode {
            Round::Trunc => false,
            Round::Floor => sign != 0,
            Round::Ceil => sign == 0,
            // Above one half (e == -1 with a nonzero mantissa) rounds to 1;
            // exactly one half ties to the even 0.
            Round::Nearest => e == -1 && mag & ((1 << F::MANT) - 1) != 0,
        };
        return F::from_u64(sign | if away { one::<F>() } else { 0 });
    }
    // 0 <= e < MANT: the low MANT - e bits are the fraction.
    let frac_mask = ((1u64 << F::MANT) - 1) >> e;
    let frac = mag & frac_mask;
    if frac == 0 {
        return x;
    }
    let unit = frac_mask + 1; // one integer step at this exponent
    let half = unit >> 1;
    let away = match mode {
        Round::Trunc => false,
        Round::Floor => sign != 0,
        Round::Ceil => sign == 0,
        Round::Nearest => frac > half || (frac == half && mag & unit != 0),
    };
    // Adding a unit may carry into the exponent field, which is exactly the
    // next power of two: the encoding is monotonic in the magnitude.
    let mag = (mag & !frac_mask) + if away { unit } else { 0 };
    F::from_u64(sign | mag)
}

/// The integer square root of `n` and whether it was inexact.
fn isqrt(n: u128) -> (u128, bool) {
    let mut rem = n;
    let mut root = 0u128;
    // The highest power of four not above n.
    let mut bit = if n == 0 {
        0
    } else {
        1u128 << ((127 - n.leading_zeros()) & !1)
    };
    while bit != 0 {
        if rem >= root + bit {
            rem -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    (root, rem != 0)
}

/// The correctly rounded square root (to nearest, ties to even).
fn sqrt<F: Format>(x: F) -> F {
    let bits = x.to_u64();
    let sign = bits & sign_bit::<F>();
    let mag = bits & !sign;
    let exp_field = mag >> F::MANT;
    let mant_field = mag & ((1 << F::MANT) - 1);
    if exp_field == exp_max::<F>() && mant_field != 0 {
        return F::from_u64(bits | quiet_bit::<F>());
    }
    if mag == 0 {
        return x; // sqrt(±0) = ±0
    }
    if sign != 0 {
        // The canonical quiet NaN.
        return F::from_u64((exp_max::<F>() << F::MANT) | quiet_bit::<F>());
    }
    if exp_field == exp_max::<F>() {
        return x; // +inf
    }
    // x = m * 2^e with m an integer of precision P = MANT + 1 bits.
    let p = F::MANT as i32 + 1;
    let (mut m, mut e) = if exp_field == 0 {
        // Subnormal: normalise so the leading one sits at bit P - 1.
        let shift = mant_field.leading_zeros() as i32 - (64 - p);
        (mant_field << shift, 1 - bias::<F>() - (p - 1) - shift)
    } else {
        (
            mant_field | (1 << F::MANT),
            exp_field as i32 - bias::<F>() - (p - 1),
        )
    };
    // sqrt(m * 2^e) = sqrt(m * 2^s) * 2^((e - s) / 2) with s = P + 1, which
    // needs e - s even: double m if not. Then m is in [2^(P-1), 2^(P+1)),
    // M = m * 2^s in [2^2P, 2^(2P+2)), and its root q in [2^P, 2^(P+1)):
    // P bits of result and one rounding bit.
    let s = p + 1;
    if (e - s) & 1 != 0 {
        m <<= 1;
        e -= 1;
    }
    let (q, inexact) = isqrt(u128::from(m) << s);
    let round_bit = q & 1;
    let mut mant = (q >> 1) as u64;
    let mut exp = (e - s) / 2 + 1; // value = mant * 2^exp
    if round_bit != 0 && (inexact || mant & 1 != 0) {
        mant += 1;
        if mant == 1 << p {
            mant >>= 1;
            exp += 1;
        }
    }
    // A square root of a finite positive float is always a normal float.
    let biased = (exp + (p - 1) + bias::<F>()) as u64;
    F::from_u64((biased << F::MANT) | (mant & ((1 << F::MANT) - 1)))
}

/// std's rounding and square-root methods, for `f32` and `f64` without std.
#[cfg(not(feature = "std"))]
pub(crate) trait FloatMath: Sized {
    /// Rounds toward zero.
    fn trunc(self) -> Self;
    /// Rounds toward negative infinity.
    fn floor(self) -> Self;
    /// Rounds toward positive infinity.
    fn ceil(self) -> Self;
    /// Rounds to nearest, ties to even.
    fn round_ties_even(self) -> Self;
    /// The correctly rounded square root.
    fn sqrt(self) -> Self;
}

macro_rules! float_math {
    ($t:ty) => {
        #[cfg(not(feature = "std"))]
        impl FloatMath for $t {
            fn trunc(self) -> Self {
                round(self, Round::Trunc)
            }
            fn floor(self) -> Self {
                round(self, Round::Floor)
            }
            fn ceil(self) -> Self {
                round(self, Round::Ceil)
            }
            fn round_ties_even(self) -> Self {
                round(self, Round::Nearest)
            }
            fn sqrt(self) -> Self {
                sqrt(self)
            }
        }
    };
}

float_math!(f32);
float_math!(f64);

#[cfg(all(test, feature = "std"))]
mod tests {
    extern crate std;
    use super::*;
    use crate::prelude::*;

    /// xorshift64*: reproducible pseudo-random bit patterns.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    /// Bit patterns worth testing: specials, subnormals, integers and
    /// halves around every exponent where rounding changes, and random
    /// patterns (uniform over all bits, and with exponents near 0).
    fn inputs<F: Format>(random: usize) -> Vec<u64> {
        let sign = sign_bit::<F>();
        let mant_mask = (1u64 << F::MANT) - 1;
        let inf = exp_max::<F>() << F::MANT;
        let mut v = vec![
            0,
            1,
            2,
            3,
            mant_mask,
            mant_mask - 1,
            1 << F::MANT,
            inf,
            inf - 1,
            inf | 1,
            inf | quiet_bit::<F>(),
            inf | quiet_bit::<F>() | 5,
            inf | mant_mask,
        ];
        for e in 0..(F::MANT as i32 + 3) {
            // around 2^e and 2^e + 1/2, +-1 ulp
            let b = ((bias::<F>() + e) as u64) << F::MANT;
            for d in [0, 1, 2, mant_mask >> 1, (mant_mask >> 1) + 1, mant_mask] {
                v.extend([b + d, b + d.saturating_sub(1), b | (d & mant_mask)]);
            }
        }
        for k in 1..=64u32 {
            // every half-integer and integer up to 32
            let f = f64::from(k) / 2.0;
            v.push(if F::MANT == 52 {
                f.to_bits()
            } else {
                u64::from((f as f32).to_bits())
            });
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ u64::from(F::MANT));
        let width = 1 + F::MANT + F::EXP;
        let all = if width == 64 {
            u64::MAX
        } else {
            (1 << width) - 1
        };
        for i in 0..random {
            let r = rng.next();
            v.push(match i % 3 {
                0 => r & all,
                1 => {
                    // exponents within [-4, MANT + 4) of 0
                    let e = (r >> 40) % (u64::from(F::MANT) + 8);
                    let exp = (bias::<F>() as u64 + e).saturating_sub(4);
                    (exp << F::MANT) | (r & mant_mask)
                }
                _ => r & mant_mask, // subnormals
            });
        }
        let n = v.len();
        for i in 0..n {
            v.push(v[i] ^ sign);
        }
        v
    }

    /// Same bits, or both NaN with the quiet bit set; and a NaN input comes
    /// back with its payload, quieted.
    fn check<F: Format + core::fmt::Debug>(name: &str, input: u64, ours: F, std: F) {
        let (o, s) = (ours.to_u64(), std.to_u64());
        let inf = exp_max::<F>() << F::MANT;
        let mag = !sign_bit::<F>() & ((sign_bit::<F>() << 1).wrapping_sub(1));
        let is_nan = |b: u64| b & mag > inf;
        if is_nan(s) {
            assert!(
                is_nan(o) && o & quiet_bit::<F>() != 0,
                "{name}({input:#x}): ours {o:#x}, std {s:#x}"
            );
            if is_nan(input) {
                assert_eq!(o, input | quiet_bit::<F>(), "{name}({input:#x})");
            }
        } else {
            assert_eq!(o, s, "{name}({input:#x}): ours {o:#x}, std {s:#x}");
        }
    }

    #[test]
    fn f32_matches_std() {
        for b in inputs::<f32>(3_000_000) {
            let x = f32::from_u64(b);
            check("trunc", b, round(x, Round::Trunc), x.trunc());
            check("floor", b, round(x, Round::Floor), x.floor());
            check("ceil", b, round(x, Round::Ceil), x.ceil());
            check("nearest", b, round(x, Round::Nearest), x.round_ties_even());
            check("sqrt", b, sqrt(x), x.sqrt());
        }
    }

    #[test]
    fn f64_matches_std() {
        for b in inputs::<f64>(3_000_000) {
            let x = f64::from_u64(b);
            check("trunc", b, round(x, Round::Trunc), x.trunc());
            check("floor", b, round(x, Round::Floor), x.floor());
            check("ceil", b, round(x, Round::Ceil), x.ceil());
            check("nearest", b, round(x, Round::Nearest), x.round_ties_even());
            check("sqrt", b, sqrt(x), x.sqrt());
        }
    }

    #[test]
    fn f32_sqrt_of_squares_and_every_exponent() {
        // Exact squares come back exactly; sqrt of every power of two and of
        // its neighbours matches std (covers both exponent parities).
        for i in 1..=4096u32 {
            let f = i as f32;
            assert_eq!(sqrt(f * f), f);
        }
        for e in 0..255u64 {
            for d in [0u64, 1, 0x7f_ffff] {
                let b = (e << 23) | d;
                let x = f32::from_u64(b);
                check("sqrt", b, sqrt(x), x.sqrt());
            }
        }
    }
}

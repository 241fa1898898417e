//! The operation codes of the SIMD instructions ([`super::Instr::Simd1`],
//! [`super::Instr::Simd2`], [`super::Instr::SimdBase`],
//! [`super::Instr::SimdMem`]): one per `v128` operator of the SIMD and
//! relaxed SIMD proposals, named as wasmparser names the operator, plus a
//! few internal ones. Their semantics are in `exec/simd`.

/// Calls `$m!` with every SIMD operator, grouped by the shape of its
/// operands (which decides how the translator lays them out):
///
/// - `unary`: v128 → v128; `test`: v128 → i32; `splat`: scalar → v128;
/// - `binary`: v128, v128 → v128; `shift`: v128, i32 → v128;
/// - `ternary`: v128, v128, v128 → v128;
/// - `extract`: v128 → scalar, and `replace`: v128, scalar → v128, both
///   with a lane immediate;
/// - `load`: address → v128; `load_lane`: address, v128 → v128 (lane);
///   `store_lane`: address, v128 → (lane).
macro_rules! for_each_simd_op {
    ($m:ident) => {
        $m! {
            unary [
                V128Not I8x16Abs I8x16Neg I8x16Popcnt
                I16x8ExtAddPairwiseI8x16S I16x8ExtAddPairwiseI8x16U I16x8Abs I16x8Neg
                I16x8ExtendLowI8x16S I16x8ExtendHighI8x16S I16x8ExtendLowI8x16U I16x8ExtendHighI8x16U
                I32x4ExtAddPairwiseI16x8S I32x4ExtAddPairwiseI16x8U I32x4Abs I32x4Neg
                I32x4ExtendLowI16x8S I32x4ExtendHighI16x8S I32x4ExtendLowI16x8U I32x4ExtendHighI16x8U
                I64x2Abs I64x2Neg
                I64x2ExtendLowI32x4S I64x2ExtendHighI32x4S I64x2ExtendLowI32x4U I64x2ExtendHighI32x4U
                F32x4Ceil F32x4Floor F32x4Trunc F32x4Nearest F32x4Abs F32x4Neg F32x4Sqrt
                F64x2Ceil F64x2Floor F64x2Trunc F64x2Nearest F64x2Abs F64x2Neg F64x2Sqrt
                I32x4TruncSatF32x4S I32x4TruncSatF32x4U F32x4ConvertI32x4S F32x4ConvertI32x4U
                I32x4TruncSatF64x2SZero I32x4TruncSatF64x2UZero
                F64x2ConvertLowI32x4S F64x2ConvertLowI32x4U
                F32x4DemoteF64x2Zero F64x2PromoteLowF32x4
                I32x4RelaxedTruncF32x4S I32x4RelaxedTruncF32x4U
                I32x4RelaxedTruncF64x2SZero I32x4RelaxedTruncF64x2UZero
            ]
            test [
                V128AnyTrue I8x16AllTrue I8x16Bitmask I16x8AllTrue I16x8Bitmask
                I32x4AllTrue I32x4Bitmask I64x2AllTrue I64x2Bitmask
            ]
            splat [I8x16Splat I16x8Splat I32x4Splat I64x2Splat F32x4Splat F64x2Splat]
            binary [
                I8x16Swizzle
                I8x16Eq I8x16Ne I8x16LtS I8x16LtU I8x16GtS I8x16GtU I8x16LeS I8x16LeU I8x16GeS I8x16GeU
                I16x8Eq I16x8Ne I16x8LtS I16x8LtU I16x8GtS I16x8GtU I16x8LeS I16x8LeU I16x8GeS I16x8GeU
                I32x4Eq I32x4Ne I32x4LtS I32x4LtU I32x4GtS I32x4GtU I32x4LeS I32x4LeU I32x4GeS I32x4GeU
                I64x2Eq I64x2Ne I64x2LtS I64x2GtS I64x2LeS I64x2GeS
                F32x4Eq F32x4Ne F32x4Lt F32x4Gt F32x4Le F32x4Ge
                F64x2Eq F64x2Ne F64x2Lt F64x2Gt F64x2Le F64x2Ge
                V128And V128AndNot V128Or V128Xor
                I8x16NarrowI16x8S I8x16NarrowI16x8U
                I8x16Add I8x16AddSatS I8x16AddSatU I8x16Sub I8x16SubSatS I8x16SubSatU
                I8x16MinS I8x16MinU I8x16MaxS I8x16MaxU I8x16AvgrU
                I16x8Q15MulrSatS I16x8NarrowI32x4S I16x8NarrowI32x4U
                I16x8Add I16x8AddSatS I16x8AddSatU I16x8Sub I16x8SubSatS I16x8SubSatU I16x8Mul
                I16x8MinS I16x8MinU I16x8MaxS I16x8MaxU I16x8AvgrU
                I16x8ExtMulLowI8x16S I16x8ExtMulHighI8x16S I16x8ExtMulLowI8x16U I16x8ExtMulHighI8x16U
                I32x4Add I32x4Sub I32x4Mul I32x4MinS I32x4MinU I32x4MaxS I32x4MaxU I32x4DotI16x8S
                I32x4ExtMulLowI16x8S I32x4ExtMulHighI16x8S I32x4ExtMulLowI16x8U I32x4ExtMulHighI16x8U
                I64x2Add I64x2Sub I64x2Mul
                I64x2ExtMulLowI32x4S I64x2ExtMulHighI32x4S I64x2ExtMulLowI32x4U I64x2ExtMulHighI32x4U
                F32x4Add F32x4Sub F32x4Mul F32x4Div F32x4Min F32x4Max F32x4PMin F32x4PMax
                F64x2Add F64x2Sub F64x2Mul F64x2Div F64x2Min F64x2Max F64x2PMin F64x2PMax
                I8x16RelaxedSwizzle F32x4RelaxedMin F32x4RelaxedMax F64x2RelaxedMin F64x2RelaxedMax
                I16x8RelaxedQ15mulrS I16x8RelaxedDotI8x16I7x16S
            ]
            shift [
                I8x16Shl I8x16ShrS I8x16ShrU I16x8Shl I16x8ShrS I16x8ShrU
                I32x4Shl I32x4ShrS I32x4ShrU I64x2Shl I64x2ShrS I64x2ShrU
            ]
            ternary [
                V128Bitselect F32x4RelaxedMadd F32x4RelaxedNmadd F64x2RelaxedMadd F64x2RelaxedNmadd
                I8x16RelaxedLaneselect I16x8RelaxedLaneselect I32x4RelaxedLaneselect
                I64x2RelaxedLaneselect I32x4RelaxedDotI8x16I7x16AddS
            ]
            extract [
                I8x16ExtractLaneS I8x16ExtractLaneU I16x8ExtractLaneS I16x8ExtractLaneU
                I32x4ExtractLane I64x2ExtractLane F32x4ExtractLane F64x2ExtractLane
            ]
            replace [
                I8x16ReplaceLane I16x8ReplaceLane I32x4ReplaceLane I64x2ReplaceLane
                F32x4ReplaceLane F64x2ReplaceLane
            ]
            load [
                V128Load V128Load8x8S V128Load8x8U V128Load16x4S V128Load16x4U
                V128Load32x2S V128Load32x2U V128Load8Splat V128Load16Splat V128Load32Splat
                V128Load64Splat V128Load32Zero V128Load64Zero
            ]
            load_lane [V128Load8Lane V128Load16Lane V128Load32Lane V128Load64Lane]
            store_lane [V128Store8Lane V128Store16Lane V128Store32Lane V128Store64Lane]
        }
    };
}
pub(crate) use for_each_simd_op;

macro_rules! define_simd_op {
    ($($group:ident [$($name:ident)*])*) => {
        /// A SIMD operation (see the module docs).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u16)]
        #[allow(missing_docs)]
        pub enum SimdOp {
            $($($name,)*)*
            /// `v128.store` (to any memory; memory 0's is [`super::Instr::V128Store`]).
            V128Store,
            /// `i8x16.shuffle`: operands a, b and the lane indexes as a third
            /// v128.
            I8x16Shuffle,
            /// `select` of two v128s: operands a, b and the i32 condition.
            SelectV128,
            /// Deterministic runs: replaces each NaN lane of an f32x4 with
            /// the canonical NaN (in place).
            CanonF32x4,
            /// As [`SimdOp::CanonF32x4`], for f64x2.
            CanonF64x2,
        }
    };
}
for_each_simd_op!(define_simd_op);

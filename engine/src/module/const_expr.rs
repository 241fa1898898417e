//! Constant expressions (global initialisers, segment offsets, element items),
//! decoded once and evaluated at instantiation.

use crate::error::Error;
use crate::prelude::*;
use smallvec::SmallVec;
use wasmparser::Operator;

/// One operation of a constant expression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ConstOp {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    RefNull,
    RefFunc(u32),
    GlobalGet(u32),
    I32Add,
    I32Sub,
    I32Mul,
    I64Add,
    I64Sub,
    I64Mul,
    /// `v128.const` (the SIMD proposal).
    V128(u128),
}

/// A decoded constant expression; evaluates to one untyped slot value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConstExpr {
    ops: SmallVec<[ConstOp; 2]>,
}

impl ConstExpr {
    /// An expression that yields a reference to function `index`.
    pub(crate) fn ref_func(index: u32) -> Self {
        ConstExpr {
            ops: smallvec::smallvec![ConstOp::RefFunc(index)],
        }
    }

    /// Decodes an already validated constant expression.
    pub(crate) fn decode(expr: &wasmparser::ConstExpr<'_>) -> Result<Self, Error> {
        let mut ops = SmallVec::new();
        let mut reader = expr.get_operators_reader();
        loop {
            let offset = reader.original_position();
            let op = match reader.read()? {
                Operator::End => break,
                Operator::I32Const { value } => ConstOp::I32(value),
                Operator::I64Const { value } => ConstOp::I64(value),
                Operator::F32Const { value } => ConstOp::F32(value.bits()),
                Operator::F64Const { value } => ConstOp::F64(value.bits()),
                Operator::RefNull { .. } => ConstOp::RefNull,
                Operator::RefFunc { function_index } => ConstOp::RefFunc(function_index),
                Operator::GlobalGet { global_index } => ConstOp::GlobalGet(global_index),
                Operator::I32Add => ConstOp::I32Add,
                Operator::I32Sub => ConstOp::I32Sub,
                Operator::I32Mul => ConstOp::I32Mul,
                Operator::I64Add => ConstOp::I64Add,
                Operator::I64Sub => ConstOp::I64Sub,
                Operator::I64Mul => ConstOp::I64Mul,
                Operator::V128Const { value } => ConstOp::V128(value.i128() as u128),
                other => {
                    return Err(Error::Unsupported {
                        feature: format!("constant expression operator {other:?}"),
                        offset,
                    });
                }
            };
            ops.push(op);
        }
        Ok(ConstExpr { ops })
    }

    /// Evaluates the expression. `global` reads a global of the instance being
    /// created, `func` turns a function index into a funcref slot value.
    #[inline]
    pub(crate) fn eval(&self, global: impl Fn(u32) -> u64, func: impl Fn(u32) -> u64) -> u64 {
        self.eval128(|g| global(g) as u128, func) as u64
    }

    /// Evaluates the expression to its full width: a `v128` value's 128
    /// bits, any other value in the low 64. `global` reads a global's full
    /// value.
    #[inline]
    pub(crate) fn eval128(&self, global: impl Fn(u32) -> u128, func: impl Fn(u32) -> u64) -> u128 {
        // Almost every expression is one operand (a constant, `ref.func`,
        // `global.get`): every item of a toolchain's function table is one
        // `ref.func`, evaluated at each instantiation (74 per spawn of the
        // fan-out example's worker), so it is answered without the stack.
        if let [op] = self.ops[..]
            && let Some(v) = operand(op, &global, &func)
        {
            return v;
        }
        self.eval_stack(&global, &func)
    }

    /// [`ConstExpr::eval128`] of an expression with arithmetic (the
    /// extended constant expressions), on a stack.
    #[inline(never)]
    fn eval_stack(&self, global: &impl Fn(u32) -> u128, func: &impl Fn(u32) -> u64) -> u128 {
        let mut stack: SmallVec<[u128; 4]> = SmallVec::new();
        for op in &self.ops {
            let v: u128 = match *op {
                ConstOp::I32Add | ConstOp::I32Sub | ConstOp::I32Mul => {
                    let b = stack.pop().unwrap_or(0) as u32;
                    let a = stack.pop().unwrap_or(0) as u32;
                    let r = match op {
                        ConstOp::I32Add => a.wrapping_add(b),
                        ConstOp::I32Sub => a.wrapping_sub(b),
                        _ => a.wrapping_mul(b),
                    };
                    r as u128
                }
                ConstOp::I64Add | ConstOp::I64Sub | ConstOp::I64Mul => {
                    let b = stack.pop().unwrap_or(0) as u64;
                    let a = stack.pop().unwrap_or(0) as u64;
                    (match op {
                        ConstOp::I64Add => a.wrapping_add(b),
                        ConstOp::I64Sub => a.wrapping_sub(b),
                        _ => a.wrapping_mul(b),
                    }) as u128
                }
                other => operand(other, global, func).unwrap_or(0),
            };
            stack.push(v);
        }
        stack.pop().unwrap_or(0)
    }
}

/// The value `op` pushes when it takes no operands (`None` for arithmetic).
#[inline(always)]
fn operand(op: ConstOp, global: &impl Fn(u32) -> u128, func: &impl Fn(u32) -> u64) -> Option<u128> {
    Some(match op {
        ConstOp::I32(v) => v as u32 as u128,
        ConstOp::I64(v) => v as u64 as u128,
        ConstOp::F32(v) => v as u128,
        ConstOp::F64(v) => v as u128,
        ConstOp::V128(v) => v,
        ConstOp::RefNull => 0,
        ConstOp::RefFunc(i) => func(i) as u128,
        ConstOp::GlobalGet(i) => global(i),
        ConstOp::I32Add
        | ConstOp::I32Sub
        | ConstOp::I32Mul
        | ConstOp::I64Add
        | ConstOp::I64Sub
        | ConstOp::I64Mul => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(ops: &[ConstOp]) -> ConstExpr {
        ConstExpr {
            ops: ops.iter().copied().collect(),
        }
    }

    #[test]
    fn one_operand_and_arithmetic_evaluate_alike() {
        let global = |g: u32| 1000 + g as u128;
        let func = |f: u32| 7 * f as u64 + 1;
        let one = [
            (ConstOp::I32(-1), 0xffff_ffff),
            (ConstOp::I64(-2), 0xffff_ffff_ffff_fffe),
            (ConstOp::F32(0x3f80_0000), 0x3f80_0000),
            (ConstOp::F64(5), 5),
            (ConstOp::V128(u128::MAX), u128::MAX),
            (ConstOp::RefNull, 0),
            (ConstOp::RefFunc(3), 22),
            (ConstOp::GlobalGet(4), 1004),
        ];
        for (op, want) in one {
            assert_eq!(expr(&[op]).eval128(global, func), want, "{op:?}");
        }
        assert_eq!(expr(&[ConstOp::RefFunc(3)]).eval(|_| 0, func), 22);
        // Extended constant expressions go through the stack.
        let sum = expr(&[ConstOp::GlobalGet(2), ConstOp::I32(-3), ConstOp::I32Add]);
        assert_eq!(sum.eval128(global, func), 999);
        let prod = expr(&[
            ConstOp::I64(6),
            ConstOp::I64(7),
            ConstOp::I64Mul,
            ConstOp::I64(2),
            ConstOp::I64Sub,
        ]);
        assert_eq!(prod.eval(|_| 0, func), 40);
        assert_eq!(ConstExpr::ref_func(5).eval(|_| 0, func), 36);
    }
}

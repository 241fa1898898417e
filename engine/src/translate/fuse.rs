//! Peephole fusion tables: constant right operands folded into immediate
//! forms, comparisons folded into the conditional branch that uses them, and
//! the immediate forms of stores of constants.

use crate::isa::{Instr, Pair16, Slot};
use wasmparser::Operator;

/// Builds the immediate form of a binary operator given its constant
/// operand; `None` when the constant does not fit the immediate.
pub(super) type ImmMaker = fn(Slot, Slot, u64) -> Option<Instr>;

/// The immediate forms of a binary operator: with a constant right operand,
/// and (for commutative or mirrorable operators) with a constant left operand.
pub(super) struct ImmForm {
    pub rhs_const: ImmMaker,
    pub lhs_const: Option<ImmMaker>,
}

/// The constant as a sign-extended 32-bit immediate, if it fits.
fn fits_i32(v: u64) -> Option<i32> {
    let v = v as i64;
    (v == v as i32 as i64).then_some(v as i32)
}

macro_rules! i32_imm {
    ($v:ident) => {
        |dst, lhs, c| {
            Some(Instr::$v {
                dst,
                lhs,
                imm: c as u32,
            })
        }
    };
}
macro_rules! i64_imm {
    ($v:ident) => {
        |dst, lhs, c| fits_i32(c).map(|imm| Instr::$v { dst, lhs, imm })
    };
}

/// The immediate forms of `op`, if it has any.
pub(super) fn imm_form(op: &Operator<'_>) -> Option<ImmForm> {
    use Operator as O;
    let (rhs_const, lhs_const): (ImmMaker, Option<ImmMaker>) = match op {
        O::I32Add => (i32_imm!(I32AddImm), Some(i32_imm!(I32AddImm))),
        O::I32Sub => (
            |dst, lhs, c| {
                Some(Instr::I32AddImm {
                    dst,
                    lhs,
                    imm: (c as u32).wrapping_neg(),
                })
            },
            None,
        ),
        O::I32Mul => (i32_imm!(I32MulImm), Some(i32_imm!(I32MulImm))),
        O::I32And => (i32_imm!(I32AndImm), Some(i32_imm!(I32AndImm))),
        O::I32Or => (i32_imm!(I32OrImm), Some(i32_imm!(I32OrImm))),
        O::I32Xor => (i32_imm!(I32XorImm), Some(i32_imm!(I32XorImm))),
        O::I32Shl => (i32_imm!(I32ShlImm), None),
        O::I32ShrS => (i32_imm!(I32ShrSImm), None),
        O::I32ShrU => (i32_imm!(I32ShrUImm), None),
        O::I32Rotl => (
            |dst, lhs, c| {
                Some(Instr::I32RotlImm {
                    dst,
                    lhs,
                    imm: c as u32 & 31,
                })
            },
            None,
        ),
        O::I32Rotr => (
            |dst, lhs, c| {
                Some(Instr::I32RotlImm {
                    dst,
                    lhs,
                    imm: (c as u32).wrapping_neg() & 31,
                })
            },
            None,
        ),
        O::I64Add => (i64_imm!(I64AddImm), Some(i64_imm!(I64AddImm))),
        O::I64Sub => (
            |dst, lhs, c| fits_i32(c.wrapping_neg()).map(|imm| Instr::I64AddImm { dst, lhs, imm }),
            None,
        ),
        O::I64Mul => (i64_imm!(I64MulImm), Some(i64_imm!(I64MulImm))),
        O::I64And => (i64_imm!(I64AndImm), Some(i64_imm!(I64AndImm))),
        O::I64Or => (i64_imm!(I64OrImm), Some(i64_imm!(I64OrImm))),
        O::I64Xor => (i64_imm!(I64XorImm), Some(i64_imm!(I64XorImm))),
        O::I64Shl => (
            |dst, lhs, c| {
                Some(Instr::I64ShlImm {
                    dst,
                    lhs,
                    imm: (c & 63) as i32,
                })
            },
            None,
        ),
        O::I64ShrS => (
            |dst, lhs, c| {
                Some(Instr::I64ShrSImm {
                    dst,
                    lhs,
                    imm: (c & 63) as i32,
                })
            },
            None,
        ),
        O::I64ShrU => (
            |dst, lhs, c| {
                Some(Instr::I64ShrUImm {
                    dst,
                    lhs,
                    imm: (c & 63) as i32,
                })
            },
            None,
        ),
        O::I64Rotl => (
            |dst, lhs, c| {
                Some(Instr::I64RotlImm {
                    dst,
                    lhs,
                    imm: (c & 63) as i32,
                })
            },
            None,
        ),
        O::I64Rotr => (
            |dst, lhs, c| {
                Some(Instr::I64RotlImm {
                    dst,
                    lhs,
                    imm: (c.wrapping_neg() & 63) as i32,
                })
            },
            None,
        ),
        O::I32Eq => (i32_imm!(I32EqImm), Some(i32_imm!(I32EqImm))),
        O::I32Ne => (i32_imm!(I32NeImm), Some(i32_imm!(I32NeImm))),
        O::I32LtS => (i32_imm!(I32LtSImm), Some(i32_imm!(I32GtSImm))),
        O::I32LtU => (i32_imm!(I32LtUImm), Some(i32_imm!(I32GtUImm))),
        O::I32GtS => (i32_imm!(I32GtSImm), Some(i32_imm!(I32LtSImm))),
        O::I32GtU => (i32_imm!(I32GtUImm), Some(i32_imm!(I32LtUImm))),
        O::I32LeS => (i32_imm!(I32LeSImm), Some(i32_imm!(I32GeSImm))),
        O::I32LeU => (i32_imm!(I32LeUImm), Some(i32_imm!(I32GeUImm))),
        O::I32GeS => (i32_imm!(I32GeSImm), Some(i32_imm!(I32LeSImm))),
        O::I32GeU => (i32_imm!(I32GeUImm), Some(i32_imm!(I32LeUImm))),
        O::I64Eq => (i64_imm!(I64EqImm), Some(i64_imm!(I64EqImm))),
        O::I64Ne => (i64_imm!(I64NeImm), Some(i64_imm!(I64NeImm))),
        O::I64LtS => (i64_imm!(I64LtSImm), Some(i64_imm!(I64GtSImm))),
        O::I64LtU => (i64_imm!(I64LtUImm), Some(i64_imm!(I64GtUImm))),
        O::I64GtS => (i64_imm!(I64GtSImm), Some(i64_imm!(I64LtSImm))),
        O::I64GtU => (i64_imm!(I64GtUImm), Some(i64_imm!(I64LtUImm))),
        O::I64LeS => (i64_imm!(I64LeSImm), Some(i64_imm!(I64GeSImm))),
        O::I64LeU => (i64_imm!(I64LeUImm), Some(i64_imm!(I64GeUImm))),
        O::I64GeS => (i64_imm!(I64GeSImm), Some(i64_imm!(I64LeSImm))),
        O::I64GeU => (i64_imm!(I64GeUImm), Some(i64_imm!(I64LeUImm))),
        _ => return None,
    };
    Some(ImmForm {
        rhs_const,
        lhs_const,
    })
}

/// Which comparison, in the order Eq, Ne, LtS, LtU, GtS, GtU, LeS, LeU, GeS, GeU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cmp(u8);

impl Cmp {
    /// The comparison that holds exactly when this one does not.
    fn negate(self) -> Cmp {
        const NEG: [u8; 10] = [1, 0, 8, 9, 6, 7, 4, 5, 2, 3];
        Cmp(NEG[self.0 as usize])
    }
}

/// The right operand of a comparison.
#[derive(Debug, Clone, Copy)]
pub(super) enum Rhs {
    Slot(Slot),
    Imm32(u32),
    Imm64(i32),
}

/// A condition computed by the instruction just before a conditional branch.
#[derive(Debug, Clone, Copy)]
pub(super) enum Cond {
    /// True when the i32 in the slot is zero.
    Eqz32(Slot),
    /// True when the i64 in the slot is zero.
    Eqz64(Slot),
    /// An i32 comparison.
    I32(Cmp, Slot, Rhs),
    /// An i64 comparison.
    I64(Cmp, Slot, Rhs),
}

/// The condition an integer test instruction computes, if it is one.
pub(super) fn as_condition(instr: &Instr) -> Option<Cond> {
    Some(match *instr {
        Instr::I32Eqz { src, .. } => Cond::Eqz32(src),
        Instr::I64Eqz { src, .. } => Cond::Eqz64(src),
        Instr::I32Eq { lhs, rhs, .. } => Cond::I32(Cmp(0), lhs, Rhs::Slot(rhs)),
        Instr::I32EqImm { lhs, imm, .. } => Cond::I32(Cmp(0), lhs, Rhs::Imm32(imm)),
        Instr::I64Eq { lhs, rhs, .. } => Cond::I64(Cmp(0), lhs, Rhs::Slot(rhs)),
        Instr::I64EqImm { lhs, imm, .. } => Cond::I64(Cmp(0), lhs, Rhs::Imm64(imm)),
        Instr::I32Ne { lhs, rhs, .. } => Cond::I32(Cmp(1), lhs, Rhs::Slot(rhs)),
        Instr::I32NeImm { lhs, imm, .. } => Cond::I32(Cmp(1), lhs, Rhs::Imm32(imm)),
        Instr::I64Ne { lhs, rhs, .. } => Cond::I64(Cmp(1), lhs, Rhs::Slot(rhs)),
        Instr::I64NeImm { lhs, imm, .. } => Cond::I64(Cmp(1), lhs, Rhs::Imm64(imm)),
        Instr::I32LtS { lhs, rhs, .. } => Cond::I32(Cmp(2), lhs, Rhs::Slot(rhs)),
        Instr::I32LtSImm { lhs, imm, .. } => Cond::I32(Cmp(2), lhs, Rhs::Imm32(imm)),
        Instr::I64LtS { lhs, rhs, .. } => Cond::I64(Cmp(2), lhs, Rhs::Slot(rhs)),
        Instr::I64LtSImm { lhs, imm, .. } => Cond::I64(Cmp(2), lhs, Rhs::Imm64(imm)),
        Instr::I32LtU { lhs, rhs, .. } => Cond::I32(Cmp(3), lhs, Rhs::Slot(rhs)),
        Instr::I32LtUImm { lhs, imm, .. } => Cond::I32(Cmp(3), lhs, Rhs::Imm32(imm)),
        Instr::I64LtU { lhs, rhs, .. } => Cond::I64(Cmp(3), lhs, Rhs::Slot(rhs)),
        Instr::I64LtUImm { lhs, imm, .. } => Cond::I64(Cmp(3), lhs, Rhs::Imm64(imm)),
        Instr::I32GtS { lhs, rhs, .. } => Cond::I32(Cmp(4), lhs, Rhs::Slot(rhs)),
        Instr::I32GtSImm { lhs, imm, .. } => Cond::I32(Cmp(4), lhs, Rhs::Imm32(imm)),
        Instr::I64GtS { lhs, rhs, .. } => Cond::I64(Cmp(4), lhs, Rhs::Slot(rhs)),
        Instr::I64GtSImm { lhs, imm, .. } => Cond::I64(Cmp(4), lhs, Rhs::Imm64(imm)),
        Instr::I32GtU { lhs, rhs, .. } => Cond::I32(Cmp(5), lhs, Rhs::Slot(rhs)),
        Instr::I32GtUImm { lhs, imm, .. } => Cond::I32(Cmp(5), lhs, Rhs::Imm32(imm)),
        Instr::I64GtU { lhs, rhs, .. } => Cond::I64(Cmp(5), lhs, Rhs::Slot(rhs)),
        Instr::I64GtUImm { lhs, imm, .. } => Cond::I64(Cmp(5), lhs, Rhs::Imm64(imm)),
        Instr::I32LeS { lhs, rhs, .. } => Cond::I32(Cmp(6), lhs, Rhs::Slot(rhs)),
        Instr::I32LeSImm { lhs, imm, .. } => Cond::I32(Cmp(6), lhs, Rhs::Imm32(imm)),
        Instr::I64LeS { lhs, rhs, .. } => Cond::I64(Cmp(6), lhs, Rhs::Slot(rhs)),
        Instr::I64LeSImm { lhs, imm, .. } => Cond::I64(Cmp(6), lhs, Rhs::Imm64(imm)),
        Instr::I32LeU { lhs, rhs, .. } => Cond::I32(Cmp(7), lhs, Rhs::Slot(rhs)),
        Instr::I32LeUImm { lhs, imm, .. } => Cond::I32(Cmp(7), lhs, Rhs::Imm32(imm)),
        Instr::I64LeU { lhs, rhs, .. } => Cond::I64(Cmp(7), lhs, Rhs::Slot(rhs)),
        Instr::I64LeUImm { lhs, imm, .. } => Cond::I64(Cmp(7), lhs, Rhs::Imm64(imm)),
        Instr::I32GeS { lhs, rhs, .. } => Cond::I32(Cmp(8), lhs, Rhs::Slot(rhs)),
        Instr::I32GeSImm { lhs, imm, .. } => Cond::I32(Cmp(8), lhs, Rhs::Imm32(imm)),
        Instr::I64GeS { lhs, rhs, .. } => Cond::I64(Cmp(8), lhs, Rhs::Slot(rhs)),
        Instr::I64GeSImm { lhs, imm, .. } => Cond::I64(Cmp(8), lhs, Rhs::Imm64(imm)),
        Instr::I32GeU { lhs, rhs, .. } => Cond::I32(Cmp(9), lhs, Rhs::Slot(rhs)),
        Instr::I32GeUImm { lhs, imm, .. } => Cond::I32(Cmp(9), lhs, Rhs::Imm32(imm)),
        Instr::I64GeU { lhs, rhs, .. } => Cond::I64(Cmp(9), lhs, Rhs::Slot(rhs)),
        Instr::I64GeUImm { lhs, imm, .. } => Cond::I64(Cmp(9), lhs, Rhs::Imm64(imm)),
        _ => return None,
    })
}

/// A branch to `target` taken when `cond` holds (or, with `negate`, when it does not).
pub(super) fn branch_on(cond: Cond, negate: bool, target: u32) -> Instr {
    match cond {
        Cond::Eqz32(cond) if negate => Instr::BrIfNez { cond, target },
        Cond::Eqz32(cond) => Instr::BrIfEqz { cond, target },
        Cond::Eqz64(cond) if negate => Instr::BrIfNez64 { cond, target },
        Cond::Eqz64(cond) => Instr::BrIfEqz64 { cond, target },
        Cond::I32(cmp, lhs, rhs) | Cond::I64(cmp, lhs, rhs) => {
            let wide = matches!(cond, Cond::I64(..));
            let cmp = if negate { cmp.negate() } else { cmp };
            match (wide, rhs) {
                (false, Rhs::Slot(rhs)) => match cmp.0 {
                    0 => Instr::BrI32Eq { lhs, rhs, target },
                    1 => Instr::BrI32Ne { lhs, rhs, target },
                    2 => Instr::BrI32LtS { lhs, rhs, target },
                    3 => Instr::BrI32LtU { lhs, rhs, target },
                    4 => Instr::BrI32GtS { lhs, rhs, target },
                    5 => Instr::BrI32GtU { lhs, rhs, target },
                    6 => Instr::BrI32LeS { lhs, rhs, target },
                    7 => Instr::BrI32LeU { lhs, rhs, target },
                    8 => Instr::BrI32GeS { lhs, rhs, target },
                    _ => Instr::BrI32GeU { lhs, rhs, target },
                },
                (false, Rhs::Imm32(imm)) => match cmp.0 {
                    0 => Instr::BrI32EqImm { lhs, imm, target },
                    1 => Instr::BrI32NeImm { lhs, imm, target },
                    2 => Instr::BrI32LtSImm { lhs, imm, target },
                    3 => Instr::BrI32LtUImm { lhs, imm, target },
                    4 => Instr::BrI32GtSImm { lhs, imm, target },
                    5 => Instr::BrI32GtUImm { lhs, imm, target },
                    6 => Instr::BrI32LeSImm { lhs, imm, target },
                    7 => Instr::BrI32LeUImm { lhs, imm, target },
                    8 => Instr::BrI32GeSImm { lhs, imm, target },
                    _ => Instr::BrI32GeUImm { lhs, imm, target },
                },
                (true, Rhs::Slot(rhs)) => match cmp.0 {
                    0 => Instr::BrI64Eq { lhs, rhs, target },
                    1 => Instr::BrI64Ne { lhs, rhs, target },
                    2 => Instr::BrI64LtS { lhs, rhs, target },
                    3 => Instr::BrI64LtU { lhs, rhs, target },
                    4 => Instr::BrI64GtS { lhs, rhs, target },
                    5 => Instr::BrI64GtU { lhs, rhs, target },
                    6 => Instr::BrI64LeS { lhs, rhs, target },
                    7 => Instr::BrI64LeU { lhs, rhs, target },
                    8 => Instr::BrI64GeS { lhs, rhs, target },
                    _ => Instr::BrI64GeU { lhs, rhs, target },
                },
                (true, Rhs::Imm64(imm)) => match cmp.0 {
                    0 => Instr::BrI64EqImm { lhs, imm, target },
                    1 => Instr::BrI64NeImm { lhs, imm, target },
                    2 => Instr::BrI64LtSImm { lhs, imm, target },
                    3 => Instr::BrI64LtUImm { lhs, imm, target },
                    4 => Instr::BrI64GtSImm { lhs, imm, target },
                    5 => Instr::BrI64GtUImm { lhs, imm, target },
                    6 => Instr::BrI64LeSImm { lhs, imm, target },
                    7 => Instr::BrI64LeUImm { lhs, imm, target },
                    8 => Instr::BrI64GeSImm { lhs, imm, target },
                    _ => Instr::BrI64GeUImm { lhs, imm, target },
                },
                (false, Rhs::Imm64(imm)) => {
                    branch_on(Cond::I32(cmp, lhs, Rhs::Imm32(imm as u32)), false, target)
                }
                (true, Rhs::Imm32(imm)) => {
                    branch_on(Cond::I64(cmp, lhs, Rhs::Imm64(imm as i32)), false, target)
                }
            }
        }
    }
}

/// How many bytes a store writes; selects the forms that store a constant
/// (f32/f64 stores use the integer forms of their width).
#[derive(Debug, Clone, Copy)]
pub(super) enum StoreWidth {
    B8,
    B16,
    B32,
    B64,
}

/// The store of constant `c` at `slot[addr] + offset`, if the width has an
/// immediate form that holds it.
pub(super) fn const_store(width: StoreWidth, addr: Slot, c: u64, offset: u32) -> Option<Instr> {
    let imm = c as u32;
    match width {
        StoreWidth::B8 => Some(Instr::I32Store8Imm { addr, imm, offset }),
        StoreWidth::B16 => Some(Instr::I32Store16Imm { addr, imm, offset }),
        StoreWidth::B32 => Some(Instr::I32StoreImm { addr, imm, offset }),
        StoreWidth::B64 => fits_i32(c).map(|imm| Instr::I64StoreImm { addr, imm, offset }),
    }
}

/// The store of constant `c` at `u32(slot[base] + slot[index])`, if the
/// width has such a form and it holds the constant.
pub(super) fn const_store_idx(width: StoreWidth, base: Slot, index: Slot, c: u64) -> Option<Instr> {
    let imm = c as u32;
    match width {
        StoreWidth::B8 => Some(Instr::I32Store8ImmIdx { base, index, imm }),
        StoreWidth::B16 => None,
        StoreWidth::B32 => Some(Instr::I32StoreImmIdx { base, index, imm }),
        StoreWidth::B64 => fits_i32(c).map(|imm| Instr::I64StoreImmIdx { base, index, imm }),
    }
}

/// The other operand of an addition (`lhs + rhs`) of which one operand is
/// `result`, the slot the first half of a pair wrote; `None` when neither
/// is (addition commutes, so either order fuses). The pair rules that
/// call it are the only ones for their first instruction, so `None` ends
/// the search.
fn other_addend(result: Slot, lhs: Slot, rhs: Slot) -> Option<Slot> {
    if lhs == result {
        Some(rhs)
    } else if rhs == result {
        Some(lhs)
    } else {
        None
    }
}

/// A slot, offset or mask that must fit 16 bits unchanged, if it does.
fn u16_of(v: u32) -> Option<u16> {
    u16::try_from(v).ok()
}

/// A 32-bit immediate as a sign-extended 16-bit one, if it fits.
fn imm16(imm: u32) -> Option<u16> {
    let v = imm as i32;
    (v == v as i16 as i32).then_some(v as i16 as u16)
}

/// The superinstruction doing the four instructions of `q`, if they have
/// one and its operands fit (see `isa`, "superinstructions").
fn superinstruction4(q: &[Instr; 4]) -> Option<Instr> {
    use Instr as I;
    // (Matched in place: the fields are copied, not the four instructions.)
    match *q {
        [
            I::I32AddImm {
                dst: base,
                lhs,
                imm,
            },
            load @ (I::I32Load8U {
                dst: byte,
                addr,
                offset,
            }
            | I::I32Load {
                dst: byte,
                addr,
                offset,
            }),
            I::I32ShlImm {
                dst: d3,
                lhs: l3,
                imm: shift,
            },
            I::I32Add {
                dst,
                lhs: x,
                rhs: y,
            },
        ] if base != byte
            && d3 == byte
            && l3 == byte
            && ((x, y) == (base, byte) || (x, y) == (byte, base))
            && offset < 256 =>
        {
            let (dst, a, b) = (
                u16_of(dst)?,
                Pair16::new(base, lhs)?,
                Pair16::new(byte, addr)?,
            );
            let imms = Pair16(imm16(imm)?, offset as u16 | ((shift & 31) as u16) << 8);
            Some(match load {
                I::I32Load8U { .. } => I::I32AddImmLoad8UShlAdd { dst, a, b, imms },
                _ => I::I32AddImmLoadShlAdd { dst, a, b, imms },
            })
        }
        [
            I::F64LoadWrap {
                dst: tmp,
                addr: waddr,
                imm,
            },
            I::F64Mul { dst, lhs, rhs },
            I::F64AddLoad {
                dst: d3,
                ops: Pair16(l3, addr),
                offset,
            },
            I::F64Store {
                addr: a4,
                value,
                offset: o4,
            },
        ] if rhs == tmp
            && d3 == dst
            && l3 as Slot == dst
            && value == dst
            && a4 == addr as Slot
            && o4 == offset =>
        {
            Some(I::F64LoadWrapMulAddStore {
                dst: u16_of(dst)?,
                tmp: u16_of(tmp)?,
                addr,
                ops: Pair16::new(lhs, waddr)?,
                imms: Pair16(u16_of(imm)?, u16_of(offset)?),
            })
        }
        _ => None,
    }
}

/// The superinstruction doing the three instructions of `t`, if they have
/// one and its operands fit (see `isa`, "superinstructions").
fn superinstruction3(t: &[Instr; 3]) -> Option<Instr> {
    use Instr as I;
    match *t {
        [
            I::F64MulLoad {
                dst,
                ops,
                offset: o1,
            },
            I::F64AddLoad {
                dst: d2,
                ops: Pair16(l2, addr),
                offset: o2,
            },
            I::F64Store {
                addr: a3,
                value,
                offset: o3,
            },
        ] if d2 == dst
            && l2 as Slot == dst
            && value == dst
            && a3 == addr as Slot
            && o3 == o2
            && addr as Slot != dst =>
        {
            Some(I::F64MulLoadAddStore {
                dst: u16_of(dst)?,
                addr,
                ops,
                offsets: Pair16(u16_of(o1)?, u16_of(o2)?),
            })
        }
        [
            I::I32AddImm {
                dst: base,
                lhs,
                imm,
            },
            I::I32Load8U {
                dst: byte,
                addr,
                offset,
            },
            I::I64LoadIdxShl { dst, ops, scale: 8 } | I::F64LoadIdxShl { dst, ops, scale: 8 },
        ] if base != byte && ops == Pair16::new(base, byte)? => Some(I::I32AddImmLoad8ULoadIdx8 {
            dst: u16_of(dst)?,
            a: Pair16::new(base, lhs)?,
            b: Pair16::new(byte, addr)?,
            imms: Pair16(imm16(imm)?, u16_of(offset)?),
        }),
        [
            I::I32Store8ImmIdx { base, index, imm },
            I::I32Add { dst, lhs, rhs },
            I::BrI32LeU {
                lhs: cmp,
                rhs: bound,
                target,
            },
        ] if (dst == index || dst == base) && cmp == dst && (lhs == dst || rhs == dst) => {
            let step = if lhs == dst { rhs } else { lhs };
            // The address is a sum: the added-to slot goes second.
            let other = if dst == index { base } else { index };
            Some(I::I32Store8ImmIdxAddBrI32LeU {
                // The store writes the low byte only.
                imm: imm as u8,
                idx: Pair16::new(other, dst)?,
                ops: Pair16::new(step, bound)?,
                target,
            })
        }
        _ => None,
    }
}

/// The superinstruction doing `a` then `b`, if the pair has one and its
/// operands fit (see `isa`, "superinstructions").
fn superinstruction(a: Instr, b: Instr) -> Option<Instr> {
    use Instr as I;
    let p = Pair16::new;
    match (a, b) {
        (
            I::I32AddImm { dst, lhs, imm },
            I::I32AddImm {
                dst: d2,
                lhs: l2,
                imm: i2,
            },
        ) => Some(I::I32AddImm2 {
            a: p(dst, lhs)?,
            b: p(d2, l2)?,
            imms: Pair16(imm16(imm)?, imm16(i2)?),
        }),
        (
            I::I32AddImm { dst, lhs, imm },
            I::I32Load8U {
                dst: d2,
                addr,
                offset,
            },
        ) => Some(I::I32AddImmLoad8U {
            a: p(dst, lhs)?,
            b: p(d2, addr)?,
            imms: Pair16(imm16(imm)?, u16_of(offset)?),
        }),
        (
            I::I32Add { dst, lhs, rhs },
            I::BrI32LeU {
                lhs: c,
                rhs: r2,
                target,
            },
        ) if c == dst => Some(I::I32AddBrI32LeU {
            a: p(dst, lhs)?,
            ops: p(rhs, r2)?,
            target,
        }),
        (
            I::I32AddImm { dst, lhs, imm },
            I::BrI32Ne {
                lhs: c,
                rhs: r2,
                target,
            },
        ) if c == dst => Some(I::I32AddImmBrI32Ne {
            a: p(dst, lhs)?,
            ops: Pair16(imm16(imm)?, u16_of(r2)?),
            target,
        }),
        (
            I::I32RotlImm { dst, lhs, imm },
            I::I32Xor {
                dst: d2,
                lhs: l2,
                rhs,
            },
        ) => Some(I::I32RotlImmXor {
            a: p(dst, lhs)?,
            b: p(d2, l2)?,
            ops: Pair16(u16_of(rhs)?, imm as u16),
        }),
        (I::Copy { dst, src }, I::I32AddImm { dst: d2, lhs, imm }) => Some(I::CopyI32AddImm {
            a: p(dst, src)?,
            b: p(d2, lhs)?,
            imm,
        }),
        (
            I::I32ShlImm { dst, lhs, imm },
            I::I32Add {
                dst: d2,
                lhs: l2,
                rhs,
            },
        ) => {
            let other = other_addend(dst, l2, rhs)?;
            Some(I::I32ShlImmAdd {
                a: p(dst, lhs)?,
                b: p(d2, other)?,
                imm,
            })
        }
        (
            I::I32ShrUImm { dst, lhs, imm },
            I::I32AndImm {
                dst: d2,
                lhs: l2,
                imm: mask,
            },
        ) => Some(I::I32ShrUImmAndImm {
            a: p(dst, lhs)?,
            b: p(d2, l2)?,
            // The shift as the operator takes it (mod 32); a mask of 16 bits.
            imms: Pair16((imm & 31) as u16, u16_of(mask)?),
        }),
        (
            I::I64Store {
                addr,
                value,
                offset,
            },
            I::Br { target },
        ) => Some(I::I64StoreBr {
            ops: p(addr, value)?,
            offset,
            target,
        }),
        (
            I::I32Add { dst, lhs, rhs },
            I::I32Add {
                dst: d2,
                lhs: l2,
                rhs: r2,
            },
        ) => Some(I::I32Add2 {
            a: p(dst, lhs)?,
            b: p(d2, l2)?,
            rhs: p(rhs, r2)?,
        }),
        (
            I::I32Mul { dst, lhs, rhs },
            I::I32Add {
                dst: d2,
                lhs: l2,
                rhs: r2,
            },
        ) => {
            let other = other_addend(dst, l2, r2)?;
            Some(I::I32MulAdd {
                a: p(dst, lhs)?,
                b: p(d2, other)?,
                rhs,
            })
        }
        (
            I::I32Add { dst, lhs, rhs },
            I::I32AddImm {
                dst: d2,
                lhs: l2,
                imm,
            },
        ) => Some(I::I32AddAddImm {
            a: p(dst, lhs)?,
            b: p(d2, l2)?,
            ops: Pair16(u16_of(rhs)?, imm16(imm)?),
        }),
        (
            I::I32AddImm { dst, lhs, imm },
            I::BrI32NeImm {
                lhs: c,
                imm: i2,
                target,
            },
        ) if c == dst => Some(I::I32AddImmBrI32NeImm {
            a: p(dst, lhs)?,
            imms: Pair16(imm16(imm)?, imm16(i2)?),
            target,
        }),
        (I::Copy { dst, src }, I::BrIfNez { cond, target }) => Some(I::CopyBrIfNez {
            a: p(dst, src)?,
            cond,
            target,
        }),
        (I::Copy { dst, src }, I::BrIfEqz { cond, target }) => Some(I::CopyBrIfEqz {
            a: p(dst, src)?,
            cond,
            target,
        }),
        (I::I32Load { dst, addr, offset }, I::BrIfNez { cond, target }) if cond == dst => {
            Some(I::I32LoadBrIfNez {
                ops: p(dst, addr)?,
                offset,
                target,
            })
        }
        (
            I::I32Xor { dst, lhs, rhs },
            I::I32AndImm {
                dst: d2,
                lhs: l2,
                imm: mask,
            },
        ) => Some(I::I32XorAndImm {
            a: p(dst, lhs)?,
            b: p(d2, l2)?,
            ops: Pair16(u16_of(rhs)?, u16_of(mask)?),
        }),
        (
            I::I32Load { dst, addr, offset },
            I::I32Store {
                addr: a2,
                value,
                offset: o2,
            },
        ) => Some(I::I32LoadStore {
            a: p(dst, addr)?,
            b: p(a2, value)?,
            offsets: Pair16(u16_of(offset)?, u16_of(o2)?),
        }),
        (
            I::I32Load { dst, addr, offset },
            I::I32AddImm {
                dst: d2,
                lhs: l2,
                imm,
            },
        ) => Some(I::I32LoadAddImm {
            a: p(dst, addr)?,
            b: p(d2, l2)?,
            ops: Pair16(u16_of(offset)?, imm16(imm)?),
        }),
        (
            I::I32AddImm { dst, lhs, imm },
            I::I32AndImm {
                dst: d2,
                lhs: l2,
                imm: mask,
            },
        ) => Some(I::I32AddImmAndImm {
            a: p(dst, lhs)?,
            b: p(d2, l2)?,
            imms: Pair16(imm16(imm)?, u16_of(mask)?),
        }),
        (I::I32Load8U { dst, addr, offset }, I::BrTable { index, len }) if index == dst => {
            Some(I::I32Load8UBrTable {
                ops: p(dst, addr)?,
                offset,
                len,
            })
        }
        (
            I::I32Eqz { dst, src },
            I::I32Add {
                dst: d2,
                lhs: l2,
                rhs: r2,
            },
        ) => {
            let other = other_addend(dst, l2, r2)?;
            Some(I::I32EqzAdd {
                a: p(dst, src)?,
                b: p(d2, other)?,
            })
        }
        (
            I::I64Add { dst, lhs, rhs },
            I::I64Add {
                dst: d2,
                lhs: l2,
                rhs: r2,
            },
        ) => Some(I::I64Add2 {
            a: p(dst, lhs)?,
            b: p(d2, l2)?,
            rhs: p(rhs, r2)?,
        }),
        (I::I32Load8U { dst, addr, offset }, I::SelectZero { dst: d2, rhs, cond })
            if cond == dst =>
        {
            Some(I::I32Load8USelectZero {
                a: p(dst, addr)?,
                b: p(d2, rhs)?,
                offset,
            })
        }
        (
            I::I32Load { dst, addr, offset },
            I::I32Load8U {
                dst: d2,
                addr: a2,
                offset: o2,
            },
        ) => Some(I::I32LoadLoad8U {
            a: p(dst, addr)?,
            b: p(d2, a2)?,
            offsets: Pair16(u16_of(offset)?, u16_of(o2)?),
        }),
        (I::Copy { dst, src }, I::BrI32NeImm { lhs, imm, target }) => Some(I::CopyBrI32NeImm {
            a: p(dst, src)?,
            ops: Pair16(u16_of(lhs)?, imm16(imm)?),
            target,
        }),
        (
            I::I32XorImm { dst, lhs, imm },
            I::I32ShrUImm {
                dst: d2,
                lhs: l2,
                imm: shift,
            },
        ) => Some(I::I32XorImmShrUImm {
            a: p(dst, lhs)?,
            b: p(d2, l2)?,
            // The shift as the operator takes it (mod 32).
            imms: Pair16(imm16(imm)?, (shift & 31) as u16),
        }),
        (
            I::I32Load16U { dst, addr, offset },
            I::I32AndImm {
                dst: d2,
                lhs: l2,
                imm: mask,
            },
        ) => Some(I::I32Load16UAndImm {
            a: p(dst, addr)?,
            b: p(d2, l2)?,
            ops: Pair16(u16_of(offset)?, u16_of(mask)?),
        }),
        (I::Const64 { dst, value }, I::Copy { dst: d2, src }) => Some(I::Const64Copy {
            dst: u16_of(dst)?,
            b: p(d2, src)?,
            value: i32::try_from(value as i64).ok()?,
        }),
        _ => None,
    }
}

/// Overlays superinstructions on a finished body: where an instruction
/// and the next form a fused pair, the first becomes the superinstruction
/// (which continues after the second) and the second stays as it is, for
/// branches that target it. Fallthrough from the first to the second is
/// certain (the first is never a branch), so no jump target matters, and
/// instruction indexes do not move. A fused triple overlays its first
/// instruction the same way; its second and third may still form a pair.
pub(super) fn superinstructions(code: &mut [Instr]) {
    use Instr as I;
    let mut i = 0;
    while i + 1 < code.len() {
        if let Some(f) = code
            .get(i..i + 4)
            .and_then(|q| superinstruction4(q.try_into().ok()?))
        {
            // The other three stay for the pass to fuse as it would.
            code[i] = f;
            i += 1;
        } else if let Some(f) = code
            .get(i..i + 3)
            .and_then(|t| superinstruction3(t.try_into().ok()?))
        {
            // The second and third stay for the pass to fuse as a pair.
            code[i] = f;
            i += 1;
        } else if let Some(f) = superinstruction(code[i], code[i + 1]) {
            if let Some(&c) = code.get(i + 2)
                && let Some(I::I32AddImmBrI32Ne { .. }) = superinstruction(code[i + 1], c)
            {
                // The step and test of a counted loop's back edge: one
                // fusion either way (nothing fuses after a branch), and
                // this one measured cheaper than the pair before it
                // (matmul's `I32Add`, `I32AddImm`, `BrI32Ne`).
                i += 1;
                continue;
            }
            code[i] = f;
            i += 2;
        } else {
            i += 1;
        }
    }
}

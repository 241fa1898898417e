//! The internal instruction set that function bodies are translated into.
//!
//! Every Wasm value lives in a 64-bit *slot* of the current frame. A frame is
//! laid out as `[params | declared locals | operand stack]`; since the height
//! of the Wasm operand stack is known statically at every instruction, each
//! operand has a fixed slot, and instructions name their inputs and outputs
//! directly as [`Slot`]s relative to the frame pointer. There is no push/pop
//! at run time.
//!
//! Control flow is lowered to jumps: branch targets are absolute indexes into
//! the function's instruction vector, and values carried by a branch are
//! moved with [`Instr::Copy`] before the jump. A call places its arguments in
//! consecutive slots starting at `base`; the callee's frame begins exactly
//! there, so arguments need no copying, and the callee leaves its results in
//! the same slots.
//!
//! Fuel: with metering on, every straight-line block begins with
//! [`Instr::ConsumeFuel`] charging the number of Wasm operators in the block.
//! Execution can stop before any instruction (fuel slice used up, or a host
//! call reported "blocked") and resume at the same instruction later.
//!
//! Integer values are stored zero-extended: an `i32` occupies the low 32 bits.
//! Floats are stored as their bit patterns, so reinterpret casts need no code.
//! References are 0 for null; a `funcref` is its store function index + 1, an
//! `externref` is the host's number + 1.

/// A slot index relative to the current frame pointer.
pub type Slot = u32;

/// One internal instruction. Operand names: `dst` receives the result;
/// `src`, `lhs`, `rhs` are read. Traps are listed where an instruction can trap.
#[derive(Debug, Clone, Copy, PartialEq)]
#[allow(missing_docs)]
pub enum Instr {
    // ---- control -------------------------------------------------------
    /// `unreachable`: traps with [`crate::TrapKind::Unreachable`].
    Unreachable,
    /// Start of a straight-line block under fuel metering: charges `amount`.
    /// Suspends (before charging) when the slice is used up; traps with
    /// `OutOfFuel` when the total budget cannot pay.
    ConsumeFuel {
        amount: u32,
    },
    /// Unconditional jump to `target`.
    Br {
        target: u32,
    },
    /// Jump to `target` when `cond` (i32) is zero.
    BrIfEqz {
        cond: Slot,
        target: u32,
    },
    /// Jump to `target` when `cond` (i32) is not zero.
    BrIfNez {
        cond: Slot,
        target: u32,
    },
    /// `br_table`: followed by `len + 1` [`Instr::Br`] entries, the last being
    /// the default. Jumps to entry `min(index, len)`.
    BrTable {
        index: Slot,
        len: u32,
    },
    /// Return from the function; results are already in slots `0..n`.
    Return,
    /// `slot[dst] = slot[src]` (local.get/set/tee, branch values, results).
    Copy {
        dst: Slot,
        src: Slot,
    },
    /// `slot[dst] = value` for 32-bit constants (i32, f32).
    Const32 {
        dst: Slot,
        value: u32,
    },
    /// `slot[dst] = value` for 64-bit constants (i64, f64, null refs).
    Const64 {
        dst: Slot,
        value: u64,
    },
    /// `select`: `if slot[cond] == 0 { slot[dst] = slot[rhs] }` (dst holds the first operand).
    Select {
        dst: Slot,
        rhs: Slot,
        cond: Slot,
    },
    /// Call a function defined in this module (defined-function index);
    /// arguments and results in slots `base..`.
    CallInternal {
        func: u32,
        base: Slot,
    },
    /// Call an imported function (import index); arguments and results in slots `base..`.
    CallImported {
        func: u32,
        base: Slot,
    },
    /// `call_indirect`: the table index operand is in slot `base + params`.
    /// Traps: `UndefinedElement`, `UninitializedElement`, `IndirectCallTypeMismatch`.
    CallIndirect {
        type_index: u32,
        table: u32,
        base: Slot,
    },

    // ---- globals ---------------------------------------------------------
    GlobalGet {
        dst: Slot,
        global: u32,
    },
    GlobalSet {
        src: Slot,
        global: u32,
    },

    // ---- references -------------------------------------------------------
    /// `ref.func`: a reference to the module's function `func`.
    RefFunc {
        dst: Slot,
        func: u32,
    },

    // ---- tables: operands at `base..`, result (if any) at `base` --------
    /// `table.get`: `slot[dst] = table[slot[index]]`. Traps: `TableOutOfBounds`.
    TableGet {
        dst: Slot,
        index: Slot,
        table: u32,
    },
    /// `table.set`: `table[slot[index]] = slot[value]`. Traps: `TableOutOfBounds`.
    TableSet {
        index: Slot,
        value: Slot,
        table: u32,
    },
    /// `table.size`.
    TableSize {
        dst: Slot,
        table: u32,
    },
    /// `table.grow`: operands (init, delta) at `base`, `base+1`; result at `base`.
    TableGrow {
        table: u32,
        base: Slot,
    },
    /// `table.fill`: operands (index, value, len) at `base..base+3`.
    TableFill {
        table: u32,
        base: Slot,
    },
    /// `table.copy`: operands (dst, src, len) at `base..base+3`.
    TableCopy {
        dst_table: u32,
        src_table: u32,
        base: Slot,
    },
    /// `table.init`: operands (dst, src, len) at `base..base+3`.
    TableInit {
        table: u32,
        elem: u32,
        base: Slot,
    },
    /// `elem.drop`.
    ElemDrop {
        elem: u32,
    },

    // ---- memory (always memory 0 in Wasm 2.0) -----------------------------
    /// `memory.size` in pages.
    MemorySize {
        dst: Slot,
    },
    /// `memory.grow`: `slot[dst] = old pages or -1`; delta read from `delta`.
    MemoryGrow {
        dst: Slot,
        delta: Slot,
    },
    /// `memory.fill`: operands (dst, value, len) at `base..base+3`.
    MemoryFill {
        base: Slot,
    },
    /// `memory.copy`: operands (dst, src, len) at `base..base+3`.
    MemoryCopy {
        base: Slot,
    },
    /// `memory.init`: operands (dst, src, len) at `base..base+3`.
    MemoryInit {
        data: u32,
        base: Slot,
    },
    /// `data.drop`.
    DataDrop {
        data: u32,
    },

    // Loads: `slot[dst] = mem[slot[addr] + offset]`. Traps: `MemoryOutOfBounds`.
    I32Load {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    I64Load {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    F32Load {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    F64Load {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    I32Load8S {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    I32Load8U {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    I32Load16S {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    I32Load16U {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    I64Load8S {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    I64Load8U {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    I64Load16S {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    I64Load16U {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    I64Load32S {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    I64Load32U {
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    // Stores: `mem[slot[addr] + offset] = slot[value]`. Traps: `MemoryOutOfBounds`.
    I32Store {
        addr: Slot,
        value: Slot,
        offset: u32,
    },
    I64Store {
        addr: Slot,
        value: Slot,
        offset: u32,
    },
    F32Store {
        addr: Slot,
        value: Slot,
        offset: u32,
    },
    F64Store {
        addr: Slot,
        value: Slot,
        offset: u32,
    },
    I32Store8 {
        addr: Slot,
        value: Slot,
        offset: u32,
    },
    I32Store16 {
        addr: Slot,
        value: Slot,
        offset: u32,
    },
    I64Store8 {
        addr: Slot,
        value: Slot,
        offset: u32,
    },
    I64Store16 {
        addr: Slot,
        value: Slot,
        offset: u32,
    },
    I64Store32 {
        addr: Slot,
        value: Slot,
        offset: u32,
    },

    // ---- i32 ---------------------------------------------------------------
    I32Eqz {
        dst: Slot,
        src: Slot,
    },
    I32Eq {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32Ne {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32LtS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32LtU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32GtS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32GtU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32LeS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32LeU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32GeS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32GeU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32Clz {
        dst: Slot,
        src: Slot,
    },
    I32Ctz {
        dst: Slot,
        src: Slot,
    },
    I32Popcnt {
        dst: Slot,
        src: Slot,
    },
    I32Add {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32Sub {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32Mul {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    /// Traps: `IntegerDivideByZero`, `IntegerOverflow`.
    I32DivS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    /// Traps: `IntegerDivideByZero`.
    I32DivU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    /// Traps: `IntegerDivideByZero`.
    I32RemS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    /// Traps: `IntegerDivideByZero`.
    I32RemU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32And {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32Or {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32Xor {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32Shl {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32ShrS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32ShrU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32Rotl {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I32Rotr {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    /// `i32.add` with a constant right operand (fused `i32.const` + `i32.add`).
    I32AddImm {
        dst: Slot,
        lhs: Slot,
        imm: u32,
    },

    // ---- i64 ---------------------------------------------------------------
    /// `i64.eqz`, also `ref.is_null` (null references are 0).
    I64Eqz {
        dst: Slot,
        src: Slot,
    },
    I64Eq {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Ne {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64LtS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64LtU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64GtS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64GtU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64LeS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64LeU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64GeS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64GeU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Clz {
        dst: Slot,
        src: Slot,
    },
    I64Ctz {
        dst: Slot,
        src: Slot,
    },
    I64Popcnt {
        dst: Slot,
        src: Slot,
    },
    I64Add {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Sub {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Mul {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64DivS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64DivU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64RemS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64RemU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64And {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Or {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Xor {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Shl {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64ShrS {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64ShrU {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Rotl {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    I64Rotr {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },

    // ---- f32 ---------------------------------------------------------------
    F32Eq {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Ne {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Lt {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Gt {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Le {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Ge {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Abs {
        dst: Slot,
        src: Slot,
    },
    F32Neg {
        dst: Slot,
        src: Slot,
    },
    F32Ceil {
        dst: Slot,
        src: Slot,
    },
    F32Floor {
        dst: Slot,
        src: Slot,
    },
    F32Trunc {
        dst: Slot,
        src: Slot,
    },
    F32Nearest {
        dst: Slot,
        src: Slot,
    },
    F32Sqrt {
        dst: Slot,
        src: Slot,
    },
    F32Add {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Sub {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Mul {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Div {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Min {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Max {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F32Copysign {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },

    // ---- f64 ---------------------------------------------------------------
    F64Eq {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Ne {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Lt {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Gt {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Le {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Ge {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Abs {
        dst: Slot,
        src: Slot,
    },
    F64Neg {
        dst: Slot,
        src: Slot,
    },
    F64Ceil {
        dst: Slot,
        src: Slot,
    },
    F64Floor {
        dst: Slot,
        src: Slot,
    },
    F64Trunc {
        dst: Slot,
        src: Slot,
    },
    F64Nearest {
        dst: Slot,
        src: Slot,
    },
    F64Sqrt {
        dst: Slot,
        src: Slot,
    },
    F64Add {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Sub {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Mul {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Div {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Min {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Max {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },
    F64Copysign {
        dst: Slot,
        lhs: Slot,
        rhs: Slot,
    },

    // ---- conversions ---------------------------------------------------------
    I32WrapI64 {
        dst: Slot,
        src: Slot,
    },
    /// Traps: `InvalidConversionToInteger` (NaN), `IntegerOverflow` (out of range); same for all `Trunc*`.
    I32TruncF32S {
        dst: Slot,
        src: Slot,
    },
    I32TruncF32U {
        dst: Slot,
        src: Slot,
    },
    I32TruncF64S {
        dst: Slot,
        src: Slot,
    },
    I32TruncF64U {
        dst: Slot,
        src: Slot,
    },
    I64ExtendI32S {
        dst: Slot,
        src: Slot,
    },
    I64ExtendI32U {
        dst: Slot,
        src: Slot,
    },
    I64TruncF32S {
        dst: Slot,
        src: Slot,
    },
    I64TruncF32U {
        dst: Slot,
        src: Slot,
    },
    I64TruncF64S {
        dst: Slot,
        src: Slot,
    },
    I64TruncF64U {
        dst: Slot,
        src: Slot,
    },
    F32ConvertI32S {
        dst: Slot,
        src: Slot,
    },
    F32ConvertI32U {
        dst: Slot,
        src: Slot,
    },
    F32ConvertI64S {
        dst: Slot,
        src: Slot,
    },
    F32ConvertI64U {
        dst: Slot,
        src: Slot,
    },
    F32DemoteF64 {
        dst: Slot,
        src: Slot,
    },
    F64ConvertI32S {
        dst: Slot,
        src: Slot,
    },
    F64ConvertI32U {
        dst: Slot,
        src: Slot,
    },
    F64ConvertI64S {
        dst: Slot,
        src: Slot,
    },
    F64ConvertI64U {
        dst: Slot,
        src: Slot,
    },
    F64PromoteF32 {
        dst: Slot,
        src: Slot,
    },
    I32Extend8S {
        dst: Slot,
        src: Slot,
    },
    I32Extend16S {
        dst: Slot,
        src: Slot,
    },
    I64Extend8S {
        dst: Slot,
        src: Slot,
    },
    I64Extend16S {
        dst: Slot,
        src: Slot,
    },
    I64Extend32S {
        dst: Slot,
        src: Slot,
    },
    /// Saturating truncations never trap (NaN gives 0).
    I32TruncSatF32S {
        dst: Slot,
        src: Slot,
    },
    I32TruncSatF32U {
        dst: Slot,
        src: Slot,
    },
    I32TruncSatF64S {
        dst: Slot,
        src: Slot,
    },
    I32TruncSatF64U {
        dst: Slot,
        src: Slot,
    },
    I64TruncSatF32S {
        dst: Slot,
        src: Slot,
    },
    I64TruncSatF32U {
        dst: Slot,
        src: Slot,
    },
    I64TruncSatF64S {
        dst: Slot,
        src: Slot,
    },
    I64TruncSatF64U {
        dst: Slot,
        src: Slot,
    },

    // ---- determinism -----------------------------------------------------------
    /// Replace a NaN in `slot` (f32) with the canonical NaN `0x7fc00000`.
    CanonNan32 {
        slot: Slot,
    },
    /// Replace a NaN in `slot` (f64) with the canonical NaN `0x7ff8000000000000`.
    CanonNan64 {
        slot: Slot,
    },
}

impl Instr {
    /// Points a jump at `target`; used to patch forward branches.
    pub(crate) fn set_target(&mut self, new: u32) {
        match self {
            Instr::Br { target }
            | Instr::BrIfEqz { target, .. }
            | Instr::BrIfNez { target, .. } => *target = new,
            other => unreachable!("patching a non-branch instruction {other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn instructions_stay_compact() {
        assert!(std::mem::size_of::<super::Instr>() <= 16);
    }
}

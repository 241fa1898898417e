//! The internal instruction set that function bodies are translated into.
//!
//! Every Wasm value lives in a 64-bit *slot* of the current frame (a `v128`
//! in two adjacent slots, low 64 bits first; counts of slots count it
//! twice). A frame is
//! laid out as `[params | declared locals | operand stack]`; since the height
//! of the Wasm operand stack is known statically at every instruction, each
//! operand has a fixed slot, and instructions name their inputs and outputs
//! directly as [`Slot`]s relative to the frame pointer. There is no push/pop
//! at run time.
//!
//! Control flow is lowered to jumps: branch targets are absolute indexes into
//! the function's instruction vector during translation (its last pass turns
//! them into distances from the branch: [`Instr::resolve_branches`]), and
//! values carried by a branch are moved with [`Instr::Copy`] before the jump. A call places its arguments in
//! consecutive slots starting at `base`; the callee's frame begins exactly
//! there, so arguments need no copying, and the callee leaves its results in
//! the same slots.
//!
//! Fuel: with metering on, one unit per Wasm operator is charged in advance
//! by an [`Instr::ConsumeFuel`] at each function entry, loop header and
//! `else` arm, for the operators of that *fuel region*: everything up to the
//! next such point, including the code after nested blocks and loops (which
//! runs once per run of the region). A branch that leaves a region early
//! leaves the rest of it charged. Every cycle of control passes a
//! `ConsumeFuel` (loops through their header, recursion through the entry).
//! Execution can stop before any instruction (fuel slice used up, or a host
//! call reported "blocked") and resume at the same instruction later.
//!
//! Bulk operations (`memory.fill/copy/init`, `table.fill/copy/init/grow`)
//! also cost fuel in proportion to their length, on top of the one unit of
//! their operator: [`memory_bulk_fuel`] (1 per started 64 bytes) and
//! [`table_bulk_fuel`] (1 per started 8 elements; for `table.grow`, of the
//! delta, and only when the growth is granted). This part is charged when
//! the instruction runs, after its bounds check and before it acts: when
//! the total budget cannot pay it, the instruction traps with `OutOfFuel`
//! and does nothing; when only the current slice cannot, execution stops
//! before the instruction and runs it (charging it) in the next slice, where
//! the charge may exceed the slice (the slice then ends at the next check).
//!
//! Integer values are stored zero-extended: an `i32` occupies the low 32 bits.
//! Floats are stored as their bit patterns, so reinterpret casts need no code.
//! References are 0 for null; a `funcref` is its store function index + 1, an
//! `externref` is the host's number + 1.

/// A slot index relative to the current frame pointer.
pub type Slot = u32;

mod simd_op;
pub use simd_op::SimdOp;
pub(crate) use simd_op::for_each_simd_op;

/// Bytes of a `memory.fill`, `memory.copy` or `memory.init` paid for by one
/// unit of fuel (see the module docs).
pub const MEMORY_BULK_BYTES_PER_FUEL: u64 = 64;

/// Elements of a `table.fill`, `table.copy`, `table.init` or `table.grow`
/// paid for by one unit of fuel (see the module docs).
pub const TABLE_BULK_ELEMS_PER_FUEL: u64 = 8;

/// The fuel a bulk memory operation of `len` bytes costs beyond its
/// operator's unit: one per started [`MEMORY_BULK_BYTES_PER_FUEL`] bytes.
pub fn memory_bulk_fuel(len: u64) -> u64 {
    len.div_ceil(MEMORY_BULK_BYTES_PER_FUEL)
}

/// The fuel a bulk table operation of `len` elements costs beyond its
/// operator's unit: one per started [`TABLE_BULK_ELEMS_PER_FUEL`] elements.
pub fn table_bulk_fuel(len: u64) -> u64 {
    len.div_ceil(TABLE_BULK_ELEMS_PER_FUEL)
}

/// Two 16-bit slot indexes in one 32-bit field, for fused instructions
/// that name more slots than fit otherwise; each variant's docs say what
/// the halves hold. Aligned like a [`Slot`], so every operand field starts
/// at a multiple of 4 after the tag, and never used as an instruction's
/// first operand field (see ARCHITECTURE.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, align(4))]
pub struct Pair16(pub u16, pub u16);

impl Pair16 {
    /// The pair of two slots, if both fit in 16 bits.
    pub fn new(a: Slot, b: Slot) -> Option<Pair16> {
        Some(Pair16(u16::try_from(a).ok()?, u16::try_from(b).ok()?))
    }
}

/// One internal instruction. Operand names: `dst` receives the result;
/// `src`, `lhs`, `rhs` are read. Traps are listed where an instruction can trap.
///
/// `repr(u16)`: every variant starts with a 16-bit tag (its index in this
/// declaration), which the interpreter's threaded dispatch reads to find
/// the variant's handler.
#[derive(Debug, Clone, Copy, PartialEq)]
#[allow(missing_docs)]
#[rustfmt::skip]
#[repr(u16)]
pub enum Instr {
    // ---- control -------------------------------------------------------
    /// `unreachable`: traps with [`crate::TrapKind::Unreachable`].
    Unreachable,
    /// The whole code of a function not translated yet (lazy translation):
    /// translates the body (or finds it translated), makes the frame as big
    /// as the body needs and continues at its first instruction. Costs no
    /// fuel (the body's entry `ConsumeFuel` charges as on any call).
    Untranslated,
    /// Start of a fuel region (see the module docs): charges `amount`.
    /// Suspends (before charging) when the slice is used up; traps with
    /// `OutOfFuel` when the total budget cannot pay. The interpreter lets
    /// the branch or call that reaches it pay it (saving its dispatch), with
    /// the same charges and the same stopping point (exec/threaded); a
    /// branch to it carries the flag `FUEL_TARGET`.
    ConsumeFuel { amount: u32 },
    /// Unconditional jump to `target`.
    Br { target: u32 },
    /// Jump to `target` when `cond` (i32) is zero.
    BrIfEqz { cond: Slot, target: u32 },
    /// Jump to `target` when `cond` (i32) is not zero.
    BrIfNez { cond: Slot, target: u32 },
    /// `br_table`: followed by `len + 1` [`Instr::Br`] entries, the last being
    /// the default. Takes entry `min(index, len)`: jumps straight to its target.
    BrTable { index: Slot, len: u32 },
    /// Return from the function; results are already in slots `0..n`.
    Return,
    /// `slot[dst] = slot[src]` (local.get/set/tee, branch values, results).
    Copy { dst: Slot, src: Slot },
    /// Two [`Instr::Copy`]s in a row: first `slot[dst] = slot[src]`, then
    /// `slot[second.0] = slot[second.1]` (for slots that fit in 16 bits).
    Copy2 { dst: Slot, src: Slot, second: Pair16 },
    /// `slot[dst] = value`: any constant in slot encoding (i32/f32 zero-extended,
    /// i64, f64, null references).
    Const64 { dst: Slot, value: u64 },
    /// `select`: `if slot[cond] == 0 { slot[dst] = slot[rhs] }` (dst holds the first operand).
    Select { dst: Slot, rhs: Slot, cond: Slot },
    /// `select` with a constant 0 first operand: `slot[dst] = if slot[cond] != 0 { 0 } else { slot[rhs] }`.
    SelectZero { dst: Slot, rhs: Slot, cond: Slot },
    /// `select` with three addresses (slots that fit in 16 bits):
    /// `slot[dst] = if slot[ops.1] != 0 { slot[lhs] } else { slot[ops.0] }`,
    /// the operands read before `dst` is written. Lets the first operand
    /// stay in a local and the result go straight to one.
    SelectTo { dst: Slot, lhs: Slot, ops: Pair16 },
    /// `select` with a constant first operand (in slot encoding, below
    /// 2^32): `slot[dst] = if slot[ops.1] != 0 { imm } else { slot[ops.0] }`.
    SelectImm { dst: Slot, ops: Pair16, imm: u32 },
    /// Call a function defined in this module (defined-function index);
    /// arguments and results in slots `base..`.
    CallInternal { func: u32, base: Slot },
    /// Call an imported function (import index); arguments and results in slots `base..`.
    CallImported { func: u32, base: Slot },
    /// `call_indirect`: the table index operand is in slot `base + params`.
    /// Traps: `UndefinedElement`, `UninitializedElement`, `IndirectCallTypeMismatch`.
    CallIndirect { type_index: u32, table: u32, base: Slot },

    // ---- globals ---------------------------------------------------------
    GlobalGet { dst: Slot, global: u32 },
    GlobalSet { src: Slot, global: u32 },

    // ---- references -------------------------------------------------------
    /// `ref.func`: a reference to the module's function `func`.
    RefFunc { dst: Slot, func: u32 },

    // ---- tables: operands at `base..`, result (if any) at `base` --------
    /// `table.get`: `slot[dst] = table[slot[index]]`. Traps: `TableOutOfBounds`.
    TableGet { dst: Slot, index: Slot, table: u32 },
    /// `table.set`: `table[slot[index]] = slot[value]`. Traps: `TableOutOfBounds`.
    TableSet { index: Slot, value: Slot, table: u32 },
    /// `table.size`.
    TableSize { dst: Slot, table: u32 },
    /// `table.grow`: operands (init, delta) at `base`, `base+1`; result at `base`.
    /// Costs [`table_bulk_fuel`]`(delta)` more when granted.
    TableGrow { table: u32, base: Slot },
    /// `table.fill`: operands (index, value, len) at `base..base+3`.
    /// Costs [`table_bulk_fuel`]`(len)` more (module docs).
    TableFill { table: u32, base: Slot },
    /// `table.copy`: operands (dst, src, len) at `base..base+3`.
    /// Costs [`table_bulk_fuel`]`(len)` more (module docs).
    TableCopy { dst_table: u32, src_table: u32, base: Slot },
    /// `table.init`: operands (dst, src, len) at `base..base+3`.
    /// Costs [`table_bulk_fuel`]`(len)` more (module docs).
    TableInit { table: u32, elem: u32, base: Slot },
    /// `elem.drop`.
    ElemDrop { elem: u32 },

    // ---- memory (always memory 0 in Wasm 2.0) -----------------------------
    /// `memory.size` in pages.
    MemorySize { dst: Slot },
    /// `memory.grow`: `slot[dst] = old pages or -1`; delta read from `delta`.
    MemoryGrow { dst: Slot, delta: Slot },
    /// `memory.fill`: operands (dst, value, len) at `base..base+3`.
    /// Costs [`memory_bulk_fuel`]`(len)` more (module docs).
    MemoryFill { base: Slot },
    /// `memory.copy`: operands (dst, src, len) at `base..base+3`.
    /// Costs [`memory_bulk_fuel`]`(len)` more (module docs).
    MemoryCopy { base: Slot },
    /// `memory.init`: operands (dst, src, len) at `base..base+3`.
    /// Costs [`memory_bulk_fuel`]`(len)` more (module docs).
    MemoryInit { data: u32, base: Slot },
    /// `data.drop`.
    DataDrop { data: u32 },

    // Loads: `slot[dst] = mem[slot[addr] + offset]`. Traps: `MemoryOutOfBounds`.
    I32Load { dst: Slot, addr: Slot, offset: u32 },
    I64Load { dst: Slot, addr: Slot, offset: u32 },
    F32Load { dst: Slot, addr: Slot, offset: u32 },
    F64Load { dst: Slot, addr: Slot, offset: u32 },
    I32Load8S { dst: Slot, addr: Slot, offset: u32 },
    I32Load8U { dst: Slot, addr: Slot, offset: u32 },
    I32Load16S { dst: Slot, addr: Slot, offset: u32 },
    I32Load16U { dst: Slot, addr: Slot, offset: u32 },
    I64Load8S { dst: Slot, addr: Slot, offset: u32 },
    I64Load8U { dst: Slot, addr: Slot, offset: u32 },
    I64Load16S { dst: Slot, addr: Slot, offset: u32 },
    I64Load16U { dst: Slot, addr: Slot, offset: u32 },
    I64Load32S { dst: Slot, addr: Slot, offset: u32 },
    I64Load32U { dst: Slot, addr: Slot, offset: u32 },
    // Stores: `mem[slot[addr] + offset] = slot[value]`. Traps: `MemoryOutOfBounds`.
    I32Store { addr: Slot, value: Slot, offset: u32 },
    I64Store { addr: Slot, value: Slot, offset: u32 },
    F32Store { addr: Slot, value: Slot, offset: u32 },
    F64Store { addr: Slot, value: Slot, offset: u32 },
    I32Store8 { addr: Slot, value: Slot, offset: u32 },
    I32Store16 { addr: Slot, value: Slot, offset: u32 },
    I64Store8 { addr: Slot, value: Slot, offset: u32 },
    I64Store16 { addr: Slot, value: Slot, offset: u32 },
    I64Store32 { addr: Slot, value: Slot, offset: u32 },
    // Fused addressing (a zero-offset access whose address an `i32.add` just
    // computed). Idx: `ea = u32(slot[base] + slot[index])`. Wrap:
    // `ea = u32(slot[addr] + imm)` (the addition wraps before the access, so
    // it cannot become the offset). Traps: `MemoryOutOfBounds`.
    I32LoadIdx { dst: Slot, base: Slot, index: Slot },
    I64LoadIdx { dst: Slot, base: Slot, index: Slot },
    F32LoadIdx { dst: Slot, base: Slot, index: Slot },
    F64LoadIdx { dst: Slot, base: Slot, index: Slot },
    I32Load8SIdx { dst: Slot, base: Slot, index: Slot },
    I32Load8UIdx { dst: Slot, base: Slot, index: Slot },
    I32Load16UIdx { dst: Slot, base: Slot, index: Slot },
    // Scaled index (array indexing: an `i32.shl` by a constant, an
    // `i32.add`, then a zero-offset load), `ops` = (base, index):
    // `ea = u32(slot[base] + slot[index] * scale)`, `scale` = 2^k for a shift
    // by k (a multiplication, not a variable shift: see ARCHITECTURE.md).
    // Traps: `MemoryOutOfBounds`.
    I32LoadIdxShl { dst: Slot, ops: Pair16, scale: u32 },
    I64LoadIdxShl { dst: Slot, ops: Pair16, scale: u32 },
    F64LoadIdxShl { dst: Slot, ops: Pair16, scale: u32 },
    I32LoadWrap { dst: Slot, addr: Slot, imm: u32 },
    I64LoadWrap { dst: Slot, addr: Slot, imm: u32 },
    F32LoadWrap { dst: Slot, addr: Slot, imm: u32 },
    F64LoadWrap { dst: Slot, addr: Slot, imm: u32 },
    I32Load8UWrap { dst: Slot, addr: Slot, imm: u32 },
    // Stores of a constant: `mem[slot[addr] + offset] = imm` (i64 forms take
    // a sign-extended 32-bit constant; f32/f64 stores of constants use the
    // integer forms). Traps: `MemoryOutOfBounds`.
    I32StoreImm { addr: Slot, imm: u32, offset: u32 },
    I32Store8Imm { addr: Slot, imm: u32, offset: u32 },
    I32Store16Imm { addr: Slot, imm: u32, offset: u32 },
    I64StoreImm { addr: Slot, imm: i32, offset: u32 },
    // Stores of a constant at `u32(slot[base] + slot[index])` (a zero-offset
    // store whose address an `i32.add` just computed). Traps: `MemoryOutOfBounds`.
    I32StoreImmIdx { base: Slot, index: Slot, imm: u32 },
    I32Store8ImmIdx { base: Slot, index: Slot, imm: u32 },
    I64StoreImmIdx { base: Slot, index: Slot, imm: i32 },

    // ---- i32 ---------------------------------------------------------------
    I32Eqz { dst: Slot, src: Slot },
    I32Eq { dst: Slot, lhs: Slot, rhs: Slot },
    I32Ne { dst: Slot, lhs: Slot, rhs: Slot },
    I32LtS { dst: Slot, lhs: Slot, rhs: Slot },
    I32LtU { dst: Slot, lhs: Slot, rhs: Slot },
    I32GtS { dst: Slot, lhs: Slot, rhs: Slot },
    I32GtU { dst: Slot, lhs: Slot, rhs: Slot },
    I32LeS { dst: Slot, lhs: Slot, rhs: Slot },
    I32LeU { dst: Slot, lhs: Slot, rhs: Slot },
    I32GeS { dst: Slot, lhs: Slot, rhs: Slot },
    I32GeU { dst: Slot, lhs: Slot, rhs: Slot },
    I32Clz { dst: Slot, src: Slot },
    I32Ctz { dst: Slot, src: Slot },
    I32Popcnt { dst: Slot, src: Slot },
    I32Add { dst: Slot, lhs: Slot, rhs: Slot },
    I32Sub { dst: Slot, lhs: Slot, rhs: Slot },
    I32Mul { dst: Slot, lhs: Slot, rhs: Slot },
    /// Traps: `IntegerDivideByZero`, `IntegerOverflow`.
    I32DivS { dst: Slot, lhs: Slot, rhs: Slot },
    /// Traps: `IntegerDivideByZero`.
    I32DivU { dst: Slot, lhs: Slot, rhs: Slot },
    /// Traps: `IntegerDivideByZero`.
    I32RemS { dst: Slot, lhs: Slot, rhs: Slot },
    /// Traps: `IntegerDivideByZero`.
    I32RemU { dst: Slot, lhs: Slot, rhs: Slot },
    I32And { dst: Slot, lhs: Slot, rhs: Slot },
    I32Or { dst: Slot, lhs: Slot, rhs: Slot },
    I32Xor { dst: Slot, lhs: Slot, rhs: Slot },
    I32Shl { dst: Slot, lhs: Slot, rhs: Slot },
    I32ShrS { dst: Slot, lhs: Slot, rhs: Slot },
    I32ShrU { dst: Slot, lhs: Slot, rhs: Slot },
    I32Rotl { dst: Slot, lhs: Slot, rhs: Slot },
    I32Rotr { dst: Slot, lhs: Slot, rhs: Slot },
    /// `i32.add` with a constant right operand (fused `i32.const` + `i32.add`).
    I32AddImm { dst: Slot, lhs: Slot, imm: u32 },

    // ---- i64 ---------------------------------------------------------------
    /// `i64.eqz`, also `ref.is_null` (null references are 0).
    I64Eqz { dst: Slot, src: Slot },
    I64Eq { dst: Slot, lhs: Slot, rhs: Slot },
    I64Ne { dst: Slot, lhs: Slot, rhs: Slot },
    I64LtS { dst: Slot, lhs: Slot, rhs: Slot },
    I64LtU { dst: Slot, lhs: Slot, rhs: Slot },
    I64GtS { dst: Slot, lhs: Slot, rhs: Slot },
    I64GtU { dst: Slot, lhs: Slot, rhs: Slot },
    I64LeS { dst: Slot, lhs: Slot, rhs: Slot },
    I64LeU { dst: Slot, lhs: Slot, rhs: Slot },
    I64GeS { dst: Slot, lhs: Slot, rhs: Slot },
    I64GeU { dst: Slot, lhs: Slot, rhs: Slot },
    I64Clz { dst: Slot, src: Slot },
    I64Ctz { dst: Slot, src: Slot },
    I64Popcnt { dst: Slot, src: Slot },
    I64Add { dst: Slot, lhs: Slot, rhs: Slot },
    I64Sub { dst: Slot, lhs: Slot, rhs: Slot },
    I64Mul { dst: Slot, lhs: Slot, rhs: Slot },
    I64DivS { dst: Slot, lhs: Slot, rhs: Slot },
    I64DivU { dst: Slot, lhs: Slot, rhs: Slot },
    I64RemS { dst: Slot, lhs: Slot, rhs: Slot },
    I64RemU { dst: Slot, lhs: Slot, rhs: Slot },
    I64And { dst: Slot, lhs: Slot, rhs: Slot },
    I64Or { dst: Slot, lhs: Slot, rhs: Slot },
    I64Xor { dst: Slot, lhs: Slot, rhs: Slot },
    I64Shl { dst: Slot, lhs: Slot, rhs: Slot },
    I64ShrS { dst: Slot, lhs: Slot, rhs: Slot },
    I64ShrU { dst: Slot, lhs: Slot, rhs: Slot },
    I64Rotl { dst: Slot, lhs: Slot, rhs: Slot },
    I64Rotr { dst: Slot, lhs: Slot, rhs: Slot },

    // ---- f32 ---------------------------------------------------------------
    F32Eq { dst: Slot, lhs: Slot, rhs: Slot },
    F32Ne { dst: Slot, lhs: Slot, rhs: Slot },
    F32Lt { dst: Slot, lhs: Slot, rhs: Slot },
    F32Gt { dst: Slot, lhs: Slot, rhs: Slot },
    F32Le { dst: Slot, lhs: Slot, rhs: Slot },
    F32Ge { dst: Slot, lhs: Slot, rhs: Slot },
    F32Abs { dst: Slot, src: Slot },
    F32Neg { dst: Slot, src: Slot },
    F32Ceil { dst: Slot, src: Slot },
    F32Floor { dst: Slot, src: Slot },
    F32Trunc { dst: Slot, src: Slot },
    F32Nearest { dst: Slot, src: Slot },
    F32Sqrt { dst: Slot, src: Slot },
    F32Add { dst: Slot, lhs: Slot, rhs: Slot },
    F32Sub { dst: Slot, lhs: Slot, rhs: Slot },
    F32Mul { dst: Slot, lhs: Slot, rhs: Slot },
    F32Div { dst: Slot, lhs: Slot, rhs: Slot },
    F32Min { dst: Slot, lhs: Slot, rhs: Slot },
    F32Max { dst: Slot, lhs: Slot, rhs: Slot },
    F32Copysign { dst: Slot, lhs: Slot, rhs: Slot },

    // ---- f64 ---------------------------------------------------------------
    F64Eq { dst: Slot, lhs: Slot, rhs: Slot },
    F64Ne { dst: Slot, lhs: Slot, rhs: Slot },
    F64Lt { dst: Slot, lhs: Slot, rhs: Slot },
    F64Gt { dst: Slot, lhs: Slot, rhs: Slot },
    F64Le { dst: Slot, lhs: Slot, rhs: Slot },
    F64Ge { dst: Slot, lhs: Slot, rhs: Slot },
    F64Abs { dst: Slot, src: Slot },
    F64Neg { dst: Slot, src: Slot },
    F64Ceil { dst: Slot, src: Slot },
    F64Floor { dst: Slot, src: Slot },
    F64Trunc { dst: Slot, src: Slot },
    F64Nearest { dst: Slot, src: Slot },
    F64Sqrt { dst: Slot, src: Slot },
    F64Add { dst: Slot, lhs: Slot, rhs: Slot },
    F64Sub { dst: Slot, lhs: Slot, rhs: Slot },
    F64Mul { dst: Slot, lhs: Slot, rhs: Slot },
    F64Div { dst: Slot, lhs: Slot, rhs: Slot },
    F64Min { dst: Slot, lhs: Slot, rhs: Slot },
    F64Max { dst: Slot, lhs: Slot, rhs: Slot },
    F64Copysign { dst: Slot, lhs: Slot, rhs: Slot },

    // f64 arithmetic whose right operand is loaded from memory (a fused
    // `f64.load` + op), `ops` = (lhs, addr):
    // `slot[dst] = slot[lhs] OP f64(mem[slot[addr] + offset])`.
    // Traps: `MemoryOutOfBounds`.
    F64AddLoad { dst: Slot, ops: Pair16, offset: u32 },
    F64SubLoad { dst: Slot, ops: Pair16, offset: u32 },
    F64MulLoad { dst: Slot, ops: Pair16, offset: u32 },

    // ---- conversions ---------------------------------------------------------
    I32WrapI64 { dst: Slot, src: Slot },
    /// Traps: `InvalidConversionToInteger` (NaN), `IntegerOverflow` (out of range); same for all `Trunc*`.
    I32TruncF32S { dst: Slot, src: Slot },
    I32TruncF32U { dst: Slot, src: Slot },
    I32TruncF64S { dst: Slot, src: Slot },
    I32TruncF64U { dst: Slot, src: Slot },
    I64ExtendI32S { dst: Slot, src: Slot },
    I64ExtendI32U { dst: Slot, src: Slot },
    I64TruncF32S { dst: Slot, src: Slot },
    I64TruncF32U { dst: Slot, src: Slot },
    I64TruncF64S { dst: Slot, src: Slot },
    I64TruncF64U { dst: Slot, src: Slot },
    F32ConvertI32S { dst: Slot, src: Slot },
    F32ConvertI32U { dst: Slot, src: Slot },
    F32ConvertI64S { dst: Slot, src: Slot },
    F32ConvertI64U { dst: Slot, src: Slot },
    F32DemoteF64 { dst: Slot, src: Slot },
    F64ConvertI32S { dst: Slot, src: Slot },
    F64ConvertI32U { dst: Slot, src: Slot },
    F64ConvertI64S { dst: Slot, src: Slot },
    F64ConvertI64U { dst: Slot, src: Slot },
    F64PromoteF32 { dst: Slot, src: Slot },
    I32Extend8S { dst: Slot, src: Slot },
    I32Extend16S { dst: Slot, src: Slot },
    I64Extend8S { dst: Slot, src: Slot },
    I64Extend16S { dst: Slot, src: Slot },
    I64Extend32S { dst: Slot, src: Slot },
    /// Saturating truncations never trap (NaN gives 0).
    I32TruncSatF32S { dst: Slot, src: Slot },
    I32TruncSatF32U { dst: Slot, src: Slot },
    I32TruncSatF64S { dst: Slot, src: Slot },
    I32TruncSatF64U { dst: Slot, src: Slot },
    I64TruncSatF32S { dst: Slot, src: Slot },
    I64TruncSatF32U { dst: Slot, src: Slot },
    I64TruncSatF64S { dst: Slot, src: Slot },
    I64TruncSatF64U { dst: Slot, src: Slot },

    // ---- immediate right operands (fused `const` + op) --------------------
    // `slot[dst] = slot[lhs] OP imm`; the i32 forms take the constant as is,
    // the i64 forms sign-extend a 32-bit constant.
    I32MulImm { dst: Slot, lhs: Slot, imm: u32 },
    I32AndImm { dst: Slot, lhs: Slot, imm: u32 },
    I32OrImm { dst: Slot, lhs: Slot, imm: u32 },
    I32XorImm { dst: Slot, lhs: Slot, imm: u32 },
    I32ShlImm { dst: Slot, lhs: Slot, imm: u32 },
    I32ShrSImm { dst: Slot, lhs: Slot, imm: u32 },
    I32ShrUImm { dst: Slot, lhs: Slot, imm: u32 },
    /// `i32.rotl` by a constant (also `i32.rotr`, as a left rotation by `32 - n`); `imm < 32`.
    I32RotlImm { dst: Slot, lhs: Slot, imm: u32 },
    I32EqImm { dst: Slot, lhs: Slot, imm: u32 },
    I32NeImm { dst: Slot, lhs: Slot, imm: u32 },
    I32LtSImm { dst: Slot, lhs: Slot, imm: u32 },
    I32LtUImm { dst: Slot, lhs: Slot, imm: u32 },
    I32GtSImm { dst: Slot, lhs: Slot, imm: u32 },
    I32GtUImm { dst: Slot, lhs: Slot, imm: u32 },
    I32LeSImm { dst: Slot, lhs: Slot, imm: u32 },
    I32LeUImm { dst: Slot, lhs: Slot, imm: u32 },
    I32GeSImm { dst: Slot, lhs: Slot, imm: u32 },
    I32GeUImm { dst: Slot, lhs: Slot, imm: u32 },
    I64AddImm { dst: Slot, lhs: Slot, imm: i32 },
    I64MulImm { dst: Slot, lhs: Slot, imm: i32 },
    I64AndImm { dst: Slot, lhs: Slot, imm: i32 },
    I64OrImm { dst: Slot, lhs: Slot, imm: i32 },
    I64XorImm { dst: Slot, lhs: Slot, imm: i32 },
    I64ShlImm { dst: Slot, lhs: Slot, imm: i32 },
    I64ShrSImm { dst: Slot, lhs: Slot, imm: i32 },
    I64ShrUImm { dst: Slot, lhs: Slot, imm: i32 },
    /// `i64.rotl` by a constant (also `i64.rotr`, as a left rotation by `64 - n`); `0 <= imm < 64`.
    I64RotlImm { dst: Slot, lhs: Slot, imm: i32 },
    I64EqImm { dst: Slot, lhs: Slot, imm: i32 },
    I64NeImm { dst: Slot, lhs: Slot, imm: i32 },
    I64LtSImm { dst: Slot, lhs: Slot, imm: i32 },
    I64LtUImm { dst: Slot, lhs: Slot, imm: i32 },
    I64GtSImm { dst: Slot, lhs: Slot, imm: i32 },
    I64GtUImm { dst: Slot, lhs: Slot, imm: i32 },
    I64LeSImm { dst: Slot, lhs: Slot, imm: i32 },
    I64LeUImm { dst: Slot, lhs: Slot, imm: i32 },
    I64GeSImm { dst: Slot, lhs: Slot, imm: i32 },
    I64GeUImm { dst: Slot, lhs: Slot, imm: i32 },

    // ---- fused compare + branch: jump to `target` when the comparison holds ----
    BrI32Eq { lhs: Slot, rhs: Slot, target: u32 },
    BrI32Ne { lhs: Slot, rhs: Slot, target: u32 },
    BrI32LtS { lhs: Slot, rhs: Slot, target: u32 },
    BrI32LtU { lhs: Slot, rhs: Slot, target: u32 },
    BrI32GtS { lhs: Slot, rhs: Slot, target: u32 },
    BrI32GtU { lhs: Slot, rhs: Slot, target: u32 },
    BrI32LeS { lhs: Slot, rhs: Slot, target: u32 },
    BrI32LeU { lhs: Slot, rhs: Slot, target: u32 },
    BrI32GeS { lhs: Slot, rhs: Slot, target: u32 },
    BrI32GeU { lhs: Slot, rhs: Slot, target: u32 },
    BrI32EqImm { lhs: Slot, imm: u32, target: u32 },
    BrI32NeImm { lhs: Slot, imm: u32, target: u32 },
    BrI32LtSImm { lhs: Slot, imm: u32, target: u32 },
    BrI32LtUImm { lhs: Slot, imm: u32, target: u32 },
    BrI32GtSImm { lhs: Slot, imm: u32, target: u32 },
    BrI32GtUImm { lhs: Slot, imm: u32, target: u32 },
    BrI32LeSImm { lhs: Slot, imm: u32, target: u32 },
    BrI32LeUImm { lhs: Slot, imm: u32, target: u32 },
    BrI32GeSImm { lhs: Slot, imm: u32, target: u32 },
    BrI32GeUImm { lhs: Slot, imm: u32, target: u32 },
    BrI64Eq { lhs: Slot, rhs: Slot, target: u32 },
    BrI64Ne { lhs: Slot, rhs: Slot, target: u32 },
    BrI64LtS { lhs: Slot, rhs: Slot, target: u32 },
    BrI64LtU { lhs: Slot, rhs: Slot, target: u32 },
    BrI64GtS { lhs: Slot, rhs: Slot, target: u32 },
    BrI64GtU { lhs: Slot, rhs: Slot, target: u32 },
    BrI64LeS { lhs: Slot, rhs: Slot, target: u32 },
    BrI64LeU { lhs: Slot, rhs: Slot, target: u32 },
    BrI64GeS { lhs: Slot, rhs: Slot, target: u32 },
    BrI64GeU { lhs: Slot, rhs: Slot, target: u32 },
    BrI64EqImm { lhs: Slot, imm: i32, target: u32 },
    BrI64NeImm { lhs: Slot, imm: i32, target: u32 },
    BrI64LtSImm { lhs: Slot, imm: i32, target: u32 },
    BrI64LtUImm { lhs: Slot, imm: i32, target: u32 },
    BrI64GtSImm { lhs: Slot, imm: i32, target: u32 },
    BrI64GtUImm { lhs: Slot, imm: i32, target: u32 },
    BrI64LeSImm { lhs: Slot, imm: i32, target: u32 },
    BrI64LeUImm { lhs: Slot, imm: i32, target: u32 },
    BrI64GeSImm { lhs: Slot, imm: i32, target: u32 },
    BrI64GeUImm { lhs: Slot, imm: i32, target: u32 },
    /// Jump to `target` when `cond` (i64) is zero.
    BrIfEqz64 { cond: Slot, target: u32 },
    /// Jump to `target` when `cond` (i64) is not zero.
    BrIfNez64 { cond: Slot, target: u32 },

    // ---- determinism -----------------------------------------------------------
    /// Replace a NaN in `slot` (f32) with the canonical NaN `0x7fc00000`.
    CanonNan32 { slot: Slot },
    /// Replace a NaN in `slot` (f64) with the canonical NaN `0x7ff8000000000000`.
    CanonNan64 { slot: Slot },

    // ---- superinstructions ---------------------------------------------------
    // Pairs of instructions chosen by measurement (`WASIPROC_PROFILE=pairs`,
    // ARCHITECTURE.md). A superinstruction *overlays* the first of the two:
    // it does the work of both and continues after the second, which stays
    // in place unchanged, so a branch to it still finds it. Both parts name
    // 16-bit slots (`Pair16`); immediates are 16-bit (signed for additions).
    // If the second part traps, the first part's effect stands and execution
    // stops at the second instruction, as without fusion.
    /// `I32AddImm` (`a` = (dst, lhs), `imms.0`) then `I32AddImm` (`b`, `imms.1`).
    I32AddImm2 { a: Pair16, b: Pair16, imms: Pair16 },
    /// `I32AddImm` (`a` = (dst, lhs), `imms.0`) then `I32Load8U` (`b` = (dst,
    /// addr), offset `imms.1`).
    I32AddImmLoad8U { a: Pair16, b: Pair16, imms: Pair16 },
    /// `I32Add` (`a` = (dst, lhs), `ops.0` = rhs) then `BrI32LeU` comparing
    /// the sum (`a.0`) with `ops.1`.
    I32AddBrI32LeU { a: Pair16, ops: Pair16, target: u32 },
    /// `I32AddImm` (`a` = (dst, lhs), `ops.0` = imm) then `BrI32Ne` comparing
    /// the sum (`a.0`) with `ops.1`.
    I32AddImmBrI32Ne { a: Pair16, ops: Pair16, target: u32 },
    /// `I32RotlImm` (`a` = (dst, lhs), `ops.1` = amount) then `I32Xor` (`b`
    /// = (dst, lhs), `ops.0` = rhs).
    I32RotlImmXor { a: Pair16, b: Pair16, ops: Pair16 },
    /// `Copy` (`a` = (dst, src)) then `I32AddImm` (`b` = (dst, lhs), `imm`).
    CopyI32AddImm { a: Pair16, b: Pair16, imm: u32 },
    /// `I32Load8U` (`ops` = (dst, addr), `offset`) then the `BrTable` on the
    /// loaded byte that follows it (`len` entries after that `BrTable`).
    I32Load8UBrTable { ops: Pair16, offset: u32, len: u32 },
    /// A triple (sieve's marking loop): `I32Store8ImmIdx` of the byte `imm`
    /// at `idx.0 + idx.1`, then `I32Add` adding `ops.0` to `idx.1` in place,
    /// then `BrI32LeU` comparing the new `idx.1` with `ops.1`; the
    /// second instruction is itself overlaid by [`Instr::I32AddBrI32LeU`],
    /// and execution continues after the third. A store that traps does
    /// nothing else.
    I32Store8ImmIdxAddBrI32LeU { imm: u8, idx: Pair16, ops: Pair16, target: u32 },
    /// `I32ShlImm` (`a` = (dst, lhs), `imm`) then `I32Add` of its result and
    /// `b.1` into `b.0` (either operand order: addition commutes).
    I32ShlImmAdd { a: Pair16, b: Pair16, imm: u32 },
    /// `I32ShrUImm` (`a` = (dst, lhs), `imms.0`) then `I32AndImm` (`b` =
    /// (dst, lhs)) with the zero-extended 16-bit mask `imms.1`.
    I32ShrUImmAndImm { a: Pair16, b: Pair16, imms: Pair16 },
    /// `I64Store` (`ops` = (addr, value), `offset`) then `Br` to `target`.
    /// A store that traps does nothing else.
    I64StoreBr { ops: Pair16, offset: u32, target: u32 },
    /// `I32Add` (`a` = (dst, lhs), `rhs.0`) then `I32Add` (`b` = (dst,
    /// lhs), `rhs.1`).
    I32Add2 { a: Pair16, b: Pair16, rhs: Pair16 },
    /// `I32Mul` (`a` = (dst, lhs), `rhs`) then `I32Add` of its result and
    /// `b.1` into `b.0` (either operand order: addition commutes).
    I32MulAdd { a: Pair16, b: Pair16, rhs: u32 },
    /// `I32Add` (`a` = (dst, lhs), `ops.0` = rhs) then `I32AddImm` (`b` =
    /// (dst, lhs), `ops.1` = imm).
    I32AddAddImm { a: Pair16, b: Pair16, ops: Pair16 },
    /// `I32AddImm` (`a` = (dst, lhs), `imms.0`) then `BrI32NeImm` comparing
    /// the sum (`a.0`) with `imms.1` (both immediates sign-extended).
    I32AddImmBrI32NeImm { a: Pair16, imms: Pair16, target: u32 },
    /// `Copy` (`a` = (dst, src)) then `BrIfNez` on `cond`.
    CopyBrIfNez { a: Pair16, cond: Slot, target: u32 },
    /// `Copy` (`a` = (dst, src)) then `BrIfEqz` on `cond`.
    CopyBrIfEqz { a: Pair16, cond: Slot, target: u32 },
    /// `I32Load` (`ops` = (dst, addr), `offset`) then `BrIfNez` on the
    /// loaded value. A load that traps does nothing else.
    I32LoadBrIfNez { ops: Pair16, offset: u32, target: u32 },
    /// `I32Xor` (`a` = (dst, lhs), `ops.0` = rhs) then `I32AndImm` (`b` =
    /// (dst, lhs)) with the zero-extended 16-bit mask `ops.1`.
    I32XorAndImm { a: Pair16, b: Pair16, ops: Pair16 },
    /// `I32Load` (`a` = (dst, addr), offset `offsets.0`) then `I32Store`
    /// (`b` = (addr, value), offset `offsets.1`). A load that traps does
    /// nothing else; if the store traps, the load's result stands.
    I32LoadStore { a: Pair16, b: Pair16, offsets: Pair16 },
    /// `I32Load` (`a` = (dst, addr), offset `ops.0`) then `I32AddImm` (`b`
    /// = (dst, lhs), `ops.1` sign-extended). A load that traps does
    /// nothing else.
    I32LoadAddImm { a: Pair16, b: Pair16, ops: Pair16 },
    /// `I32AddImm` (`a` = (dst, lhs), `imms.0` sign-extended) then
    /// `I32AndImm` (`b` = (dst, lhs)) with the zero-extended 16-bit mask
    /// `imms.1`.
    I32AddImmAndImm { a: Pair16, b: Pair16, imms: Pair16 },
    // Session 8 (sieve's branch-free counting loop, CoreMark's list walks).
    /// `I32Eqz` (`a` = (dst, src)) then `I32Add` of its result and `b.1`
    /// into `b.0` (either operand order: addition commutes).
    I32EqzAdd { a: Pair16, b: Pair16 },
    /// `I64Add` (`a` = (dst, lhs), `rhs.0`) then `I64Add` (`b` = (dst,
    /// lhs), `rhs.1`).
    I64Add2 { a: Pair16, b: Pair16, rhs: Pair16 },
    /// `I32Load8U` (`a` = (dst, addr), `offset`) then `SelectZero` (`b` =
    /// (dst, rhs)) on the loaded byte. A load that traps does nothing else.
    I32Load8USelectZero { a: Pair16, b: Pair16, offset: u32 },
    /// `I32Load` (`a` = (dst, addr), offset `offsets.0`) then `I32Load8U`
    /// (`b` = (dst, addr), offset `offsets.1`). A first load that traps
    /// does nothing else; if the second traps, the first's result stands.
    I32LoadLoad8U { a: Pair16, b: Pair16, offsets: Pair16 },
    /// `Copy` (`a` = (dst, src)) then `BrI32NeImm` comparing `ops.0` with
    /// the sign-extended 16-bit `ops.1`.
    CopyBrI32NeImm { a: Pair16, ops: Pair16, target: u32 },
    /// `I32XorImm` (`a` = (dst, lhs), `imms.0` sign-extended) then
    /// `I32ShrUImm` (`b` = (dst, lhs)) by `imms.1` (below 32).
    I32XorImmShrUImm { a: Pair16, b: Pair16, imms: Pair16 },
    /// `I32Load16U` (`a` = (dst, addr), offset `ops.0`) then `I32AndImm`
    /// (`b` = (dst, lhs)) with the zero-extended 16-bit mask `ops.1`. A
    /// load that traps does nothing else.
    I32Load16UAndImm { a: Pair16, b: Pair16, ops: Pair16 },
    /// `Const64` of `value` (sign-extended) into `dst`, then `Copy` (`b` =
    /// (dst, src)).
    Const64Copy { dst: u16, b: Pair16, value: i32 },
    // Session 9 (bcvm: a register file indexed by a byte of the bytecode).
    /// Four instructions: `I32AddImm` (`a` = (base, lhs), `imms.0`
    /// sign-extended), `I32Load8U` (`b` = (byte, addr), offset the low 8
    /// bits of `imms.1`), `I32ShlImm` of the byte in place by the high 8
    /// bits of `imms.1` (below 32), then `I32Add` of base and shifted byte
    /// into `dst` (either operand order). `base` and `byte` are distinct
    /// slots. Execution continues after the fourth. If the load traps, the
    /// addition's result stands and execution stops at the load.
    I32AddImmLoad8UShlAdd { dst: u16, a: Pair16, b: Pair16, imms: Pair16 },
    /// [`Instr::I32AddImmLoad8UShlAdd`] with an `I32Load` (4 bytes) in
    /// place of the `I32Load8U` (bcvm's jump: `pc = code + i->imm`).
    I32AddImmLoadShlAdd { dst: u16, a: Pair16, b: Pair16, imms: Pair16 },
    /// Three instructions: `I32AddImm` (`a` = (base, lhs), `imms.0`
    /// sign-extended), `I32Load8U` (`b` = (byte, addr), offset `imms.1`),
    /// then an 8-byte `I64LoadIdxShl`/`F64LoadIdxShl` of `base + byte * 8`
    /// into `dst`. `base` and `byte` are distinct slots. Execution
    /// continues after the third. If a load traps, the parts before it
    /// stand and execution stops at it.
    I32AddImmLoad8ULoadIdx8 { dst: u16, a: Pair16, b: Pair16, imms: Pair16 },
    /// Three instructions (matmul's `c[j] += a * b[j]`): `F64MulLoad`
    /// (`dst` = `ops.0` times the f64 at `ops.1 + offsets.0`), `F64AddLoad`
    /// of `dst` and the f64 at `addr + offsets.1` into `dst`, then
    /// `F64Store` of `dst` at that same address. `dst` and `addr` are
    /// distinct slots. Execution continues after the third. If an access
    /// traps, the parts before it stand and execution stops at it.
    F64MulLoadAddStore { dst: u16, addr: u16, ops: Pair16, offsets: Pair16 },
    /// Four instructions (matmul's same statement, the element loaded at a
    /// wrapping address): `F64LoadWrap` of the f64 at `u32(ops.1 + imms.0)`
    /// into `tmp`, `F64Mul` of `ops.0` by `tmp` into `dst`, `F64AddLoad` of
    /// `dst` and the f64 at `addr + imms.1` into `dst`, then `F64Store` of
    /// `dst` at that same address. Execution continues after the fourth. If
    /// an access traps, the parts before it stand and execution stops at it.
    F64LoadWrapMulAddStore { dst: u16, tmp: u16, addr: u16, ops: Pair16, imms: Pair16 },

    // ---- Wasm 3.0 proposals ----------------------------------------------------
    // Rare instructions, run by the interpreter loop (no threaded handler).
    /// `return_call` of a function defined in this module: its arguments,
    /// in slots `base..`, move to slots `0..` and the callee replaces the
    /// current function in the current frame (same frame pointer, the frame
    /// stack does not grow). Traps: `StackExhausted` when the callee's frame
    /// does not fit in the value-stack limit.
    ReturnCallInternal { func: u32, base: Slot },
    /// `return_call` of an imported function. A Wasm callee replaces the
    /// current function as in [`Instr::ReturnCallInternal`]; a host callee
    /// is called as by [`Instr::CallImported`] (results in slots `base..`),
    /// and the translated code after this instruction moves them to `0..`
    /// and returns.
    ReturnCallImported { func: u32, base: Slot },
    /// `return_call_indirect`: the checks of [`Instr::CallIndirect`], then
    /// as [`Instr::ReturnCallImported`] for the function found.
    ReturnCallIndirect { type_index: u32, table: u32, base: Slot },
    /// A load from memory `mem` of the instance, for the accesses the
    /// memory-0 forms above do not cover: another memory (multi-memory) or
    /// a 64-bit memory (memory64, address `slot[addr]` as i64). The offset
    /// is in the [`Instr::MemOffset`] that follows; `op` is a [`mem_op`]
    /// load code. Traps: `MemoryOutOfBounds`.
    MemLoad { dst: Slot, addr: Slot, mem: u16, op: u8 },
    /// A store of `slot[value]` to memory `mem` (see [`Instr::MemLoad`]);
    /// `op` is the width in bytes.
    MemStore { addr: Slot, value: Slot, mem: u16, op: u8 },
    /// The offset of the [`Instr::MemLoad`] or [`Instr::MemStore`] before
    /// it: data, skipped by that instruction, a no-op if reached.
    MemOffset { offset: u64 },
    /// `memory.size` of memory `mem` (any memory; an i64 for a 64-bit one).
    MemorySizeN { dst: Slot, mem: u32 },
    /// `memory.grow` of memory `mem` (any memory; i64 operand and result for
    /// a 64-bit one).
    MemoryGrowN { dst: Slot, delta: Slot, mem: u32 },
    /// `memory.fill` of memory `mem`: operands (dest, value, len) in
    /// `base..`; i64 dest and len for a 64-bit memory.
    MemoryFillN { base: Slot, mem: u32 },
    /// `memory.copy` from memory `src_mem` to memory `dst_mem`: operands
    /// (dest, src, len) in `base..`, each address as wide as its memory, the
    /// length an i64 only when both are 64-bit.
    MemoryCopyN { base: Slot, dst_mem: u16, src_mem: u16 },
    /// `memory.init` of memory `mem` from data segment `data`: operands
    /// (dest, src, len) in `base..`, dest an i64 for a 64-bit memory.
    MemoryInitN { data: u32, base: Slot, mem: u32 },
    /// `i64.add128` (wide arithmetic): the 128-bit sum of (lo, hi) pairs in
    /// slots `base, base + 1` and `base + 2, base + 3`; the result's low and
    /// high halves go to `base` and `base + 1`.
    I64Add128 { base: Slot },
    /// `i64.sub128`: as [`Instr::I64Add128`], the difference.
    I64Sub128 { base: Slot },
    /// `i64.mul_wide_s`: the 128-bit signed product of slots `base` and
    /// `base + 1`, low half to `base`, high half to `base + 1`.
    I64MulWideS { base: Slot },
    /// `i64.mul_wide_u`: as [`Instr::I64MulWideS`], unsigned.
    I64MulWideU { base: Slot },
    /// `call_ref` (function references): calls the function referenced by
    /// slot `base + params` of type `type_index`; arguments and results as
    /// for [`Instr::CallImported`]. Traps: `NullFunctionReference`.
    CallRef { type_index: u32, base: Slot },
    /// `return_call_ref`: as [`Instr::CallRef`], a tail call (see
    /// [`Instr::ReturnCallImported`]).
    ReturnCallRef { type_index: u32, base: Slot },
    /// `ref.as_non_null`: traps with `NullReference` when `slot` is null.
    RefAsNonNull { slot: Slot },

    // ---- SIMD (fixed-width and relaxed; semantics in `exec/simd`) --------
    // A v128 occupies two adjacent slots, low 64 bits first; an operand
    // named by one slot is read from it and the next.
    /// SIMD operation `op` of one operand (`unary`, `test`, `splat`,
    /// `extract` shapes of [`SimdOp`]; `lane` the lane immediate or 0): reads
    /// `src`, writes `dst`. Also the in-place NaN canonicalisation of
    /// deterministic runs (`src == dst`). Never traps.
    Simd1 { dst: Slot, src: Slot, op: SimdOp, lane: u8 },
    /// SIMD operation `op` of two operands (`binary`, `shift`, `replace`
    /// shapes): the v128 at `ops.0` and the v128 or scalar at `ops.1`;
    /// writes `dst`. Never traps.
    Simd2 { dst: Slot, ops: Pair16, op: SimdOp, lane: u8 },
    /// SIMD operation `op` with operands in consecutive slots from `base`:
    /// the first (a v128) at `base`, the second at `base + 2`, the third at
    /// `base + 4`; the result to `base` (any shape; the form of operations
    /// of three operands, and of others whose slots do not fit a
    /// [`Pair16`]). Never traps.
    SimdBase { base: Slot, op: SimdOp, lane: u8 },
    /// `v128.load` from memory 0 (a 32-bit memory of 64 KiB pages): 16 bytes
    /// at `slot[addr] + offset` to `dst`, `dst + 1`. Traps: `MemoryOutOfBounds`.
    V128Load { dst: Slot, addr: Slot, offset: u32 },
    /// `v128.store` to memory 0: the v128 at `value` to `slot[addr] +
    /// offset`. Traps: `MemoryOutOfBounds`.
    V128Store { addr: Slot, value: Slot, offset: u32 },
    /// Any other SIMD memory access (`load`, `load_lane`, `store_lane`
    /// shapes of [`SimdOp`] and `v128.store`), to memory `mem` (any memory;
    /// an i64 address for a 64-bit one): the address at `base`, the vector
    /// (lane accesses and stores) at `base + 1`; a loaded v128 goes to
    /// `base`. The offset is in the [`Instr::MemOffset`] that follows.
    /// Traps: `MemoryOutOfBounds`.
    SimdMem { base: Slot, mem: u16, op: SimdOp, lane: u8 },
    /// `global.get` of a v128 global: to `dst`, `dst + 1`.
    GlobalGetV128 { dst: Slot, global: u32 },
    /// `global.set` of a v128 global from `src`, `src + 1`.
    GlobalSetV128 { src: Slot, global: u32 },
    /// As [`Instr::SimdMem`], of memory 0 when it is a 32-bit memory of
    /// 64 KiB pages (the memory of the handlers' cached view), with the
    /// offset inline. Traps: `MemoryOutOfBounds`.
    SimdMem0 { base: Slot, offset: u32, op: SimdOp, lane: u8 },
    // ---- exception handling (exec/unwind.rs) ----
    /// `throw`: creates an exception of the instance's tag `tag` whose
    /// payload is in slots `base..` (as many as the tag's type has
    /// parameters) and unwinds to the first handler that catches it
    /// (the body's [`Handler`] table, then the callers'). Traps:
    /// `UncaughtException` when none does, `MemoryLimit` when the object
    /// cannot be allocated.
    Throw { tag: u32, base: Slot },
    /// `throw_ref`, and the legacy `rethrow` (whose slot holds the caught
    /// exception): throws the exception `slot` refers to again, as
    /// [`Instr::Throw`]. Traps: `NullReference` when it is null.
    ThrowRef { slot: Slot },
}

/// [`Handler::exn`] when the handler delivers no `exnref`.
pub(crate) const NO_SLOT: Slot = Slot::MAX;

/// What a [`Handler`] does with an exception thrown inside its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HandlerKind {
    /// Catches exceptions of the instance's tag with this module index.
    Tag(u32),
    /// Catches every exception.
    All,
    /// Legacy `delegate`: catches nothing; the search goes on from handler
    /// [`Handler::target`] of the same table (the handlers enclosing the
    /// delegate's label), skipping those in between.
    Delegate,
}

/// One exception handler of a body: a `try_table` catch clause, a legacy
/// `catch`/`catch_all` arm, or a legacy `delegate`. A body's handlers are
/// ordered innermost first (a construct's clauses in their order), so the
/// first one whose range holds the throwing instruction (or, in a caller,
/// the call) and whose kind matches is the one that catches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Handler {
    /// The instructions `start..end` are covered.
    pub start: u32,
    pub end: u32,
    pub kind: HandlerKind,
    /// Where execution continues (or, for `Delegate`, the handler index the
    /// search continues from).
    pub target: u32,
    /// The first slot the payload values are written to.
    pub payload: Slot,
    /// The slot the `exnref` is written to (`catch_ref`, `catch_all_ref`,
    /// legacy arms, which keep it for `rethrow`), or [`NO_SLOT`].
    pub exn: Slot,
    /// The exception is caught without a reference anywhere (`catch` and
    /// `catch_all` of `try_table`): its object can be reused.
    pub releases: bool,
}

/// The access codes of [`Instr::MemLoad`]: bits 0-3 the width in bytes,
/// bit 4 sign extension, bit 5 a 64-bit result (else the result is
/// zero-extended from 32 bits). A store's code is its width.
pub(crate) mod mem_op {
    /// Sign-extend the loaded value.
    pub(crate) const SIGNED: u8 = 0x10;
    /// The result is an i64 (or f64).
    pub(crate) const WIDE: u8 = 0x20;

    /// `(width, signed, wide)` of a load code.
    #[inline]
    pub(crate) fn load_parts(op: u8) -> (usize, bool, bool) {
        ((op & 0x0f) as usize, op & SIGNED != 0, op & WIDE != 0)
    }
}

impl Instr {
    /// Whether the interpreter loop must open the default memory's view
    /// before running this instruction (`exec/mem_view.rs`): true for every
    /// instruction except the control and call instructions listed here,
    /// which never read or write a linear memory themselves. A wrong `true`
    /// only costs a look at the memory when its store ends; so anything not
    /// known to leave memory alone answers `true`.
    pub(crate) fn may_access_memory(&self) -> bool {
        !matches!(
            self,
            Instr::Unreachable
                | Instr::Untranslated
                | Instr::ConsumeFuel { .. }
                | Instr::Br { .. }
                | Instr::BrIfEqz { .. }
                | Instr::BrIfNez { .. }
                | Instr::BrTable { .. }
                | Instr::Return
                | Instr::CallInternal { .. }
                | Instr::CallImported { .. }
                | Instr::CallIndirect { .. }
                | Instr::CallRef { .. }
                | Instr::ReturnCallInternal { .. }
                | Instr::ReturnCallImported { .. }
                | Instr::ReturnCallIndirect { .. }
                | Instr::ReturnCallRef { .. }
        )
    }
}

impl Instr {
    /// The result slot of a pure producer: an instruction that reads all its
    /// inputs before writing `dst` and has no other effect on slots. The
    /// translator may redirect such a result straight into a local.
    pub(crate) fn dst_mut(&mut self) -> Option<&mut Slot> {
        match self {
            Instr::Copy { dst, .. }
            | Instr::Const64 { dst, .. }
            | Instr::SelectZero { dst, .. }
            | Instr::SelectTo { dst, .. }
            | Instr::SelectImm { dst, .. }
            | Instr::GlobalGet { dst, .. }
            | Instr::RefFunc { dst, .. }
            | Instr::TableGet { dst, .. }
            | Instr::TableSize { dst, .. }
            | Instr::MemorySize { dst, .. }
            | Instr::MemoryGrow { dst, .. }
            | Instr::I32Load { dst, .. }
            | Instr::I64Load { dst, .. }
            | Instr::F32Load { dst, .. }
            | Instr::F64Load { dst, .. }
            | Instr::I32Load8S { dst, .. }
            | Instr::I32Load8U { dst, .. }
            | Instr::I32Load16S { dst, .. }
            | Instr::I32Load16U { dst, .. }
            | Instr::I64Load8S { dst, .. }
            | Instr::I64Load8U { dst, .. }
            | Instr::I64Load16S { dst, .. }
            | Instr::I64Load16U { dst, .. }
            | Instr::I64Load32S { dst, .. }
            | Instr::I64Load32U { dst, .. }
            | Instr::I32LoadIdx { dst, .. }
            | Instr::I64LoadIdx { dst, .. }
            | Instr::F32LoadIdx { dst, .. }
            | Instr::F64LoadIdx { dst, .. }
            | Instr::I32Load8SIdx { dst, .. }
            | Instr::I32Load8UIdx { dst, .. }
            | Instr::I32Load16UIdx { dst, .. }
            | Instr::I32LoadWrap { dst, .. }
            | Instr::I32LoadIdxShl { dst, .. }
            | Instr::I64LoadIdxShl { dst, .. }
            | Instr::F64LoadIdxShl { dst, .. }
            | Instr::I64LoadWrap { dst, .. }
            | Instr::F32LoadWrap { dst, .. }
            | Instr::F64LoadWrap { dst, .. }
            | Instr::I32Load8UWrap { dst, .. }
            | Instr::F64AddLoad { dst, .. }
            | Instr::F64SubLoad { dst, .. }
            | Instr::F64MulLoad { dst, .. }
            | Instr::I32Eqz { dst, .. }
            | Instr::I32Eq { dst, .. }
            | Instr::I32Ne { dst, .. }
            | Instr::I32LtS { dst, .. }
            | Instr::I32LtU { dst, .. }
            | Instr::I32GtS { dst, .. }
            | Instr::I32GtU { dst, .. }
            | Instr::I32LeS { dst, .. }
            | Instr::I32LeU { dst, .. }
            | Instr::I32GeS { dst, .. }
            | Instr::I32GeU { dst, .. }
            | Instr::I32Clz { dst, .. }
            | Instr::I32Ctz { dst, .. }
            | Instr::I32Popcnt { dst, .. }
            | Instr::I32Add { dst, .. }
            | Instr::I32Sub { dst, .. }
            | Instr::I32Mul { dst, .. }
            | Instr::I32DivS { dst, .. }
            | Instr::I32DivU { dst, .. }
            | Instr::I32RemS { dst, .. }
            | Instr::I32RemU { dst, .. }
            | Instr::I32And { dst, .. }
            | Instr::I32Or { dst, .. }
            | Instr::I32Xor { dst, .. }
            | Instr::I32Shl { dst, .. }
            | Instr::I32ShrS { dst, .. }
            | Instr::I32ShrU { dst, .. }
            | Instr::I32Rotl { dst, .. }
            | Instr::I32Rotr { dst, .. }
            | Instr::I32AddImm { dst, .. }
            | Instr::I64Eqz { dst, .. }
            | Instr::I64Eq { dst, .. }
            | Instr::I64Ne { dst, .. }
            | Instr::I64LtS { dst, .. }
            | Instr::I64LtU { dst, .. }
            | Instr::I64GtS { dst, .. }
            | Instr::I64GtU { dst, .. }
            | Instr::I64LeS { dst, .. }
            | Instr::I64LeU { dst, .. }
            | Instr::I64GeS { dst, .. }
            | Instr::I64GeU { dst, .. }
            | Instr::I64Clz { dst, .. }
            | Instr::I64Ctz { dst, .. }
            | Instr::I64Popcnt { dst, .. }
            | Instr::I64Add { dst, .. }
            | Instr::I64Sub { dst, .. }
            | Instr::I64Mul { dst, .. }
            | Instr::I64DivS { dst, .. }
            | Instr::I64DivU { dst, .. }
            | Instr::I64RemS { dst, .. }
            | Instr::I64RemU { dst, .. }
            | Instr::I64And { dst, .. }
            | Instr::I64Or { dst, .. }
            | Instr::I64Xor { dst, .. }
            | Instr::I64Shl { dst, .. }
            | Instr::I64ShrS { dst, .. }
            | Instr::I64ShrU { dst, .. }
            | Instr::I64Rotl { dst, .. }
            | Instr::I64Rotr { dst, .. }
            | Instr::F32Eq { dst, .. }
            | Instr::F32Ne { dst, .. }
            | Instr::F32Lt { dst, .. }
            | Instr::F32Gt { dst, .. }
            | Instr::F32Le { dst, .. }
            | Instr::F32Ge { dst, .. }
            | Instr::F32Abs { dst, .. }
            | Instr::F32Neg { dst, .. }
            | Instr::F32Ceil { dst, .. }
            | Instr::F32Floor { dst, .. }
            | Instr::F32Trunc { dst, .. }
            | Instr::F32Nearest { dst, .. }
            | Instr::F32Sqrt { dst, .. }
            | Instr::F32Add { dst, .. }
            | Instr::F32Sub { dst, .. }
            | Instr::F32Mul { dst, .. }
            | Instr::F32Div { dst, .. }
            | Instr::F32Min { dst, .. }
            | Instr::F32Max { dst, .. }
            | Instr::F32Copysign { dst, .. }
            | Instr::F64Eq { dst, .. }
            | Instr::F64Ne { dst, .. }
            | Instr::F64Lt { dst, .. }
            | Instr::F64Gt { dst, .. }
            | Instr::F64Le { dst, .. }
            | Instr::F64Ge { dst, .. }
            | Instr::F64Abs { dst, .. }
            | Instr::F64Neg { dst, .. }
            | Instr::F64Ceil { dst, .. }
            | Instr::F64Floor { dst, .. }
            | Instr::F64Trunc { dst, .. }
            | Instr::F64Nearest { dst, .. }
            | Instr::F64Sqrt { dst, .. }
            | Instr::F64Add { dst, .. }
            | Instr::F64Sub { dst, .. }
            | Instr::F64Mul { dst, .. }
            | Instr::F64Div { dst, .. }
            | Instr::F64Min { dst, .. }
            | Instr::F64Max { dst, .. }
            | Instr::F64Copysign { dst, .. }
            | Instr::I32WrapI64 { dst, .. }
            | Instr::I32TruncF32S { dst, .. }
            | Instr::I32TruncF32U { dst, .. }
            | Instr::I32TruncF64S { dst, .. }
            | Instr::I32TruncF64U { dst, .. }
            | Instr::I64ExtendI32S { dst, .. }
            | Instr::I64ExtendI32U { dst, .. }
            | Instr::I64TruncF32S { dst, .. }
            | Instr::I64TruncF32U { dst, .. }
            | Instr::I64TruncF64S { dst, .. }
            | Instr::I64TruncF64U { dst, .. }
            | Instr::F32ConvertI32S { dst, .. }
            | Instr::F32ConvertI32U { dst, .. }
            | Instr::F32ConvertI64S { dst, .. }
            | Instr::F32ConvertI64U { dst, .. }
            | Instr::F32DemoteF64 { dst, .. }
            | Instr::F64ConvertI32S { dst, .. }
            | Instr::F64ConvertI32U { dst, .. }
            | Instr::F64ConvertI64S { dst, .. }
            | Instr::F64ConvertI64U { dst, .. }
            | Instr::F64PromoteF32 { dst, .. }
            | Instr::I32Extend8S { dst, .. }
            | Instr::I32Extend16S { dst, .. }
            | Instr::I64Extend8S { dst, .. }
            | Instr::I64Extend16S { dst, .. }
            | Instr::I64Extend32S { dst, .. }
            | Instr::I32TruncSatF32S { dst, .. }
            | Instr::I32TruncSatF32U { dst, .. }
            | Instr::I32TruncSatF64S { dst, .. }
            | Instr::I32TruncSatF64U { dst, .. }
            | Instr::I64TruncSatF32S { dst, .. }
            | Instr::I64TruncSatF32U { dst, .. }
            | Instr::I64TruncSatF64S { dst, .. }
            | Instr::I64TruncSatF64U { dst, .. }
            | Instr::I32MulImm { dst, .. }
            | Instr::I32AndImm { dst, .. }
            | Instr::I32OrImm { dst, .. }
            | Instr::I32XorImm { dst, .. }
            | Instr::I32ShlImm { dst, .. }
            | Instr::I32ShrSImm { dst, .. }
            | Instr::I32ShrUImm { dst, .. }
            | Instr::I32RotlImm { dst, .. }
            | Instr::I32EqImm { dst, .. }
            | Instr::I32NeImm { dst, .. }
            | Instr::I32LtSImm { dst, .. }
            | Instr::I32LtUImm { dst, .. }
            | Instr::I32GtSImm { dst, .. }
            | Instr::I32GtUImm { dst, .. }
            | Instr::I32LeSImm { dst, .. }
            | Instr::I32LeUImm { dst, .. }
            | Instr::I32GeSImm { dst, .. }
            | Instr::I32GeUImm { dst, .. }
            | Instr::I64AddImm { dst, .. }
            | Instr::I64MulImm { dst, .. }
            | Instr::I64AndImm { dst, .. }
            | Instr::I64OrImm { dst, .. }
            | Instr::I64XorImm { dst, .. }
            | Instr::I64ShlImm { dst, .. }
            | Instr::I64ShrSImm { dst, .. }
            | Instr::I64ShrUImm { dst, .. }
            | Instr::I64RotlImm { dst, .. }
            | Instr::I64EqImm { dst, .. }
            | Instr::I64NeImm { dst, .. }
            | Instr::I64LtSImm { dst, .. }
            | Instr::I64LtUImm { dst, .. }
            | Instr::I64GtSImm { dst, .. }
            | Instr::I64GtUImm { dst, .. }
            | Instr::I64LeSImm { dst, .. }
            | Instr::I64LeUImm { dst, .. }
            | Instr::I64GeSImm { dst, .. }
            | Instr::I64GeUImm { dst, .. } => Some(dst),
            _ => None,
        }
    }

    /// Points a jump at `target`; used to patch forward branches.
    pub(crate) fn set_target(&mut self, new: u32) {
        match self.branch_target_mut() {
            Some(target) => *target = new,
            None => unreachable!("patching a non-branch instruction {self:?}"),
        }
    }
}

/// The flag (bit 0) a resolved branch target carries when the instruction
/// the branch names is a [`Instr::ConsumeFuel`] (a loop header or an
/// `else` arm with metering on); the target then leads to the instruction
/// *after* the `ConsumeFuel`. The threaded handlers pay the region's fuel
/// (read from the instruction before) and continue there without
/// dispatching the `ConsumeFuel` (exec/threaded); the general loop
/// continues at the `ConsumeFuel` (`exec/cursor.rs`). See
/// [`Instr::resolve_branches`].
pub(crate) const FUEL_TARGET: u32 = 1;

/// Bodies of more instructions than this are refused (`translate`), so that
/// every resolved branch target, a distance in bytes, fits an `i32`.
pub(crate) const MAX_BODY_INSTRS: usize = 1 << 27;

impl Instr {
    /// The branch target of a jump (any instruction that names one), or
    /// `None`. Every variant with a `target` field must be listed: the
    /// last pass resolves only these targets into distances
    /// ([`Instr::resolve_branches`]), and a handler would read an
    /// unresolved index as a distance (a unit test in
    /// `exec/threaded/decode.rs` checks every variant).
    pub(crate) fn branch_target_mut(&mut self) -> Option<&mut u32> {
        match self {
            Instr::Br { target, .. }
            | Instr::BrIfEqz { target, .. }
            | Instr::BrIfNez { target, .. }
            | Instr::BrIfEqz64 { target, .. }
            | Instr::BrIfNez64 { target, .. }
            | Instr::BrI32Eq { target, .. }
            | Instr::BrI32Ne { target, .. }
            | Instr::BrI32LtS { target, .. }
            | Instr::BrI32LtU { target, .. }
            | Instr::BrI32GtS { target, .. }
            | Instr::BrI32GtU { target, .. }
            | Instr::BrI32LeS { target, .. }
            | Instr::BrI32LeU { target, .. }
            | Instr::BrI32GeS { target, .. }
            | Instr::BrI32GeU { target, .. }
            | Instr::BrI32EqImm { target, .. }
            | Instr::BrI32NeImm { target, .. }
            | Instr::BrI32LtSImm { target, .. }
            | Instr::BrI32LtUImm { target, .. }
            | Instr::BrI32GtSImm { target, .. }
            | Instr::BrI32GtUImm { target, .. }
            | Instr::BrI32LeSImm { target, .. }
            | Instr::BrI32LeUImm { target, .. }
            | Instr::BrI32GeSImm { target, .. }
            | Instr::BrI32GeUImm { target, .. }
            | Instr::BrI64Eq { target, .. }
            | Instr::BrI64Ne { target, .. }
            | Instr::BrI64LtS { target, .. }
            | Instr::BrI64LtU { target, .. }
            | Instr::BrI64GtS { target, .. }
            | Instr::BrI64GtU { target, .. }
            | Instr::BrI64LeS { target, .. }
            | Instr::BrI64LeU { target, .. }
            | Instr::BrI64GeS { target, .. }
            | Instr::BrI64GeU { target, .. }
            | Instr::BrI64EqImm { target, .. }
            | Instr::BrI64NeImm { target, .. }
            | Instr::BrI64LtSImm { target, .. }
            | Instr::BrI64LtUImm { target, .. }
            | Instr::BrI64GtSImm { target, .. }
            | Instr::BrI64GtUImm { target, .. }
            | Instr::BrI64LeSImm { target, .. }
            | Instr::BrI64LeUImm { target, .. }
            | Instr::BrI64GeSImm { target, .. }
            | Instr::BrI64GeUImm { target, .. }
            | Instr::I32AddBrI32LeU { target, .. }
            | Instr::I32AddImmBrI32Ne { target, .. }
            | Instr::I32Store8ImmIdxAddBrI32LeU { target, .. }
            | Instr::I64StoreBr { target, .. }
            | Instr::I32AddImmBrI32NeImm { target, .. }
            | Instr::CopyBrIfNez { target, .. }
            | Instr::CopyBrIfEqz { target, .. }
            | Instr::I32LoadBrIfNez { target, .. }
            | Instr::CopyBrI32NeImm { target, .. } => Some(target),
            _ => None,
        }
    }

    /// The instruction at index `pc` of a resolved body with its branch
    /// target as an index of the body again (a flagged target names its
    /// `ConsumeFuel`), for display.
    pub(crate) fn unresolved(mut self, pc: usize) -> Instr {
        if let Some(target) = self.branch_target_mut() {
            let at = pc as i64 + (*target as i32 >> 4) as i64;
            *target = (at - (*target & FUEL_TARGET) as i64) as u32;
        }
        self
    }

    /// The last pass over a finished body (after fusion; at most
    /// [`MAX_BODY_INSTRS`] instructions): turns every branch target, an
    /// index of the body until now, into the distance in bytes from the
    /// instruction that holds it (a fused instruction holds the target of
    /// its branch part; a `br_table` entry its own) to where threaded code
    /// continues: the target itself, or, when the target is a
    /// `ConsumeFuel`, the instruction after it, with the flag
    /// [`FUEL_TARGET`] (bit 0; distances are multiples of 16). A taken
    /// branch then finds its next instruction by one addition to its own
    /// address, without loading the start of the function's code and
    /// scaling an index. Nothing may read targets as indexes after it
    /// ([`Instr::unresolved`] turns them back, for display), and nothing
    /// changes a body after it (it is moved into an immutable
    /// `module::Body`; lazy translation replaces a function's whole code,
    /// never one instruction). [`Instr::resolved_targets_hold`] checks the
    /// result (debug builds, on every body; the tests).
    pub(crate) fn resolve_branches(code: &mut [Instr]) {
        debug_assert!(code.len() <= MAX_BODY_INSTRS);
        for i in 0..code.len() {
            let mut instr = code[i];
            let Some(target) = instr.branch_target_mut() else {
                continue;
            };
            let (at, flag) = match code.get(*target as usize) {
                Some(Instr::ConsumeFuel { .. }) => (*target as usize + 1, FUEL_TARGET),
                _ => (*target as usize, 0),
            };
            // Both indexes are below 2^27: the distance in bytes fits an i32.
            *target = ((at as i32 - i as i32) << 4) as u32 | flag;
            code[i] = instr;
        }
    }

    /// Whether every `BrTable { len }` of a finished body is followed by
    /// `len + 1` plain [`Instr::Br`] entries, and every `I32Load8UBrTable`
    /// by a `BrTable` of the same `len`: what the threaded `br_table`
    /// handlers rely on to read the selected entry's target without testing
    /// its tag. Translation emits entries as `Br`s and no later pass
    /// replaces one (fusion never starts at a `Br`); it checks this on
    /// every body, in every build, and refuses a body that fails.
    pub(crate) fn br_tables_hold(code: &[Instr]) -> bool {
        code.iter().enumerate().all(|(i, instr)| match *instr {
            Instr::BrTable { len, .. } => code
                .get(i + 1..)
                .and_then(|rest| rest.get(..len as usize + 1))
                .is_some_and(|entries| entries.iter().all(|e| matches!(e, Instr::Br { .. }))),
            Instr::I32Load8UBrTable { len, .. } => {
                matches!(code.get(i + 1), Some(&Instr::BrTable { len: l, .. }) if l == len)
            }
            _ => true,
        })
    }

    /// Whether, in a resolved body, every branch target leads to an
    /// instruction of the body, and every flagged one to the instruction
    /// after a `ConsumeFuel` (see [`Instr::resolve_branches`]).
    pub(crate) fn resolved_targets_hold(code: &[Instr]) -> bool {
        code.iter().enumerate().all(|(i, &instr)| {
            let mut instr = instr;
            let Some(&mut target) = instr.branch_target_mut() else {
                return true;
            };
            let at = usize::try_from(i as i64 + (target as i32 >> 4) as i64).ok();
            match at.filter(|&at| at < code.len()) {
                None => false,
                Some(_) if target & FUEL_TARGET == 0 => target & 15 == 0,
                Some(at) => {
                    target & 15 == FUEL_TARGET
                        && matches!(
                            at.checked_sub(1).map(|p| &code[p]),
                            Some(Instr::ConsumeFuel { .. })
                        )
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn instructions_stay_compact() {
        assert!(core::mem::size_of::<super::Instr>() <= 16);
    }
}

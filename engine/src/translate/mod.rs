//! Translation of validated Wasm function bodies into the internal
//! instruction stream of [`crate::isa`].
//!
//! The translator mirrors the Wasm operand stack at compile time. Each entry
//! is either in its *canonical slot* (`num_locals + height`) or still the
//! current value of a local (`local.get` emits nothing until the value must
//! live in its own slot). Entries naming a local are copied to their
//! canonical slot before that local is written, at block boundaries, and
//! before calls.

use crate::prelude::*;
mod control;
mod exceptions;
mod fuse;
mod offsets;
mod simd;

pub(crate) use offsets::OffsetTable;

use crate::config::Config;
use crate::error::Error;
use crate::isa::{Instr, Pair16, Slot};
use crate::module::Body;
use crate::value::FuncType;
use control::{Control, FrameKind};
use wasmparser::{BlockType, FuncValidator, FunctionBody, Operator, ValidatorResources};

/// What the translator needs to know about the module.
pub(crate) struct ModuleView<'a> {
    pub types: &'a [FuncType],
    pub funcs: &'a [u32],
    pub num_imported_funcs: u32,
    /// Every memory's type, imported ones first.
    pub memories: &'a [crate::value::MemoryType],
    /// Every global's type, imported ones first.
    pub globals: &'a [crate::value::GlobalType],
    /// The type index of every tag, imported ones first.
    pub tags: &'a [u32],
}

/// Where an operand stack entry currently lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operand {
    /// In its canonical slot.
    Stack,
    /// Still equal to the named local.
    Local(u32),
    /// A constant (slot encoding) not yet written anywhere.
    Const(u64),
}

/// Builds a binary instruction from (dst, lhs, rhs).
type Binary = fn(Slot, Slot, Slot) -> Instr;
/// Builds a binary instruction whose right operand is loaded from
/// (dst, lhs, addr, offset).
type LoadRhs = fn(Slot, Pair16, u32) -> Instr;

/// Reusable translation state (allocations are kept between functions).
pub(crate) struct FuncTranslator {
    fuel: bool,
    canonicalize_nans: bool,
    code: Vec<Instr>,
    stack: Vec<Operand>,
    controls: Vec<Control>,
    num_locals: u32,
    max_height: u32,
    reachable: bool,
    /// Nesting depth of blocks opened inside unreachable code.
    dead_depth: u32,
    /// Index of the `ConsumeFuel` of the current fuel region (see `isa`).
    fuel_at: Option<usize>,
    /// Entries below this index are all `Operand::Stack`.
    first_lazy: usize,
    /// Index of the last bound label: instructions before it may be reached
    /// from elsewhere, so peepholes must not rewrite them.
    last_label: usize,
    /// The operator offset of every instruction (for backtraces).
    offsets: offsets::OffsetRecorder,
    /// The slot of every local (index order) and, last, the number of
    /// local slots: a `v128` local takes two slots.
    local_slots: Vec<u32>,
    /// The heights of the `v128` entries of `stack`, ascending. A `v128`
    /// is two entries (low half, then high half), each an ordinary 64-bit
    /// operand for moves; only `drop` and `select`, whose operand type the
    /// operator does not name, need to know (see [`FuncTranslator::is_v128_top`]).
    v128_at: Vec<u32>,
    /// Exception handlers of the body (see `exceptions.rs`).
    handlers: Vec<crate::isa::Handler>,
    /// Handlers whose target is the function's return (patched to a
    /// `Return` after the body).
    return_pads: Vec<usize>,
}

impl ModuleView<'_> {
    /// True for memory 0 when it is a 32-bit memory of 64 KiB pages: the memory the
    /// memory-0 instruction forms (and the threaded handlers' cached view)
    /// serve. Every other memory takes the general forms (`MemLoad`, ...).
    fn is_plain_memory(&self, mem: u32) -> bool {
        mem == 0
            && self
                .memories
                .first()
                .is_some_and(|m| !m.memory64 && m.page_size_log2 == 16)
    }
}

/// The memory a memory argument names (validation admits no other target
/// without the GC proposal's array accesses, which are not enabled).
fn memory_index(memarg: &wasmparser::MemArg) -> u32 {
    match memarg.target {
        wasmparser::MemArgTarget::Memory(m) => m,
        wasmparser::MemArgTarget::Array(_) => 0,
    }
}

/// The memory argument, `mem_op` code and store-ness of a load or store
/// (`None` for other operators).
fn general_access(op: &Operator<'_>) -> Option<(wasmparser::MemArg, u8, bool)> {
    use crate::isa::mem_op::{SIGNED as S, WIDE as W};
    use Operator as O;
    Some(match *op {
        O::I32Load { memarg } | O::F32Load { memarg } => (memarg, 4, false),
        O::I64Load { memarg } | O::F64Load { memarg } => (memarg, 8 | W, false),
        O::I32Load8S { memarg } => (memarg, 1 | S, false),
        O::I32Load8U { memarg } => (memarg, 1, false),
        O::I32Load16S { memarg } => (memarg, 2 | S, false),
        O::I32Load16U { memarg } => (memarg, 2, false),
        O::I64Load8S { memarg } => (memarg, 1 | S | W, false),
        O::I64Load8U { memarg } => (memarg, 1 | W, false),
        O::I64Load16S { memarg } => (memarg, 2 | S | W, false),
        O::I64Load16U { memarg } => (memarg, 2 | W, false),
        O::I64Load32S { memarg } => (memarg, 4 | S | W, false),
        O::I64Load32U { memarg } => (memarg, 4 | W, false),
        O::I32Store { memarg } | O::F32Store { memarg } | O::I64Store32 { memarg } => {
            (memarg, 4, true)
        }
        O::I64Store { memarg } | O::F64Store { memarg } => (memarg, 8, true),
        O::I32Store8 { memarg } | O::I64Store8 { memarg } => (memarg, 1, true),
        O::I32Store16 { memarg } | O::I64Store16 { memarg } => (memarg, 2, true),
        _ => return None,
    })
}

/// Adds the translation context to an error.
fn at(offset: u64) -> impl Fn(wasmparser::BinaryReaderError) -> Error {
    move |e| {
        let mut err = Error::from_parser(e);
        if let Error::Invalid { offset: o, .. } = &mut err
            && *o == 0
        {
            *o = offset;
        }
        err
    }
}

impl FuncTranslator {
    pub(crate) fn new(config: &Config) -> Self {
        FuncTranslator {
            fuel: config.consume_fuel,
            canonicalize_nans: config.canonicalize_nans,
            code: Vec::new(),
            stack: Vec::new(),
            controls: Vec::new(),
            num_locals: 0,
            max_height: 0,
            reachable: true,
            dead_depth: 0,
            fuel_at: None,
            first_lazy: 0,
            last_label: 0,
            offsets: offsets::OffsetRecorder::default(),
            local_slots: Vec::new(),
            v128_at: Vec::new(),
            handlers: Vec::new(),
            return_pads: Vec::new(),
        }
    }

    /// Translates one function body, validating it as it goes when given a
    /// validator (without one, the body must have been validated already).
    /// Returns the body and the number of parameters plus locals.
    pub(crate) fn translate(
        &mut self,
        module: &ModuleView<'_>,
        func_index: u32,
        body: &FunctionBody<'_>,
        mut validator: Option<&mut FuncValidator<ValidatorResources>>,
    ) -> Result<(Body, u32), Error> {
        let ty = &module.types[module.funcs[func_index as usize] as usize];
        let num_results = crate::value::slot_count(ty.results()) as u32;
        self.code.clear();
        self.v128_at.clear();
        self.local_slots.clear();
        let mut num_locals = 0u32;
        for t in ty.params() {
            self.local_slots.push(num_locals);
            num_locals += t.slots() as u32;
        }
        self.stack.clear();
        self.controls.clear();
        self.max_height = 0;
        self.reachable = true;
        self.dead_depth = 0;
        self.fuel_at = None;
        self.first_lazy = 0;
        self.last_label = 0;
        self.handlers.clear();
        self.return_pads.clear();

        let mut locals = body.get_locals_reader()?;
        for _ in 0..locals.get_count() {
            let offset = locals.original_position();
            let (count, ty) = locals.read()?;
            if let Some(v) = validator.as_deref_mut() {
                v.define_locals(offset, count, ty)?;
            }
            let width = if ty == wasmparser::ValType::V128 {
                2
            } else {
                1
            };
            let too_many = || Error::Invalid {
                message: "too many locals".into(),
                offset,
            };
            let end = count
                .checked_mul(width)
                .and_then(|n| num_locals.checked_add(n))
                .ok_or_else(too_many)?;
            // (Validation bounds the count of locals; this bounds the map.)
            if end > 1 << 20 {
                return Err(too_many());
            }
            for _ in 0..count {
                self.local_slots.push(num_locals);
                num_locals += width;
            }
        }
        self.local_slots.push(num_locals);
        self.num_locals = num_locals;

        self.controls.push(Control {
            kind: FrameKind::Function,
            ty: BlockType::Empty,
            height: 0,
            params: 0,
            results: num_results,
            loop_start: 0,
            patches: Vec::new(),
            else_patch: None,
            fuel_at: None,
            try_range: (0, 0),
            handler_patches: Vec::new(),
            delegates: Vec::new(),
            pending: Vec::new(),
        });
        self.begin_fuel_block();

        let mut reader = body.get_operators_reader()?;
        self.offsets.start(reader.original_position() as u32);
        while !reader.eof() {
            let (op, offset) = reader.read_with_offset()?;
            if let Some(v) = validator.as_deref_mut() {
                v.op(offset, &op).map_err(at(offset))?;
            }
            let before = self.code.len();
            self.operator(module, &op, offset)?;
            self.offsets.record(&self.code, before, offset as u32);
        }
        reader.finish()?;
        self.finish_handlers();
        // A terminal sentinel: execution can never run past the end of the body
        // (the interpreter's unchecked fetch relies on it), and a label bound at
        // the very end still names an instruction.
        self.code.push(Instr::Unreachable);
        fuse::superinstructions(&mut self.code);
        if self.code.len() > crate::isa::MAX_BODY_INSTRS {
            return Err(Error::Unsupported {
                feature: "a function body of more than 2^27 internal instructions".into(),
                offset: body.range().start,
            });
        }
        if !Instr::br_tables_hold(&self.code) {
            // (Cannot happen: see `br_tables_hold`. Refusing the body keeps
            // the `br_table` handlers sound if a later change breaks it.)
            return Err(Error::Unsupported {
                feature: "a br_table entry that is not a branch (internal error)".into(),
                offset: body.range().start,
            });
        }
        Instr::resolve_branches(&mut self.code);
        debug_assert!(Instr::resolved_targets_hold(&self.code));

        let frame_size = (num_locals + self.max_height).max(num_results);
        Ok((
            Body {
                offsets: self
                    .offsets
                    .finish(self.code.len(), body.range().start as u32),
                instrs: self.code.clone().into_boxed_slice(),
                frame_size,
                handlers: self.handlers.clone().into_boxed_slice(),
            },
            num_locals,
        ))
    }

    // ---- stack helpers ----------------------------------------------------

    /// The first slot of local `index`.
    fn local_slot(&self, index: u32) -> Slot {
        self.local_slots[index as usize]
    }

    /// True when local `index` is a `v128` (two slots).
    fn local_is_v128(&self, index: u32) -> bool {
        self.local_slots[index as usize + 1] - self.local_slots[index as usize] == 2
    }

    /// True when the top of the stack is a `v128` (its two entries).
    fn is_v128_top(&self) -> bool {
        let n = self.stack.len();
        n >= 2 && self.v128_at.last() == Some(&(n as u32 - 2))
    }

    /// Forgets `v128` marks of entries no longer (wholly) on the stack.
    fn trim_v128_marks(&mut self) {
        let n = self.stack.len() as u32;
        while self.v128_at.last().is_some_and(|&h| h + 1 >= n) {
            self.v128_at.pop();
        }
    }

    /// Pushes a value of type `ty` (two entries for a `v128`) that will be
    /// written to its canonical slot(s); returns the first.
    fn push_ty(&mut self, ty: crate::value::ValType) -> Slot {
        if ty == crate::value::ValType::V128 {
            self.push_v128()
        } else {
            self.push()
        }
    }

    /// Pushes a `v128` that will be written to its two canonical slots;
    /// returns the first.
    fn push_v128(&mut self) -> Slot {
        self.v128_at.push(self.stack.len() as u32);
        let slot = self.push();
        self.push();
        slot
    }

    fn canonical(&self, height: usize) -> Slot {
        self.num_locals + height as u32
    }

    /// Pops an entry and returns the slot its value can be read from
    /// (a constant is written to its canonical slot first).
    fn pop(&mut self) -> Slot {
        let h = self.stack.len() - 1;
        let slot = match self.stack[h] {
            Operand::Stack => self.canonical(h),
            Operand::Local(i) => i,
            Operand::Const(value) => {
                let dst = self.canonical(h);
                self.emit(Instr::Const64 { dst, value });
                dst
            }
        };
        self.drop_top();
        slot
    }

    /// The slot entry `height` can be read from without emitting anything
    /// (`None` for a pending constant).
    fn peek_slot(&self, height: usize) -> Option<Slot> {
        match self.stack[height] {
            Operand::Stack => Some(self.canonical(height)),
            Operand::Local(i) => Some(i),
            Operand::Const(_) => None,
        }
    }

    /// Removes the top entry without emitting anything.
    fn drop_top(&mut self) -> Operand {
        let top = self.stack.pop().expect("validated: operand present");
        self.first_lazy = self.first_lazy.min(self.stack.len());
        self.trim_v128_marks();
        top
    }

    fn push_const(&mut self, value: u64) {
        self.stack.push(Operand::Const(value));
        self.max_height = self.max_height.max(self.stack.len() as u32);
    }

    /// Emits what moves entry `height` into slot `dst` (nothing if it is there).
    fn move_entry(&mut self, height: usize, dst: Slot) -> bool {
        match self.stack[height] {
            Operand::Stack if self.canonical(height) == dst => false,
            Operand::Stack => {
                let src = self.canonical(height);
                self.emit(Instr::Copy { dst, src });
                true
            }
            Operand::Local(src) if src == dst => false,
            Operand::Local(src) => {
                self.emit(Instr::Copy { dst, src });
                true
            }
            Operand::Const(value) => {
                self.emit(Instr::Const64 { dst, value });
                true
            }
        }
    }

    /// Marks the current position as a jump target.
    fn bind_label(&mut self) -> u32 {
        self.last_label = self.code.len();
        self.code.len() as u32
    }

    /// Pushes a value that will be written to its canonical slot; returns it.
    fn push(&mut self) -> Slot {
        let slot = self.canonical(self.stack.len());
        self.stack.push(Operand::Stack);
        self.max_height = self.max_height.max(self.stack.len() as u32);
        slot
    }

    fn push_local(&mut self, local: u32) {
        self.stack.push(Operand::Local(local));
        self.max_height = self.max_height.max(self.stack.len() as u32);
    }

    /// The last instruction, when a peephole may rewrite or remove it: no
    /// label has been bound after it (a label bound just now makes
    /// `last_label == code.len()`, and a jump there must find what follows).
    fn fusable_last(&self) -> Option<Instr> {
        if self.code.len() > self.last_label {
            self.code.last().copied()
        } else {
            None
        }
    }

    /// Lets the last instruction write its result to `to` instead of `from`,
    /// when it is a pure producer that just computed `from` (see
    /// [`Instr::dst_mut`]); false when it is not.
    fn redirect_result(&mut self, from: Slot, to: Slot) -> bool {
        if self.fusable_last().is_none() {
            return false;
        }
        match self.code.last_mut().and_then(Instr::dst_mut) {
            Some(dst) if *dst == from => {
                *dst = to;
                true
            }
            _ => false,
        }
    }

    fn emit(&mut self, instr: Instr) -> usize {
        // Two copies in a row (register shuffles at the end of loop bodies,
        // branch values) become one `Copy2` when their slots are small.
        if let Instr::Copy { dst, src } = instr
            && let Some(Instr::Copy {
                dst: dst0,
                src: src0,
            }) = self.fusable_last()
            && let Some(second) = Pair16::new(dst, src)
        {
            let at = self.code.len() - 1;
            self.code[at] = Instr::Copy2 {
                dst: dst0,
                src: src0,
                second,
            };
            return at;
        }
        self.code.push(instr);
        self.code.len() - 1
    }

    fn materialize_at(&mut self, height: usize) {
        let dst = self.canonical(height);
        self.move_entry(height, dst);
        self.stack[height] = Operand::Stack;
    }

    /// Moves every lazily referenced local and pending constant into its canonical slot.
    fn materialize_all(&mut self) {
        for h in self.first_lazy..self.stack.len() {
            self.materialize_at(h);
        }
        self.first_lazy = self.stack.len();
    }

    /// Moves the top `n` entries into their canonical slots.
    fn materialize_top(&mut self, n: usize) {
        for h in self.stack.len() - n..self.stack.len() {
            self.materialize_at(h);
        }
    }

    /// Moves entries that refer to `local` into their canonical slots
    /// before the local is overwritten.
    fn materialize_local(&mut self, local: u32) {
        for h in self.first_lazy..self.stack.len() {
            if self.stack[h] == Operand::Local(local) {
                self.materialize_at(h);
            }
        }
    }

    /// Pops `n` materialised operands and returns the slot of the first.
    fn pop_operands(&mut self, n: usize) -> Slot {
        self.materialize_top(n);
        let base = self.canonical(self.stack.len() - n);
        self.stack.truncate(self.stack.len() - n);
        self.first_lazy = self.first_lazy.min(self.stack.len());
        self.trim_v128_marks();
        base
    }

    // ---- fuel ---------------------------------------------------------------

    fn begin_fuel_block(&mut self) {
        if self.fuel {
            self.fuel_at = Some(self.emit(Instr::ConsumeFuel { amount: 0 }));
        }
    }

    fn charge(&mut self) {
        if let Some(i) = self.fuel_at
            && let Instr::ConsumeFuel { amount } = &mut self.code[i]
        {
            *amount = amount.saturating_add(1);
        }
    }

    // ---- emit helpers ---------------------------------------------------------

    fn unary(&mut self, make: fn(Slot, Slot) -> Instr) {
        let src = self.pop();
        let dst = self.push();
        self.emit(make(dst, src));
    }

    fn binary(&mut self, make: fn(Slot, Slot, Slot) -> Instr) {
        let rhs = self.pop();
        let lhs = self.pop();
        let dst = self.push();
        self.emit(make(dst, lhs, rhs));
    }

    /// A binary operator whose right operand an `f64.load` just produced
    /// takes the fused form that loads it itself (when the left operand and
    /// the address are in slots below 65536).
    fn binary_load_rhs(&mut self, plain: Binary, fused: LoadRhs) {
        let h = self.stack.len() - 1;
        if self.stack[h] == Operand::Stack
            && let Some(Instr::F64Load { dst, addr, offset }) = self.fusable_last()
            && dst == self.canonical(h)
            && let Some(lhs) = self.peek_slot(h - 1)
            && let Some(ops) = Pair16::new(lhs, addr)
        {
            self.code.pop();
            self.drop_top();
            self.pop();
            let dst = self.push();
            self.emit(fused(dst, ops, offset));
            return;
        }
        self.binary(plain);
    }

    fn canon32(&mut self) {
        if self.canonicalize_nans {
            let slot = self.canonical(self.stack.len() - 1);
            self.emit(Instr::CanonNan32 { slot });
        }
    }

    fn canon64(&mut self) {
        if self.canonicalize_nans {
            let slot = self.canonical(self.stack.len() - 1);
            self.emit(Instr::CanonNan64 { slot });
        }
    }

    fn load(&mut self, offset: u64, make: fn(Slot, Slot, u32) -> Instr) {
        let addr = self.pop();
        let dst = self.push();
        self.emit(make(dst, addr, offset as u32));
    }

    /// A load that may take a fused address form: when its offset is 0 and
    /// the previous instruction computed the address with `i32.add` (of two
    /// slots, or of a slot and a constant), that addition is folded into the
    /// load (see [`Instr::I32LoadIdx`]).
    fn load_fused(
        &mut self,
        offset: u64,
        make: fn(Slot, Slot, u32) -> Instr,
        idx: Option<fn(Slot, Slot, Slot) -> Instr>,
        wrap: Option<fn(Slot, Slot, u32) -> Instr>,
    ) {
        let h = self.stack.len() - 1;
        if offset == 0
            && self.stack[h] == Operand::Stack
            && let Some(last) = self.fusable_last()
        {
            let top = self.canonical(h);
            // The fused load and how many instructions before it it replaces.
            let fused = match (last, idx, wrap) {
                (Instr::I32Add { dst, lhs, rhs }, Some(idx), _) if dst == top => {
                    let plain = idx(top, lhs, rhs);
                    Some(match self.scaled_index(plain, lhs, rhs) {
                        // The shift goes too: its result was only the addition's operand.
                        Some(scaled) => (scaled, 2),
                        None => (plain, 1),
                    })
                }
                (Instr::I32AddImm { dst, lhs, imm }, _, Some(wrap)) if dst == top => {
                    Some((wrap(top, lhs, imm), 1))
                }
                _ => None,
            };
            if let Some((instr, replaced)) = fused {
                // The load's result takes the addition's slot.
                self.code.truncate(self.code.len() - replaced);
                self.drop_top();
                self.push();
                self.emit(instr);
                return;
            }
        }
        self.load(offset, make)
    }

    /// The scaled-index form of `load` (an `Idx` load of `lhs + rhs` that
    /// is about to replace the last instruction, the addition), when the
    /// instruction before the addition shifted one operand left by a
    /// constant into a stack temporary only the addition read: the
    /// `base + (index << k)` of array indexing.
    fn scaled_index(&self, load: Instr, lhs: Slot, rhs: Slot) -> Option<Instr> {
        let n = self.code.len();
        if n < 2 || n - 1 <= self.last_label {
            return None;
        }
        let Instr::I32ShlImm {
            dst: shifted,
            lhs: index,
            imm: shift,
        } = self.code[n - 2]
        else {
            return None;
        };
        let base = match (shifted == lhs, shifted == rhs) {
            (true, false) => rhs,
            (false, true) => lhs,
            _ => return None,
        };
        if shifted < self.num_locals {
            return None;
        }
        let ops = Pair16::new(base, index)?;
        // `x << k` is `x * 2^k` in wrapping 32-bit arithmetic.
        let scale = 1u32 << (shift & 31);
        Some(match load {
            Instr::I32LoadIdx { dst, .. } => Instr::I32LoadIdxShl { dst, ops, scale },
            Instr::I64LoadIdx { dst, .. } => Instr::I64LoadIdxShl { dst, ops, scale },
            Instr::F64LoadIdx { dst, .. } => Instr::F64LoadIdxShl { dst, ops, scale },
            _ => return None,
        })
    }

    fn store(&mut self, offset: u64, make: fn(Slot, Slot, u32) -> Instr) {
        let value = self.pop();
        let addr = self.pop();
        self.emit(make(addr, value, offset as u32));
    }

    /// A store whose value is a pending constant takes an immediate form
    /// of its width when one holds the constant (see `fuse::const_store`),
    /// with the address folded in when an `i32.add` just computed it.
    fn store_const(
        &mut self,
        offset: u64,
        make: fn(Slot, Slot, u32) -> Instr,
        width: fuse::StoreWidth,
    ) {
        if let Some(&Operand::Const(c)) = self.stack.last()
            && fuse::const_store(width, 0, c, 0).is_some()
        {
            let h = self.stack.len() - 2;
            if offset == 0
                && self.stack[h] == Operand::Stack
                && let Some(Instr::I32Add { dst, lhs, rhs }) = self.fusable_last()
                && dst == self.canonical(h)
                && let Some(instr) = fuse::const_store_idx(width, lhs, rhs, c)
            {
                self.code.pop();
                self.drop_top();
                self.drop_top();
                self.emit(instr);
                return;
            }
            self.drop_top();
            let addr = self.pop();
            let instr = fuse::const_store(width, addr, c, offset as u32).expect("checked above");
            self.emit(instr);
            return;
        }
        self.store(offset, make)
    }

    /// The slots a block's parameters and results occupy.
    fn block_arity(module: &ModuleView<'_>, ty: BlockType) -> (u32, u32) {
        use crate::value::slot_count;
        match ty {
            BlockType::Empty => (0, 0),
            BlockType::Type(t) => (0, if t == wasmparser::ValType::V128 { 2 } else { 1 }),
            BlockType::FuncType(t) => {
                let ft = &module.types[t as usize];
                (
                    slot_count(ft.params()) as u32,
                    slot_count(ft.results()) as u32,
                )
            }
        }
    }

    // ---- branches -----------------------------------------------------------

    /// Emits the copies that move the top `n` operands to the slots starting
    /// at `dest_height`, without changing the compile-time stack. Returns
    /// false when nothing needed copying.
    fn copy_top_to(&mut self, n: u32, dest_height: u32) -> bool {
        let len = self.stack.len();
        let mut copied = false;
        for j in 0..n as usize {
            let dst = self.canonical(dest_height as usize + j);
            copied |= self.move_entry(len - n as usize + j, dst);
        }
        copied
    }

    fn needs_copies(&self, n: u32, dest_height: u32) -> bool {
        let len = self.stack.len();
        (0..n as usize).any(|j| {
            let h = len - n as usize + j;
            let dst = self.canonical(dest_height as usize + j);
            match self.stack[h] {
                Operand::Stack => self.canonical(h) != dst,
                Operand::Local(i) => i != dst,
                Operand::Const(_) => true,
            }
        })
    }

    /// Emits the function's return sequence without changing the
    /// compile-time stack: results to slots `0..n`, then `Return`.
    fn emit_return(&mut self) {
        let n = self.controls[0].results as usize;
        let len = self.stack.len();
        if n == 1 {
            self.emit_single_result();
            self.emit(Instr::Return);
            return;
        }
        // Locals may live in slots 0..n: move lazily referenced ones out of
        // the way first (their canonical slots are free).
        for h in len - n..len {
            if let Operand::Local(i) = self.stack[h] {
                let dst = self.canonical(h);
                self.emit(Instr::Copy { dst, src: i });
            }
        }
        for j in 0..n {
            let h = len - n + j;
            if let Operand::Const(value) = self.stack[h] {
                self.emit(Instr::Const64 {
                    dst: j as u32,
                    value,
                });
                continue;
            }
            let src = self.canonical(h);
            if src != j as u32 {
                self.emit(Instr::Copy { dst: j as u32, src });
            }
        }
        self.emit(Instr::Return);
    }

    /// A load or store in the general form (another memory than a 32-bit
    /// memory 0): the access, then its offset.
    fn general_access(&mut self, memarg: wasmparser::MemArg, op: u8, store: bool) {
        let mem = memory_index(&memarg) as u16;
        if store {
            let value = self.pop();
            let addr = self.pop();
            self.emit(Instr::MemStore {
                addr,
                value,
                mem,
                op,
            });
        } else {
            let addr = self.pop();
            let dst = self.push();
            self.emit(Instr::MemLoad { dst, addr, mem, op });
        }
        self.emit(Instr::MemOffset {
            offset: memarg.offset,
        });
    }

    /// After a `return_call` that may reach a host function: when it does,
    /// execution continues here with the `results` results in the canonical
    /// slots where the arguments began; they move to `0..` and the function
    /// returns. (A Wasm callee replaces the function and never gets here.)
    fn host_tail_return(&mut self, results: usize) {
        for _ in 0..results {
            self.push();
        }
        self.emit_return();
    }

    /// Moves a function's only result (the stack top) into slot 0. A value
    /// the previous instruction just computed is written there directly:
    /// nothing reads the frame's other slots after the return.
    fn emit_single_result(&mut self) {
        let h = self.stack.len() - 1;
        match self.stack[h] {
            Operand::Const(value) => {
                self.emit(Instr::Const64 { dst: 0, value });
            }
            Operand::Local(0) => {}
            Operand::Local(src) => {
                self.emit(Instr::Copy { dst: 0, src });
            }
            Operand::Stack => {
                let src = self.canonical(h);
                if src != 0 && !self.redirect_result(src, 0) {
                    self.emit(Instr::Copy { dst: 0, src });
                }
            }
        }
    }

    /// Emits an unconditional branch to the frame `depth` levels out.
    fn branch(&mut self, depth: u32) {
        let idx = self.controls.len() - 1 - depth as usize;
        if self.controls[idx].kind == FrameKind::Function {
            self.emit_return();
            return;
        }
        let (arity, height) = (self.controls[idx].branch_arity(), self.controls[idx].height);
        self.copy_top_to(arity, height);
        self.emit_jump(idx, |target| Instr::Br { target });
    }

    /// Emits a jump to frame `idx`, recording a patch for forward targets.
    fn emit_jump(&mut self, idx: usize, make: impl Fn(u32) -> Instr) {
        let frame = &self.controls[idx];
        if frame.kind == FrameKind::Loop {
            let target = frame.loop_start;
            self.emit(make(target));
        } else {
            let at = self.emit(make(0));
            self.controls[idx].patches.push(at);
        }
    }

    /// Pops a branch condition. When the previous instruction computed it
    /// with an integer test, that instruction is removed and its test is
    /// returned for fusing into the branch. Returns the condition and whether
    /// its sense is inverted (a plain i32 is "true when not zero").
    fn pop_condition(&mut self) -> (fuse::Cond, bool) {
        let h = self.stack.len() - 1;
        if self.stack[h] == Operand::Stack
            && let Some(mut last) = self.fusable_last()
        {
            let produced_here = last.dst_mut().is_some_and(|d| *d == self.canonical(h));
            if let Some(cond) = fuse::as_condition(&last).filter(|_| produced_here) {
                self.code.pop();
                self.drop_top();
                return (cond, false);
            }
        }
        (fuse::Cond::Eqz32(self.pop()), true)
    }

    fn br_if(&mut self, depth: u32) {
        let (cond, inverted) = self.pop_condition();
        self.br_if_cond(depth, cond, inverted);
    }

    /// The slot the stack top can be read from, after writing a pending
    /// constant to its canonical slot; the entry stays on the stack.
    fn top_slot(&mut self) -> Slot {
        let h = self.stack.len() - 1;
        if let Some(slot) = self.peek_slot(h) {
            return slot;
        }
        self.materialize_at(h);
        self.canonical(h)
    }

    /// A conditional branch to the frame `depth` levels out on `cond`
    /// (inverted: "true when not zero"), with the stack as it is.
    fn br_if_cond(&mut self, depth: u32, cond: fuse::Cond, inverted: bool) {
        let idx = self.controls.len() - 1 - depth as usize;
        let frame = &self.controls[idx];
        let simple = frame.kind != FrameKind::Function
            && !self.needs_copies(frame.branch_arity(), frame.height);
        if simple {
            self.emit_jump(idx, |target| fuse::branch_on(cond, inverted, target));
        } else {
            let skip = self.emit(fuse::branch_on(cond, !inverted, 0));
            self.branch(depth);
            let here = self.bind_label();
            self.code[skip].set_target(here);
        }
    }

    fn br_table(&mut self, table: &wasmparser::BrTable<'_>) -> Result<(), Error> {
        let index = self.pop();
        let mut depths = Vec::with_capacity(table.len() as usize + 1);
        for d in table.targets() {
            depths.push(d?);
        }
        depths.push(table.default());
        self.emit(Instr::BrTable {
            index,
            len: table.len(),
        });
        let first_entry = self.code.len();
        let mut stubs = Vec::new();
        for (k, &depth) in depths.iter().enumerate() {
            let idx = self.controls.len() - 1 - depth as usize;
            let frame = &self.controls[idx];
            let simple = frame.kind != FrameKind::Function
                && !self.needs_copies(frame.branch_arity(), frame.height);
            if simple {
                self.emit_jump(idx, |target| Instr::Br { target });
            } else {
                self.emit(Instr::Br { target: 0 });
                stubs.push((first_entry + k, depth));
            }
        }
        for (entry, depth) in stubs {
            let here = self.bind_label();
            self.code[entry].set_target(here);
            self.branch(depth);
        }
        self.reachable = false;
        Ok(())
    }

    // ---- structured control -------------------------------------------------------

    fn push_control(&mut self, kind: FrameKind, ty: BlockType, params: u32, results: u32) {
        let height = self.stack.len() as u32 - params;
        self.controls.push(Control {
            kind,
            ty,
            height,
            params,
            results,
            loop_start: 0,
            patches: Vec::new(),
            else_patch: None,
            fuel_at: self.fuel_at,
            try_range: (0, 0),
            handler_patches: Vec::new(),
            delegates: Vec::new(),
            pending: Vec::new(),
        });
    }

    /// Cuts the stack to `height` and pushes a block's parameters (or
    /// results) of type `ty` in their canonical slots.
    fn reset_stack(&mut self, module: &ModuleView<'_>, height: u32, ty: BlockType, results: bool) {
        self.stack.truncate(height as usize);
        self.first_lazy = self.first_lazy.min(self.stack.len());
        self.trim_v128_marks();
        match ty {
            BlockType::Empty => {}
            BlockType::Type(t) if results => {
                if t == wasmparser::ValType::V128 {
                    self.push_v128();
                } else {
                    self.push();
                }
            }
            BlockType::Type(_) => {}
            BlockType::FuncType(i) => {
                let ft = &module.types[i as usize];
                let types = if results { ft.results() } else { ft.params() };
                for &t in types {
                    self.push_ty(t);
                }
            }
        }
    }

    fn else_(&mut self, module: &ModuleView<'_>) {
        let idx = self.controls.len() - 1;
        if self.reachable {
            let results = self.controls[idx].results as usize;
            self.materialize_top(results);
            let at = self.emit(Instr::Br { target: 0 });
            self.controls[idx].patches.push(at);
        }
        if let Some(p) = self.controls[idx].else_patch.take() {
            let here = self.bind_label();
            self.code[p].set_target(here);
        }
        self.begin_fuel_block();
        let (height, ty) = (self.controls[idx].height, self.controls[idx].ty);
        self.reset_stack(module, height, ty, false);
        self.reachable = true;
    }

    fn end(&mut self, module: &ModuleView<'_>) {
        if self.controls.len() == 1 {
            if self.reachable {
                self.emit_return();
            }
            self.controls.pop();
            return;
        }
        let mut frame = self.controls.pop().expect("validated: end matches a frame");
        if self.reachable {
            self.materialize_top(frame.results as usize);
        }
        self.close_handlers(&mut frame);
        let mut targets = core::mem::take(&mut frame.patches);
        if let Some(p) = frame.else_patch {
            targets.push(p);
        }
        if !targets.is_empty() || !frame.handler_patches.is_empty() {
            let here = self.bind_label();
            for t in &targets {
                self.code[*t].set_target(here);
            }
            for h in &frame.handler_patches {
                self.handlers[*h].target = here;
            }
            self.reachable = true;
        }
        // Every path to the code after `end` came through the fuel block
        // that entered the construct, once per run of that block: charge
        // the code there instead of starting a block (and a `ConsumeFuel`
        // to dispatch) at the merge point. After a loop this also stops
        // charging the code that follows it on every iteration.
        self.fuel_at = frame.fuel_at;
        self.reset_stack(module, frame.height, frame.ty, true);
    }

    // ---- the operator switch ----------------------------------------------------------

    fn operator(
        &mut self,
        module: &ModuleView<'_>,
        op: &Operator<'_>,
        offset: u64,
    ) -> Result<(), Error> {
        if !self.reachable {
            match op {
                Operator::Block { .. }
                | Operator::Loop { .. }
                | Operator::If { .. }
                | Operator::TryTable { .. }
                | Operator::Try { .. } => self.dead_depth += 1,
                Operator::Else if self.dead_depth == 0 => self.else_(module),
                Operator::End if self.dead_depth == 0 => self.end(module),
                Operator::Catch { .. } | Operator::CatchAll | Operator::Delegate { .. }
                    if self.dead_depth == 0 =>
                {
                    self.exception_operator(module, op)
                }
                Operator::End | Operator::Delegate { .. } => self.dead_depth -= 1,
                _ => {}
            }
            return Ok(());
        }
        self.charge();
        if let Some((memarg, code, store)) = general_access(op)
            && !module.is_plain_memory(memory_index(&memarg))
        {
            self.general_access(memarg, code, store);
            return Ok(());
        }
        if let Some(form) = fuse::imm_form(op)
            && self.binary_imm(form)
        {
            return Ok(());
        }
        if self.simple_operator(op) {
            return Ok(());
        }
        if self.simd_operator(module, op) {
            return Ok(());
        }
        use Operator as O;
        match *op {
            O::Unreachable => {
                self.emit(Instr::Unreachable);
                self.reachable = false;
            }
            O::Nop => {}
            O::Block { blockty } => {
                let (p, r) = Self::block_arity(module, blockty);
                self.materialize_all();
                self.push_control(FrameKind::Block, blockty, p, r);
            }
            O::Loop { blockty } => {
                let (p, r) = Self::block_arity(module, blockty);
                self.materialize_all();
                self.push_control(FrameKind::Loop, blockty, p, r);
                let start = self.bind_label();
                self.controls.last_mut().expect("just pushed").loop_start = start;
                self.begin_fuel_block();
            }
            O::If { blockty } => {
                let (p, r) = Self::block_arity(module, blockty);
                let (cond, inverted) = self.pop_condition();
                self.materialize_all();
                let at = self.emit(fuse::branch_on(cond, !inverted, 0));
                self.push_control(FrameKind::If, blockty, p, r);
                self.controls.last_mut().expect("just pushed").else_patch = Some(at);
            }
            O::Else => self.else_(module),
            O::End => self.end(module),
            O::Br { relative_depth } => {
                self.branch(relative_depth);
                self.reachable = false;
            }
            O::BrIf { relative_depth } => self.br_if(relative_depth),
            O::BrTable { ref targets } => self.br_table(targets)?,
            O::Return => {
                self.emit_return();
                self.reachable = false;
            }
            O::Call { function_index } => {
                let ty = &module.types[module.funcs[function_index as usize] as usize];
                let base = self.pop_operands(crate::value::slot_count(ty.params()));
                if function_index < module.num_imported_funcs {
                    self.emit(Instr::CallImported {
                        func: function_index,
                        base,
                    });
                } else {
                    let func = function_index - module.num_imported_funcs;
                    self.emit(Instr::CallInternal { func, base });
                }
                for &t in ty.results() {
                    self.push_ty(t);
                }
            }
            O::CallIndirect {
                type_index,
                table_index,
            } => {
                let ty = &module.types[type_index as usize];
                let base = self.pop_operands(crate::value::slot_count(ty.params()) + 1);
                self.emit(Instr::CallIndirect {
                    type_index,
                    table: table_index,
                    base,
                });
                for &t in ty.results() {
                    self.push_ty(t);
                }
            }
            O::ReturnCall { function_index } => {
                let ty = &module.types[module.funcs[function_index as usize] as usize];
                let base = self.pop_operands(crate::value::slot_count(ty.params()));
                if function_index < module.num_imported_funcs {
                    self.emit(Instr::ReturnCallImported {
                        func: function_index,
                        base,
                    });
                    self.host_tail_return(crate::value::slot_count(ty.results()));
                } else {
                    let func = function_index - module.num_imported_funcs;
                    self.emit(Instr::ReturnCallInternal { func, base });
                }
                self.reachable = false;
            }
            O::ReturnCallIndirect {
                type_index,
                table_index,
            } => {
                let ty = &module.types[type_index as usize];
                let base = self.pop_operands(crate::value::slot_count(ty.params()) + 1);
                self.emit(Instr::ReturnCallIndirect {
                    type_index,
                    table: table_index,
                    base,
                });
                self.host_tail_return(crate::value::slot_count(ty.results()));
                self.reachable = false;
            }
            O::I64Add128 | O::I64Sub128 | O::I64MulWideS | O::I64MulWideU => {
                let operands = if matches!(op, O::I64Add128 | O::I64Sub128) {
                    4
                } else {
                    2
                };
                let base = self.pop_operands(operands);
                self.emit(match op {
                    O::I64Add128 => Instr::I64Add128 { base },
                    O::I64Sub128 => Instr::I64Sub128 { base },
                    O::I64MulWideS => Instr::I64MulWideS { base },
                    _ => Instr::I64MulWideU { base },
                });
                self.push();
                self.push();
            }
            O::CallRef { type_index } | O::ReturnCallRef { type_index } => {
                let ty = &module.types[type_index as usize];
                let base = self.pop_operands(crate::value::slot_count(ty.params()) + 1);
                if matches!(op, O::CallRef { .. }) {
                    self.emit(Instr::CallRef { type_index, base });
                    for &t in ty.results() {
                        self.push_ty(t);
                    }
                } else {
                    self.emit(Instr::ReturnCallRef { type_index, base });
                    self.host_tail_return(crate::value::slot_count(ty.results()));
                    self.reachable = false;
                }
            }
            O::RefAsNonNull => {
                let slot = self.top_slot();
                self.emit(Instr::RefAsNonNull { slot });
            }
            O::BrOnNull { relative_depth } => {
                // The reference leaves the stack for the branch (taken when
                // null) and stays on it otherwise.
                let slot = self.top_slot();
                let reference = self.drop_top();
                self.br_if_cond(relative_depth, fuse::Cond::Eqz64(slot), false);
                self.stack.push(reference);
            }
            O::BrOnNonNull { relative_depth } => {
                // The reference is the branch's last value (taken when not
                // null) and leaves the stack otherwise.
                let h = self.stack.len() - 1;
                self.materialize_at(h);
                let slot = self.canonical(h);
                self.br_if_cond(relative_depth, fuse::Cond::Eqz64(slot), true);
                self.drop_top();
            }
            O::Drop if self.is_v128_top() => {
                self.drop_top();
                self.drop_top();
            }
            O::Drop => {
                self.pop();
            }
            O::Select | O::TypedSelect { .. }
                if self.stack.len() >= 3 && {
                    // The operands below the condition.
                    let n = self.stack.len() as u32;
                    self.v128_at.last() == Some(&(n - 3))
                } =>
            {
                self.select_v128();
            }
            O::Select | O::TypedSelect { .. } => {
                let cond = self.pop();
                let rhs = self.pop();
                let h = self.stack.len() - 1;
                let dst = self.canonical(h);
                // Three-address forms: the first operand read where it is
                // (a local, a small constant), the result written to `dst`
                // and redirectable into a local by a `local.set`.
                let three = match (self.stack[h], Pair16::new(rhs, cond)) {
                    (Operand::Const(0), _) | (_, None) => None,
                    (Operand::Const(c), Some(ops)) => u32::try_from(c)
                        .ok()
                        .map(|imm| Instr::SelectImm { dst, ops, imm }),
                    (Operand::Local(lhs), Some(ops)) => Some(Instr::SelectTo { dst, lhs, ops }),
                    (Operand::Stack, Some(ops)) => Some(Instr::SelectTo { dst, lhs: dst, ops }),
                };
                if let Some(instr) = three {
                    self.drop_top();
                    self.push();
                    self.emit(instr);
                    return Ok(());
                }
                let zero = self.stack[h] == Operand::Const(0);
                if !zero {
                    self.move_entry(h, dst);
                }
                self.drop_top();
                self.push();
                if zero {
                    self.emit(Instr::SelectZero { dst, rhs, cond });
                } else {
                    self.emit(Instr::Select { dst, rhs, cond });
                }
            }
            O::LocalGet { local_index } if self.local_is_v128(local_index) => {
                self.local_get_v128(self.local_slot(local_index))
            }
            O::LocalSet { local_index } if self.local_is_v128(local_index) => {
                self.local_set_v128(self.local_slot(local_index))
            }
            O::LocalTee { local_index } if self.local_is_v128(local_index) => {
                let slot = self.local_slot(local_index);
                self.local_set_v128(slot);
                self.local_get_v128(slot);
            }
            O::LocalGet { local_index } => self.push_local(self.local_slot(local_index)),
            O::LocalSet { local_index } => self.local_set(self.local_slot(local_index)),
            O::LocalTee { local_index } => {
                let slot = self.local_slot(local_index);
                self.local_set(slot);
                self.push_local(slot);
            }
            O::GlobalGet { global_index }
                if module.globals[global_index as usize].content == crate::value::ValType::V128 =>
            {
                let dst = self.push_v128();
                self.emit(Instr::GlobalGetV128 {
                    dst,
                    global: global_index,
                });
            }
            O::GlobalSet { global_index }
                if module.globals[global_index as usize].content == crate::value::ValType::V128 =>
            {
                let src = self.pop_v128();
                self.emit(Instr::GlobalSetV128 {
                    src,
                    global: global_index,
                });
            }
            O::GlobalGet { global_index } => {
                let dst = self.push();
                self.emit(Instr::GlobalGet {
                    dst,
                    global: global_index,
                });
            }
            O::GlobalSet { global_index } => {
                let src = self.pop();
                self.emit(Instr::GlobalSet {
                    src,
                    global: global_index,
                });
            }
            O::I32Load { memarg } => self.load_fused(
                memarg.offset,
                |dst, addr, offset| Instr::I32Load { dst, addr, offset },
                Some(|dst, base, index| Instr::I32LoadIdx { dst, base, index }),
                Some(|dst, addr, imm| Instr::I32LoadWrap { dst, addr, imm }),
            ),
            O::I64Load { memarg } => self.load_fused(
                memarg.offset,
                |dst, addr, offset| Instr::I64Load { dst, addr, offset },
                Some(|dst, base, index| Instr::I64LoadIdx { dst, base, index }),
                Some(|dst, addr, imm| Instr::I64LoadWrap { dst, addr, imm }),
            ),
            O::F32Load { memarg } => self.load_fused(
                memarg.offset,
                |dst, addr, offset| Instr::F32Load { dst, addr, offset },
                Some(|dst, base, index| Instr::F32LoadIdx { dst, base, index }),
                Some(|dst, addr, imm| Instr::F32LoadWrap { dst, addr, imm }),
            ),
            O::F64Load { memarg } => self.load_fused(
                memarg.offset,
                |dst, addr, offset| Instr::F64Load { dst, addr, offset },
                Some(|dst, base, index| Instr::F64LoadIdx { dst, base, index }),
                Some(|dst, addr, imm| Instr::F64LoadWrap { dst, addr, imm }),
            ),
            O::I32Load8S { memarg } => self.load_fused(
                memarg.offset,
                |dst, addr, offset| Instr::I32Load8S { dst, addr, offset },
                Some(|dst, base, index| Instr::I32Load8SIdx { dst, base, index }),
                None,
            ),
            O::I32Load8U { memarg } => self.load_fused(
                memarg.offset,
                |dst, addr, offset| Instr::I32Load8U { dst, addr, offset },
                Some(|dst, base, index| Instr::I32Load8UIdx { dst, base, index }),
                Some(|dst, addr, imm| Instr::I32Load8UWrap { dst, addr, imm }),
            ),
            O::I32Load16S { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Instr::I32Load16S { dst, addr, offset }
            }),
            O::I32Load16U { memarg } => self.load_fused(
                memarg.offset,
                |dst, addr, offset| Instr::I32Load16U { dst, addr, offset },
                Some(|dst, base, index| Instr::I32Load16UIdx { dst, base, index }),
                None,
            ),
            O::I64Load8S { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Instr::I64Load8S { dst, addr, offset }
            }),
            O::I64Load8U { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Instr::I64Load8U { dst, addr, offset }
            }),
            O::I64Load16S { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Instr::I64Load16S { dst, addr, offset }
            }),
            O::I64Load16U { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Instr::I64Load16U { dst, addr, offset }
            }),
            O::I64Load32S { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Instr::I64Load32S { dst, addr, offset }
            }),
            O::I64Load32U { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Instr::I64Load32U { dst, addr, offset }
            }),
            O::I32Store { memarg } => self.store_const(
                memarg.offset,
                |addr, value, offset| Instr::I32Store {
                    addr,
                    value,
                    offset,
                },
                fuse::StoreWidth::B32,
            ),
            O::I64Store { memarg } => self.store_const(
                memarg.offset,
                |addr, value, offset| Instr::I64Store {
                    addr,
                    value,
                    offset,
                },
                fuse::StoreWidth::B64,
            ),
            O::F32Store { memarg } => self.store_const(
                memarg.offset,
                |addr, value, offset| Instr::F32Store {
                    addr,
                    value,
                    offset,
                },
                fuse::StoreWidth::B32,
            ),
            O::F64Store { memarg } => self.store_const(
                memarg.offset,
                |addr, value, offset| Instr::F64Store {
                    addr,
                    value,
                    offset,
                },
                fuse::StoreWidth::B64,
            ),
            O::I32Store8 { memarg } => self.store_const(
                memarg.offset,
                |addr, value, offset| Instr::I32Store8 {
                    addr,
                    value,
                    offset,
                },
                fuse::StoreWidth::B8,
            ),
            O::I32Store16 { memarg } => self.store_const(
                memarg.offset,
                |addr, value, offset| Instr::I32Store16 {
                    addr,
                    value,
                    offset,
                },
                fuse::StoreWidth::B16,
            ),
            O::I64Store8 { memarg } => self.store_const(
                memarg.offset,
                |addr, value, offset| Instr::I64Store8 {
                    addr,
                    value,
                    offset,
                },
                fuse::StoreWidth::B8,
            ),
            O::I64Store16 { memarg } => self.store_const(
                memarg.offset,
                |addr, value, offset| Instr::I64Store16 {
                    addr,
                    value,
                    offset,
                },
                fuse::StoreWidth::B16,
            ),
            O::I64Store32 { memarg } => self.store_const(
                memarg.offset,
                |addr, value, offset| Instr::I64Store32 {
                    addr,
                    value,
                    offset,
                },
                fuse::StoreWidth::B32,
            ),
            O::MemorySize { mem } => {
                let dst = self.push();
                if module.is_plain_memory(mem) {
                    self.emit(Instr::MemorySize { dst });
                } else {
                    self.emit(Instr::MemorySizeN { dst, mem });
                }
            }
            O::MemoryGrow { mem } => {
                let delta = self.pop();
                let dst = self.push();
                if module.is_plain_memory(mem) {
                    self.emit(Instr::MemoryGrow { dst, delta });
                } else {
                    self.emit(Instr::MemoryGrowN { dst, delta, mem });
                }
            }
            O::MemoryFill { mem } => {
                let base = self.pop_operands(3);
                if module.is_plain_memory(mem) {
                    self.emit(Instr::MemoryFill { base });
                } else {
                    self.emit(Instr::MemoryFillN { base, mem });
                }
            }
            O::MemoryCopy { dst_mem, src_mem } => {
                let base = self.pop_operands(3);
                if module.is_plain_memory(dst_mem) && module.is_plain_memory(src_mem) {
                    self.emit(Instr::MemoryCopy { base });
                } else {
                    self.emit(Instr::MemoryCopyN {
                        base,
                        dst_mem: dst_mem as u16,
                        src_mem: src_mem as u16,
                    });
                }
            }
            O::MemoryInit { data_index, mem } => {
                let base = self.pop_operands(3);
                if module.is_plain_memory(mem) {
                    self.emit(Instr::MemoryInit {
                        data: data_index,
                        base,
                    });
                } else {
                    self.emit(Instr::MemoryInitN {
                        data: data_index,
                        base,
                        mem,
                    });
                }
            }
            O::DataDrop { data_index } => {
                self.emit(Instr::DataDrop { data: data_index });
            }
            O::I32Const { value } => self.push_const(value as u32 as u64),
            O::I64Const { value } => self.push_const(value as u64),
            O::F32Const { value } => self.push_const(value.bits() as u64),
            O::F64Const { value } => self.push_const(value.bits()),
            O::RefNull { .. } => self.push_const(0),
            O::RefIsNull => self.unary(|dst, src| Instr::I64Eqz { dst, src }),
            O::RefFunc { function_index } => {
                let dst = self.push();
                self.emit(Instr::RefFunc {
                    dst,
                    func: function_index,
                });
            }
            O::TableGet { table } => {
                let index = self.pop();
                let dst = self.push();
                self.emit(Instr::TableGet { dst, index, table });
            }
            O::TableSet { table } => {
                let value = self.pop();
                let index = self.pop();
                self.emit(Instr::TableSet {
                    index,
                    value,
                    table,
                });
            }
            O::TableSize { table } => {
                let dst = self.push();
                self.emit(Instr::TableSize { dst, table });
            }
            O::TableGrow { table } => {
                let base = self.pop_operands(2);
                self.push();
                self.emit(Instr::TableGrow { table, base });
            }
            O::TableFill { table } => {
                let base = self.pop_operands(3);
                self.emit(Instr::TableFill { table, base });
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let base = self.pop_operands(3);
                self.emit(Instr::TableCopy {
                    dst_table,
                    src_table,
                    base,
                });
            }
            O::TableInit { elem_index, table } => {
                let base = self.pop_operands(3);
                self.emit(Instr::TableInit {
                    table,
                    elem: elem_index,
                    base,
                });
            }
            O::ElemDrop { elem_index } => {
                self.emit(Instr::ElemDrop { elem: elem_index });
            }
            // Reinterpretations keep the bits: nothing to do.
            O::I32ReinterpretF32
            | O::I64ReinterpretF64
            | O::F32ReinterpretI32
            | O::F64ReinterpretI64 => {}
            O::TryTable { .. }
            | O::Throw { .. }
            | O::ThrowRef
            | O::Try { .. }
            | O::Catch { .. }
            | O::CatchAll
            | O::Delegate { .. }
            | O::Rethrow { .. } => self.exception_operator(module, op),
            ref other => {
                return Err(Error::Unsupported {
                    feature: format!("operator {other:?}"),
                    offset,
                });
            }
        }
        Ok(())
    }

    /// Emits a binary operator with a constant operand in its immediate
    /// form; false (and nothing emitted) when that does not apply.
    fn binary_imm(&mut self, form: fuse::ImmForm) -> bool {
        let len = self.stack.len();
        let (lhs, rhs) = (self.stack[len - 2], self.stack[len - 1]);
        match (lhs, rhs) {
            (Operand::Const(_), Operand::Const(_)) => false,
            (_, Operand::Const(c)) if (form.rhs_const)(0, 0, c).is_some() => {
                self.drop_top();
                let lhs = self.pop();
                let dst = self.push();
                self.code
                    .push((form.rhs_const)(dst, lhs, c).expect("checked above"));
                true
            }
            (Operand::Const(c), _) => match form.lhs_const {
                Some(make) if make(0, 0, c).is_some() => {
                    let rhs = self.pop();
                    self.drop_top();
                    let dst = self.push();
                    self.code.push(make(dst, rhs, c).expect("checked above"));
                    true
                }
                _ => false,
            },
            _ => false,
        }
    }

    fn local_set(&mut self, local: u32) {
        let h = self.stack.len() - 1;
        match self.drop_top() {
            Operand::Const(value) => {
                self.materialize_local(local);
                self.emit(Instr::Const64 { dst: local, value });
            }
            Operand::Local(src) => {
                self.materialize_local(local);
                if src != local {
                    self.emit(Instr::Copy { dst: local, src });
                }
            }
            Operand::Stack => {
                let src = self.canonical(h);
                // The value was just computed: let its producer write the
                // local directly, unless a pending read of the local must
                // see the old value first.
                let pending = self.stack[self.first_lazy..].contains(&Operand::Local(local));
                if !pending && self.redirect_result(src, local) {
                    return;
                }
                self.materialize_local(local);
                self.emit(Instr::Copy { dst: local, src });
            }
        }
    }

    /// Numeric operators that map one to one onto an instruction.
    fn simple_operator(&mut self, op: &Operator<'_>) -> bool {
        macro_rules! table {
            (
                unary: [$($u:ident)*]
                binary: [$($b:ident)*]
                unary_f32: [$($uf32:ident)*]
                unary_f64: [$($uf64:ident)*]
                binary_f32: [$($bf32:ident)*]
                binary_f64: [$($bf64:ident)*]
            ) => {
                match op {
                    $(Operator::$u => self.unary(|dst, src| Instr::$u { dst, src }),)*
                    $(Operator::$b => self.binary(|dst, lhs, rhs| Instr::$b { dst, lhs, rhs }),)*
                    $(Operator::$uf32 => { self.unary(|dst, src| Instr::$uf32 { dst, src }); self.canon32() })*
                    $(Operator::$uf64 => { self.unary(|dst, src| Instr::$uf64 { dst, src }); self.canon64() })*
                    $(Operator::$bf32 => { self.binary(|dst, lhs, rhs| Instr::$bf32 { dst, lhs, rhs }); self.canon32() })*
                    $(Operator::$bf64 => { self.binary(|dst, lhs, rhs| Instr::$bf64 { dst, lhs, rhs }); self.canon64() })*
                    _ => return false,
                }
            };
        }
        let load_rhs: Option<(Binary, LoadRhs)> = match op {
            Operator::F64Add => Some((
                |dst, lhs, rhs| Instr::F64Add { dst, lhs, rhs },
                |dst, ops, offset| Instr::F64AddLoad { dst, ops, offset },
            )),
            Operator::F64Sub => Some((
                |dst, lhs, rhs| Instr::F64Sub { dst, lhs, rhs },
                |dst, ops, offset| Instr::F64SubLoad { dst, ops, offset },
            )),
            Operator::F64Mul => Some((
                |dst, lhs, rhs| Instr::F64Mul { dst, lhs, rhs },
                |dst, ops, offset| Instr::F64MulLoad { dst, ops, offset },
            )),
            _ => None,
        };
        if let Some((plain, fused)) = load_rhs {
            self.binary_load_rhs(plain, fused);
            self.canon64();
            return true;
        }
        table! {
            unary: [
                I32Eqz I32Clz I32Ctz I32Popcnt I64Eqz I64Clz I64Ctz I64Popcnt
                F32Abs F32Neg F64Abs F64Neg
                I32WrapI64 I32TruncF32S I32TruncF32U I32TruncF64S I32TruncF64U
                I64ExtendI32S I64ExtendI32U I64TruncF32S I64TruncF32U I64TruncF64S I64TruncF64U
                F32ConvertI32S F32ConvertI32U F32ConvertI64S F32ConvertI64U
                F64ConvertI32S F64ConvertI32U F64ConvertI64S F64ConvertI64U
                I32Extend8S I32Extend16S I64Extend8S I64Extend16S I64Extend32S
                I32TruncSatF32S I32TruncSatF32U I32TruncSatF64S I32TruncSatF64U
                I64TruncSatF32S I64TruncSatF32U I64TruncSatF64S I64TruncSatF64U
            ]
            binary: [
                I32Eq I32Ne I32LtS I32LtU I32GtS I32GtU I32LeS I32LeU I32GeS I32GeU
                I32Add I32Sub I32Mul I32DivS I32DivU I32RemS I32RemU
                I32And I32Or I32Xor I32Shl I32ShrS I32ShrU I32Rotl I32Rotr
                I64Eq I64Ne I64LtS I64LtU I64GtS I64GtU I64LeS I64LeU I64GeS I64GeU
                I64Add I64Sub I64Mul I64DivS I64DivU I64RemS I64RemU
                I64And I64Or I64Xor I64Shl I64ShrS I64ShrU I64Rotl I64Rotr
                F32Eq F32Ne F32Lt F32Gt F32Le F32Ge
                F64Eq F64Ne F64Lt F64Gt F64Le F64Ge
                F32Copysign F64Copysign
            ]
            unary_f32: [F32Ceil F32Floor F32Trunc F32Nearest F32Sqrt F32DemoteF64]
            unary_f64: [F64Ceil F64Floor F64Trunc F64Nearest F64Sqrt F64PromoteF32]
            binary_f32: [F32Add F32Sub F32Mul F32Div F32Min F32Max]
            binary_f64: [F64Div F64Min F64Max]
        }
        true
    }
}

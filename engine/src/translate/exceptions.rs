//! Exception handling in the translator: `throw`, `throw_ref`, `try_table`
//! and the legacy `try`/`catch`/`catch_all`/`delegate`/`rethrow`.
//!
//! No instruction marks a protected region at run time: a construct becomes
//! entries of the body's handler table ([`Handler`], innermost first),
//! which the interpreter searches only when something is thrown
//! (`exec/unwind.rs`). So code that throws nothing runs exactly the code it
//! would without exception handling.
//!
//! - `try_table`: each catch clause is a handler over the instructions of
//!   the body. It delivers the payload (and the `exnref` for the `_ref`
//!   forms) straight into the slots where a branch to its label puts its
//!   values, and continues where that branch would go: a block's end
//!   (patched when the block ends), a loop's header, or the function's
//!   return (a `Return` placed after the body). The clauses wait in the
//!   frame until the `try_table` ends, so inner constructs' handlers come
//!   first in the table.
//! - Legacy `try`: each `catch`/`catch_all` arm is a handler over the body,
//!   continuing at the arm's start (a fuel region of its own, like `else`).
//!   The arm keeps the caught exception in a hidden operand at the frame's
//!   height (for `rethrow`), below its payload; values leaving the arm move
//!   down by one.
//! - `delegate l`: a handler that catches nothing and sends the search on to
//!   the handlers enclosing label `l`'s body: its target is the table index
//!   where those start, known when the construct of `l` gets its handlers
//!   (a `try`'s first arm, a `try_table`'s end) and passed outwards through
//!   frames that have none. Delegating to the function's label leaves the
//!   target at `u32::MAX`: the exception goes to the caller.

use super::control::{Control, FrameKind};
use super::{FuncTranslator, ModuleView};
use crate::isa::{Handler, HandlerKind, Instr, NO_SLOT};
use crate::prelude::*;
use wasmparser::{Catch, Operator, TryTable};

/// Where a `try_table` catch clause continues, once known.
#[derive(Debug, Clone, Copy)]
pub(super) enum Landing {
    /// At the handler's target already set (a loop header).
    Fixed,
    /// At the end of the control frame with this index (still open).
    EndOf(usize),
    /// At the function's return.
    Return,
}

/// Number of payload slots of tag `tag` (a `v128` value takes two).
fn tag_arity(module: &ModuleView<'_>, tag: u32) -> usize {
    module.types[module.tags[tag as usize] as usize].param_slots() as usize
}

impl FuncTranslator {
    /// Translates one exception-handling operator (called for `catch`,
    /// `catch_all` and `delegate` in unreachable code too, which end it).
    pub(super) fn exception_operator(&mut self, module: &ModuleView<'_>, op: &Operator<'_>) {
        match *op {
            Operator::TryTable { ref try_table } => self.try_table(module, try_table),
            Operator::Throw { tag_index } => {
                let base = self.pop_operands(tag_arity(module, tag_index));
                self.emit(Instr::Throw {
                    tag: tag_index,
                    base,
                });
                self.reachable = false;
            }
            Operator::ThrowRef => {
                let slot = self.pop();
                self.emit(Instr::ThrowRef { slot });
                self.reachable = false;
            }
            Operator::Try { blockty } => {
                let (p, r) = Self::block_arity(module, blockty);
                self.materialize_all();
                let start = self.bind_label();
                self.push_control(FrameKind::Try, blockty, p, r);
                self.controls.last_mut().expect("just pushed").try_range = (start, start);
            }
            Operator::Catch { tag_index } => self.catch_arm(module, Some(tag_index)),
            Operator::CatchAll => self.catch_arm(module, None),
            Operator::Delegate { relative_depth } => self.delegate(module, relative_depth),
            Operator::Rethrow { relative_depth } => {
                // Validated: the label is a catch arm, whose hidden operand
                // holds the exception.
                let idx = self.controls.len() - 1 - relative_depth as usize;
                let slot = self.canonical(self.controls[idx].height as usize);
                self.emit(Instr::ThrowRef { slot });
                self.reachable = false;
            }
            _ => unreachable!("not an exception-handling operator: {op:?}"),
        }
    }

    fn try_table(&mut self, module: &ModuleView<'_>, tt: &TryTable) {
        let (p, r) = Self::block_arity(module, tt.ty);
        self.materialize_all();
        let mut pending = Vec::with_capacity(tt.catches.len());
        for c in &tt.catches {
            let (kind, label, n, with_ref) = match *c {
                Catch::One { tag, label } => {
                    (HandlerKind::Tag(tag), label, tag_arity(module, tag), false)
                }
                Catch::OneRef { tag, label } => {
                    (HandlerKind::Tag(tag), label, tag_arity(module, tag), true)
                }
                Catch::All { label } => (HandlerKind::All, label, 0, false),
                Catch::AllRef { label } => (HandlerKind::All, label, 0, true),
            };
            // Catch labels are relative to the `try_table`'s enclosing frame.
            let idx = self.controls.len() - 1 - label as usize;
            let frame = &self.controls[idx];
            let (payload, target, landing) = match frame.kind {
                FrameKind::Function => (0, 0, Landing::Return),
                FrameKind::Loop => (
                    self.canonical(frame.height as usize),
                    frame.loop_start,
                    Landing::Fixed,
                ),
                _ => (
                    self.canonical(frame.height as usize),
                    0,
                    Landing::EndOf(idx),
                ),
            };
            let handler = Handler {
                start: 0,
                end: 0,
                kind,
                target,
                payload,
                exn: if with_ref {
                    payload + n as u32
                } else {
                    NO_SLOT
                },
                releases: !with_ref,
            };
            pending.push((handler, landing));
        }
        let start = self.bind_label();
        self.push_control(FrameKind::TryTable, tt.ty, p, r);
        let frame = self.controls.last_mut().expect("just pushed");
        frame.try_range = (start, start);
        frame.pending = pending;
    }

    /// A legacy `catch` (of tag `tag`, whose payload it receives) or
    /// `catch_all` arm.
    fn catch_arm(&mut self, module: &ModuleView<'_>, tag: Option<u32>) {
        let idx = self.controls.len() - 1;
        if self.reachable {
            // The previous part (body or arm) falls through to the end.
            let results = self.controls[idx].results;
            self.materialize_top(results as usize);
            if self.controls[idx].kind == FrameKind::Catch {
                let height = self.controls[idx].height;
                self.copy_top_to(results, height);
            }
            let at = self.emit(Instr::Br { target: 0 });
            self.controls[idx].patches.push(at);
        }
        if self.controls[idx].kind == FrameKind::Try {
            // The body ends here; what was delegated into it is caught by
            // the arms, which come next in the table.
            let end = self.code.len() as u32;
            let k = self.handlers.len() as u32;
            for d in core::mem::take(&mut self.controls[idx].delegates) {
                self.handlers[d].target = k;
            }
            let frame = &mut self.controls[idx];
            frame.try_range.1 = end;
            frame.kind = FrameKind::Catch;
        }
        let arm = self.bind_label();
        let height = self.controls[idx].height as usize;
        let (start, end) = self.controls[idx].try_range;
        self.handlers.push(Handler {
            start,
            end,
            kind: tag.map_or(HandlerKind::All, HandlerKind::Tag),
            target: arm,
            payload: self.canonical(height + 1),
            exn: self.canonical(height),
            releases: false,
        });
        self.begin_fuel_block();
        self.reset_stack(module, height as u32, wasmparser::BlockType::Empty, false);
        // The hidden exception operand, then the payload.
        self.push();
        if let Some(tag) = tag {
            let ty = &module.types[module.tags[tag as usize] as usize];
            for &t in ty.params() {
                self.push_ty(t);
            }
        }
        self.reachable = true;
    }

    /// Legacy `delegate`: ends a `try` (without arms) whose body's
    /// exceptions go to the handlers enclosing label `depth` (relative to
    /// the `try`'s enclosing frame).
    fn delegate(&mut self, module: &ModuleView<'_>, depth: u32) {
        let idx = self.controls.len() - 1;
        if self.reachable {
            let results = self.controls[idx].results;
            self.materialize_top(results as usize);
        }
        let end = self.code.len() as u32;
        let k = self.handlers.len();
        for d in core::mem::take(&mut self.controls[idx].delegates) {
            self.handlers[d].target = k as u32;
        }
        self.handlers.push(Handler {
            start: self.controls[idx].try_range.0,
            end,
            kind: HandlerKind::Delegate,
            target: u32::MAX,
            payload: 0,
            exn: NO_SLOT,
            releases: false,
        });
        self.end(module);
        let target = self.controls.len() - 1 - depth as usize;
        if self.controls[target].kind != FrameKind::Function {
            self.controls[target].delegates.push(k);
        }
    }

    /// At the end of `frame` (popped, its results materialised): a
    /// `try_table` adds its clauses to the table; a catch arm moves its
    /// results below the hidden operand; delegations waiting at a frame
    /// without handlers move to the enclosing one.
    pub(super) fn close_handlers(&mut self, frame: &mut Control) {
        match frame.kind {
            FrameKind::TryTable => {
                let end = self.code.len() as u32;
                let k = self.handlers.len() as u32;
                for d in frame.delegates.drain(..) {
                    self.handlers[d].target = k;
                }
                for (mut h, landing) in frame.pending.drain(..) {
                    h.start = frame.try_range.0;
                    h.end = end;
                    let i = self.handlers.len();
                    match landing {
                        Landing::Fixed => {}
                        Landing::EndOf(idx) => self.controls[idx].handler_patches.push(i),
                        Landing::Return => self.return_pads.push(i),
                    }
                    self.handlers.push(h);
                }
            }
            _ => {
                if frame.kind == FrameKind::Catch && self.reachable {
                    self.copy_top_to(frame.results, frame.height);
                }
                if !frame.delegates.is_empty() {
                    let parent = self.controls.last_mut().expect("the function frame");
                    if parent.kind != FrameKind::Function {
                        parent.delegates.append(&mut frame.delegates);
                    }
                }
            }
        }
    }

    /// After the body: the `Return` that handlers continuing at the
    /// function's return jump to (their values are in slots `0..` already).
    pub(super) fn finish_handlers(&mut self) {
        if self.return_pads.is_empty() {
            return;
        }
        let pc = self.bind_label();
        self.code.push(Instr::Return);
        for &h in &self.return_pads {
            self.handlers[h].target = pc;
        }
    }
}

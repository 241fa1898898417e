//! Control frames of the translator: one per open `block`, `loop`, `if` and
//! the function body itself.

/// What kind of construct opened the frame.
use crate::prelude::*;
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FrameKind {
    /// The function body: branching to it returns.
    Function,
    Block,
    Loop,
    If,
    // ---- exception handling (translate/exceptions.rs) ----
    /// A `try_table`: its catch clauses become handlers at its `end`.
    TryTable,
    /// A legacy `try` before its first `catch`/`catch_all` (or `delegate`).
    Try,
    /// A legacy `try` in a `catch`/`catch_all` arm: the caught exception is
    /// kept for `rethrow` in a hidden operand at the frame's height.
    Catch,
}

/// A control frame.
#[derive(Debug)]
pub(super) struct Control {
    pub kind: FrameKind,
    /// The block type (parameters and results; `Empty` for the function).
    pub ty: wasmparser::BlockType,
    /// Operand stack height below the frame's parameters.
    pub height: u32,
    /// Slots of the parameters (a `v128` counts two).
    pub params: u32,
    /// Slots of the results (a `v128` counts two).
    pub results: u32,
    /// For loops: the instruction index of the loop header.
    pub loop_start: u32,
    /// Forward branches to patch with the frame's end.
    pub patches: Vec<usize>,
    /// For `if` without `else` yet: the conditional jump to the else arm.
    pub else_patch: Option<usize>,
    /// The fuel block the construct was entered from (the index of its
    /// `ConsumeFuel`): the code after the construct's `end` is charged
    /// there, since it runs once each time that block does.
    pub fuel_at: Option<usize>,
    /// Exception handling: where the protected range of a `try`/`try_table`
    /// begins (and, once a legacy `try` has its first arm, ends).
    pub try_range: (u32, u32),
    /// Handlers (indexes in the translator's table) whose target is this
    /// frame's end, patched when it is bound.
    pub handler_patches: Vec<usize>,
    /// Legacy `delegate` handlers naming this frame's label: they continue
    /// with the handlers enclosing this frame's body.
    pub delegates: Vec<usize>,
    /// A `try_table`'s catch clauses, waiting for its end: the handler and
    /// where it lands.
    pub pending: Vec<(crate::isa::Handler, super::exceptions::Landing)>,
}

impl Control {
    /// Number of values a branch to this frame carries.
    pub fn branch_arity(&self) -> u32 {
        if self.kind == FrameKind::Loop {
            self.params
        } else {
            self.results
        }
    }
}

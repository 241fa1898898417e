//! Errors: [`Error`] for everything an embedding call can fail with, [`Trap`]
//! for runtime traps of guest code.

use crate::prelude::*;
use core::fmt;

/// Why guest code trapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrapKind {
    /// The `unreachable` instruction was executed.
    Unreachable,
    /// A load, store or bulk memory operation was out of bounds.
    MemoryOutOfBounds,
    /// A table access or bulk table operation was out of bounds.
    TableOutOfBounds,
    /// `call_indirect` with an index outside the table.
    UndefinedElement,
    /// `call_indirect` through a null table entry.
    UninitializedElement,
    /// `call_indirect` to a function of another signature.
    IndirectCallTypeMismatch,
    /// Integer division or remainder by zero.
    IntegerDivideByZero,
    /// Signed integer division overflow, or a float-to-int truncation out of range.
    IntegerOverflow,
    /// Float-to-int truncation of NaN.
    InvalidConversionToInteger,
    /// A null reference was used where a non-null one is required.
    NullReference,
    /// `call_ref` or `return_call_ref` of a null function reference.
    NullFunctionReference,
    /// The call depth or value stack limit was reached.
    StackExhausted,
    /// The store's total fuel budget ran out.
    OutOfFuel,
    /// A memory or table grew past the store's limit while limits are set to trap.
    MemoryLimit,
    /// A host function reported a trap.
    Host,
    /// An exception was thrown and no handler caught it (exception
    /// handling): it left the outermost call.
    UncaughtException,
}

impl TrapKind {
    /// The message the WebAssembly specification uses for this trap.
    pub fn message(self) -> &'static str {
        match self {
            TrapKind::Unreachable => "unreachable",
            TrapKind::MemoryOutOfBounds => "out of bounds memory access",
            TrapKind::TableOutOfBounds => "out of bounds table access",
            TrapKind::UndefinedElement => "undefined element",
            TrapKind::UninitializedElement => "uninitialized element",
            TrapKind::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapKind::IntegerDivideByZero => "integer divide by zero",
            TrapKind::IntegerOverflow => "integer overflow",
            TrapKind::InvalidConversionToInteger => "invalid conversion to integer",
            TrapKind::NullReference => "null reference",
            TrapKind::NullFunctionReference => "null function reference",
            TrapKind::StackExhausted => "call stack exhausted",
            TrapKind::OutOfFuel => "out of fuel",
            TrapKind::MemoryLimit => "memory limit exceeded",
            TrapKind::Host => "host trap",
            TrapKind::UncaughtException => "uncaught exception",
        }
    }
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// One frame of a Wasm backtrace, innermost first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameInfo {
    /// The module's name from its name section, if any.
    pub module_name: Option<String>,
    /// Index of the function in its module's function index space.
    pub func_index: u32,
    /// The function's name from the name section, if any.
    pub func_name: Option<String>,
    /// Byte offset, in the module binary, of the Wasm instruction this frame
    /// was executing: the one that trapped (innermost frame) or the call
    /// (outer frames). The function's body start when the function had not
    /// been translated yet (a trap while entering it).
    pub module_offset: u32,
    /// The same offset relative to the start of the function's body (its
    /// locals declaration, after the body's size), as wasm-c-api's
    /// `wasm_frame_func_offset`.
    pub func_offset: u32,
}

impl fmt::Display for FrameInfo {
    /// `0x2a - module!name`: the module offset, then the function's name
    /// (`<wasm function N>` without one), as wasmtime prints frames.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x} - ", self.module_offset)?;
        if let Some(m) = &self.module_name {
            write!(f, "{m}!")?;
        }
        match &self.func_name {
            Some(n) => write!(f, "{n}"),
            None => write!(f, "<wasm function {}>", self.func_index),
        }
    }
}

/// A runtime trap: its kind, an optional host message, and a Wasm backtrace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trap {
    kind: TrapKind,
    message: Option<String>,
    backtrace: Vec<FrameInfo>,
}

impl Trap {
    /// A trap of the given kind with no backtrace.
    pub fn new(kind: TrapKind) -> Self {
        Trap {
            kind,
            message: None,
            backtrace: Vec::new(),
        }
    }
    /// A trap raised by a host function, with its message.
    pub fn host(message: impl Into<String>) -> Self {
        Trap {
            kind: TrapKind::Host,
            message: Some(message.into()),
            backtrace: Vec::new(),
        }
    }
    /// The kind of trap.
    pub fn kind(&self) -> TrapKind {
        self.kind
    }
    /// The Wasm frames active when the trap happened, innermost first.
    pub fn backtrace(&self) -> &[FrameInfo] {
        &self.backtrace
    }
    pub(crate) fn with_backtrace(mut self, backtrace: Vec<FrameInfo>) -> Self {
        if self.backtrace.is_empty() {
            self.backtrace = backtrace;
        }
        self
    }
}

impl From<TrapKind> for Trap {
    fn from(kind: TrapKind) -> Self {
        Trap::new(kind)
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Some(m) => write!(f, "{m}"),
            None => write!(f, "{}", self.kind),
        }
    }
}

impl core::error::Error for Trap {}

/// Everything an engine call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The module bytes are malformed or fail validation.
    #[error("invalid module: {message} (at offset {offset:#x})")]
    Invalid {
        /// What is wrong.
        message: String,
        /// Byte offset in the module where it was found.
        offset: u64,
    },
    /// The module uses a feature this engine does not implement.
    #[error("unsupported feature: {feature} (at offset {offset:#x})")]
    Unsupported {
        /// The feature's name, e.g. "SIMD".
        feature: String,
        /// Byte offset in the module where it was found.
        offset: u64,
    },
    /// An import could not be satisfied.
    #[error("unknown import: {module}::{name} has not been defined")]
    UnknownImport {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
    },
    /// An import was provided with the wrong type.
    #[error("incompatible import type for {module}::{name}: {reason}")]
    IncompatibleImport {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// What does not match.
        reason: String,
    },
    /// A linker definition would replace an existing one.
    #[error("{module}::{name} is already defined")]
    DuplicateDefinition {
        /// Module name.
        module: String,
        /// Field name.
        name: String,
    },
    /// Guest code trapped.
    #[error("wasm trap: {0}")]
    Trap(Trap),
    /// A host function ended the instance with an exit code (WASI `proc_exit`).
    #[error("exited with code {0}")]
    Exit(i32),
    /// A host function reported "blocked" during a call that cannot be suspended.
    #[error("a host function blocked during a call that cannot be suspended")]
    Blocked,
    /// The arguments of an embedding call were wrong (types, counts, limits).
    #[error("{0}")]
    Usage(String),
    /// A store resource limit was reached during instantiation or growth.
    #[error("resource limit exceeded: {0}")]
    Limit(String),
}

impl Error {
    /// The trap, if this error is one.
    pub fn as_trap(&self) -> Option<&Trap> {
        if let Error::Trap(t) = self {
            Some(t)
        } else {
            None
        }
    }

    pub(crate) fn usage(msg: impl Into<String>) -> Self {
        Error::Usage(msg.into())
    }

    pub(crate) fn from_parser(e: wasmparser::BinaryReaderError) -> Self {
        let message = e.message().to_string();
        Error::Invalid {
            message,
            offset: e.offset(),
        }
    }
}

impl From<Trap> for Error {
    fn from(t: Trap) -> Self {
        Error::Trap(t)
    }
}

impl From<TrapKind> for Error {
    fn from(k: TrapKind) -> Self {
        Error::Trap(Trap::new(k))
    }
}

impl From<wasmparser::BinaryReaderError> for Error {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        Error::from_parser(e)
    }
}

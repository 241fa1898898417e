//! [`Module`]: a decoded, validated and translated Wasm module, immutable and
//! shared behind an `Arc` by every instance created from it.

use crate::prelude::*;
mod const_expr;
mod parse;

pub(crate) use const_expr::ConstExpr;

use crate::engine::{Engine, TypeId};
use crate::error::Error;
use crate::isa::Instr;
use crate::sync::OnceSlot;
use crate::value::{ExternType, FuncType, GlobalType, MemoryType, TableType};
use alloc::sync::Arc;
use core::sync::atomic::{AtomicPtr, AtomicU32, Ordering};
use hashbrown::HashMap;

/// A compiled module. Cloning is cheap; instantiating it again costs no
/// validation or translation.
#[derive(Debug, Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

/// What an import refers to, by kind.
#[derive(Debug, Clone)]
pub(crate) enum ImportKind {
    Func(u32),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
    /// A tag of the given type index (exception handling).
    Tag(u32),
}

/// One import of a module.
#[derive(Debug, Clone)]
pub(crate) struct ImportEntry {
    pub module: String,
    pub name: String,
    pub kind: ImportKind,
}

/// An index into one of the module's index spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExternIndex {
    Func(u32),
    Table(u32),
    Memory(u32),
    Global(u32),
    Tag(u32),
}

/// How an element segment is applied.
#[derive(Debug, Clone)]
pub(crate) enum ElemMode {
    Passive,
    Active { table: u32, offset: ConstExpr },
    Declared,
}

/// An element segment.
#[derive(Debug, Clone)]
pub(crate) struct ElemSegment {
    pub mode: ElemMode,
    pub items: Vec<ConstExpr>,
}

/// A data segment.
#[derive(Debug, Clone)]
pub(crate) struct DataSegment {
    pub active: Option<ConstExpr>,
    /// The memory an active segment initialises.
    pub memory: u32,
    pub bytes: Arc<[u8]>,
}

/// A translated function body.
#[derive(Debug)]
pub(crate) struct Body {
    /// The internal instruction stream.
    pub instrs: Box<[Instr]>,
    /// Slots the frame needs: locals plus the deepest operand stack.
    pub frame_size: u32,
    /// Instruction position → operator byte offset, for backtraces only.
    pub offsets: crate::translate::OffsetTable,
    /// The exception handlers of the body, innermost first (exception
    /// handling; empty for most functions).
    pub handlers: Box<[crate::isa::Handler]>,
}

/// Why a lazily translated body could not be translated (an operator the
/// validator accepts but the translator does not know: not expected, the
/// two share one feature set; reported as the error eager translation
/// would have given).
#[derive(Debug)]
pub(crate) struct TranslateError {
    unsupported: bool,
    message: String,
    offset: u64,
}

impl TranslateError {
    fn of(e: &Error) -> Self {
        match e {
            Error::Unsupported { feature, offset } => TranslateError {
                unsupported: true,
                message: feature.clone(),
                offset: *offset,
            },
            Error::Invalid { message, offset } => TranslateError {
                unsupported: false,
                message: message.clone(),
                offset: *offset,
            },
            other => TranslateError {
                unsupported: false,
                message: other.to_string(),
                offset: 0,
            },
        }
    }

    pub(crate) fn to_error(&self) -> Error {
        let (message, offset) = (self.message.clone(), self.offset);
        if self.unsupported {
            Error::Unsupported {
                feature: message,
                offset,
            }
        } else {
            Error::Invalid { message, offset }
        }
    }
}

/// The one instruction of a body not translated yet: the interpreter loop
/// translates the body when it reaches it (lazy translation).
static UNTRANSLATED: [Instr; 1] = [Instr::Untranslated];

/// A defined function: its signature sizes and its body, translated when
/// the module is compiled (eager) or on the function's first call (lazy,
/// [`crate::Config::lazy_translation`]).
///
/// Until translated, the function's code is [`UNTRANSLATED`] with a frame
/// of its locals only. The threaded call handler reads the current code
/// from `entry` (acquire) and then the frame size from `frame_size`; a
/// thread that translates (or sees a translation) publishes the frame size
/// and then the body's address (release), so a frame is never smaller
/// than the code that runs in it needs. Everything else gets code and
/// frame size together from [`CompiledFunc::current`].
///
/// `repr(C)`: what a call reads (entry, frame size, parameter and local
/// counts) comes first, together in 24 bytes.
#[derive(Debug)]
#[repr(C)]
pub(crate) struct CompiledFunc {
    /// The code to run: `UNTRANSLATED` or the body's instructions.
    entry: AtomicPtr<Instr>,
    /// The frame size for `entry`'s code.
    frame_size: AtomicU32,
    /// Number of parameters (the first slots of the frame).
    pub num_params: u32,
    /// Number of declared locals (the slots after the parameters, zeroed
    /// by a call): `num_locals - num_params`.
    pub num_declared: u32,
    /// Parameters plus declared locals.
    pub num_locals: u32,
    /// The translation, once made.
    body: OnceSlot<Result<Body, TranslateError>>,
    /// Module byte offsets of the body (its locals declaration) and its end.
    source: (u32, u32),
}

impl CompiledFunc {
    /// A function translated on its first call.
    pub(crate) fn lazy(
        num_params: u32,
        num_locals: u32,
        num_results: u32,
        source: (u32, u32),
    ) -> Self {
        CompiledFunc {
            num_params,
            num_declared: num_locals.saturating_sub(num_params),
            num_locals,
            entry: AtomicPtr::new(UNTRANSLATED.as_ptr().cast_mut()),
            frame_size: AtomicU32::new(num_locals.max(num_results)),
            body: OnceSlot::new(),
            source,
        }
    }

    /// A function translated now.
    pub(crate) fn eager(num_params: u32, num_locals: u32, body: Body, source: (u32, u32)) -> Self {
        let f = CompiledFunc {
            num_params,
            num_declared: num_locals.saturating_sub(num_params),
            num_locals,
            entry: AtomicPtr::new(body.instrs.as_ptr().cast_mut()),
            frame_size: AtomicU32::new(body.frame_size),
            body: OnceSlot::new(),
            source,
        };
        f.body.get_or_init(|| Ok(body));
        f
    }

    /// The code a call enters (threaded handlers; read before [`Self::frame_size`]).
    #[inline(always)]
    pub(crate) fn entry(&self) -> *const Instr {
        self.entry.load(Ordering::Acquire)
    }

    /// The frame size for the code [`Self::entry`] returned (or a later one).
    #[inline(always)]
    pub(crate) fn frame_size(&self) -> u32 {
        self.frame_size.load(Ordering::Relaxed)
    }

    /// Makes the translated body what [`Self::entry`] returns (idempotent).
    fn publish(&self, body: &Body) {
        let ptr = body.instrs.as_ptr().cast_mut();
        if self.entry.load(Ordering::Relaxed) != ptr {
            self.frame_size.store(body.frame_size, Ordering::Relaxed);
            self.entry.store(ptr, Ordering::Release);
        }
    }

    /// The translated body, if translation succeeded already.
    pub(crate) fn translated(&self) -> Option<&Body> {
        let body = self.body.get()?.as_ref().ok()?;
        self.publish(body);
        Some(body)
    }

    /// The code to run now and the frame size it needs: the body when
    /// translated, else the one-instruction stub.
    #[inline]
    pub(crate) fn current(&self) -> (&[Instr], u32) {
        match self.translated() {
            Some(b) => (&b.instrs, b.frame_size),
            None => (&UNTRANSLATED, self.num_locals.max(self.frame_size())),
        }
    }

    /// The code of a function not translated yet.
    pub(crate) fn stub() -> &'static [Instr] {
        &UNTRANSLATED
    }

    /// The body, translating it now if needed (once, whichever thread asks
    /// first; the others wait for it).
    pub(crate) fn translate(&self, module: &ModuleInner, defined: u32) -> Result<&Body, Error> {
        let r = self.body.get_or_init(|| {
            parse::translate_lazily(module, defined, self.source)
                .map_err(|e| TranslateError::of(&e))
        });
        match r {
            Ok(body) => {
                self.publish(body);
                Ok(body)
            }
            Err(e) => Err(e.to_error()),
        }
    }

    /// The module byte offset of the operator of instruction `pc`, and of
    /// the body's start (the body's start for both before translation).
    pub(crate) fn offsets(&self, pc: u32) -> (u32, u32) {
        match self.translated() {
            Some(b) => (b.offsets.module_offset(pc), b.offsets.body_start),
            None => (self.source.0, self.source.0),
        }
    }
}

/// Everything known about a module after loading.
#[derive(Debug)]
pub(crate) struct ModuleInner {
    pub engine: Engine,
    pub name: Option<String>,
    pub types: Vec<FuncType>,
    pub type_ids: Vec<TypeId>,
    pub imports: Vec<ImportEntry>,
    /// Type index of every function, imports first.
    pub funcs: Vec<u32>,
    pub num_imported_funcs: u32,
    pub tables: Vec<TableType>,
    /// The initial element of each defined table (function references:
    /// a constant expression; `None` for null).
    pub table_inits: Vec<Option<ConstExpr>>,
    /// The exact reference type of each table and global (imported ones
    /// first), where it is not the plain nullable funcref/externref.
    pub table_refs: Vec<Option<crate::engine::RefTy>>,
    pub global_refs: Vec<Option<crate::engine::RefTy>>,
    pub num_imported_tables: u32,
    pub memories: Vec<MemoryType>,
    pub num_imported_memories: u32,
    pub globals: Vec<GlobalType>,
    pub num_imported_globals: u32,
    pub global_inits: Vec<ConstExpr>,
    pub exports: Vec<(String, ExternIndex)>,
    /// Export name → position in `exports` (host calls look up "memory" often).
    pub export_index: HashMap<String, usize>,
    pub start: Option<u32>,
    pub elems: Vec<ElemSegment>,
    pub datas: Vec<DataSegment>,
    pub code: Vec<CompiledFunc>,
    pub func_names: HashMap<u32, String>,
    /// With lazy translation: the code section's bytes (function bodies
    /// are translated from them on first call), and its module offset.
    pub code_section: Box<[u8]>,
    pub code_section_offset: u32,
    /// The type index of every tag, imports first (exception handling).
    pub tags: Vec<u32>,
    pub num_imported_tags: u32,
}

impl ModuleInner {
    pub(crate) fn func_type(&self, func_index: u32) -> &FuncType {
        &self.types[self.funcs[func_index as usize] as usize]
    }

    pub(crate) fn extern_type(&self, index: ExternIndex) -> ExternType {
        match index {
            ExternIndex::Func(i) => ExternType::Func(self.func_type(i).clone()),
            ExternIndex::Table(i) => ExternType::Table(self.tables[i as usize]),
            ExternIndex::Memory(i) => ExternType::Memory(self.memories[i as usize]),
            ExternIndex::Global(i) => ExternType::Global(self.globals[i as usize]),
            ExternIndex::Tag(i) => ExternType::Tag(self.tag_type(i)),
        }
    }

    /// The type of tag `index`.
    pub(crate) fn tag_type(&self, index: u32) -> crate::value::TagType {
        crate::value::TagType {
            ty: self.types[self.tags[index as usize] as usize].clone(),
        }
    }
}

/// An import a module needs: where from, and of what type.
#[derive(Debug, Clone)]
pub struct ImportType {
    /// The module name of the import.
    pub module: String,
    /// The field name of the import.
    pub name: String,
    /// The type the import must have.
    pub ty: ExternType,
}

/// An export a module offers.
#[derive(Debug, Clone)]
pub struct ExportType {
    /// The export name.
    pub name: String,
    /// The exported item's type.
    pub ty: ExternType,
}

impl Module {
    /// Decodes, validates and translates a binary module.
    ///
    /// Errors name the problem and its byte offset. A module using a feature
    /// the engine does not implement (SIMD, for now) is refused with
    /// [`Error::Unsupported`].
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module, Error> {
        let eager = !engine.config().lazy_translation;
        let inner = parse::parse(engine, bytes.as_ref(), eager)?;
        Ok(Module {
            inner: Arc::new(inner),
        })
    }

    /// Reads and compiles a module from a file.
    #[cfg(feature = "std")]
    pub fn from_file(engine: &Engine, path: impl AsRef<std::path::Path>) -> Result<Module, Error> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::usage(format!("cannot read {}: {e}", path.display())))?;
        Module::new(engine, bytes)
    }

    /// Validates a binary module without keeping the translation.
    ///
    /// Every function body is translated too (whatever
    /// [`crate::Config::lazy_translation`] says), so every error
    /// [`Module::new`] or a first call could report is reported here.
    pub fn validate(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<(), Error> {
        parse::parse(engine, bytes.as_ref(), true).map(|_| ())
    }

    /// The engine this module was compiled for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The module's name from its name section, if any.
    pub fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }

    /// The module's imports, in order.
    pub fn imports(&self) -> impl ExactSizeIterator<Item = ImportType> + '_ {
        self.inner.imports.iter().map(|imp| ImportType {
            module: imp.module.clone(),
            name: imp.name.clone(),
            ty: match &imp.kind {
                ImportKind::Func(t) => ExternType::Func(self.inner.types[*t as usize].clone()),
                ImportKind::Table(t) => ExternType::Table(*t),
                ImportKind::Memory(m) => ExternType::Memory(*m),
                ImportKind::Global(g) => ExternType::Global(*g),
                ImportKind::Tag(t) => ExternType::Tag(crate::value::TagType {
                    ty: self.inner.types[*t as usize].clone(),
                }),
            },
        })
    }

    /// The module's exports, in order.
    pub fn exports(&self) -> impl ExactSizeIterator<Item = ExportType> + '_ {
        self.inner.exports.iter().map(|(name, idx)| ExportType {
            name: name.clone(),
            ty: self.inner.extern_type(*idx),
        })
    }

    /// The type of an exported item, if the module exports that name.
    pub fn get_export(&self, name: &str) -> Option<ExternType> {
        let i = *self.inner.export_index.get(name)?;
        Some(self.inner.extern_type(self.inner.exports[i].1))
    }

    /// The internal instructions of the function with the given index (in
    /// the module's function index space), one per line; `None` for imports
    /// and out-of-range indexes. For debugging and for reading the translation
    /// (a function not translated yet is translated now).
    pub fn disassemble(&self, func_index: u32) -> Option<String> {
        let defined = func_index.checked_sub(self.inner.num_imported_funcs)?;
        let f = self.inner.code.get(defined as usize)?;
        let body = match f.translate(&self.inner, defined) {
            Ok(body) => body,
            Err(e) => return Some(format!("; not translated: {e}\n")),
        };
        let mut out = format!(
            "; params {} locals {} frame {}\n",
            f.num_params, f.num_locals, body.frame_size
        );
        for (pc, instr) in body.instrs.iter().enumerate() {
            let instr = instr.unresolved(pc);
            out.push_str(&format!("{pc:5}: {instr:?}\n"));
        }
        Some(out)
    }

    /// Whether every function body translated so far keeps what the
    /// interpreter's branch handlers rely on: every branch target leads
    /// inside its body, a flagged one to the instruction after a
    /// `ConsumeFuel` (`isa::Instr::resolve_branches`).
    /// Translates nothing. For tests (the spec test runner checks every
    /// module it compiles eagerly).
    #[doc(hidden)]
    pub fn branches_resolved(&self) -> bool {
        self.inner
            .code
            .iter()
            .filter_map(|f| f.translated())
            .all(|b| Instr::resolved_targets_hold(&b.instrs))
    }

    /// Number of internal instructions across the function bodies translated
    /// so far (a measure of translated code size; with lazy translation,
    /// only the functions called so far, in any instance of this module).
    pub fn instruction_count(&self) -> usize {
        self.inner
            .code
            .iter()
            .filter_map(|f| f.translated())
            .map(|b| b.instrs.len())
            .sum()
    }
}

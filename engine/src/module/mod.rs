//! [`Module`]: a decoded, validated and translated Wasm module, immutable and
//! shared behind an `Arc` by every instance created from it.

mod const_expr;
mod parse;

pub(crate) use const_expr::ConstExpr;

use crate::engine::{Engine, TypeId};
use crate::error::Error;
use crate::isa::Instr;
use crate::value::{ExternType, FuncType, GlobalType, MemoryType, TableType};
use hashbrown::HashMap;
use std::sync::Arc;

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

/// One translated function body.
#[derive(Debug)]
pub(crate) struct CompiledFunc {
    /// The internal instruction stream.
    pub instrs: Box<[Instr]>,
    /// Number of parameters (the first slots of the frame).
    pub num_params: u32,
    /// Parameters plus declared locals.
    pub num_locals: u32,
    /// Slots the frame needs: locals plus the deepest operand stack.
    pub frame_size: u32,
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
        let inner = parse::parse(engine, bytes.as_ref())?;
        Ok(Module {
            inner: Arc::new(inner),
        })
    }

    /// Reads and compiles a module from a file.
    pub fn from_file(engine: &Engine, path: impl AsRef<std::path::Path>) -> Result<Module, Error> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::usage(format!("cannot read {}: {e}", path.display())))?;
        Module::new(engine, bytes)
    }

    /// Validates a binary module without keeping the translation.
    pub fn validate(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<(), Error> {
        parse::parse(engine, bytes.as_ref()).map(|_| ())
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
    /// and out-of-range indexes. For debugging and for reading the translation.
    pub fn disassemble(&self, func_index: u32) -> Option<String> {
        let defined = func_index.checked_sub(self.inner.num_imported_funcs)?;
        let f = self.inner.code.get(defined as usize)?;
        let mut out = format!(
            "; params {} locals {} frame {}\n",
            f.num_params, f.num_locals, f.frame_size
        );
        for (pc, instr) in f.instrs.iter().enumerate() {
            out.push_str(&format!("{pc:5}: {instr:?}\n"));
        }
        Some(out)
    }

    /// Number of internal instructions across all function bodies (a measure
    /// of translated code size).
    pub fn instruction_count(&self) -> usize {
        self.inner.code.iter().map(|f| f.instrs.len()).sum()
    }
}

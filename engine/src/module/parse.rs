//! One pass over the module bytes: every payload is validated by wasmparser
//! and recorded; every function body is validated, and translated in the
//! same pass (eager) or on its function's first call (lazy:
//! [`translate_lazily`], from the code section's bytes kept in the module).

use super::{
    Body, CompiledFunc, ConstExpr, DataSegment, ElemMode, ElemSegment, ExternIndex, ImportEntry,
    ImportKind, ModuleInner,
};
use crate::engine::{
    CanonComposite, CanonHeap, CanonIdx, CanonSub, CanonVal, Engine, HeapRef, RefTy,
};
use crate::error::Error;
use crate::prelude::*;
use crate::translate::{FuncTranslator, ModuleView};
use crate::value::{FuncType, GlobalType, MemoryType, Mutability, TableType, ValType};
use alloc::sync::Arc;
use hashbrown::HashMap;
use wasmparser::{
    AbstractHeapType, BinaryReader, CompositeInnerType, ElementItems, ElementKind, ExternalKind,
    FuncValidatorAllocations, FunctionBody, HeapType, Imports, KnownCustom, Name, Parser, Payload,
    RefType, TypeRef, ValidPayload, Validator,
};

pub(crate) fn val_type(ty: wasmparser::ValType, offset: u64) -> Result<ValType, Error> {
    Ok(match ty {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::V128 => ValType::V128,
        wasmparser::ValType::Ref(r) => ref_type(r, offset)?,
    })
}

/// The engine's view of a reference type: every reference to a function
/// (`funcref`, `(ref $t)`, `nullfuncref`, ...) is a `FuncRef` slot, every
/// external reference an `ExternRef` (nullability and the exact type are
/// validation's business). A concrete type is a function type here: GC
/// struct and array values cannot be created (their instructions are not
/// supported), and a null is a null in either view.
fn ref_type(r: RefType, offset: u64) -> Result<ValType, Error> {
    match r.heap_type() {
        HeapType::Abstract {
            ty: AbstractHeapType::Func | AbstractHeapType::NoFunc,
            ..
        }
        | HeapType::Concrete(_)
        | HeapType::Exact(_) => Ok(ValType::FuncRef),
        HeapType::Abstract {
            ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern,
            ..
        } => Ok(ValType::ExternRef),
        HeapType::Abstract {
            ty: AbstractHeapType::Exn | AbstractHeapType::NoExn,
            ..
        } => Ok(ValType::ExnRef),
        // Only null values exist without the GC instructions.
        HeapType::Abstract {
            ty:
                AbstractHeapType::Any
                | AbstractHeapType::None
                | AbstractHeapType::Eq
                | AbstractHeapType::I31
                | AbstractHeapType::Struct
                | AbstractHeapType::Array,
            shared: false,
        } => Ok(ValType::AnyRef),
        other => Err(Error::Unsupported {
            feature: format!("reference type {other:?}"),
            offset,
        }),
    }
}

/// Turns the types of one recursion group into their canonical form (see
/// `engine::TypeRegistry`).
struct Canonicalizer<'a> {
    /// Module index of the group's first type, and its number of types.
    start: u32,
    len: u32,
    /// Canonical ids of the module's earlier types.
    ids: &'a [crate::engine::TypeId],
}

impl Canonicalizer<'_> {
    fn index(&self, idx: wasmparser::UnpackedIndex, offset: u64) -> Result<CanonIdx, Error> {
        let Some(i) = idx.as_module_index() else {
            return Err(Error::Unsupported {
                feature: "rec-group relative type index".into(),
                offset,
            });
        };
        Ok(if (self.start..self.start + self.len).contains(&i) {
            CanonIdx::Rel(i - self.start)
        } else {
            CanonIdx::Id(self.ids[i as usize].0)
        })
    }

    fn val(&self, t: wasmparser::ValType, offset: u64) -> Result<CanonVal, Error> {
        Ok(match t {
            wasmparser::ValType::I32 => CanonVal::I32,
            wasmparser::ValType::I64 => CanonVal::I64,
            wasmparser::ValType::F32 => CanonVal::F32,
            wasmparser::ValType::F64 => CanonVal::F64,
            wasmparser::ValType::V128 => CanonVal::V128,
            wasmparser::ValType::Ref(r) => CanonVal::Ref {
                nullable: r.is_nullable(),
                heap: match r.heap_type() {
                    HeapType::Abstract { shared, ty } => CanonHeap::Abstract(ty, shared),
                    HeapType::Concrete(i) => CanonHeap::Concrete(self.index(i, offset)?, false),
                    HeapType::Exact(i) => CanonHeap::Concrete(self.index(i, offset)?, true),
                },
            },
        })
    }

    fn field(&self, f: &wasmparser::FieldType, offset: u64) -> Result<(CanonVal, bool), Error> {
        let t = match f.element_type {
            wasmparser::StorageType::I8 => CanonVal::I8,
            wasmparser::StorageType::I16 => CanonVal::I16,
            wasmparser::StorageType::Val(v) => self.val(v, offset)?,
        };
        Ok((t, f.mutable))
    }

    fn sub(&self, sub: &wasmparser::SubType, offset: u64) -> Result<CanonSub, Error> {
        let vals = |ts: &[wasmparser::ValType]| {
            ts.iter()
                .map(|t| self.val(*t, offset))
                .collect::<Result<Vec<_>, _>>()
        };
        let (composite, func) = match &sub.composite_type.inner {
            CompositeInnerType::Func(ft) => {
                let view = |ts: &[wasmparser::ValType]| {
                    ts.iter()
                        .map(|t| val_type(*t, offset))
                        .collect::<Result<Vec<_>, _>>()
                };
                let func = FuncType::new(view(ft.params())?, view(ft.results())?);
                (
                    CanonComposite::Func(vals(ft.params())?, vals(ft.results())?),
                    Some(func),
                )
            }
            CompositeInnerType::Struct(st) => (
                CanonComposite::Struct(
                    st.fields
                        .iter()
                        .map(|f| self.field(f, offset))
                        .collect::<Result<Vec<_>, _>>()?,
                ),
                None,
            ),
            CompositeInnerType::Array(at) => {
                let (t, mutable) = self.field(&at.0, offset)?;
                (CanonComposite::Array(t, mutable), None)
            }
            _ => {
                return Err(Error::Unsupported {
                    feature: "continuation types".into(),
                    offset,
                });
            }
        };
        let supertype = match sub.supertype_idxs.first() {
            Some(p) => Some(self.index(p.unpack(), offset)?),
            None => None,
        };
        Ok(CanonSub {
            is_final: sub.is_final,
            supertype,
            composite,
            func,
        })
    }
}

/// The exact type of a reference (see `engine::RefTy`), `None` when it is
/// the plain nullable `funcref` or `externref`.
fn exact_ref(r: RefType, type_ids: &[crate::engine::TypeId]) -> Option<RefTy> {
    let heap = match r.heap_type() {
        HeapType::Abstract { ty, .. } => match ty {
            AbstractHeapType::Func => HeapRef::Func,
            AbstractHeapType::NoFunc => HeapRef::NoFunc,
            AbstractHeapType::Extern => HeapRef::Extern,
            AbstractHeapType::NoExtern => HeapRef::NoExtern,
            other => HeapRef::Other(other),
        },
        HeapType::Concrete(i) | HeapType::Exact(i) => {
            let i = i.as_module_index().unwrap_or(u32::MAX);
            HeapRef::Concrete(type_ids.get(i as usize).copied()?)
        }
    };
    let exact = RefTy {
        nullable: r.is_nullable(),
        heap,
    };
    let plain = matches!(heap, HeapRef::Func | HeapRef::Extern) && exact.nullable;
    (!plain).then_some(exact)
}

/// [`exact_ref`] of a value type (`None` for numbers).
fn exact_val(t: wasmparser::ValType, type_ids: &[crate::engine::TypeId]) -> Option<RefTy> {
    match t {
        wasmparser::ValType::Ref(r) => exact_ref(r, type_ids),
        _ => None,
    }
}

fn table_type(t: &wasmparser::TableType, offset: u64) -> Result<TableType, Error> {
    // memory64's 64-bit tables (i64 indices in `table.*`, `call_indirect`
    // and element offsets) are not implemented: refused rather than run
    // with their indices cut to 32 bits (found by the `differential` fuzz
    // target; engine/tests/proposals_fuzz.rs).
    if t.table64 {
        return Err(Error::Unsupported {
            feature: "64-bit tables (table64)".into(),
            offset,
        });
    }
    Ok(TableType {
        element: ref_type(t.element_type, offset)?,
        minimum: t.initial as u32,
        maximum: t.maximum.map(|m| m as u32),
    })
}

fn memory_type(m: &wasmparser::MemoryType) -> MemoryType {
    // 64-bit limits beyond 32 bits cannot be allocated here anyway.
    let pages = |p: u64| u32::try_from(p).unwrap_or(u32::MAX);
    MemoryType {
        minimum: pages(m.initial),
        maximum: m.maximum.map(pages),
        memory64: m.memory64,
        page_size_log2: m.page_size_log2.map_or(16, |l| l as u8),
    }
}

fn global_type(g: &wasmparser::GlobalType, offset: u64) -> Result<GlobalType, Error> {
    Ok(GlobalType {
        content: val_type(g.content_type, offset)?,
        mutability: if g.mutable {
            Mutability::Var
        } else {
            Mutability::Const
        },
    })
}

/// Decodes and validates `bytes`, translating every body now when `eager`.
pub(crate) fn parse(engine: &Engine, bytes: &[u8], eager: bool) -> Result<ModuleInner, Error> {
    let mut validator = Validator::new_with_features(engine.config().wasm_features());
    let mut m = ModuleInner {
        engine: engine.clone(),
        name: None,
        types: Vec::new(),
        type_ids: Vec::new(),
        imports: Vec::new(),
        funcs: Vec::new(),
        num_imported_funcs: 0,
        tables: Vec::new(),
        table_inits: Vec::new(),
        table_refs: Vec::new(),
        global_refs: Vec::new(),
        num_imported_tables: 0,
        memories: Vec::new(),
        num_imported_memories: 0,
        globals: Vec::new(),
        num_imported_globals: 0,
        global_inits: Vec::new(),
        exports: Vec::new(),
        export_index: HashMap::new(),
        start: None,
        elems: Vec::new(),
        datas: Vec::new(),
        code: Vec::new(),
        func_names: HashMap::new(),
        code_section: Box::default(),
        code_section_offset: 0,
        tags: Vec::new(),
        num_imported_tags: 0,
    };
    let mut allocs = FuncValidatorAllocations::default();
    let mut translator = FuncTranslator::new(engine.config());
    let mut saw_end = false;

    let mut parser = Parser::new(0);
    // The parser must decode with the same features the validator checks:
    // without them it accepts multi-memory and memory64 encodings.
    parser.set_features(engine.config().wasm_features());
    for payload in parser.parse_all(bytes) {
        let payload = payload?;
        let valid = validator.payload(&payload)?;
        match &payload {
            Payload::Version {
                encoding, range, ..
            } if *encoding != wasmparser::Encoding::Module => {
                return Err(Error::Unsupported {
                    feature: "components".into(),
                    offset: range.start,
                });
            }
            Payload::TypeSection(reader) => {
                for group in reader.clone().into_iter_with_offsets() {
                    let (offset, group) = group?;
                    let start = m.types.len() as u32;
                    let subs: Vec<wasmparser::SubType> = group.into_types().collect();
                    let canon = Canonicalizer {
                        start,
                        len: subs.len() as u32,
                        ids: &m.type_ids,
                    };
                    let mut group = Vec::with_capacity(subs.len());
                    for sub in &subs {
                        group.push(canon.sub(sub, offset)?);
                    }
                    let funcs: Vec<_> = group.iter().map(|s| s.func.clone()).collect();
                    let ids = engine.intern_group(group);
                    for (id, func) in ids.into_iter().zip(funcs) {
                        m.type_ids.push(id);
                        // A struct or array type (GC) is never called or
                        // used as a block type (validated); it has an empty
                        // signature here.
                        m.types.push(func.unwrap_or_else(|| FuncType::new([], [])));
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for imports in reader.clone() {
                    let offset = reader.range().start;
                    let Imports::Single(_, imp) = imports? else {
                        return Err(Error::Unsupported {
                            feature: "compact imports".into(),
                            offset,
                        });
                    };
                    let kind = match imp.ty {
                        TypeRef::Func(t) => {
                            m.funcs.push(t);
                            m.num_imported_funcs += 1;
                            ImportKind::Func(t)
                        }
                        TypeRef::Table(t) => {
                            m.table_refs.push(exact_ref(t.element_type, &m.type_ids));
                            let t = table_type(&t, offset)?;
                            m.tables.push(t);
                            m.num_imported_tables += 1;
                            ImportKind::Table(t)
                        }
                        TypeRef::Memory(mt) => {
                            let mt = memory_type(&mt);
                            m.memories.push(mt);
                            m.num_imported_memories += 1;
                            ImportKind::Memory(mt)
                        }
                        TypeRef::Global(g) => {
                            m.global_refs.push(exact_val(g.content_type, &m.type_ids));
                            let g = global_type(&g, offset)?;
                            m.globals.push(g);
                            m.num_imported_globals += 1;
                            ImportKind::Global(g)
                        }
                        TypeRef::Tag(t) => {
                            m.tags.push(t.func_type_idx);
                            m.num_imported_tags += 1;
                            ImportKind::Tag(t.func_type_idx)
                        }
                        other => {
                            return Err(Error::Unsupported {
                                feature: format!("import of {other:?}"),
                                offset,
                            });
                        }
                    };
                    m.imports.push(ImportEntry {
                        module: imp.module.to_string(),
                        name: imp.name.to_string(),
                        kind,
                    });
                }
            }
            Payload::FunctionSection(reader) => {
                for t in reader.clone() {
                    m.funcs.push(t?);
                }
            }
            Payload::TableSection(reader) => {
                for t in reader.clone() {
                    let t = t?;
                    m.table_inits.push(match &t.init {
                        wasmparser::TableInit::RefNull => None,
                        wasmparser::TableInit::Expr(expr) => Some(ConstExpr::decode(expr)?),
                    });
                    m.table_refs.push(exact_ref(t.ty.element_type, &m.type_ids));
                    m.tables.push(table_type(&t.ty, reader.range().start)?);
                }
            }
            Payload::MemorySection(reader) => {
                for mt in reader.clone() {
                    m.memories.push(memory_type(&mt?));
                }
            }
            Payload::GlobalSection(reader) => {
                for g in reader.clone() {
                    let g = g?;
                    m.global_refs
                        .push(exact_val(g.ty.content_type, &m.type_ids));
                    m.globals.push(global_type(&g.ty, reader.range().start)?);
                    m.global_inits.push(ConstExpr::decode(&g.init_expr)?);
                }
            }
            Payload::ExportSection(reader) => {
                for e in reader.clone() {
                    let e = e?;
                    let idx = match e.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => ExternIndex::Func(e.index),
                        ExternalKind::Table => ExternIndex::Table(e.index),
                        ExternalKind::Memory => ExternIndex::Memory(e.index),
                        ExternalKind::Global => ExternIndex::Global(e.index),
                        ExternalKind::Tag => ExternIndex::Tag(e.index),
                    };
                    m.export_index.insert(e.name.to_string(), m.exports.len());
                    m.exports.push((e.name.to_string(), idx));
                }
            }
            Payload::TagSection(reader) => {
                for t in reader.clone() {
                    m.tags.push(t?.func_type_idx);
                }
            }
            Payload::StartSection { func, .. } => m.start = Some(*func),
            Payload::ElementSection(reader) => {
                for e in reader.clone() {
                    let e = e?;
                    let mode = match e.kind {
                        ElementKind::Passive => ElemMode::Passive,
                        ElementKind::Declared => ElemMode::Declared,
                        ElementKind::Active {
                            table_index,
                            offset_expr,
                        } => ElemMode::Active {
                            table: table_index.unwrap_or(0),
                            offset: ConstExpr::decode(&offset_expr)?,
                        },
                    };
                    let mut items = Vec::new();
                    match e.items {
                        ElementItems::Functions(funcs) => {
                            for f in funcs {
                                items.push(ConstExpr::ref_func(f?));
                            }
                        }
                        ElementItems::Expressions(_, exprs) => {
                            for x in exprs {
                                items.push(ConstExpr::decode(&x?)?);
                            }
                        }
                    }
                    m.elems.push(ElemSegment { mode, items });
                }
            }
            Payload::DataSection(reader) => {
                for d in reader.clone() {
                    let d = d?;
                    let (active, memory) = match d.kind {
                        wasmparser::DataKind::Passive => (None, 0),
                        wasmparser::DataKind::Active {
                            offset_expr,
                            memory_index,
                        } => (Some(ConstExpr::decode(&offset_expr)?), memory_index),
                    };
                    m.datas.push(DataSegment {
                        active,
                        memory,
                        bytes: Arc::from(d.data),
                    });
                }
            }
            Payload::CustomSection(reader) => {
                if let KnownCustom::Name(names) = reader.as_known() {
                    // A malformed name section is ignored, as other engines do.
                    read_names(names, &mut m);
                }
            }
            Payload::CodeSectionStart {
                unchecked_range: range,
                ..
            } if !eager => {
                let section = bytes
                    .get(range.start as usize..range.end as usize)
                    .ok_or_else(|| Error::Invalid {
                        message: "unexpected end of code section".into(),
                        offset: bytes.len() as u64,
                    })?;
                m.code_section = section.into();
                m.code_section_offset = range.start as u32;
            }
            Payload::End(_) => saw_end = true,
            _ => {}
        }
        if let ValidPayload::Func(to_validate, body) = valid {
            let mut func_validator = to_validate.into_validator(core::mem::take(&mut allocs));
            let func_index = func_validator.index();
            let view = ModuleView {
                types: &m.types,
                funcs: &m.funcs,
                num_imported_funcs: m.num_imported_funcs,
                memories: &m.memories,
                globals: &m.globals,
                tags: &m.tags,
            };
            let ty = &m.types[m.funcs[func_index as usize] as usize];
            // Counted in slots: a `v128` takes two.
            let num_params = crate::value::slot_count(ty.params()) as u32;
            let source = (body.range().start as u32, body.range().end as u32);
            let compiled = if eager {
                let (translated, num_locals) =
                    translator.translate(&view, func_index, &body, Some(&mut func_validator))?;
                CompiledFunc::eager(num_params, num_locals, translated, source)
            } else {
                func_validator.validate(&body)?;
                let mut num_locals = num_params;
                let mut locals = body.get_locals_reader()?;
                for _ in 0..locals.get_count() {
                    let offset = locals.original_position();
                    let (count, local_ty) = locals.read()?;
                    let width = if local_ty == wasmparser::ValType::V128 {
                        2
                    } else {
                        1
                    };
                    num_locals = num_locals
                        .checked_add(count)
                        .and_then(|n| n.checked_add(if width == 2 { count } else { 0 }))
                        .ok_or_else(|| Error::Invalid {
                            message: "too many locals".into(),
                            offset,
                        })?;
                }
                let num_results = crate::value::slot_count(ty.results()) as u32;
                CompiledFunc::lazy(num_params, num_locals, num_results, source)
            };
            m.code.push(compiled);
            allocs = func_validator.into_allocations();
        }
    }
    if !saw_end {
        return Err(Error::Invalid {
            message: "unexpected end of module".into(),
            offset: bytes.len() as u64,
        });
    }
    Ok(m)
}

/// Translates defined function `defined` of `m` (validated when `m` was
/// parsed) from the code section bytes `m` kept.
pub(crate) fn translate_lazily(
    m: &ModuleInner,
    defined: u32,
    source: (u32, u32),
) -> Result<Body, Error> {
    let start = source.0.checked_sub(m.code_section_offset);
    let end = source.1.checked_sub(m.code_section_offset);
    let bytes = match (start, end) {
        (Some(s), Some(e)) => m.code_section.get(s as usize..e as usize),
        _ => None,
    }
    .ok_or_else(|| Error::usage("function body outside the kept code section"))?;
    let mut reader = BinaryReader::new(bytes, u64::from(source.0));
    reader.set_features(m.engine.config().wasm_features());
    let body = FunctionBody::new(reader);
    let view = ModuleView {
        types: &m.types,
        funcs: &m.funcs,
        num_imported_funcs: m.num_imported_funcs,
        memories: &m.memories,
        globals: &m.globals,
        tags: &m.tags,
    };
    let mut translator = FuncTranslator::new(m.engine.config());
    let (body, _) = translator.translate(&view, m.num_imported_funcs + defined, &body, None)?;
    Ok(body)
}

fn read_names(names: wasmparser::NameSectionReader<'_>, m: &mut ModuleInner) {
    for name in names {
        let Ok(name) = name else { return };
        match name {
            Name::Module { name, .. } => m.name = Some(name.to_string()),
            Name::Function(map) => {
                for naming in map {
                    let Ok(naming) = naming else { return };
                    m.func_names.insert(naming.index, naming.name.to_string());
                }
            }
            _ => {}
        }
    }
}

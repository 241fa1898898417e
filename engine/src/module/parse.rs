//! One pass over the module bytes: every payload is validated by wasmparser
//! and recorded; every function body is validated and translated together.

use super::{
    ConstExpr, DataSegment, ElemMode, ElemSegment, ExternIndex, ImportEntry, ImportKind,
    ModuleInner,
};
use crate::engine::Engine;
use crate::error::Error;
use crate::translate::{FuncTranslator, ModuleView};
use crate::value::{FuncType, GlobalType, MemoryType, Mutability, TableType, ValType};
use hashbrown::HashMap;
use std::sync::Arc;
use wasmparser::{
    AbstractHeapType, CompositeInnerType, ElementItems, ElementKind, ExternalKind,
    FuncValidatorAllocations, HeapType, Imports, KnownCustom, Name, Parser, Payload, RefType,
    TypeRef, ValidPayload, Validator,
};

pub(crate) fn val_type(ty: wasmparser::ValType, offset: u64) -> Result<ValType, Error> {
    Ok(match ty {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::V128 => {
            return Err(Error::Unsupported {
                feature: "SIMD (128-bit vectors)".into(),
                offset,
            });
        }
        wasmparser::ValType::Ref(r) => ref_type(r, offset)?,
    })
}

fn ref_type(r: RefType, offset: u64) -> Result<ValType, Error> {
    match r.heap_type() {
        HeapType::Abstract {
            ty: AbstractHeapType::Func,
            ..
        } => Ok(ValType::FuncRef),
        HeapType::Abstract {
            ty: AbstractHeapType::Extern,
            ..
        } => Ok(ValType::ExternRef),
        other => Err(Error::Unsupported {
            feature: format!("reference type {other:?}"),
            offset,
        }),
    }
}

fn table_type(t: &wasmparser::TableType, offset: u64) -> Result<TableType, Error> {
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

/// Decodes, validates and translates `bytes`.
pub(crate) fn parse(engine: &Engine, bytes: &[u8]) -> Result<ModuleInner, Error> {
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
                    for sub in group.into_types() {
                        let CompositeInnerType::Func(ft) = &sub.composite_type.inner else {
                            return Err(Error::Unsupported {
                                feature: "GC types".into(),
                                offset,
                            });
                        };
                        let params = ft
                            .params()
                            .iter()
                            .map(|t| val_type(*t, offset))
                            .collect::<Result<Vec<_>, _>>()?;
                        let results = ft
                            .results()
                            .iter()
                            .map(|t| val_type(*t, offset))
                            .collect::<Result<Vec<_>, _>>()?;
                        let ty = FuncType::new(params, results);
                        m.type_ids.push(engine.intern(&ty));
                        m.types.push(ty);
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
                            let g = global_type(&g, offset)?;
                            m.globals.push(g);
                            m.num_imported_globals += 1;
                            ImportKind::Global(g)
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
                    if let wasmparser::TableInit::Expr(_) = t.init {
                        return Err(Error::Unsupported {
                            feature: "table initialiser expressions".into(),
                            offset: reader.range().start,
                        });
                    }
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
                        ExternalKind::Tag => {
                            return Err(Error::Unsupported {
                                feature: "exception tags".into(),
                                offset: reader.range().start,
                            });
                        }
                    };
                    m.export_index.insert(e.name.to_string(), m.exports.len());
                    m.exports.push((e.name.to_string(), idx));
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
            Payload::End(_) => saw_end = true,
            _ => {}
        }
        if let ValidPayload::Func(to_validate, body) = valid {
            let mut func_validator = to_validate.into_validator(std::mem::take(&mut allocs));
            let func_index = func_validator.index();
            let view = ModuleView {
                types: &m.types,
                funcs: &m.funcs,
                num_imported_funcs: m.num_imported_funcs,
                memories: &m.memories,
            };
            let compiled = translator.translate(&view, func_index, &body, &mut func_validator)?;
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

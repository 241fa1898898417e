//! Instantiation: resolving imports, allocating the instance's functions,
//! tables, memories and globals, applying active segments, and running the
//! start function.

use crate::engine::RefTy;
use crate::error::{Error, TrapKind};
use crate::func::{TypedFunc, WasmParams, WasmResults};
use crate::module::{ElemMode, ExternIndex, ImportKind, Module};
use crate::prelude::*;
use crate::store::{
    AsContext, AsContextMut, DataEntity, ElemEntity, Extern, Func, FuncEntity, FuncKind, Global,
    GlobalEntity, InstanceEntity, Memory, Store, Table, TableEntity, new_memory, table_elems,
};
use crate::value::{MemoryType, Mutability, TableType};
use alloc::sync::Arc;

pub use crate::store::Instance;

fn limits_match(
    actual_min: u32,
    actual_max: Option<u32>,
    want_min: u32,
    want_max: Option<u32>,
) -> bool {
    if actual_min < want_min {
        return false;
    }
    match (want_max, actual_max) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(w), Some(a)) => a <= w,
    }
}

impl Instance {
    /// Instantiates `module` with imports given in the module's import order.
    pub fn new<T>(
        mut ctx: impl AsContextMut<Data = T>,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance, Error> {
        let store = ctx.as_context_mut();
        let m = &module.inner;
        check_room(store, module)?;
        if imports.len() != m.imports.len() {
            return Err(Error::usage(format!(
                "the module needs {} imports, {} were given",
                m.imports.len(),
                imports.len()
            )));
        }
        let mut funcs = Vec::with_capacity(m.funcs.len());
        let mut tables = Vec::with_capacity(m.tables.len());
        let mut memories = Vec::with_capacity(m.memories.len());
        let mut globals = Vec::with_capacity(m.globals.len());
        let mut tags = Vec::with_capacity(m.tags.len());

        for (imp, ext) in m.imports.iter().zip(imports) {
            let mismatch = |reason: String| Error::IncompatibleImport {
                module: imp.module.clone(),
                name: imp.name.clone(),
                reason,
            };
            match (&imp.kind, ext) {
                (ImportKind::Func(t), Extern::Func(f)) => {
                    store.check(f.store);
                    let (have, want) = (
                        store.inner.funcs[f.index as usize].ty,
                        m.type_ids[*t as usize],
                    );
                    if have != want && !store.inner.engine.is_subtype(have, want) {
                        return Err(mismatch(format!(
                            "expected {}, found {}",
                            m.types[*t as usize],
                            f.ty(&*store)
                        )));
                    }
                    funcs.push(f.index);
                }
                (ImportKind::Table(want), Extern::Table(t)) => {
                    let have: TableType = t.ty(&*store);
                    let exact = |r: Option<RefTy>, ty: &TableType| r.or(RefTy::plain(ty.element));
                    let have_ref =
                        exact(store.inner.rare.ref_type(&(true, t.index)).copied(), &have);
                    let want_ref = exact(m.table_refs[tables.len()], want);
                    // Table element types are invariant.
                    if have.element != want.element
                        || have_ref != want_ref
                        || !limits_match(have.minimum, have.maximum, want.minimum, want.maximum)
                    {
                        return Err(mismatch(format!("expected {want:?}, found {have:?}")));
                    }
                    tables.push(t.index);
                }
                (ImportKind::Memory(want), Extern::Memory(mem)) => {
                    let have: MemoryType = mem.ty(&*store);
                    if have.memory64 != want.memory64
                        || have.page_size_log2 != want.page_size_log2
                        || !limits_match(have.minimum, have.maximum, want.minimum, want.maximum)
                    {
                        return Err(mismatch(format!("expected {want:?}, found {have:?}")));
                    }
                    memories.push(mem.index);
                }
                (ImportKind::Global(want), Extern::Global(g)) => {
                    let have = g.ty(&*store);
                    let have_ref = store.inner.rare.ref_type(&(false, g.index)).copied();
                    let have_ref = have_ref.or(RefTy::plain(have.content));
                    let want_ref = m.global_refs[globals.len()].or(RefTy::plain(want.content));
                    // A constant global's reference type is covariant, a
                    // mutable one's invariant.
                    let refs_match = match (have_ref, want_ref) {
                        (Some(h), Some(w)) if want.mutability == Mutability::Const => {
                            store.inner.engine.is_ref_subtype(h, w)
                        }
                        (h, w) => h == w,
                    };
                    if have.mutability != want.mutability
                        || (have_ref.is_none() && have.content != want.content)
                        || !refs_match
                    {
                        return Err(mismatch(format!("expected {want:?}, found {have:?}")));
                    }
                    globals.push(g.index);
                }
                (ImportKind::Tag(t), Extern::Tag(tag)) => {
                    store.check(tag.store);
                    // Tag types must match exactly.
                    let have = store.inner.rare.tag(tag.index).map(|e| e.ty);
                    if have != Some(m.type_ids[*t as usize]) {
                        return Err(mismatch(format!(
                            "expected tag {}, found tag {}",
                            m.types[*t as usize],
                            tag.ty(&*store).ty
                        )));
                    }
                    tags.push(tag.index);
                }
                (kind, ext) => {
                    let want = match kind {
                        ImportKind::Func(_) => "func",
                        ImportKind::Table(_) => "table",
                        ImportKind::Memory(_) => "memory",
                        ImportKind::Global(_) => "global",
                        ImportKind::Tag(_) => "tag",
                    };
                    return Err(mismatch(format!(
                        "expected a {want}, found a {}",
                        ext.ty(&*store).kind()
                    )));
                }
            }
        }

        let imported = Imported {
            funcs,
            tables,
            memories,
            globals,
            tags,
        };
        build(store, module, Layout::Building(imported))
    }

    fn entity<'a, T>(&self, store: &'a Store<T>) -> &'a Arc<InstanceEntity> {
        store.check(self.store);
        &store.inner.instances[self.index as usize]
    }

    /// An export by name.
    pub fn get_export(&self, ctx: impl AsContext, name: &str) -> Option<Extern> {
        let store = ctx.as_context();
        let entity = self.entity(store);
        let i = *entity.module.export_index.get(name)?;
        Some(resolve(store.inner.id, entity, entity.module.exports[i].1))
    }

    /// The export at position `index` in the module's order (see
    /// [`Module::exports`]), if there is one: a lookup without hashing a
    /// name, for an embedder that found the position once per module.
    pub fn get_export_at(&self, ctx: impl AsContext, index: usize) -> Option<Extern> {
        let store = ctx.as_context();
        let entity = self.entity(store);
        let (_, idx) = entity.module.exports.get(index)?;
        Some(resolve(store.inner.id, entity, *idx))
    }

    /// All exports, in the module's order.
    pub fn exports(&self, ctx: impl AsContext) -> Vec<(String, Extern)> {
        let store = ctx.as_context();
        let entity = self.entity(store);
        entity
            .module
            .exports
            .iter()
            .map(|(n, idx)| (n.clone(), resolve(store.inner.id, entity, *idx)))
            .collect()
    }

    /// An exported function.
    pub fn get_func(&self, ctx: impl AsContext, name: &str) -> Option<Func> {
        self.get_export(ctx, name)?.into_func()
    }

    /// An exported function with a checked static signature.
    pub fn get_typed_func<P: WasmParams, R: WasmResults>(
        &self,
        ctx: impl AsContext,
        name: &str,
    ) -> Result<TypedFunc<P, R>, Error> {
        let store = ctx.as_context();
        let f = self
            .get_func(store, name)
            .ok_or_else(|| Error::usage(format!("no exported function named {name:?}")))?;
        f.typed(store)
    }

    /// An exported memory.
    pub fn get_memory(&self, ctx: impl AsContext, name: &str) -> Option<Memory> {
        self.get_export(ctx, name)?.into_memory()
    }

    /// An exported global.
    pub fn get_global(&self, ctx: impl AsContext, name: &str) -> Option<Global> {
        self.get_export(ctx, name)?.into_global()
    }

    /// An exported tag (exception handling).
    pub fn get_tag(&self, ctx: impl AsContext, name: &str) -> Option<crate::store::Tag> {
        self.get_export(ctx, name)?.into_tag()
    }

    /// An exported table.
    pub fn get_table(&self, ctx: impl AsContext, name: &str) -> Option<Table> {
        self.get_export(ctx, name)?.into_table()
    }
}

/// The store indexes of a module's imports, per kind in import order, as
/// [`Instance::new`] checked them.
#[derive(Default)]
pub(crate) struct Imported {
    funcs: Vec<u32>,
    tables: Vec<u32>,
    memories: Vec<u32>,
    globals: Vec<u32>,
    tags: Vec<u32>,
}

/// Where a new instance's index tables come from.
pub(crate) enum Layout<'a> {
    /// Built as the instance is made: the imports' indexes, then each
    /// item's as it is created.
    Building(Imported),
    /// Known beforehand ([`crate::InstancePre`]): in a store that holds
    /// nothing yet, and with only functions imported (made first, in
    /// import order), every item gets the index its position gives it, and
    /// the instance entity made once for that layout ([`empty_store_layout`])
    /// is shared by every such instance.
    Template(&'a Arc<InstanceEntity>),
}

/// Whether `module` can be instantiated in `store` at all: the same
/// engine, and room for one more instance.
pub(crate) fn check_room<T>(store: &Store<T>, module: &Module) -> Result<(), Error> {
    if !module.inner.engine.same(&store.inner.engine) {
        return Err(Error::usage("the module was compiled for another engine"));
    }
    if store.inner.instances.len() >= store.inner.limits.instances {
        return Err(Error::Limit(format!(
            "more than {} instances in one store",
            store.inner.limits.instances
        )));
    }
    Ok(())
}

/// The instance entity of `module` instantiated in a store that holds
/// nothing yet, its imports (functions only) made first in import order:
/// every index table is the range of its length.
pub(crate) fn empty_store_layout(module: &Module) -> Arc<InstanceEntity> {
    let m = &module.inner;
    let upto = |n: usize| (0..n as u32).collect::<Box<[u32]>>();
    Arc::new(InstanceEntity {
        module: m.clone(),
        funcs: upto(m.num_imported_funcs as usize + m.code.len()),
        tables: upto(m.tables.len()),
        memories: upto(m.memories.len()),
        globals: upto(m.globals.len()),
        elems: upto(m.elems.len()),
        datas: upto(m.datas.len()),
        tags: upto(m.tags.len()),
    })
}

/// Makes the module's own items in `store` (its imports are made and
/// checked), the instance entity, applies the active segments and runs
/// the start function.
pub(crate) fn build<T>(
    store: &mut Store<T>,
    module: &Module,
    layout: Layout<'_>,
) -> Result<Instance, Error> {
    let m = &module.inner;
    let id = store.inner.id;
    let (tpl, imported) = match layout {
        Layout::Building(i) => (None, i),
        Layout::Template(t) => (Some(t), Imported::default()),
    };
    let Imported {
        mut funcs,
        mut tables,
        mut memories,
        mut globals,
        mut tags,
    } = imported;
    // The store index of the module's function `i` and global `g`.
    macro_rules! func_at {
        ($i:expr) => {
            match tpl {
                Some(t) => t.funcs[$i as usize],
                None => funcs[$i as usize],
            }
        };
    }
    macro_rules! global_at {
        ($g:expr) => {
            match tpl {
                Some(t) => t.globals[$g as usize],
                None => globals[$g as usize],
            }
        };
    }
    // Records that the module's item `k` of a kind got store index `index`
    // (the template already holds it: checked in debug builds).
    macro_rules! record {
        ($list:ident, $k:expr, $index:expr) => {
            match tpl {
                None => $list.push($index),
                Some(t) => debug_assert_eq!(t.$list[$k], $index, "template layout"),
            }
        };
    }

    let instance_index = store.inner.instances.len() as u32;
    // The module's own functions, in one pass of known length each (no
    // capacity check per function: a toolchain's module has hundreds).
    let first = store.inner.funcs.len() as u32;
    let own = &m.funcs[m.num_imported_funcs as usize..][..m.code.len()];
    store.inner.funcs.extend(
        own.iter()
            .zip(0..own.len() as u32)
            .map(|(&t, index)| FuncEntity {
                ty: m.type_ids[t as usize],
                kind: FuncKind::Wasm {
                    instance: instance_index,
                    index,
                },
            }),
    );
    match tpl {
        None => funcs.extend(first..first + own.len() as u32),
        Some(t) => debug_assert_eq!(
            t.funcs[m.num_imported_funcs as usize..],
            (first..first + own.len() as u32).collect::<Vec<_>>()[..],
            "template layout"
        ),
    }
    for (i, (ty, init)) in m.tables[m.num_imported_tables as usize..]
        .iter()
        .zip(&m.table_inits)
        .enumerate()
    {
        // Only imported globals exist yet, and only they can be named.
        let init = init.as_ref().map_or(0, |x| {
            x.eval(
                |g| store.inner.globals[global_at!(g) as usize].value,
                |f| func_at!(f) as u64 + 1,
            )
        });
        let elems = table_elems(&mut store.inner, ty.minimum, ty.maximum, init)?;
        store.inner.tables.push(TableEntity { ty: *ty, elems });
        let index = store.inner.tables.len() as u32 - 1;
        let k = m.num_imported_tables as usize + i;
        if let Some(r) = m.table_refs[k] {
            store.inner.rare.insert_ref_type((true, index), r);
        }
        record!(tables, k, index);
    }
    for (i, ty) in m.memories[m.num_imported_memories as usize..]
        .iter()
        .enumerate()
    {
        let entity = new_memory(&mut store.inner, *ty)?;
        store.inner.memories.push(entity);
        let index = store.inner.memories.len() as u32 - 1;
        record!(memories, m.num_imported_memories as usize + i, index);
    }
    for (i, (ty, init)) in m.globals[m.num_imported_globals as usize..]
        .iter()
        .zip(&m.global_inits)
        .enumerate()
    {
        let value = init.eval128(
            |g| store.inner.globals[global_at!(g) as usize].get128(),
            |f| func_at!(f) as u64 + 1,
        );
        store.inner.globals.push(GlobalEntity::new(*ty, value));
        let index = store.inner.globals.len() as u32 - 1;
        let k = m.num_imported_globals as usize + i;
        if let Some(r) = m.global_refs[k] {
            store.inner.rare.insert_ref_type((false, index), r);
        }
        record!(globals, k, index);
    }
    let mut elems = Vec::with_capacity(if tpl.is_none() { m.elems.len() } else { 0 });
    for (k, seg) in m.elems.iter().enumerate() {
        // As long as the module's segment (so bounded by its size), but
        // allocated fallibly all the same.
        let mut items = Vec::new();
        if items.try_reserve_exact(seg.items.len()).is_err() {
            return Err(Error::Limit(format!(
                "cannot allocate an element segment of {} items",
                seg.items.len()
            )));
        }
        items.extend(seg.items.iter().map(|x| {
            x.eval(
                |g| store.inner.globals[global_at!(g) as usize].value,
                |f| func_at!(f) as u64 + 1,
            )
        }));
        store.inner.elems.push(ElemEntity {
            items: items.into_boxed_slice(),
        });
        let index = store.inner.elems.len() as u32 - 1;
        record!(elems, k, index);
    }
    for (i, t) in m.tags[m.num_imported_tags as usize..].iter().enumerate() {
        let all = &mut store.inner.rare.state().tags;
        if all.try_reserve(1).is_err() {
            return Err(Error::Limit("cannot allocate a tag".into()));
        }
        all.push(crate::store::TagEntity {
            ty: m.type_ids[*t as usize],
        });
        let index = all.len() as u32 - 1;
        record!(tags, m.num_imported_tags as usize + i, index);
    }
    let mut datas = Vec::with_capacity(if tpl.is_none() { m.datas.len() } else { 0 });
    for (k, seg) in m.datas.iter().enumerate() {
        store.inner.datas.push(DataEntity {
            bytes: Some(seg.bytes.clone()),
        });
        let index = store.inner.datas.len() as u32 - 1;
        record!(datas, k, index);
    }

    let entity = match tpl {
        Some(t) => t.clone(),
        None => Arc::new(InstanceEntity {
            module: module.inner.clone(),
            funcs: funcs.into(),
            tables: tables.into(),
            memories: memories.into(),
            globals: globals.into(),
            elems: elems.into(),
            datas: datas.into(),
            tags: tags.into(),
        }),
    };
    store.inner.instances.push(entity.clone());
    let instance = Instance {
        store: id,
        index: instance_index,
    };

    // Active element segments, in order; each is dropped once applied.
    for (i, seg) in m.elems.iter().enumerate() {
        let elem_id = entity.elems[i] as usize;
        match &seg.mode {
            ElemMode::Active { table, offset } => {
                let off = offset.eval(
                    |g| store.inner.globals[entity.globals[g as usize] as usize].value,
                    |f| entity.funcs[f as usize] as u64 + 1,
                ) as u32 as usize;
                let items = core::mem::take(&mut store.inner.elems[elem_id].items);
                let t = &mut store.inner.tables[entity.tables[*table as usize] as usize];
                match off
                    .checked_add(items.len())
                    .filter(|end| *end <= t.elems.len())
                {
                    Some(end) => t.elems[off..end].copy_from_slice(&items),
                    None => return Err(TrapKind::TableOutOfBounds.into()),
                }
            }
            ElemMode::Declared => store.inner.elems[elem_id].items = Box::new([]),
            ElemMode::Passive => {}
        }
    }
    // Active data segments, in order; each is dropped once applied.
    for (i, seg) in m.datas.iter().enumerate() {
        let Some(offset) = &seg.active else { continue };
        let data_id = entity.datas[i] as usize;
        let mem_id = entity.memories[seg.memory as usize] as usize;
        let off = offset.eval(
            |g| store.inner.globals[entity.globals[g as usize] as usize].value,
            |f| entity.funcs[f as usize] as u64 + 1,
        );
        // A 32-bit memory's offset is an i32 (its slot's low half).
        let off = if store.inner.memories[mem_id].ty.memory64 {
            usize::try_from(off).unwrap_or(usize::MAX)
        } else {
            off as u32 as usize
        };
        let bytes = store.inner.datas[data_id]
            .bytes
            .take()
            .unwrap_or_else(|| Arc::from([]));
        let mem = &mut store.inner.memories[mem_id].data;
        match off.checked_add(bytes.len()).filter(|end| *end <= mem.len()) {
            Some(end) => mem[off..end].copy_from_slice(&bytes),
            None => return Err(TrapKind::MemoryOutOfBounds.into()),
        }
    }
    if let Some(start) = m.start {
        let f = Func {
            store: id,
            index: entity.funcs[start as usize],
        };
        f.call(&mut *store, &[], &mut [])?;
    }
    Ok(instance)
}

fn resolve(store: u32, entity: &InstanceEntity, idx: ExternIndex) -> Extern {
    match idx {
        ExternIndex::Func(i) => Extern::Func(Func {
            store,
            index: entity.funcs[i as usize],
        }),
        ExternIndex::Table(i) => Extern::Table(Table {
            store,
            index: entity.tables[i as usize],
        }),
        ExternIndex::Memory(i) => Extern::Memory(Memory {
            store,
            index: entity.memories[i as usize],
        }),
        ExternIndex::Global(i) => Extern::Global(Global {
            store,
            index: entity.globals[i as usize],
        }),
        ExternIndex::Tag(i) => Extern::Tag(crate::store::Tag {
            store,
            index: entity.tags[i as usize],
        }),
    }
}

//! Handles to objects in a store, and the operations embedders use on them.

use super::limits::{Resource, TABLE_ELEMENT_BYTES};
use super::{
    AsContext, AsContextMut, GlobalEntity, LinearMemory, MemoryEntity, TableEntity, table_elems,
};
use crate::error::{Error, TrapKind};
use crate::prelude::*;
use crate::value::{
    ExternType, FuncType, GlobalType, MemoryType, Mutability, TableType, Val, ValType,
};

/// A function in a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Func {
    pub(crate) store: u32,
    pub(crate) index: u32,
}

impl Func {
    pub(crate) fn to_slot(self) -> u64 {
        self.index as u64 + 1
    }
    pub(crate) fn from_slot(slot: u64, store: u32) -> Option<Func> {
        if slot == 0 {
            None
        } else {
            Some(Func {
                store,
                index: (slot - 1) as u32,
            })
        }
    }

    /// The function's signature.
    pub fn ty(&self, ctx: impl AsContext) -> FuncType {
        let store = ctx.as_context();
        store.check(self.store);
        store
            .inner
            .engine
            .resolve(store.inner.funcs[self.index as usize].ty)
    }
}

/// A linear memory in a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Memory {
    pub(crate) store: u32,
    pub(crate) index: u32,
}

/// Why a memory access from the host failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("out of bounds memory access")]
pub struct MemoryAccessError;

impl Memory {
    /// Creates a memory of the given type in the store.
    pub fn new(mut ctx: impl AsContextMut, ty: MemoryType) -> Result<Memory, Error> {
        let store = ctx.as_context_mut();
        let entity = new_memory(&mut store.inner, ty)?;
        store.inner.memories.push(entity);
        Ok(Memory {
            store: store.inner.id,
            index: store.inner.memories.len() as u32 - 1,
        })
    }

    fn entity<'a, T>(&self, store: &'a super::Store<T>) -> &'a MemoryEntity {
        store.check(self.store);
        &store.inner.memories[self.index as usize]
    }

    /// The memory's type, with its current size as minimum.
    pub fn ty(&self, ctx: impl AsContext) -> MemoryType {
        let m = self.entity(ctx.as_context());
        MemoryType {
            minimum: m.pages(),
            ..m.ty
        }
    }

    /// Current size in pages.
    pub fn size(&self, ctx: impl AsContext) -> u32 {
        self.entity(ctx.as_context()).pages()
    }

    /// The memory's bytes.
    pub fn data<'a, T: 'a>(&self, ctx: impl Into<&'a super::Store<T>>) -> &'a [u8] {
        let store = ctx.into();
        &self.entity(store).data
    }

    /// The memory's bytes, mutably.
    pub fn data_mut<'a, T: 'a>(&self, store: &'a mut super::Store<T>) -> &'a mut [u8] {
        store.check(self.store);
        &mut store.inner.memories[self.index as usize].data
    }

    /// The memory's bytes and the store's data at the same time.
    pub fn data_and_store_mut<'a, T: 'a>(
        &self,
        store: &'a mut super::Store<T>,
    ) -> (&'a mut [u8], &'a mut T) {
        store.check(self.store);
        let super::Store { inner, data, .. } = store;
        (&mut inner.memories[self.index as usize].data, data)
    }

    /// Copies bytes out of the memory.
    pub fn read(
        &self,
        ctx: impl AsContext,
        offset: usize,
        buf: &mut [u8],
    ) -> Result<(), MemoryAccessError> {
        let data = &self.entity(ctx.as_context()).data;
        let end = offset.checked_add(buf.len()).ok_or(MemoryAccessError)?;
        buf.copy_from_slice(data.get(offset..end).ok_or(MemoryAccessError)?);
        Ok(())
    }

    /// Copies bytes into the memory.
    pub fn write(
        &self,
        mut ctx: impl AsContextMut,
        offset: usize,
        buf: &[u8],
    ) -> Result<(), MemoryAccessError> {
        let store = ctx.as_context_mut();
        store.check(self.store);
        let data = &mut store.inner.memories[self.index as usize].data;
        let end = offset.checked_add(buf.len()).ok_or(MemoryAccessError)?;
        data.get_mut(offset..end)
            .ok_or(MemoryAccessError)?
            .copy_from_slice(buf);
        Ok(())
    }

    /// Grows the memory by `delta` pages; returns the old size in pages.
    pub fn grow(&self, mut ctx: impl AsContextMut, delta: u32) -> Result<u32, Error> {
        let store = ctx.as_context_mut();
        store.check(self.store);
        match grow_memory(&mut store.inner, self.index, delta) {
            GrowResult::Grown(old) => Ok(old),
            GrowResult::Refused | GrowResult::LimitTrap => {
                Err(Error::Limit(format!("cannot grow memory by {delta} pages")))
            }
        }
    }
}

/// The outcome of a memory or table growth request.
pub(crate) enum GrowResult {
    /// Grown; the old size.
    Grown(u32),
    /// Refused: the guest sees -1.
    Refused,
    /// Refused by a store limit while limits are set to trap.
    LimitTrap,
}

/// `pages` pages of `page` bytes, or `usize::MAX` when that does not fit a
/// `usize` (4 GiB on a 32-bit host): such a size then fails the allocation
/// (an error or -1) instead of wrapping to a small one.
fn page_bytes(pages: u32, page: usize) -> usize {
    usize::try_from(pages as u64 * page as u64).unwrap_or(usize::MAX)
}

/// Bytes of a memory's declared maximum (capped at the 32-bit maximum).
fn max_bytes(ty: &MemoryType) -> usize {
    page_bytes(
        ty.maximum.unwrap_or(ty.max_pages()).min(ty.max_pages()),
        ty.page_size(),
    )
}

pub(crate) fn new_memory(
    inner: &mut super::StoreInner,
    ty: MemoryType,
) -> Result<MemoryEntity, Error> {
    let bytes = page_bytes(ty.minimum, ty.page_size());
    let used: usize = inner.memories.iter().map(|m| m.data.len()).sum();
    if ty.minimum > ty.max_pages() || used.saturating_add(bytes) > inner.limits.memory_bytes {
        return Err(Error::Limit(format!(
            "memory of {} pages exceeds the store's limit of {} bytes",
            ty.minimum, inner.limits.memory_bytes
        )));
    }
    let max = ty.maximum.map(|m| page_bytes(m, ty.page_size()));
    if !inner.limiter.ask(Resource::Memory, 0, bytes, max) {
        return Err(Error::Limit(format!(
            "memory of {} pages ({bytes} bytes) exceeds the memory limit",
            ty.minimum
        )));
    }
    // Zero pages from the OS, touched only where the guest writes (`linear`);
    // under a limit, address space for all the memory may grow to.
    let reserve = inner
        .limiter
        .reservation()
        .map(|bound| bound.min(max_bytes(&ty)));
    match LinearMemory::new(bytes, reserve, inner.engine.memory_pool()) {
        Ok(data) => Ok(MemoryEntity { ty, data }),
        Err(_) => {
            inner.limiter.failed(Resource::Memory, 0, bytes);
            Err(Error::Limit(format!(
                "cannot allocate a memory of {} pages ({bytes} bytes)",
                ty.minimum
            )))
        }
    }
}

pub(crate) fn grow_memory(inner: &mut super::StoreInner, index: u32, delta: u32) -> GrowResult {
    let used: usize = inner.memories.iter().map(|m| m.data.len()).sum();
    let limit = inner.limits.memory_bytes;
    let trap = inner.limits.trap_on_grow_failure;
    let refused = if trap {
        GrowResult::LimitTrap
    } else {
        GrowResult::Refused
    };
    let mem = &mut inner.memories[index as usize];
    let old = mem.pages();
    let Some(new) = old.checked_add(delta) else {
        return GrowResult::Refused;
    };
    let max = mem
        .ty
        .maximum
        .unwrap_or(mem.ty.max_pages())
        .min(mem.ty.max_pages());
    let page = mem.ty.page_size();
    if new > max {
        return GrowResult::Refused;
    }
    let extra = page_bytes(delta, page);
    if used.saturating_add(extra) > limit {
        return refused;
    }
    let (current, desired) = (mem.data.len(), page_bytes(new, page));
    let declared = mem.ty.maximum.map(|m| page_bytes(m, page));
    let max_cap = max_bytes(&mem.ty);
    if !inner
        .limiter
        .ask(Resource::Memory, current, desired, declared)
    {
        return refused;
    }
    let reserve = inner.limiter.reservation();
    let mem = &mut inner.memories[index as usize];
    if mem.data.grow(desired, max_cap, reserve).is_err() {
        // The host is out of memory (or address space): the guest sees -1.
        inner.limiter.failed(Resource::Memory, current, desired);
        return GrowResult::Refused;
    }
    GrowResult::Grown(old)
}

pub(crate) fn grow_table(
    inner: &mut super::StoreInner,
    index: u32,
    delta: u32,
    init: u64,
) -> GrowResult {
    let limit = inner.limits.table_elements;
    let trap = inner.limits.trap_on_grow_failure;
    let refused = if trap {
        GrowResult::LimitTrap
    } else {
        GrowResult::Refused
    };
    let table = &mut inner.tables[index as usize];
    let old = table.elems.len() as u32;
    let Some(new) = old.checked_add(delta) else {
        return GrowResult::Refused;
    };
    if new > table.ty.maximum.unwrap_or(u32::MAX) {
        return GrowResult::Refused;
    }
    if new > limit {
        return refused;
    }
    let (current, desired) = (
        old as usize * TABLE_ELEMENT_BYTES,
        new as usize * TABLE_ELEMENT_BYTES,
    );
    let declared = table.ty.maximum.map(|m| m as usize * TABLE_ELEMENT_BYTES);
    if !inner
        .limiter
        .ask(Resource::Table, current, desired, declared)
    {
        return refused;
    }
    let table = &mut inner.tables[index as usize];
    if table.elems.try_reserve_exact(delta as usize).is_err() {
        inner.limiter.failed(Resource::Table, current, desired);
        return GrowResult::Refused;
    }
    table.elems.resize(new as usize, init);
    GrowResult::Grown(old)
}

/// A table in a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Table {
    pub(crate) store: u32,
    pub(crate) index: u32,
}

fn check_ref(ty: ValType, val: &Val) -> Result<u64, Error> {
    if val.ty() != ty {
        return Err(Error::usage(format!(
            "expected a {ty} value, got {:?}",
            val
        )));
    }
    Ok(val.to_slot())
}

impl Table {
    /// Creates a table of the given type filled with `init`.
    pub fn new(mut ctx: impl AsContextMut, ty: TableType, init: Val) -> Result<Table, Error> {
        let store = ctx.as_context_mut();
        let init = check_ref(ty.element, &init)?;
        let elems = table_elems(&mut store.inner, ty.minimum, ty.maximum, init)?;
        store.inner.tables.push(TableEntity { ty, elems });
        Ok(Table {
            store: store.inner.id,
            index: store.inner.tables.len() as u32 - 1,
        })
    }

    fn entity<'a, T>(&self, store: &'a super::Store<T>) -> &'a TableEntity {
        store.check(self.store);
        &store.inner.tables[self.index as usize]
    }

    /// The table's type, with its current size as minimum.
    pub fn ty(&self, ctx: impl AsContext) -> TableType {
        let t = self.entity(ctx.as_context());
        TableType {
            minimum: t.elems.len() as u32,
            ..t.ty
        }
    }

    /// Current number of elements.
    pub fn size(&self, ctx: impl AsContext) -> u32 {
        self.entity(ctx.as_context()).elems.len() as u32
    }

    /// The element at `index`, if in bounds.
    pub fn get(&self, ctx: impl AsContext, index: u32) -> Option<Val> {
        let store = ctx.as_context();
        let t = self.entity(store);
        let slot = *t.elems.get(index as usize)?;
        Some(Val::from_slot(t.ty.element, slot, store.inner.id))
    }

    /// Sets the element at `index`.
    pub fn set(&self, mut ctx: impl AsContextMut, index: u32, val: Val) -> Result<(), Error> {
        let store = ctx.as_context_mut();
        store.check(self.store);
        let slot = check_ref(store.inner.tables[self.index as usize].ty.element, &val)?;
        store.inner.check_exact((true, self.index), &val)?;
        let t = &mut store.inner.tables[self.index as usize];
        *t.elems
            .get_mut(index as usize)
            .ok_or(TrapKind::TableOutOfBounds)? = slot;
        Ok(())
    }

    /// Grows the table by `delta` elements set to `init`; returns the old size.
    pub fn grow(&self, mut ctx: impl AsContextMut, delta: u32, init: Val) -> Result<u32, Error> {
        let store = ctx.as_context_mut();
        store.check(self.store);
        let slot = check_ref(store.inner.tables[self.index as usize].ty.element, &init)?;
        store.inner.check_exact((true, self.index), &init)?;
        match grow_table(&mut store.inner, self.index, delta, slot) {
            GrowResult::Grown(old) => Ok(old),
            _ => Err(Error::Limit(format!(
                "cannot grow table by {delta} elements"
            ))),
        }
    }
}

/// A global in a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Global {
    pub(crate) store: u32,
    pub(crate) index: u32,
}

impl Global {
    /// Creates a global of the given type and initial value.
    pub fn new(mut ctx: impl AsContextMut, ty: GlobalType, val: Val) -> Result<Global, Error> {
        let store = ctx.as_context_mut();
        if val.ty() != ty.content {
            return Err(Error::usage(format!(
                "global of type {} initialised with {:?}",
                ty.content, val
            )));
        }
        let mut slots = [0u64; 2];
        val.write_slots(&mut slots, 0);
        store.inner.globals.push(GlobalEntity::new(
            ty,
            slots[0] as u128 | (slots[1] as u128) << 64,
        ));
        Ok(Global {
            store: store.inner.id,
            index: store.inner.globals.len() as u32 - 1,
        })
    }

    /// The global's type.
    pub fn ty(&self, ctx: impl AsContext) -> GlobalType {
        let store = ctx.as_context();
        store.check(self.store);
        store.inner.globals[self.index as usize].ty
    }

    /// The global's current value.
    pub fn get(&self, ctx: impl AsContext) -> Val {
        let store = ctx.as_context();
        store.check(self.store);
        let g = &store.inner.globals[self.index as usize];
        Val::read_slots(g.ty.content, &[g.value, g.hi], 0, store.inner.id)
    }

    /// Sets a mutable global.
    pub fn set(&self, mut ctx: impl AsContextMut, val: Val) -> Result<(), Error> {
        let store = ctx.as_context_mut();
        store.check(self.store);
        let g = &store.inner.globals[self.index as usize];
        if g.ty.mutability != Mutability::Var {
            return Err(Error::usage("cannot set an immutable global"));
        }
        if val.ty() != g.ty.content {
            return Err(Error::usage(format!(
                "global of type {} set to {:?}",
                g.ty.content, val
            )));
        }
        store.inner.check_exact((false, self.index), &val)?;
        let g = &mut store.inner.globals[self.index as usize];
        let mut slots = [0u64; 2];
        val.write_slots(&mut slots, 0);
        (g.value, g.hi) = (slots[0], slots[1]);
        Ok(())
    }
}

/// An instance of a module in a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Instance {
    pub(crate) store: u32,
    pub(crate) index: u32,
}

/// Anything that can be imported or exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Extern {
    /// A function.
    Func(Func),
    /// A global.
    Global(Global),
    /// A memory.
    Memory(Memory),
    /// A table.
    Table(Table),
    /// An exception tag (exception handling).
    Tag(super::Tag),
}

impl Extern {
    /// The function, if this is one.
    pub fn into_func(self) -> Option<Func> {
        if let Extern::Func(f) = self {
            Some(f)
        } else {
            None
        }
    }
    /// The memory, if this is one.
    pub fn into_memory(self) -> Option<Memory> {
        if let Extern::Memory(m) = self {
            Some(m)
        } else {
            None
        }
    }
    /// The global, if this is one.
    pub fn into_global(self) -> Option<Global> {
        if let Extern::Global(g) = self {
            Some(g)
        } else {
            None
        }
    }
    /// The table, if this is one.
    pub fn into_table(self) -> Option<Table> {
        if let Extern::Table(t) = self {
            Some(t)
        } else {
            None
        }
    }

    /// The tag, if this is one.
    pub fn into_tag(self) -> Option<super::Tag> {
        if let Extern::Tag(t) = self {
            Some(t)
        } else {
            None
        }
    }

    /// The type of the item.
    pub fn ty(&self, ctx: impl AsContext) -> ExternType {
        let store = ctx.as_context();
        match self {
            Extern::Func(f) => ExternType::Func(f.ty(store)),
            Extern::Global(g) => ExternType::Global(g.ty(store)),
            Extern::Memory(m) => ExternType::Memory(m.ty(store)),
            Extern::Table(t) => ExternType::Table(t.ty(store)),
            Extern::Tag(t) => ExternType::Tag(t.ty(store)),
        }
    }
}

impl From<Func> for Extern {
    fn from(f: Func) -> Self {
        Extern::Func(f)
    }
}
impl From<Global> for Extern {
    fn from(g: Global) -> Self {
        Extern::Global(g)
    }
}
impl From<Memory> for Extern {
    fn from(m: Memory) -> Self {
        Extern::Memory(m)
    }
}
impl From<Table> for Extern {
    fn from(t: Table) -> Self {
        Extern::Table(t)
    }
}
impl From<super::Tag> for Extern {
    fn from(t: super::Tag) -> Self {
        Extern::Tag(t)
    }
}

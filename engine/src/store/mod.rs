//! The [`Store`]: owner of all runtime state (functions, memories, tables,
//! globals, instances), the embedder's data `T`, fuel, limits, and the state
//! of a suspended call. Handles such as [`Func`] or [`Memory`] are indexes
//! into one store.

use crate::prelude::*;
mod alloc;
mod entities;
mod exn;
mod fuel;
mod handles;
mod limits;
mod linear;

pub(crate) use alloc::{
    Limiter, copy_between_tables, grow_frames, grow_slots, release_stacks, stack_bytes, table_elems,
};
pub(crate) use entities::{
    DataEntity, ElemEntity, FuncEntity, FuncKind, GlobalEntity, InstanceEntity, MemoryEntity,
    TableEntity,
};
pub use exn::Tag;
pub(crate) use exn::{Exceptions, TagEntity};
pub(crate) use fuel::{FuelShortfall, FuelState};
pub use handles::{Extern, Func, Global, Instance, Memory, MemoryAccessError, Table};
pub(crate) use handles::{GrowResult, grow_memory, grow_table, new_memory};
pub use limits::{Resource, ResourceLimiter, StoreLimits, TABLE_ELEMENT_BYTES};
pub(crate) use linear::{LinearMemory, MemoryPool};

use crate::engine::Engine;
use crate::error::Error;
use crate::exec::ExecState;
use crate::func::HostFunc;
use ::alloc::sync::Arc;
use core::sync::atomic::{AtomicU32, Ordering};

static NEXT_STORE_ID: AtomicU32 = AtomicU32::new(1);

/// Items of each kind whose room [`Store::reset`] keeps.
pub const RESET_KEEP: usize = 1024;

/// Runtime state that does not depend on the embedder's data type.
#[derive(Debug)]
pub(crate) struct StoreInner {
    pub id: u32,
    pub engine: Engine,
    pub funcs: Vec<FuncEntity>,
    pub memories: Vec<MemoryEntity>,
    pub tables: Vec<TableEntity>,
    pub globals: Vec<GlobalEntity>,
    pub elems: Vec<ElemEntity>,
    pub datas: Vec<DataEntity>,
    /// Inline while a store has one instance (every process's store): no
    /// allocation for it, and no larger than a `Vec`.
    pub instances: smallvec::SmallVec<[Arc<InstanceEntity>; 1]>,
    pub fuel: FuelState,
    pub limits: StoreLimits,
    /// The embedder's resource limiter, asked before guest-sized allocations.
    pub limiter: Limiter,
    /// Bytes of value and frame stack counted so far (see `alloc`).
    pub stack_bytes: usize,
    /// What few stores use (exact reference types, exception tags and
    /// objects), boxed.
    pub rare: Rare,
}

/// State most stores never use, boxed and made on first use: a store is
/// part of every process's entry, which must stay small (process crate).
#[derive(Debug, Default)]
pub(crate) struct Rare(Option<Box<RareState>>);

/// The contents of [`Rare`].
#[derive(Debug, Default)]
pub(crate) struct RareState {
    /// The exact reference type of the tables (`(true, index)`) and
    /// globals (`(false, index)`) whose type is not the plain nullable
    /// funcref/externref their entity records (function references).
    pub ref_types: hashbrown::HashMap<(bool, u32), crate::engine::RefTy>,
    /// Exception tags (exception handling).
    pub tags: Vec<TagEntity>,
    /// Exception objects (`exnref` values refer to them) and their bytes.
    pub exns: Exceptions,
}

impl Drop for StoreInner {
    /// Hands the memories' blocks to the engine's pool (cleared there), or
    /// frees them when it keeps none.
    fn drop(&mut self) {
        self.release_memories();
    }
}

impl StoreInner {
    /// Hands every memory's block to the engine's pool (cleared there when
    /// touched), or frees it when the pool keeps none; the list is left
    /// empty (its room kept).
    fn release_memories(&mut self) {
        let pool = self.engine.memory_pool();
        for m in self.memories.drain(..) {
            m.data.release_to(pool);
        }
    }

    /// Whether reference `val` (of this store) is of type `want`, exactly
    /// (function references): the host must not put a null into a
    /// non-nullable place, or a function of another type into a typed one.
    pub fn ref_matches(&self, val: &crate::value::Val, want: crate::engine::RefTy) -> bool {
        use crate::engine::{HeapRef, RefTy};
        use crate::value::Val;
        let have = match val {
            Val::FuncRef(None) | Val::ExternRef(None) => return want.nullable,
            Val::FuncRef(Some(f)) => match self.funcs.get(f.index as usize) {
                Some(e) if f.store == self.id => HeapRef::Concrete(e.ty),
                _ => return false,
            },
            Val::ExternRef(Some(_)) => HeapRef::Extern,
            _ => return false,
        };
        self.engine.is_ref_subtype(
            RefTy {
                nullable: false,
                heap: have,
            },
            want,
        )
    }

    /// [`Self::ref_matches`] for table (`true`) or global (`false`)
    /// `index`, if its type is recorded as exact; a usage error otherwise.
    pub fn check_exact(&self, key: (bool, u32), val: &crate::value::Val) -> Result<(), Error> {
        match self.rare.ref_type(&key) {
            Some(want) if !self.ref_matches(val, *want) => Err(Error::usage(format!(
                "{val:?} is not of the {} type {want:?}",
                if key.0 { "table's element" } else { "global's" }
            ))),
            _ => Ok(()),
        }
    }
}

impl Rare {
    /// The recorded type of table (`true`) or global (`false`) `index`.
    pub fn ref_type(&self, key: &(bool, u32)) -> Option<&crate::engine::RefTy> {
        self.0.as_ref()?.ref_types.get(key)
    }

    /// Records the type of table (`true`) or global (`false`) `index`.
    pub fn insert_ref_type(&mut self, key: (bool, u32), ty: crate::engine::RefTy) {
        self.state().ref_types.insert(key, ty);
    }

    /// The state, if made.
    pub fn get(&self) -> Option<&RareState> {
        self.0.as_deref()
    }

    /// The state, made now if needed.
    pub fn state(&mut self) -> &mut RareState {
        self.0.get_or_insert_default()
    }

    /// Tag `index` of the store.
    pub fn tag(&self, index: u32) -> Option<&TagEntity> {
        self.get()?.tags.get(index as usize)
    }
}

/// All runtime state of one Wasm program, plus the embedder's data `T`.
///
/// One store runs at most one call at a time; a call that was suspended
/// (fuel slice used up, or a host function reported "blocked") is continued
/// with [`Store::resume`].
pub struct Store<T> {
    pub(crate) inner: StoreInner,
    pub(crate) hosts: Vec<Arc<HostFunc<T>>>,
    pub(crate) suspended: Option<crate::exec::Suspended>,
    /// Value stack kept between calls so that calls do not allocate.
    pub(crate) spare: Option<ExecState>,
    data: T,
}

impl<T> core::fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Store")
            .field("id", &self.inner.id)
            .finish_non_exhaustive()
    }
}

impl<T> Store<T> {
    /// Creates an empty store holding `data`.
    pub fn new(engine: &Engine, data: T) -> Self {
        Store {
            inner: StoreInner {
                id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
                engine: engine.clone(),
                funcs: Vec::new(),
                memories: Vec::new(),
                tables: Vec::new(),
                globals: Vec::new(),
                elems: Vec::new(),
                datas: Vec::new(),
                instances: smallvec::SmallVec::new(),
                fuel: FuelState::new(engine.config().consume_fuel),
                limits: StoreLimits::default(),
                limiter: Limiter::default(),
                stack_bytes: 0,
                rare: Rare::default(),
            },
            hosts: Vec::new(),
            suspended: None,
            spare: None,
            data,
        }
    }

    /// Empties the store for another program, as a new store of its
    /// engine would be, but keeping the room its lists had (up to
    /// [`RESET_KEEP`] items each), so that filling it again allocates less:
    /// every function, memory (to the engine's pool), table, global,
    /// segment, instance and host function is dropped, a suspended call is
    /// cancelled, and the limiter, limits and fuel are a new store's. The
    /// data `T` is kept. Handles of before belong to another store now
    /// (the store gets a new identity): using one here panics, as a handle
    /// of any other store does.
    pub fn reset(&mut self) {
        fn clear<V>(v: &mut Vec<V>) {
            if v.capacity() > RESET_KEEP {
                *v = Vec::new();
            } else {
                v.clear();
            }
        }
        let inner = &mut self.inner;
        inner.release_memories();
        clear(&mut inner.memories);
        clear(&mut inner.funcs);
        clear(&mut inner.tables);
        clear(&mut inner.globals);
        clear(&mut inner.elems);
        clear(&mut inner.datas);
        inner.instances = smallvec::SmallVec::new();
        inner.rare = Rare::default();
        inner.fuel = FuelState::new(inner.engine.config().consume_fuel);
        inner.limits = StoreLimits::default();
        // The limiter is dropped with what it counted: stacks are dropped
        // with it.
        inner.limiter = Limiter::default();
        inner.stack_bytes = 0;
        inner.id = NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed);
        clear(&mut self.hosts);
        self.suspended = None;
        self.spare = None;
    }

    /// Whether the store holds no item yet (no function, table, memory,
    /// global, segment, tag or instance).
    pub(crate) fn is_empty(&self) -> bool {
        let i = &self.inner;
        self.hosts.is_empty()
            && i.funcs.is_empty()
            && i.tables.is_empty()
            && i.memories.is_empty()
            && i.globals.is_empty()
            && i.elems.is_empty()
            && i.datas.is_empty()
            && i.instances.is_empty()
            && i.rare.get().is_none_or(|r| r.tags.is_empty())
    }

    /// The engine of this store.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The embedder's data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The embedder's data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// Consumes the store and returns the embedder's data.
    pub fn into_data(self) -> T {
        self.data
    }

    /// Sets resource limits for memories and tables created or grown from now on.
    pub fn set_limits(&mut self, limits: StoreLimits) {
        self.inner.limits = limits;
    }

    /// Sets the resource limiter asked before every memory, table and stack
    /// growth of this store, instantiation included (replacing an earlier
    /// one). It is dropped with the store.
    pub fn set_limiter(&mut self, limiter: impl ResourceLimiter + 'static) {
        self.inner.limiter = Limiter(Some(Box::new(limiter)));
    }

    /// The resource limiter, if one is set.
    pub fn limiter_mut(&mut self) -> Option<&mut (dyn ResourceLimiter + 'static)> {
        self.inner.limiter.0.as_deref_mut()
    }

    /// Bytes of value and frame stack this store holds.
    pub fn stack_bytes(&self) -> usize {
        self.inner.stack_bytes
    }

    /// Bytes counted for the exception objects this store holds (exception
    /// handling; charged to the limiter as [`Resource::Stack`], kept until
    /// the store is dropped).
    pub fn exception_bytes(&self) -> usize {
        self.inner.exception_bytes()
    }

    /// Parks an interpreter state for reuse by the next call; when one is
    /// parked already, the smaller is freed and its bytes given back.
    pub(crate) fn park(&mut self, state: ExecState) {
        let state = match self.spare.take() {
            None => state,
            Some(old) => {
                let (a, b) = (
                    stack_bytes(&old.slots, &old.frames),
                    stack_bytes(&state.slots, &state.frames),
                );
                let (keep, freed) = if a >= b { (old, b) } else { (state, a) };
                release_stacks(&mut self.inner, freed);
                keep
            }
        };
        self.spare = Some(state);
    }

    /// The resource limits in force.
    pub fn limits(&self) -> &StoreLimits {
        &self.inner.limits
    }

    /// Sets the remaining total fuel. Fails if the engine does not meter fuel.
    pub fn set_fuel(&mut self, fuel: u64) -> Result<(), Error> {
        self.require_fuel()?;
        self.inner.fuel.set_total(fuel);
        Ok(())
    }

    /// Remaining total fuel. Fails if the engine does not meter fuel.
    pub fn get_fuel(&self) -> Result<u64, Error> {
        self.require_fuel()?;
        Ok(self.inner.fuel.total())
    }

    /// Fuel consumed by this store so far (0 without metering).
    pub fn fuel_consumed(&self) -> u64 {
        self.inner.fuel.consumed()
    }

    /// Sets the slice: a resumable call suspends once it has used this much
    /// fuel since it was started or last resumed. `None` turns slicing off.
    pub fn set_fuel_slice(&mut self, slice: Option<u64>) -> Result<(), Error> {
        self.require_fuel()?;
        self.inner.fuel.set_slice(slice);
        Ok(())
    }

    /// Lets a resumable call start its next slice by itself when one is
    /// spent, instead of suspending with [`Suspension::OutOfSlice`], as long
    /// as [`Store::fuel_consumed`] is below `consumed_below` and no host
    /// function has been called since this call (the first host call ends
    /// it; 0 turns it off, the default). For a scheduler that would resume
    /// this store at once, with a fresh slice and nothing else changed: the
    /// call then runs exactly as through a suspension and
    /// [`Store::resume`], without leaving the interpreter. The fuel totals
    /// and where each slice ends are the same either way.
    ///
    /// [`Suspension::OutOfSlice`]: crate::Suspension::OutOfSlice
    pub fn set_slice_renewal(&mut self, consumed_below: u64) {
        self.inner.fuel.set_renewal(consumed_below);
    }

    /// How many slices this store started by itself
    /// ([`Store::set_slice_renewal`]) so far, wrapping at 2^32 (take
    /// differences with `wrapping_sub`).
    pub fn slices_renewed(&self) -> u32 {
        self.inner.fuel.renewed()
    }

    fn require_fuel(&self) -> Result<(), Error> {
        if self.inner.fuel.enabled() {
            Ok(())
        } else {
            Err(Error::usage("fuel is not enabled in this engine's Config"))
        }
    }

    /// True when a call is suspended and waits for [`Store::resume`].
    pub fn is_suspended(&self) -> bool {
        self.suspended.is_some()
    }

    /// Drops a suspended call without finishing it (the process was killed).
    pub fn cancel_suspended(&mut self) {
        if let Some(s) = self.suspended.take() {
            self.park(s.into_state());
        }
    }

    /// Number of bytes of linear memory currently allocated by this store.
    pub fn memory_bytes(&self) -> usize {
        self.inner.memories.iter().map(|m| m.data.len()).sum()
    }

    pub(crate) fn check(&self, store_id: u32) {
        assert_eq!(
            store_id, self.inner.id,
            "a handle was used with a store it does not belong to"
        );
    }
}

/// Something that gives read access to a store: a [`Store`] or a [`crate::Caller`].
pub trait AsContext {
    /// The embedder's data type.
    type Data;
    /// The store.
    fn as_context(&self) -> &Store<Self::Data>;
}

/// Something that gives write access to a store.
pub trait AsContextMut: AsContext {
    /// The store, mutably.
    fn as_context_mut(&mut self) -> &mut Store<Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self
    }
}

impl<T> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self
    }
}

impl<C: AsContext + ?Sized> AsContext for &C {
    type Data = C::Data;
    fn as_context(&self) -> &Store<C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContext + ?Sized> AsContext for &mut C {
    type Data = C::Data;
    fn as_context(&self) -> &Store<C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContextMut + ?Sized> AsContextMut for &mut C {
    fn as_context_mut(&mut self) -> &mut Store<C::Data> {
        (**self).as_context_mut()
    }
}

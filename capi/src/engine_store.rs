//! Runtime environment: `wasm_config_t`, `wasm_engine_t`, `wasm_store_t`.
//!
//! A C store is an `Rc<StoreCell>`: every object of the store (func, global,
//! table, memory, instance, foreign, extern) holds one, so the engine store
//! lives until the store *and* all its objects are deleted, whatever order C
//! deletes them in. Host info of the store's objects and the `externref`
//! registry live in [`StoreData`]; their finalizers run when the engine store
//! is dropped.

use crate::reference::{HostInfo, Key, RefKind};
use crate::{drop_c, guard, into_c};
use std::cell::{Cell, UnsafeCell};
use std::collections::HashMap;
use std::ptr;
use std::rc::Rc;
use wasiproc_engine::{Config, Engine, Store};

/// Configuration for [`wasm_engine_new_with_config`]; the engine's defaults.
pub struct wasm_config_t {
    config: Config,
}

/// An engine: compilation settings shared by its stores and modules.
pub struct wasm_engine_t {
    pub(crate) engine: Engine,
}

/// A store: all runtime objects (instances, functions, memories, ...).
pub struct wasm_store_t {
    pub(crate) cell: Rc<StoreCell>,
}

/// The engine store with the data the C API keeps per store.
pub(crate) type EStore = Store<StoreData>;

/// What the C API keeps in each engine store.
pub(crate) struct StoreData {
    /// The cell that holds this store (stable: the cell is behind an `Rc`).
    pub back: *const StoreCell,
    /// Host info of the store's objects, by identity, with the order it was set in.
    pub host_info: HashMap<Key, (u64, HostInfo)>,
    /// The order number of the next host info set.
    pub next_info: u64,
    /// The objects passed to Wasm as `externref`, indexed by the `ExternRef` number.
    pub externs: Vec<RefKind>,
    /// Index in `externs` of each object already registered.
    pub extern_ids: HashMap<Key, u32>,
}

impl Drop for StoreData {
    fn drop(&mut self) {
        // Finalizers run in the order the host info was set, not in hash order.
        let mut infos: Vec<(u64, HostInfo)> = self.host_info.drain().map(|(_, v)| v).collect();
        infos.sort_by_key(|(seq, _)| *seq);
        drop(infos);
    }
}

/// An engine store that C can reach from several objects.
pub(crate) struct StoreCell {
    store: UnsafeCell<EStore>,
    /// While a host callback runs, the store as the engine lent it to that
    /// callback; null otherwise.
    active: Cell<*mut EStore>,
}

impl StoreCell {
    pub(crate) fn new(engine: &Engine) -> Rc<StoreCell> {
        let data = StoreData {
            back: ptr::null(),
            host_info: HashMap::new(),
            next_info: 0,
            externs: Vec::new(),
            extern_ids: HashMap::new(),
        };
        let cell = Rc::new(StoreCell {
            store: UnsafeCell::new(Store::new(engine, data)),
            active: Cell::new(ptr::null_mut()),
        });
        let back = Rc::as_ptr(&cell);
        // SAFETY: the cell was just created; nothing else refers to the store yet.
        unsafe { (*cell.store.get()).data_mut().back = back };
        cell
    }

    /// Runs `f` on the engine store.
    ///
    /// Calls never nest except through a host callback: the engine lends its
    /// `&mut Store` to the callback (`Caller`), the callback installs that
    /// borrow as `active` for its duration (see [`StoreCell::lend`]), and every
    /// C API call made from inside the callback uses it. So at any time one
    /// `&mut` chain reaches the store. The cell is kept alive for the call even
    /// if C deletes every object during it.
    pub(crate) fn with<R>(self: &Rc<Self>, f: impl FnOnce(&mut EStore) -> R) -> R {
        let _keep = Rc::clone(self);
        let active = self.active.get();
        let p = if active.is_null() {
            self.store.get()
        } else {
            active
        };
        // SAFETY: single-threaded (Rc is !Send; the standard makes a store
        // single-threaded), and no other `&mut` to the store is in use: either
        // no engine call is running (`p` is the cell's own store) or we are
        // inside a host callback and `p` is the borrow the engine lent to it.
        f(unsafe { &mut *p })
    }

    /// Installs `store` (the borrow a host callback received) as the store
    /// C API calls use until `f` returns.
    pub(crate) fn lend<R>(&self, store: *mut EStore, f: impl FnOnce() -> R) -> R {
        let prev = self.active.replace(store);
        struct Restore<'a>(&'a Cell<*mut EStore>, *mut EStore);
        impl Drop for Restore<'_> {
            fn drop(&mut self) {
                self.0.set(self.1);
            }
        }
        let _restore = Restore(&self.active, prev);
        f()
    }

    /// A new strong reference to the cell that holds `store`.
    ///
    /// # Safety
    /// `store` lives in a `StoreCell` that is alive (true for any store an
    /// engine call is running on: [`StoreCell::with`] keeps it alive).
    pub(crate) unsafe fn from_store(store: &EStore) -> Rc<StoreCell> {
        let back = store.data().back;
        // SAFETY: `back` came from `Rc::as_ptr` of the live cell.
        unsafe {
            Rc::increment_strong_count(back);
            Rc::from_raw(back)
        }
    }
}

/// Creates a configuration with the defaults.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_config_new() -> *mut wasm_config_t {
    guard(ptr::null_mut, || {
        into_c(wasm_config_t {
            config: Config::new(),
        })
    })
}

/// Deletes a configuration.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_config_delete(config: *mut wasm_config_t) {
    // SAFETY: `config` is null or an own config.
    guard(|| (), || unsafe { drop_c(config) })
}

/// Creates an engine with the default configuration.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_engine_new() -> *mut wasm_engine_t {
    guard(ptr::null_mut, || {
        into_c(wasm_engine_t {
            engine: Engine::default(),
        })
    })
}

/// Creates an engine, taking ownership of `config` (null: the defaults).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_engine_new_with_config(
    config: *mut wasm_config_t,
) -> *mut wasm_engine_t {
    guard(ptr::null_mut, || {
        let config = if config.is_null() {
            Config::new()
        } else {
            // SAFETY: an own config; we take it.
            unsafe { Box::from_raw(config) }.config
        };
        into_c(wasm_engine_t {
            engine: Engine::new(&config),
        })
    })
}

/// Deletes an engine (stores and modules made from it keep working).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_engine_delete(engine: *mut wasm_engine_t) {
    // SAFETY: `engine` is null or an own engine.
    guard(|| (), || unsafe { drop_c(engine) })
}

/// Creates a store.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_store_new(engine: *mut wasm_engine_t) -> *mut wasm_store_t {
    // SAFETY: `engine` is null or a valid engine.
    guard(ptr::null_mut, || match unsafe { engine.as_ref() } {
        Some(e) => into_c(wasm_store_t {
            cell: StoreCell::new(&e.engine),
        }),
        None => ptr::null_mut(),
    })
}

/// Deletes a store handle; the store's objects stay usable until deleted too.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_store_delete(store: *mut wasm_store_t) {
    // SAFETY: `store` is null or an own store.
    guard(|| (), || unsafe { drop_c(store) })
}

/// The cell of a C store argument.
///
/// # Safety
/// `store` is null or a valid store.
pub(crate) unsafe fn cell_of<'a>(store: *const wasm_store_t) -> Option<&'a Rc<StoreCell>> {
    // SAFETY: by the contract.
    unsafe { store.as_ref() }.map(|s| &s.cell)
}

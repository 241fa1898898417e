//! References: the one object behind every reference type of the header
//! (`wasm_ref_t`, and `wasm_func_t`, `wasm_global_t`, `wasm_table_t`,
//! `wasm_memory_t`, `wasm_extern_t`, `wasm_instance_t`, `wasm_module_t`,
//! `wasm_trap_t`, `wasm_foreign_t` are the same Rust type), so the
//! `as_ref` / `as_extern` conversions return the same pointer and the
//! reverse conversions check the kind. Also host info and foreign objects.
//!
//! Host info belongs to the referenced object, not to the handle: two handles
//! of the same function see the same host info. For objects of a store it is
//! kept in the store and its finalizer runs when the store is dropped (the
//! objects live that long); for modules and traps it is kept with the module
//! or trap and its finalizer runs when the last handle to it is deleted.
//! Setting host info again runs the finalizer of the previous one.

use crate::engine_store::{StoreCell, cell_of, wasm_store_t};
use crate::module::ModuleData;
use crate::trap::TrapData;
use crate::{drop_c, guard, into_c};
use std::ffi::c_void;
use std::ptr;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use wasiproc_engine::{Func, Global, Instance, Memory, Table};

/// A finalizer: called once with the host info when it is no longer attached.
pub(crate) type Finalizer = Option<unsafe extern "C" fn(*mut c_void)>;

/// Host info and its finalizer.
pub(crate) struct HostInfo {
    pub data: *mut c_void,
    pub finalizer: Finalizer,
}

impl Drop for HostInfo {
    fn drop(&mut self) {
        if let Some(f) = self.finalizer {
            // SAFETY: the finalizer was given with this data for exactly this call.
            unsafe { f(self.data) };
        }
    }
}

// SAFETY: the pointer is the embedder's; the library never dereferences it,
// only hands it back and passes it to the finalizer. A module may travel to
// another thread (`wasm_module_share`), and its host info with it.
unsafe impl Send for HostInfo {}

/// Host info that lives with a store-independent object (module, trap).
#[derive(Default)]
pub(crate) struct LocalInfo(Mutex<Option<HostInfo>>);

impl LocalInfo {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<HostInfo>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What a reference refers to.
#[derive(Clone)]
pub(crate) enum RefKind {
    Func(Func),
    Global(Global),
    Table(Table),
    Memory(Memory),
    Instance(Instance),
    /// A foreign object; the number is also its `externref` number.
    Foreign(u32),
    Module(Arc<ModuleData>),
    Trap(Rc<TrapData>),
}

/// The identity of an object of a store.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Func(Func),
    Global(Global),
    Table(Table),
    Memory(Memory),
    Instance(Instance),
    Foreign(u32),
}

impl RefKind {
    pub(crate) fn key(&self) -> Option<Key> {
        Some(match self {
            RefKind::Func(f) => Key::Func(*f),
            RefKind::Global(g) => Key::Global(*g),
            RefKind::Table(t) => Key::Table(*t),
            RefKind::Memory(m) => Key::Memory(*m),
            RefKind::Instance(i) => Key::Instance(*i),
            RefKind::Foreign(n) => Key::Foreign(*n),
            RefKind::Module(_) | RefKind::Trap(_) => return None,
        })
    }

    fn local_info(&self) -> Option<&LocalInfo> {
        match self {
            RefKind::Module(m) => Some(&m.info),
            RefKind::Trap(t) => Some(&t.info),
            _ => None,
        }
    }

    fn same(&self, other: &RefKind) -> bool {
        match (self, other) {
            (RefKind::Module(a), RefKind::Module(b)) => Arc::ptr_eq(a, b),
            (RefKind::Trap(a), RefKind::Trap(b)) => Rc::ptr_eq(a, b),
            _ => self.key().is_some() && self.key() == other.key(),
        }
    }
}

/// A reference to a runtime object (see the module docs).
pub struct wasm_ref_t {
    /// The store of the object; `None` for modules and traps made without one.
    pub(crate) store: Option<Rc<StoreCell>>,
    pub(crate) kind: RefKind,
}

/// A function (a [`wasm_ref_t`] of kind func).
pub type wasm_func_t = wasm_ref_t;
/// A global (a [`wasm_ref_t`] of kind global).
pub type wasm_global_t = wasm_ref_t;
/// A table (a [`wasm_ref_t`] of kind table).
pub type wasm_table_t = wasm_ref_t;
/// A memory (a [`wasm_ref_t`] of kind memory).
pub type wasm_memory_t = wasm_ref_t;
/// A func, global, table or memory.
pub type wasm_extern_t = wasm_ref_t;
/// A module instance.
pub type wasm_instance_t = wasm_ref_t;
/// A compiled module.
pub type wasm_module_t = wasm_ref_t;
/// A trap.
pub type wasm_trap_t = wasm_ref_t;
/// A foreign (host) object.
pub type wasm_foreign_t = wasm_ref_t;

impl wasm_ref_t {
    /// A new handle for an object of `store`.
    pub(crate) fn in_store(store: &Rc<StoreCell>, kind: RefKind) -> *mut wasm_ref_t {
        into_c(wasm_ref_t {
            store: Some(Rc::clone(store)),
            kind,
        })
    }
}

/// Which kinds a typed name accepts.
#[derive(Clone, Copy)]
pub(crate) enum Family {
    Any,
    Func,
    Global,
    Table,
    Memory,
    Extern,
    Instance,
    Module,
    Trap,
    Foreign,
}

impl Family {
    fn accepts(self, kind: &RefKind) -> bool {
        matches!(
            (self, kind),
            (Family::Any, _)
                | (Family::Func, RefKind::Func(_))
                | (Family::Global, RefKind::Global(_))
                | (Family::Table, RefKind::Table(_))
                | (Family::Memory, RefKind::Memory(_))
                | (
                    Family::Extern,
                    RefKind::Func(_) | RefKind::Global(_) | RefKind::Table(_) | RefKind::Memory(_)
                )
                | (Family::Instance, RefKind::Instance(_))
                | (Family::Module, RefKind::Module(_))
                | (Family::Trap, RefKind::Trap(_))
                | (Family::Foreign, RefKind::Foreign(_))
        )
    }
}

/// Borrows a reference if it is non-null and of the family.
///
/// # Safety
/// `p` is null or a valid reference object that outlives the borrow.
pub(crate) unsafe fn borrow<'a>(p: *const wasm_ref_t, family: Family) -> Option<&'a wasm_ref_t> {
    // SAFETY: by the contract.
    let r = unsafe { p.as_ref() }?;
    family.accepts(&r.kind).then_some(r)
}

unsafe fn get_host_info(p: *const wasm_ref_t, family: Family) -> *mut c_void {
    // SAFETY: forwarded contract.
    let Some(r) = (unsafe { borrow(p, family) }) else {
        return ptr::null_mut();
    };
    if let Some(local) = r.kind.local_info() {
        return local.lock().as_ref().map_or(ptr::null_mut(), |h| h.data);
    }
    match (&r.store, r.kind.key()) {
        (Some(cell), Some(key)) => cell.with(|s| {
            s.data()
                .host_info
                .get(&key)
                .map_or(ptr::null_mut(), |(_, h)| h.data)
        }),
        _ => ptr::null_mut(),
    }
}

unsafe fn set_host_info(p: *const wasm_ref_t, family: Family, info: HostInfo) {
    // SAFETY: forwarded contract.
    let Some(r) = (unsafe { borrow(p, family) }) else {
        // Not attached anywhere: do not run the finalizer on data we never owned.
        std::mem::forget(info);
        return;
    };
    // The previous info is dropped (its finalizer run) after the store is released.
    let previous = if let Some(local) = r.kind.local_info() {
        local.lock().replace(info)
    } else {
        match (&r.store, r.kind.key()) {
            (Some(cell), Some(key)) => cell.with(|s| {
                let data = s.data_mut();
                data.next_info += 1;
                let seq = data.next_info;
                data.host_info.insert(key, (seq, info)).map(|(_, old)| old)
            }),
            _ => {
                std::mem::forget(info);
                None
            }
        }
    };
    drop(previous);
}

macro_rules! ref_base {
    ($family:expr, $delete:ident, $copy:ident, $same:ident, $get:ident, $set:ident, $set_fin:ident) => {
        /// Deletes this handle (the object may live on, see the module docs).
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $delete(r: *mut wasm_ref_t) {
            // SAFETY: `r` is null or an own handle.
            guard(|| (), || unsafe { drop_c(r) })
        }
        /// A new handle to the same object.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $copy(r: *const wasm_ref_t) -> *mut wasm_ref_t {
            // SAFETY: `r` is null or a valid handle.
            guard(ptr::null_mut, || match unsafe { borrow(r, $family) } {
                Some(r) => into_c(wasm_ref_t {
                    store: r.store.clone(),
                    kind: r.kind.clone(),
                }),
                None => ptr::null_mut(),
            })
        }
        /// Whether two handles refer to the same object.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $same(a: *const wasm_ref_t, b: *const wasm_ref_t) -> bool {
            // SAFETY: both are null or valid handles.
            guard(
                || false,
                // SAFETY: both are null or valid handles.
                || match unsafe { (borrow(a, $family), borrow(b, $family)) } {
                    (Some(a), Some(b)) => {
                        let same_store = match (&a.store, &b.store) {
                            (Some(x), Some(y)) => Rc::ptr_eq(x, y),
                            _ => true,
                        };
                        same_store && a.kind.same(&b.kind)
                    }
                    _ => false,
                },
            )
        }
        /// The object's host info, or null.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $get(r: *const wasm_ref_t) -> *mut c_void {
            // SAFETY: `r` is null or a valid handle.
            guard(ptr::null_mut, || unsafe { get_host_info(r, $family) })
        }
        /// Sets the object's host info (no finalizer).
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $set(r: *mut wasm_ref_t, info: *mut c_void) {
            let info = HostInfo {
                data: info,
                finalizer: None,
            };
            // SAFETY: `r` is null or a valid handle.
            guard(|| (), || unsafe { set_host_info(r, $family, info) })
        }
        /// Sets the object's host info and the finalizer to call when it is released.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $set_fin(
            r: *mut wasm_ref_t,
            info: *mut c_void,
            finalizer: Finalizer,
        ) {
            let info = HostInfo {
                data: info,
                finalizer,
            };
            // SAFETY: `r` is null or a valid handle.
            guard(|| (), || unsafe { set_host_info(r, $family, info) })
        }
    };
}

macro_rules! ref_conv {
    ($family:expr, $as_ref:ident, $as_ref_const:ident, $from_ref:ident, $from_ref_const:ident) => {
        /// Views the object as a reference (same pointer).
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $as_ref(r: *mut wasm_ref_t) -> *mut wasm_ref_t {
            r
        }
        /// Views the object as a reference (same pointer).
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $as_ref_const(r: *const wasm_ref_t) -> *const wasm_ref_t {
            r
        }
        /// The reference as this kind, or null if it refers to another kind.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $from_ref(r: *mut wasm_ref_t) -> *mut wasm_ref_t {
            // SAFETY: `r` is null or a valid handle.
            guard(ptr::null_mut, || match unsafe { borrow(r, $family) } {
                Some(_) => r,
                None => ptr::null_mut(),
            })
        }
        /// The reference as this kind, or null if it refers to another kind.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $from_ref_const(r: *const wasm_ref_t) -> *const wasm_ref_t {
            // SAFETY: `r` is null or a valid handle.
            guard(ptr::null, || match unsafe { borrow(r, $family) } {
                Some(_) => r,
                None => ptr::null(),
            })
        }
    };
}

ref_base!(
    Family::Any,
    wasm_ref_delete,
    wasm_ref_copy,
    wasm_ref_same,
    wasm_ref_get_host_info,
    wasm_ref_set_host_info,
    wasm_ref_set_host_info_with_finalizer
);

macro_rules! ref_family {
    ($family:expr, [$($base:ident),*], [$($conv:ident),*]) => {
        ref_base!($family, $($base),*);
        ref_conv!($family, $($conv),*);
    };
}

ref_family!(
    Family::Func,
    [
        wasm_func_delete,
        wasm_func_copy,
        wasm_func_same,
        wasm_func_get_host_info,
        wasm_func_set_host_info,
        wasm_func_set_host_info_with_finalizer
    ],
    [
        wasm_func_as_ref,
        wasm_func_as_ref_const,
        wasm_ref_as_func,
        wasm_ref_as_func_const
    ]
);
ref_family!(
    Family::Global,
    [
        wasm_global_delete,
        wasm_global_copy,
        wasm_global_same,
        wasm_global_get_host_info,
        wasm_global_set_host_info,
        wasm_global_set_host_info_with_finalizer
    ],
    [
        wasm_global_as_ref,
        wasm_global_as_ref_const,
        wasm_ref_as_global,
        wasm_ref_as_global_const
    ]
);
ref_family!(
    Family::Table,
    [
        wasm_table_delete,
        wasm_table_copy,
        wasm_table_same,
        wasm_table_get_host_info,
        wasm_table_set_host_info,
        wasm_table_set_host_info_with_finalizer
    ],
    [
        wasm_table_as_ref,
        wasm_table_as_ref_const,
        wasm_ref_as_table,
        wasm_ref_as_table_const
    ]
);
ref_family!(
    Family::Memory,
    [
        wasm_memory_delete,
        wasm_memory_copy,
        wasm_memory_same,
        wasm_memory_get_host_info,
        wasm_memory_set_host_info,
        wasm_memory_set_host_info_with_finalizer
    ],
    [
        wasm_memory_as_ref,
        wasm_memory_as_ref_const,
        wasm_ref_as_memory,
        wasm_ref_as_memory_const
    ]
);
ref_family!(
    Family::Extern,
    [
        wasm_extern_delete,
        wasm_extern_copy,
        wasm_extern_same,
        wasm_extern_get_host_info,
        wasm_extern_set_host_info,
        wasm_extern_set_host_info_with_finalizer
    ],
    [
        wasm_extern_as_ref,
        wasm_extern_as_ref_const,
        wasm_ref_as_extern,
        wasm_ref_as_extern_const
    ]
);
ref_family!(
    Family::Instance,
    [
        wasm_instance_delete,
        wasm_instance_copy,
        wasm_instance_same,
        wasm_instance_get_host_info,
        wasm_instance_set_host_info,
        wasm_instance_set_host_info_with_finalizer
    ],
    [
        wasm_instance_as_ref,
        wasm_instance_as_ref_const,
        wasm_ref_as_instance,
        wasm_ref_as_instance_const
    ]
);
ref_family!(
    Family::Module,
    [
        wasm_module_delete,
        wasm_module_copy,
        wasm_module_same,
        wasm_module_get_host_info,
        wasm_module_set_host_info,
        wasm_module_set_host_info_with_finalizer
    ],
    [
        wasm_module_as_ref,
        wasm_module_as_ref_const,
        wasm_ref_as_module,
        wasm_ref_as_module_const
    ]
);
ref_family!(
    Family::Trap,
    [
        wasm_trap_delete,
        wasm_trap_copy,
        wasm_trap_same,
        wasm_trap_get_host_info,
        wasm_trap_set_host_info,
        wasm_trap_set_host_info_with_finalizer
    ],
    [
        wasm_trap_as_ref,
        wasm_trap_as_ref_const,
        wasm_ref_as_trap,
        wasm_ref_as_trap_const
    ]
);
ref_family!(
    Family::Foreign,
    [
        wasm_foreign_delete,
        wasm_foreign_copy,
        wasm_foreign_same,
        wasm_foreign_get_host_info,
        wasm_foreign_set_host_info,
        wasm_foreign_set_host_info_with_finalizer
    ],
    [
        wasm_foreign_as_ref,
        wasm_foreign_as_ref_const,
        wasm_ref_as_foreign,
        wasm_ref_as_foreign_const
    ]
);

/// Creates a foreign object in the store: an identity the host can attach
/// host info to and pass to Wasm as `externref`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_foreign_new(store: *mut wasm_store_t) -> *mut wasm_foreign_t {
    // SAFETY: `store` is null or a valid store.
    guard(ptr::null_mut, || match unsafe { cell_of(store) } {
        Some(cell) => {
            let id = cell.with(|s| {
                let data = s.data_mut();
                let id = u32::try_from(data.externs.len()).ok()?;
                data.externs.try_reserve(1).ok()?;
                data.externs.push(RefKind::Foreign(id));
                data.extern_ids.insert(Key::Foreign(id), id);
                Some(id)
            });
            match id {
                Some(id) => wasm_ref_t::in_store(cell, RefKind::Foreign(id)),
                None => ptr::null_mut(),
            }
        }
        None => ptr::null_mut(),
    })
}

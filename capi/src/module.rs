//! Modules: `wasm_module_t` (new, validate, imports, exports, serialize,
//! deserialize) and `wasm_shared_module_t` (share, obtain).
//!
//! The engine has no ahead-of-time code to save: a module's serialized form
//! is its Wasm binary, and deserializing validates and translates it again
//! (so `wasm_module_deserialize` fails, returning null, exactly when
//! `wasm_module_new` would on those bytes). A module is bound to the engine
//! of the store it was compiled in, not to the store; `wasm_module_obtain`
//! gives it to any store of the same engine.

use crate::engine_store::{cell_of, wasm_store_t};
use crate::reference::{Family, LocalInfo, RefKind, borrow, wasm_module_t, wasm_ref_t};
use crate::types::{wasm_exporttype_t, wasm_importtype_t};
use crate::vec::{try_vec, wasm_byte_vec_t, wasm_exporttype_vec_t, wasm_importtype_vec_t};
use crate::{drop_c, guard, into_c};
use std::ptr;
use std::sync::Arc;
use wasiproc_engine::{ExternType, Module};

/// A compiled module and the binary it came from.
pub(crate) struct ModuleData {
    pub module: Module,
    bytes: Box<[u8]>,
    pub info: LocalInfo,
}

/// A module that can be handed to another store (of the same engine).
pub struct wasm_shared_module_t {
    data: Arc<ModuleData>,
}

/// The module of a handle.
///
/// # Safety
/// `m` is null or a valid module.
pub(crate) unsafe fn module_data<'a>(m: *const wasm_module_t) -> Option<&'a Arc<ModuleData>> {
    // SAFETY: by the contract.
    match unsafe { borrow(m, Family::Module) } {
        Some(wasm_ref_t {
            kind: RefKind::Module(d),
            ..
        }) => Some(d),
        _ => None,
    }
}

fn handle(data: Arc<ModuleData>) -> *mut wasm_module_t {
    into_c(wasm_ref_t {
        store: None,
        kind: RefKind::Module(data),
    })
}

/// Compiles `binary` for the store's engine; null if it is invalid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_module_new(
    store: *mut wasm_store_t,
    binary: *const wasm_byte_vec_t,
) -> *mut wasm_module_t {
    guard(ptr::null_mut, || {
        // SAFETY: `store` and `binary` are null or valid.
        let (Some(cell), Some(binary)) = (unsafe { cell_of(store) }, unsafe { binary.as_ref() })
        else {
            return ptr::null_mut();
        };
        // SAFETY: `binary` is a valid byte vector.
        let bytes = unsafe { binary.as_slice() };
        let engine = cell.with(|s| s.engine().clone());
        let Ok(module) = Module::new(&engine, bytes) else {
            return ptr::null_mut();
        };
        let Some(mut copy) = try_vec(bytes.len()) else {
            return ptr::null_mut();
        };
        copy.extend_from_slice(bytes);
        handle(Arc::new(ModuleData {
            module,
            bytes: copy.into_boxed_slice(),
            info: LocalInfo::default(),
        }))
    })
}

/// Whether `binary` is a valid module for the store's engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_module_validate(
    store: *mut wasm_store_t,
    binary: *const wasm_byte_vec_t,
) -> bool {
    guard(
        || false,
        || {
            // SAFETY: `store` and `binary` are null or valid.
            let (Some(cell), Some(binary)) =
                (unsafe { cell_of(store) }, unsafe { binary.as_ref() })
            else {
                return false;
            };
            let engine = cell.with(|s| s.engine().clone());
            // SAFETY: `binary` is a valid byte vector.
            Module::validate(&engine, unsafe { binary.as_slice() }).is_ok()
        },
    )
}

/// Writes the module's import types, in order, to `out`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_module_imports(
    m: *const wasm_module_t,
    out: *mut wasm_importtype_vec_t,
) {
    // SAFETY: `m` is null or a valid module, `out` null or writable.
    unsafe {
        write_list(m, out, |d| {
            let items = d.map_or_else(Vec::new, |d| {
                // wasm.h has no tag extern kind: tags are left out.
                d.module
                    .imports()
                    .filter(|i| !matches!(i.ty, ExternType::Tag(_)))
                    .map(|i| into_c(wasm_importtype_t::from_engine(&i)))
                    .collect()
            });
            wasm_importtype_vec_t::from_vec(items)
        })
    }
}

/// Writes the module's export types, in order, to `out`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_module_exports(
    m: *const wasm_module_t,
    out: *mut wasm_exporttype_vec_t,
) {
    // SAFETY: `m` is null or a valid module, `out` null or writable.
    unsafe {
        write_list(m, out, |d| {
            let items = d.map_or_else(Vec::new, |d| {
                // As `wasm_instance_exports`: tags are left out.
                d.module
                    .exports()
                    .filter(|e| !matches!(e.ty, ExternType::Tag(_)))
                    .map(|e| into_c(wasm_exporttype_t::from_engine(&e)))
                    .collect()
            });
            wasm_exporttype_vec_t::from_vec(items)
        })
    }
}

/// Writes the module's serialized form (its Wasm binary) to `out`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_module_serialize(m: *const wasm_module_t, out: *mut wasm_byte_vec_t) {
    guard(
        || (),
        || {
            if out.is_null() {
                return;
            }
            // SAFETY: `m` is null or a valid module.
            let v = match unsafe { module_data(m) } {
                Some(d) => wasm_byte_vec_t::from_bytes(&d.bytes),
                None => wasm_byte_vec_t::empty(),
            };
            // SAFETY: `out` points to writable vector memory.
            unsafe { out.write(v) };
        },
    )
}

/// Compiles a serialized module; null if the bytes are not a valid module.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_module_deserialize(
    store: *mut wasm_store_t,
    bytes: *const wasm_byte_vec_t,
) -> *mut wasm_module_t {
    // SAFETY: same contract as `wasm_module_new`.
    unsafe { wasm_module_new(store, bytes) }
}

/// A shareable handle to the module.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_module_share(m: *const wasm_module_t) -> *mut wasm_shared_module_t {
    // SAFETY: `m` is null or a valid module.
    guard(ptr::null_mut, || match unsafe { module_data(m) } {
        Some(d) => into_c(wasm_shared_module_t {
            data: Arc::clone(d),
        }),
        None => ptr::null_mut(),
    })
}

/// The shared module as a module of `store`; null if the store has another engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_module_obtain(
    store: *mut wasm_store_t,
    shared: *const wasm_shared_module_t,
) -> *mut wasm_module_t {
    guard(ptr::null_mut, || {
        // SAFETY: both are null or valid.
        let (Some(cell), Some(shared)) = (unsafe { cell_of(store) }, unsafe { shared.as_ref() })
        else {
            return ptr::null_mut();
        };
        if !cell.with(|s| s.engine().same(shared.data.module.engine())) {
            return ptr::null_mut();
        }
        handle(Arc::clone(&shared.data))
    })
}

/// Deletes a shared module handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_shared_module_delete(shared: *mut wasm_shared_module_t) {
    // SAFETY: `shared` is null or an own shared module.
    guard(|| (), || unsafe { drop_c(shared) })
}

/// Writes the vector `make` builds from module `m` (`None` for a null or
/// invalid module: an empty vector) to `out`; nothing if `out` is null.
///
/// # Safety
/// `m` is null or a valid module; `out` is null or points to writable
/// vector memory.
unsafe fn write_list<V>(
    m: *const wasm_module_t,
    out: *mut V,
    make: impl FnOnce(Option<&ModuleData>) -> V,
) {
    guard(
        || (),
        || {
            if out.is_null() {
                return;
            }
            // SAFETY: `m` is null or a valid module.
            let list = make(unsafe { module_data(m) }.map(|d| &**d));
            // SAFETY: `out` points to writable vector memory.
            unsafe { out.write(list) };
        },
    )
}

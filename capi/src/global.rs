//! Globals: `wasm_global_new`, type, get, set.
//!
//! `wasm_global_set` on an immutable global, or with a value of another
//! type or store, does nothing (the header gives it no way to fail).

use crate::engine_store::{StoreCell, cell_of, wasm_store_t};
use crate::reference::{Family, RefKind, borrow, wasm_global_t, wasm_ref_t};
use crate::types::{wasm_externtype_t, wasm_globaltype_t};
use crate::val::{Ctx, wasm_val_t};
use crate::{guard, into_c};
use std::ptr;
use std::rc::Rc;
use wasiproc_engine::{ExternType, Global};

/// The global and its store.
///
/// # Safety
/// `g` is null or a valid handle.
unsafe fn global_of<'a>(g: *const wasm_global_t) -> Option<(&'a Rc<StoreCell>, Global)> {
    // SAFETY: by the contract.
    match unsafe { borrow(g, Family::Global) } {
        Some(wasm_ref_t {
            store: Some(cell),
            kind: RefKind::Global(global),
        }) => Some((cell, *global)),
        _ => None,
    }
}

/// Creates a global of the given type and initial value; null if the value does not fit.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_global_new(
    store: *mut wasm_store_t,
    ty: *const wasm_globaltype_t,
    val: *const wasm_val_t,
) -> *mut wasm_global_t {
    guard(ptr::null_mut, || {
        // SAFETY: all three are null or valid.
        let (Some(cell), Some(ty), Some(val)) = (
            unsafe { cell_of(store) },
            unsafe { ty.as_ref() }.and_then(wasm_externtype_t::global_type),
            unsafe { val.as_ref() },
        ) else {
            return ptr::null_mut();
        };
        let global = cell.with(|store| {
            let mut ctx = Ctx { cell, store };
            // SAFETY: `val` is a valid value.
            let v = unsafe { ctx.val_from_c(val, ty.content) }.ok()?;
            Global::new(&mut *ctx.store, ty, v).ok()
        });
        match global {
            Some(g) => wasm_ref_t::in_store(cell, RefKind::Global(g)),
            None => ptr::null_mut(),
        }
    })
}

/// The global's type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_global_type(g: *const wasm_global_t) -> *mut wasm_globaltype_t {
    // SAFETY: `g` is null or a valid handle.
    guard(ptr::null_mut, || match unsafe { global_of(g) } {
        Some((cell, global)) => {
            let ty = cell.with(|s| global.ty(&*s));
            into_c(wasm_externtype_t::from_engine(&ExternType::Global(ty)))
        }
        None => ptr::null_mut(),
    })
}

/// Writes the global's value to `out` (a reference as an own handle).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_global_get(g: *const wasm_global_t, out: *mut wasm_val_t) {
    guard(
        || (),
        || {
            // SAFETY: `g` is null or a valid handle.
            let Some((cell, global)) = (unsafe { global_of(g) }) else {
                return;
            };
            if out.is_null() {
                return;
            }
            let v = cell.with(|store| {
                let v = global.get(&*store);
                Ctx { cell, store }.val_to_c(v)
            });
            // SAFETY: `out` points to writable value memory.
            unsafe { out.write(v) };
        },
    )
}

/// Sets a mutable global's value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_global_set(g: *mut wasm_global_t, val: *const wasm_val_t) {
    guard(
        || (),
        || {
            // SAFETY: `g` and `val` are null or valid.
            let (Some((cell, global)), Some(val)) =
                (unsafe { global_of(g) }, unsafe { val.as_ref() })
            else {
                return;
            };
            cell.with(|store| {
                let ty = global.ty(&*store);
                let mut ctx = Ctx { cell, store };
                // SAFETY: `val` is a valid value.
                if let Ok(v) = unsafe { ctx.val_from_c(val, ty.content) } {
                    let _ = global.set(&mut *ctx.store, v);
                }
            });
        },
    )
}

//! Tables: `wasm_table_new`, type, get, set, size, grow.
//!
//! Elements are references: a funcref table takes functions of the same
//! store (or null), an externref table any reference of the store.

use crate::engine_store::{EStore, StoreCell, cell_of, wasm_store_t};
use crate::reference::{Family, RefKind, borrow, wasm_ref_t, wasm_table_t};
use crate::types::{wasm_externtype_t, wasm_tabletype_t};
use crate::val::Ctx;
use crate::{guard, into_c};
use std::ptr;
use std::rc::Rc;
use wasiproc_engine::{ExternType, Table, Val};

/// The table and its store.
///
/// # Safety
/// `t` is null or a valid handle.
unsafe fn table_of<'a>(t: *const wasm_table_t) -> Option<(&'a Rc<StoreCell>, Table)> {
    // SAFETY: by the contract.
    match unsafe { borrow(t, Family::Table) } {
        Some(wasm_ref_t {
            store: Some(cell),
            kind: RefKind::Table(table),
        }) => Some((cell, *table)),
        _ => None,
    }
}

/// Creates a table with every element set to `init` (null: the null reference).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_table_new(
    store: *mut wasm_store_t,
    ty: *const wasm_tabletype_t,
    init: *mut wasm_ref_t,
) -> *mut wasm_table_t {
    guard(ptr::null_mut, || {
        // SAFETY: all are null or valid.
        let (Some(cell), Some(ty)) = (
            unsafe { cell_of(store) },
            unsafe { ty.as_ref() }.and_then(wasm_externtype_t::table_type),
        ) else {
            return ptr::null_mut();
        };
        if ty.maximum.is_some_and(|max| max < ty.minimum) {
            return ptr::null_mut();
        }
        let table = cell.with(|store| {
            let mut ctx = Ctx { cell, store };
            // SAFETY: `init` is null or a valid reference.
            let v = unsafe { ctx.ref_to_val(init, ty.element) }.ok()?;
            Table::new(&mut *ctx.store, ty, v).ok()
        });
        match table {
            Some(t) => wasm_ref_t::in_store(cell, RefKind::Table(t)),
            None => ptr::null_mut(),
        }
    })
}

/// The table's type (its current size as minimum).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_table_type(t: *const wasm_table_t) -> *mut wasm_tabletype_t {
    // SAFETY: `t` is null or a valid handle.
    guard(ptr::null_mut, || match unsafe { table_of(t) } {
        Some((cell, table)) => {
            let ty = cell.with(|s| table.ty(&*s));
            into_c(wasm_externtype_t::from_engine(&ExternType::Table(ty)))
        }
        None => ptr::null_mut(),
    })
}

/// The element at `index` as an own reference; null for a null element or an index out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_table_get(t: *const wasm_table_t, index: u32) -> *mut wasm_ref_t {
    // SAFETY: `t` is null or a valid handle.
    guard(ptr::null_mut, || match unsafe { table_of(t) } {
        Some((cell, table)) => cell.with(|store| match table.get(&*store, index) {
            Some(v) => Ctx { cell, store }.val_to_ref(v),
            None => ptr::null_mut(),
        }),
        None => ptr::null_mut(),
    })
}

/// Sets the element at `index`; false if out of range or the reference does not fit.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_table_set(
    t: *mut wasm_table_t,
    index: u32,
    r: *mut wasm_ref_t,
) -> bool {
    // SAFETY: `t` and `r` are null or valid, by the contract.
    unsafe { with_element(t, r, |store, table, v| table.set(store, index, v).is_ok()) }
}

/// The table's size in elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_table_size(t: *const wasm_table_t) -> u32 {
    // SAFETY: `t` is null or a valid handle.
    guard(
        || 0,
        || match unsafe { table_of(t) } {
            Some((cell, table)) => cell.with(|s| table.size(&*s)),
            None => 0,
        },
    )
}

/// Grows the table by `delta` elements set to `init`; false (and no change) past its maximum.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_table_grow(
    t: *mut wasm_table_t,
    delta: u32,
    init: *mut wasm_ref_t,
) -> bool {
    // SAFETY: `t` and `init` are null or valid, by the contract.
    unsafe {
        with_element(t, init, |store, table, v| {
            table.grow(store, delta, v).is_ok()
        })
    }
}

/// Converts reference `r` to a value of table `t`'s element type and hands
/// both to `f`; false for a null or foreign table or a reference that does
/// not fit. Shared by `wasm_table_set` and `wasm_table_grow`.
///
/// # Safety
/// `t` and `r` are null or valid handles.
unsafe fn with_element(
    t: *mut wasm_table_t,
    r: *mut wasm_ref_t,
    f: impl FnOnce(&mut EStore, &Table, Val) -> bool,
) -> bool {
    guard(
        || false,
        // SAFETY: `t` is null or a valid handle.
        || match unsafe { table_of(t) } {
            Some((cell, table)) => cell.with(|store| {
                let element = table.ty(&*store).element;
                let mut ctx = Ctx { cell, store };
                // SAFETY: `r` is null or a valid reference.
                match unsafe { ctx.ref_to_val(r, element) } {
                    Ok(v) => f(&mut *ctx.store, &table, v),
                    Err(_) => false,
                }
            }),
            None => false,
        },
    )
}

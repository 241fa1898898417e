//! Memories: `wasm_memory_new`, type, data, data_size, size, grow.
//!
//! The pointer `wasm_memory_data` returns is valid until the memory grows.

use crate::engine_store::{StoreCell, cell_of, wasm_store_t};
use crate::reference::{Family, RefKind, borrow, wasm_memory_t, wasm_ref_t};
use crate::types::{wasm_externtype_t, wasm_memorytype_t};
use crate::{guard, into_c};
use std::ptr;
use std::rc::Rc;
use wasiproc_engine::{ExternType, Memory};

/// The memory and its store.
///
/// # Safety
/// `m` is null or a valid handle.
unsafe fn memory_of<'a>(m: *const wasm_memory_t) -> Option<(&'a Rc<StoreCell>, Memory)> {
    // SAFETY: by the contract.
    match unsafe { borrow(m, Family::Memory) } {
        Some(wasm_ref_t {
            store: Some(cell),
            kind: RefKind::Memory(memory),
        }) => Some((cell, *memory)),
        _ => None,
    }
}

/// Creates a memory; null if the type is invalid or the store's limit is reached.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_memory_new(
    store: *mut wasm_store_t,
    ty: *const wasm_memorytype_t,
) -> *mut wasm_memory_t {
    guard(ptr::null_mut, || {
        // SAFETY: both are null or valid.
        let (Some(cell), Some(ty)) = (
            unsafe { cell_of(store) },
            unsafe { ty.as_ref() }.and_then(wasm_externtype_t::memory_type),
        ) else {
            return ptr::null_mut();
        };
        if ty.maximum.is_some_and(|max| max < ty.minimum) {
            return ptr::null_mut();
        }
        match cell.with(|s| Memory::new(s, ty)) {
            Ok(m) => wasm_ref_t::in_store(cell, RefKind::Memory(m)),
            Err(_) => ptr::null_mut(),
        }
    })
}

/// The memory's type (its current size as minimum).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_memory_type(m: *const wasm_memory_t) -> *mut wasm_memorytype_t {
    // SAFETY: `m` is null or a valid handle.
    guard(ptr::null_mut, || match unsafe { memory_of(m) } {
        Some((cell, memory)) => {
            let ty = cell.with(|s| memory.ty(&*s));
            into_c(wasm_externtype_t::from_engine(&ExternType::Memory(ty)))
        }
        None => ptr::null_mut(),
    })
}

/// The memory's bytes (valid until it grows).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_memory_data(m: *mut wasm_memory_t) -> *mut u8 {
    // SAFETY: `m` is null or a valid handle.
    guard(ptr::null_mut, || match unsafe { memory_of(m) } {
        Some((cell, memory)) => cell.with(|s| memory.data_mut(s).as_mut_ptr()),
        None => ptr::null_mut(),
    })
}

/// The memory's size in bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_memory_data_size(m: *const wasm_memory_t) -> usize {
    // SAFETY: `m` is null or a valid handle.
    guard(
        || 0,
        || match unsafe { memory_of(m) } {
            Some((cell, memory)) => cell.with(|s| memory.data(&*s).len()),
            None => 0,
        },
    )
}

/// The memory's size in pages.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_memory_size(m: *const wasm_memory_t) -> u32 {
    // SAFETY: `m` is null or a valid handle.
    guard(
        || 0,
        || match unsafe { memory_of(m) } {
            Some((cell, memory)) => cell.with(|s| memory.size(&*s)),
            None => 0,
        },
    )
}

/// Grows the memory by `delta` pages; false (and no change) past its maximum.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_memory_grow(m: *mut wasm_memory_t, delta: u32) -> bool {
    // SAFETY: `m` is null or a valid handle.
    guard(
        || false,
        || match unsafe { memory_of(m) } {
            Some((cell, memory)) => cell.with(|s| memory.grow(s, delta).is_ok()),
            None => false,
        },
    )
}

//! Externals: `wasm_extern_kind`, `wasm_extern_type` and the conversions
//! between `wasm_extern_t` and func / global / table / memory (the same
//! object, so `as_extern` returns its argument and `extern_as_*` checks the kind).

use crate::reference::{Family, RefKind, borrow, wasm_extern_t, wasm_ref_t};
use crate::types::{
    WASM_EXTERN_FUNC, WASM_EXTERN_GLOBAL, WASM_EXTERN_MEMORY, WASM_EXTERN_TABLE, wasm_externkind_t,
    wasm_externtype_t,
};
use crate::{guard, into_c};
use std::ptr;
use wasiproc_engine::Extern;

/// The engine extern of a handle, if it is one.
pub(crate) fn engine_extern(r: &wasm_ref_t) -> Option<Extern> {
    Some(match r.kind {
        RefKind::Func(f) => Extern::Func(f),
        RefKind::Global(g) => Extern::Global(g),
        RefKind::Table(t) => Extern::Table(t),
        RefKind::Memory(m) => Extern::Memory(m),
        _ => return None,
    })
}

/// The handle kind of an engine extern; `None` for an exception tag, which
/// wasm.h has no extern kind for (the C API leaves tags out of export
/// lists and refuses modules that import them).
pub(crate) fn extern_kind(e: Extern) -> Option<RefKind> {
    Some(match e {
        Extern::Func(f) => RefKind::Func(f),
        Extern::Global(g) => RefKind::Global(g),
        Extern::Table(t) => RefKind::Table(t),
        Extern::Memory(m) => RefKind::Memory(m),
        Extern::Tag(_) => return None,
    })
}

/// The kind of an external.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_extern_kind(e: *const wasm_extern_t) -> wasm_externkind_t {
    // SAFETY: `e` is null or a valid handle.
    guard(
        || 0,
        || match unsafe { borrow(e, Family::Extern) }.map(|r| &r.kind) {
            Some(RefKind::Global(_)) => WASM_EXTERN_GLOBAL,
            Some(RefKind::Table(_)) => WASM_EXTERN_TABLE,
            Some(RefKind::Memory(_)) => WASM_EXTERN_MEMORY,
            _ => WASM_EXTERN_FUNC,
        },
    )
}

/// The type of an external.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_extern_type(e: *const wasm_extern_t) -> *mut wasm_externtype_t {
    guard(ptr::null_mut, || {
        // SAFETY: `e` is null or a valid handle.
        let Some(r) = (unsafe { borrow(e, Family::Extern) }) else {
            return ptr::null_mut();
        };
        match (&r.store, engine_extern(r)) {
            (Some(cell), Some(ext)) => {
                let ty = cell.with(|s| ext.ty(&*s));
                into_c(wasm_externtype_t::from_engine(&ty))
            }
            _ => ptr::null_mut(),
        }
    })
}

macro_rules! extern_conv {
    ($family:expr, $to_ext:ident, $to_ext_const:ident, $from_ext:ident, $from_ext_const:ident) => {
        /// Views the object as an external (same pointer).
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $to_ext(r: *mut wasm_ref_t) -> *mut wasm_extern_t {
            r
        }
        /// Views the object as an external (same pointer).
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $to_ext_const(r: *const wasm_ref_t) -> *const wasm_extern_t {
            r
        }
        /// The external as this kind, or null if it is another kind.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $from_ext(e: *mut wasm_extern_t) -> *mut wasm_ref_t {
            // SAFETY: `e` is null or a valid handle.
            guard(ptr::null_mut, || match unsafe { borrow(e, $family) } {
                Some(_) => e,
                None => ptr::null_mut(),
            })
        }
        /// The external as this kind, or null if it is another kind.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $from_ext_const(e: *const wasm_extern_t) -> *const wasm_ref_t {
            // SAFETY: `e` is null or a valid handle.
            guard(ptr::null, || match unsafe { borrow(e, $family) } {
                Some(_) => e,
                None => ptr::null(),
            })
        }
    };
}

extern_conv!(
    Family::Func,
    wasm_func_as_extern,
    wasm_func_as_extern_const,
    wasm_extern_as_func,
    wasm_extern_as_func_const
);
extern_conv!(
    Family::Global,
    wasm_global_as_extern,
    wasm_global_as_extern_const,
    wasm_extern_as_global,
    wasm_extern_as_global_const
);
extern_conv!(
    Family::Table,
    wasm_table_as_extern,
    wasm_table_as_extern_const,
    wasm_extern_as_table,
    wasm_extern_as_table_const
);
extern_conv!(
    Family::Memory,
    wasm_memory_as_extern,
    wasm_memory_as_extern_const,
    wasm_extern_as_memory,
    wasm_extern_as_memory_const
);

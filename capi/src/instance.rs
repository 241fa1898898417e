//! Instances: `wasm_instance_new` (imports in the module's import order)
//! and `wasm_instance_exports`.
//!
//! When instantiation fails, `wasm_instance_new` returns null and, if `trap`
//! is non-null, stores an own trap there: the start function's trap, or for
//! a link error (wrong import count, kind, type or store) a trap whose
//! message says what is wrong. On success `*trap` is set to null.

use crate::engine_store::{cell_of, wasm_store_t};
use crate::r#extern::{engine_extern, extern_kind};
use crate::guard;
use crate::module::module_data;
use crate::reference::{Family, RefKind, borrow, wasm_instance_t, wasm_module_t, wasm_ref_t};
use crate::trap::{new_trap, trap_from_error};
use crate::vec::wasm_extern_vec_t;
use std::ptr;
use std::rc::Rc;
use wasiproc_engine::Instance;

/// Instantiates `module` in `store` with `imports`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_instance_new(
    store: *mut wasm_store_t,
    module: *const wasm_module_t,
    imports: *const wasm_extern_vec_t,
    trap: *mut *mut wasm_ref_t,
) -> *mut wasm_instance_t {
    let fail = |t: *mut wasm_ref_t| {
        if trap.is_null() {
            // SAFETY: an own trap nobody will receive.
            unsafe { crate::drop_c(t) };
        } else {
            // SAFETY: `trap` points to writable pointer memory.
            unsafe { trap.write(t) };
        }
        ptr::null_mut()
    };
    guard(ptr::null_mut, || {
        // SAFETY: all are null or valid.
        let (Some(cell), Some(data)) = (unsafe { cell_of(store) }, unsafe { module_data(module) })
        else {
            return fail(new_trap(
                "wasm_instance_new: null store or module".into(),
                Vec::new(),
            ));
        };
        // SAFETY: `imports` is null or a valid vector.
        let imports = match unsafe { imports.as_ref() } {
            // SAFETY: a valid vector of `size` elements.
            Some(v) => unsafe { v.as_slice() },
            None => &[],
        };
        if data
            .module
            .imports()
            .any(|i| matches!(i.ty, wasiproc_engine::ExternType::Tag(_)))
        {
            return fail(new_trap(
                "wasm_instance_new: the module imports an exception tag, which the C API \
                 cannot provide (wasm.h has no tag extern kind)"
                    .into(),
                Vec::new(),
            ));
        }
        let mut externs = Vec::with_capacity(imports.len());
        for (i, p) in imports.iter().enumerate() {
            // SAFETY: elements are null or valid handles.
            let ext = unsafe { borrow(*p, Family::Extern) }.and_then(|r| {
                let same = r.store.as_ref().is_some_and(|s| Rc::ptr_eq(s, cell));
                same.then(|| engine_extern(r)).flatten()
            });
            match ext {
                Some(e) => externs.push(e),
                None => {
                    return fail(new_trap(
                        format!("wasm_instance_new: import {i} is not an external of this store"),
                        Vec::new(),
                    ));
                }
            }
        }
        match cell.with(|s| Instance::new(s, &data.module, &externs)) {
            Ok(instance) => {
                if !trap.is_null() {
                    // SAFETY: `trap` points to writable pointer memory.
                    unsafe { trap.write(ptr::null_mut()) };
                }
                wasm_ref_t::in_store(cell, RefKind::Instance(instance))
            }
            Err(e) => fail(trap_from_error(&e)),
        }
    })
}

/// Writes the instance's exports, in the module's export order, to `out`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_instance_exports(
    i: *const wasm_instance_t,
    out: *mut wasm_extern_vec_t,
) {
    guard(
        || (),
        || {
            if out.is_null() {
                return;
            }
            // SAFETY: `i` is null or a valid handle.
            let items = match unsafe { borrow(i, Family::Instance) } {
                Some(wasm_ref_t {
                    store: Some(cell),
                    kind: RefKind::Instance(instance),
                }) => cell
                    .with(|s| instance.exports(&*s))
                    .into_iter()
                    .filter_map(|(_, e)| extern_kind(e))
                    .map(|kind| wasm_ref_t::in_store(cell, kind))
                    .collect(),
                _ => Vec::new(),
            };
            // SAFETY: `out` points to writable vector memory.
            unsafe { out.write(wasm_extern_vec_t::from_vec(items)) };
        },
    )
}

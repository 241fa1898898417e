//! Values: `wasm_val_t` = `{ wasm_valkind_t kind; union { i32, i64, f32, f64, ref } of; }`
//! and their conversion to and from engine values.
//!
//! A reference inside an own value is an own `wasm_ref_t*` (null for the
//! null reference). A funcref must belong to the store it is used in. Any
//! reference can be passed as `externref`: the store registers the object
//! once and Wasm sees its number; the same object comes back out.

use crate::engine_store::{EStore, StoreCell};
use crate::reference::{Family, RefKind, borrow, wasm_ref_t};
use crate::types::{
    WASM_EXTERNREF, WASM_F32, WASM_F64, WASM_FUNCREF, WASM_I32, WASM_I64, kind_of, wasm_valkind_t,
};
use crate::{drop_c, guard, into_c};
use std::ptr;
use std::rc::Rc;
use wasiproc_engine::{ExternRef, Val, ValType};

/// The payload of a value.
#[repr(C)]
#[derive(Clone, Copy)]
pub union wasm_val_union {
    /// `WASM_I32`.
    pub i32: i32,
    /// `WASM_I64`.
    pub i64: i64,
    /// `WASM_F32`.
    pub f32: f32,
    /// `WASM_F64`.
    pub f64: f64,
    /// `WASM_EXTERNREF` / `WASM_FUNCREF`: null or a reference.
    pub ref_: *mut wasm_ref_t,
}

/// A value.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct wasm_val_t {
    /// Which member of `of` is set.
    pub kind: wasm_valkind_t,
    /// The payload.
    pub of: wasm_val_union,
}

impl wasm_val_t {
    /// A null `externref`, as `WASM_INIT_VAL` makes.
    pub(crate) fn blank() -> Self {
        wasm_val_t {
            kind: WASM_EXTERNREF,
            of: wasm_val_union {
                ref_: ptr::null_mut(),
            },
        }
    }

    /// The reference held, if this is a reference value.
    fn ref_ptr(&self) -> Option<*mut wasm_ref_t> {
        if self.kind >= WASM_EXTERNREF {
            // SAFETY: for reference kinds `ref_` is the member that was set.
            Some(unsafe { self.of.ref_ })
        } else {
            None
        }
    }
}

/// Copies a value; a reference is copied into a new handle.
///
/// # Safety
/// `v` is a valid value (its reference, if any, is null or valid).
pub(crate) unsafe fn val_copy(v: &wasm_val_t) -> wasm_val_t {
    match v.ref_ptr() {
        Some(r) if !r.is_null() => {
            // SAFETY: a non-null reference of a valid value.
            let r = unsafe { &*r };
            wasm_val_t {
                kind: v.kind,
                of: wasm_val_union {
                    ref_: into_c(wasm_ref_t {
                        store: r.store.clone(),
                        kind: r.kind.clone(),
                    }),
                },
            }
        }
        _ => *v,
    }
}

/// Deletes the reference an own value holds.
///
/// # Safety
/// `v` is an own value.
pub(crate) unsafe fn val_delete(v: wasm_val_t) {
    if let Some(r) = v.ref_ptr() {
        // SAFETY: an own value owns its reference.
        unsafe { drop_c(r) };
    }
}

/// Deletes an own value's reference; the value becomes a null reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_val_delete(v: *mut wasm_val_t) {
    guard(
        || (),
        || {
            // SAFETY: `v` is null or an own value.
            if let Some(v) = unsafe { v.as_mut() } {
                // SAFETY: an own value owns its reference.
                unsafe { val_delete(*v) };
                *v = wasm_val_t::blank();
            }
        },
    )
}

/// Copies a value into `out`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_val_copy(out: *mut wasm_val_t, v: *const wasm_val_t) {
    guard(
        || (),
        || {
            // SAFETY: `v` is null or valid; `out` is null or writable.
            if let (false, Some(v)) = (out.is_null(), unsafe { v.as_ref() }) {
                // SAFETY: `out` is non-null and writable; `v` is a valid value.
                unsafe { out.write(val_copy(v)) };
            }
        },
    )
}

/// The store a conversion works in: the cell (to check and hand out
/// references) and the engine store lent for the call.
pub(crate) struct Ctx<'a> {
    pub cell: &'a Rc<StoreCell>,
    pub store: &'a mut EStore,
}

impl Ctx<'_> {
    /// The engine value for a reference handle (null = null reference) where
    /// a value of type `ty` (funcref or externref) is expected.
    ///
    /// # Safety
    /// `r` is null or a valid reference.
    pub(crate) unsafe fn ref_to_val(
        &mut self,
        r: *const wasm_ref_t,
        ty: ValType,
    ) -> Result<Val, String> {
        // SAFETY: by the contract.
        let r = unsafe { borrow(r, Family::Any) };
        match ty {
            ValType::FuncRef => match r {
                None => Ok(Val::FuncRef(None)),
                Some(wasm_ref_t {
                    store: Some(s),
                    kind: RefKind::Func(f),
                }) if Rc::ptr_eq(s, self.cell) => Ok(Val::FuncRef(Some(*f))),
                Some(_) => Err("a funcref must be a function of the same store".into()),
            },
            ValType::ExternRef => match r {
                None => Ok(Val::ExternRef(None)),
                Some(r) => {
                    if let Some(s) = &r.store
                        && !Rc::ptr_eq(s, self.cell)
                    {
                        return Err("an externref must be an object of the same store".into());
                    }
                    self.register(&r.kind)
                        .map(|n| Val::ExternRef(Some(ExternRef::new(n))))
                }
            },
            _ => Err(format!("a reference given where {ty} is expected")),
        }
    }

    /// The `externref` number of an object, registering it the first time.
    fn register(&mut self, kind: &RefKind) -> Result<u32, String> {
        let data = self.store.data_mut();
        let key = kind.key();
        if let Some(n) = key.and_then(|k| data.extern_ids.get(&k)) {
            return Ok(*n);
        }
        let n = u32::try_from(data.externs.len()).map_err(|_| "too many externrefs".to_string())?;
        data.externs
            .try_reserve(1)
            .map_err(|_| "out of memory".to_string())?;
        data.externs.push(kind.clone());
        if let Some(k) = key {
            data.extern_ids.insert(k, n);
        }
        Ok(n)
    }

    /// A new reference handle for an engine reference value (null for null).
    pub(crate) fn val_to_ref(&mut self, v: Val) -> *mut wasm_ref_t {
        let kind = match v {
            Val::FuncRef(Some(f)) => RefKind::Func(f),
            Val::ExternRef(Some(e)) => match self.store.data().externs.get(e.get() as usize) {
                Some(kind) => kind.clone(),
                None => return ptr::null_mut(),
            },
            _ => return ptr::null_mut(),
        };
        wasm_ref_t::in_store(self.cell, kind)
    }

    /// The engine value of a C value where type `ty` is expected.
    ///
    /// # Safety
    /// `v` is a valid value.
    pub(crate) unsafe fn val_from_c(&mut self, v: &wasm_val_t, ty: ValType) -> Result<Val, String> {
        let val = match (v.kind, ty) {
            // SAFETY: `kind` says `i32` is the member set.
            (WASM_I32, ValType::I32) => Val::I32(unsafe { v.of.i32 }),
            // SAFETY: `kind` says `i64` is the member set.
            (WASM_I64, ValType::I64) => Val::I64(unsafe { v.of.i64 }),
            // SAFETY: `kind` says `f32` is the member set.
            (WASM_F32, ValType::F32) => Val::F32(unsafe { v.of.f32 }.to_bits()),
            // SAFETY: `kind` says `f64` is the member set.
            (WASM_F64, ValType::F64) => Val::F64(unsafe { v.of.f64 }.to_bits()),
            (WASM_EXTERNREF | WASM_FUNCREF, ValType::FuncRef | ValType::ExternRef) => {
                // SAFETY: `kind` says `ref_` is the member set; it is null or a valid reference.
                return unsafe { self.ref_to_val(v.of.ref_, ty) };
            }
            // SAFETY: `kind` says `ref_` is the member set.
            (crate::types::WASIPROC_EXNREF, ValType::ExnRef) if unsafe { v.of.ref_ }.is_null() => {
                Val::ExnRef(None)
            }
            // SAFETY: `kind` says `ref_` is the member set.
            (crate::types::WASIPROC_ANYREF, ValType::AnyRef) if unsafe { v.of.ref_ }.is_null() => {
                Val::NullAnyRef
            }
            (kind, ty) => {
                return Err(format!("value kind {kind} given where {ty} is expected"));
            }
        };
        Ok(val)
    }

    /// The C value of an engine value; a reference becomes a new own handle.
    pub(crate) fn val_to_c(&mut self, v: Val) -> wasm_val_t {
        let of = match v {
            Val::I32(x) => wasm_val_union { i32: x },
            Val::I64(x) => wasm_val_union { i64: x },
            Val::F32(bits) => wasm_val_union {
                f32: f32::from_bits(bits),
            },
            Val::F64(bits) => wasm_val_union {
                f64: f64::from_bits(bits),
            },
            Val::FuncRef(_) | Val::ExternRef(_) => wasm_val_union {
                ref_: self.val_to_ref(v),
            },
            // wasm.h cannot carry it (see `types::WASIPROC_V128`).
            Val::V128(_) => wasm_val_union { i64: 0 },
            // No wasm.h reference stands for an exception: null.
            Val::ExnRef(_) | Val::NullAnyRef => wasm_val_union {
                ref_: ptr::null_mut(),
            },
        };
        wasm_val_t {
            kind: kind_of(v.ty()),
            of,
        }
    }
}

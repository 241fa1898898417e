//! Type representations: `wasm_valtype_t` and the extern types (`wasm_functype_t`,
//! `wasm_globaltype_t`, `wasm_tabletype_t`, `wasm_memorytype_t`, all one
//! `wasm_externtype_t` underneath so the `as_externtype` conversions are free),
//! plus import and export types.

use crate::vec::{wasm_name_t, wasm_valtype_vec_t};
use crate::{drop_c, guard, into_c};
use std::ptr;
use wasiproc_engine::{
    ExternType, FuncType, GlobalType, MemoryType, Mutability, TableType, ValType,
};

/// `WASM_I32` .. `WASM_F64`, `WASM_EXTERNREF` = 128, `WASM_FUNCREF` = 129.
pub type wasm_valkind_t = u8;
/// `WASM_CONST` = 0, `WASM_VAR` = 1.
pub type wasm_mutability_t = u8;
/// `WASM_EXTERN_FUNC` = 0, `_GLOBAL` = 1, `_TABLE` = 2, `_MEMORY` = 3.
pub type wasm_externkind_t = u8;

pub(crate) const WASM_I32: u8 = 0;
pub(crate) const WASM_I64: u8 = 1;
pub(crate) const WASM_F32: u8 = 2;
pub(crate) const WASM_F64: u8 = 3;
pub(crate) const WASM_EXTERNREF: u8 = 128;
pub(crate) const WASM_FUNCREF: u8 = 129;
/// `exnref` (exception handling), which wasm.h has no kind for: the
/// wasiproc.h extension `WASIPROC_EXNREF`. Such values cross the C API as
/// null references.
pub(crate) const WASIPROC_EXNREF: u8 = 130;
/// A reference of the GC `any` hierarchy (always null here: the GC
/// instructions are not supported): the wasiproc.h extension
/// `WASIPROC_ANYREF`.
pub(crate) const WASIPROC_ANYREF: u8 = 131;

/// The kind reported for a `v128` (SIMD): not a kind of wasm.h, which has
/// none for vectors. A call whose type has a `v128` fails with a trap that
/// says so ([`V128_ERROR`]); a `v128` global reads as this kind with zero
/// bits.
pub(crate) const WASIPROC_V128: u8 = 4;

/// The error of calls that would pass a `v128` through the C API.
pub(crate) const V128_ERROR: &str =
    "a v128 (SIMD) value cannot cross the C API: wasm.h has no v128 kind";

/// True when a function type has a `v128` parameter or result.
pub(crate) fn has_v128(ty: &wasiproc_engine::FuncType) -> bool {
    ty.params()
        .iter()
        .chain(ty.results())
        .any(|t| *t == ValType::V128)
}

pub(crate) const WASM_EXTERN_FUNC: u8 = 0;
pub(crate) const WASM_EXTERN_GLOBAL: u8 = 1;
pub(crate) const WASM_EXTERN_TABLE: u8 = 2;
pub(crate) const WASM_EXTERN_MEMORY: u8 = 3;

/// `max` of a limit without maximum.
const LIMITS_MAX_DEFAULT: u32 = u32::MAX;

/// The C kind of an engine value type.
pub(crate) fn kind_of(ty: ValType) -> wasm_valkind_t {
    match ty {
        ValType::I32 => WASM_I32,
        ValType::I64 => WASM_I64,
        ValType::F32 => WASM_F32,
        ValType::F64 => WASM_F64,
        ValType::ExternRef => WASM_EXTERNREF,
        ValType::FuncRef => WASM_FUNCREF,
        ValType::V128 => WASIPROC_V128,
        ValType::ExnRef => WASIPROC_EXNREF,
        ValType::AnyRef => WASIPROC_ANYREF,
    }
}

/// The engine value type of a C kind, if the kind exists.
pub(crate) fn valtype_of(kind: wasm_valkind_t) -> Option<ValType> {
    Some(match kind {
        WASM_I32 => ValType::I32,
        WASM_I64 => ValType::I64,
        WASM_F32 => ValType::F32,
        WASM_F64 => ValType::F64,
        WASM_EXTERNREF => ValType::ExternRef,
        WASM_FUNCREF => ValType::FuncRef,
        _ => return None,
    })
}

/// `wasm_limits_t`: `{ uint32_t min; uint32_t max; }`, `max` = 0xffffffff for none.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct wasm_limits_t {
    /// Minimum.
    pub min: u32,
    /// Maximum, or `wasm_limits_max_default`.
    pub max: u32,
}

impl wasm_limits_t {
    fn new(min: u32, max: Option<u32>) -> Self {
        wasm_limits_t {
            min,
            max: max.unwrap_or(LIMITS_MAX_DEFAULT),
        }
    }
    fn max(&self) -> Option<u32> {
        (self.max != LIMITS_MAX_DEFAULT).then_some(self.max)
    }
}

/// A value type.
#[derive(Clone, Copy, Debug)]
pub struct wasm_valtype_t {
    pub(crate) ty: ValType,
}

/// The type of an import or export; functype, globaltype, tabletype and
/// memorytype are this same object, viewed through their own names.
pub struct wasm_externtype_t {
    pub(crate) which: CExternType,
}
/// A function type (a [`wasm_externtype_t`] of kind func).
pub type wasm_functype_t = wasm_externtype_t;
/// A global type (a [`wasm_externtype_t`] of kind global).
pub type wasm_globaltype_t = wasm_externtype_t;
/// A table type (a [`wasm_externtype_t`] of kind table).
pub type wasm_tabletype_t = wasm_externtype_t;
/// A memory type (a [`wasm_externtype_t`] of kind memory).
pub type wasm_memorytype_t = wasm_externtype_t;

/// What an extern type describes, in the C layout the accessors hand out.
pub(crate) enum CExternType {
    Func {
        params: wasm_valtype_vec_t,
        results: wasm_valtype_vec_t,
    },
    Global {
        content: wasm_valtype_t,
        mutability: wasm_mutability_t,
    },
    Table {
        element: wasm_valtype_t,
        limits: wasm_limits_t,
    },
    Memory {
        limits: wasm_limits_t,
    },
}

fn valtype_vec(tys: &[ValType]) -> wasm_valtype_vec_t {
    wasm_valtype_vec_t::from_vec(
        tys.iter()
            .map(|&ty| into_c(wasm_valtype_t { ty }))
            .collect(),
    )
}

/// The engine types in an owned valtype vector.
///
/// # Safety
/// `v` is a valid vector whose elements are null or valtypes.
unsafe fn engine_types(v: &wasm_valtype_vec_t) -> Option<Vec<ValType>> {
    // SAFETY: elements are null or valid valtypes by the contract.
    unsafe { v.as_slice() }
        .iter()
        .map(|p| unsafe { p.as_ref() }.map(|t| t.ty))
        .collect()
}

impl Drop for CExternType {
    fn drop(&mut self) {
        if let CExternType::Func { params, results } = self {
            for v in [params, results] {
                // SAFETY: both vectors were built by `valtype_vec` and own their elements.
                for e in unsafe { v.take() } {
                    // SAFETY: both vectors own their valtypes (made by `valtype_vec` or taken over in `wasm_functype_new`).
                    unsafe { drop_c(e) };
                }
            }
        }
    }
}

impl wasm_externtype_t {
    /// The C form of an engine extern type.
    pub(crate) fn from_engine(ty: &ExternType) -> Self {
        let which = match ty {
            ExternType::Func(f) => CExternType::Func {
                params: valtype_vec(f.params()),
                results: valtype_vec(f.results()),
            },
            ExternType::Global(g) => CExternType::Global {
                content: wasm_valtype_t { ty: g.content },
                mutability: match g.mutability {
                    Mutability::Const => 0,
                    Mutability::Var => 1,
                },
            },
            ExternType::Table(t) => CExternType::Table {
                element: wasm_valtype_t { ty: t.element },
                limits: wasm_limits_t::new(t.minimum, t.maximum),
            },
            ExternType::Memory(m) => CExternType::Memory {
                limits: wasm_limits_t::new(m.minimum, m.maximum),
            },
            // wasm.h has no tag kind; the lists tags could appear in leave
            // them out (`wasm_module_imports`/`exports`). Described, should
            // one get here, as the function type of its payload.
            ExternType::Tag(t) => CExternType::Func {
                params: valtype_vec(t.params()),
                results: valtype_vec(&[]),
            },
        };
        wasm_externtype_t { which }
    }

    /// The engine form of this type, or `None` if a C-built vector holds a null.
    pub(crate) fn to_engine(&self) -> Option<ExternType> {
        Some(match &self.which {
            CExternType::Func { params, results } => {
                // SAFETY: the vectors were built by this library and own valid valtypes.
                let (p, r) = unsafe { (engine_types(params)?, engine_types(results)?) };
                ExternType::Func(FuncType::new(p, r))
            }
            CExternType::Global {
                content,
                mutability,
            } => ExternType::Global(GlobalType {
                content: content.ty,
                mutability: if *mutability == 1 {
                    Mutability::Var
                } else {
                    Mutability::Const
                },
            }),
            CExternType::Table { element, limits } => ExternType::Table(TableType {
                element: element.ty,
                minimum: limits.min,
                maximum: limits.max(),
            }),
            CExternType::Memory { limits } => {
                ExternType::Memory(MemoryType::new(limits.min, limits.max()))
            }
        })
    }

    pub(crate) fn kind(&self) -> wasm_externkind_t {
        match self.which {
            CExternType::Func { .. } => WASM_EXTERN_FUNC,
            CExternType::Global { .. } => WASM_EXTERN_GLOBAL,
            CExternType::Table { .. } => WASM_EXTERN_TABLE,
            CExternType::Memory { .. } => WASM_EXTERN_MEMORY,
        }
    }

    pub(crate) fn func_type(&self) -> Option<FuncType> {
        match self.to_engine()? {
            ExternType::Func(f) => Some(f),
            _ => None,
        }
    }
    pub(crate) fn global_type(&self) -> Option<GlobalType> {
        match self.to_engine()? {
            ExternType::Global(g) => Some(g),
            _ => None,
        }
    }
    pub(crate) fn table_type(&self) -> Option<TableType> {
        match self.to_engine()? {
            ExternType::Table(t) => Some(t),
            _ => None,
        }
    }
    pub(crate) fn memory_type(&self) -> Option<MemoryType> {
        match self.to_engine()? {
            ExternType::Memory(m) => Some(m),
            _ => None,
        }
    }

    fn deep_copy(&self) -> Self {
        let which = match &self.which {
            CExternType::Func { params, results } => {
                // SAFETY: own vectors of valid (or null) valtypes.
                let copy = |v: &wasm_valtype_vec_t| {
                    wasm_valtype_vec_t::from_vec(
                        // SAFETY: an own vector whose elements are null or valtypes.
                        unsafe { v.as_slice() }
                            .iter()
                            // SAFETY: each element is null or a valid valtype.
                            .map(|p| match unsafe { p.as_ref() } {
                                Some(t) => into_c(*t),
                                None => ptr::null_mut(),
                            })
                            .collect(),
                    )
                };
                CExternType::Func {
                    params: copy(params),
                    results: copy(results),
                }
            }
            CExternType::Global {
                content,
                mutability,
            } => CExternType::Global {
                content: *content,
                mutability: *mutability,
            },
            CExternType::Table { element, limits } => CExternType::Table {
                element: *element,
                limits: *limits,
            },
            CExternType::Memory { limits } => CExternType::Memory { limits: *limits },
        };
        wasm_externtype_t { which }
    }
}

// ---- value types ----

/// Creates a value type; null for an unknown kind.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_valtype_new(kind: wasm_valkind_t) -> *mut wasm_valtype_t {
    guard(ptr::null_mut, || match valtype_of(kind) {
        Some(ty) => into_c(wasm_valtype_t { ty }),
        None => ptr::null_mut(),
    })
}

/// Deletes a value type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_valtype_delete(t: *mut wasm_valtype_t) {
    // SAFETY: `t` is null or an own valtype.
    guard(|| (), || unsafe { drop_c(t) })
}

/// Copies a value type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_valtype_copy(t: *const wasm_valtype_t) -> *mut wasm_valtype_t {
    // SAFETY: `t` is null or a valid valtype.
    guard(ptr::null_mut, || match unsafe { t.as_ref() } {
        Some(t) => into_c(*t),
        None => ptr::null_mut(),
    })
}

/// The kind of a value type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_valtype_kind(t: *const wasm_valtype_t) -> wasm_valkind_t {
    // SAFETY: `t` is null or a valid valtype.
    guard(|| 0, || unsafe { t.as_ref() }.map_or(0, |t| kind_of(t.ty)))
}

// ---- extern types (and the four kinds) ----

/// Borrows an extern type, if `p` is non-null and of `kind` (any kind for `None`).
///
/// # Safety
/// `p` is null or a valid extern type that outlives the borrow.
pub(crate) unsafe fn ext_ref<'a>(
    p: *const wasm_externtype_t,
    kind: Option<wasm_externkind_t>,
) -> Option<&'a wasm_externtype_t> {
    // SAFETY: by the contract.
    let t = unsafe { p.as_ref() }?;
    match kind {
        Some(k) if t.kind() != k => None,
        _ => Some(t),
    }
}

/// Deletes an extern type (of any kind).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_externtype_delete(t: *mut wasm_externtype_t) {
    // SAFETY: `t` is null or an own extern type.
    guard(|| (), || unsafe { drop_c(t) })
}

/// Copies an extern type (of any kind).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_externtype_copy(
    t: *const wasm_externtype_t,
) -> *mut wasm_externtype_t {
    // SAFETY: `t` is null or a valid extern type.
    guard(ptr::null_mut, || match unsafe { ext_ref(t, None) } {
        Some(t) => into_c(t.deep_copy()),
        None => ptr::null_mut(),
    })
}

/// The kind of an extern type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_externtype_kind(t: *const wasm_externtype_t) -> wasm_externkind_t {
    // SAFETY: `t` is null or a valid extern type.
    guard(|| 0, || unsafe { ext_ref(t, None) }.map_or(0, |t| t.kind()))
}

macro_rules! kind_family {
    ($kind:expr, $delete:ident, $copy:ident, $as_ext:ident, $as_ext_const:ident,
     $from_ext:ident, $from_ext_const:ident) => {
        /// Deletes a type of this kind.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $delete(t: *mut wasm_externtype_t) {
            // SAFETY: same contract as `wasm_externtype_delete`.
            unsafe { wasm_externtype_delete(t) }
        }
        /// Copies a type of this kind.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $copy(t: *const wasm_externtype_t) -> *mut wasm_externtype_t {
            // SAFETY: `t` is null or a valid extern type.
            match unsafe { ext_ref(t, Some($kind)) } {
                // SAFETY: `t` was checked to be a valid extern type of this kind.
                Some(_) => unsafe { wasm_externtype_copy(t) },
                None => ptr::null_mut(),
            }
        }
        /// Views this type as an extern type (same object).
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $as_ext(t: *mut wasm_externtype_t) -> *mut wasm_externtype_t {
            t
        }
        /// Views this type as an extern type (same object).
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $as_ext_const(
            t: *const wasm_externtype_t,
        ) -> *const wasm_externtype_t {
            t
        }
        /// The extern type as this kind, or null if it is another kind.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $from_ext(t: *mut wasm_externtype_t) -> *mut wasm_externtype_t {
            // SAFETY: `t` is null or a valid extern type.
            guard(ptr::null_mut, || match unsafe { ext_ref(t, Some($kind)) } {
                Some(_) => t,
                None => ptr::null_mut(),
            })
        }
        /// The extern type as this kind, or null if it is another kind.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $from_ext_const(
            t: *const wasm_externtype_t,
        ) -> *const wasm_externtype_t {
            // SAFETY: `t` is null or a valid extern type.
            guard(ptr::null, || match unsafe { ext_ref(t, Some($kind)) } {
                Some(_) => t,
                None => ptr::null(),
            })
        }
    };
}

kind_family!(
    WASM_EXTERN_FUNC,
    wasm_functype_delete,
    wasm_functype_copy,
    wasm_functype_as_externtype,
    wasm_functype_as_externtype_const,
    wasm_externtype_as_functype,
    wasm_externtype_as_functype_const
);
kind_family!(
    WASM_EXTERN_GLOBAL,
    wasm_globaltype_delete,
    wasm_globaltype_copy,
    wasm_globaltype_as_externtype,
    wasm_globaltype_as_externtype_const,
    wasm_externtype_as_globaltype,
    wasm_externtype_as_globaltype_const
);
kind_family!(
    WASM_EXTERN_TABLE,
    wasm_tabletype_delete,
    wasm_tabletype_copy,
    wasm_tabletype_as_externtype,
    wasm_tabletype_as_externtype_const,
    wasm_externtype_as_tabletype,
    wasm_externtype_as_tabletype_const
);
kind_family!(
    WASM_EXTERN_MEMORY,
    wasm_memorytype_delete,
    wasm_memorytype_copy,
    wasm_memorytype_as_externtype,
    wasm_memorytype_as_externtype_const,
    wasm_externtype_as_memorytype,
    wasm_externtype_as_memorytype_const
);

/// Creates a function type, taking ownership of both vectors (they are left empty).
/// Null if a vector holds a null valtype.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_functype_new(
    params: *mut wasm_valtype_vec_t,
    results: *mut wasm_valtype_vec_t,
) -> *mut wasm_functype_t {
    guard(ptr::null_mut, || {
        // SAFETY: each is null or an own vector made by this library; we take it over.
        let take = |v: *mut wasm_valtype_vec_t| match unsafe { v.as_mut() } {
            // SAFETY: each vector is null or an own vector made by this library; we take it over.
            Some(v) => unsafe { v.take() },
            None => Vec::new(),
        };
        let (p, r) = (take(params), take(results));
        if p.iter().chain(&r).any(|e| e.is_null()) {
            for e in p.into_iter().chain(r) {
                // SAFETY: owned valtypes (or null).
                unsafe { drop_c(e) };
            }
            return ptr::null_mut();
        }
        into_c(wasm_externtype_t {
            which: CExternType::Func {
                params: wasm_valtype_vec_t::from_vec(p),
                results: wasm_valtype_vec_t::from_vec(r),
            },
        })
    })
}

/// The parameter types (borrowed from the function type).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_functype_params(
    t: *const wasm_functype_t,
) -> *const wasm_valtype_vec_t {
    // SAFETY: `t` is null or a valid extern type.
    guard(ptr::null, || {
        // SAFETY: `t` is null or a valid extern type.
        match unsafe { ext_ref(t, Some(WASM_EXTERN_FUNC)) } {
            Some(wasm_externtype_t {
                which: CExternType::Func { params, .. },
            }) => params as *const _,
            _ => ptr::null(),
        }
    })
}

/// The result types (borrowed from the function type).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_functype_results(
    t: *const wasm_functype_t,
) -> *const wasm_valtype_vec_t {
    // SAFETY: `t` is null or a valid extern type.
    guard(ptr::null, || {
        // SAFETY: `t` is null or a valid extern type.
        match unsafe { ext_ref(t, Some(WASM_EXTERN_FUNC)) } {
            Some(wasm_externtype_t {
                which: CExternType::Func { results, .. },
            }) => results as *const _,
            _ => ptr::null(),
        }
    })
}

/// Creates a global type, taking ownership of `content`. Null for a bad mutability.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_globaltype_new(
    content: *mut wasm_valtype_t,
    mutability: wasm_mutability_t,
) -> *mut wasm_globaltype_t {
    guard(ptr::null_mut, || {
        if content.is_null() {
            return ptr::null_mut();
        }
        // SAFETY: `content` is an own valtype; we take it.
        let content = *unsafe { Box::from_raw(content) };
        if mutability > 1 {
            return ptr::null_mut();
        }
        into_c(wasm_externtype_t {
            which: CExternType::Global {
                content,
                mutability,
            },
        })
    })
}

/// The content type of a global type (borrowed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_globaltype_content(
    t: *const wasm_globaltype_t,
) -> *const wasm_valtype_t {
    // SAFETY: `t` is null or a valid extern type.
    guard(ptr::null, || {
        // SAFETY: `t` is null or a valid extern type.
        match unsafe { ext_ref(t, Some(WASM_EXTERN_GLOBAL)) } {
            Some(wasm_externtype_t {
                which: CExternType::Global { content, .. },
            }) => content as *const _,
            _ => ptr::null(),
        }
    })
}

/// The mutability of a global type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_globaltype_mutability(
    t: *const wasm_globaltype_t,
) -> wasm_mutability_t {
    // SAFETY: `t` is null or a valid extern type.
    guard(
        || 0,
        || match unsafe { ext_ref(t, Some(WASM_EXTERN_GLOBAL)) } {
            Some(wasm_externtype_t {
                which: CExternType::Global { mutability, .. },
            }) => *mutability,
            _ => 0,
        },
    )
}

/// Creates a table type, taking ownership of `element` (which must be a reference type).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_tabletype_new(
    element: *mut wasm_valtype_t,
    limits: *const wasm_limits_t,
) -> *mut wasm_tabletype_t {
    guard(ptr::null_mut, || {
        if element.is_null() {
            return ptr::null_mut();
        }
        // SAFETY: `element` is an own valtype; we take it.
        let element = *unsafe { Box::from_raw(element) };
        // SAFETY: `limits` is null or valid.
        let Some(limits) = (unsafe { limits.as_ref() }) else {
            return ptr::null_mut();
        };
        if !element.ty.is_ref() {
            return ptr::null_mut();
        }
        into_c(wasm_externtype_t {
            which: CExternType::Table {
                element,
                limits: *limits,
            },
        })
    })
}

/// The element type of a table type (borrowed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_tabletype_element(
    t: *const wasm_tabletype_t,
) -> *const wasm_valtype_t {
    // SAFETY: `t` is null or a valid extern type.
    guard(ptr::null, || {
        // SAFETY: `t` is null or a valid extern type.
        match unsafe { ext_ref(t, Some(WASM_EXTERN_TABLE)) } {
            Some(wasm_externtype_t {
                which: CExternType::Table { element, .. },
            }) => element as *const _,
            _ => ptr::null(),
        }
    })
}

/// The limits of a table type (borrowed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_tabletype_limits(t: *const wasm_tabletype_t) -> *const wasm_limits_t {
    // SAFETY: `t` is null or a valid extern type.
    guard(ptr::null, || {
        // SAFETY: `t` is null or a valid extern type.
        match unsafe { ext_ref(t, Some(WASM_EXTERN_TABLE)) } {
            Some(wasm_externtype_t {
                which: CExternType::Table { limits, .. },
            }) => limits as *const _,
            _ => ptr::null(),
        }
    })
}

/// Creates a memory type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_memorytype_new(
    limits: *const wasm_limits_t,
) -> *mut wasm_memorytype_t {
    // SAFETY: `limits` is null or valid.
    guard(ptr::null_mut, || match unsafe { limits.as_ref() } {
        Some(l) => into_c(wasm_externtype_t {
            which: CExternType::Memory { limits: *l },
        }),
        None => ptr::null_mut(),
    })
}

/// The limits of a memory type (borrowed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_memorytype_limits(
    t: *const wasm_memorytype_t,
) -> *const wasm_limits_t {
    // SAFETY: `t` is null or a valid extern type.
    guard(ptr::null, || {
        // SAFETY: `t` is null or a valid extern type.
        match unsafe { ext_ref(t, Some(WASM_EXTERN_MEMORY)) } {
            Some(wasm_externtype_t {
                which: CExternType::Memory { limits },
            }) => limits as *const _,
            _ => ptr::null(),
        }
    })
}

// ---- import and export types ----

/// An import's module name, field name and type.
pub struct wasm_importtype_t {
    module: wasm_name_t,
    name: wasm_name_t,
    ty: Box<wasm_externtype_t>,
}

/// An export's name and type.
pub struct wasm_exporttype_t {
    name: wasm_name_t,
    ty: Box<wasm_externtype_t>,
}

impl Drop for wasm_importtype_t {
    fn drop(&mut self) {
        // SAFETY: both names are own byte vectors made by this library.
        unsafe {
            drop(self.module.take());
            drop(self.name.take());
        }
    }
}

impl Drop for wasm_exporttype_t {
    fn drop(&mut self) {
        // SAFETY: the name is an own byte vector made by this library.
        drop(unsafe { self.name.take() });
    }
}

impl wasm_importtype_t {
    pub(crate) fn from_engine(imp: &wasiproc_engine::ImportType) -> Self {
        wasm_importtype_t {
            module: wasm_name_t::from_bytes(imp.module.as_bytes()),
            name: wasm_name_t::from_bytes(imp.name.as_bytes()),
            ty: Box::new(wasm_externtype_t::from_engine(&imp.ty)),
        }
    }
}

impl wasm_exporttype_t {
    pub(crate) fn from_engine(exp: &wasiproc_engine::ExportType) -> Self {
        wasm_exporttype_t {
            name: wasm_name_t::from_bytes(exp.name.as_bytes()),
            ty: Box::new(wasm_externtype_t::from_engine(&exp.ty)),
        }
    }
}

/// Takes an own name out of `p` (left empty).
///
/// # Safety
/// `p` is null or an own byte vector made by this library.
unsafe fn take_name(p: *mut wasm_name_t) -> wasm_name_t {
    // SAFETY: by the contract.
    match unsafe { p.as_mut() } {
        // SAFETY: an own byte vector made by this library; we take its buffer.
        Some(n) => wasm_name_t::from_vec(unsafe { n.take() }),
        None => wasm_name_t::empty(),
    }
}

/// Creates an import type, taking ownership of both names and the type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_importtype_new(
    module: *mut wasm_name_t,
    name: *mut wasm_name_t,
    ty: *mut wasm_externtype_t,
) -> *mut wasm_importtype_t {
    guard(ptr::null_mut, || {
        // SAFETY: own names; `ty` is null or an own extern type.
        let (module, name) = unsafe { (take_name(module), take_name(name)) };
        if ty.is_null() {
            let (mut module, mut name) = (module, name);
            // SAFETY: both are own byte vectors built just above.
            unsafe {
                drop(module.take());
                drop(name.take());
            }
            return ptr::null_mut();
        }
        into_c(wasm_importtype_t {
            module,
            name,
            // SAFETY: `ty` is a non-null own extern type; we take it.
            ty: unsafe { Box::from_raw(ty) },
        })
    })
}

/// Deletes an import type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_importtype_delete(t: *mut wasm_importtype_t) {
    // SAFETY: `t` is null or an own import type.
    guard(|| (), || unsafe { drop_c(t) })
}

/// Copies an import type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_importtype_copy(
    t: *const wasm_importtype_t,
) -> *mut wasm_importtype_t {
    // SAFETY: `t` is null or a valid import type.
    guard(ptr::null_mut, || match unsafe { t.as_ref() } {
        Some(t) => into_c(wasm_importtype_t {
            // SAFETY: the names of a valid import type are own byte vectors.
            module: wasm_name_t::from_bytes(unsafe { t.module.as_slice() }),
            // SAFETY: the names of a valid import type are own byte vectors.
            name: wasm_name_t::from_bytes(unsafe { t.name.as_slice() }),
            ty: Box::new(t.ty.deep_copy()),
        }),
        None => ptr::null_mut(),
    })
}

/// The import's module name (borrowed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_importtype_module(t: *const wasm_importtype_t) -> *const wasm_name_t {
    // SAFETY: `t` is null or a valid import type.
    guard(ptr::null, || {
        // SAFETY: `t` is null or a valid import type.
        unsafe { t.as_ref() }.map_or(ptr::null(), |t| &t.module as *const _)
    })
}

/// The import's field name (borrowed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_importtype_name(t: *const wasm_importtype_t) -> *const wasm_name_t {
    // SAFETY: `t` is null or a valid import type.
    guard(ptr::null, || {
        // SAFETY: `t` is null or a valid import type.
        unsafe { t.as_ref() }.map_or(ptr::null(), |t| &t.name as *const _)
    })
}

/// The import's type (borrowed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_importtype_type(
    t: *const wasm_importtype_t,
) -> *const wasm_externtype_t {
    // SAFETY: `t` is null or a valid import type.
    guard(ptr::null, || {
        // SAFETY: `t` is null or a valid import type.
        unsafe { t.as_ref() }.map_or(ptr::null(), |t| &*t.ty as *const _)
    })
}

/// Creates an export type, taking ownership of the name and the type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_exporttype_new(
    name: *mut wasm_name_t,
    ty: *mut wasm_externtype_t,
) -> *mut wasm_exporttype_t {
    guard(ptr::null_mut, || {
        // SAFETY: own name; `ty` is null or an own extern type.
        let name = unsafe { take_name(name) };
        if ty.is_null() {
            let mut name = name;
            // SAFETY: an own byte vector built just above.
            drop(unsafe { name.take() });
            return ptr::null_mut();
        }
        into_c(wasm_exporttype_t {
            name,
            // SAFETY: `ty` is a non-null own extern type; we take it.
            ty: unsafe { Box::from_raw(ty) },
        })
    })
}

/// Deletes an export type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_exporttype_delete(t: *mut wasm_exporttype_t) {
    // SAFETY: `t` is null or an own export type.
    guard(|| (), || unsafe { drop_c(t) })
}

/// Copies an export type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_exporttype_copy(
    t: *const wasm_exporttype_t,
) -> *mut wasm_exporttype_t {
    // SAFETY: `t` is null or a valid export type.
    guard(ptr::null_mut, || match unsafe { t.as_ref() } {
        Some(t) => into_c(wasm_exporttype_t {
            // SAFETY: the name of a valid export type is an own byte vector.
            name: wasm_name_t::from_bytes(unsafe { t.name.as_slice() }),
            ty: Box::new(t.ty.deep_copy()),
        }),
        None => ptr::null_mut(),
    })
}

/// The export's name (borrowed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_exporttype_name(t: *const wasm_exporttype_t) -> *const wasm_name_t {
    // SAFETY: `t` is null or a valid export type.
    guard(ptr::null, || {
        // SAFETY: `t` is null or a valid export type.
        unsafe { t.as_ref() }.map_or(ptr::null(), |t| &t.name as *const _)
    })
}

/// The export's type (borrowed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_exporttype_type(
    t: *const wasm_exporttype_t,
) -> *const wasm_externtype_t {
    // SAFETY: `t` is null or a valid export type.
    guard(ptr::null, || {
        // SAFETY: `t` is null or a valid export type.
        unsafe { t.as_ref() }.map_or(ptr::null(), |t| &*t.ty as *const _)
    })
}

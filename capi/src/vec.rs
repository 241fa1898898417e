//! Vectors: `wasm_X_vec_t` = `{ size_t size; X* data; }` for every type family.
//!
//! Ownership follows the header: an `own` vector owns its buffer and its
//! elements; `wasm_X_vec_new` moves the given elements in, `_copy` copies
//! them deeply, `_delete` deletes every element and the buffer. Buffers are
//! allocated here with `try_reserve_exact`: a request too large for memory
//! yields an empty vector instead of aborting. An empty vector has a null
//! `data` pointer.

use crate::guard;
use crate::reference::{wasm_extern_copy, wasm_extern_delete, wasm_extern_t};
use crate::trap::{wasm_frame_copy, wasm_frame_delete, wasm_frame_t};
use crate::types::{
    wasm_exporttype_copy, wasm_exporttype_delete, wasm_exporttype_t, wasm_externtype_copy,
    wasm_externtype_delete, wasm_externtype_t, wasm_functype_t, wasm_globaltype_t,
    wasm_importtype_copy, wasm_importtype_delete, wasm_importtype_t, wasm_memorytype_t,
    wasm_tabletype_t, wasm_valtype_copy, wasm_valtype_delete, wasm_valtype_t,
};
use crate::val::{val_copy, val_delete, wasm_val_t};
use std::ptr;

/// A `Vec` with room for exactly `n` elements, or `None` when memory is short.
pub(crate) fn try_vec<T>(n: usize) -> Option<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).ok()?;
    Some(v)
}

macro_rules! declare_vec {
    (
        $(#[$doc:meta])*
        $vec:ident, $elem:ty,
        $new_empty:ident, $new_uninit:ident, $new:ident, $copy:ident, $delete:ident,
        blank: $blank:expr, copy: $copy_elem:expr, drop: $drop_elem:expr
    ) => {
        $(#[$doc])*
        #[repr(C)]
        pub struct $vec {
            /// Number of elements.
            pub size: usize,
            /// The elements; null when `size` is 0.
            pub data: *mut $elem,
        }

        #[allow(dead_code)]
        impl $vec {
            /// An empty vector.
            pub(crate) fn empty() -> Self {
                $vec { size: 0, data: ptr::null_mut() }
            }

            /// A vector owning the elements of `v` (its buffer is reallocated to fit exactly).
            pub(crate) fn from_vec(v: Vec<$elem>) -> Self {
                if v.is_empty() {
                    return Self::empty();
                }
                let b = v.into_boxed_slice();
                let size = b.len();
                $vec { size, data: Box::into_raw(b) as *mut $elem }
            }

            /// The elements as a slice.
            ///
            /// # Safety
            /// `data` points to `size` initialised elements, or is null.
            pub(crate) unsafe fn as_slice(&self) -> &[$elem] {
                if self.data.is_null() || self.size == 0 {
                    &[]
                } else {
                    // SAFETY: by the contract, `data` holds `size` elements.
                    unsafe { std::slice::from_raw_parts(self.data, self.size) }
                }
            }

            /// Takes the buffer and its elements out, leaving the vector empty.
            ///
            /// # Safety
            /// The buffer was allocated by this module (an `own` vector).
            pub(crate) unsafe fn take(&mut self) -> Vec<$elem> {
                let (size, data) = (self.size, self.data);
                *self = Self::empty();
                if data.is_null() || size == 0 {
                    return Vec::new();
                }
                // SAFETY: own vectors are made by `from_vec`, a boxed slice of `size`.
                unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(data, size)) }.into_vec()
            }
        }

        /// Creates an empty vector.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $new_empty(out: *mut $vec) {
            guard(|| (), || {
                if !out.is_null() {
                    // SAFETY: `out` points to writable (possibly uninitialised) vector memory.
                    unsafe { out.write($vec::empty()) };
                }
            })
        }

        /// Creates a vector of `size` blank elements (zero / null).
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $new_uninit(out: *mut $vec, size: usize) {
            guard(|| (), || {
                if out.is_null() {
                    return;
                }
                let v = match try_vec::<$elem>(size) {
                    Some(mut v) => {
                        v.resize_with(size, || $blank);
                        $vec::from_vec(v)
                    }
                    None => $vec::empty(),
                };
                // SAFETY: `out` points to writable vector memory.
                unsafe { out.write(v) };
            })
        }

        /// Creates a vector that takes ownership of `size` elements from `elems`.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $new(out: *mut $vec, size: usize, elems: *const $elem) {
            guard(|| (), || {
                if out.is_null() {
                    return;
                }
                let src: &[$elem] = if elems.is_null() || size == 0 {
                    &[]
                } else {
                    // SAFETY: the caller passes an array of `size` elements.
                    unsafe { std::slice::from_raw_parts(elems, size) }
                };
                let v = match try_vec::<$elem>(src.len()) {
                    Some(mut v) => {
                        // SAFETY: ownership of each element moves into the vector (a bitwise
                        // move; the caller no longer owns them).
                        v.extend(src.iter().map(|e| unsafe { ptr::read(e) }));
                        $vec::from_vec(v)
                    }
                    None => $vec::empty(),
                };
                // SAFETY: `out` points to writable vector memory.
                unsafe { out.write(v) };
            })
        }

        /// Creates a deep copy of `src`.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $copy(out: *mut $vec, src: *const $vec) {
            guard(|| (), || {
                if out.is_null() {
                    return;
                }
                // SAFETY: `src` is null or a valid vector.
                let items: &[$elem] = match unsafe { src.as_ref() } {
                    // SAFETY: `src` is non-null here and a valid vector.
                    Some(s) => unsafe { s.as_slice() },
                    None => &[],
                };
                let v = match try_vec::<$elem>(items.len()) {
                    Some(mut v) => {
                        // Each element is a valid element of its family (the copy
                        // function's own SAFETY comment relies on that).
                        v.extend(items.iter().map($copy_elem));
                        $vec::from_vec(v)
                    }
                    None => $vec::empty(),
                };
                // SAFETY: `out` points to writable vector memory.
                unsafe { out.write(v) };
            })
        }

        /// Deletes the elements and the buffer; the vector becomes empty.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $delete(v: *mut $vec) {
            guard(|| (), || {
                // SAFETY: `v` is null or an own vector made by this library.
                if let Some(v) = unsafe { v.as_mut() } {
                    // SAFETY: `v` is an own vector made here; it owned each element, which
                    // goes to its delete function.
                    unsafe { v.take() }.into_iter().for_each($drop_elem);
                }
            })
        }
    };
}

/// Copies an element that is a plain value.
fn copy_plain<T: Copy>(e: &T) -> T {
    *e
}

/// Drops an element that owns nothing.
fn drop_plain<T>(_e: T) {}

declare_vec!(
    /// A vector of bytes; also `wasm_name_t` and `wasm_message_t`.
    wasm_byte_vec_t, u8,
    wasm_byte_vec_new_empty, wasm_byte_vec_new_uninitialized, wasm_byte_vec_new,
    wasm_byte_vec_copy, wasm_byte_vec_delete,
    blank: 0u8, copy: copy_plain, drop: drop_plain
);

/// `wasm_name_t`: a byte vector holding a name (UTF-8, not NUL-terminated).
pub type wasm_name_t = wasm_byte_vec_t;

impl wasm_byte_vec_t {
    /// A byte vector holding a copy of `bytes`; empty if memory is short.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Self {
        match try_vec(bytes.len()) {
            Some(mut v) => {
                v.extend_from_slice(bytes);
                Self::from_vec(v)
            }
            None => Self::empty(),
        }
    }
}

declare_vec!(
    /// A vector of values; reference values in it are owned.
    wasm_val_vec_t, wasm_val_t,
    wasm_val_vec_new_empty, wasm_val_vec_new_uninitialized, wasm_val_vec_new,
    wasm_val_vec_copy, wasm_val_vec_delete,
    blank: wasm_val_t::blank(),
    // SAFETY: the elements of a value vector are valid own values.
    copy: |e: &wasm_val_t| unsafe { val_copy(e) },
    // SAFETY: the elements of a value vector are valid own values.
    drop: |e: wasm_val_t| unsafe { val_delete(e) }
);

macro_rules! declare_ptr_vec {
    ($(#[$doc:meta])* $vec:ident, $elem:ty, $new_empty:ident, $new_uninit:ident, $new:ident,
     $copy:ident, $delete:ident, $copy_one:path, $delete_one:path) => {
        declare_vec!(
            $(#[$doc])*
            $vec, *mut $elem, $new_empty, $new_uninit, $new, $copy, $delete,
            blank: ptr::null_mut(),
            // SAFETY: the elements are null or own objects of the family.
            copy: |e: &*mut $elem| unsafe { $copy_one(*e) },
            // SAFETY: the elements are null or own objects of the family.
            drop: |e: *mut $elem| unsafe { $delete_one(e) }
        );
    };
}

declare_ptr_vec!(
    /// A vector of owned value types.
    wasm_valtype_vec_t, wasm_valtype_t, wasm_valtype_vec_new_empty,
    wasm_valtype_vec_new_uninitialized, wasm_valtype_vec_new, wasm_valtype_vec_copy,
    wasm_valtype_vec_delete, wasm_valtype_copy, wasm_valtype_delete
);
declare_ptr_vec!(
    /// A vector of owned function types.
    wasm_functype_vec_t, wasm_functype_t, wasm_functype_vec_new_empty,
    wasm_functype_vec_new_uninitialized, wasm_functype_vec_new, wasm_functype_vec_copy,
    wasm_functype_vec_delete, wasm_externtype_copy, wasm_externtype_delete
);
declare_ptr_vec!(
    /// A vector of owned global types.
    wasm_globaltype_vec_t, wasm_globaltype_t, wasm_globaltype_vec_new_empty,
    wasm_globaltype_vec_new_uninitialized, wasm_globaltype_vec_new, wasm_globaltype_vec_copy,
    wasm_globaltype_vec_delete, wasm_externtype_copy, wasm_externtype_delete
);
declare_ptr_vec!(
    /// A vector of owned table types.
    wasm_tabletype_vec_t, wasm_tabletype_t, wasm_tabletype_vec_new_empty,
    wasm_tabletype_vec_new_uninitialized, wasm_tabletype_vec_new, wasm_tabletype_vec_copy,
    wasm_tabletype_vec_delete, wasm_externtype_copy, wasm_externtype_delete
);
declare_ptr_vec!(
    /// A vector of owned memory types.
    wasm_memorytype_vec_t, wasm_memorytype_t, wasm_memorytype_vec_new_empty,
    wasm_memorytype_vec_new_uninitialized, wasm_memorytype_vec_new, wasm_memorytype_vec_copy,
    wasm_memorytype_vec_delete, wasm_externtype_copy, wasm_externtype_delete
);
declare_ptr_vec!(
    /// A vector of owned extern types.
    wasm_externtype_vec_t, wasm_externtype_t, wasm_externtype_vec_new_empty,
    wasm_externtype_vec_new_uninitialized, wasm_externtype_vec_new, wasm_externtype_vec_copy,
    wasm_externtype_vec_delete, wasm_externtype_copy, wasm_externtype_delete
);
declare_ptr_vec!(
    /// A vector of owned import types.
    wasm_importtype_vec_t, wasm_importtype_t, wasm_importtype_vec_new_empty,
    wasm_importtype_vec_new_uninitialized, wasm_importtype_vec_new, wasm_importtype_vec_copy,
    wasm_importtype_vec_delete, wasm_importtype_copy, wasm_importtype_delete
);
declare_ptr_vec!(
    /// A vector of owned export types.
    wasm_exporttype_vec_t, wasm_exporttype_t, wasm_exporttype_vec_new_empty,
    wasm_exporttype_vec_new_uninitialized, wasm_exporttype_vec_new, wasm_exporttype_vec_copy,
    wasm_exporttype_vec_delete, wasm_exporttype_copy, wasm_exporttype_delete
);
declare_ptr_vec!(
    /// A vector of owned frames.
    wasm_frame_vec_t, wasm_frame_t, wasm_frame_vec_new_empty, wasm_frame_vec_new_uninitialized,
    wasm_frame_vec_new, wasm_frame_vec_copy, wasm_frame_vec_delete, wasm_frame_copy,
    wasm_frame_delete
);
declare_ptr_vec!(
    /// A vector of owned externals.
    wasm_extern_vec_t, wasm_extern_t, wasm_extern_vec_new_empty,
    wasm_extern_vec_new_uninitialized, wasm_extern_vec_new, wasm_extern_vec_copy,
    wasm_extern_vec_delete, wasm_extern_copy, wasm_extern_delete
);

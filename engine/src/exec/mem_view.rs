//! A cached view of the current instance's default memory, so that a load
//! or store costs one bounds check against a value held by the interpreter
//! loop instead of a walk through the store's memory table.
//!
//! Soundness rests on the interpreter re-deriving the view (with
//! [`MemView::of`]) whenever the memory may have been reallocated or
//! borrowed through the store: on entry to an instance, after
//! `memory.grow`, and after every host call. Between those points only the
//! interpreter touches the memory, and only through the view.
//!
//! A view of a memory the guest has not accessed yet has length 0 (see
//! [`MemView::of`]): the pool can then take that memory back unlooked-at.

/// The effective address `addr + offset` of an access to a 32-bit memory,
/// or `usize::MAX` when the sum does not fit a `usize` (a 32-bit host, where
/// adding the two `u32`s could wrap to a small in-bounds address): every
/// `load`/`store` of the view then reports it out of bounds. On a 64-bit
/// host the sum always fits and this is a plain addition.
#[inline(always)]
pub(super) fn ea(addr: u32, offset: u32) -> usize {
    usize::try_from(addr as u64 + offset as u64).unwrap_or(usize::MAX)
}

/// The base pointer and byte length of a linear memory.
#[derive(Clone, Copy)]
pub(super) struct MemView {
    base: *mut u8,
    len: usize,
}

impl MemView {
    /// A view of `data`, or an empty view when the instance has no memory.
    /// A memory not opened yet gives a view of length 0 (its pages are
    /// still the zeroed block's): its first load or store steps out, and the
    /// interpreter loop opens it with [`MemView::opened`] before running
    /// that instruction. So a memory the guest never accesses is never
    /// marked touched, and goes back to the engine's pool without a look at
    /// its bytes (`store/linear.rs`).
    ///
    /// The view must not be used after `data` is reallocated, resized, or
    /// accessed other than through this view; the interpreter derives a
    /// fresh view at each of those points (module docs).
    #[inline(always)]
    pub(super) fn of(data: Option<&mut crate::store::LinearMemory>) -> Self {
        Self::from_parts(data.map(|d| d.view_parts()))
    }

    /// A view of all of `data`, which is marked touched (see [`MemView::of`]).
    #[cold]
    pub(super) fn opened(data: Option<&mut crate::store::LinearMemory>) -> Self {
        Self::from_parts(data.map(|d| d.open()))
    }

    /// A view of `len` bytes at `base`, or of no memory.
    #[inline(always)]
    fn from_parts(parts: Option<(*mut u8, usize)>) -> Self {
        match parts {
            Some((base, len)) => MemView { base, len },
            None => MemView {
                base: core::ptr::NonNull::dangling().as_ptr(),
                len: 0,
            },
        }
    }

    /// The bytes the view reaches: the memory's size once it is opened, 0
    /// before (see [`MemView::of`]).
    #[inline(always)]
    pub(super) fn len(self) -> usize {
        self.len
    }

    /// Reads `N` bytes at `ea`; `None` when out of bounds.
    #[inline(always)]
    pub(super) fn load<const N: usize>(self, ea: usize) -> Option<[u8; N]> {
        if ea.checked_add(N)? > self.len {
            return None;
        }
        // SAFETY: ea + N <= len and the view is current (module docs).
        Some(unsafe { core::ptr::read_unaligned(self.base.add(ea) as *const [u8; N]) })
    }

    /// Writes `bytes` at `ea`; `false` when out of bounds.
    #[inline(always)]
    pub(super) fn store<const N: usize>(self, ea: usize, bytes: [u8; N]) -> bool {
        match ea.checked_add(N) {
            Some(end) if end <= self.len => {
                // SAFETY: ea + N <= len and the view is current (module docs).
                unsafe { core::ptr::write_unaligned(self.base.add(ea) as *mut [u8; N], bytes) };
                true
            }
            _ => false,
        }
    }

    /// The whole memory as a slice (bulk operations), borrowed from the view.
    #[inline(always)]
    pub(super) fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: base..base+len is the memory's data and the view is
        // current; the slice cannot outlive this borrow of the view.
        unsafe { core::slice::from_raw_parts_mut(self.base, self.len) }
    }
}

//! The one place with `unsafe` in the interpreter: unchecked access to the
//! slots of the current frame.
//!
//! Soundness rests on two facts established elsewhere:
//! - the translator only names slots below the function's `frame_size`
//!   (locals are below `num_locals`, operand slots below
//!   `num_locals + max_height`, and `frame_size` covers both and the results);
//! - the interpreter creates a [`FramePtr`] only after making sure that
//!   `fp + frame_size <= slots.len()` for the function about to run, and
//!   recreates it whenever the slot vector may have moved (resize, host call).

use crate::isa::Slot;

/// A raw pointer to slot 0 of the current frame.
#[derive(Clone, Copy)]
pub(super) struct FramePtr {
    base: *mut u64,
    #[cfg(debug_assertions)]
    len: usize,
}

impl FramePtr {
    /// Points at `slots[fp]`.
    ///
    /// # Safety
    /// `fp + frame_size <= slots.len()` must hold for the function whose
    /// translated code will use the pointer, and `slots` must not be
    /// reallocated or otherwise borrowed while the pointer is in use.
    #[inline(always)]
    pub(super) unsafe fn new(slots: &mut [u64], fp: usize) -> Self {
        debug_assert!(fp <= slots.len());
        FramePtr {
            // SAFETY: fp <= len, so the offset stays within (or one past) the allocation.
            base: unsafe { slots.as_mut_ptr().add(fp) },
            #[cfg(debug_assertions)]
            len: slots.len() - fp,
        }
    }

    /// The frame pointer of a callee whose frame starts at slot `base` of
    /// this one.
    ///
    /// # Safety
    /// `base + frame_size` of the callee must be within the slot vector (the
    /// caller checked it against the vector's length), and the vector must
    /// not have moved since this pointer was made.
    #[inline(always)]
    pub(super) unsafe fn offset(self, base: Slot) -> Self {
        FramePtr {
            // SAFETY: inside the vector (the caller's contract).
            base: unsafe { self.base.add(base as usize) },
            #[cfg(debug_assertions)]
            len: self.len - base as usize,
        }
    }

    /// The frame pointer at slot index `fp` of the vector starting at `slots`
    /// (of length `len`).
    ///
    /// # Safety
    /// `fp` must be the frame pointer of a saved frame of the function that
    /// will use it (its frame fits below `len`), and `slots` the current
    /// start of the vector.
    #[inline(always)]
    pub(super) unsafe fn at_index(slots: *mut u64, len: usize, fp: usize) -> Self {
        let _ = len;
        FramePtr {
            // SAFETY: fp <= len (the caller's contract).
            base: unsafe { slots.add(fp) },
            #[cfg(debug_assertions)]
            len: len - fp,
        }
    }

    /// The index of this frame pointer in the vector starting at `slots`.
    #[inline(always)]
    pub(super) fn index(self, slots: *mut u64) -> usize {
        // SAFETY: both point into the same vector.
        unsafe { self.base.offset_from(slots) as usize }
    }

    /// Zeroes slots `from..to` (a callee's declared locals) with plain
    /// stores: volatile, so that LLVM does not turn the loop into a call to
    /// `memset`, whose register saving would cost every call more than the
    /// few stores of a typical frame.
    #[inline(always)]
    pub(super) fn zero(self, from: Slot, to: Slot) {
        for slot in from..to {
            #[cfg(debug_assertions)]
            assert!((slot as usize) < self.len, "slot {slot} outside the frame");
            // SAFETY: as for `set`.
            unsafe { core::ptr::write_volatile(self.base.add(slot as usize), 0) }
        }
    }

    /// Reads a slot of the current frame.
    #[inline(always)]
    pub(super) fn get(self, slot: Slot) -> u64 {
        #[cfg(debug_assertions)]
        assert!((slot as usize) < self.len, "slot {slot} outside the frame");
        // SAFETY: translated code names only slots below frame_size, and the
        // constructor's contract guarantees frame_size slots exist.
        unsafe { *self.base.add(slot as usize) }
    }

    /// Writes a slot of the current frame.
    #[inline(always)]
    pub(super) fn set(self, slot: Slot, value: u64) {
        #[cfg(debug_assertions)]
        assert!((slot as usize) < self.len, "slot {slot} outside the frame");
        // SAFETY: as for `get`.
        unsafe { *self.base.add(slot as usize) = value }
    }
}

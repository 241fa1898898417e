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

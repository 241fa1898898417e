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

    /// The frame pointer at slot index `fp` of the vector from `slots` to
    /// `end` (one past its last slot).
    ///
    /// # Safety
    /// `fp` must be the frame pointer of a saved frame of the function that
    /// will use it (its frame fits below `end`), and `slots` and `end` the
    /// current start and end of the vector.
    #[inline(always)]
    pub(super) unsafe fn at_index(slots: *mut u64, end: *mut u64, fp: usize) -> Self {
        let _ = end;
        FramePtr {
            // SAFETY: fp <= len (the caller's contract).
            base: unsafe { slots.add(fp) },
            // SAFETY: both in the vector, `end` after `slots + fp`.
            #[cfg(debug_assertions)]
            len: unsafe { end.offset_from(slots) } as usize - fp,
        }
    }

    /// The index of this frame pointer in the vector starting at `slots`.
    #[inline(always)]
    pub(super) fn index(self, slots: *mut u64) -> usize {
        // SAFETY: both point into the same vector.
        unsafe { self.base.offset_from(slots) as usize }
    }

    /// Whether `size` slots from this pointer end at or before `end` (one
    /// past the end of the slot vector this pointer is in). Address
    /// arithmetic only, so it may be asked before the slots are known to
    /// exist; nothing wraps: `end` is not below this pointer, and `size`, a
    /// sum of two `u32`s, times 8 stays below 2^36.
    #[inline(always)]
    pub(super) fn fits(self, size: u64, end: *const u64) -> bool {
        size * 8 <= (end as usize - self.base as usize) as u64
    }

    /// Zeroes the `count` slots from slot `from` (a callee's declared
    /// locals) with inline stores, never a call to `memset`, whose register
    /// saving would cost every call more than the few stores of a typical
    /// frame. On x86-64, 16-byte stores, four slots per loop turn, and the
    /// last slots with stores that end at `from + count` (overlapping ones
    /// already made, never passing it): 10 locals take 2 turns and 2 stores.
    #[inline(always)]
    pub(super) fn zero(self, from: Slot, count: u32) {
        #[cfg(debug_assertions)]
        assert!(
            from as usize + count as usize <= self.len,
            "slots {from}+{count} outside the frame"
        );
        // SAFETY: as for `set`: translated code and calls name only slots
        // of the frame (locals are below `num_locals <= frame_size`).
        unsafe { zero_slots(self.base.add(from as usize), count as usize) }
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

/// Zeroes the `n` slots from `start` (see [`FramePtr::zero`]).
///
/// # Safety
/// The `n` slots from `start` must be writable.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn zero_slots(start: *mut u64, n: usize) {
    use core::arch::x86_64::_mm_setzero_si128;
    // SAFETY: SSE2 is part of x86-64, so the target feature is present.
    let zero = unsafe { _mm_setzero_si128() };
    // Four slots from `at` (unaligned 16-byte stores: slots are 8-aligned),
    // in assembly so that LLVM cannot turn the loop into a call to `memset`.
    // SAFETY (every use): `start <= at` and `at + 4 <= start + n`.
    let four = |at: *mut u64| unsafe {
        core::arch::asm!(
            "movups xmmword ptr [{at}], {z}",
            "movups xmmword ptr [{at} + 16], {z}",
            at = in(reg) at,
            z = in(xmm_reg) zero,
            options(nostack, preserves_flags),
        )
    };
    // Two slots from `at` (`start <= at`, `at + 2 <= start + n`).
    let two = |at: *mut u64| unsafe {
        core::arch::asm!(
            "movups xmmword ptr [{at}], {z}",
            at = in(reg) at,
            z = in(xmm_reg) zero,
            options(nostack, preserves_flags),
        )
    };
    // SAFETY: every store is inside the `n` slots (the tests above it).
    unsafe {
        let end = start.add(n);
        if n >= 4 {
            let mut at = start;
            loop {
                four(at);
                at = at.add(4);
                if (end as usize) - (at as usize) < 4 * 8 {
                    break;
                }
            }
            // The 0-3 slots left, with stores that end at `end`.
            four(end.sub(4));
        } else if n >= 2 {
            two(start);
            two(end.sub(2));
        } else if n == 1 {
            start.write(0);
        }
    }
}

/// Zeroes the `n` slots from `start` (see [`FramePtr::zero`]): volatile
/// stores, so that LLVM does not turn the loop into a call to `memset`.
///
/// # Safety
/// The `n` slots from `start` must be writable.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
unsafe fn zero_slots(start: *mut u64, n: usize) {
    for i in 0..n {
        // SAFETY: `i < n` (the caller's contract).
        unsafe { core::ptr::write_volatile(start.add(i), 0) }
    }
}

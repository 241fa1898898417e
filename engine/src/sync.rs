//! The engine's two synchronisation primitives, the same API with and
//! without std: [`Lock`], a mutex (the engine's signature registry), and
//! [`OnceSlot`], a value computed once by whichever thread asks first and
//! read lock-free afterwards (lazily translated function bodies).
//!
//! With std they wrap `std::sync::Mutex` and `std::sync::OnceLock` (which
//! park waiting threads). Without std there is no way to park a thread, so
//! both spin on an atomic: a waiter only waits while another thread holds
//! the registry for a hash-map insert, or translates one function body.

#[cfg(feature = "std")]
mod std_imp {
    /// A mutual-exclusion lock. A panic while holding it does not poison it
    /// for others (the registry it guards stays consistent between calls).
    #[derive(Debug, Default)]
    pub(crate) struct Lock<T>(std::sync::Mutex<T>);

    impl<T> Lock<T> {
        pub(crate) fn new(value: T) -> Self {
            Lock(std::sync::Mutex::new(value))
        }

        /// Runs `f` with the value, holding the lock.
        pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
            let mut guard = self.0.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        }
    }

    /// A value set at most once.
    #[derive(Debug, Default)]
    pub(crate) struct OnceSlot<T>(std::sync::OnceLock<T>);

    impl<T> OnceSlot<T> {
        pub(crate) const fn new() -> Self {
            OnceSlot(std::sync::OnceLock::new())
        }

        /// The value, if set.
        #[inline(always)]
        pub(crate) fn get(&self) -> Option<&T> {
            self.0.get()
        }

        /// The value, computing it with `init` if nobody has: concurrent
        /// callers wait for the first, and `init` runs once.
        pub(crate) fn get_or_init(&self, init: impl FnOnce() -> T) -> &T {
            self.0.get_or_init(init)
        }
    }
}

// Built under test too, so the std test run checks it.
#[cfg(any(not(feature = "std"), test))]
#[cfg_attr(all(test, feature = "std"), allow(dead_code))]
mod spin {
    use core::cell::UnsafeCell;
    use core::fmt;
    use core::mem::MaybeUninit;
    use core::sync::atomic::{AtomicBool, AtomicU8, Ordering};

    /// A spin lock.
    #[derive(Default)]
    pub(crate) struct Lock<T> {
        held: AtomicBool,
        value: UnsafeCell<T>,
    }

    // SAFETY: the value is only reached through `with`, which holds `held`
    // (acquired with Acquire, released with Release), so at most one thread
    // touches it at a time; sending the value between threads needs `T: Send`.
    unsafe impl<T: Send> Sync for Lock<T> {}
    // SAFETY: as above; the lock owns its value.
    unsafe impl<T: Send> Send for Lock<T> {}

    impl<T> fmt::Debug for Lock<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("Lock")
        }
    }

    /// Releases the lock when dropped, also when `f` unwinds.
    struct Release<'a>(&'a AtomicBool);

    impl Drop for Release<'_> {
        fn drop(&mut self) {
            self.0.store(false, Ordering::Release);
        }
    }

    impl<T> Lock<T> {
        pub(crate) fn new(value: T) -> Self {
            Lock {
                held: AtomicBool::new(false),
                value: UnsafeCell::new(value),
            }
        }

        /// Runs `f` with the value, holding the lock.
        pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
            while self
                .held
                .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
            {
                core::hint::spin_loop();
            }
            let _release = Release(&self.held);
            // SAFETY: `held` is ours until `_release` drops, after `f` returns.
            f(unsafe { &mut *self.value.get() })
        }
    }

    const EMPTY: u8 = 0;
    const RUNNING: u8 = 1;
    const READY: u8 = 2;

    /// A value set at most once: an atomic state and the value's storage.
    pub(crate) struct OnceSlot<T> {
        state: AtomicU8,
        value: UnsafeCell<MaybeUninit<T>>,
    }

    // SAFETY: the value is written once, by the thread that moved `state`
    // from EMPTY to RUNNING, and read only after `state` is READY (Release
    // store after the write, Acquire loads before the reads); it is shared
    // between threads by reference, so `T: Sync`, and may be dropped on any
    // thread, so `T: Send`.
    unsafe impl<T: Send + Sync> Sync for OnceSlot<T> {}
    // SAFETY: the slot owns its value.
    unsafe impl<T: Send> Send for OnceSlot<T> {}

    impl<T> Default for OnceSlot<T> {
        fn default() -> Self {
            Self::new()
        }
    }

    impl<T: fmt::Debug> fmt::Debug for OnceSlot<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_tuple("OnceSlot").field(&self.get()).finish()
        }
    }

    /// Puts the slot back to EMPTY if `init` unwinds, so a later caller
    /// retries instead of spinning forever.
    struct Reset<'a>(&'a AtomicU8);

    impl Drop for Reset<'_> {
        fn drop(&mut self) {
            self.0.store(EMPTY, Ordering::Release);
        }
    }

    impl<T> OnceSlot<T> {
        pub(crate) const fn new() -> Self {
            OnceSlot {
                state: AtomicU8::new(EMPTY),
                value: UnsafeCell::new(MaybeUninit::uninit()),
            }
        }

        /// The value, if set.
        #[inline(always)]
        pub(crate) fn get(&self) -> Option<&T> {
            if self.state.load(Ordering::Acquire) == READY {
                // SAFETY: READY is stored (Release) only after the value was
                // written, and the value is never written again.
                Some(unsafe { (*self.value.get()).assume_init_ref() })
            } else {
                None
            }
        }

        /// The value, computing it with `init` if nobody has: concurrent
        /// callers spin until the first is done, and `init` runs once.
        pub(crate) fn get_or_init(&self, init: impl FnOnce() -> T) -> &T {
            let mut init = Some(init);
            loop {
                if let Some(v) = self.get() {
                    return v;
                }
                if self
                    .state
                    .compare_exchange(EMPTY, RUNNING, Ordering::Acquire, Ordering::Acquire)
                    .is_ok()
                {
                    let reset = Reset(&self.state);
                    let f = init.take().expect("init runs at most once per call");
                    let value = f();
                    // SAFETY: RUNNING is ours: no other thread reads or
                    // writes the value until we store READY.
                    unsafe { (*self.value.get()).write(value) };
                    core::mem::forget(reset);
                    self.state.store(READY, Ordering::Release);
                } else {
                    core::hint::spin_loop();
                }
            }
        }
    }

    impl<T> Drop for OnceSlot<T> {
        fn drop(&mut self) {
            if *self.state.get_mut() == READY {
                // SAFETY: READY means the value was written; `&mut self`
                // means nobody else can read it any more.
                unsafe { self.value.get_mut().assume_init_drop() };
            }
        }
    }
}

#[cfg(not(feature = "std"))]
pub(crate) use spin::{Lock, OnceSlot};
#[cfg(feature = "std")]
pub(crate) use std_imp::{Lock, OnceSlot};

#[cfg(test)]
mod tests {
    extern crate std;
    use crate::prelude::*;
    use alloc::sync::Arc;
    use core::sync::atomic::{AtomicU32, Ordering};

    /// The same checks for both implementations (the spin one is built
    /// under test with std too).
    macro_rules! checks {
        ($name:ident, $imp:path) => {
            #[test]
            fn $name() {
                use $imp as imp;
                let lock = imp::Lock::new(1u32);
                assert_eq!(lock.with(|v| core::mem::replace(v, 2)), 1);
                assert_eq!(lock.with(|v| *v), 2);
                let slot: imp::OnceSlot<Vec<u8>> = imp::OnceSlot::new();
                assert!(slot.get().is_none());
                assert_eq!(slot.get_or_init(|| vec![1]), &[1]);
                assert_eq!(slot.get_or_init(|| vec![2]), &[1]);
                assert_eq!(slot.get(), Some(&vec![1]));

                // Eight threads race for one slot and a counter under the
                // lock: `init` runs once, every thread sees its value, no
                // increment is lost.
                let slot = Arc::new(imp::OnceSlot::<Vec<u8>>::new());
                let lock = Arc::new(imp::Lock::new(0u32));
                let runs = Arc::new(AtomicU32::new(0));
                let threads: Vec<_> = (0..8u8)
                    .map(|t| {
                        let (slot, lock, runs) = (slot.clone(), lock.clone(), runs.clone());
                        std::thread::spawn(move || {
                            for _ in 0..1000 {
                                lock.with(|v| *v += 1);
                            }
                            slot.get_or_init(|| {
                                runs.fetch_add(1, Ordering::Relaxed);
                                vec![t]
                            })
                            .clone()
                        })
                    })
                    .collect();
                let seen: Vec<Vec<u8>> = threads.into_iter().map(|t| t.join().unwrap()).collect();
                assert_eq!(runs.load(Ordering::Relaxed), 1);
                assert!(seen.iter().all(|v| Some(v) == slot.get()));
                assert_eq!(lock.with(|v| *v), 8000);

                // A panicking `init` leaves the slot empty for the next caller.
                let slot = imp::OnceSlot::<Vec<u8>>::new();
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    slot.get_or_init(|| panic!("init fails"));
                }));
                assert!(r.is_err());
                assert!(slot.get().is_none());
                assert_eq!(slot.get_or_init(|| vec![3]), &[3]);
            }
        };
    }

    checks!(spin_lock_and_once_slot, crate::sync::spin);
    #[cfg(feature = "std")]
    checks!(std_lock_and_once_slot, crate::sync::std_imp);
}

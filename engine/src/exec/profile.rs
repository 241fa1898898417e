//! `WASIPROC_PROFILE=pairs`: counts executed instructions and pairs of
//! consecutive instructions (by variant), and prints the most frequent to
//! stderr when the thread ends (for the CLI: at exit).
//!
//! The variable is read once per process. When it is set, the interpreter
//! runs every instruction in its general loop (`exec/mod.rs`), which calls
//! [`record`] before each; the threaded handlers are not used, so when it
//! is not set profiling costs them nothing. A pair is "instruction A, then
//! the next instruction executed in the same thread", across branches,
//! calls and returns; it is what a fusion of A and B would save a dispatch
//! on. Used to choose superinstructions (ARCHITECTURE.md).
//!
//! Without the `std` feature there is no environment to read: profiling is off.

#[cfg(not(feature = "std"))]
pub(super) fn enabled() -> bool {
    false
}

#[cfg(not(feature = "std"))]
pub(super) fn record(_tag: u16) {}

#[cfg(feature = "std")]
pub(super) use with_std::{enabled, record};

#[cfg(feature = "std")]
mod with_std {
    use crate::prelude::*;
    use core::cell::RefCell;
    use std::sync::OnceLock;

    use super::super::threaded::VARIANT_NAMES;

    /// Whether `WASIPROC_PROFILE=pairs` is set (read once).
    pub(crate) fn enabled() -> bool {
        static ON: OnceLock<bool> = OnceLock::new();
        *ON.get_or_init(|| std::env::var_os("WASIPROC_PROFILE").is_some_and(|v| v == "pairs"))
    }

    /// The counts of one thread, printed when it ends.
    struct Counts {
        singles: Vec<u64>,
        pairs: Vec<u64>,
        prev: Option<u16>,
    }

    std::thread_local! {
        static COUNTS: RefCell<Option<Counts>> = const { RefCell::new(None) };
    }

    /// Counts the instruction with tag `tag` and the pair it ends.
    pub(crate) fn record(tag: u16) {
        let n = VARIANT_NAMES.len();
        COUNTS.with(|c| {
            let mut c = c.borrow_mut();
            let c = c.get_or_insert_with(|| Counts {
                singles: vec![0; n],
                pairs: vec![0; n * n],
                prev: None,
            });
            c.singles[tag as usize] += 1;
            if let Some(p) = c.prev {
                c.pairs[p as usize * n + tag as usize] += 1;
            }
            c.prev = Some(tag);
        });
    }

    impl Drop for Counts {
        fn drop(&mut self) {
            use std::io::Write;
            let n = VARIANT_NAMES.len();
            let total: u64 = self.singles.iter().sum();
            let mut out = std::io::stderr().lock();
            let _ = writeln!(out, "wasiproc profile: {total} instructions executed");
            let pct = |c: u64| 100.0 * c as f64 / total.max(1) as f64;
            let mut singles: Vec<(u64, usize)> = self
                .singles
                .iter()
                .enumerate()
                .map(|(i, &c)| (c, i))
                .collect();
            singles.sort_unstable_by(|a, b| b.cmp(a));
            let _ = writeln!(out, "top instructions:");
            for &(c, i) in singles.iter().take(40).filter(|(c, _)| *c > 0) {
                let _ = writeln!(out, "{c:>14} {:5.2}%  {}", pct(c), VARIANT_NAMES[i]);
            }
            let mut pairs: Vec<(u64, usize)> = self
                .pairs
                .iter()
                .enumerate()
                .map(|(i, &c)| (c, i))
                .collect();
            pairs.sort_unstable_by(|a, b| b.cmp(a));
            let _ = writeln!(out, "top pairs:");
            for &(c, i) in pairs.iter().take(60).filter(|(c, _)| *c > 0) {
                let (a, b) = (VARIANT_NAMES[i / n], VARIANT_NAMES[i % n]);
                let _ = writeln!(out, "{c:>14} {:5.2}%  {a} -> {b}", pct(c));
            }
        }
    }
}

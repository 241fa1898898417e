//! Memory accounting shaped like cgroups: every process given a memory
//! limit has an account; an account's parent is its process's parent's
//! account, so the bytes a process holds count against its own limit and
//! the limit of every ancestor. The root's account carries the run's
//! `--max-memory`, so it bounds the whole run; a child without a limit of
//! its own shares the account its charges would reach first (its parent's,
//! or the one its parent shares) and is bounded by what remains of its
//! ancestors'.
//!
//! What is charged: the linear memories, tables and value/frame stacks of
//! a process's store (through [`ProcLimiter`], the store's
//! [`ResourceLimiter`]), the strings and spawn configurations its
//! `wasi_process` calls hold, and the buffers of the pipes it created.
//! Every charge is held by a [`Charge`], which gives its bytes back when it
//! is dropped, so what a process holds is released when it ends, however
//! it ends. A charge walks the accounts above that have a limit (and the
//! root's): an account without a limit could refuse nothing, so a child
//! without a limit makes none (it shares one, see above) and a charge
//! costs O(number of limits above), not O(depth) (a 10,000-deep chain of
//! unlimited processes charges one account per event, not 10,000).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use wasiproc_engine::{Resource, ResourceLimiter};

#[derive(Debug)]
struct Node {
    /// Bytes charged to this account and its descendants'.
    used: AtomicUsize,
    /// Most bytes this account (and its descendants) may hold.
    limit: usize,
    parent: Option<MemAccount>,
}

/// One process's memory account (cheap to clone: clones share it).
#[derive(Debug, Clone)]
pub struct MemAccount(Arc<Node>);

/// A charge was refused: it would take an account over its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverLimit;

impl MemAccount {
    /// The account of a root process (the run's limit; `None` = unlimited).
    pub fn root(limit: Option<usize>) -> Self {
        MemAccount(Arc::new(Node {
            used: AtomicUsize::new(0),
            limit: limit.unwrap_or(usize::MAX),
            parent: None,
        }))
    }

    /// A child account under this one. With a limit, a new account linked
    /// to this one when this one has a limit or is a root, else to the
    /// account this one is linked to (see the module docs). Without one,
    /// that account itself, shared: an account without a limit could only
    /// count, never refuse, and nothing reads a process's own count, so a
    /// spawn without a memory limit allocates no account.
    pub fn child(&self, limit: Option<usize>) -> Self {
        let parent = match &self.0.parent {
            Some(above) if self.0.limit == usize::MAX => above.clone(),
            _ => self.clone(),
        };
        let Some(limit) = limit else {
            return parent;
        };
        MemAccount(Arc::new(Node {
            used: AtomicUsize::new(0),
            limit,
            parent: Some(parent),
        }))
    }

    fn chain(&self) -> impl Iterator<Item = &Node> {
        std::iter::successors(Some(&*self.0), |n| n.parent.as_ref().map(|p| &*p.0))
    }

    /// Charges `bytes` to this account and every ancestor, or to none of
    /// them when one would go over its limit.
    pub fn charge(&self, bytes: usize) -> Result<(), OverLimit> {
        if bytes == 0 {
            return Ok(());
        }
        // One thread runs a run's processes; the check-then-add needs no
        // stronger ordering than that.
        let fits = self.chain().all(|n| {
            n.used
                .load(Ordering::Relaxed)
                .checked_add(bytes)
                .is_some_and(|u| u <= n.limit)
        });
        if !fits {
            return Err(OverLimit);
        }
        for n in self.chain() {
            n.used.fetch_add(bytes, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Gives back `bytes` charged earlier.
    pub fn release(&self, bytes: usize) {
        if bytes == 0 {
            return;
        }
        for n in self.chain() {
            let _ = n
                .used
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| {
                    Some(u.saturating_sub(bytes))
                });
        }
    }

    /// Bytes charged to this account: its own and its descendants' when it
    /// has a limit or is a root (the descendants of an account without a
    /// limit charge past it, see [`MemAccount::child`]).
    pub fn used(&self) -> usize {
        self.0.used.load(Ordering::Relaxed)
    }

    /// What could still be charged here: the smallest room left along the
    /// chain; `None` when no account of the chain has a limit.
    pub fn remaining(&self) -> Option<usize> {
        self.chain()
            .filter(|n| n.limit != usize::MAX)
            .map(|n| n.limit.saturating_sub(n.used.load(Ordering::Relaxed)))
            .min()
    }

    /// The smallest limit along the chain: more than this can never be
    /// charged here; `None` when no account of the chain has a limit.
    pub fn bound(&self) -> Option<usize> {
        self.chain()
            .filter(|n| n.limit != usize::MAX)
            .map(|n| n.limit)
            .min()
    }

    /// Whether any account of the chain has a limit.
    pub fn is_limited(&self) -> bool {
        self.chain().any(|n| n.limit != usize::MAX)
    }
}

/// Bytes held against an account; given back when dropped.
#[derive(Debug)]
pub struct Charge {
    account: MemAccount,
    bytes: usize,
}

impl Charge {
    /// An empty charge against `account`.
    pub fn new(account: &MemAccount) -> Self {
        Charge {
            account: account.clone(),
            bytes: 0,
        }
    }

    /// A charge of `bytes` against `account`, if it fits.
    pub fn of(account: &MemAccount, bytes: usize) -> Result<Self, OverLimit> {
        let mut c = Charge::new(account);
        c.grow(bytes)?;
        Ok(c)
    }

    /// Holds `bytes` more, if they fit.
    pub fn grow(&mut self, bytes: usize) -> Result<(), OverLimit> {
        self.account.charge(bytes)?;
        self.bytes += bytes;
        Ok(())
    }

    /// Gives back `bytes` (at most what is held).
    pub fn shrink(&mut self, bytes: usize) {
        let n = bytes.min(self.bytes);
        self.account.release(n);
        self.bytes -= n;
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Takes over what `other` holds (against the same account).
    pub fn absorb(&mut self, mut other: Charge) {
        debug_assert!(Arc::ptr_eq(&self.account.0, &other.account.0));
        self.bytes += std::mem::take(&mut other.bytes);
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        self.account.release(self.bytes);
    }
}

/// The resource limiter of a process's store: memories, tables and stacks
/// are charged to the process's account as they grow and given back when
/// the store (and with it this limiter) is dropped.
#[derive(Debug)]
pub struct ProcLimiter {
    held: Charge,
}

impl ProcLimiter {
    /// A limiter charging `account`.
    pub fn new(account: &MemAccount) -> Self {
        ProcLimiter {
            held: Charge::new(account),
        }
    }

    /// A limiter that also holds `start` (what the process is charged from
    /// its start: bookkeeping, arguments, environment) until it is dropped.
    pub fn holding(start: Charge) -> Self {
        ProcLimiter { held: start }
    }

    /// Bytes of memories, tables and stacks held.
    pub fn bytes(&self) -> usize {
        self.held.bytes()
    }

    fn grow(&mut self, current: usize, desired: usize) -> bool {
        self.held.grow(desired.saturating_sub(current)).is_ok()
    }
}

impl ResourceLimiter for ProcLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _max: Option<usize>) -> bool {
        self.grow(current, desired)
    }
    fn table_growing(&mut self, current: usize, desired: usize, _max: Option<usize>) -> bool {
        self.grow(current, desired)
    }
    fn stack_growing(&mut self, current: usize, desired: usize) -> bool {
        self.grow(current, desired)
    }
    fn memory_reservation(&mut self) -> Option<usize> {
        self.held.account.bound()
    }
    fn growth_failed(&mut self, _resource: Resource, current: usize, desired: usize) {
        self.held.shrink(desired.saturating_sub(current));
    }
    fn released(&mut self, _resource: Resource, bytes: usize) {
        self.held.shrink(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deep_chain_of_unlimited_accounts_charges_only_the_limited_ones() {
        let root = MemAccount::root(Some(1 << 20));
        let mut acc = root.clone();
        for _ in 0..10_000 {
            acc = acc.child(None);
        }
        assert_eq!(acc.chain().count(), 1, "the root, shared");
        let limited = acc.child(Some(100));
        let below = limited.child(None).child(None);
        assert_eq!(below.chain().count(), 2, "the limited one, the root");
        // An account without a limit that has a parent (`child` no longer
        // makes one) is linked past all the same.
        let unlimited = MemAccount(Arc::new(Node {
            used: AtomicUsize::new(0),
            limit: usize::MAX,
            parent: Some(limited.clone()),
        }));
        assert_eq!(unlimited.child(Some(5)).chain().count(), 3);
        let c = Charge::of(&below, 100).unwrap();
        assert_eq!((root.used(), limited.used()), (100, 100));
        assert_eq!(Charge::of(&below, 1).map(|_| ()), Err(OverLimit));
        drop(c);
        assert_eq!((root.used(), limited.used()), (0, 0));
    }

    #[test]
    fn a_charge_counts_against_every_ancestor_and_is_given_back() {
        let root = MemAccount::root(Some(1000));
        let child = root.child(None);
        let grandchild = child.child(Some(300));
        let mut a = Charge::of(&grandchild, 200).unwrap();
        // The child has no limit: it shares the root's account.
        assert_eq!(
            (root.used(), child.used(), grandchild.used()),
            (200, 200, 200)
        );
        assert_eq!(grandchild.remaining(), Some(100));
        assert_eq!(a.grow(101), Err(OverLimit), "the grandchild's own limit");
        let b = Charge::of(&child, 700).unwrap();
        assert_eq!(child.remaining(), Some(100));
        assert_eq!(Charge::of(&child, 101).map(|_| ()), Err(OverLimit));
        assert_eq!(grandchild.remaining(), Some(100), "the root's room is less");
        drop(b);
        a.shrink(50);
        assert_eq!(root.used(), 150);
        drop(a);
        assert_eq!((root.used(), child.used(), grandchild.used()), (0, 0, 0));
        assert_eq!(MemAccount::root(None).remaining(), None);
        assert_eq!(grandchild.bound(), Some(300));
        assert_eq!(child.bound(), Some(1000));
    }

    #[test]
    fn the_limiter_gives_back_what_its_store_held_when_dropped() {
        let root = MemAccount::root(Some(1 << 20));
        let mut l = ProcLimiter::new(&root);
        assert!(l.memory_growing(0, 65536, None));
        assert!(l.table_growing(0, 800, None));
        assert!(!l.stack_growing(0, 1 << 20), "over the limit");
        l.growth_failed(Resource::Table, 0, 800);
        assert_eq!(root.used(), 65536);
        drop(l);
        assert_eq!(root.used(), 0);
    }
}

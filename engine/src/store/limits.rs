//! Resource limits of a store.

/// Limits on what guest code may allocate in one store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreLimits {
    /// Most bytes of linear memory across all memories of the store.
    pub memory_bytes: usize,
    /// Most elements in any one table.
    pub table_elements: u32,
    /// Most instances.
    pub instances: usize,
    /// When growth is refused because of these limits: trap with
    /// [`crate::TrapKind::MemoryLimit`] instead of returning -1 to the guest.
    pub trap_on_grow_failure: bool,
}

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits {
            // 4 GiB; on a 32-bit host (where `4 << 30` would be 0) all the
            // address space there is.
            memory_bytes: usize::try_from(4u64 << 30).unwrap_or(usize::MAX),
            table_elements: 10_000_000,
            instances: 10_000,
            trap_on_grow_failure: false,
        }
    }
}

/// What a [`ResourceLimiter`] is asked about or told of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// A linear memory (its bytes).
    Memory,
    /// A table (8 bytes per element).
    Table,
    /// The value stack (8 bytes per slot) and the frame stack (16 bytes per
    /// frame) of the store's calls.
    Stack,
}

/// Bytes one table element takes.
pub const TABLE_ELEMENT_BYTES: usize = 8;

/// The embedder's say over what a store allocates, shaped like wasmtime's
/// `ResourceLimiter`: asked before a memory or table is created or grows
/// (instantiation included: `current` is 0) and before the value or frame
/// stack grows, always in bytes. Returning `false` refuses the growth:
/// `memory.grow`/`table.grow` return -1 (or trap with
/// [`crate::TrapKind::MemoryLimit`] when [`StoreLimits::trap_on_grow_failure`]
/// is set), instantiation fails with [`crate::Error::Limit`], and a stack
/// that cannot grow traps with [`crate::TrapKind::MemoryLimit`].
///
/// Memories and tables never shrink; what the store holds is freed when the
/// store is dropped, and the limiter (owned by the store) with it, so a
/// limiter that counts into a shared budget gives its count back in its
/// `Drop`. A growth the limiter allowed but the allocator could not serve
/// is reported with [`ResourceLimiter::growth_failed`], and a stack the
/// store frees early with [`ResourceLimiter::released`].
pub trait ResourceLimiter: Send {
    /// A memory wants to grow from `current` to `desired` bytes; `maximum`
    /// is its declared maximum in bytes, if any.
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> bool;
    /// A table wants to grow from `current` to `desired` bytes
    /// ([`TABLE_ELEMENT_BYTES`] per element); `maximum` likewise.
    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> bool;
    /// The store's stacks want to grow from `current` to `desired` bytes in
    /// all.
    fn stack_growing(&mut self, current: usize, desired: usize) -> bool {
        let _ = (current, desired);
        true
    }
    /// The most bytes one memory of this store can ever hold, if the
    /// limiter bounds it: a memory reserves that much untouched address
    /// space (when the host gives it), so growing it never moves it and a
    /// growth never holds two copies of the memory at once.
    fn memory_reservation(&mut self) -> Option<usize> {
        None
    }
    /// A growth this limiter allowed (from `current` to `desired` bytes) did
    /// not happen because the allocation failed.
    fn growth_failed(&mut self, resource: Resource, current: usize, desired: usize) {
        let _ = (resource, current, desired);
    }
    /// The store freed `bytes` of `resource` before being dropped.
    fn released(&mut self, resource: Resource, bytes: usize) {
        let _ = (resource, bytes);
    }
}

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
            memory_bytes: 4 << 30,
            table_elements: 10_000_000,
            instances: 10_000,
            trap_on_grow_failure: false,
        }
    }
}

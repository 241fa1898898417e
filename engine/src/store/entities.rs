//! The runtime objects a store owns.

use crate::engine::TypeId;
use crate::module::ModuleInner;
use crate::prelude::*;
use crate::value::{GlobalType, MemoryType, TableType};
use alloc::sync::Arc;

/// A function: Wasm code of an instance, or a host function.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FuncEntity {
    pub ty: TypeId,
    pub kind: FuncKind,
}

/// Where a function's code is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum FuncKind {
    /// Defined function `index` of instance `instance`.
    Wasm { instance: u32, index: u32 },
    /// Host function `index` of the store's host function list.
    Host(u32),
}

/// A linear memory.
#[derive(Debug)]
pub(crate) struct MemoryEntity {
    pub ty: MemoryType,
    pub data: super::LinearMemory,
}

impl MemoryEntity {
    pub(crate) fn pages(&self) -> u32 {
        (self.data.len() >> self.ty.page_size_log2) as u32
    }
}

/// A table of references (slot encoding).
#[derive(Debug)]
pub(crate) struct TableEntity {
    pub ty: TableType,
    pub elems: Vec<u64>,
}

/// A global (slot encoding).
#[derive(Debug)]
pub(crate) struct GlobalEntity {
    pub ty: GlobalType,
    pub value: u64,
    /// The high 64 bits of a `v128` global (0 for other types).
    pub hi: u64,
}

impl GlobalEntity {
    /// A global of type `ty` holding the full-width value `v`.
    pub(crate) fn new(ty: GlobalType, v: u128) -> Self {
        GlobalEntity {
            ty,
            value: v as u64,
            hi: (v >> 64) as u64,
        }
    }

    /// The global's full-width value (a `v128`'s 128 bits).
    pub(crate) fn get128(&self) -> u128 {
        self.value as u128 | (self.hi as u128) << 64
    }
}

/// An element segment of an instance; emptied by `elem.drop`.
#[derive(Debug)]
pub(crate) struct ElemEntity {
    pub items: Box<[u64]>,
}

/// A data segment of an instance; emptied by `data.drop`.
#[derive(Debug)]
pub(crate) struct DataEntity {
    pub bytes: Option<Arc<[u8]>>,
}

impl DataEntity {
    pub(crate) fn bytes(&self) -> &[u8] {
        self.bytes.as_deref().unwrap_or(&[])
    }
}

/// An instance: its module and the store indexes of everything it uses.
/// Immutable once created, so the interpreter can hold it without
/// borrowing the store.
#[derive(Debug)]
pub(crate) struct InstanceEntity {
    pub module: Arc<ModuleInner>,
    pub funcs: Box<[u32]>,
    pub tables: Box<[u32]>,
    pub memories: Box<[u32]>,
    pub globals: Box<[u32]>,
    pub elems: Box<[u32]>,
    pub datas: Box<[u32]>,
    /// Store indexes of the instance's tags (exception handling).
    pub tags: Box<[u32]>,
}

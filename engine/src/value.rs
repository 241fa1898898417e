//! Wasm value types and values as seen by embedders.
//!
//! Inside the interpreter every value is an untyped 64-bit slot (a `v128`
//! two adjacent slots)
//! ([`crate::exec`]); this module converts between slots and typed [`Val`]s.

use crate::prelude::*;
use crate::store::Func;
use core::fmt;

/// The type of a Wasm value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit IEEE float.
    F32,
    /// 64-bit IEEE float.
    F64,
    /// A nullable reference to a function.
    FuncRef,
    /// A nullable reference to a host object.
    ExternRef,
    /// A 128-bit vector (the SIMD proposal). In the interpreter's frames it
    /// occupies two adjacent 64-bit slots, low half first.
    V128,
    /// A nullable reference to an exception (exception handling): a tag
    /// and its payload, owned by the store.
    ExnRef,
    /// A nullable reference of the GC proposal's `any` hierarchy (`anyref`,
    /// `eqref`, `nullref`, struct and array references). The GC
    /// instructions that make such references are not supported, so every
    /// value of this type is null.
    AnyRef,
}

impl ValType {
    /// True for the reference types.
    pub fn is_ref(self) -> bool {
        matches!(
            self,
            ValType::FuncRef | ValType::ExternRef | ValType::ExnRef
        )
    }

    /// How many 64-bit interpreter slots a value of this type occupies
    /// (2 for `v128`, 1 for every other type).
    pub fn slots(self) -> usize {
        if self == ValType::V128 { 2 } else { 1 }
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
            ValType::V128 => "v128",
            ValType::ExnRef => "exnref",
            ValType::AnyRef => "anyref",
        })
    }
}

/// An opaque reference to a host object, passed to and from Wasm as `externref`.
///
/// The engine never looks inside: the embedder chooses what the number means
/// (an index into its own table of objects, for example).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExternRef(u32);

impl ExternRef {
    /// Wraps a host-chosen number.
    pub fn new(value: u32) -> Self {
        ExternRef(value)
    }
    /// The host-chosen number.
    pub fn get(self) -> u32 {
        self.0
    }
}

/// A reference to an exception object of a store (exception handling):
/// what `exnref` values are. The object (its tag and payload) lives as long
/// as the store; the embedder can only pass the reference back to Wasm code
/// of the same store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExnRef {
    pub(crate) store: u32,
    pub(crate) index: u32,
}

/// A Wasm value.
///
/// Floats are carried as raw bits so that NaN payloads survive unchanged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`, as its bit pattern.
    F32(u32),
    /// An `f64`, as its bit pattern.
    F64(u64),
    /// A `funcref`; `None` is the null reference.
    FuncRef(Option<Func>),
    /// An `externref`; `None` is the null reference.
    ExternRef(Option<ExternRef>),
    /// A `v128`, as its 128 bits (lane 0 in the lowest bits, as Wasm's
    /// little-endian memory layout puts it).
    V128(u128),
    /// An `exnref`; `None` is the null reference.
    ExnRef(Option<ExnRef>),
    /// The null reference of the `any` hierarchy ([`ValType::AnyRef`]:
    /// no other value of it can be made here).
    NullAnyRef,
}

impl Val {
    /// The type of this value.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
            Val::V128(_) => ValType::V128,
            Val::ExnRef(_) => ValType::ExnRef,
            Val::NullAnyRef => ValType::AnyRef,
        }
    }

    /// The zero value (or null reference) of a type.
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::FuncRef => Val::FuncRef(None),
            ValType::ExternRef => Val::ExternRef(None),
            ValType::V128 => Val::V128(0),
            ValType::ExnRef => Val::ExnRef(None),
            ValType::AnyRef => Val::NullAnyRef,
        }
    }

    /// An `f32` value from a float.
    pub fn from_f32(v: f32) -> Val {
        Val::F32(v.to_bits())
    }

    /// An `f64` value from a float.
    pub fn from_f64(v: f64) -> Val {
        Val::F64(v.to_bits())
    }

    /// The value as an `i32`, if it is one.
    pub fn i32(&self) -> Option<i32> {
        if let Val::I32(v) = self {
            Some(*v)
        } else {
            None
        }
    }
    /// The value as an `i64`, if it is one.
    pub fn i64(&self) -> Option<i64> {
        if let Val::I64(v) = self {
            Some(*v)
        } else {
            None
        }
    }
    /// The value as an `f32`, if it is one.
    pub fn f32(&self) -> Option<f32> {
        if let Val::F32(v) = self {
            Some(f32::from_bits(*v))
        } else {
            None
        }
    }
    /// The value as an `f64`, if it is one.
    pub fn f64(&self) -> Option<f64> {
        if let Val::F64(v) = self {
            Some(f64::from_bits(*v))
        } else {
            None
        }
    }

    /// The value as a `v128`'s bits, if it is one.
    pub fn v128(&self) -> Option<u128> {
        if let Val::V128(v) = self {
            Some(*v)
        } else {
            None
        }
    }

    /// Encodes the value into untyped interpreter slots starting at
    /// `slots[at]` (two for a `v128`); returns the slot after it.
    #[inline]
    pub(crate) fn write_slots(self, slots: &mut [u64], at: usize) -> usize {
        if let Val::V128(v) = self {
            slots[at] = v as u64;
            slots[at + 1] = (v >> 64) as u64;
            return at + 2;
        }
        slots[at] = self.to_slot();
        at + 1
    }

    /// Decodes a value of type `ty` from the slots starting at `slots[at]`.
    #[inline]
    pub(crate) fn read_slots(ty: ValType, slots: &[u64], at: usize, store_id: u32) -> Val {
        if ty == ValType::V128 {
            return Val::V128(slots[at] as u128 | (slots[at + 1] as u128) << 64);
        }
        Val::from_slot(ty, slots[at], store_id)
    }

    /// Encodes the value into an untyped interpreter slot (the low half of
    /// a `v128`).
    pub(crate) fn to_slot(self) -> u64 {
        match self {
            Val::I32(v) => v as u32 as u64,
            Val::I64(v) => v as u64,
            Val::F32(v) => v as u64,
            Val::F64(v) => v,
            Val::FuncRef(f) => f.map_or(0, |f| f.to_slot()),
            Val::ExternRef(r) => r.map_or(0, |r| r.0 as u64 + 1),
            Val::V128(v) => v as u64,
            Val::ExnRef(r) => r.map_or(0, |r| r.index as u64 + 1),
            Val::NullAnyRef => 0,
        }
    }

    /// Decodes an untyped interpreter slot of a known type.
    #[inline]
    pub(crate) fn from_slot(ty: ValType, slot: u64, store_id: u32) -> Val {
        match ty {
            ValType::I32 => Val::I32(slot as u32 as i32),
            ValType::I64 => Val::I64(slot as i64),
            ValType::F32 => Val::F32(slot as u32),
            ValType::F64 => Val::F64(slot),
            ValType::FuncRef => Val::FuncRef(Func::from_slot(slot, store_id)),
            ValType::ExternRef => Val::ExternRef(if slot == 0 {
                None
            } else {
                Some(ExternRef((slot - 1) as u32))
            }),
            ValType::V128 => Val::V128(slot as u128),
            ValType::ExnRef => Val::ExnRef(if slot == 0 {
                None
            } else {
                Some(ExnRef {
                    store: store_id,
                    index: (slot - 1) as u32,
                })
            }),
            ValType::AnyRef => Val::NullAnyRef,
        }
    }
}

/// The number of interpreter slots values of `types` occupy, one after the
/// other.
pub(crate) fn slot_count(types: &[ValType]) -> usize {
    types.iter().map(|t| t.slots()).sum()
}

/// Writes `vals` into consecutive slots from `slots[0]`.
pub(crate) fn write_vals(vals: &[Val], slots: &mut [u64]) {
    let mut at = 0;
    for v in vals {
        at = v.write_slots(slots, at);
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}
impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::from_f32(v)
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::from_f64(v)
    }
}

/// The signature of a function: parameter and result types.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FuncType {
    params_results: Box<[ValType]>,
    len_params: usize,
    /// Interpreter slots of the parameters (a `v128` takes two).
    param_slots: u32,
}

impl FuncType {
    /// Creates a function type.
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> Self {
        let mut all: Vec<ValType> = params.into_iter().collect();
        let len_params = all.len();
        let param_slots = slot_count(&all) as u32;
        all.extend(results);
        FuncType {
            params_results: all.into(),
            len_params,
            param_slots,
        }
    }

    /// The interpreter slots the parameters occupy (a `v128` takes two):
    /// where a callee reference follows the arguments.
    pub(crate) fn param_slots(&self) -> u32 {
        self.param_slots
    }
    /// Parameter types.
    #[inline]
    pub fn params(&self) -> &[ValType] {
        &self.params_results[..self.len_params]
    }
    /// Result types.
    #[inline]
    pub fn results(&self) -> &[ValType] {
        &self.params_results[self.len_params..]
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |tys: &[ValType]| {
            tys.iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        write!(
            f,
            "(func (param {}) (result {}))",
            join(self.params()),
            join(self.results())
        )
    }
}

/// Whether a global can be written after initialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mutability {
    /// Read-only after initialisation.
    Const,
    /// Writable with `global.set`.
    Var,
}

/// The type of a global: value type and mutability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GlobalType {
    /// The type of the value held.
    pub content: ValType,
    /// Whether the global can be written.
    pub mutability: Mutability,
}

/// The type of a linear memory, in 64 KiB pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemoryType {
    /// Initial size in pages.
    pub minimum: u32,
    /// Maximum size in pages, if bounded.
    pub maximum: Option<u32>,
    /// A 64-bit memory (memory64 proposal): addresses, sizes and lengths
    /// are i64. Its limits are kept in 32 bits here (a larger declared
    /// limit reads as `u32::MAX`), and like a 32-bit memory it holds at
    /// most [`MAX_PAGES`] pages.
    pub memory64: bool,
    /// log2 of the page size in bytes: 16 (64 KiB, the default) or, with the
    /// custom-page-sizes proposal, 0 (one byte). The limits are in pages of
    /// this size.
    pub page_size_log2: u8,
}

impl MemoryType {
    /// A 32-bit memory type with these limits in pages.
    pub fn new(minimum: u32, maximum: Option<u32>) -> Self {
        MemoryType {
            minimum,
            maximum,
            memory64: false,
            page_size_log2: 16,
        }
    }

    /// The page size in bytes.
    pub fn page_size(&self) -> usize {
        1 << self.page_size_log2
    }

    /// The most pages a memory of this page size can hold here: 4 GiB of
    /// 64 KiB pages ([`MAX_PAGES`]), or `u32::MAX` one-byte pages.
    pub fn max_pages(&self) -> u32 {
        u32::try_from((1u64 << 32) >> self.page_size_log2).unwrap_or(u32::MAX)
    }
}

/// The type of a table: element type and limits in elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TableType {
    /// `FuncRef` or `ExternRef`.
    pub element: ValType,
    /// Initial size in elements.
    pub minimum: u32,
    /// Maximum size in elements, if bounded.
    pub maximum: Option<u32>,
}

/// The type of anything a module can import or export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternType {
    /// A function.
    Func(FuncType),
    /// A global.
    Global(GlobalType),
    /// A memory.
    Memory(MemoryType),
    /// A table.
    Table(TableType),
    /// An exception tag (exception handling).
    Tag(TagType),
}

/// The type of an exception tag: the types of the values an exception with
/// this tag carries (a function type with no results).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagType {
    /// The payload's types, as the parameters of a function type without
    /// results.
    pub ty: FuncType,
}

impl TagType {
    /// A tag type carrying values of the given types.
    pub fn new(params: impl IntoIterator<Item = ValType>) -> Self {
        TagType {
            ty: FuncType::new(params, []),
        }
    }

    /// The payload's types.
    pub fn params(&self) -> &[ValType] {
        self.ty.params()
    }
}

impl ExternType {
    /// A short word for the kind of item: "func", "global", "memory",
    /// "table" or "tag".
    pub fn kind(&self) -> &'static str {
        match self {
            ExternType::Func(_) => "func",
            ExternType::Global(_) => "global",
            ExternType::Memory(_) => "memory",
            ExternType::Table(_) => "table",
            ExternType::Tag(_) => "tag",
        }
    }
}

/// Size of a Wasm page in bytes.
pub const PAGE_SIZE: usize = 65536;

/// Largest number of pages a 32-bit memory can have (4 GiB).
pub const MAX_PAGES: u32 = 65536;

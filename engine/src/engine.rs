//! The [`Engine`]: configuration plus the registry of function signatures
//! shared by every module and store created from it.

use crate::prelude::*;
use crate::sync::Lock;
use crate::{config::Config, value::FuncType};
use alloc::sync::Arc;
use hashbrown::HashMap;

/// A process-wide identifier of a function signature, equal for equal types
/// within one engine. `call_indirect` compares these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TypeId(pub(crate) u32);

/// The heap type of a reference type, as import matching compares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum HeapRef {
    Func,
    NoFunc,
    Extern,
    NoExtern,
    /// A defined type (its canonical id).
    Concrete(TypeId),
    /// Another abstract type (GC's `any`, ...), compared for equality.
    Other(wasmparser::AbstractHeapType),
}

/// A reference type with its exact heap type and nullability (the engine
/// otherwise sees only `funcref` and `externref`). Globals and tables of a
/// type other than the plain nullable `funcref`/`externref` record it, so
/// that linking can check Wasm 3.0's import subtyping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct RefTy {
    pub nullable: bool,
    pub heap: HeapRef,
}

impl RefTy {
    /// The plain nullable reference type of a value type (`None` for numbers).
    pub(crate) fn plain(ty: crate::value::ValType) -> Option<RefTy> {
        let heap = match ty {
            crate::value::ValType::FuncRef => HeapRef::Func,
            crate::value::ValType::ExternRef => HeapRef::Extern,
            _ => return None,
        };
        Some(RefTy {
            nullable: true,
            heap,
        })
    }
}

/// Shared compilation settings and signature registry. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

#[derive(Debug)]
struct EngineInner {
    config: Config,
    types: Lock<TypeRegistry>,
    /// Freed linear-memory blocks kept for reuse (`Config::memory_pool`).
    pool: crate::store::MemoryPool,
}

/// Canonical types (Wasm 3.0 type equivalence): a recursion group is
/// identified by its structure, in which a reference to a type of the same
/// group is its position in the group and a reference to any other type is
/// that type's canonical id. Equal groups get the same ids, in any module;
/// a lone function type (the only kind before 3.0, and a host function's)
/// is a group of one, final, without supertype.
#[derive(Debug, Default)]
struct TypeRegistry {
    groups: HashMap<Vec<CanonSub>, u32>,
    /// Per canonical id: the function type (`None` for struct and array
    /// types) and the declared supertype.
    entries: Vec<(Option<FuncType>, Option<TypeId>)>,
    /// The ids of lone function types already interned by [`Engine::intern`]
    /// (host functions': a linker with WASI defines dozens, most of the
    /// same few types), so that a repeat skips building its canonical group.
    lone: HashMap<FuncType, TypeId>,
    /// Per canonical id of a function type with a parameter of a reference
    /// type other than plain nullable `funcref`/`externref`: each
    /// parameter's exact type (`None` for the others), which a call from
    /// the host must respect.
    exact_params: HashMap<u32, Box<[Option<RefTy>]>>,
}

/// A type reference inside a canonical recursion group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CanonIdx {
    /// The type at this position of the same group.
    Rel(u32),
    /// A type of an earlier group.
    Id(u32),
}

/// A heap type inside a canonical group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CanonHeap {
    /// `func`, `extern`, `any`, ... (and whether shared).
    Abstract(wasmparser::AbstractHeapType, bool),
    /// A defined type (`exact` for the custom-descriptors form).
    Concrete(CanonIdx, bool),
}

/// A value or storage type inside a canonical group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CanonVal {
    I32,
    I64,
    F32,
    F64,
    V128,
    I8,
    I16,
    Ref { nullable: bool, heap: CanonHeap },
}

/// The composite part of a canonical type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum CanonComposite {
    Func(Vec<CanonVal>, Vec<CanonVal>),
    /// Fields (or the one element type) with their mutability.
    Struct(Vec<(CanonVal, bool)>),
    Array(CanonVal, bool),
}

/// One type of a canonical group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CanonSub {
    pub is_final: bool,
    pub supertype: Option<CanonIdx>,
    pub composite: CanonComposite,
    /// A function type's Wasm 2.0 view (funcref/externref for references),
    /// what the rest of the engine works with; it follows from the fields
    /// above, so adds nothing to the identity.
    pub func: Option<FuncType>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(&Config::default())
    }
}

impl Engine {
    /// Creates an engine with the given configuration.
    pub fn new(config: &Config) -> Self {
        Engine {
            inner: Arc::new(EngineInner {
                config: config.clone(),
                types: Lock::new(TypeRegistry::default()),
                pool: crate::store::MemoryPool::new(config.memory_pool),
            }),
        }
    }

    /// The configuration this engine was created with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Bytes of freed linear-memory blocks the engine holds for reuse now
    /// (at most [`Config::memory_pool`]'s bound).
    pub fn pooled_memory_bytes(&self) -> usize {
        self.inner.pool.bytes()
    }

    /// The pool of freed linear-memory blocks.
    pub(crate) fn memory_pool(&self) -> &crate::store::MemoryPool {
        &self.inner.pool
    }

    /// True when both handles refer to the same engine.
    pub fn same(&self, other: &Engine) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The canonical id of a lone function type of plain value types (a
    /// host function's type).
    pub(crate) fn intern(&self, ty: &FuncType) -> TypeId {
        use crate::value::ValType;
        if let Some(id) = self.inner.types.with(|reg| reg.lone.get(ty).copied()) {
            return id;
        }
        let canon = |t: &ValType| match t {
            ValType::I32 => CanonVal::I32,
            ValType::I64 => CanonVal::I64,
            ValType::F32 => CanonVal::F32,
            ValType::F64 => CanonVal::F64,
            ValType::V128 => CanonVal::V128,
            ValType::FuncRef | ValType::ExternRef | ValType::ExnRef | ValType::AnyRef => {
                CanonVal::Ref {
                    nullable: true,
                    heap: CanonHeap::Abstract(
                        match t {
                            ValType::FuncRef => wasmparser::AbstractHeapType::Func,
                            ValType::ExternRef => wasmparser::AbstractHeapType::Extern,
                            ValType::ExnRef => wasmparser::AbstractHeapType::Exn,
                            _ => wasmparser::AbstractHeapType::Any,
                        },
                        false,
                    ),
                }
            }
        };
        let sub = CanonSub {
            is_final: true,
            supertype: None,
            composite: CanonComposite::Func(
                ty.params().iter().map(canon).collect(),
                ty.results().iter().map(canon).collect(),
            ),
            func: Some(ty.clone()),
        };
        let id = self.intern_group(vec![sub])[0];
        self.inner.types.with(|reg| reg.lone.insert(ty.clone(), id));
        id
    }

    /// The canonical ids of the types of a recursion group, in order.
    pub(crate) fn intern_group(&self, group: Vec<CanonSub>) -> Vec<TypeId> {
        self.inner.types.with(|reg| {
            let n = group.len() as u32;
            if let Some(&first) = reg.groups.get(&group) {
                return (first..first + n).map(TypeId).collect();
            }
            let first = reg.entries.len() as u32;
            let id = |s: CanonIdx| match s {
                CanonIdx::Rel(i) => TypeId(first + i),
                CanonIdx::Id(id) => TypeId(id),
            };
            for (at, sub) in group.iter().enumerate() {
                let supertype = sub.supertype.map(id);
                reg.entries.push((sub.func.clone(), supertype));
                let CanonComposite::Func(params, _) = &sub.composite else {
                    continue;
                };
                let exact: Box<[Option<RefTy>]> = params
                    .iter()
                    .map(|p| match *p {
                        CanonVal::Ref { nullable, heap } => {
                            let heap = match heap {
                                CanonHeap::Abstract(t, _) => match t {
                                    wasmparser::AbstractHeapType::Func => HeapRef::Func,
                                    wasmparser::AbstractHeapType::NoFunc => HeapRef::NoFunc,
                                    wasmparser::AbstractHeapType::Extern => HeapRef::Extern,
                                    wasmparser::AbstractHeapType::NoExtern => HeapRef::NoExtern,
                                    other => HeapRef::Other(other),
                                },
                                CanonHeap::Concrete(i, _) => HeapRef::Concrete(id(i)),
                            };
                            let r = RefTy { nullable, heap };
                            let plain = nullable && matches!(heap, HeapRef::Func | HeapRef::Extern);
                            (!plain).then_some(r)
                        }
                        _ => None,
                    })
                    .collect();
                if exact.iter().any(Option::is_some) {
                    reg.exact_params.insert(first + at as u32, exact);
                }
            }
            reg.groups.insert(group, first);
            (first..first + n).map(TypeId).collect()
        })
    }

    /// True when `sub` is `sup` or declares it as a (transitive) supertype.
    pub(crate) fn is_subtype(&self, sub: TypeId, sup: TypeId) -> bool {
        if sub == sup {
            return true;
        }
        self.inner.types.with(|reg| {
            let mut at = sub;
            while let Some(next) = reg.entries.get(at.0 as usize).and_then(|e| e.1) {
                if next == sup {
                    return true;
                }
                at = next;
            }
            false
        })
    }

    /// Reference subtyping: `sub` may be used where `sup` is expected.
    pub(crate) fn is_ref_subtype(&self, sub: RefTy, sup: RefTy) -> bool {
        if sub.nullable && !sup.nullable {
            return false;
        }
        match (sub.heap, sup.heap) {
            (a, b) if a == b => true,
            (HeapRef::NoFunc, HeapRef::Func | HeapRef::Concrete(_)) => true,
            (HeapRef::Concrete(_), HeapRef::Func) => true,
            (HeapRef::Concrete(a), HeapRef::Concrete(b)) => self.is_subtype(a, b),
            (HeapRef::NoExtern, HeapRef::Extern) => true,
            _ => false,
        }
    }

    /// The exact type of each parameter of function type `id` whose type is
    /// not a plain nullable reference or a number (`None` when it has no
    /// such parameter).
    pub(crate) fn exact_params(&self, id: TypeId) -> Option<Box<[Option<RefTy>]>> {
        self.inner
            .types
            .with(|reg| reg.exact_params.get(&id.0).cloned())
    }

    pub(crate) fn resolve(&self, id: TypeId) -> FuncType {
        self.inner.types.with(|reg| {
            reg.entries[id.0 as usize]
                .0
                .clone()
                .unwrap_or_else(|| FuncType::new([], []))
        })
    }
}

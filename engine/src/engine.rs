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

/// Shared compilation settings and signature registry. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

#[derive(Debug)]
struct EngineInner {
    config: Config,
    types: Lock<TypeRegistry>,
}

#[derive(Debug, Default)]
struct TypeRegistry {
    ids: HashMap<FuncType, TypeId>,
    types: Vec<FuncType>,
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
            }),
        }
    }

    /// The configuration this engine was created with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// True when both handles refer to the same engine.
    pub fn same(&self, other: &Engine) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    pub(crate) fn intern(&self, ty: &FuncType) -> TypeId {
        self.inner.types.with(|reg| {
            if let Some(id) = reg.ids.get(ty) {
                return *id;
            }
            let id = TypeId(reg.types.len() as u32);
            reg.types.push(ty.clone());
            reg.ids.insert(ty.clone(), id);
            id
        })
    }

    pub(crate) fn resolve(&self, id: TypeId) -> FuncType {
        self.inner
            .types
            .with(|reg| reg.types[id.0 as usize].clone())
    }
}

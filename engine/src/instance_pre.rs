//! [`InstancePre`]: a module whose imports a [`Linker`](crate::Linker)
//! resolved once, instantiated many times (a process runtime makes one
//! store per process, and instantiates the same few modules in them).
//!
//! Instantiating one skips the name lookups of the imports. In a store that
//! holds nothing yet, when every import is a host function of the type the
//! module asks for, it also skips building the instance's index tables:
//! there each item's store index is given by its position (the host
//! functions are made first, in import order), so the instance entity made
//! once for that layout is shared by every such instance (it is immutable).
//! Anything else takes [`Instance::new`]'s path, with the same result.

use crate::error::Error;
use crate::instance::{Instance, Layout, build, check_room, empty_store_layout};
use crate::linker::Definition;
use crate::module::{ImportKind, Module};
use crate::prelude::*;
use crate::store::{AsContextMut, Extern, InstanceEntity};
use alloc::sync::Arc;

/// A module with its imports resolved, ready to be instantiated in any
/// store of its engine ([`crate::Linker::instantiate_pre`]). Cloning it is
/// cheap (it is shared).
pub struct InstancePre<T> {
    inner: Arc<PreInner<T>>,
}

struct PreInner<T> {
    module: Module,
    /// What each import resolved to, in import order.
    defs: Vec<Definition<T>>,
    /// The instance entity of an empty store (see the module docs), when
    /// every import is a host function of the type asked for.
    template: Option<Arc<InstanceEntity>>,
}

impl<T> Clone for InstancePre<T> {
    fn clone(&self) -> Self {
        InstancePre {
            inner: self.inner.clone(),
        }
    }
}

impl<T> core::fmt::Debug for InstancePre<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("InstancePre")
            .field("imports", &self.inner.defs.len())
            .field("template", &self.inner.template.is_some())
            .finish()
    }
}

impl<T> InstancePre<T> {
    /// `module` with its imports resolved to `defs` (in import order).
    pub(crate) fn new(module: &Module, defs: Vec<Definition<T>>) -> Self {
        let m = &module.inner;
        let all_hosts_fit = m
            .imports
            .iter()
            .zip(&defs)
            .all(|(imp, d)| match (&imp.kind, d) {
                (ImportKind::Func(t), Definition::Host(h)) => {
                    let want = m.type_ids[*t as usize];
                    h.type_id == want || m.engine.is_subtype(h.type_id, want)
                }
                _ => false,
            });
        InstancePre {
            inner: Arc::new(PreInner {
                module: module.clone(),
                template: all_hosts_fit.then(|| empty_store_layout(module)),
                defs,
            }),
        }
    }

    /// The module.
    pub fn module(&self) -> &Module {
        &self.inner.module
    }

    /// Instantiates the module in `ctx`'s store and runs its start
    /// function, as [`crate::Linker::instantiate`] would with the
    /// definitions the imports resolved to.
    pub fn instantiate(&self, mut ctx: impl AsContextMut<Data = T>) -> Result<Instance, Error> {
        let store = ctx.as_context_mut();
        let p = &*self.inner;
        let n = p.defs.len();
        // Room for the host functions this makes and the instance's own
        // functions at once (as `Linker::instantiate` reserves it).
        let _ = store.hosts.try_reserve(n);
        let _ = store.inner.funcs.try_reserve(n + p.module.inner.code.len());
        if let Some(template) = &p.template
            && store.is_empty()
        {
            check_room(store, &p.module)?;
            for d in &p.defs {
                d.resolve(store);
            }
            return build(store, &p.module, Layout::Template(template));
        }
        let imports: Vec<Extern> = p.defs.iter().map(|d| d.resolve(store)).collect();
        Instance::new(store, &p.module, &imports)
    }
}

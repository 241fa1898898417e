//! [`Linker`]: named definitions (host functions and store items) that
//! satisfy module imports by module and field name.

use crate::engine::Engine;
use crate::error::Error;
use crate::func::{Caller, HostError, HostFunc, IntoFunc};
use crate::instance::Instance;
use crate::instance_pre::InstancePre;
use crate::module::Module;
use crate::prelude::*;
use crate::store::{AsContext, AsContextMut, Extern, Func, Store};
use crate::value::{FuncType, Val};
use alloc::sync::Arc;
use hashbrown::HashMap;

pub(crate) enum Definition<T> {
    /// An item that already lives in a store.
    Extern(Extern),
    /// A host function, created in each store that instantiates with it.
    Host(Arc<HostFunc<T>>),
}

impl<T> Definition<T> {
    /// The item in `store`: made there if it is a host function.
    pub(crate) fn resolve(&self, store: &mut Store<T>) -> Extern {
        match self {
            Definition::Extern(e) => *e,
            Definition::Host(h) => Extern::Func(Func::from_host(store, h.clone())),
        }
    }
}

impl<T> Clone for Definition<T> {
    fn clone(&self) -> Self {
        match self {
            Definition::Extern(e) => Definition::Extern(*e),
            Definition::Host(h) => Definition::Host(h.clone()),
        }
    }
}

/// A `(module, name)` key made of borrowed names: a lookup (one per import
/// of every instantiation) copies neither. It hashes as the owned key does
/// (a tuple's fields in order, `str` as `String`).
#[derive(Hash)]
struct NameRef<'a>(&'a str, &'a str);

impl hashbrown::Equivalent<(String, String)> for NameRef<'_> {
    fn equivalent(&self, key: &(String, String)) -> bool {
        self.0 == key.0 && self.1 == key.1
    }
}

/// Resolves imports by `(module, name)`.
pub struct Linker<T> {
    engine: Engine,
    defs: HashMap<(String, String), Definition<T>>,
    allow_shadowing: bool,
}

impl<T> Clone for Linker<T> {
    fn clone(&self) -> Self {
        Linker {
            engine: self.engine.clone(),
            defs: self.defs.clone(),
            allow_shadowing: self.allow_shadowing,
        }
    }
}

impl<T> core::fmt::Debug for Linker<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Linker")
            .field("definitions", &self.defs.len())
            .finish()
    }
}

impl<T> Linker<T> {
    /// An empty linker for modules of `engine`.
    pub fn new(engine: &Engine) -> Self {
        Linker {
            engine: engine.clone(),
            defs: HashMap::new(),
            allow_shadowing: false,
        }
    }

    /// Whether a new definition may replace an existing one of the same name.
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        self.allow_shadowing = allow;
        self
    }

    fn insert(&mut self, module: &str, name: &str, def: Definition<T>) -> Result<(), Error> {
        let key = (module.to_string(), name.to_string());
        if !self.allow_shadowing && self.defs.contains_key(&key) {
            return Err(Error::DuplicateDefinition {
                module: key.0,
                name: key.1,
            });
        }
        self.defs.insert(key, def);
        Ok(())
    }

    /// Defines an item that lives in a store.
    pub fn define(
        &mut self,
        module: &str,
        name: &str,
        item: impl Into<Extern>,
    ) -> Result<&mut Self, Error> {
        self.insert(module, name, Definition::Extern(item.into()))?;
        Ok(self)
    }

    /// Defines a host function with an explicit signature.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), HostError> + Send + Sync + 'static,
    ) -> Result<&mut Self, Error> {
        let host = HostFunc::new(&self.engine, ty, f);
        self.insert(module, name, Definition::Host(Arc::new(host)))?;
        Ok(self)
    }

    /// Defines a host function from a typed Rust closure.
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Result<&mut Self, Error> {
        let host = f.into_host_func(&self.engine);
        self.insert(module, name, Definition::Host(Arc::new(host)))?;
        Ok(self)
    }

    /// Defines every export of `instance` under the module name `module`.
    pub fn instance(
        &mut self,
        ctx: impl AsContext<Data = T>,
        module: &str,
        instance: Instance,
    ) -> Result<&mut Self, Error> {
        for (name, ext) in instance.exports(ctx) {
            self.insert(module, &name, Definition::Extern(ext))?;
        }
        Ok(self)
    }

    /// True when `(module, name)` is defined.
    pub fn is_defined(&self, module: &str, name: &str) -> bool {
        self.defs.contains_key(&NameRef(module, name))
    }

    /// The item defined as `(module, name)`, created in `store` if it is a host function.
    pub fn get(&self, store: &mut Store<T>, module: &str, name: &str) -> Option<Extern> {
        Some(self.defs.get(&NameRef(module, name))?.resolve(store))
    }

    /// Resolves `module`'s imports once, for instantiating it many times
    /// (see [`InstancePre`]). Fails, as [`Linker::instantiate`] would, when
    /// an import is not defined; type mismatches are reported when it is
    /// instantiated.
    pub fn instantiate_pre(&self, module: &Module) -> Result<InstancePre<T>, Error> {
        if !module.inner.engine.same(&self.engine) {
            return Err(Error::usage("the module was compiled for another engine"));
        }
        let defs = module
            .inner
            .imports
            .iter()
            .map(|imp| {
                self.defs
                    .get(&NameRef(&imp.module, &imp.name))
                    .cloned()
                    .ok_or_else(|| Error::UnknownImport {
                        module: imp.module.clone(),
                        name: imp.name.clone(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(InstancePre::new(module, defs))
    }

    /// Instantiates `module`, resolving its imports here, and runs its start
    /// function.
    pub fn instantiate(
        &self,
        mut ctx: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance, Error> {
        let store = ctx.as_context_mut();
        let n = module.inner.imports.len();
        // Room for the host functions this makes and the instance's own
        // functions at once, not by doublings (bounded by the module's
        // size; a refusal here is met again, fallibly or not, by the
        // pushes).
        let _ = store.hosts.try_reserve(n);
        let _ = store.inner.funcs.try_reserve(n + module.inner.code.len());
        let mut imports = Vec::with_capacity(n);
        for imp in &module.inner.imports {
            let ext =
                self.get(store, &imp.module, &imp.name)
                    .ok_or_else(|| Error::UnknownImport {
                        module: imp.module.clone(),
                        name: imp.name.clone(),
                    })?;
            imports.push(ext);
        }
        Instance::new(store, module, &imports)
    }
}

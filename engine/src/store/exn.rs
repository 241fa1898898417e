//! Exception handling's store objects: tags (the identity an exception is
//! caught by) and exception objects (a tag and its payload, what an
//! `exnref` refers to).
//!
//! Exception objects are allocated when a guest throws: fallibly, and
//! counted against the store's limiter as [`Resource::Stack`] bytes (they
//! hold operand values, like the value stack). An object that never became
//! visible as an `exnref` (caught by `catch` or `catch_all` of a
//! `try_table`) is recycled at once; the others live until the store is
//! dropped (references to them may sit in locals, globals or tables, and
//! the engine has no collector), which gives their bytes back with the
//! store.

use super::limits::Resource;
use super::{AsContext, AsContextMut, StoreInner};
use crate::engine::TypeId;
use crate::error::{Error, TrapKind};
use crate::prelude::*;
use crate::value::TagType;

/// A tag: its canonical function type (parameters = payload types).
#[derive(Debug, Clone, Copy)]
pub(crate) struct TagEntity {
    pub ty: TypeId,
}

/// An exception object: its tag (store index) and payload (slot encoding).
#[derive(Debug)]
pub(crate) struct ExnEntity {
    pub tag: u32,
    pub payload: Box<[u64]>,
    /// Whether an `exnref` to it was handed out (a `*_ref` catch, a legacy
    /// catch keeping it for `rethrow`): then it cannot be recycled.
    pub escaped: bool,
}

/// Bytes an exception object is counted as: its entry and its payload.
fn exn_bytes(payload: usize) -> usize {
    core::mem::size_of::<ExnEntity>() + payload * core::mem::size_of::<u64>()
}

/// The exception objects of a store and the bytes counted for them.
#[derive(Debug, Default)]
pub(crate) struct Exceptions {
    pub objects: Vec<ExnEntity>,
    /// Indexes of objects that may be reused (their payload kept).
    free: Vec<u32>,
    /// Bytes counted to the limiter for `objects` (and their capacity).
    bytes: usize,
}

impl StoreInner {
    /// Allocates an exception object of tag `tag` carrying `payload`;
    /// returns its index. Fails with `MemoryLimit` when the limiter refuses
    /// the bytes or the allocation fails.
    pub(crate) fn new_exception(&mut self, tag: u32, payload: &[u64]) -> Result<u32, TrapKind> {
        let StoreInner {
            rare,
            limiter,
            stack_bytes,
            ..
        } = self;
        let exns = &mut rare.state().exns;
        // A recycled object of the same payload length needs no allocation.
        if let Some(pos) = exns
            .free
            .iter()
            .rposition(|&i| exns.objects[i as usize].payload.len() == payload.len())
        {
            let i = exns.free.swap_remove(pos);
            let e = &mut exns.objects[i as usize];
            e.tag = tag;
            e.payload.copy_from_slice(payload);
            e.escaped = false;
            return Ok(i);
        }
        if exns.objects.len() >= u32::MAX as usize - 1 {
            return Err(TrapKind::MemoryLimit);
        }
        let grow_vec = exns.objects.len() == exns.objects.capacity();
        let vec_extra = if grow_vec {
            exns.objects.capacity().max(4) * core::mem::size_of::<ExnEntity>()
        } else {
            0
        };
        let extra = exn_bytes(payload.len()) - core::mem::size_of::<ExnEntity>() + vec_extra;
        let current = *stack_bytes + exns.bytes;
        let desired = current.saturating_add(extra);
        if !limiter.ask(Resource::Stack, current, desired, None) {
            return Err(TrapKind::MemoryLimit);
        }
        let mut data = Vec::new();
        let ok = data.try_reserve_exact(payload.len()).is_ok()
            && (!grow_vec
                || exns
                    .objects
                    .try_reserve_exact(exns.objects.capacity().max(4))
                    .is_ok());
        if !ok {
            limiter.failed(Resource::Stack, current, desired);
            return Err(TrapKind::MemoryLimit);
        }
        exns.bytes += extra;
        data.extend_from_slice(payload);
        exns.objects.push(ExnEntity {
            tag,
            payload: data.into_boxed_slice(),
            escaped: false,
        });
        Ok(exns.objects.len() as u32 - 1)
    }

    /// Makes an object caught without a reference reusable, unless a
    /// reference to it was handed out.
    pub(crate) fn recycle_exception(&mut self, index: u32) {
        let exns = &mut self.rare.state().exns;
        if let Some(e) = exns.objects.get(index as usize)
            && !e.escaped
            && exns.free.try_reserve(1).is_ok()
        {
            exns.free.push(index);
        }
    }

    /// Bytes counted for exception objects.
    pub(crate) fn exception_bytes(&self) -> usize {
        self.rare.get().map_or(0, |r| r.exns.bytes)
    }
}

/// An exception tag in a store (exception handling): what `throw` names
/// and a `catch` matches, by identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tag {
    pub(crate) store: u32,
    pub(crate) index: u32,
}

impl Tag {
    /// Creates a new tag of the given type in the store, distinct from
    /// every other tag.
    pub fn new(mut ctx: impl AsContextMut, ty: &TagType) -> Result<Tag, Error> {
        let store = ctx.as_context_mut();
        let id = store.inner.engine.intern(&ty.ty);
        let tags = &mut store.inner.rare.state().tags;
        if tags.try_reserve(1).is_err() {
            return Err(Error::Limit("cannot allocate a tag".into()));
        }
        tags.push(TagEntity { ty: id });
        Ok(Tag {
            store: store.inner.id,
            index: tags.len() as u32 - 1,
        })
    }

    /// The tag's type.
    pub fn ty(&self, ctx: impl AsContext) -> TagType {
        let store = ctx.as_context();
        store.check(self.store);
        let entity = store
            .inner
            .rare
            .tag(self.index)
            .expect("a tag of this store");
        TagType {
            ty: store.inner.engine.resolve(entity.ty),
        }
    }
}

//! Every allocation whose size a guest chooses goes through here: the
//! store's [`ResourceLimiter`] is asked first, the allocation is fallible,
//! and failure becomes an error or a trap, never an abort. The interpreter
//! calls [`grow_slots`] and [`grow_frames`] when its stacks are full.

use super::limits::{Resource, ResourceLimiter, TABLE_ELEMENT_BYTES};
use super::{LinearMemory, StoreInner};
use crate::error::{Error, TrapKind};
use crate::exec::Frame;
use crate::prelude::*;

/// The store's limiter, if the embedder set one.
#[derive(Default)]
pub(crate) struct Limiter(pub(crate) Option<Box<dyn ResourceLimiter>>);

impl core::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Limiter(set)"
        } else {
            "Limiter(none)"
        })
    }
}

impl Limiter {
    /// Asks about a growth; `true` without a limiter.
    pub(crate) fn ask(
        &mut self,
        resource: Resource,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> bool {
        match &mut self.0 {
            None => true,
            Some(l) => match resource {
                Resource::Memory => l.memory_growing(current, desired, maximum),
                Resource::Table => l.table_growing(current, desired, maximum),
                Resource::Stack => l.stack_growing(current, desired),
            },
        }
    }

    /// The most bytes a memory may ever hold, if the limiter bounds it.
    pub(crate) fn reservation(&mut self) -> Option<usize> {
        self.0.as_mut().and_then(|l| l.memory_reservation())
    }

    /// Reports that an allowed growth did not happen.
    pub(crate) fn failed(&mut self, resource: Resource, current: usize, desired: usize) {
        if let Some(l) = &mut self.0 {
            l.growth_failed(resource, current, desired);
        }
    }

    /// Reports bytes freed early.
    pub(crate) fn released(&mut self, resource: Resource, bytes: usize) {
        if let Some(l) = &mut self.0
            && bytes > 0
        {
            l.released(resource, bytes);
        }
    }
}

const SLOT_BYTES: usize = core::mem::size_of::<u64>();
const FRAME_BYTES: usize = core::mem::size_of::<Frame>();

/// Bytes an interpreter state's stacks hold (what was charged for them).
pub(crate) fn stack_bytes(slots: &Vec<u64>, frames: &Vec<Frame>) -> usize {
    slots.capacity() * SLOT_BYTES + frames.capacity() * FRAME_BYTES
}

/// Reserves room for `extra` more elements in `v`, asking the limiter about
/// the stack growth first.
fn reserve_stack<E>(
    inner: &mut StoreInner,
    v: &mut Vec<E>,
    extra: usize,
    elem_bytes: usize,
) -> Result<(), TrapKind> {
    let more = v.len().saturating_add(extra).saturating_sub(v.capacity());
    if more == 0 {
        return Ok(());
    }
    let current = inner.stack_bytes;
    let desired = current.saturating_add(more.saturating_mul(elem_bytes));
    if !inner.limiter.ask(Resource::Stack, current, desired, None) {
        return Err(TrapKind::MemoryLimit);
    }
    let before = v.capacity();
    if v.try_reserve_exact(extra).is_err() {
        inner.limiter.failed(Resource::Stack, current, desired);
        return Err(TrapKind::StackExhausted);
    }
    inner.stack_bytes = current + (v.capacity() - before) * elem_bytes;
    Ok(())
}

/// Grows the value stack to at least `need` slots (zeroed), to twice that
/// when `double` and it can (calls, so that deepening recursion is
/// amortised): "call stack exhausted" past the configured maximum or when
/// the allocator fails, "memory limit exceeded" when the limiter refuses.
pub(crate) fn grow_slots(
    inner: &mut StoreInner,
    slots: &mut Vec<u64>,
    need: usize,
    double: bool,
) -> Result<(), TrapKind> {
    if need <= slots.len() {
        return Ok(());
    }
    let max = inner.engine.config().max_stack_slots;
    if need > max {
        return Err(TrapKind::StackExhausted);
    }
    let doubled = if double {
        need.saturating_mul(2).min(max).max(need)
    } else {
        need
    };
    let want = if doubled > slots.capacity()
        && reserve_stack(inner, slots, doubled - slots.len(), SLOT_BYTES).is_ok()
    {
        doubled
    } else {
        reserve_stack(inner, slots, need - slots.len(), SLOT_BYTES)?;
        need
    };
    slots.resize(want, 0);
    Ok(())
}

/// Makes room for one more frame (the interpreter calls it when the frame
/// stack is full), doubling up to the configured call depth.
pub(crate) fn grow_frames(inner: &mut StoreInner, frames: &mut Vec<Frame>) -> Result<(), TrapKind> {
    if frames.len() < frames.capacity() {
        return Ok(());
    }
    let max = inner.engine.config().max_call_depth;
    // From 4 frames, as `Vec::push` would (an idle process stays small).
    let want = frames.capacity().saturating_mul(2).clamp(4, max.max(4));
    let extra = want.saturating_sub(frames.len()).max(1);
    if reserve_stack(inner, frames, extra, FRAME_BYTES).is_err() {
        reserve_stack(inner, frames, 1, FRAME_BYTES)?;
    }
    Ok(())
}

/// Gives back a parked interpreter state's stacks (they are freed).
pub(crate) fn release_stacks(inner: &mut StoreInner, bytes: usize) {
    inner.stack_bytes = inner.stack_bytes.saturating_sub(bytes);
    inner.limiter.released(Resource::Stack, bytes);
}

/// A table's elements: `len` copies of `init`, asked of the limiter and
/// allocated fallibly. `maximum` is the table's declared maximum in
/// elements.
pub(crate) fn table_elems(
    inner: &mut StoreInner,
    len: u32,
    maximum: Option<u32>,
    init: u64,
) -> Result<Vec<u64>, Error> {
    let bytes = len as usize * TABLE_ELEMENT_BYTES;
    if len > inner.limits.table_elements {
        return Err(Error::Limit(format!(
            "table of {len} elements exceeds the store's limit of {} elements",
            inner.limits.table_elements
        )));
    }
    let max = maximum.map(|m| m as usize * TABLE_ELEMENT_BYTES);
    if !inner.limiter.ask(Resource::Table, 0, bytes, max) {
        return Err(Error::Limit(format!(
            "table of {len} elements ({bytes} bytes) exceeds the memory limit"
        )));
    }
    let cannot = |inner: &mut StoreInner| {
        inner.limiter.failed(Resource::Table, 0, bytes);
        Error::Limit(format!(
            "cannot allocate a table of {len} elements ({bytes} bytes)"
        ))
    };
    if init == 0 {
        // Null references: zero pages, touched only where set.
        return LinearMemory::zeroed_slots(len as usize).map_err(|_| cannot(inner));
    }
    let mut elems = Vec::new();
    if elems.try_reserve_exact(len as usize).is_err() {
        return Err(cannot(inner));
    }
    elems.resize(len as usize, init);
    Ok(elems)
}

/// Copies `n` elements from table `src` at `s` to table `dst` at `d`
/// (bounds already checked), without allocating.
pub(crate) fn copy_between_tables(
    inner: &mut StoreInner,
    dst: usize,
    d: usize,
    src: usize,
    s: usize,
    n: usize,
) {
    if dst == src {
        inner.tables[dst].elems.copy_within(s..s + n, d);
    } else if dst < src {
        let (a, b) = inner.tables.split_at_mut(src);
        a[dst].elems[d..d + n].copy_from_slice(&b[0].elems[s..s + n]);
    } else {
        let (a, b) = inner.tables.split_at_mut(dst);
        b[0].elems[d..d + n].copy_from_slice(&a[src].elems[s..s + n]);
    }
}

//! Exception handling in the interpreter: finding the handler of a thrown
//! exception on the explicit frame stack.
//!
//! A throw never unwinds the Rust stack (there is nothing to unwind: guest
//! calls are [`Frame`]s). The search looks at the throwing frame (at the
//! throwing instruction) and then at each caller (at its call), innermost
//! first, in each body's handler table (`Body::handlers`, built by
//! `translate/exceptions.rs`); it only reads. Its work is bounded by the
//! frames the guest paid calls for, times the size of their (translated,
//! so module-bounded) tables. The interpreter then drops the frames above
//! the handler's, writes the payload (and the `exnref`) into the handler's
//! slots and continues at its target; with no handler, the call ends with
//! [`crate::TrapKind::UncaughtException`], whose backtrace is taken at the
//! throw. Host functions cannot throw, and a host function that calls back
//! into Wasm gets an uncaught exception of that call as its error: an
//! exception never crosses a host call, so a suspended call resumes as
//! ever.

use super::Frame;
use crate::isa::{Handler, HandlerKind};
use crate::store::StoreInner;

/// The handler for an exception of store tag `tag` thrown at `current`
/// (its pc at the throwing instruction) with callers `frames`: the index of
/// the frame that catches (`frames.len()` for `current`) and the handler.
pub(super) fn find_handler(
    inner: &StoreInner,
    frames: &[Frame],
    current: &Frame,
    tag: u32,
) -> Option<(usize, Handler)> {
    // A caller's saved pc is just after its call.
    let callers = frames
        .iter()
        .enumerate()
        .rev()
        .map(|(j, f)| (j, f, f.pc.saturating_sub(1)));
    for (j, f, pc) in core::iter::once((frames.len(), current, current.pc)).chain(callers) {
        let inst = &inner.instances[f.instance as usize];
        let Some(body) = inst.module.code[f.func as usize].translated() else {
            continue;
        };
        let handlers = &body.handlers;
        let mut i = 0;
        while i < handlers.len() {
            let h = &handlers[i];
            if h.start <= pc && pc < h.end {
                match h.kind {
                    HandlerKind::All => return Some((j, *h)),
                    HandlerKind::Tag(t) if inst.tags.get(t as usize) == Some(&tag) => {
                        return Some((j, *h));
                    }
                    HandlerKind::Tag(_) => {}
                    HandlerKind::Delegate => {
                        // On to the handlers enclosing the delegate's label
                        // (always further on; `u32::MAX`: none here).
                        if (h.target as usize) <= i {
                            break;
                        }
                        i = h.target as usize;
                        continue;
                    }
                }
            }
            i += 1;
        }
    }
    None
}

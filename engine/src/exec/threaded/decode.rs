//! The two unchecked steps of threaded dispatch: finding the handler of a
//! tag, and reading an instruction's operands in the handler of its variant.
//!
//! Soundness rests on [`super::ops::HANDLERS`] holding, at index `t`, the
//! handler of the variant whose tag is `t` (the table is generated in the
//! order of `isa::Instr`'s declaration, which `repr(u16)` numbers from 0;
//! the unit test below checks every entry against the variant's name), and
//! on a handler running only for instructions of its own variant.

use super::Handler;
use super::ops::HANDLERS;
use crate::exec::cursor::Ip;
use crate::isa::Instr;

/// The handler of the instruction with tag `tag`.
#[inline(always)]
pub(super) fn handler(tag: u16) -> Handler {
    debug_assert!((tag as usize) < HANDLERS.len());
    // SAFETY: tags are variant indexes of `Instr` and the table has one
    // entry per variant (module docs).
    unsafe { *HANDLERS.get_unchecked(tag as usize) }
}

/// The amount of the `ConsumeFuel` at `at`, a branch target the
/// translator flagged with [`crate::isa::FUEL_TARGET`], without testing its
/// tag.
#[inline(always)]
pub(super) fn fuel_amount(at: Ip) -> u32 {
    let Instr::ConsumeFuel { amount } = at.get() else {
        debug_assert!(false, "a flagged branch target is not a ConsumeFuel");
        // SAFETY: translation flags a target only when the instruction it
        // names is a `ConsumeFuel`, in its last pass over the body, which
        // is never changed afterwards (`Instr::resolve_branches`).
        unsafe { core::hint::unreachable_unchecked() }
    };
    amount
}

/// `decode!(ip, Variant { fields })`: binds the operands of the instruction
/// at `ip`, which is known to be a `Variant` because only `Variant`'s
/// handler uses it.
macro_rules! decode {
    ($ip:expr, $variant:ident { $($field:tt)* }) => {
        let Instr::$variant { $($field)* } = $ip.get() else {
            // SAFETY: the handler table dispatches to this handler only for
            // this variant (module docs of `threaded::decode`).
            unsafe { core::hint::unreachable_unchecked() }
        };
    };
}
pub(super) use decode;

#[cfg(test)]
mod tests {
    use super::super::ops::HANDLER_NAMES;
    use crate::isa::Instr;
    use crate::prelude::*;

    /// An instruction with tag `tag` and zero operands.
    fn zeroed(tag: usize) -> Instr {
        let mut bytes = [0u8; core::mem::size_of::<Instr>()];
        bytes[..2].copy_from_slice(&(tag as u16).to_ne_bytes());
        // SAFETY: as in `every_tag_has_the_handler_of_its_variant`.
        unsafe { core::mem::transmute(bytes) }
    }

    /// Every variant that names a branch target (a field `target`) is one
    /// whose target translation resolves (`Instr::branch_target_mut`): the
    /// handlers read every target as a distance from its instruction.
    #[test]
    fn every_variant_with_a_target_has_it_resolved() {
        let mut branches = 0;
        for tag in 0..HANDLER_NAMES.len() {
            let mut instr = zeroed(tag);
            let named = format!("{instr:?}").contains("target:");
            assert_eq!(named, instr.branch_target_mut().is_some(), "{instr:?}");
            branches += usize::from(named);
        }
        assert!(branches > 50, "{branches}");
    }

    #[test]
    fn every_tag_has_the_handler_of_its_variant() {
        for (tag, name) in HANDLER_NAMES.iter().enumerate() {
            // An instruction with this tag and zero operands (every operand
            // is an integer, for which zero bits are valid).
            let mut bytes = [0u8; core::mem::size_of::<Instr>()];
            bytes[..2].copy_from_slice(&(tag as u16).to_ne_bytes());
            // SAFETY: a tag below the variant count and integer fields make
            // a valid `Instr` (`repr(u16)`); `Pair16` is two integers too.
            let instr: Instr = unsafe { core::mem::transmute(bytes) };
            let debug = format!("{instr:?}");
            let variant = debug.split([' ', '{']).next().unwrap();
            assert_eq!(variant, *name, "tag {tag}");
        }
    }
}

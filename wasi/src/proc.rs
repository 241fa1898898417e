//! `proc_exit`, `proc_raise` and `sched_yield`.

use crate::blocked::BlockedOn;
use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiError, WasiResult};
use crate::memory::GuestMemory;

/// Ends the guest with exit code `code`. As in wasmtime, codes of 126 and
/// above are refused with a trap (they collide with the codes shells use
/// for "cannot run" and signals).
pub fn proc_exit(_ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, code: u32) -> WasiResult<()> {
    if code >= 126 {
        return Err(WasiError::Trap(format!(
            "exit with invalid exit status outside of [0..126): {code}"
        )));
    }
    Err(WasiError::Exit(code as i32))
}

/// Signals are not supported: `Nosys`.
pub fn proc_raise(_ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, _sig: u32) -> WasiResult<()> {
    Err(Errno::Nosys.into())
}

/// Gives up the rest of the time slice: reports [`BlockedOn::Yield`] (the
/// store suspends with [`crate::Yielded`]). Whoever drives the store lets
/// others run first (a single-process driver at once) and completes the
/// call with errno 0 (`Store::resume_with`), so the function is not called
/// again.
pub fn sched_yield(_ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>) -> WasiResult<()> {
    Err(WasiError::Blocked(BlockedOn::Yield))
}

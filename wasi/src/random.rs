//! `random_get`: random bytes from the host environment.

use crate::ctx::WasiCtx;
use crate::errno::WasiResult;
use crate::memory::GuestMemory;

/// Fills `len` bytes at `buf` with random bytes.
pub fn random_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    buf: u32,
    len: u32,
) -> WasiResult<()> {
    let out = mem.slice_mut(buf, len)?;
    ctx.host.random(out);
    Ok(())
}

//! `random_get`: random bytes from the host environment.

use crate::ctx::{WasiCtx, bytes_fuel};
use crate::errno::WasiResult;
use crate::memory::GuestMemory;

/// Fills `len` bytes at `buf` with random bytes. The range is checked and
/// the work paid for (1 fuel per 64 bytes, docs/wasi.md) before any byte is
/// made.
pub fn random_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    buf: u32,
    len: u32,
) -> WasiResult<()> {
    mem.slice(buf, len)?;
    ctx.charge(bytes_fuel(len as u64))?;
    let out = mem.slice_mut(buf, len)?;
    ctx.host.random(out);
    Ok(())
}

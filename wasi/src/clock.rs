//! `clock_*`: the wall clock and the monotonic clock, read from the host
//! environment. The CPU-time clocks are not offered (`Badf`, as in wasmtime);
//! an unknown clock id is `Inval`.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::memory::GuestMemory;
use crate::types::clockid;

/// Writes the resolution of clock `id` in nanoseconds.
pub fn clock_res_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    id: u32,
    out: u32,
) -> WasiResult<()> {
    let res = match id {
        clockid::REALTIME => ctx.host.clock_resolution(true),
        clockid::MONOTONIC => ctx.host.clock_resolution(false),
        clockid::PROCESS_CPUTIME | clockid::THREAD_CPUTIME => return Err(Errno::Badf.into()),
        _ => return Err(Errno::Inval.into()),
    };
    mem.write_u64(out, res)
}

/// Writes the time of clock `id` in nanoseconds (`precision` is a hint and
/// is ignored).
pub fn clock_time_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    id: u32,
    _precision: u64,
    out: u32,
) -> WasiResult<()> {
    let now = match id {
        clockid::REALTIME => ctx.host.wall_clock()?,
        clockid::MONOTONIC => ctx.host.monotonic_now(),
        clockid::PROCESS_CPUTIME | clockid::THREAD_CPUTIME => return Err(Errno::Badf.into()),
        _ => return Err(Errno::Inval.into()),
    };
    mem.write_u64(out, now)
}

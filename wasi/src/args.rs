//! `args_*` and `environ_*`: the guest's arguments and environment, as
//! NUL-terminated strings with an array of pointers to them.

use crate::ctx::WasiCtx;
use crate::errno::WasiResult;
use crate::memory::GuestMemory;

fn write_strings<'a>(
    mem: &mut GuestMemory<'_>,
    items: impl Iterator<Item = Vec<u8>> + 'a,
    mut ptrs: u32,
    mut buf: u32,
) -> WasiResult<()> {
    for item in items {
        mem.write_u32(ptrs, buf)?;
        ptrs = ptrs.wrapping_add(4);
        mem.write_bytes(buf, &item)?;
        buf = buf.wrapping_add(item.len() as u32);
        mem.write_u8(buf, 0)?;
        buf = buf.wrapping_add(1);
    }
    Ok(())
}

fn sizes(items: impl Iterator<Item = usize>) -> WasiResult<(u32, u32)> {
    let mut count = 0usize;
    let mut bytes = 0usize;
    for len in items {
        count += 1;
        bytes += len + 1;
    }
    Ok((u32::try_from(count)?, u32::try_from(bytes)?))
}

/// Writes pointers to the arguments at `argv` and the strings at `argv_buf`.
pub fn args_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    argv: u32,
    argv_buf: u32,
) -> WasiResult<()> {
    let items = ctx.args.iter().map(|a| a.as_bytes().to_vec());
    write_strings(mem, items, argv, argv_buf)
}

/// Writes the number of arguments and the size of their strings.
pub fn args_sizes_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    count: u32,
    size: u32,
) -> WasiResult<()> {
    let (n, bytes) = sizes(ctx.args.iter().map(|a| a.len()))?;
    mem.write_u32(count, n)?;
    mem.write_u32(size, bytes)
}

/// Writes pointers to `NAME=VALUE` strings at `environ` and the strings at `environ_buf`.
pub fn environ_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    environ: u32,
    environ_buf: u32,
) -> WasiResult<()> {
    let items = ctx.env.iter().map(|(k, v)| format!("{k}={v}").into_bytes());
    write_strings(mem, items, environ, environ_buf)
}

/// Writes the number of environment variables and the size of their strings.
pub fn environ_sizes_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    count: u32,
    size: u32,
) -> WasiResult<()> {
    let (n, bytes) = sizes(ctx.env.iter().map(|(k, v)| k.len() + 1 + v.len()))?;
    mem.write_u32(count, n)?;
    mem.write_u32(size, bytes)
}

//! `args_*` and `environ_*`: the guest's arguments and environment, as
//! NUL-terminated strings with an array of pointers to them.

use crate::ctx::WasiCtx;
use crate::errno::{WasiError, WasiResult};
use crate::memory::GuestMemory;

/// Writes each item (the concatenation of its parts) NUL-terminated at
/// `buf`, one after the other, and a pointer to each at `ptrs`. The parts
/// are copied straight into guest memory: no string is built on the host
/// (every guest reads its arguments and environment when it starts).
fn write_strings<'a>(
    mem: &mut GuestMemory<'_>,
    items: impl Iterator<Item = [&'a [u8]; 3]>,
    mut ptrs: u32,
    mut buf: u32,
) -> WasiResult<()> {
    for parts in items {
        mem.write_u32(ptrs, buf)?;
        ptrs = ptrs.wrapping_add(4);
        let len: usize = parts.iter().map(|p| p.len()).sum();
        // The whole string is checked before any of it is written, as when
        // it was one host string.
        let len = u32::try_from(len).map_err(|_| WasiError::MemoryOutOfBounds)?;
        let mut at = 0;
        let dst = mem.slice_mut(buf, len)?;
        for p in parts {
            dst[at..at + p.len()].copy_from_slice(p);
            at += p.len();
        }
        buf = buf.wrapping_add(len);
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
    let items = ctx.args.iter().map(|a| [a.as_bytes(), &[][..], &[][..]]);
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
    let items = ctx
        .env
        .iter()
        .map(|(k, v)| [k.as_bytes(), &b"="[..], v.as_bytes()]);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_written_nul_terminated_with_their_pointers() {
        let mut ctx = WasiCtx::builder()
            .args(["prog", "", "x y"])
            .env("A", "1")
            .env("LONG", "")
            .build()
            .unwrap();
        let mut bytes = vec![0xEEu8; 128];
        let mut mem = GuestMemory::new(&mut bytes);
        args_sizes_get(&mut ctx, &mut mem, 0, 4).unwrap();
        assert_eq!(
            (mem.read_u32(0).unwrap(), mem.read_u32(4).unwrap()),
            (3, 10)
        );
        args_get(&mut ctx, &mut mem, 8, 32).unwrap();
        let ptrs: Vec<u32> = (0..3).map(|i| mem.read_u32(8 + 4 * i).unwrap()).collect();
        assert_eq!(ptrs, [32, 37, 38]);
        assert_eq!(mem.slice(32, 11).unwrap(), b"prog\0\0x y\0\xEE");
        environ_sizes_get(&mut ctx, &mut mem, 0, 4).unwrap();
        assert_eq!(
            (mem.read_u32(0).unwrap(), mem.read_u32(4).unwrap()),
            (2, 10)
        );
        environ_get(&mut ctx, &mut mem, 8, 64).unwrap();
        assert_eq!(
            (mem.read_u32(8).unwrap(), mem.read_u32(12).unwrap()),
            (64, 68)
        );
        assert_eq!(mem.slice(64, 11).unwrap(), b"A=1\0LONG=\0\xEE");
        // A string that does not fit is not written at all (a fault): the
        // first fits in 121..125, the second would end past 128.
        assert!(environ_get(&mut ctx, &mut mem, 8, 121).is_err());
        assert_eq!(mem.slice(120, 8).unwrap(), b"\xEEA=1\0\xEE\xEE\xEE");
    }
}

//! `sock_*`: sockets. No socket can be granted yet: an open descriptor is
//! `Notsock` (it is not a socket), a number that is not open is `Badf`, as
//! wasmtime answers; the functions exist so that modules importing them link.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::memory::GuestMemory;

fn no_socket(ctx: &WasiCtx, fd: u32) -> WasiResult<()> {
    // An open descriptor is not a socket; anything else is a bad number.
    ctx.fds.get(fd)?;
    Err(Errno::Notsock.into())
}

/// Accepts a connection on a listening socket.
pub fn sock_accept(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    _flags: u32,
    _out_fd: u32,
) -> WasiResult<()> {
    no_socket(ctx, fd)
}

/// Receives data from a socket.
#[allow(clippy::too_many_arguments)]
pub fn sock_recv(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    _iovs: u32,
    _iovs_len: u32,
    _ri_flags: u32,
    _out_len: u32,
    _out_flags: u32,
) -> WasiResult<()> {
    no_socket(ctx, fd)
}

/// Sends data on a socket.
pub fn sock_send(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    _iovs: u32,
    _iovs_len: u32,
    _si_flags: u32,
    _out_len: u32,
) -> WasiResult<()> {
    no_socket(ctx, fd)
}

/// Shuts down a socket's send and/or receive side.
pub fn sock_shutdown(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    _how: u32,
) -> WasiResult<()> {
    no_socket(ctx, fd)
}

//! `sock_*`: TCP sockets granted to the guest.
//!
//! A guest holds a socket only if it was granted one: a listener preopened
//! by its embedder (`wasiproc run --tcplisten`, [`crate::WasiCtxBuilder::tcp_listener`]),
//! a connection accepted on it, or either of them passed by a parent
//! process. Nothing else creates a socket, so a guest without one has no
//! network: every call answers `Notsock` for an open descriptor that is not
//! a socket and `Badf` for a number that is not open, as wasmtime does.
//!
//! Every host operation goes through the [`crate::HostEnv`] without
//! blocking; a call that would wait reports "blocked on the socket" and is
//! retried when the socket is ready (or answers `Again` on a descriptor
//! with `fdflags::NONBLOCK`). Bytes move between the host socket and the
//! guest's memory directly: the host keeps no buffer for a guest. The copy
//! is charged like `fd_read`/`fd_write` (one unit of fuel per 64 bytes of
//! the buffers, before anything is done).

use crate::blocked::{BlockedOn, Interest};
use crate::ctx::{Pending, WasiCtx, bytes_fuel};
use crate::errno::{Errno, WasiError, WasiResult};
use crate::memory::GuestMemory;
use crate::table::{Descriptor, SockFd};
use crate::types::fdflags;

/// `riflags::RECV_PEEK`: look at the data without taking it.
pub const RECV_PEEK: u16 = 1;
/// `riflags::RECV_WAITALL`: wait until the buffers are full (or the stream
/// ends).
pub const RECV_WAITALL: u16 = 2;
/// `sdflags::RD`: shut down the receiving side.
pub const SHUT_RD: u8 = 1;
/// `sdflags::WR`: shut down the sending side.
pub const SHUT_WR: u8 = 2;

/// A `RECV_WAITALL` receive that reported "blocked" after taking some
/// bytes: its retry (same arguments) continues after them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PendingRecv {
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    flags: u16,
    done: u32,
}

fn blocked(fd: u32, s: &SockFd, interest: Interest) -> WasiError {
    if s.nonblock {
        return Errno::Again.into();
    }
    WasiError::Blocked(BlockedOn::Socket {
        fd,
        handle: s.handle.0,
        interest,
    })
}

/// A connected socket: `Notsock` for other descriptors, `Notconn` for a
/// listener.
fn connection(ctx: &WasiCtx, fd: u32) -> WasiResult<SockFd> {
    let s = ctx.fds.socket(fd)?;
    if s.listener {
        return Err(Errno::Notconn.into());
    }
    Ok(s.clone())
}

/// Receives into the iovecs of a connection (`sock_recv` and `fd_read`):
/// one buffer per call (the first non-empty one), unless `RECV_WAITALL`
/// asks to fill them all. Returns the bytes received (0 at end of stream).
pub(crate) fn recv(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    flags: u16,
) -> WasiResult<u32> {
    if flags & !(RECV_PEEK | RECV_WAITALL) != 0 {
        return Err(Errno::Inval.into());
    }
    let s = connection(ctx, fd)?;
    let h = s.handle;
    let peek = flags & RECV_PEEK != 0;
    let iovecs = mem.iovecs(iovs, iovs_len)?;
    let bytes = iovecs.iter().map(|v| v.len as u64).sum::<u64>() + 8 * iovecs.len() as u64;
    ctx.charge(bytes_fuel(bytes))?;
    let first = iovecs.iter().position(|v| v.len > 0);
    let Some(first) = first else {
        return Ok(0);
    };
    if flags & RECV_WAITALL == 0 || peek {
        // One receive into one buffer; a peek that must wait for all of
        // it looks again until the buffer is full or the stream ended.
        let v = iovecs[first];
        let buf = mem.slice_mut(v.ptr, v.len)?;
        let peek_all = peek && flags & RECV_WAITALL != 0;
        return match ctx.host.sock_recv(h, buf, peek)? {
            Some(n) if !peek_all || n == 0 || n == v.len as usize || s.nonblock => Ok(n as u32),
            _ => Err(blocked(fd, &s, Interest::Read)),
        };
    }
    // RECV_WAITALL: fill every buffer in turn, keeping the progress across
    // attempts of the same call.
    let key = PendingRecv {
        fd,
        iovs,
        iovs_len,
        flags,
        done: 0,
    };
    let mut done = match ctx.pending.take().map(|p| *p) {
        Some(Pending::Recv(p))
            if (p.fd, p.iovs, p.iovs_len, p.flags) == (fd, iovs, iovs_len, flags) =>
        {
            p.done
        }
        _ => 0,
    };
    let mut skip = done;
    for v in &iovecs[first..] {
        if skip >= v.len {
            skip -= v.len;
            continue;
        }
        let mut at = skip;
        skip = 0;
        if done.checked_add(v.len - at).is_none() {
            // The count must fit its u32 (iovecs may name one buffer many
            // times): a short receive.
            break;
        }
        while at < v.len {
            let buf = mem.slice_mut(v.ptr + at, v.len - at)?;
            match ctx.host.sock_recv(h, buf, false)? {
                Some(0) => return Ok(done),
                Some(n) => {
                    at += n as u32;
                    done += n as u32;
                }
                None if s.nonblock && done > 0 => return Ok(done),
                None => {
                    ctx.pending = Some(Box::new(Pending::Recv(PendingRecv { done, ..key })));
                    return Err(blocked(fd, &s, Interest::Read));
                }
            }
        }
    }
    Ok(done)
}

/// Sends the iovecs on a connection (`sock_send` and `fd_write`), stopping
/// at the first short send; "blocked" (or `Again`) only when nothing was
/// sent, an error only when nothing was sent.
pub(crate) fn send(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
) -> WasiResult<u32> {
    let s = connection(ctx, fd)?;
    let iovecs = mem.iovecs(iovs, iovs_len)?;
    let bytes = iovecs.iter().map(|v| v.len as u64).sum::<u64>() + 8 * iovecs.len() as u64;
    ctx.charge(bytes_fuel(bytes))?;
    let mut total: u32 = 0;
    for v in iovecs {
        if v.len == 0 {
            continue;
        }
        if total.checked_add(v.len).is_none() {
            break;
        }
        let sent = match ctx.host.sock_send(s.handle, mem.slice(v.ptr, v.len)?) {
            Ok(Some(n)) => n.min(v.len as usize) as u32,
            Ok(None) if total == 0 => return Err(blocked(fd, &s, Interest::Write)),
            Err(e) if total == 0 => return Err(e.into()),
            Ok(None) | Err(_) => break,
        };
        total += sent;
        if sent < v.len {
            break;
        }
    }
    Ok(total)
}

/// Accepts a connection on a listening socket; writes its new descriptor.
/// `flags` may hold `fdflags::NONBLOCK` for the new descriptor. Waits
/// (reports "blocked") while no connection is pending, unless the listener
/// is non-blocking (`Again`). `Mfile` past the descriptor limit, before a
/// connection is taken.
pub fn sock_accept(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    out_fd: u32,
) -> WasiResult<()> {
    let s = ctx.fds.socket(fd)?.clone();
    mem.slice(out_fd, 4)?;
    if flags & !u32::from(fdflags::NONBLOCK) != 0 {
        return Err(Errno::Inval.into());
    }
    if !s.listener {
        return Err(Errno::Inval.into());
    }
    if !ctx.fds.has_room(1) {
        return Err(Errno::Mfile.into());
    }
    let Some(h) = ctx.host.sock_accept(s.handle)? else {
        return Err(blocked(fd, &s, Interest::Read));
    };
    let conn = Descriptor::Socket(SockFd {
        handle: h,
        listener: false,
        nonblock: flags & u32::from(fdflags::NONBLOCK) != 0,
    });
    match ctx.fds.try_push(conn) {
        Ok(new) => mem.write_u32(out_fd, new),
        Err((e, d)) => {
            crate::fd::release(ctx, d);
            Err(e.into())
        }
    }
}

/// Receives data from a connection (`ri_flags`: `RECV_PEEK`,
/// `RECV_WAITALL`); writes the bytes received and `ro_flags` (always 0: a
/// stream is never truncated).
#[allow(clippy::too_many_arguments)]
pub fn sock_recv(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    ri_flags: u32,
    out_len: u32,
    out_flags: u32,
) -> WasiResult<()> {
    ctx.fds.socket(fd)?;
    mem.slice(out_len, 4)?;
    mem.slice(out_flags, 2)?;
    let flags = u16::try_from(ri_flags).map_err(|_| Errno::Inval)?;
    let n = recv(ctx, mem, fd, iovs, iovs_len, flags)?;
    mem.write_u32(out_len, n)?;
    mem.write_u16(out_flags, 0)
}

/// Sends data on a connection (`si_flags` must be 0); writes the bytes sent.
pub fn sock_send(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    si_flags: u32,
    out_len: u32,
) -> WasiResult<()> {
    ctx.fds.socket(fd)?;
    mem.slice(out_len, 4)?;
    if si_flags != 0 {
        return Err(Errno::Inval.into());
    }
    let n = send(ctx, mem, fd, iovs, iovs_len)?;
    mem.write_u32(out_len, n)
}

/// Shuts down a connection's receiving (`how` bit 0) and/or sending (bit 1)
/// side. `Inval` for other values, `Notconn` on a listener.
pub fn sock_shutdown(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    how: u32,
) -> WasiResult<()> {
    let s = ctx.fds.socket(fd)?.clone();
    let how = match u8::try_from(how) {
        Ok(h) if h != 0 && h & !(SHUT_RD | SHUT_WR) == 0 => h,
        _ => return Err(Errno::Inval.into()),
    };
    if s.listener {
        return Err(Errno::Notconn.into());
    }
    ctx.host.sock_shutdown(s.handle, how)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::WasiCtxBuilder;
    use std::io::{Read, Write};
    use std::net::{Ipv4Addr, TcpListener, TcpStream};
    use std::time::{Duration, Instant};

    const IOV: u32 = 0; // iovec array
    const BUF: u32 = 64; // buffers
    const OUT: u32 = 32; // results

    /// A context holding a listener on a free port of 127.0.0.1 (fd 3),
    /// and that port.
    fn listening() -> (WasiCtx, u16) {
        for _ in 0..5 {
            let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                .and_then(|l| l.local_addr())
                .unwrap()
                .port();
            if let Ok(ctx) = WasiCtxBuilder::new()
                .tcp_listener(format!("127.0.0.1:{port}"))
                .build()
            {
                return (ctx, port);
            }
        }
        panic!("no free port");
    }

    /// Calls `f` until it stops reporting "blocked" (loopback delivers
    /// within milliseconds; the bound only keeps a broken test finite).
    fn settled<T>(mut f: impl FnMut() -> WasiResult<T>) -> WasiResult<T> {
        let start = Instant::now();
        loop {
            match f() {
                Err(WasiError::Blocked(_)) if start.elapsed() < Duration::from_secs(10) => {
                    std::thread::sleep(Duration::from_millis(2));
                }
                r => return r,
            }
        }
    }

    fn errno<T: std::fmt::Debug>(r: WasiResult<T>) -> Errno {
        match r {
            Err(WasiError::Errno(e)) => e,
            other => panic!("expected an errno, got {other:?}"),
        }
    }

    /// Sets the iovecs at `IOV` to buffers of `lens` bytes from `BUF`.
    fn iovecs(mem: &mut GuestMemory<'_>, lens: &[u32]) {
        let mut at = BUF;
        for (i, len) in lens.iter().enumerate() {
            mem.write_u32(IOV + 8 * i as u32, at).unwrap();
            mem.write_u32(IOV + 8 * i as u32 + 4, *len).unwrap();
            at += len;
        }
    }

    #[test]
    fn accept_receive_send_and_shutdown_on_loopback() {
        let (mut ctx, port) = listening();
        let mut bytes = vec![0u8; 4096];
        let mut mem = GuestMemory::new(&mut bytes);
        // Nothing pending: blocked on the listener, or EAGAIN when non-blocking.
        match sock_accept(&mut ctx, &mut mem, 3, 0, OUT) {
            Err(WasiError::Blocked(BlockedOn::Socket {
                fd: 3, interest, ..
            })) => {
                assert_eq!(interest, Interest::Read)
            }
            other => panic!("{other:?}"),
        }
        crate::fd::fd_fdstat_set_flags(&mut ctx, &mut mem, 3, u32::from(fdflags::NONBLOCK))
            .unwrap();
        assert_eq!(
            errno(sock_accept(&mut ctx, &mut mem, 3, 0, OUT)),
            Errno::Again
        );
        assert_eq!(
            errno(sock_accept(&mut ctx, &mut mem, 3, 2, OUT)),
            Errno::Inval
        );

        let mut client = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
        // Past the descriptor limit: EMFILE, and the connection stays pending.
        let n = ctx.fds.len() as u32;
        ctx.fds.set_limits(Some(n), None).unwrap();
        assert_eq!(
            errno(sock_accept(&mut ctx, &mut mem, 3, 0, OUT)),
            Errno::Mfile
        );
        ctx.fds.set_limits(None, None).unwrap();
        settled(|| {
            sock_accept(&mut ctx, &mut mem, 3, 0, OUT).map_err(|e| match e {
                WasiError::Errno(Errno::Again) => WasiError::Blocked(BlockedOn::Yield),
                e => e,
            })
        })
        .unwrap();
        let conn = mem.read_u32(OUT).unwrap();
        assert_eq!(conn, 4);
        crate::fd::fd_fdstat_get(&mut ctx, &mut mem, conn, OUT).unwrap();
        assert_eq!(
            mem.read_u8(OUT).unwrap(),
            crate::types::Filetype::SocketStream as u8
        );

        // Wrong kinds of descriptor and arguments.
        assert_eq!(
            errno(sock_accept(&mut ctx, &mut mem, conn, 0, OUT)),
            Errno::Inval
        );
        assert_eq!(
            errno(sock_accept(&mut ctx, &mut mem, 1, 0, OUT)),
            Errno::Notsock
        );
        assert_eq!(
            errno(sock_accept(&mut ctx, &mut mem, 99, 0, OUT)),
            Errno::Badf
        );
        assert_eq!(
            errno(sock_shutdown(&mut ctx, &mut mem, conn, 0)),
            Errno::Inval
        );
        assert_eq!(
            errno(sock_shutdown(&mut ctx, &mut mem, 3, 1)),
            Errno::Notconn
        );
        iovecs(&mut mem, &[5]);
        assert_eq!(
            errno(sock_recv(&mut ctx, &mut mem, 3, IOV, 1, 0, OUT, OUT + 4)),
            Errno::Notconn
        );

        // Peek, then take it all with WAITALL across two buffers.
        client.write_all(b"hello world").unwrap();
        iovecs(&mut mem, &[5]);
        let peek = u32::from(RECV_PEEK | RECV_WAITALL);
        settled(|| sock_recv(&mut ctx, &mut mem, conn, IOV, 1, peek, OUT, OUT + 4)).unwrap();
        assert_eq!(mem.read_u32(OUT).unwrap(), 5);
        assert_eq!(mem.slice(BUF, 5).unwrap(), b"hello");
        iovecs(&mut mem, &[3, 8]);
        let all = u32::from(RECV_WAITALL);
        settled(|| sock_recv(&mut ctx, &mut mem, conn, IOV, 2, all, OUT, OUT + 4)).unwrap();
        assert_eq!(mem.read_u32(OUT).unwrap(), 11);
        assert_eq!(mem.slice(BUF, 11).unwrap(), b"hello world");
        assert_eq!(mem.read_u16(OUT + 4).unwrap(), 0);

        // WAITALL keeps what it got while it waits for the rest.
        client.write_all(b"abc").unwrap();
        iovecs(&mut mem, &[6]);
        let start = Instant::now();
        loop {
            match sock_recv(&mut ctx, &mut mem, conn, IOV, 1, all, OUT, OUT + 4) {
                Err(WasiError::Blocked(_))
                    if matches!(ctx.pending.as_deref(), Some(Pending::Recv(_))) =>
                {
                    break;
                }
                Err(WasiError::Blocked(_)) if start.elapsed() < Duration::from_secs(10) => {
                    std::thread::sleep(Duration::from_millis(2))
                }
                other => panic!("{other:?}"),
            }
        }
        client.write_all(b"def").unwrap();
        settled(|| sock_recv(&mut ctx, &mut mem, conn, IOV, 1, all, OUT, OUT + 4)).unwrap();
        assert_eq!(mem.read_u32(OUT).unwrap(), 6);
        assert_eq!(mem.slice(BUF, 6).unwrap(), b"abcdef");

        // Send; the peer reads it; then the peer's end of stream.
        mem.write_bytes(BUF, b"pong").unwrap();
        iovecs(&mut mem, &[4]);
        sock_send(&mut ctx, &mut mem, conn, IOV, 1, 0, OUT).unwrap();
        assert_eq!(mem.read_u32(OUT).unwrap(), 4);
        assert_eq!(
            errno(sock_send(&mut ctx, &mut mem, conn, IOV, 1, 1, OUT)),
            Errno::Inval
        );
        sock_shutdown(&mut ctx, &mut mem, conn, u32::from(SHUT_WR)).unwrap();
        let mut got = Vec::new();
        client.read_to_end(&mut got).unwrap();
        assert_eq!(got, b"pong");
        drop(client);
        iovecs(&mut mem, &[8]);
        settled(|| sock_recv(&mut ctx, &mut mem, conn, IOV, 1, 0, OUT, OUT + 4)).unwrap();
        assert_eq!(mem.read_u32(OUT).unwrap(), 0);
        crate::fd::fd_close(&mut ctx, &mut mem, conn).unwrap();
        assert_eq!(
            errno(sock_shutdown(&mut ctx, &mut mem, conn, 3)),
            Errno::Badf
        );
    }

    #[test]
    fn poll_oneoff_waits_for_a_connection_and_for_data() {
        use crate::poll::poll_oneoff;
        let (mut ctx, port) = listening();
        let mut bytes = vec![0u8; 4096];
        let mut mem = GuestMemory::new(&mut bytes);
        const SUBS: u32 = 1024;
        const EVENTS: u32 = 2048;
        let subscribe = |mem: &mut GuestMemory<'_>, fd: u32, tag: u8| {
            mem.write_bytes(SUBS, &[0u8; 48]).unwrap();
            mem.write_u64(SUBS, 77).unwrap();
            mem.write_u8(SUBS + 8, tag).unwrap();
            mem.write_u32(SUBS + 16, fd).unwrap();
        };
        // A listener never takes data: FD_WRITE on it is EBADF.
        subscribe(&mut mem, 3, 2);
        assert_eq!(
            errno(poll_oneoff(&mut ctx, &mut mem, SUBS, EVENTS, 1, OUT)),
            Errno::Badf
        );
        // FD_READ on the listener: blocked until a connection is pending.
        subscribe(&mut mem, 3, 1);
        match poll_oneoff(&mut ctx, &mut mem, SUBS, EVENTS, 1, OUT) {
            Err(WasiError::Blocked(BlockedOn::Socket { fd: 3, .. })) => {}
            other => panic!("{other:?}"),
        }
        let mut client = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
        settled(|| poll_oneoff(&mut ctx, &mut mem, SUBS, EVENTS, 1, OUT)).unwrap();
        assert_eq!(mem.read_u32(OUT).unwrap(), 1);
        assert_eq!(mem.read_u64(EVENTS).unwrap(), 77);
        sock_accept(&mut ctx, &mut mem, 3, 0, OUT).unwrap();
        let conn = mem.read_u32(OUT).unwrap();
        // FD_WRITE on the connection: room at once; FD_READ: once data came.
        subscribe(&mut mem, conn, 2);
        poll_oneoff(&mut ctx, &mut mem, SUBS, EVENTS, 1, OUT).unwrap();
        assert_eq!(mem.read_u32(OUT).unwrap(), 1);
        subscribe(&mut mem, conn, 1);
        match poll_oneoff(&mut ctx, &mut mem, SUBS, EVENTS, 1, OUT) {
            Err(WasiError::Blocked(BlockedOn::Socket { fd, .. })) => assert_eq!(fd, conn),
            other => panic!("{other:?}"),
        }
        client.write_all(b"x").unwrap();
        settled(|| poll_oneoff(&mut ctx, &mut mem, SUBS, EVENTS, 1, OUT)).unwrap();
        assert_eq!(mem.read_u32(OUT).unwrap(), 1);
        assert_eq!(mem.read_u8(EVENTS + 10).unwrap(), 1);
    }
}

//! `fd_*`: operations on open descriptors — files, directories and streams.
//!
//! File positions are kept here, not in the host: reads and writes are
//! positioned host calls (`read_at`/`write_at`), so a file's offset is part
//! of the guest's deterministic state.

use crate::blocked::{BlockedOn, Interest};
use crate::ctx::WasiCtx;
use crate::ctx::bytes_fuel;
use crate::errno::{Errno, WasiError, WasiResult};
use crate::memory::{GuestMemory, IoVec};
use crate::stream::{StreamRead, StreamWrite};
use crate::table::Descriptor;
use crate::types::{
    Advice, DIRENT_SIZE, Filestat, Filetype, NewTimestamp, fdflags, fstflags, rights, whence,
};

/// Builds the new timestamps of `*_filestat_set_times` from `fst_flags`.
pub(crate) fn new_times(
    atim: u64,
    mtim: u64,
    flags: u16,
) -> WasiResult<(NewTimestamp, NewTimestamp)> {
    fn one(set: bool, now: bool, t: u64) -> WasiResult<NewTimestamp> {
        match (set, now) {
            (true, true) => Err(Errno::Inval.into()),
            (true, false) => Ok(NewTimestamp::At(t)),
            (false, true) => Ok(NewTimestamp::Now),
            (false, false) => Ok(NewTimestamp::NoChange),
        }
    }
    if flags & !0xf != 0 {
        return Err(Errno::Inval.into());
    }
    Ok((
        one(
            flags & fstflags::ATIM != 0,
            flags & fstflags::ATIM_NOW != 0,
            atim,
        )?,
        one(
            flags & fstflags::MTIM != 0,
            flags & fstflags::MTIM_NOW != 0,
            mtim,
        )?,
    ))
}

/// Reads the iovec array and charges the fuel for copying all of it (its
/// entries and the bytes they name), before anything is copied.
fn charged_iovecs(
    ctx: &mut WasiCtx,
    mem: &GuestMemory<'_>,
    iovs: u32,
    iovs_len: u32,
) -> WasiResult<Vec<IoVec>> {
    let v = mem.iovecs(iovs, iovs_len)?;
    let bytes = v.iter().map(|v| v.len as u64).sum::<u64>() + 8 * v.len() as u64;
    ctx.charge(bytes_fuel(bytes))?;
    Ok(v)
}

/// The first non-empty buffer of an iovec array (one buffer per stream
/// read, as wasmtime does), its copy charged before anything is done.
fn charged_first(
    ctx: &mut WasiCtx,
    mem: &GuestMemory<'_>,
    iovs: u32,
    iovs_len: u32,
) -> WasiResult<IoVec> {
    let v = mem.first_nonempty(iovs, iovs_len)?;
    ctx.charge(bytes_fuel(v.len as u64 + 8 * iovs_len as u64))?;
    Ok(v)
}

/// Closes what a descriptor holds on the host.
pub(crate) fn release(ctx: &mut WasiCtx, d: Descriptor) {
    release_with(&mut *ctx.host, d);
}

/// [`release`] with the host environment alone.
pub(crate) fn release_with(host: &mut dyn crate::HostEnv, d: Descriptor) {
    match d {
        Descriptor::File(f) => host.close(f.handle),
        Descriptor::Dir(d) => host.close(d.handle),
        Descriptor::Socket(s) => host.close(s.handle),
        _ => {}
    }
}

/// Advises the host about the access pattern of a file.
pub fn fd_advise(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    offset: u64,
    len: u64,
    advice: u32,
) -> WasiResult<()> {
    let f = ctx.fds.file(fd)?.clone();
    let advice = u8::try_from(advice)
        .ok()
        .and_then(Advice::from_raw)
        .ok_or(Errno::Inval)?;
    ctx.host.advise(f.handle, offset, len, advice)?;
    Ok(())
}

/// Allocates space in a file (`posix_fallocate`), growing it if needed.
pub fn fd_allocate(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    offset: u64,
    len: u64,
) -> WasiResult<()> {
    let f = ctx.fds.file(fd)?.clone();
    if !f.mutable {
        return Err(Errno::Perm.into());
    }
    if !f.write {
        return Err(Errno::Badf.into());
    }
    offset.checked_add(len).ok_or(Errno::Fbig)?;
    ctx.host.allocate(f.handle, offset, len)?;
    Ok(())
}

/// Closes a descriptor.
pub fn fd_close(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32) -> WasiResult<()> {
    let d = ctx.fds.remove(fd)?;
    release(ctx, d);
    Ok(())
}

/// Flushes a file's data to storage.
pub fn fd_datasync(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32) -> WasiResult<()> {
    let h = ctx.fds.file(fd)?.handle;
    ctx.host.sync(h, true)?;
    Ok(())
}

/// Flushes a file's data and metadata to storage.
pub fn fd_sync(ctx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: u32) -> WasiResult<()> {
    let h = ctx.fds.file(fd)?.handle;
    ctx.host.sync(h, false)?;
    Ok(())
}

fn stream_filetype(terminal: bool) -> Filetype {
    if terminal {
        Filetype::CharacterDevice
    } else {
        Filetype::Unknown
    }
}

/// Writes a descriptor's type, flags and rights (`fdstat`, 24 bytes).
pub fn fd_fdstat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> WasiResult<()> {
    let (filetype, flags, base, inheriting) = match ctx.fds.get_mut(fd)? {
        Descriptor::HostStdin => {
            let t = stream_filetype(ctx.host.stdin_is_terminal());
            (t, 0, rights::FD_READ, rights::FD_READ)
        }
        Descriptor::Input(s) => (
            stream_filetype(s.is_terminal()),
            0,
            rights::FD_READ,
            rights::FD_READ,
        ),
        Descriptor::Output(s) => (
            stream_filetype(s.is_terminal()),
            0,
            rights::FD_WRITE,
            rights::FD_WRITE,
        ),
        Descriptor::Dir(d) => {
            let mut base = rights::DIR_READ;
            // The inheriting rights always include writing: wasi-libc opens
            // with the intersection of what it wants and these, so a
            // read-only grant reporting fewer would turn an open for
            // writing into a read-only open instead of the `EPERM` the
            // grant gives at `path_open` (docs/wasi.md).
            let inh =
                rights::DIR_READ | rights::FILE_READ | rights::DIR_MUTATE | rights::FILE_WRITE;
            if d.mutable {
                base |= rights::DIR_MUTATE;
            }
            (Filetype::Directory, 0, base, inh)
        }
        Descriptor::File(f) => {
            let mut base = rights::FILE_READ;
            if !f.read {
                base &= !rights::FD_READ;
            }
            if f.write {
                base |= rights::FILE_WRITE;
            }
            let mut flags = 0;
            if f.append {
                flags |= fdflags::APPEND;
            }
            if f.nonblock {
                flags |= fdflags::NONBLOCK;
            }
            flags |= f.sync;
            (f.filetype, flags, base, base)
        }
        Descriptor::Socket(s) => {
            let common =
                rights::FD_FDSTAT_SET_FLAGS | rights::FD_FILESTAT_GET | rights::POLL_FD_READWRITE;
            let base = if s.listener {
                common | rights::SOCK_ACCEPT
            } else {
                common | rights::FD_READ | rights::FD_WRITE | rights::SOCK_SHUTDOWN
            };
            let flags = if s.nonblock { fdflags::NONBLOCK } else { 0 };
            (Filetype::SocketStream, flags, base, base)
        }
    };
    let mut b = [0u8; 24];
    b[0] = filetype as u8;
    b[2..4].copy_from_slice(&u16::to_le_bytes(flags));
    b[8..16].copy_from_slice(&base.to_le_bytes());
    b[16..24].copy_from_slice(&inheriting.to_le_bytes());
    mem.write_bytes(out, &b)
}

/// Sets a file's `APPEND` and `NONBLOCK` flags; the sync flags cannot be
/// changed after opening (`Inval`). A socket takes `NONBLOCK` only.
pub fn fd_fdstat_set_flags(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
) -> WasiResult<()> {
    let flags = flags as u16;
    if let Descriptor::Socket(s) = ctx.fds.get_mut(fd)? {
        if flags & !fdflags::NONBLOCK != 0 {
            return Err(Errno::Inval.into());
        }
        s.nonblock = flags & fdflags::NONBLOCK != 0;
        return Ok(());
    }
    let f = ctx.fds.file_mut(fd)?;
    if flags & (fdflags::DSYNC | fdflags::SYNC | fdflags::RSYNC) != 0 {
        return Err(Errno::Inval.into());
    }
    f.append = flags & fdflags::APPEND != 0;
    f.nonblock = flags & fdflags::NONBLOCK != 0;
    Ok(())
}

/// Refused with `ENOTSUP` for every open descriptor (as wasmtime does): rights
/// are enforced by how a descriptor was opened and by its grant, and cannot
/// be narrowed afterwards. `EBADF` for a number that is not open.
pub fn fd_fdstat_set_rights(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    _base: u64,
    _inheriting: u64,
) -> WasiResult<()> {
    // Rights are not a separate mechanism here (enforcement follows the open
    // mode and the grant), so they cannot be narrowed after the fact: say so
    // instead of accepting a change that would not happen (wasmtime: ENOTSUP).
    ctx.fds.get(fd)?;
    Err(Errno::Notsup.into())
}

/// Writes the attributes of an open file or directory.
pub fn fd_filestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> WasiResult<()> {
    let st = match ctx.fds.get_mut(fd)? {
        Descriptor::HostStdin => Filestat {
            filetype: stream_filetype(ctx.host.stdin_is_terminal()) as u8,
            ..Filestat::default()
        },
        Descriptor::Input(s) => Filestat {
            filetype: stream_filetype(s.is_terminal()) as u8,
            ..Filestat::default()
        },
        Descriptor::Output(s) => Filestat {
            filetype: stream_filetype(s.is_terminal()) as u8,
            ..Filestat::default()
        },
        Descriptor::File(f) => {
            let h = f.handle;
            ctx.host.filestat(h)?
        }
        Descriptor::Dir(d) => {
            let h = d.handle;
            ctx.host.filestat(h)?
        }
        Descriptor::Socket(_) => Filestat {
            filetype: Filetype::SocketStream as u8,
            ..Filestat::default()
        },
    };
    st.write(mem, out)
}

/// Sets a file's size (truncating or zero-extending).
pub fn fd_filestat_set_size(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    size: u64,
) -> WasiResult<()> {
    let f = ctx.fds.file(fd)?.clone();
    if !f.mutable {
        return Err(Errno::Perm.into());
    }
    ctx.host.set_size(f.handle, size)?;
    Ok(())
}

/// Sets the access and modification times of an open file or directory.
pub fn fd_filestat_set_times(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    atim: u64,
    mtim: u64,
    flags: u32,
) -> WasiResult<()> {
    let (a, m) = new_times(atim, mtim, flags as u16)?;
    let (h, mutable) = match ctx.fds.get(fd)? {
        Descriptor::File(f) => (f.handle, f.mutable),
        Descriptor::Dir(d) => (d.handle, d.mutable),
        _ => return Err(Errno::Badf.into()),
    };
    if !mutable {
        return Err(Errno::Perm.into());
    }
    ctx.host.set_times(h, a, m)?;
    Ok(())
}

/// Reads a file at `offset` into the iovecs, stopping at a short read.
fn read_file_at(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    h: crate::HostHandle,
    iovs: u32,
    iovs_len: u32,
    mut offset: u64,
) -> WasiResult<u32> {
    let mut total: u32 = 0;
    for v in charged_iovecs(ctx, mem, iovs, iovs_len)? {
        if v.len == 0 {
            continue;
        }
        let buf = mem.slice_mut(v.ptr, v.len)?;
        let n = ctx.host.read_at(h, buf, offset)?;
        total = total.checked_add(n as u32).ok_or(Errno::Overflow)?;
        offset += n as u64;
        if n < v.len as usize {
            break;
        }
    }
    Ok(total)
}

/// Writes the iovecs to a file at `offset` (or at its end when appending),
/// stopping at a short write. Returns the bytes written and the new offset.
fn write_file_at(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    h: crate::HostHandle,
    iovs: u32,
    iovs_len: u32,
    mut offset: u64,
    append: bool,
) -> WasiResult<(u32, u64)> {
    let mut total: u32 = 0;
    for v in charged_iovecs(ctx, mem, iovs, iovs_len)? {
        if v.len == 0 {
            continue;
        }
        let buf = mem.slice(v.ptr, v.len)?;
        let n = if append {
            let (n, end) = ctx.host.append(h, buf)?;
            offset = end;
            n
        } else {
            let n = ctx.host.write_at(h, buf, offset)?;
            offset += n as u64;
            n
        };
        total = total.checked_add(n as u32).ok_or(Errno::Overflow)?;
        if n < v.len as usize {
            break;
        }
    }
    Ok((total, offset))
}

/// Reads into the iovecs at `offset` without moving the file position.
pub fn fd_pread(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    nread: u32,
) -> WasiResult<()> {
    let f = match ctx.fds.get(fd)? {
        Descriptor::File(f) => f.clone(),
        Descriptor::HostStdin | Descriptor::Input(_) | Descriptor::Socket(_) => {
            return Err(Errno::Spipe.into());
        }
        _ => return Err(Errno::Badf.into()),
    };
    if !f.read {
        return Err(Errno::Badf.into());
    }
    let n = read_file_at(ctx, mem, f.handle, iovs, iovs_len, offset)?;
    mem.write_u32(nread, n)
}

/// Writes the iovecs at `offset` without moving the file position (in
/// append mode the data goes to the end, as Linux `pwrite` does).
pub fn fd_pwrite(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    nwritten: u32,
) -> WasiResult<()> {
    let f = match ctx.fds.get(fd)? {
        Descriptor::File(f) => f.clone(),
        Descriptor::Output(_) | Descriptor::Socket(_) => return Err(Errno::Spipe.into()),
        _ => return Err(Errno::Badf.into()),
    };
    if !f.write {
        return Err(Errno::Badf.into());
    }
    let (n, _) = write_file_at(ctx, mem, f.handle, iovs, iovs_len, offset, f.append)?;
    mem.write_u32(nwritten, n)
}

/// Reads into the iovecs. A read from stdin or a stream with nothing
/// available reports "blocked" and is retried.
pub fn fd_read(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    nread: u32,
) -> WasiResult<()> {
    let n = match ctx.fds.get_mut(fd)? {
        Descriptor::File(f) => {
            if !f.read {
                return Err(Errno::Badf.into());
            }
            let (h, pos) = (f.handle, f.pos);
            let n = read_file_at(ctx, mem, h, iovs, iovs_len, pos)?;
            ctx.fds.file_mut(fd)?.pos = pos + n as u64;
            n
        }
        Descriptor::HostStdin => {
            let v = charged_first(ctx, mem, iovs, iovs_len)?;
            let buf = mem.slice_mut(v.ptr, v.len)?;
            match ctx.host.stdin_read(buf)? {
                Some(n) => n as u32,
                None => return Err(WasiError::Blocked(BlockedOn::Stdin)),
            }
        }
        Descriptor::Input(s) => {
            let v = mem.first_nonempty(iovs, iovs_len)?;
            ctx.fuel
                .charge(bytes_fuel(v.len as u64 + 8 * iovs_len as u64))?;
            let buf = mem.slice_mut(v.ptr, v.len)?;
            match s.read(buf)? {
                StreamRead::Data(n) => n as u32,
                StreamRead::WouldBlock => {
                    return Err(WasiError::Blocked(BlockedOn::Fd {
                        fd,
                        interest: Interest::Read,
                    }));
                }
            }
        }
        Descriptor::Socket(_) => {
            mem.slice(nread, 4)?;
            crate::sock::recv(ctx, mem, fd, iovs, iovs_len, 0)?
        }
        Descriptor::Output(_) | Descriptor::Dir(_) => return Err(Errno::Badf.into()),
    };
    mem.write_u32(nread, n)
}

/// Writes the iovecs. A stream with no room reports "blocked" and is retried.
pub fn fd_write(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    nwritten: u32,
) -> WasiResult<()> {
    let n = match ctx.fds.get_mut(fd)? {
        Descriptor::File(f) => {
            if !f.write {
                return Err(Errno::Badf.into());
            }
            let (h, pos, append) = (f.handle, f.pos, f.append);
            let (n, end) = write_file_at(ctx, mem, h, iovs, iovs_len, pos, append)?;
            ctx.fds.file_mut(fd)?.pos = end;
            n
        }
        Descriptor::Output(s) => {
            let iovecs = mem.iovecs(iovs, iovs_len)?;
            let bytes = iovecs.iter().map(|v| v.len as u64).sum::<u64>() + 8 * iovecs.len() as u64;
            ctx.fuel.charge(bytes_fuel(bytes))?;
            // Each entry goes to the stream from the guest's memory as it
            // is: nothing is gathered, so naming one large buffer many
            // times costs the host no memory. Like a gathered write, it
            // stops at the first short write; a full stream or an error
            // is reported only when nothing was written yet.
            let mut total: u32 = 0;
            for v in iovecs {
                if v.len == 0 {
                    continue;
                }
                if total.checked_add(v.len).is_none() {
                    // The count must fit its u32: a short write.
                    break;
                }
                let written = match s.write(mem.slice(v.ptr, v.len)?) {
                    Ok(StreamWrite::Written(n)) => n.min(v.len as usize) as u32,
                    Ok(StreamWrite::WouldBlock) if total == 0 => {
                        return Err(WasiError::Blocked(BlockedOn::Fd {
                            fd,
                            interest: Interest::Write,
                        }));
                    }
                    Err(e) if total == 0 => return Err(e.into()),
                    Ok(StreamWrite::WouldBlock) | Err(_) => break,
                };
                total += written;
                if written < v.len {
                    break;
                }
            }
            total
        }
        Descriptor::Socket(_) => {
            mem.slice(nwritten, 4)?;
            crate::sock::send(ctx, mem, fd, iovs, iovs_len)?
        }
        _ => return Err(Errno::Badf.into()),
    };
    mem.write_u32(nwritten, n)
}

/// Describes a preopened directory: tag 0 and the length of its guest path.
pub fn fd_prestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> WasiResult<()> {
    match ctx.fds.get(fd)? {
        Descriptor::Dir(d) if d.preopen.is_some() => {
            let len = u32::try_from(d.preopen.as_ref().map_or(0, String::len))?;
            let mut b = [0u8; 8];
            b[4..8].copy_from_slice(&len.to_le_bytes());
            mem.write_bytes(out, &b)
        }
        _ => Err(Errno::Badf.into()),
    }
}

/// Writes the guest path of a preopened directory.
pub fn fd_prestat_dir_name(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    len: u32,
) -> WasiResult<()> {
    match ctx.fds.get(fd)? {
        Descriptor::Dir(d) if d.preopen.is_some() => {
            let name = d.preopen.as_deref().unwrap_or_default();
            if name.len() > len as usize {
                return Err(Errno::Nametoolong.into());
            }
            mem.write_bytes(path, name.as_bytes())
        }
        _ => Err(Errno::Notdir.into()),
    }
}

/// Writes directory entries from position `cookie` into `buf` (entries
/// `.`, `..`, then the host's entries sorted by name); the last entry may be
/// cut off, and a full buffer tells the guest to call again.
pub fn fd_readdir(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    buf: u32,
    buf_len: u32,
    cookie: u64,
    bufused: u32,
) -> WasiResult<()> {
    let h = ctx.fds.dir(fd)?.handle;
    ctx.charge(bytes_fuel(buf_len as u64))?;
    let dir_ino = ctx.host.filestat(h)?.ino;
    let entries = ctx.host.readdir(h)?;
    let head = [
        (dir_ino, Filetype::Directory, "."),
        (dir_ino, Filetype::Directory, ".."),
    ];
    let all = head.iter().map(|(i, t, n)| (*i, *t, n.as_bytes())).chain(
        entries
            .iter()
            .map(|e| (e.ino, e.filetype, e.name.as_bytes())),
    );
    let mut out = Vec::new();
    let cap = buf_len as usize;
    let skip = usize::try_from(cookie).map_err(|_| Errno::Overflow)?;
    for (index, (ino, t, name)) in all.enumerate().skip(skip) {
        let mut d = [0u8; DIRENT_SIZE as usize];
        d[0..8].copy_from_slice(&(index as u64 + 1).to_le_bytes());
        d[8..16].copy_from_slice(&ino.to_le_bytes());
        d[16..20].copy_from_slice(&(name.len() as u32).to_le_bytes());
        d[20] = t as u8;
        out.extend_from_slice(&d);
        out.extend_from_slice(name);
        if out.len() >= cap {
            out.truncate(cap);
            break;
        }
    }
    mem.write_bytes(buf, &out)?;
    mem.write_u32(bufused, out.len() as u32)
}

/// Moves descriptor `from` to number `to`, closing what `to` held; both must
/// be open (`EBADF` otherwise, as in wasmtime).
pub fn fd_renumber(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    from: u32,
    to: u32,
) -> WasiResult<()> {
    ctx.fds.get(from)?;
    // The destination must be open too: renumbering never creates a number.
    ctx.fds.get(to)?;
    if from == to {
        return Ok(());
    }
    let d = ctx.fds.remove(from)?;
    if let Some(old) = ctx.fds.insert_at(to, d) {
        release(ctx, old);
    }
    Ok(())
}

/// Moves a file's position; writes the new position.
pub fn fd_seek(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    offset: i64,
    wh: u32,
    out: u32,
) -> WasiResult<()> {
    let f = ctx.fds.seekable(fd)?.clone();
    let pos = match wh as u8 {
        _ if wh > 255 => return Err(Errno::Inval.into()),
        whence::SET => u64::try_from(offset).map_err(|_| Errno::Inval)?,
        whence::CUR => f.pos.checked_add_signed(offset).ok_or(Errno::Inval)?,
        whence::END => {
            let size = ctx.host.filestat(f.handle)?.size;
            size.checked_add_signed(offset).ok_or(Errno::Inval)?
        }
        _ => return Err(Errno::Inval.into()),
    };
    ctx.fds.file_mut(fd)?.pos = pos;
    mem.write_u64(out, pos)
}

/// Writes a file's position.
pub fn fd_tell(ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: u32, out: u32) -> WasiResult<()> {
    let pos = ctx.fds.seekable(fd)?.pos;
    mem.write_u64(out, pos)
}

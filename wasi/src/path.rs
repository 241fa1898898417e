//! `path_*`: operations on paths beneath a directory descriptor.
//!
//! Paths are resolved by the host environment beneath the directory's
//! handle and can never leave it (cap-std in [`crate::RealHost`]): `..`
//! above the directory, absolute paths, and symbolic links pointing out are
//! refused with `Perm`, also when creating through a symlink. The policy of
//! read-only grants is applied here, before the host is asked: every call
//! that creates, changes or removes something beneath a read-only
//! directory (or, for links and renames, either directory) fails with `Perm`.

use crate::ctx::{WasiCtx, bytes_fuel};
use crate::errno::{Errno, WasiResult};
use crate::fd::new_times;
use crate::host::{HostHandle, OpenRequest};
use crate::memory::GuestMemory;
use crate::table::{Descriptor, DirFd, FileFd};
use crate::types::{Filetype, fdflags, lookupflags, oflags, rights};

/// Reads a path argument, charging the fuel for copying it first.
fn read_path(ctx: &mut WasiCtx, mem: &GuestMemory<'_>, ptr: u32, len: u32) -> WasiResult<String> {
    ctx.charge(bytes_fuel(len as u64))?;
    mem.read_str(ptr, len)
}

fn dir(ctx: &WasiCtx, fd: u32) -> WasiResult<DirFd> {
    Ok(ctx.fds.dir(fd)?.clone())
}

fn mutable_dir(ctx: &WasiCtx, fd: u32) -> WasiResult<HostHandle> {
    let d = dir(ctx, fd)?;
    if !d.mutable {
        return Err(Errno::Perm.into());
    }
    Ok(d.handle)
}

/// Creates a directory.
pub fn path_create_directory(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
) -> WasiResult<()> {
    let h = mutable_dir(ctx, fd)?;
    let path = read_path(ctx, mem, path, path_len)?;
    ctx.host.create_dir_at(h, &path)?;
    Ok(())
}

/// Writes the attributes of the file at a path.
pub fn path_filestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    out: u32,
) -> WasiResult<()> {
    let h = dir(ctx, fd)?.handle;
    let path = read_path(ctx, mem, path, path_len)?;
    let follow = flags & lookupflags::SYMLINK_FOLLOW != 0;
    let st = ctx.host.stat_at(h, &path, follow)?;
    st.write(mem, out)
}

/// Sets the access and modification times of the file at a path.
#[allow(clippy::too_many_arguments)]
pub fn path_filestat_set_times(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> WasiResult<()> {
    let (a, m) = new_times(atim, mtim, fst_flags as u16)?;
    let h = mutable_dir(ctx, fd)?;
    let path = read_path(ctx, mem, path, path_len)?;
    let follow = flags & lookupflags::SYMLINK_FOLLOW != 0;
    ctx.host.set_times_at(h, &path, follow, a, m)?;
    Ok(())
}

/// Creates a hard link. Following a symlink at the source is not
/// supported (`Inval`, as in wasmtime); both directories must be writable.
#[allow(clippy::too_many_arguments)]
pub fn path_link(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    old_fd: u32,
    old_flags: u32,
    old_path: u32,
    old_len: u32,
    new_fd: u32,
    new_path: u32,
    new_len: u32,
) -> WasiResult<()> {
    let from = dir(ctx, old_fd)?;
    let to = dir(ctx, new_fd)?;
    let old_path = read_path(ctx, mem, old_path, old_len)?;
    let new_path = read_path(ctx, mem, new_path, new_len)?;
    if old_flags & lookupflags::SYMLINK_FOLLOW != 0 {
        return Err(Errno::Inval.into());
    }
    if !from.mutable || !to.mutable {
        return Err(Errno::Perm.into());
    }
    ctx.host
        .link_at(from.handle, &old_path, to.handle, &new_path)?;
    Ok(())
}

/// Opens a file or directory beneath `fd`; writes the new descriptor.
#[allow(clippy::too_many_arguments)]
pub fn path_open(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    dirflags: u32,
    path: u32,
    path_len: u32,
    oflags: u32,
    rights_base: u64,
    _rights_inheriting: u64,
    fdflags: u32,
    out_fd: u32,
) -> WasiResult<()> {
    let parent = match ctx.fds.get(fd)? {
        Descriptor::Dir(d) => d.clone(),
        Descriptor::File(_) => return Err(Errno::Notdir.into()),
        _ => return Err(Errno::Badf.into()),
    };
    let path = read_path(ctx, mem, path, path_len)?;
    let (oflags, fdflags) = (oflags as u16, fdflags as u16);
    let req = OpenRequest {
        follow: dirflags & lookupflags::SYMLINK_FOLLOW != 0,
        create: oflags & oflags::CREAT != 0,
        directory: oflags & oflags::DIRECTORY != 0,
        exclusive: oflags & oflags::EXCL != 0,
        truncate: oflags & oflags::TRUNC != 0,
        read: rights_base & (rights::FD_READ | rights::FD_READDIR) != 0,
        write: rights_base & rights::FD_WRITE != 0,
        sync_flags: fdflags & (fdflags::SYNC | fdflags::DSYNC | fdflags::RSYNC),
    };
    if req.directory && (req.create || req.exclusive || req.truncate) {
        return Err(Errno::Inval.into());
    }
    if !parent.mutable && (req.create || req.truncate || req.write) {
        return Err(Errno::Perm.into());
    }
    if req.directory && req.write {
        return Err(Errno::Isdir.into());
    }
    // The descriptor limit is checked before the host opens anything.
    if !ctx.fds.has_room(1) {
        return Err(Errno::Mfile.into());
    }
    let (handle, filetype) = ctx.host.open_at(parent.handle, &path, &req)?;
    let d = if filetype == Filetype::Directory {
        Descriptor::Dir(DirFd {
            handle,
            preopen: None,
            mutable: parent.mutable,
        })
    } else {
        Descriptor::File(FileFd {
            handle,
            filetype,
            pos: 0,
            read: req.read,
            write: req.write,
            append: fdflags & fdflags::APPEND != 0,
            nonblock: fdflags & fdflags::NONBLOCK != 0,
            sync: req.sync_flags,
            mutable: parent.mutable,
        })
    };
    let new_fd = match ctx.fds.push(d) {
        Ok(n) => n,
        Err(e) => {
            ctx.host.close(handle);
            return Err(e.into());
        }
    };
    mem.write_u32(out_fd, new_fd)
}

/// Reads the contents of a symbolic link into `buf` (cut to `buf_len`).
pub fn path_readlink(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
    buf: u32,
    buf_len: u32,
    bufused: u32,
) -> WasiResult<()> {
    let h = dir(ctx, fd)?.handle;
    let path = read_path(ctx, mem, path, path_len)?;
    let target = ctx.host.readlink_at(h, &path)?;
    let bytes = &target.as_bytes()[..target.len().min(buf_len as usize)];
    mem.write_bytes(buf, bytes)?;
    mem.write_u32(bufused, bytes.len() as u32)
}

/// Removes an empty directory.
pub fn path_remove_directory(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
) -> WasiResult<()> {
    let h = mutable_dir(ctx, fd)?;
    let path = read_path(ctx, mem, path, path_len)?;
    ctx.host.remove_dir_at(h, &path)?;
    Ok(())
}

/// Renames a file or directory; both directories must be writable.
#[allow(clippy::too_many_arguments)]
pub fn path_rename(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    old_fd: u32,
    old_path: u32,
    old_len: u32,
    new_fd: u32,
    new_path: u32,
    new_len: u32,
) -> WasiResult<()> {
    let from = dir(ctx, old_fd)?;
    let to = dir(ctx, new_fd)?;
    let old_path = read_path(ctx, mem, old_path, old_len)?;
    let new_path = read_path(ctx, mem, new_path, new_len)?;
    if !from.mutable || !to.mutable {
        return Err(Errno::Perm.into());
    }
    ctx.host
        .rename_at(from.handle, &old_path, to.handle, &new_path)?;
    Ok(())
}

/// Creates a symbolic link at `new_path` whose contents are `old_path`.
pub fn path_symlink(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    old_path: u32,
    old_len: u32,
    fd: u32,
    new_path: u32,
    new_len: u32,
) -> WasiResult<()> {
    let h = mutable_dir(ctx, fd)?;
    let target = read_path(ctx, mem, old_path, old_len)?;
    let path = read_path(ctx, mem, new_path, new_len)?;
    ctx.host.symlink_at(&target, h, &path)?;
    Ok(())
}

/// Removes a file or symbolic link.
pub fn path_unlink_file(
    ctx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
) -> WasiResult<()> {
    let h = mutable_dir(ctx, fd)?;
    let path = read_path(ctx, mem, path, path_len)?;
    ctx.host.unlink_at(h, &path)?;
    Ok(())
}

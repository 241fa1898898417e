//! Direct imports of `wasi_snapshot_preview1`, for calls std does not make
//! or whose exact errno the tests check.
#![allow(dead_code)]

#[repr(C)]
pub struct Iovec {
    pub buf: *const u8,
    pub len: usize,
}

#[link(wasm_import_module = "wasi_snapshot_preview1")]
unsafe extern "C" {
    pub fn path_open(fd: i32, dirflags: i32, path: *const u8, len: usize, oflags: i32, base: i64, inh: i64, fdflags: i32, out: *mut i32) -> i32;
    pub fn path_create_directory(fd: i32, path: *const u8, len: usize) -> i32;
    pub fn path_remove_directory(fd: i32, path: *const u8, len: usize) -> i32;
    pub fn path_unlink_file(fd: i32, path: *const u8, len: usize) -> i32;
    pub fn path_rename(fd: i32, old: *const u8, old_len: usize, new_fd: i32, new: *const u8, new_len: usize) -> i32;
    pub fn path_link(fd: i32, flags: i32, old: *const u8, old_len: usize, new_fd: i32, new: *const u8, new_len: usize) -> i32;
    pub fn path_symlink(old: *const u8, old_len: usize, fd: i32, new: *const u8, new_len: usize) -> i32;
    pub fn path_readlink(fd: i32, path: *const u8, len: usize, buf: *mut u8, buf_len: usize, used: *mut usize) -> i32;
    pub fn path_filestat_get(fd: i32, flags: i32, path: *const u8, len: usize, out: *mut u8) -> i32;
    pub fn path_filestat_set_times(fd: i32, flags: i32, path: *const u8, len: usize, atim: i64, mtim: i64, fst: i32) -> i32;
    pub fn fd_close(fd: i32) -> i32;
    pub fn fd_renumber(from: i32, to: i32) -> i32;
    pub fn fd_advise(fd: i32, off: i64, len: i64, advice: i32) -> i32;
    pub fn fd_allocate(fd: i32, off: i64, len: i64) -> i32;
    pub fn fd_fdstat_get(fd: i32, out: *mut u8) -> i32;
    pub fn fd_fdstat_set_flags(fd: i32, flags: i32) -> i32;
    pub fn fd_fdstat_set_rights(fd: i32, base: i64, inh: i64) -> i32;
    pub fn fd_filestat_get(fd: i32, out: *mut u8) -> i32;
    pub fn fd_filestat_set_size(fd: i32, size: i64) -> i32;
    pub fn fd_filestat_set_times(fd: i32, atim: i64, mtim: i64, fst: i32) -> i32;
    pub fn fd_pread(fd: i32, iovs: *const Iovec, len: usize, off: i64, n: *mut usize) -> i32;
    pub fn fd_pwrite(fd: i32, iovs: *const Iovec, len: usize, off: i64, n: *mut usize) -> i32;
    pub fn fd_read(fd: i32, iovs: *const Iovec, len: usize, n: *mut usize) -> i32;
    pub fn fd_write(fd: i32, iovs: *const Iovec, len: usize, n: *mut usize) -> i32;
    pub fn fd_readdir(fd: i32, buf: *mut u8, len: usize, cookie: i64, used: *mut usize) -> i32;
    pub fn fd_seek(fd: i32, off: i64, whence: i32, out: *mut u64) -> i32;
    pub fn fd_tell(fd: i32, out: *mut u64) -> i32;
    pub fn fd_sync(fd: i32) -> i32;
    pub fn fd_datasync(fd: i32) -> i32;
    pub fn fd_prestat_get(fd: i32, out: *mut u8) -> i32;
    pub fn fd_prestat_dir_name(fd: i32, out: *mut u8, len: usize) -> i32;
    pub fn poll_oneoff(subs: *const u8, events: *mut u8, n: usize, nevents: *mut usize) -> i32;
    pub fn proc_raise(sig: i32) -> i32;
    pub fn sched_yield() -> i32;
    pub fn clock_time_get(id: i32, precision: i64, out: *mut u64) -> i32;
    pub fn clock_res_get(id: i32, out: *mut u64) -> i32;
    pub fn random_get(buf: *mut u8, len: usize) -> i32;
    pub fn sock_accept(fd: i32, flags: i32, out: *mut i32) -> i32;
    pub fn sock_recv(fd: i32, iovs: *const Iovec, len: usize, flags: i32, out_len: *mut usize, out_flags: *mut u16) -> i32;
    pub fn sock_send(fd: i32, iovs: *const Iovec, len: usize, flags: i32, out: *mut usize) -> i32;
    pub fn sock_shutdown(fd: i32, how: i32) -> i32;
}

pub const RIGHT_FD_READ: i64 = 1 << 1;
pub const RIGHT_FD_WRITE: i64 = 1 << 6;
pub const O_CREAT: i32 = 1;
pub const O_DIRECTORY: i32 = 2;
pub const O_EXCL: i32 = 4;
pub const O_TRUNC: i32 = 8;
pub const FOLLOW: i32 = 1;

/// `path_open` beneath `dir`: the new fd or the errno.
pub fn open(dir: i32, follow: bool, path: &str, oflags: i32, rights: i64) -> Result<i32, i32> {
    let mut fd = -1;
    let e = unsafe {
        path_open(dir, if follow { FOLLOW } else { 0 }, path.as_ptr(), path.len(), oflags, rights, rights, 0, &mut fd)
    };
    if e == 0 { Ok(fd) } else { Err(e) }
}

pub fn mkdir(dir: i32, path: &str) -> i32 {
    unsafe { path_create_directory(dir, path.as_ptr(), path.len()) }
}
pub fn rmdir(dir: i32, path: &str) -> i32 {
    unsafe { path_remove_directory(dir, path.as_ptr(), path.len()) }
}
pub fn unlink(dir: i32, path: &str) -> i32 {
    unsafe { path_unlink_file(dir, path.as_ptr(), path.len()) }
}
pub fn rename(dir: i32, old: &str, new_dir: i32, new: &str) -> i32 {
    unsafe { path_rename(dir, old.as_ptr(), old.len(), new_dir, new.as_ptr(), new.len()) }
}
pub fn link(dir: i32, old: &str, new_dir: i32, new: &str) -> i32 {
    unsafe { path_link(dir, 0, old.as_ptr(), old.len(), new_dir, new.as_ptr(), new.len()) }
}
pub fn symlink(target: &str, dir: i32, path: &str) -> i32 {
    unsafe { path_symlink(target.as_ptr(), target.len(), dir, path.as_ptr(), path.len()) }
}
pub fn stat(dir: i32, follow: bool, path: &str) -> Result<[u8; 64], i32> {
    let mut out = [0u8; 64];
    let e = unsafe { path_filestat_get(dir, if follow { FOLLOW } else { 0 }, path.as_ptr(), path.len(), out.as_mut_ptr()) };
    if e == 0 { Ok(out) } else { Err(e) }
}
pub fn set_times(dir: i32, path: &str) -> i32 {
    // fst_flags: ATIM | MTIM
    unsafe { path_filestat_set_times(dir, FOLLOW, path.as_ptr(), path.len(), 1_000_000_000, 2_000_000_000, 1 | 4) }
}
pub fn readlink(dir: i32, path: &str, cap: usize) -> Result<String, i32> {
    let mut buf = vec![0u8; cap];
    let mut used = 0usize;
    let e = unsafe { path_readlink(dir, path.as_ptr(), path.len(), buf.as_mut_ptr(), cap, &mut used) };
    if e == 0 {
        buf.truncate(used);
        Ok(String::from_utf8(buf).unwrap())
    } else {
        Err(e)
    }
}
pub fn write(fd: i32, data: &[u8]) -> Result<usize, i32> {
    let iov = Iovec { buf: data.as_ptr(), len: data.len() };
    let mut n = 0;
    let e = unsafe { fd_write(fd, &iov, 1, &mut n) };
    if e == 0 { Ok(n) } else { Err(e) }
}
pub fn read(fd: i32, cap: usize) -> Result<Vec<u8>, i32> {
    let mut buf = vec![0u8; cap];
    let iov = Iovec { buf: buf.as_mut_ptr(), len: cap };
    let mut n = 0;
    let e = unsafe { fd_read(fd, &iov, 1, &mut n) };
    if e == 0 {
        buf.truncate(n);
        Ok(buf)
    } else {
        Err(e)
    }
}
pub fn close(fd: i32) -> i32 {
    unsafe { fd_close(fd) }
}

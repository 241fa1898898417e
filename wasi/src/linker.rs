//! The registration table: every function of `wasi_snapshot_preview1`,
//! with its Wasm signature, mapped to its implementation.

use crate::ctx::WasiCtx;
use crate::errno::WasiResult;
use crate::host::Halt;
use crate::memory::GuestMemory;
use std::sync::Arc;
use wasiproc_engine::{AsContextMut, Caller, Error, Extern, HostError, Linker};

/// The import module name of WASI preview1.
pub const MODULE: &str = "wasi_snapshot_preview1";

type GetCtx<T> = dyn Fn(&mut T) -> &mut WasiCtx + Send + Sync;

/// Runs one WASI function with the caller's memory and WASI context.
fn call<T>(
    caller: &mut Caller<'_, T>,
    get: &GetCtx<T>,
    f: impl FnOnce(&mut WasiCtx, &mut GuestMemory<'_>) -> WasiResult<()>,
) -> Result<i32, HostError> {
    // Host work proportional to guest-chosen sizes is charged as fuel
    // (docs/wasi.md, "Fuel"): the call may spend what the caller has left.
    let fuel_left = caller.fuel_left();
    let mut spent = 0;
    let mut halted = false;
    let run = |ctx: &mut WasiCtx, mem: &mut GuestMemory<'_>| {
        ctx.begin_call(fuel_left);
        let r = f(ctx, mem);
        spent = ctx.end_call();
        halted = ctx.halt.as_ref().is_some_and(|h| h.reason().is_some());
        r
    };
    let instance = caller.instance();
    let cached = instance.and_then(|i| get(caller.data_mut()).cached_memory(i));
    let memory = match cached {
        Some(m) => m,
        None => {
            let m = match caller.get_export("memory") {
                Some(Extern::Memory(m)) => Some(m),
                _ => None,
            };
            if let Some(i) = instance {
                get(caller.data_mut()).cache_memory(i, m);
            }
            m
        }
    };
    let result = match memory {
        Some(m) => {
            let (bytes, data) = m.data_and_store_mut(caller.as_context_mut());
            run(get(data), &mut GuestMemory::new(bytes))
        }
        None => run(get(caller.data_mut()), &mut GuestMemory::new(&mut [])),
    };
    if halted {
        // A host that failed on its own (a replay that left its
        // recording) fails the call with the reason: the guest never sees
        // the stand-in result, and the driver ends the run (`Halt`).
        return Err(halted_call(get(caller.data_mut())));
    }
    if spent > 0 {
        caller.consume_fuel(spent)?;
    }
    match result {
        Ok(()) => Ok(0),
        Err(e) => e.into_host(),
    }
}

/// The trap of a call whose host halted (off the common path: only a
/// replay's host can halt).
#[cold]
#[inline(never)]
fn halted_call(ctx: &WasiCtx) -> HostError {
    let reason = ctx.halt.as_ref().and_then(Halt::reason).unwrap_or("halted");
    HostError::trap(reason)
}

macro_rules! register {
    ($linker:ident, $get:ident; $($module:ident :: $name:ident ($($arg:ident : $ty:ty),*);)*) => {
        $({
            let get = $get.clone();
            $linker.func_wrap(
                MODULE,
                stringify!($name),
                move |mut caller: Caller<'_, T>, $($arg: $ty),*| -> Result<i32, HostError> {
                    call(&mut caller, &*get, |ctx, mem| {
                        crate::$module::$name(ctx, mem, $($arg as _),*)
                    })
                },
            )?;
        })*
    };
}

/// Defines every `wasi_snapshot_preview1` function in `linker`. `get`
/// projects the store's data to its [`WasiCtx`], so the context can be one
/// field of a larger state (as the process layer does).
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + 'static,
) -> Result<(), Error> {
    let get: Arc<GetCtx<T>> = Arc::new(get);
    register! { linker, get;
        args::args_get(argv: i32, argv_buf: i32);
        args::args_sizes_get(count: i32, size: i32);
        args::environ_get(environ: i32, environ_buf: i32);
        args::environ_sizes_get(count: i32, size: i32);
        clock::clock_res_get(id: i32, out: i32);
        clock::clock_time_get(id: i32, precision: i64, out: i32);
        fd::fd_advise(fd: i32, offset: i64, len: i64, advice: i32);
        fd::fd_allocate(fd: i32, offset: i64, len: i64);
        fd::fd_close(fd: i32);
        fd::fd_datasync(fd: i32);
        fd::fd_fdstat_get(fd: i32, out: i32);
        fd::fd_fdstat_set_flags(fd: i32, flags: i32);
        fd::fd_fdstat_set_rights(fd: i32, base: i64, inheriting: i64);
        fd::fd_filestat_get(fd: i32, out: i32);
        fd::fd_filestat_set_size(fd: i32, size: i64);
        fd::fd_filestat_set_times(fd: i32, atim: i64, mtim: i64, flags: i32);
        fd::fd_pread(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nread: i32);
        fd::fd_prestat_get(fd: i32, out: i32);
        fd::fd_prestat_dir_name(fd: i32, path: i32, len: i32);
        fd::fd_pwrite(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nwritten: i32);
        fd::fd_read(fd: i32, iovs: i32, iovs_len: i32, nread: i32);
        fd::fd_readdir(fd: i32, buf: i32, buf_len: i32, cookie: i64, bufused: i32);
        fd::fd_renumber(from: i32, to: i32);
        fd::fd_seek(fd: i32, offset: i64, whence: i32, out: i32);
        fd::fd_sync(fd: i32);
        fd::fd_tell(fd: i32, out: i32);
        fd::fd_write(fd: i32, iovs: i32, iovs_len: i32, nwritten: i32);
        path::path_create_directory(fd: i32, path: i32, len: i32);
        path::path_filestat_get(fd: i32, flags: i32, path: i32, len: i32, out: i32);
        path::path_filestat_set_times(fd: i32, flags: i32, path: i32, len: i32, atim: i64, mtim: i64, fst: i32);
        path::path_link(old_fd: i32, old_flags: i32, old_path: i32, old_len: i32, new_fd: i32, new_path: i32, new_len: i32);
        path::path_open(fd: i32, dirflags: i32, path: i32, len: i32, oflags: i32, base: i64, inheriting: i64, fdflags: i32, out: i32);
        path::path_readlink(fd: i32, path: i32, len: i32, buf: i32, buf_len: i32, bufused: i32);
        path::path_remove_directory(fd: i32, path: i32, len: i32);
        path::path_rename(old_fd: i32, old_path: i32, old_len: i32, new_fd: i32, new_path: i32, new_len: i32);
        path::path_symlink(old_path: i32, old_len: i32, fd: i32, new_path: i32, new_len: i32);
        path::path_unlink_file(fd: i32, path: i32, len: i32);
        poll::poll_oneoff(in_ptr: i32, out_ptr: i32, nsubs: i32, nevents: i32);
        proc::proc_raise(sig: i32);
        proc::sched_yield();
        random::random_get(buf: i32, len: i32);
        sock::sock_accept(fd: i32, flags: i32, out: i32);
        sock::sock_recv(fd: i32, iovs: i32, iovs_len: i32, flags: i32, out_len: i32, out_flags: i32);
        sock::sock_send(fd: i32, iovs: i32, iovs_len: i32, flags: i32, out_len: i32);
        sock::sock_shutdown(fd: i32, how: i32);
    }
    let exit_get = get.clone();
    linker.func_wrap(
        MODULE,
        "proc_exit",
        move |mut caller: Caller<'_, T>, code: i32| -> Result<(), HostError> {
            call(&mut caller, &*exit_get, |ctx, mem| {
                crate::proc::proc_exit(ctx, mem, code as u32)
            })
            .map(|_| ())
        },
    )?;
    Ok(())
}

/// Names of every function [`add_to_linker`] defines.
pub const FUNCTIONS: &[&str] = &[
    "args_get",
    "args_sizes_get",
    "environ_get",
    "environ_sizes_get",
    "clock_res_get",
    "clock_time_get",
    "fd_advise",
    "fd_allocate",
    "fd_close",
    "fd_datasync",
    "fd_fdstat_get",
    "fd_fdstat_set_flags",
    "fd_fdstat_set_rights",
    "fd_filestat_get",
    "fd_filestat_set_size",
    "fd_filestat_set_times",
    "fd_pread",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "fd_pwrite",
    "fd_read",
    "fd_readdir",
    "fd_renumber",
    "fd_seek",
    "fd_sync",
    "fd_tell",
    "fd_write",
    "path_create_directory",
    "path_filestat_get",
    "path_filestat_set_times",
    "path_link",
    "path_open",
    "path_readlink",
    "path_remove_directory",
    "path_rename",
    "path_symlink",
    "path_unlink_file",
    "poll_oneoff",
    "proc_exit",
    "proc_raise",
    "sched_yield",
    "random_get",
    "sock_accept",
    "sock_recv",
    "sock_send",
    "sock_shutdown",
];

#[cfg(test)]
mod tests {
    use super::*;
    use wasiproc_engine::Engine;

    #[test]
    fn every_preview1_function_is_defined() {
        let engine = Engine::default();
        let mut linker: Linker<WasiCtx> = Linker::new(&engine);
        add_to_linker(&mut linker, |c| c).unwrap();
        assert_eq!(FUNCTIONS.len(), 46);
        for name in FUNCTIONS {
            assert!(linker.is_defined(MODULE, name), "{name} is missing");
        }
    }
}

//! The `wasi_process` import module: the guest ABI of docs/abi.md.
//!
//! Calls that only touch the caller (spawn configurations, pipes, pids) are
//! served here. `spawn`, `wait` and `kill` need the whole process table: the
//! host function checks its output pointer, files a [`Request`] in the
//! caller's [`ProcData`] and reports "blocked" with [`ProcessCall`]; the
//! scheduler serves the request, writes the answer where the request's
//! [`Reply`] says, and completes the blocked call with its errno (the host
//! function is not called again).

use crate::account::Charge;
use crate::data::{ChildSpec, ITEM_BYTES, ProcData, ProcessCall, Reply, Request, SpawnConfig};
use crate::limits::{self, kind};
use crate::pid::Pid;
use crate::pipe::{ActivityLog, pipe_charged};
use crate::shared_host::SharedHost;
use wasiproc_engine::{AsContext, Caller, Error, HostError, Linker, Memory};
use wasiproc_wasi::bytes_fuel;
use wasiproc_wasi::errno::Errno;
use wasiproc_wasi::stream::{EmptyInput, Sink};
use wasiproc_wasi::table::{Descriptor, FdTable};

/// The import module name.
pub const MODULE: &str = "wasi_process";

type Res = Result<i32, HostError>;

/// The name a module is known by: without leading `./` or `/`.
pub fn normalize(name: &str) -> String {
    stripped(name).to_string()
}

/// `name` without its leading `./` and `/`s.
fn stripped(mut name: &str) -> &str {
    loop {
        if let Some(rest) = name.strip_prefix("./") {
            name = rest;
        } else if let Some(rest) = name.strip_prefix('/') {
            name = rest;
        } else {
            return name;
        }
    }
}

/// [`normalize`] of an owned name, without a copy when there is nothing
/// to strip (a spawn's usual case).
fn normalize_owned(name: String) -> String {
    let n = stripped(&name);
    if n.len() == name.len() {
        name
    } else {
        n.to_string()
    }
}

fn errno(e: Errno) -> Res {
    Ok(e as i32)
}

fn memory(caller: &Caller<'_, ProcData>) -> Result<Memory, HostError> {
    let instance = caller.instance();
    let wasi = &caller.data().wasi;
    let m = match instance.and_then(|i| wasi.cached_memory(i)) {
        Some(m) => m,
        None => {
            let m = caller.get_export("memory").and_then(|e| e.into_memory());
            if let Some(i) = instance {
                wasi.cache_memory(i, m);
            }
            m
        }
    };
    m.ok_or_else(|| HostError::trap("wasi_process: the module exports no memory"))
}

/// The guest's memory and the range `ptr .. ptr + len` in it, checked
/// (`EFAULT` when it does not fit).
fn guest_range(
    caller: &Caller<'_, ProcData>,
    ptr: i32,
    len: i32,
) -> Result<(Memory, std::ops::Range<usize>), Errno> {
    let mem = memory(caller).map_err(|_| Errno::Fault)?;
    let (ptr, len) = (ptr as u32 as usize, len as u32 as usize);
    let size = mem.data(caller.as_context()).len();
    match ptr.checked_add(len) {
        Some(end) if end <= size => Ok((mem, ptr..end)),
        _ => Err(Errno::Fault),
    }
}

/// The guest string at a checked range, copied into an allocation made
/// fallibly (`ENOMEM`); `EILSEQ` when it is not UTF-8.
fn copy_str(
    caller: &Caller<'_, ProcData>,
    mem: Memory,
    range: std::ops::Range<usize>,
) -> Result<String, Errno> {
    let bytes = &mem.data(caller.as_context())[range];
    let mut buf = Vec::new();
    buf.try_reserve_exact(bytes.len())
        .map_err(|_| Errno::Nomem)?;
    buf.extend_from_slice(bytes);
    String::from_utf8(buf).map_err(|_| Errno::Ilseq)
}

/// Reads a guest string: the range is checked against the guest's memory
/// before anything is allocated (`EFAULT`), the string's bytes (and
/// [`ITEM_BYTES`] for what holds it) are charged to the caller's memory
/// account (`ENOMEM` over the limit), and the copy is allocated fallibly
/// (`ENOMEM`). The charge travels with the string.
fn read_str_charged(
    caller: &Caller<'_, ProcData>,
    ptr: i32,
    len: i32,
) -> Result<(String, Charge), Errno> {
    let (mem, range) = guest_range(caller, ptr, len)?;
    let held =
        Charge::of(&caller.data().account, range.len() + ITEM_BYTES).map_err(|_| Errno::Nomem)?;
    Ok((copy_str(caller, mem, range)?, held))
}

/// A charge of [`ITEM_BYTES`] to the caller's account (`ENOMEM` over it).
fn item_charge(caller: &Caller<'_, ProcData>) -> Result<Charge, Errno> {
    Charge::of(&caller.data().account, ITEM_BYTES).map_err(|_| Errno::Nomem)
}

/// Charges the fuel for copying a `len`-byte string argument (docs/abi.md,
/// "Fuel"), before it is copied: an "out of fuel" trap past the budget.
fn charge_str(caller: &mut Caller<'_, ProcData>, len: i32) -> Result<(), HostError> {
    Ok(caller.consume_fuel(bytes_fuel(len as u32 as u64))?)
}

/// Checks that `len` bytes at `ptr` can be written, before the call acts:
/// `EFAULT` otherwise, with nothing done.
fn check_out(caller: &Caller<'_, ProcData>, ptr: i32, len: usize) -> Result<(), Errno> {
    reply_to(caller, ptr, len).map(|_| ())
}

/// Where the scheduler writes the `len`-byte answer of a blocked call:
/// the caller's memory at `ptr`, checked before the call acts (`EFAULT`
/// otherwise, with nothing done).
fn reply_to(caller: &Caller<'_, ProcData>, ptr: i32, len: usize) -> Result<Reply, Errno> {
    let memory = memory(caller).map_err(|_| Errno::Fault)?;
    let size = memory.data(caller.as_context()).len();
    match (ptr as u32 as usize).checked_add(len) {
        Some(end) if end <= size => Ok(Reply {
            memory,
            out: ptr as u32,
        }),
        _ => Err(Errno::Fault),
    }
}

fn write_bytes(caller: &mut Caller<'_, ProcData>, ptr: i32, bytes: &[u8]) -> Result<(), Errno> {
    let mem = memory(caller).map_err(|_| Errno::Fault)?;
    mem.write(caller, ptr as u32 as usize, bytes)
        .map_err(|_| Errno::Fault)
}

macro_rules! tryno {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return errno(e),
        }
    };
}

fn config<'a>(
    caller: &'a mut Caller<'_, ProcData>,
    cfg: i32,
) -> Result<&'a mut SpawnConfig, Errno> {
    caller
        .data_mut()
        .configs
        .get_mut(&(cfg as u32))
        .ok_or(Errno::Badf)
}

/// Gives back what a descriptor holds on the host (a handle of the run's
/// shared host environment, counted once per holder).
pub fn release(host: &SharedHost, d: Descriptor) {
    use wasiproc_wasi::HostEnv;
    match d {
        Descriptor::File(f) => host.clone().close(f.handle),
        Descriptor::Dir(d) => host.clone().close(d.handle),
        Descriptor::Socket(s) => host.clone().close(s.handle),
        _ => {}
    }
}

/// A second handle to a descriptor, for a child.
pub fn share(d: &Descriptor, host: &SharedHost) -> Result<Descriptor, Errno> {
    Ok(match d {
        Descriptor::HostStdin => Descriptor::HostStdin,
        Descriptor::Input(s) => Descriptor::Input(s.try_clone().ok_or(Errno::Notsup)?),
        Descriptor::Output(s) => Descriptor::Output(s.try_clone().ok_or(Errno::Notsup)?),
        Descriptor::File(f) => {
            host.retain(f.handle);
            Descriptor::File(f.clone())
        }
        Descriptor::Dir(dir) => {
            host.retain(dir.handle);
            Descriptor::Dir(dir.clone())
        }
        Descriptor::Socket(sock) => {
            host.retain(sock.handle);
            Descriptor::Socket(sock.clone())
        }
    })
}

fn null_device(child_fd: u32) -> Descriptor {
    if child_fd == 0 {
        Descriptor::Input(Box::new(EmptyInput))
    } else {
        Descriptor::Output(Box::new(Sink))
    }
}

/// Builds the child's description from a configuration, checking every
/// grant against what the parent holds. A refused grant gives back every
/// handle retained for the child so far.
fn child_spec(
    data: &mut ProcData,
    host: &SharedHost,
    cfg: u32,
    module: String,
) -> Result<ChildSpec, Errno> {
    let config = data.configs.get(&cfg).ok_or(Errno::Badf)?;
    let mut fds = FdTable::new();
    if let Err(e) = child_fds(config, data.wasi.fds(), host, &mut fds) {
        for d in fds.drain() {
            release(host, d);
        }
        return Err(e);
    }
    // Without arguments of its own the child's only one is its module's
    // name, put there by the scheduler (`ChildSpec::args`). Fuel,
    // descendants and descriptor limits left unset are decided by the
    // scheduler: the child shares its parent's budgets; memory left unset
    // is bounded by what remains of its ancestors' accounts
    // (crate::account, docs/abi.md).
    Ok(ChildSpec {
        module,
        args: config.args.clone(),
        env: config.env.clone(),
        fds,
        allow: config.allow.clone(),
        limits: config.limits,
    })
}

/// The child's descriptors of `config`, shared from the parent's table
/// into `fds` (which holds what was shared so far when a grant is refused).
fn child_fds(
    config: &SpawnConfig,
    fds_table: &FdTable,
    host: &SharedHost,
    fds: &mut FdTable,
) -> Result<(), Errno> {
    let mapped = |n: u32| config.fds.iter().any(|(_, c)| *c == n);
    for n in 0..3u32 {
        if !mapped(n) {
            // Inherited stdio that cannot be shared (e.g. in-memory input)
            // becomes the null device; an explicit mapping must be shareable.
            if let Ok(d) = fds_table.get(n) {
                fds.insert_at(n, share(d, host).unwrap_or_else(|_| null_device(n)));
            }
        }
    }
    for (parent, child) in &config.fds {
        let d = match parent {
            None => null_device(*child),
            Some(p) => share(fds_table.get(*p)?, host)?,
        };
        // Mapping a number twice keeps the last; what it replaces is
        // given back.
        if let Some(old) = fds.insert_at(*child, d) {
            release(host, old);
        }
    }
    let mut next = 3u32;
    for (fd, path, read_only) in &config.dirs {
        let mut dir = fds_table.dir(*fd)?.clone();
        if !*read_only && !dir.mutable {
            return Err(Errno::Notcapable);
        }
        dir.mutable &= !*read_only;
        dir.preopen = Some(path.clone());
        while fds.get(next).is_ok() {
            next += 1;
        }
        host.retain(dir.handle);
        fds.insert_at(next, Descriptor::Dir(dir));
        next += 1;
    }
    Ok(())
}

/// The 16 bytes `wait` writes: the pid, then the status (docs/abi.md).
pub(crate) fn status_bytes(pid: Pid, status: Option<&crate::ExitStatus>) -> [u8; 16] {
    let (kind, value) = status.map_or((0, 0), |s| s.encode());
    let mut out = [0u8; 16];
    out[0..4].copy_from_slice(&pid.0.to_le_bytes());
    out[4..8].copy_from_slice(&kind.to_le_bytes());
    out[8..16].copy_from_slice(&value.to_le_bytes());
    out
}

/// Defines the `wasi_process` functions in `linker`. `host` is the run's
/// shared host environment (handles granted to children are retained there).
pub fn add_to_linker(
    linker: &mut Linker<ProcData>,
    host: SharedHost,
    log: ActivityLog,
) -> Result<(), Error> {
    linker.func_wrap(
        MODULE,
        "spawn_config_new",
        |mut c: Caller<'_, ProcData>, out: i32| -> Res {
            tryno!(check_out(&c, out, 4));
            let fresh = tryno!(SpawnConfig::new(&c.data().account).map_err(|_| Errno::Nomem));
            let d = c.data_mut();
            let id = d.next_config;
            // Handles are never reused: once they run out, EMFILE.
            let Some(next) = id.checked_add(1) else {
                return errno(Errno::Mfile);
            };
            d.next_config = next;
            d.configs.insert(id, fresh);
            tryno!(write_bytes(&mut c, out, &id.to_le_bytes()));
            Ok(0)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "spawn_config_drop",
        |mut c: Caller<'_, ProcData>, cfg: i32| -> Res {
            Ok(match c.data_mut().configs.remove(&(cfg as u32)) {
                Some(_) => 0,
                None => Errno::Badf as i32,
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "spawn_config_arg",
        |mut c: Caller<'_, ProcData>, cfg: i32, ptr: i32, len: i32| -> Res {
            charge_str(&mut c, len)?;
            let (s, held) = tryno!(read_str_charged(&c, ptr, len));
            let cfg = tryno!(config(&mut c, cfg));
            tryno!(cfg.args.try_reserve(1).map_err(|_| Errno::Nomem));
            cfg.args.push(s);
            cfg.held.absorb(held);
            Ok(0)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "spawn_config_env",
        |mut c: Caller<'_, ProcData>, cfg: i32, ptr: i32, len: i32| -> Res {
            charge_str(&mut c, len)?;
            let (s, held) = tryno!(read_str_charged(&c, ptr, len));
            let Some((k, v)) = s.split_once('=') else {
                return errno(Errno::Inval);
            };
            let (k, v) = (k.to_string(), v.to_string());
            let cfg = tryno!(config(&mut c, cfg));
            tryno!(cfg.env.try_reserve(1).map_err(|_| Errno::Nomem));
            cfg.env.push((k, v));
            cfg.held.absorb(held);
            Ok(0)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "spawn_config_dir",
        |mut c: Caller<'_, ProcData>, cfg: i32, fd: i32, ptr: i32, len: i32, ro: i32| -> Res {
            charge_str(&mut c, len)?;
            let (path, held) = tryno!(read_str_charged(&c, ptr, len));
            let dir = tryno!(c.data_mut().wasi.fds().dir(fd as u32));
            if ro == 0 && !dir.mutable {
                return errno(Errno::Notcapable);
            }
            let cfg = tryno!(config(&mut c, cfg));
            tryno!(cfg.dirs.try_reserve(1).map_err(|_| Errno::Nomem));
            cfg.dirs.push((fd as u32, path, ro != 0));
            cfg.held.absorb(held);
            Ok(0)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "spawn_config_fd",
        |mut c: Caller<'_, ProcData>, cfg: i32, parent: i32, child: i32| -> Res {
            let parent = if parent == -1 {
                None
            } else {
                Some(parent as u32)
            };
            if let Some(p) = parent {
                tryno!(c.data_mut().wasi.fds().get(p));
            }
            if child < 0 {
                return errno(Errno::Badf);
            }
            let held = tryno!(item_charge(&c));
            // Mapping a child descriptor again replaces the earlier mapping.
            let cfg = tryno!(config(&mut c, cfg));
            match cfg
                .fds
                .iter_mut()
                .find(|(_, mapped)| *mapped == child as u32)
            {
                Some(entry) => entry.0 = parent,
                None => {
                    tryno!(cfg.fds.try_reserve(1).map_err(|_| Errno::Nomem));
                    cfg.fds.push((parent, child as u32));
                    cfg.held.absorb(held);
                }
            }
            Ok(0)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "spawn_config_allow",
        |mut c: Caller<'_, ProcData>, cfg: i32, ptr: i32, len: i32| -> Res {
            charge_str(&mut c, len)?;
            let (name, held) = tryno!(read_str_charged(&c, ptr, len));
            let name = normalize(&name);
            if !c.data().allow.contains(&name) {
                return errno(Errno::Notcapable);
            }
            let cfg = tryno!(config(&mut c, cfg));
            if cfg.allow.insert(name) {
                cfg.held.absorb(held);
            }
            Ok(0)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "spawn_config_limit",
        |mut c: Caller<'_, ProcData>, cfg: i32, k: i32, value: i64| -> Res {
            let value = value as u64;
            let own = c.data().limits;
            let memory_room = c.data().account.remaining();
            let remaining_fuel = own.fuel.map(|_| c.as_context().get_fuel().unwrap_or(0));
            let cfg = tryno!(config(&mut c, cfg));
            let small = Some(value.min(u32::MAX as u64) as u32);
            // Checked before anything is set: a refused (wider) limit
            // leaves the configuration as it was, earlier limits included.
            let ok = match k {
                kind::FUEL => limits::within(Some(value), remaining_fuel),
                kind::MEMORY => limits::within(Some(value as usize), memory_room),
                kind::DESCENDANTS => limits::within(small, own.descendants),
                kind::FDS => limits::within(small, own.fds),
                _ => return errno(Errno::Inval),
            };
            if !ok {
                return errno(Errno::Notcapable);
            }
            match k {
                kind::FUEL => cfg.limits.fuel = Some(value),
                kind::MEMORY => cfg.limits.memory = Some(value as usize),
                kind::DESCENDANTS => cfg.limits.descendants = small,
                _ => cfg.limits.fds = small,
            }
            Ok(0)
        },
    )?;
    let spawn_host = host.clone();
    linker.func_wrap(
        MODULE,
        "spawn",
        move |mut c: Caller<'_, ProcData>, cfg: i32, ptr: i32, len: i32, out: i32| -> Res {
            let reply = tryno!(reply_to(&c, out, 4));
            charge_str(&mut c, len)?;
            let (module, _held) = tryno!(read_str_charged(&c, ptr, len));
            let module = normalize_owned(module);
            if !c.data().allow.contains(&module) {
                return errno(Errno::Notcapable);
            }
            let spec = tryno!(child_spec(c.data_mut(), &spawn_host, cfg as u32, module));
            let d = c.data_mut();
            // The box of the last spawn request is filled again.
            let spec = match d.spare_spec.take() {
                Some(mut b) => {
                    *b = spec;
                    b
                }
                None => Box::new(spec),
            };
            d.request = Some(Request::Spawn(spec, reply));
            Err(HostError::Blocked(Box::new(ProcessCall)))
        },
    )?;
    linker.func_wrap(
        MODULE,
        "wait",
        |mut c: Caller<'_, ProcData>, pid: i32, flags: i32, out: i32| -> Res {
            let reply = tryno!(reply_to(&c, out, 16));
            let pid = if pid == -1 {
                None
            } else {
                Some(Pid(pid as u32))
            };
            c.data_mut().request = Some(Request::Wait {
                pid,
                nohang: flags & 1 != 0,
                reply,
            });
            Err(HostError::Blocked(Box::new(ProcessCall)))
        },
    )?;
    linker.func_wrap(
        MODULE,
        "kill",
        |mut c: Caller<'_, ProcData>, pid: i32| -> Res {
            c.data_mut().request = Some(Request::Kill(Pid(pid as u32)));
            Err(HostError::Blocked(Box::new(ProcessCall)))
        },
    )?;
    linker.func_wrap(
        MODULE,
        "pipe",
        move |mut c: Caller<'_, ProcData>, out_r: i32, out_w: i32| -> Res {
            tryno!(check_out(&c, out_r, 4));
            tryno!(check_out(&c, out_w, 4));
            let held = Charge::new(&c.data().account);
            let fds = c.data_mut().wasi.fds_mut();
            // The process's descriptor limit and every quota above it.
            if !fds.has_room(2) {
                return errno(Errno::Mfile);
            }
            let (r, w) = pipe_charged(&log, held);
            let rfd = tryno!(fds.push(Descriptor::Input(Box::new(r))));
            let wfd = match fds.push(Descriptor::Output(Box::new(w))) {
                Ok(fd) => fd,
                Err(e) => {
                    let _ = fds.remove(rfd);
                    return errno(e);
                }
            };
            tryno!(write_bytes(&mut c, out_r, &rfd.to_le_bytes()));
            tryno!(write_bytes(&mut c, out_w, &wfd.to_le_bytes()));
            Ok(0)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "getpid",
        |mut c: Caller<'_, ProcData>, out: i32| -> Res {
            let pid = c.data().pid.0;
            tryno!(write_bytes(&mut c, out, &pid.to_le_bytes()));
            Ok(0)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "getppid",
        |mut c: Caller<'_, ProcData>, out: i32| -> Res {
            let pid = c.data().ppid.0;
            tryno!(write_bytes(&mut c, out, &pid.to_le_bytes()));
            Ok(0)
        },
    )?;
    Ok(())
}

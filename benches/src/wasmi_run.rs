//! Running a WASI command on wasmi 2 with a minimal preview1 shim: just the
//! functions the workloads import (`args_*`, `environ_*`, `fd_write`,
//! `fd_close`, `fd_seek`, `fd_fdstat_get`, `clock_time_get`, `proc_exit`), over descriptors
//! 0–2 only, stdout and stderr captured in memory. It answers like
//! `wasiproc-wasi` does for captured streams: `fd_seek` on them is `ESPIPE`,
//! `fd_fdstat_get` reports an unknown file type with read or write rights,
//! any other descriptor is `EBADF`, and a guest pointer out of bounds traps
//! (as in `wasiproc-wasi` and wasmtime).

use crate::Output;
use wasmi::{Caller, CompilationMode, Config, Engine, Extern, Linker, Module, Store};

/// The WASI module name.
pub const WASI: &str = "wasi_snapshot_preview1";

/// Preview1 errno values used by the shim.
pub mod errno {
    /// No error.
    pub const SUCCESS: i32 = 0;
    /// Bad file descriptor.
    pub const BADF: i32 = 8;
    /// Invalid argument.
    pub const INVAL: i32 = 28;
    /// Invalid seek.
    pub const SPIPE: i32 = 70;
}

const RIGHT_FD_READ: u64 = 1 << 1;
const RIGHT_FD_WRITE: u64 = 1 << 6;

/// The shim's state: the arguments and what the guest wrote.
#[derive(Debug, Default)]
pub struct WasiShim {
    args: Vec<Vec<u8>>,
    open: [bool; 3],
    /// Bytes written to descriptor 1.
    pub stdout: Vec<u8>,
    /// Bytes written to descriptor 2.
    pub stderr: Vec<u8>,
}

impl WasiShim {
    /// State for a run with these arguments (`argv[0]` first), stdio open.
    pub fn new(argv: &[&str]) -> Self {
        WasiShim {
            args: argv.iter().map(|a| a.as_bytes().to_vec()).collect(),
            open: [true; 3],
            stdout: Vec::new(),
            stderr: Vec::new(),
        }
    }

    fn is_open(&self, fd: i32) -> bool {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.open.get(i))
            .copied()
            .unwrap_or(false)
    }
}

/// A guest pointer out of bounds; the guest traps.
struct Fault;

fn slice(mem: &[u8], ptr: i32, len: usize) -> Result<std::ops::Range<usize>, Fault> {
    let start = ptr as u32 as usize;
    let end = start.checked_add(len).ok_or(Fault)?;
    if end > mem.len() {
        return Err(Fault);
    }
    Ok(start..end)
}

fn read_u32(mem: &[u8], ptr: i32) -> Result<u32, Fault> {
    let r = slice(mem, ptr, 4)?;
    Ok(u32::from_le_bytes(mem[r].try_into().unwrap_or_default()))
}

fn write_bytes(mem: &mut [u8], ptr: i32, bytes: &[u8]) -> Result<(), Fault> {
    let r = slice(mem, ptr, bytes.len())?;
    mem[r].copy_from_slice(bytes);
    Ok(())
}

/// Runs `f` on the guest's exported memory and the shim; a missing memory or
/// a pointer out of bounds is a trap.
fn with_memory(
    caller: &mut Caller<'_, WasiShim>,
    f: impl FnOnce(&mut [u8], &mut WasiShim) -> Result<i32, Fault>,
) -> Result<i32, wasmi::Error> {
    let Some(Extern::Memory(memory)) = caller.get_export("memory") else {
        return Err(wasmi::Error::new("the module exports no memory"));
    };
    let (mem, shim) = memory.data_and_store_mut(caller);
    f(mem, shim).map_err(|Fault| wasmi::Error::new("out of bounds memory access"))
}

/// Writes a list of byte strings the way `args_get`/`environ_get` do: a
/// pointer per string at `ptrs`, the NUL-terminated strings at `buf`.
fn write_list(mem: &mut [u8], list: &[Vec<u8>], ptrs: i32, buf: i32) -> Result<i32, Fault> {
    let mut at = buf as u32;
    for (i, s) in list.iter().enumerate() {
        write_bytes(mem, ptrs.wrapping_add(4 * i as i32), &at.to_le_bytes())?;
        write_bytes(mem, at as i32, s)?;
        write_bytes(mem, at.wrapping_add(s.len() as u32) as i32, &[0])?;
        at = at.wrapping_add(s.len() as u32 + 1);
    }
    Ok(errno::SUCCESS)
}

/// Writes a list's count and total size (with NULs) to `count` and `size`.
fn write_sizes(mem: &mut [u8], list: &[Vec<u8>], count: i32, size: i32) -> Result<i32, Fault> {
    let total: usize = list.iter().map(|s| s.len() + 1).sum();
    write_bytes(mem, count, &(list.len() as u32).to_le_bytes())?;
    write_bytes(mem, size, &(total as u32).to_le_bytes())?;
    Ok(errno::SUCCESS)
}

/// The instant the shim's monotonic clocks count from (the first read).
fn monotonic_epoch() -> std::time::Instant {
    static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(std::time::Instant::now)
}

/// Defines the shim's functions in `linker`.
pub fn add_to_linker(linker: &mut Linker<WasiShim>) -> Result<(), wasmi::Error> {
    linker.func_wrap(
        WASI,
        "args_sizes_get",
        |mut caller: Caller<'_, WasiShim>, count: i32, size: i32| -> Result<i32, wasmi::Error> {
            with_memory(&mut caller, |mem, shim| {
                write_sizes(mem, &shim.args, count, size)
            })
        },
    )?;
    linker.func_wrap(
        WASI,
        "args_get",
        |mut caller: Caller<'_, WasiShim>, ptrs: i32, buf: i32| -> Result<i32, wasmi::Error> {
            with_memory(&mut caller, |mem, shim| {
                write_list(mem, &shim.args, ptrs, buf)
            })
        },
    )?;
    linker.func_wrap(
        WASI,
        "environ_sizes_get",
        |mut caller: Caller<'_, WasiShim>, count: i32, size: i32| -> Result<i32, wasmi::Error> {
            with_memory(&mut caller, |mem, _| write_sizes(mem, &[], count, size))
        },
    )?;
    linker.func_wrap(
        WASI,
        "environ_get",
        |mut caller: Caller<'_, WasiShim>, ptrs: i32, buf: i32| -> Result<i32, wasmi::Error> {
            with_memory(&mut caller, |mem, _| write_list(mem, &[], ptrs, buf))
        },
    )?;
    linker.func_wrap(
        WASI,
        "fd_write",
        |mut caller: Caller<'_, WasiShim>,
         fd: i32,
         iovs: i32,
         iovs_len: i32,
         nwritten: i32|
         -> Result<i32, wasmi::Error> {
            if fd == 0 || !caller.data().is_open(fd) {
                return Ok(errno::BADF);
            }
            with_memory(&mut caller, |mem, shim| {
                let out = if fd == 1 {
                    &mut shim.stdout
                } else {
                    &mut shim.stderr
                };
                let mut total: u32 = 0;
                for i in 0..iovs_len as u32 {
                    let iov = iovs.wrapping_add((8 * i) as i32);
                    let base = read_u32(mem, iov)?;
                    let len = read_u32(mem, iov.wrapping_add(4))?;
                    let r = slice(mem, base as i32, len as usize)?;
                    out.extend_from_slice(&mem[r]);
                    total = total.wrapping_add(len);
                }
                write_bytes(mem, nwritten, &total.to_le_bytes())?;
                Ok(errno::SUCCESS)
            })
        },
    )?;
    linker.func_wrap(
        WASI,
        "fd_close",
        |mut caller: Caller<'_, WasiShim>, fd: i32| -> i32 {
            if !caller.data().is_open(fd) {
                return errno::BADF;
            }
            caller.data_mut().open[fd as usize] = false;
            errno::SUCCESS
        },
    )?;
    linker.func_wrap(
        WASI,
        "fd_seek",
        |caller: Caller<'_, WasiShim>, fd: i32, _offset: i64, whence: i32, _out: i32| -> i32 {
            if !caller.data().is_open(fd) {
                errno::BADF
            } else if !(0..=2).contains(&whence) {
                errno::INVAL
            } else {
                errno::SPIPE
            }
        },
    )?;
    linker.func_wrap(
        WASI,
        "fd_fdstat_get",
        |mut caller: Caller<'_, WasiShim>, fd: i32, out: i32| -> Result<i32, wasmi::Error> {
            if !caller.data().is_open(fd) {
                return Ok(errno::BADF);
            }
            let rights = if fd == 0 {
                RIGHT_FD_READ
            } else {
                RIGHT_FD_WRITE
            };
            // fdstat: filetype u8 (0 = unknown), fs_flags u16 at 2,
            // rights_base u64 at 8, rights_inheriting u64 at 16.
            let mut stat = [0u8; 24];
            stat[8..16].copy_from_slice(&rights.to_le_bytes());
            stat[16..24].copy_from_slice(&rights.to_le_bytes());
            with_memory(&mut caller, |mem, _| {
                write_bytes(mem, out, &stat)?;
                Ok(errno::SUCCESS)
            })
        },
    )?;
    linker.func_wrap(
        WASI,
        "clock_time_get",
        |mut caller: Caller<'_, WasiShim>,
         id: i32,
         _precision: i64,
         out: i32|
         -> Result<i32, wasmi::Error> {
            // realtime (0) from the system clock; the monotonic and CPU-time
            // clocks (1-3) from a monotonic clock (CoreMark times itself).
            let now = match id {
                0 => std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default(),
                1..=3 => monotonic_epoch().elapsed(),
                _ => return Ok(errno::INVAL),
            };
            let ns = u64::try_from(now.as_nanos()).unwrap_or(u64::MAX);
            with_memory(&mut caller, |mem, _| {
                write_bytes(mem, out, &ns.to_le_bytes())?;
                Ok(errno::SUCCESS)
            })
        },
    )?;
    linker.func_wrap(
        WASI,
        "proc_exit",
        |_: Caller<'_, WasiShim>, code: i32| -> Result<(), wasmi::Error> {
            Err(wasmi::Error::i32_exit(code))
        },
    )?;
    Ok(())
}

/// A wasmi engine that translates eagerly (all function bodies in
/// `Module::new`, as wasiproc does), without fuel.
pub fn engine() -> Engine {
    engine_with(CompilationMode::Eager)
}

/// A wasmi engine with the given compilation mode (wasmi's default is
/// `LazyTranslation`: validate eagerly, translate each body on first call).
pub fn engine_with(mode: CompilationMode) -> Engine {
    let mut config = Config::default();
    config.compilation_mode(mode);
    Engine::new(&config)
}

/// A wasmi engine that translates eagerly and meters fuel
/// (`Config::consume_fuel`), for comparisons with wasiproc's metering.
pub fn engine_fuel() -> Engine {
    let mut config = Config::default();
    config.compilation_mode(CompilationMode::Eager);
    config.consume_fuel(true);
    Engine::new(&config)
}

/// Instantiates `module` with the shim and runs `_start` to completion.
pub fn run(engine: &Engine, module: &Module, argv: &[&str]) -> Result<Output, String> {
    run_metered(engine, module, argv, false)
}

/// [`run`]; with `fuel`, on an engine from [`engine_fuel`], with `u64::MAX`
/// fuel so that it never runs out.
pub fn run_metered(
    engine: &Engine,
    module: &Module,
    argv: &[&str],
    fuel: bool,
) -> Result<Output, String> {
    let mut store = Store::new(engine, WasiShim::new(argv));
    if fuel {
        store
            .set_fuel(u64::MAX)
            .map_err(|e| format!("wasmi: set_fuel: {e}"))?;
    }
    let mut linker = Linker::new(engine);
    add_to_linker(&mut linker).map_err(|e| format!("wasmi: {e}"))?;
    let instance = linker
        .instantiate_and_start(&mut store, module)
        .map_err(|e| format!("wasmi: {e}"))?;
    let start = instance
        .get_typed_func::<(), ()>(&store, "_start")
        .map_err(|e| format!("wasmi: _start: {e}"))?;
    let exit_code = match start.call(&mut store, ()) {
        Ok(()) => 0,
        Err(e) => match e.i32_exit_status() {
            Some(code) => code,
            None => return Err(format!("wasmi: {e}")),
        },
    };
    let shim = store.into_data();
    Ok(Output {
        exit_code,
        stdout: shim.stdout,
        stderr: shim.stderr,
    })
}

/// Compiles `wasm` (eagerly) and runs it: the whole in-process cost of one
/// command run.
pub fn compile_and_run(wasm: &[u8], argv: &[&str]) -> Result<Output, String> {
    let engine = engine();
    let module = Module::new(&engine, wasm).map_err(|e| format!("wasmi: {e}"))?;
    run(&engine, &module, argv)
}

/// [`compile_and_run`] with fuel metering on ([`engine_fuel`]).
pub fn compile_and_run_fuel(wasm: &[u8], argv: &[&str]) -> Result<Output, String> {
    let engine = engine_fuel();
    let module = Module::new(&engine, wasm).map_err(|e| format!("wasmi: {e}"))?;
    run_metered(&engine, &module, argv, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module that exercises each shim function and prints the errnos.
    const PROBE: &str = r#"
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; results: errnos stored at 512.. as bytes, then written to stdout
  (func $put (param $i i32) (param $v i32)
    (i32.store8 (i32.add (i32.const 512) (local.get $i)) (i32.add (local.get $v) (i32.const 65))))
  (func (export "_start")
    ;; argc at 0, argv buf size at 4
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    ;; argv pointers at 16, strings at 64
    (drop (call $args_get (i32.const 16) (i32.const 64)))
    ;; print the strings: iovec at 8 = (64, size)
    (i32.store (i32.const 8) (i32.const 64))
    (i32.store (i32.const 12) (i32.load (i32.const 4)))
    (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 32)))
    (call $put (i32.const 0) (i32.load (i32.const 0)))
    (call $put (i32.const 1) (call $env_sizes (i32.const 40) (i32.const 44)))
    (call $put (i32.const 2) (i32.load (i32.const 40)))
    (call $put (i32.const 3) (call $fd_seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 48)))
    (call $put (i32.const 4) (call $fd_seek (i32.const 9) (i64.const 0) (i32.const 0) (i32.const 48)))
    (call $put (i32.const 5) (call $fdstat (i32.const 1) (i32.const 128)))
    (call $put (i32.const 6) (i32.load8_u (i32.const 128)))
    (call $put (i32.const 7) (call $fdstat (i32.const 7) (i32.const 128)))
    (call $put (i32.const 8) (call $fd_close (i32.const 0)))
    (call $put (i32.const 9) (call $fd_close (i32.const 0)))
    (call $put (i32.const 10) (call $fd_write (i32.const 5) (i32.const 8) (i32.const 1) (i32.const 32)))
    (i32.store (i32.const 8) (i32.const 512))
    (i32.store (i32.const 12) (i32.const 11))
    (drop (call $fd_write (i32.const 2) (i32.const 8) (i32.const 1) (i32.const 32)))
    (call $proc_exit (i32.const 7))
    unreachable))
"#;

    #[test]
    fn shim_answers_like_wasi() {
        let wasm = wat::parse_str(PROBE).unwrap();
        let engine = engine();
        let module = Module::new(&engine, &wasm).unwrap();
        let out = run(&engine, &module, &["probe", "x1"]).unwrap();
        assert_eq!(out.exit_code, 7);
        assert_eq!(out.stdout, b"probe\0x1\0");
        let code = |e: i32| (e + 65) as u8;
        let want = [
            code(2),
            code(errno::SUCCESS),
            code(0),
            code(errno::SPIPE),
            code(errno::BADF),
            code(errno::SUCCESS),
            code(0),
            code(errno::BADF),
            code(errno::SUCCESS),
            code(errno::BADF),
            code(errno::BADF),
        ];
        assert_eq!(out.stderr, want);

        // wasiproc's real WASI gives the same answers for these calls.
        let engine = crate::wasiproc_run::engine(false);
        let module = wasiproc_engine::Module::new(&engine, &wasm).unwrap();
        let theirs = crate::wasiproc_run::run(&engine, &module, &["probe", "x1"], false).unwrap();
        assert_eq!(theirs, out);
    }

    #[test]
    fn pointer_out_of_bounds_traps() {
        let wasm = wat::parse_str(
            r#"(module
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $fdstat (i32.const 1) (i32.const 65534)))))"#,
        )
        .unwrap();
        let engine = engine();
        let module = Module::new(&engine, &wasm).unwrap();
        let err = run(&engine, &module, &["oob"]).unwrap_err();
        assert!(err.contains("out of bounds"), "{err}");
    }
}

//! Process-layer scenarios for the `process` bench and the `procmem`
//! binary: the WAT guests (parameters baked in as constants) and building a
//! [`Runtime`] ready to `run()` with them.
//!
//! Every root checks what it does and traps (`unreachable`) on a failed
//! call or a child that did not exit with 0, so [`check`] on the report
//! tells whether a scenario really did its work.

use std::collections::BTreeSet;
use wasiproc_engine::Module;
use wasiproc_process::{ExitStatus, Limits, RunReport, Runtime, RuntimeConfig};
use wasiproc_wasi::{HostEnv, RealHost, WasiCtxBuilder, WritePipe};

/// The imports the roots use (unused ones cost only a linker lookup each,
/// once per run) and `$ok`, which traps unless its argument is 0.
const ROOT_PRELUDE: &str = r#"
  (import "wasi_process" "spawn_config_new" (func $cfg_new (param i32) (result i32)))
  (import "wasi_process" "spawn_config_fd" (func $cfg_fd (param i32 i32 i32) (result i32)))
  (import "wasi_process" "spawn" (func $spawn (param i32 i32 i32 i32) (result i32)))
  (import "wasi_process" "wait" (func $wait (param i32 i32 i32) (result i32)))
  (import "wasi_process" "pipe" (func $pipe (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  ;; memory: 0 config handle, 4 and 8 pids, 16..32 wait status,
  ;; 40 read fd, 44 write fd, 48 clock out, 100.. module names
  (func $ok (param i32) (if (local.get 0) (then unreachable)))
  ;; wait for `pid` (-1 = any); trap unless it exited with 0
  (func $reap (param $pid i32)
    (call $ok (call $wait (local.get $pid) (i32.const 0) (i32.const 16)))
    (call $ok (i32.or (i32.load (i32.const 20))
                      (i32.or (i32.load (i32.const 24)) (i32.load (i32.const 28))))))
  ;; spawn the module named at 100 (length `len`) with config `cfg`; pid to `out`
  (func $spawn_named (param $cfg i32) (param $len i32) (param $out i32)
    (call $ok (call $spawn (local.get $cfg) (i32.const 100) (local.get $len) (local.get $out))))
"#;

/// A root or child whose `_start` returns at once, without memory.
pub const EMPTY_WAT: &str = r#"(module (func (export "_start")))"#;

/// The same with one exported page of linear memory, as every real WASI
/// command has.
pub const EMPTY_MEM1_WAT: &str =
    r#"(module (memory (export "memory") 1) (func (export "_start")))"#;

/// One page of memory, and a `_start` that writes one byte of it: its
/// memory is touched, so the pool clears it when the child ends (a child
/// that never accesses its memory, [`EMPTY_MEM1_WAT`], gives it back
/// without that look).
pub const WRITES_MEM1_WAT: &str = r#"(module (memory (export "memory") 1)
  (func (export "_start") (i32.store8 (i32.const 65535) (i32.const 1))))"#;

/// Name under which the scenarios register their child module.
pub const CHILD: &str = "child.wasm";

/// A root that spawns [`CHILD`] and waits for it `n` times, reusing one
/// spawn configuration.
pub fn spawn_wait_root(n: u32) -> String {
    format!(
        r#"(module {ROOT_PRELUDE}
  (data (i32.const 100) "{CHILD}")
  (func (export "_start") (local $i i32)
    (call $ok (call $cfg_new (i32.const 0)))
    (loop $l
      (call $spawn_named (i32.load (i32.const 0)) (i32.const {len}) (i32.const 4))
      (call $reap (i32.load (i32.const 4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const {n}))))))"#,
        len = CHILD.len()
    )
}

/// A root that spawns two [`CHILD`]ren (see [`yielder`]) and waits for both.
pub fn two_children_root() -> String {
    format!(
        r#"(module {ROOT_PRELUDE}
  (data (i32.const 100) "{CHILD}")
  (func (export "_start")
    (call $ok (call $cfg_new (i32.const 0)))
    (call $spawn_named (i32.load (i32.const 0)) (i32.const {len}) (i32.const 4))
    (call $spawn_named (i32.load (i32.const 0)) (i32.const {len}) (i32.const 8))
    (call $reap (i32.const -1))
    (call $reap (i32.const -1))))"#,
        len = CHILD.len()
    )
}

/// A child that calls `sched_yield` `k` times, then returns.
pub fn yielder(k: u32) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
  (func (export "_start") (local $i i32)
    (loop $l
      (if (call $yield) (then unreachable))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const {k}))))))"#
    )
}

/// Names of the two children of [`pipe_root`].
pub const WRITER: &str = "writer.wasm";
/// See [`WRITER`].
pub const READER: &str = "reader.wasm";

/// A root that makes a pipe, spawns [`WRITER`] with stdout on its write end
/// and [`READER`] with stdin on its read end, closes both ends and waits for
/// both children.
pub fn pipe_root() -> String {
    format!(
        r#"(module {ROOT_PRELUDE}
  (data (i32.const 100) "{WRITER}")
  (data (i32.const 120) "{READER}")
  (func (export "_start")
    (call $ok (call $pipe (i32.const 40) (i32.const 44)))
    (call $ok (call $cfg_new (i32.const 0)))
    (call $ok (call $cfg_fd (i32.load (i32.const 0)) (i32.load (i32.const 44)) (i32.const 1)))
    (call $ok (call $spawn (i32.load (i32.const 0)) (i32.const 100) (i32.const {wlen}) (i32.const 4)))
    (call $ok (call $cfg_new (i32.const 0)))
    (call $ok (call $cfg_fd (i32.load (i32.const 0)) (i32.load (i32.const 40)) (i32.const 0)))
    (call $ok (call $spawn (i32.load (i32.const 0)) (i32.const 120) (i32.const {rlen}) (i32.const 8)))
    (call $ok (call $fd_close (i32.load (i32.const 40))))
    (call $ok (call $fd_close (i32.load (i32.const 44))))
    (call $reap (i32.const -1))
    (call $reap (i32.const -1))))"#,
        wlen = WRITER.len(),
        rlen = READER.len()
    )
}

/// Bytes per `fd_write` / `fd_read` call of the pipe scenario.
pub const PIPE_CHUNK: u32 = 64 * 1024;

/// A child that writes `total` bytes to stdout in calls of at most
/// [`PIPE_CHUNK`] bytes (counting short writes), from a buffer in its
/// second page; traps on an error.
pub fn pipe_writer(total: u32) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  ;; 0 iovec (base, len), 8 bytes written; buffer at 65536
  (func (export "_start") (local $done i32) (local $left i32)
    (i32.store (i32.const 0) (i32.const 65536))
    (loop $l
      (local.set $left (i32.sub (i32.const {total}) (local.get $done)))
      (i32.store (i32.const 4)
        (select (i32.const {PIPE_CHUNK}) (local.get $left)
                (i32.gt_u (local.get $left) (i32.const {PIPE_CHUNK}))))
      (if (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))
        (then unreachable))
      (local.set $done (i32.add (local.get $done) (i32.load (i32.const 8))))
      (br_if $l (i32.lt_u (local.get $done) (i32.const {total}))))))"#
    )
}

/// A child that reads stdin into a [`PIPE_CHUNK`]-byte buffer until end of
/// file and traps unless it got exactly `total` bytes.
pub fn pipe_reader(total: u32) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  ;; 0 iovec (base, len), 8 bytes read; buffer at 65536
  (func (export "_start") (local $got i32) (local $n i32)
    (i32.store (i32.const 0) (i32.const 65536))
    (i32.store (i32.const 4) (i32.const {PIPE_CHUNK}))
    (loop $l
      (if (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8))
        (then unreachable))
      (local.set $n (i32.load (i32.const 8)))
      (local.set $got (i32.add (local.get $got) (local.get $n)))
      (br_if $l (local.get $n)))
    (if (i32.ne (local.get $got) (i32.const {total})) (then unreachable))))"#
    )
}

/// A root that makes a pipe, spawns `n` [`CHILD`]ren (see [`IDLE_CHILD_WAT`])
/// with stdin on its read end, yields twice so that every child has run
/// into its blocking read, closes both ends and waits for all of them.
/// It reads the realtime clock (`clock_time_get` id 0) at its start, when
/// all children are idle, and at its end: a probing host (`procmem`) takes
/// its measurements there.
pub fn idle_root(n: u32) -> String {
    format!(
        r#"(module {ROOT_PRELUDE}
  (data (i32.const 100) "{CHILD}")
  (func $probe (call $ok (call $clock (i32.const 0) (i64.const 1) (i32.const 48))))
  (func (export "_start") (local $i i32)
    (call $probe)
    (call $ok (call $pipe (i32.const 40) (i32.const 44)))
    (call $ok (call $cfg_new (i32.const 0)))
    (call $ok (call $cfg_fd (i32.load (i32.const 0)) (i32.load (i32.const 40)) (i32.const 0)))
    (block $done
      (br_if $done (i32.eqz (i32.const {n})))
      (loop $l
        (call $spawn_named (i32.load (i32.const 0)) (i32.const {len}) (i32.const 4))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const {n})))))
    (call $ok (call $yield))
    (call $ok (call $yield))
    (call $probe)
    (call $ok (call $fd_close (i32.load (i32.const 40))))
    (call $ok (call $fd_close (i32.load (i32.const 44))))
    (local.set $i (i32.const 0))
    (block $done
      (br_if $done (i32.eqz (i32.const {n})))
      (loop $l
        (call $reap (i32.const -1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const {n})))))
    (call $probe)))"#,
        len = CHILD.len()
    )
}

/// A child that reads 16 bytes from stdin (blocking until the root closes
/// the pipe, then end of file) and returns. One page of memory, of which it
/// touches the first few bytes.
pub const IDLE_CHILD_WAT: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 16))
    (if (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8))
      (then unreachable))))"#;

/// WAT to wasm; the scenarios' WAT is generated here, so a failure is a bug.
pub fn wasm(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).unwrap_or_else(|e| panic!("scenario WAT: {e}\n{wat}"))
}

/// A runtime with `children` (name, wasm) registered and allowed, and the
/// root `root` (wasm) spawned with stdout and stderr captured (children
/// inherit them): ready for [`Runtime::run`]. Compiles every module, since
/// modules belong to the runtime's engine.
pub fn prepare(
    config: RuntimeConfig,
    host: Box<dyn HostEnv>,
    root: &[u8],
    children: &[(&str, &[u8])],
) -> Result<Runtime, String> {
    let mut rt = Runtime::new(config, host).map_err(|e| format!("runtime: {e}"))?;
    let mut allow = BTreeSet::new();
    for (name, wasm) in children {
        let m = Module::new(rt.engine(), wasm).map_err(|e| format!("{name}: {e}"))?;
        rt.register(name, m);
        allow.insert(name.to_string());
    }
    let root = Module::new(rt.engine(), root).map_err(|e| format!("root: {e}"))?;
    let mut b = WasiCtxBuilder::new();
    b.arg("root.wasm")
        .stdout(WritePipe::new())
        .stderr(WritePipe::new())
        .host_env(rt.host());
    let ctx = b.build().map_err(|e| format!("WASI context: {e}"))?;
    rt.spawn_root(&root, "root.wasm", ctx, allow, Limits::default())
        .map_err(|e| format!("spawn_root: {e}"))?;
    Ok(rt)
}

/// [`prepare`] with the default configuration and the real host.
pub fn prepare_default(root: &[u8], children: &[(&str, &[u8])]) -> Result<Runtime, String> {
    prepare(
        RuntimeConfig::default(),
        Box::new(RealHost::new()),
        root,
        children,
    )
}

/// Runs a prepared runtime and [`check`]s the report.
pub fn run_checked(rt: &mut Runtime) -> Result<RunReport, String> {
    let report = rt.run().map_err(|e| format!("run: {e}"))?;
    check(&report)?;
    Ok(report)
}

/// Ok when the root exited with 0 (its checks passed); otherwise what
/// happened, with the root's trap if any.
pub fn check(report: &RunReport) -> Result<(), String> {
    if report.status == ExitStatus::Exited(0) {
        return Ok(());
    }
    let trap = report
        .trap
        .as_ref()
        .map(|t| format!(": {t}"))
        .unwrap_or_default();
    Err(format!("root ended with {}{trap}", report.status))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(root: &str, children: &[(&str, &str)]) -> RunReport {
        let children: Vec<(&str, Vec<u8>)> = children.iter().map(|(n, w)| (*n, wasm(w))).collect();
        let children: Vec<(&str, &[u8])> = children.iter().map(|(n, w)| (*n, &w[..])).collect();
        let mut rt = prepare_default(&wasm(root), &children).unwrap();
        run_checked(&mut rt).unwrap()
    }

    #[test]
    fn spawn_wait_runs_every_child() {
        let r = run(&spawn_wait_root(5), &[(CHILD, EMPTY_WAT)]);
        assert_eq!(r.processes.len(), 6);
        let r = run(&spawn_wait_root(3), &[(CHILD, EMPTY_MEM1_WAT)]);
        assert_eq!(r.processes.len(), 4);
        let r = run(&spawn_wait_root(3), &[(CHILD, WRITES_MEM1_WAT)]);
        assert_eq!(r.processes.len(), 4);
    }

    #[test]
    fn yielders_finish() {
        let r = run(&two_children_root(), &[(CHILD, &yielder(100))]);
        assert_eq!(r.processes.len(), 3);
    }

    #[test]
    fn pipe_carries_every_byte() {
        // A total that is not a multiple of the chunk: a short last write.
        let total = 3 * PIPE_CHUNK + 1000;
        let r = run(
            &pipe_root(),
            &[(WRITER, &pipe_writer(total)), (READER, &pipe_reader(total))],
        );
        assert_eq!(r.processes.len(), 3);
        // A reader expecting more bytes than were written traps.
        let children = [
            (WRITER, wasm(&pipe_writer(total))),
            (READER, wasm(&pipe_reader(total + 1))),
        ];
        let children: Vec<(&str, &[u8])> = children.iter().map(|(n, w)| (*n, &w[..])).collect();
        let mut rt = prepare_default(&wasm(&pipe_root()), &children).unwrap();
        assert!(run_checked(&mut rt).is_err());
    }

    #[test]
    fn idle_children_all_end() {
        for n in [0, 1, 50] {
            let r = run(&idle_root(n), &[(CHILD, IDLE_CHILD_WAT)]);
            assert_eq!(r.processes.len(), n as usize + 1);
        }
    }
}

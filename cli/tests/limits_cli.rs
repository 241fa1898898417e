//! Limits of the command line itself, each with a measured figure: the size
//! of a trace of many polls, the peak memory of wasiproc while a guest
//! writes 1 GiB under `--record` and `--check-determinism`, a replay of a
//! hostile trace that would run forever, write errors on wasiproc's own
//! stdout, control characters in text the command line did not write, and
//! an `--allow-command` path that leaves its grant.

mod common;

use common::{scratch, stderr, stdout, wasiproc};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Writes the module of WAT `text` to `dir/name`.
fn module(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    let wasm = wat::parse_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    std::fs::write(&path, wasm).unwrap();
    path
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Runs `wasiproc ARGS` with stdin closed and the outputs captured.
fn run(args: &[&str]) -> Output {
    wasiproc()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run wasiproc")
}

/// Runs `wasiproc replay TRACE`, with `--verify` if `verify`.
fn replay(trace: &Path, verify: bool) -> Output {
    let mut args = vec!["replay"];
    if verify {
        args.push("--verify");
    }
    args.push(s(trace));
    run(&args)
}

/// Runs `cmd` with stdout to /dev/null; returns its exit code and its peak
/// resident memory in KiB: VmHWM from /proc, read every 10 ms until it
/// exits (the last reading is the peak up to then; `wait4`'s `ru_maxrss`
/// would also count the test process's memory, which the child had before
/// its exec). Memory that grows with the output grows during the run, where
/// the readings see it.
fn peak_rss_kib(mut cmd: Command) -> (Option<i32>, u64) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(std::fs::File::create("/dev/null").unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn wasiproc");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Some(status) = child.try_wait().expect("wait wasiproc") {
            assert!(peak > 0, "no reading of VmHWM");
            return (status.code(), peak);
        }
        let hwm = std::fs::read_to_string(&status_file)
            .ok()
            .and_then(|s| {
                let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
                line.split_whitespace().nth(1)?.parse::<u64>().ok()
            })
            .unwrap_or(0);
        peak = peak.max(hwm);
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

// ---- item 8: record, replay, check --------------------------------------------

/// 20 `poll_oneoff` calls, each on 10,000 relative 1 ms timers, then "done".
const POLLS: &str = r#"(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 16)
  (data (i32.const 100) "done\n")
  (func (export "_start")
    (local $i i32) (local $p i32)
    (local.set $p (i32.const 65536))
    (loop $fill
      (i64.store (local.get $p) (i64.extend_i32_u (local.get $i)))
      (i32.store8 offset=8 (local.get $p) (i32.const 0))
      (i32.store offset=16 (local.get $p) (i32.const 1))
      (i64.store offset=24 (local.get $p) (i64.const 1000000))
      (i64.store offset=32 (local.get $p) (i64.const 0))
      (i32.store16 offset=40 (local.get $p) (i32.const 0))
      (local.set $p (i32.add (local.get $p) (i32.const 48)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 10000))))
    (local.set $i (i32.const 0))
    (loop $polls
      (drop (call $poll (i32.const 65536) (i32.const 545536) (i32.const 10000) (i32.const 0)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $polls (i32.lt_u (local.get $i) (i32.const 20))))
    (i32.store (i32.const 8) (i32.const 100))
    (i32.store (i32.const 12) (i32.const 5))
    (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 16)))))"#;

/// Bytes of a trace of [`POLLS`] at most: the module (~350 bytes), the
/// header, and a few calls per poll. Before the scheduler read the clock
/// once per check it was 9,072,473 bytes (`--seed 1`) and 1,384,268 (real
/// clocks); now about 2,200.
const POLL_TRACE_BOUND: u64 = 16 * 1024;

#[test]
fn a_trace_of_20_polls_on_10000_timers_stays_small() {
    let dir = scratch("lim-polls");
    let wasm = module(&dir, "polls.wasm", POLLS);
    for (flags, name) in [(&["--seed", "1"][..], "det"), (&[][..], "real")] {
        let trace = dir.join(format!("{name}.trace"));
        let mut args = vec!["run", "--record", s(&trace)];
        args.extend_from_slice(flags);
        args.push(s(&wasm));
        let o = run(&args);
        assert_eq!(stdout(&o), "done\n", "{name}: {}", stderr(&o));
        let size = std::fs::metadata(&trace).unwrap().len();
        eprintln!("{name}: trace of 20 polls of 10,000 timers: {size} bytes");
        assert!(
            size <= POLL_TRACE_BOUND,
            "{name}: {size} bytes > {POLL_TRACE_BOUND}"
        );
        let o = replay(&trace, true);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert_eq!(stdout(&o), "done\n");
        assert!(stderr(&o).contains("replay verified: "), "{}", stderr(&o));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Writes `mib` MiB to stdout in 1 MiB writes.
fn writer(mib: u32) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 17)
  (func (export "_start")
    (local $i i32) (local $e i32)
    (memory.fill (i32.const 65536) (i32.const 120) (i32.const 1048576))
    (i32.store (i32.const 0) (i32.const 65536))
    (i32.store (i32.const 4) (i32.const 1048576))
    (loop $w
      (local.set $e (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (if (local.get $e) (then (call $exit (local.get $e))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $w (i32.lt_u (local.get $i) (i32.const {mib}))))))"#
    )
}

/// Peak resident memory allowed to wasiproc while a guest writes 1 GiB:
/// a run with its output to /dev/null peaks at about 6.5 MiB; with
/// `--record` and `--check-determinism` it was 3.15 GB (every byte kept in
/// memory, the trailer copied once more), now about 7 MiB.
const GIB_OUTPUT_RSS_BOUND_KIB: u64 = 32 * 1024;

#[test]
fn writing_1_gib_under_record_and_check_determinism_does_not_grow_memory() {
    let dir = scratch("lim-gib");
    let wasm = module(&dir, "gib.wasm", &writer(1024));
    let trace = dir.join("gib.trace");
    let runs: [(&str, Vec<&str>); 3] = [
        ("run", vec!["run", s(&wasm)]),
        ("run --record", vec!["run", "--record", s(&trace), s(&wasm)]),
        (
            "run --check-determinism",
            vec!["run", "--check-determinism", s(&wasm)],
        ),
    ];
    for (what, args) in runs {
        let mut cmd = wasiproc();
        cmd.args(&args);
        let (code, kib) = peak_rss_kib(cmd);
        eprintln!("{what}, 1 GiB of output: peak RSS {kib} KiB");
        assert_eq!(code, Some(0), "{what}");
        assert!(
            kib <= GIB_OUTPUT_RSS_BOUND_KIB,
            "{what}: peak RSS {kib} KiB > {GIB_OUTPUT_RSS_BOUND_KIB} KiB"
        );
    }
    // The trace holds the output's length and hash, not its bytes.
    let size = std::fs::metadata(&trace).unwrap().len();
    assert!(size < 4096, "trace of 1 GiB of output: {size} bytes");
    let mut cmd = wasiproc();
    cmd.args(["replay", "--verify", s(&trace)]);
    let (code, kib) = peak_rss_kib(cmd);
    eprintln!("replay --verify, 1 GiB of output: peak RSS {kib} KiB");
    assert_eq!(code, Some(0));
    assert!(kib <= GIB_OUTPUT_RSS_BOUND_KIB, "replay: {kib} KiB");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_determinism_still_names_the_first_differing_byte_past_its_memory() {
    // 3 MiB of output, then one byte that differs between the runs: the
    // guest creates a marker file with O_EXCL in its grant and writes "A"
    // when that worked (first run), "B" when it existed (second run). The
    // first run's output is past the 1 MiB kept in memory, so the
    // comparison reads it back from the temporary file.
    let dir = scratch("lim-spill");
    std::fs::create_dir_all(dir.join("d")).unwrap();
    let text = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 17)
  (data (i32.const 100) "marker")
  (func (export "_start")
    (local $i i32)
    (memory.fill (i32.const 65536) (i32.const 120) (i32.const 1048576))
    (i32.store (i32.const 0) (i32.const 65536))
    (i32.store (i32.const 4) (i32.const 1048576))
    (loop $w
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $w (i32.lt_u (local.get $i) (i32.const 3))))
    (i32.store8 (i32.const 65536) (i32.add (i32.const 65)
      (i32.ne (i32.const 0) (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 6)
        (i32.const 5) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 16)))))
    (i32.store (i32.const 4) (i32.const 1))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#;
    let wasm = module(&dir, "spill.wasm", text);
    let grant = format!("{}::/d", s(&dir.join("d")));
    let o = run(&["run", "--check-determinism", "--dir", &grant, s(&wasm)]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "stdout at byte 3145728 (line 1): run 1 (3145729 bytes): \"A\"; \
             run 2 (3145729 bytes): \"B\""
        ),
        "{err}"
    );
    // The first run's output is passed on whole.
    assert_eq!(o.stdout.len(), 3 * 1024 * 1024 + 1);
    assert_eq!(o.stdout.last(), Some(&b'A'));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Unsigned LEB128.
fn leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    leb(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn fnv64(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn frame(out: &mut Vec<u8>, kind: u8, payload: &[u8]) {
    let start = out.len();
    out.push(kind);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(payload);
    let sum = fnv64(&out[start..]);
    out.extend_from_slice(&sum.to_le_bytes());
}

/// SHA-256 of nothing: the recorded stdout and stderr of the crafted traces.
const EMPTY_SHA256: [u8; 32] = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// A trace written by hand (docs/trace-format.md, version 3): `root` run
/// as `root_name` with `modules` allowed, no recorded call, no `--fuel` in
/// its header, and a trailer claiming `ending` after `fuel` fuel.
fn crafted_trace(
    root_name: &str,
    root: &[u8],
    modules: &[(&str, &[u8])],
    fuel: u64,
    ending: Result<u32, &str>,
) -> Vec<u8> {
    let mut file = b"WPTRACE\0".to_vec();
    file.extend_from_slice(&3u32.to_le_bytes());
    let mut h = Vec::new();
    bytes(&mut h, b"0.0.0-crafted");
    bytes(&mut h, root_name.as_bytes());
    leb(&mut h, fnv64(root));
    bytes(&mut h, root);
    leb(&mut h, modules.len() as u64);
    for (name, m) in modules {
        bytes(&mut h, name.as_bytes());
        leb(&mut h, fnv64(m));
        bytes(&mut h, m);
    }
    leb(&mut h, 0); // args
    leb(&mut h, 0); // env
    leb(&mut h, 0); // grants
    leb(&mut h, 0); // listeners
    leb(&mut h, 0); // no --fuel
    leb(&mut h, 0); // no --max-memory
    leb(&mut h, 100); // --max-processes
    leb(&mut h, 10_000); // --slice
    h.push(1); // deterministic
    leb(&mut h, 0); // seed
    frame(&mut file, 1, &h);
    let mut t = Vec::new();
    leb(&mut t, 0); // calls
    for _ in 0..2 {
        leb(&mut t, 0);
        t.extend_from_slice(&EMPTY_SHA256);
    }
    match ending {
        Ok(code) => {
            leb(&mut t, 0);
            leb(&mut t, u64::from(code));
            bytes(&mut t, b"");
        }
        Err(msg) => {
            leb(&mut t, 1);
            bytes(&mut t, msg.as_bytes());
        }
    }
    leb(&mut t, fuel);
    frame(&mut file, 3, &t);
    file
}

const LOOP: &str = r#"(module
  (memory (export "memory") 1)
  (func (export "_start") (loop $l (br $l))))"#;

/// Spawns "loop" and waits for it.
const SPAWN_LOOP: &str = r#"(module
  (import "wasi_process" "spawn_config_new" (func $cfg_new (param i32) (result i32)))
  (import "wasi_process" "spawn" (func $spawn (param i32 i32 i32 i32) (result i32)))
  (import "wasi_process" "wait" (func $wait (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "loop")
  (func (export "_start")
    (drop (call $cfg_new (i32.const 0)))
    (drop (call $spawn (i32.load (i32.const 0)) (i32.const 100) (i32.const 4) (i32.const 8)))
    (drop (call $wait (i32.load (i32.const 8)) (i32.const 0) (i32.const 16)))))"#;

#[test]
fn a_crafted_trace_of_a_looping_module_stops_at_the_recorded_fuel() {
    let dir = scratch("lim-loop");
    let looping = wat::parse_str(LOOP).unwrap();
    let spawner = wat::parse_str(SPAWN_LOOP).unwrap();
    let cases: [(&str, Vec<u8>); 2] = [
        (
            "a looping root",
            crafted_trace("loop.wasm", &looping, &[], 5000, Ok(0)),
        ),
        (
            "a root whose child loops",
            crafted_trace(
                "spawner.wasm",
                &spawner,
                &[("loop", &looping)],
                100_000,
                Ok(3),
            ),
        ),
    ];
    for (what, file) in cases {
        let trace = dir.join("crafted.trace");
        std::fs::write(&trace, &file).unwrap();
        for verify in [false, true] {
            let o = replay(&trace, verify);
            let err = stderr(&o);
            eprintln!("{what}: {}", err.trim_end());
            assert_eq!(o.status.code(), Some(1), "{what}: {err}");
            let ceiling = if what == "a looping root" {
                5000
            } else {
                100_000
            };
            let head = format!(
                "wasiproc: replay diverged: more fuel than recorded (the recorded run used \
                 {ceiling}; the replay stopped at "
            );
            assert!(err.starts_with(&head), "{what}: {err}");
            assert_eq!(err.lines().count(), 1, "{what}: {err}");
            // The figure: the replay stopped within a slice of the ceiling.
            let used: u64 = err[head.len()..]
                .trim_end()
                .trim_end_matches(')')
                .parse()
                .unwrap();
            assert!(used > 0 && used <= ceiling + 10_000, "{what}: {used}");
        }
    }
    // A trace claiming all the fuel there is: the replay's --fuel bounds it,
    // as --fuel bounds a run.
    let trace = dir.join("unbounded.trace");
    std::fs::write(
        &trace,
        crafted_trace("loop.wasm", &looping, &[], u64::MAX, Ok(0)),
    )
    .unwrap();
    let o = run(&["replay", "--fuel", "100000", s(&trace)]);
    assert_eq!(o.status.code(), Some(134), "{}", stderr(&o));
    assert!(stderr(&o).contains("out of fuel"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn replay_applies_the_recorded_limits_and_its_own() {
    // Grows memory by 16 pages; exits 7 if that fails.
    let dir = scratch("lim-replay-mem");
    let wasm = module(
        &dir,
        "grow.wasm",
        r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory 1)
  (func (export "_start")
    (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1))
      (then (call $exit (i32.const 7))))))"#,
    );
    let trace = dir.join("grow.trace");
    let o = run(&["run", "--record", s(&trace), s(&wasm)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = replay(&trace, false);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // 128K: the one page and the process's 8 KiB of bookkeeping fit, 16 more pages do not.
    let o = run(&["replay", "--max-memory", "128K", s(&trace)]);
    assert_eq!(o.status.code(), Some(7), "{}", stderr(&o));
    let o = run(&["replay", "--verify", "--max-memory", "128K", s(&trace)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("ending (exit code 7, recorded exit code 0)"));
    // Recorded under --max-memory 128K: the replay keeps the limit.
    let o = run(&[
        "run",
        "--record",
        s(&trace),
        "--max-memory",
        "128K",
        s(&wasm),
    ]);
    assert_eq!(o.status.code(), Some(7), "{}", stderr(&o));
    let o = run(&["replay", "--verify", "--max-memory", "10M", s(&trace)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A run that ran out of its --fuel replays as recorded: running out at
    // the ceiling is a divergence only when the recording did not.
    let looping = module(&dir, "loop.wasm", LOOP);
    let o = run(&["run", "--record", s(&trace), "--fuel", "5000", s(&looping)]);
    assert_eq!(o.status.code(), Some(134), "{}", stderr(&o));
    let o = replay(&trace, true);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("out of fuel"), "{}", stderr(&o));
    let o = run(&["replay", "--fuel", "3000", s(&trace)]);
    assert_eq!(o.status.code(), Some(134), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_version_1_trace_is_refused_with_a_clear_error() {
    let dir = scratch("lim-v1");
    let mut file = crafted_trace("loop.wasm", &wat::parse_str(LOOP).unwrap(), &[], 10, Ok(0));
    file[8..12].copy_from_slice(&1u32.to_le_bytes());
    let trace = dir.join("v1.trace");
    std::fs::write(&trace, &file).unwrap();
    let o = replay(&trace, false);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o)
            .contains("trace format version 1 is not supported (this wasiproc reads version 3"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- item 9: write errors, escaping, --allow-command -------------------------------

/// How stdout is broken.
#[derive(Debug, Clone, Copy)]
enum Broken {
    /// /dev/full: every write fails with ENOSPC.
    Full,
    /// A pipe whose reader is gone: every write fails with EPIPE.
    Closed,
}

/// Runs `wasiproc ARGS` with a broken stdout.
fn run_broken(args: &[&str], how: Broken) -> Output {
    let mut cmd = wasiproc();
    cmd.args(args).stdin(Stdio::null()).stderr(Stdio::piped());
    match how {
        Broken::Full => {
            cmd.stdout(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            );
        }
        Broken::Closed => {
            let (reader, writer) = std::io::pipe().unwrap();
            drop(reader);
            cmd.stdout(writer);
        }
    }
    let o = cmd.output().expect("run wasiproc");
    drop(cmd);
    o
}

#[test]
fn a_full_or_closed_stdout_is_an_error_not_a_panic() {
    let dir = scratch("lim-stdout");
    let add = module(
        &dir,
        "add.wasm",
        r#"(module (func (export "add") (param i32 i32) (result i32)
             (i32.add (local.get 0) (local.get 1))))"#,
    );
    let wast = dir.join("one.wast");
    std::fs::write(
        &wast,
        "(module (func (export \"f\") (result i32) (i32.const 1)))\n\
         (assert_return (invoke \"f\") (i32.const 1))\n",
    )
    .unwrap();
    let one_mib = module(&dir, "mib.wasm", &writer(1));
    let trace = dir.join("t.trace");
    for how in [Broken::Full, Broken::Closed] {
        // The command line's own output: one line on stderr, exit 1.
        for args in [
            vec!["run", "--invoke", "add", s(&add), "1", "2"],
            vec!["validate", s(&add)],
            vec!["wast", s(&wast)],
        ] {
            let o = run_broken(&args, how);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(1), "{how:?} {args:?}: {err}");
            assert!(
                err.starts_with("wasiproc: cannot write to stdout: ") && err.lines().count() == 1,
                "{how:?} {args:?}: {err}"
            );
        }
        // The guest's writes fail with an errno (it exits with it): ENOSPC
        // (51) or EPIPE (64) — also under --record and --deterministic.
        let errno = match how {
            Broken::Full => 51,
            Broken::Closed => 64,
        };
        for flags in [vec![], vec!["--seed", "3"], vec!["--record", s(&trace)]] {
            let mut args = vec!["run"];
            args.extend_from_slice(&flags);
            args.push(s(&one_mib));
            let o = run_broken(&args, how);
            assert_eq!(
                o.status.code(),
                Some(errno),
                "{how:?} {flags:?}: {}",
                stderr(&o)
            );
            assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
        }
        // --check-determinism keeps the output; its copy fails: exit 1.
        let o = run_broken(&["run", "--check-determinism", s(&one_mib)], how);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{how:?}: {err}");
        assert!(err.starts_with("deterministic: 2 runs identical"), "{err}");
        assert!(
            err.contains("wasiproc: cannot write the first run's stdout: "),
            "{err}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Appends a name section naming function `index` `name`.
fn with_function_name(mut wasm: Vec<u8>, index: u32, name: &str) -> Vec<u8> {
    let mut names = Vec::new();
    leb(&mut names, 1);
    leb(&mut names, u64::from(index));
    bytes(&mut names, name.as_bytes());
    let mut sub = vec![1u8];
    bytes(&mut sub, &names);
    let mut section = Vec::new();
    bytes(&mut section, b"name");
    section.extend_from_slice(&sub);
    wasm.push(0);
    bytes(&mut wasm, &section);
    wasm
}

#[test]
fn control_characters_from_guests_and_traces_are_escaped() {
    let dir = scratch("lim-escape");
    // A trap in a function whose name clears the screen and fakes a line.
    let evil = "evil\x1b[2J\rwasiproc: all good\u{202e}";
    let wasm = with_function_name(
        wat::parse_str(r#"(module (func (export "_start") unreachable))"#).unwrap(),
        0,
        evil,
    );
    let path = dir.join("evil.wasm");
    std::fs::write(&path, &wasm).unwrap();
    let o = run(&["run", s(&path)]);
    assert_eq!(o.status.code(), Some(134), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("evil\\u{1b}[2J\\rwasiproc: all good\\u{202e}"),
        "{err}"
    );
    let hidden = |b: &u8| *b == 0x1b || *b == b'\r';
    assert!(!o.stderr.iter().any(hidden), "{err}");
    assert!(!err.contains('\u{202e}'));

    // A trace whose root name and recorded error carry escapes: the error
    // about its module and the --verify report print them escaped.
    let name = "root\x1b]0;owned\x07.wasm";
    let file = crafted_trace(name, b"\0asm\x01\0\0\0\x01", &[], 0, Err("boom\x1b[31m"));
    let trace = dir.join("evil.trace");
    std::fs::write(&trace, &file).unwrap();
    for verify in [false, true] {
        let o = replay(&trace, verify);
        let err = stderr(&o);
        eprintln!("{}", err.trim_end());
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains("root\\u{1b}]0;owned\\u{7}.wasm"), "{err}");
        assert!(!o.stderr.iter().any(|b| *b == 0x1b || *b == 7), "{err}");
        if verify {
            assert!(err.contains("recorded error: boom\\u{1b}[31m"), "{err}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn allow_command_is_resolved_inside_its_grant() {
    let dir = scratch("lim-allow");
    let grant = dir.join("grant");
    std::fs::create_dir_all(grant.join("sub")).unwrap();
    let hello = module(&grant, "child.wasm", r#"(module (func (export "_start")))"#);
    std::os::unix::fs::symlink("/etc/hostname", grant.join("link")).unwrap();
    std::os::unix::fs::symlink("../../..", grant.join("up")).unwrap();
    let mapdir = format!("/::{}", s(&grant));
    let depth = grant.components().count();
    let to_root = "../".repeat(depth);
    let escapes = [
        "../../etc/hostname".to_string(),
        format!("{to_root}etc/hostname"),
        "link".to_string(),
        "up/etc/hostname".to_string(),
        "sub/../../etc/hostname".to_string(),
    ];
    for spec in &escapes {
        for grant_flag in ["--mapdir", "--dir"] {
            let g = if grant_flag == "--mapdir" {
                mapdir.clone()
            } else {
                format!("{}::/", s(&grant))
            };
            let o = run(&["run", grant_flag, &g, "--allow-command", spec, s(&hello)]);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(1), "{spec}: {err}");
            assert_eq!(
                err,
                format!(
                    "wasiproc: --allow-command {spec}: cannot open it in the directory granted \
                     at /: the path leaves the granted directory\n"
                ),
            );
        }
    }
    // A path that stays inside the grant works, `..` and all; NAME=HOSTPATH
    // is the user's own host path and is read as given.
    for spec in ["child.wasm", "/sub/../child.wasm", "./child.wasm"] {
        let o = run(&[
            "run",
            "--mapdir",
            &mapdir,
            "--allow-command",
            spec,
            s(&hello),
        ]);
        assert_eq!(o.status.code(), Some(0), "{spec}: {}", stderr(&o));
    }
    let named = format!("c={}", s(&hello));
    let o = run(&["run", "--allow-command", &named, s(&hello)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

//! Memory limits that hold (issue 12, items 3 and 7), through the real
//! binary: everything the host allocates for a run's processes is charged
//! against `--max-memory`, and no guest-chosen size aborts the host.
//!
//! Each attack asserts its outcome (status, errno, counts) and the peak
//! resident set size of the `wasiproc` process, which must stay within
//! `--max-memory` plus [`RUNTIME_OVERHEAD_KIB`], the fixed cost of the
//! runtime itself (binary, module translation, bookkeeping). The peak is
//! `VmHWM` from `/proc/PID/status` of the wasiproc process, read at the end
//! of the run: guests that run to the end print a last line and block
//! reading stdin until the test has read it. (`ru_maxrss` from `wait4` is
//! no good here: it also counts the test process's own RSS at spawn time.)

mod common;
#[path = "common/watlib.rs"]
mod watlib;

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use common::scratch;
use watlib::{Guest, cmdline, write_wat};

/// The runtime's fixed memory, not charged to any process: the peak RSS of
/// `wasiproc run` of an empty module is about 6 MiB on this machine
/// (`the_fixed_overhead_is_what_the_docs_state` measures it); translation of
/// the test guests and the per-process bookkeeping of a few dozen processes
/// add well under 1 MiB. SECURITY.md states the same bound.
const RUNTIME_OVERHEAD_KIB: u64 = 16 * 1024;

/// What a measured run produced.
struct Measured {
    status: ExitStatus,
    /// The signal that ended wasiproc, if one did.
    signal: Option<i32>,
    stdout: String,
    stderr: String,
    /// Peak resident set size of the wasiproc process, KiB.
    peak_kib: u64,
}

impl Measured {
    /// The host survived: an exit code (no signal such as SIGABRT), no
    /// panic, no failed allocation. (134 alone is no crash: it is the exit
    /// code of a trapped guest.)
    fn no_crash(&self) {
        assert!(
            self.signal.is_none()
                && self.status.code() != Some(101)
                && !self.stderr.contains("panicked")
                && !self.stderr.contains("memory allocation of"),
            "host failure: {:?}\n{}",
            self.status,
            self.stderr
        );
    }
}

/// `VmHWM` of process `pid` in KiB (0 once it is gone).
fn vm_hwm(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                let rest = l.strip_prefix("VmHWM:")?;
                rest.trim().strip_suffix("kB")?.trim().parse().ok()
            })
        })
        .unwrap_or(0)
}

/// The last line a holding guest prints before it blocks reading stdin.
const END: &str = "end\n";

/// WAT that prints [`END`] and then blocks reading stdin until the test has
/// read the process's peak RSS and closes it (so the figure is taken at the
/// very end of the run). Appended to a guest's `_start`.
fn hold(g: &mut Guest) -> String {
    format!(
        r#"{} (call $flush)
        (i32.store (i32.const 0) (i32.const 2048)) (i32.store (i32.const 4) (i32.const 16))
        (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))"#,
        g.put("end")
    )
}

/// GNU time, which reports the peak RSS of the process it runs (`%M`,
/// `ru_maxrss` of its own child, so not inflated by the test process).
const TIME: &str = "/usr/bin/time";

/// The first child of process `pid` (the program GNU time runs).
fn first_child(pid: u32) -> Option<u32> {
    let list = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).ok()?;
    list.split_whitespace().next()?.parse().ok()
}

/// Runs `cmd` to its end, collecting its output and its peak RSS, the
/// largest of: `VmHWM` of its `/proc` status, sampled every millisecond
/// while it runs and, when its stdout ends with [`END`] (a holding guest),
/// once more then, before its stdin is closed and it may end; and the peak
/// GNU time reports when the run ends (it catches runs too short to
/// sample, e.g. a failed instantiation). Without GNU time, `ru_maxrss`
/// from `wait4` stands in for it on runs that do not hold: an upper bound,
/// as it includes the test process's RSS at the time of the spawn.
fn measure(cmd: Command) -> Measured {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let timed = Path::new(TIME).exists();
    let report = std::env::temp_dir().join(format!(
        "wasiproc-limmem-{}-{}.rss",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    ));
    let mut cmd = if timed {
        let mut t = Command::new(TIME);
        t.arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&report)
            .arg(cmd.get_program())
            .args(cmd.get_args());
        t
    } else {
        cmd
    };
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn wasiproc");
    let top = child.id();
    // The wasiproc process: GNU time's child, or the spawned process.
    let target = move || if timed { first_child(top) } else { Some(top) };
    let peak = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let poller = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            let mut pid = None;
            while !done.load(Ordering::Relaxed) {
                pid = pid.or_else(target);
                if let Some(p) = pid {
                    peak.fetch_max(vm_hwm(p), Ordering::Relaxed);
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        })
    };
    let mut stdin = child.stdin.take();
    let mut out = child.stdout.take().expect("stdout");
    let reader = {
        let peak = peak.clone();
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                match out.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => s.extend_from_slice(&chunk[..n]),
                }
                if stdin.is_some() && s.ends_with(END.as_bytes()) {
                    if let Some(p) = target() {
                        peak.fetch_max(vm_hwm(p), Ordering::Relaxed);
                    }
                    stdin = None;
                }
            }
            s
        })
    };
    let mut e = Vec::new();
    let _ = child.stderr.take().expect("stderr").read_to_end(&mut e);
    let stdout = reader.join().expect("reader thread");
    let mut raw = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, which nothing else reaps (the
    // `Child` is forgotten below instead of being waited on).
    let waited = unsafe { libc::wait4(top as libc::pid_t, &mut raw, 0, &mut usage) };
    assert_eq!(waited, top as libc::pid_t, "wait4 failed");
    std::mem::forget(child);
    done.store(true, Ordering::Relaxed);
    poller.join().expect("poller thread");
    let mut status = ExitStatus::from_raw(raw);
    let mut signal = status.signal();
    if timed {
        let text = std::fs::read_to_string(&report).unwrap_or_default();
        let _ = std::fs::remove_file(&report);
        // "Command terminated by signal N" precedes the figure.
        if let Some(n) = text
            .lines()
            .find_map(|l| l.strip_prefix("Command terminated by signal "))
        {
            signal = n.trim().parse().ok();
            status = ExitStatus::from_raw(signal.unwrap_or(0));
        }
        let kib = text.lines().last().and_then(|l| l.trim().parse().ok());
        peak.fetch_max(kib.expect("GNU time's report"), Ordering::Relaxed);
    } else if !stdout.ends_with(END.as_bytes()) {
        peak.fetch_max(usage.ru_maxrss as u64, Ordering::Relaxed);
    }
    let peak_kib = peak.load(Ordering::Relaxed);
    let mut stdout = String::from_utf8_lossy(&stdout).into_owned();
    if stdout.ends_with(END) {
        stdout.truncate(stdout.len() - END.len());
    }
    let shown: String = stdout.chars().take(300).collect();
    eprintln!("peak RSS {peak_kib} KiB, {status}, stdout {shown:?}");
    Measured {
        status,
        signal,
        stdout,
        stderr: String::from_utf8_lossy(&e).into_owned(),
        peak_kib,
    }
}

/// The binary under test; `WASIPROC_TEST_BIN` names another one (to take
/// the same measurements of an older build).
fn bin() -> String {
    std::env::var("WASIPROC_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_wasiproc").into())
}

fn wasiproc(args: &[String]) -> Command {
    let mut c = Command::new(bin());
    c.args(args);
    c
}

/// `wasiproc args` under `ulimit -v 3000000` (about 2.86 GiB of address
/// space), through bash.
fn ulimited(args: &[String]) -> Command {
    let mut c = Command::new("bash");
    c.arg("-c")
        .arg("ulimit -v 3000000 && exec \"$@\"")
        .arg("bash")
        .arg(bin())
        .args(args);
    c
}

/// Measures `cmd` ([`measure`]) and asserts the host survived.
fn measured(cmd: Command) -> Measured {
    let m = measure(cmd);
    m.no_crash();
    m
}

/// Measures `cmd` and asserts the host survived and the run exited 0.
fn measured_ok(cmd: Command) -> Measured {
    let m = measured(cmd);
    assert_eq!(m.status.code(), Some(0), "{}", m.stderr);
    m
}

/// `_start` of a root that spawns the module named `name` (a `(i32.const
/// PTR) (i32.const LEN)` pair) `n` times with one configuration, then waits
/// for each child and prints its status line (`$say_status`), then holds.
fn spawn_and_wait_all(g: &mut Guest, name: &str, n: u32) -> String {
    format!(
        r#"(func (export "_start") (local $i i32) (local $cfg i32)
          (local.set $cfg (call $new_cfg))
          (loop $l
            (drop (call $spawn_cfg (local.get $cfg) {name}))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const {n}))))
          (local.set $i (i32.const 0))
          (loop $w
            (drop (call $wait_pid (i32.const -1)))
            (call $say_status)
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $w (i32.lt_u (local.get $i) (i32.const {n}))))
          {hold})"#,
        hold = hold(g)
    )
}

/// Asserts the run stayed within `max_kib` plus the runtime's overhead.
fn assert_peak(m: &Measured, max_kib: u64, what: &str) {
    eprintln!("{what}: peak RSS {} KiB", m.peak_kib);
    assert!(
        m.peak_kib <= max_kib + RUNTIME_OVERHEAD_KIB,
        "{what}: peak RSS {} KiB over {max_kib} KiB + {RUNTIME_OVERHEAD_KIB} KiB",
        m.peak_kib
    );
}

#[test]
fn the_fixed_overhead_is_what_the_docs_state() {
    let dir = scratch("limmem-overhead");
    let mut g = Guest::new();
    let body = format!(r#"(func (export "_start") {})"#, hold(&mut g));
    let path = g.write(&dir, "empty.wasm", 1, &body);
    let m = measured_ok(wasiproc(&cmdline(&["run"], &[], &path)));
    assert_peak(&m, 0, "empty module");
}

#[test]
fn ten_tables_of_ten_million_elements_fail_cleanly_under_64k() {
    let dir = scratch("limmem-tables");
    // Declared, then filled by the start function (what a runtime without
    // accounting lets through: 800 MB of host memory).
    let tables = "(table 10000000 funcref)\n".repeat(10);
    let fills: String = (0..10)
        .map(|t| format!("(table.fill {t} (i32.const 0) (ref.func $f) (i32.const 10000000))\n"))
        .collect();
    let path = write_wat(
        &dir,
        "tables.wasm",
        &format!(
            r#"(module {tables} (elem declare func $f) (func $f) (func $fill {fills}) (start $fill)
               (func (export "_start")))"#
        ),
    );
    // As a process tree, and as a single store (`--invoke`).
    for invoke in [&[][..], &["--invoke", "_start"][..]] {
        let flags = [&["run", "--max-memory", "64K"][..], invoke].concat();
        let m = measured(wasiproc(&cmdline(&flags, &[], &path)));
        assert_eq!(m.status.code(), Some(1), "{}", m.stderr);
        assert_eq!(m.stderr.lines().count(), 1, "{}", m.stderr);
        assert!(m.stderr.contains("memory limit"), "{}", m.stderr);
        assert_peak(&m, 64, "ten tables under 64K");
    }
}

#[test]
fn growing_tables_past_the_limit_sees_minus_one() {
    let dir = scratch("limmem-table-grow");
    let mut g = Guest::new();
    let steps = g.put("steps ");
    let body = format!(
        r#"(table $t 0 funcref)
        (func (export "_start") (local $n i32)
          (block $done (loop $l
            (br_if $done (i32.eq (table.grow $t (ref.null func) (i32.const 1024)) (i32.const -1)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $l)))
          {steps} (call $i32 (local.get $n)) (call $flush) {hold})"#,
        hold = hold(&mut g)
    );
    let path = g.write(&dir, "grow.wasm", 1, &body);
    let m = measured_ok(wasiproc(&cmdline(
        &["run", "--max-memory", "1M"],
        &[],
        &path,
    )));
    // 1 MiB minus the 64 KiB memory and a small stack, 8 KiB per step.
    let n: u32 = m
        .stdout
        .trim()
        .strip_prefix("steps ")
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{}", m.stdout));
    assert!((100..120).contains(&n), "steps {n}");
    assert_peak(&m, 1024, "table growth under 1M");
}

/// A child recursing forever with 200 locals per frame (1.6 KiB of value
/// stack per call): without accounting, each reaches the 128 MiB value
/// stack cap.
fn stack_child(dir: &Path) -> std::path::PathBuf {
    let locals = "(local i64)".repeat(200);
    let text = format!(
        r#"(module
          (func $f (param $n i64) (result i64) {locals}
            (call $f (i64.add (local.get $n) (i64.const 1))))
          (func (export "_start") (drop (call $f (i64.const 0)))))"#
    );
    write_wat(dir, "stack.wasm", &text)
}

#[test]
fn sixteen_children_growing_stacks_stay_within_one_mebibyte() {
    let dir = scratch("limmem-stacks");
    let child = stack_child(&dir);
    let mut g = Guest::new();
    let name = g.s("stack");
    let body = spawn_and_wait_all(&mut g, &name, 16);
    let root = g.write(&dir, "root.wasm", 1, &body);
    let m = measured_ok(wasiproc(&cmdline(
        &["run", "--max-memory", "1M", "--fuel", "2000000000"],
        &[("stack", &child)],
        &root,
    )));
    let statuses: Vec<&str> = m.stdout.lines().collect();
    assert_eq!(statuses.len(), 16, "{}", m.stdout);
    for line in statuses {
        // kind 4 = limit exceeded, value 0 = memory.
        assert!(line.ends_with(" 4 0"), "{}", m.stdout);
    }
    assert_peak(&m, 1024, "16 stack-growing children under 1M");
}

#[test]
fn spawn_config_flooding_stops_with_enomem_and_is_given_back() {
    let dir = scratch("limmem-config-flood");
    let mut g = Guest::new();
    let args_l = g.put("args ");
    let again_l = g.put("again ");
    let cfgs_l = g.put("configs ");
    let errno_l = g.put(" errno ");
    // 4 KiB of argument text at 8192 (zero bytes are valid UTF-8).
    let body = format!(
        r#"(func $flood (param $cfg i32) (result i32 i32) (local $n i32) (local $e i32)
          (block $done (loop $l
            (local.set $e (call $cfg_arg (local.get $cfg) (i32.const 8192) (i32.const 4096)))
            (br_if $done (local.get $e))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $l)))
          (local.get $n) (local.get $e))
        (func (export "_start") (local $cfg i32) (local $n i32) (local $e i32)
          (local.set $cfg (call $new_cfg))
          (call $flood (local.get $cfg)) (local.set $e) (local.set $n)
          {args_l} (call $i32 (local.get $n)) {errno_l} (call $i32 (local.get $e)) (call $flush)
          (drop (call $cfg_drop (local.get $cfg)))
          (call $flood (call $new_cfg)) (local.set $e) (local.set $n)
          {again_l} (call $i32 (local.get $n)) {errno_l} (call $i32 (local.get $e)) (call $flush)
          (drop (call $cfg_drop (i32.load (i32.const 68))))
          (local.set $n (i32.const 0))
          (block $done (loop $l
            (local.set $e (call $cfg_new (i32.const 68)))
            (br_if $done (local.get $e))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $l)))
          {cfgs_l} (call $i32 (local.get $n)) {errno_l} (call $i32 (local.get $e)) (call $flush)
          {hold})"#,
        hold = hold(&mut g)
    );
    let root = g.write(&dir, "flood.wasm", 2, &body);
    let m = measured_ok(wasiproc(&cmdline(
        &["run", "--max-memory", "1M", "--fuel", "2000000"],
        &[],
        &root,
    )));
    let lines: Vec<Vec<&str>> = m.stdout.lines().map(|l| l.split(' ').collect()).collect();
    assert_eq!(lines.len(), 3, "{}", m.stdout);
    let count = |l: &Vec<&str>| -> u32 { l[1].parse().unwrap() };
    for l in &lines {
        assert_eq!(l[3], "48", "ENOMEM expected:\n{}", m.stdout);
    }
    // 1 MiB minus 128 KiB of linear memory and a small stack, 4 KiB each.
    assert!((150..230).contains(&count(&lines[0])), "{}", m.stdout);
    assert_eq!(
        count(&lines[0]),
        count(&lines[1]),
        "a dropped configuration gives its bytes back:\n{}",
        m.stdout
    );
    assert!((1000..10_000).contains(&count(&lines[2])), "{}", m.stdout);
    assert_peak(&m, 1024, "spawn_config flooding under 1M");
}

#[test]
fn a_string_length_of_0xffffffff_is_an_errno() {
    let dir = scratch("limmem-huge-len");
    let mut g = Guest::new();
    let errs = g.put("errnos");
    let sp = g.put(" ");
    let calls = [
        "(call $cfg_arg (local.get $cfg) (i32.const 4096) (i32.const -1))",
        "(call $cfg_env (local.get $cfg) (i32.const 4096) (i32.const -1))",
        "(call $cfg_allow (local.get $cfg) (i32.const 4096) (i32.const -1))",
        "(call $spawn (local.get $cfg) (i32.const 4096) (i32.const -1) (i32.const 64))",
        "(call $cfg_arg (local.get $cfg) (i32.const -1) (i32.const -1))",
    ];
    let mut prints = String::new();
    for c in calls {
        prints.push_str(&format!("{sp} (call $i32 {c})\n"));
    }
    let body = format!(
        r#"(func (export "_start") (local $cfg i32)
          (local.set $cfg (call $new_cfg))
          {errs} {prints} (call $flush) {hold})"#,
        hold = hold(&mut g)
    );
    let root = g.write(&dir, "len.wasm", 1, &body);
    // Under 3,000,000 KiB of address space a 4 GiB buffer cannot be had:
    // allocated before the bounds check, it aborted the host.
    let m = measured_ok(ulimited(&cmdline(&["run"], &[], &root)));
    assert_eq!(m.stdout, "errnos 21 21 21 21 21\n", "{}", m.stderr);
    assert_peak(&m, 64, "0xFFFFFFFF string lengths");
}

#[test]
fn one_buffer_named_1024_times_by_fd_write_is_not_gathered() {
    let dir = scratch("limmem-iovecs");
    let mut g = Guest::new();
    let written = g.put("written ");
    let sp = g.put(" ");
    // 1,024 iovec entries (at 8192) all naming the same 1 MiB buffer (at
    // 65536): 1 GiB in all, written to a pipe that takes 64 KiB. Gathered
    // into one buffer first, the host held the whole GiB.
    let body = format!(
        r#"(func (export "_start") (local $i i32)
          (drop (call $pipe (i32.const 72) (i32.const 76)))
          (loop $l
            (i32.store (i32.add (i32.const 8192) (i32.shl (local.get $i) (i32.const 3))) (i32.const 65536))
            (i32.store (i32.add (i32.const 8196) (i32.shl (local.get $i) (i32.const 3))) (i32.const 1048576))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const 1024))))
          {written}
          (call $i32 (call $fd_write (i32.load (i32.const 76)) (i32.const 8192) (i32.const 1024) (i32.const 100)))
          {sp} (call $i32 (i32.load (i32.const 100)))
          (call $flush) {hold})"#,
        hold = hold(&mut g)
    );
    let root = g.write(&dir, "iovecs.wasm", 18, &body);
    let m = measured_ok(wasiproc(&cmdline(
        &["run", "--max-memory", "4M"],
        &[],
        &root,
    )));
    // errno 0, and the pipe's 64 KiB written: a short write.
    assert_eq!(m.stdout, "written 0 65536\n", "{}", m.stderr);
    assert_peak(&m, 4096, "1 GiB named by 1,024 iovecs");
}

#[test]
fn a_childs_memory_limit_is_what_remains_of_its_parents() {
    let dir = scratch("limmem-child-limit");
    let mut g = Guest::new();
    let wide = g.put("wide ");
    let narrow = g.put("narrow ");
    // The root holds 8 pages (512 KiB) under 1 MiB: a child may get at most
    // what remains (about 500 KiB), not the parent's whole limit.
    let body = format!(
        r#"(func (export "_start") (local $cfg i32)
          (local.set $cfg (call $new_cfg))
          {wide} (call $i32 (call $cfg_limit (local.get $cfg) (i32.const 1) (i64.const 700000)))
          (call $flush)
          {narrow} (call $i32 (call $cfg_limit (local.get $cfg) (i32.const 1) (i64.const 300000)))
          (call $flush))"#
    );
    let root = g.write(&dir, "limit.wasm", 8, &body);
    let m = measured_ok(wasiproc(&cmdline(
        &["run", "--max-memory", "1M"],
        &[],
        &root,
    )));
    assert_eq!(m.stdout, "wide 76\nnarrow 0\n", "{}", m.stderr);
}

#[test]
fn children_share_the_runs_memory_limit() {
    let dir = scratch("limmem-share");
    // A child that grows its memory one page at a time forever.
    let c = Guest::new();
    let child_body = r#"(func (export "_start")
          (local $spin i32)
          (loop $l
            (drop (memory.grow (i32.const 1)))
            (memory.fill (i32.mul (i32.sub (memory.size) (i32.const 1)) (i32.const 65536))
              (i32.const 1) (i32.const 65536))
            ;; Spin past a slice, so that all eight grow side by side.
            (local.set $spin (i32.const 5000))
            (loop $s
              (local.set $spin (i32.sub (local.get $spin) (i32.const 1)))
              (br_if $s (local.get $spin)))
            (br $l)))"#;
    let child = c.write(&dir, "grower.wasm", 1, child_body);
    let mut g = Guest::new();
    let name = g.s("grower");
    let body = spawn_and_wait_all(&mut g, &name, 8);
    let root = g.write(&dir, "root.wasm", 1, &body);
    let m = measured_ok(wasiproc(&cmdline(
        &["run", "--max-memory", "8M", "--fuel", "1000000000"],
        &[("grower", &child)],
        &root,
    )));
    let lines: Vec<&str> = m.stdout.lines().collect();
    assert_eq!(lines.len(), 8, "{}", m.stdout);
    assert!(lines.iter().all(|l| l.ends_with(" 4 0")), "{}", m.stdout);
    // Eight children each touching what they grow: without one shared
    // limit they would hold 8 x 8 MiB.
    assert_peak(&m, 8 * 1024, "8 growing children under 8M");
}

/// A guest growing its memory one page at a time until refused, then asking
/// for 4 GiB at once; it prints how far it got and goes on.
fn grow_to_max(dir: &Path) -> std::path::PathBuf {
    let mut g = Guest::new();
    let pages = g.put("pages ");
    let huge = g.put("huge ");
    let cont = g.put("continued");
    let body = format!(
        r#"(func (export "_start")
          (block $done (loop $l
            (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
            (br $l)))
          {pages} (call $i32 (memory.size)) (call $flush)
          {huge} (call $i32 (memory.grow (i32.const 0x10000))) (call $flush)
          {cont} (call $flush) {hold})"#,
        hold = hold(&mut g)
    );
    g.write(dir, "grow.wasm", 1, &body)
}

#[test]
fn growing_memory_to_the_maximum_under_ulimit_v_sees_minus_one() {
    let dir = scratch("limmem-ulimit");
    let guest = grow_to_max(&dir);
    let m = measured_ok(ulimited(&cmdline(
        &["run", "--fuel", "4000000000"],
        &[],
        &guest,
    )));
    let lines: Vec<&str> = m.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}\n{}", m.stdout, m.stderr);
    let pages: u32 = lines[0].strip_prefix("pages ").unwrap().parse().unwrap();
    // Under 3,000,000 KiB of address space the 4 GiB maximum is out of
    // reach; growth stops at a clean -1 somewhere above 1 GiB.
    assert!((16_384..65_536).contains(&pages), "{}", m.stdout);
    assert_eq!(lines[1], "huge -1");
    assert_eq!(lines[2], "continued");
    // The grown memory was never written: it stays untouched zero pages.
    assert_peak(&m, 0, "memory grown to the maximum under ulimit -v");
}

#[test]
fn growing_memory_by_one_gibibyte_untouched_costs_no_resident_memory() {
    let dir = scratch("limmem-gib");
    let mut g = Guest::new();
    let old = g.put("old ");
    let size = g.put("size ");
    let sp = g.put(" ");
    let body = format!(
        r#"(func (export "_start")
          (i32.store (i32.const 65532) (i32.const 7))
          {old} (call $i32 (memory.grow (i32.const 16384))) (call $flush)
          (i32.store (i32.const 65532) (i32.add (i32.load (i32.const 65532)) (i32.const 1)))
          {size} (call $i32 (memory.size)) {sp} (call $i32 (i32.load (i32.const 65532))) (call $flush)
          {hold})"#,
        hold = hold(&mut g)
    );
    let guest = g.write(&dir, "gib.wasm", 1, &body);
    let m = measured_ok(wasiproc(&cmdline(&["run"], &[], &guest)));
    assert_eq!(m.stdout, "old 1\nsize 16385 8\n", "{}", m.stderr);
    assert_peak(&m, 0, "1 GiB grown untouched");
}

#[test]
fn declared_sizes_the_host_cannot_allocate_are_a_one_line_error_under_ulimit_v() {
    let dir = scratch("limmem-declared");
    let tables = "(table 10000000 funcref)\n".repeat(100);
    for (name, text) in [
        (
            "tables.wasm",
            format!(r#"(module {tables} (func (export "_start")))"#),
        ),
        (
            "memory.wasm",
            r#"(module (memory 65536) (func (export "_start")))"#.to_string(),
        ),
    ] {
        let path = write_wat(&dir, name, &text);
        let m = measured(ulimited(&cmdline(&["run"], &[], &path)));
        assert_eq!(m.status.code(), Some(1), "{name}: {}", m.stderr);
        assert_eq!(m.stderr.lines().count(), 1, "{name}: {}", m.stderr);
        assert!(m.stderr.contains("cannot allocate"), "{name}: {}", m.stderr);
    }
}

#[test]
fn spawning_idle_children_stops_with_enomem_at_the_runs_limit() {
    let dir = scratch("limmem-idle");
    // A child blocking forever reading its stdin (a pipe nobody writes).
    let c = Guest::new();
    let child_body = r#"(func (export "_start")
          (i32.store (i32.const 0) (i32.const 2048)) (i32.store (i32.const 4) (i32.const 16))
          (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8))))"#;
    let child = c.write(&dir, "idle.wasm", 1, child_body);
    let mut g = Guest::new();
    let name = g.s("idle");
    let spawned = g.put("spawned ");
    let errno_l = g.put(" errno ");
    let body = format!(
        r#"(func (export "_start") (local $cfg i32) (local $n i32) (local $r i32)
          (drop (call $pipe (i32.const 72) (i32.const 76)))
          (local.set $cfg (call $new_cfg))
          (drop (call $cfg_fd (local.get $cfg) (i32.load (i32.const 72)) (i32.const 0)))
          (block $done (loop $l
            (local.set $r (call $spawn_cfg (local.get $cfg) {name}))
            (br_if $done (i32.lt_s (local.get $r) (i32.const 0)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $l)))
          {spawned} (call $i32 (local.get $n)) {errno_l} (call $i32 (i32.sub (i32.const 0) (local.get $r)))
          (call $flush)
          {hold})"#,
        hold = hold(&mut g)
    );
    let root = g.write(&dir, "root.wasm", 1, &body);
    let m = measured_ok(wasiproc(&cmdline(
        &["run", "--max-memory", "4M", "--fuel", "100000000"],
        &[("idle", &child)],
        &root,
    )));
    let words: Vec<&str> = m.stdout.split_whitespace().collect();
    assert_eq!(words.len(), 4, "{}", m.stdout);
    assert_eq!(words[3], "48", "ENOMEM expected: {}", m.stdout);
    // 4 MiB, 64 KiB of memory and 8 KiB of bookkeeping (and a small stack)
    // per child.
    let n: u32 = words[1].parse().unwrap();
    assert!((45..60).contains(&n), "{}", m.stdout);
    assert_peak(&m, 4 * 1024, "idle children under 4M");
}

//! End-to-end tests of deterministic runs (`--deterministic`, `--seed`),
//! the self-check (`--check-determinism`) and the timeline
//! (`--trace-events`), through the real binary.

mod common;

use common::{examples, ok, run, stderr, stdout, wasiproc};
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

/// The WASI test guest of tests/guests.
fn g_wasm() -> &'static str {
    common::guest().to_str().unwrap()
}

fn wasm(name: &str) -> String {
    examples().join(name).to_string_lossy().into_owned()
}

fn mapdir() -> String {
    format!("/::{}", examples().display())
}

/// `entropy.wasm 3`: three children and the parent print clocks, random
/// bytes and a HashMap's order.
fn entropy(flags: &[&str]) -> Output {
    let md = mapdir();
    let w = wasm("entropy.wasm");
    let mut args = vec![
        "run",
        "--mapdir",
        &md,
        "--allow-command",
        "entropy.wasm",
        "--summary",
    ];
    args.extend_from_slice(flags);
    args.extend_from_slice(&[&w, "3"]);
    run(&args, b"")
}

/// The value after `key ` in a line of entropy's output.
fn field(line: &str, key: &str) -> u128 {
    let rest = line.split(&format!("{key} ")).nth(1).expect(key);
    rest.split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn deterministic_multi_process_runs_are_byte_identical() {
    let first = entropy(&["--deterministic"]);
    let out = ok(&first);
    assert_eq!(out.lines().count(), 4, "{out}");
    for _ in 0..3 {
        let again = entropy(&["--deterministic"]);
        assert_eq!(stdout(&again), out);
        // The --summary table: the same fuel and memory for every process.
        assert_eq!(stderr(&again), stderr(&first));
    }
    // --seed 0 is the default; --seed alone implies --deterministic.
    assert_eq!(ok(&entropy(&["--seed", "0"])), out);
    // The virtual clocks: the wall clock starts at 2000-01-01T00:00:00Z and
    // each child slept at least its 10 * (i + 1) ms (in virtual time).
    for (i, line) in out.lines().take(3).enumerate() {
        assert!(
            line.starts_with(&format!("child {i}: pid {}", i + 2)),
            "{line}"
        );
        let wall = field(line, "wall");
        assert!(
            (946_684_800_000_000_000..946_684_801_000_000_000).contains(&wall),
            "{line}"
        );
        assert!(
            field(line, "elapsed") >= 10_000_000 * (i as u128 + 1),
            "{line}"
        );
    }
}

#[test]
fn another_seed_gives_other_random_bytes_and_real_runs_differ() {
    let a = ok(&entropy(&["--deterministic", "--seed", "1"]));
    let b = ok(&entropy(&["--deterministic", "--seed", "2"]));
    assert_eq!(ok(&entropy(&["--seed", "2"])), b);
    let random = |s: &str| -> Vec<String> {
        s.lines()
            .map(|l| l.split("random ").nth(1).unwrap()[..16].to_string())
            .collect()
    };
    let (ra, rb) = (random(&a), random(&b));
    for (x, y) in ra.iter().zip(&rb) {
        assert_ne!(x, y);
    }
    // Without --deterministic, clocks and random bytes are the host's.
    let r1 = ok(&entropy(&[]));
    let r2 = ok(&entropy(&[]));
    assert_ne!(random(&r1), random(&r2));
}

/// Runs `wasiproc` with a deadline, so a clock that fails to jump fails
/// the test instead of hanging it.
fn run_within(args: &[&str], limit: Duration) -> Output {
    let mut child = wasiproc()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("wasiproc {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_sleep_of_an_hour_jumps_the_virtual_clock() {
    let o = run_within(
        &["run", "--deterministic", g_wasm(), "sleep", "3600000"],
        Duration::from_secs(60),
    );
    assert_eq!(ok(&o), "slept ok\n");
}

#[test]
fn stdin_reads_depend_only_on_the_input_bytes() {
    // The input arrives in two pieces; poll_oneoff says stdin is ready at
    // once (a 20 s timer never fires) and the read waits for a full buffer
    // or the end of input, so it gets all of it whatever the timing.
    let mut child = wasiproc()
        .args(["run", "--deterministic", g_wasm(), "poll_stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(b"da").unwrap();
    input.flush().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    input.write_all(b"ta").unwrap();
    drop(input);
    let o = child.wait_with_output().unwrap();
    assert_eq!(
        ok(&o),
        "poll_stdin got \"data\" after 0ms\npoll_stdin then [8]\n"
    );
    // The guest never sees a terminal, and reads stdin as usual.
    let o = run(
        &["run", "--check-determinism", g_wasm(), "stdin"],
        b"hello\nworld",
    );
    assert_eq!(ok(&o), "stdin 11 bytes: HELLO\nWORLD\n");
    assert!(
        stderr(&o).starts_with("deterministic: 2 runs identical"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_determinism_passes_a_deterministic_run_through() {
    let o = entropy(&["--check-determinism"]);
    let err = stderr(&o);
    assert!(
        err.starts_with("deterministic: 2 runs identical ("),
        "{err}"
    );
    assert_eq!(o.status.code(), Some(0));
    // The output is the first run's: the same as a deterministic run's.
    assert_eq!(stdout(&o), ok(&entropy(&["--deterministic"])));
    // The summary follows the verdict.
    assert!(err.contains("entropy.wasm"), "{err}");
    // The guest's exit code and stderr are passed on.
    let o = run(&["run", "--check-determinism", g_wasm(), "exit", "3"], b"");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let o = run(&["run", "--check-determinism", g_wasm(), "stdio"], b"");
    assert_eq!(ok(&o), "to stdout\n");
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with("deterministic: 2 runs identical"),
        "{err}"
    );
    assert_eq!(lines[1], "to stderr");
}

/// Writes "hello", then creates `marker` with O_EXCL in its first granted
/// directory and exits with the errno: 0 the first time, EEXIST (20) after.
const EXCL: &str = r#"(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "marker")
  (data (i32.const 200) "hello\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 200))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 6)
      (i32.const 5) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 16)))))"#;

#[test]
fn check_determinism_reports_the_first_difference() {
    // Host files are inputs: the second run finds the file the first made.
    let dir = common::scratch("excl");
    std::fs::create_dir_all(dir.join("d")).unwrap();
    let module = dir.join("excl.wasm");
    std::fs::write(&module, wat::parse_str(EXCL).unwrap()).unwrap();
    let d = dir.join("d").to_string_lossy().into_owned();
    let o = run(
        &[
            "run",
            "--check-determinism",
            "--dir",
            &format!("{d}::/d"),
            module.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.starts_with("nondeterministic: the 2 runs differ in: event log, exit status"),
        "{err}"
    );
    assert!(
        err.contains("first difference: event")
            && err.contains("run 1: fuel")
            && err.contains("pid 1: ended: exited(0); run 2: fuel")
            && err.contains("pid 1: ended: exited(20)"),
        "{err}"
    );
    // The first run's output is still passed on.
    assert_eq!(stdout(&o), "hello\n");
    assert!(dir.join("d/marker").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

fn trace_of(flags: &[&str], name: &str, program: &str, prog_args: &[&str]) -> (Output, PathBuf) {
    let dir = common::scratch(name);
    let file = dir.join("trace.json");
    let md = mapdir();
    let f = file.to_string_lossy().into_owned();
    let w = wasm(program);
    let mut args = vec!["run", "--mapdir", &md, "--trace-events", &f];
    args.extend_from_slice(flags);
    args.push(&w);
    args.extend_from_slice(prog_args);
    (run(&args, b""), file)
}

fn events(file: &PathBuf) -> Vec<Value> {
    let text = std::fs::read_to_string(file).unwrap();
    let v: Value = serde_json::from_str(&text).expect("the trace is valid JSON");
    v["traceEvents"].as_array().expect("traceEvents").clone()
}

fn named<'a>(ev: &'a [Value], ph: &str, name: &str) -> Vec<&'a Value> {
    ev.iter()
        .filter(|e| e["ph"] == ph && e["name"] == name)
        .collect()
}

#[test]
fn a_fan_out_of_50_writes_a_timeline_with_a_track_per_process() {
    let (o, file) = trace_of(
        &["--allow-command", "fanout_worker.wasm"],
        "trace-fanout",
        "fanout.wasm",
        &["50"],
    );
    assert_eq!(ok(&o), "fanout: 50 workers, all exit codes correct\n");
    let ev = events(&file);
    // Every event is on the run's trace process, with a known phase.
    for e in &ev {
        assert_eq!(e["pid"], 1, "{e}");
        assert!(["M", "X", "i"].contains(&e["ph"].as_str().unwrap()), "{e}");
        if e["ph"] != "M" {
            assert!(e["ts"].as_f64().unwrap() >= 0.0, "{e}");
        }
        if e["ph"] == "X" {
            assert!(e["dur"].as_f64().unwrap() >= 0.0, "{e}");
        }
    }
    let threads = named(&ev, "M", "thread_name");
    assert_eq!(threads.len(), 51);
    for (i, t) in threads.iter().enumerate() {
        let pid = i as u64 + 1;
        assert_eq!(t["tid"], pid);
        let name = t["args"]["name"].as_str().unwrap();
        let module = if pid == 1 {
            wasm("fanout.wasm")
        } else {
            "fanout_worker.wasm".to_string()
        };
        assert_eq!(name, format!("pid {pid}: {module}"));
    }
    let spawns = named(&ev, "i", "spawn");
    assert_eq!(spawns.len(), 50);
    let children: Vec<u64> = spawns
        .iter()
        .map(|s| {
            assert_eq!(s["tid"], 1, "spawned by the root");
            assert_eq!(s["args"]["module"], "fanout_worker.wasm");
            s["args"]["child"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(children, (2..=51).collect::<Vec<u64>>());
    let exits = named(&ev, "i", "exit");
    assert_eq!(exits.len(), 51);
    for w in 2..=51u64 {
        let e = exits.iter().find(|e| e["tid"] == w).expect("worker exit");
        let code = ((w - 2) * 7) % 126;
        assert_eq!(e["args"]["status"], format!("exited({code})"));
        assert!(
            named(&ev, "X", "running").iter().any(|r| r["tid"] == w),
            "worker {w} ran"
        );
    }
    assert_eq!(named(&ev, "i", "start").len(), 1);
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
}

fn blocked_names(ev: &[Value]) -> Vec<&str> {
    ev.iter()
        .filter(|e| e["ph"] == "X" && e["cat"] == "blocked")
        .map(|e| e["name"].as_str().unwrap())
        .collect()
}

#[test]
fn a_deterministic_timeline_is_identical_and_shows_why_processes_wait() {
    let flags = ["--deterministic", "--allow-command", "entropy.wasm"];
    let (o, file) = trace_of(&flags, "trace-entropy-1", "entropy.wasm", &["3"]);
    ok(&o);
    let (o2, file2) = trace_of(&flags, "trace-entropy-2", "entropy.wasm", &["3"]);
    ok(&o2);
    let text = std::fs::read(&file).unwrap();
    assert!(text == std::fs::read(&file2).unwrap(), "traces differ");
    let ev = events(&file);
    assert_eq!(named(&ev, "M", "thread_name").len(), 4);
    // The parent waits for its children, which sleep.
    let blocked = blocked_names(&ev);
    for b in ["wait child 2", "wait child 3", "wait child 4"] {
        assert!(blocked.contains(&b), "{blocked:?}");
    }
    assert!(
        blocked
            .iter()
            .filter(|n| n.starts_with("blocked: timer at "))
            .count()
            >= 3,
        "{blocked:?}"
    );
    // Virtual time: a running slice lasts as many ns as it used fuel, and
    // a sleep ends exactly at its deadline.
    for r in named(&ev, "X", "running") {
        let fuel = r["args"]["fuel"].as_u64().unwrap();
        let dur_ns = (r["dur"].as_f64().unwrap() * 1000.0).round() as u64;
        assert_eq!(dur_ns, fuel, "{r}");
    }
    let sleep = ev
        .iter()
        .find(|e| e["cat"] == "blocked" && e["tid"] == 2)
        .expect("child 0 sleeps");
    let deadline: f64 = sleep["args"]["reason"].as_str().unwrap()["timer at ".len()..]
        .trim_end_matches(" ns")
        .parse()
        .unwrap();
    let end = sleep["ts"].as_f64().unwrap() + sleep["dur"].as_f64().unwrap();
    assert!((end * 1000.0 - deadline).abs() < 0.5, "{sleep}");
    assert!(deadline >= 10_000_000.0, "{sleep}");
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
    let _ = std::fs::remove_dir_all(file2.parent().unwrap());
}

#[test]
fn a_pipeline_timeline_shows_pipe_waits() {
    let flags = [
        "--allow-command",
        "producer.wasm",
        "--allow-command",
        "transformer.wasm",
        "--allow-command",
        "consumer.wasm",
    ];
    let (o, file) = trace_of(&flags, "trace-pipeline", "pipeline.wasm", &["1"]);
    assert_eq!(
        ok(&o),
        "pipeline: 1048576 bytes, checksum 652862044d16ac8a, OK\n"
    );
    let ev = events(&file);
    assert_eq!(named(&ev, "M", "thread_name").len(), 4);
    let blocked = blocked_names(&ev);
    assert!(blocked.contains(&"blocked: fd 0 (Read)"), "{blocked:?}");
    assert!(blocked.contains(&"blocked: fd 1 (Write)"), "{blocked:?}");
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
}

#[test]
fn help_describes_the_determinism_flags() {
    let out = ok(&run(&["run", "--help"], b""));
    for flag in [
        "--deterministic",
        "--seed",
        "--check-determinism",
        "--trace-events",
        "Deterministic runs",
        "2000-01-01T00:00:00Z",
        "xoshiro256**",
    ] {
        assert!(out.contains(flag), "--help lacks {flag}:\n{out}");
    }
}

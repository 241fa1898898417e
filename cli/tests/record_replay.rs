//! `wasiproc run --record` and `wasiproc replay`: a multi-process run that
//! reads stdin, a host file, a directory, the clocks and random bytes (and
//! writes a file) is recorded, then replayed in an empty directory with
//! stdin closed; a damaged trace or a replaced module is a clear error.

mod common;

use common::{examples, scratch, stderr, stdout, wasiproc};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

/// Runs `wasiproc ARGS` in `dir`, with `stdin` (None: closed).
fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut cmd = wasiproc();
    cmd.args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let mut child = cmd.spawn().expect("spawn wasiproc");
    if let Some(bytes) = stdin {
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(bytes).expect("write stdin");
    }
    child.wait_with_output().expect("wait wasiproc")
}

/// Records `recorded.wasm 3` with a granted data directory; returns the
/// scratch dir, the trace path and the recorded run's output.
fn record(name: &str, extra: &[&str]) -> (PathBuf, PathBuf, Output) {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("data/input.txt"), b"the host file's contents\n").unwrap();
    let trace = dir.join("run.trace");
    let module = examples().join("recorded.wasm");
    let allow = format!("recorded={}", module.display());
    let t = trace.to_string_lossy().into_owned();
    let m = module.to_string_lossy().into_owned();
    let mut args = vec!["run", "--record", &t, "--dir", "data::/data"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--allow-command", &allow, &m, "3"]);
    let o = run_in(
        &dir,
        &args,
        Some(b"bytes on stdin\n".repeat(100).as_slice()),
    );
    (dir, trace, o)
}

fn empty_dir(name: &str) -> PathBuf {
    scratch(name)
}

fn assert_same(a: &Output, b: &Output) {
    assert_eq!(
        a.status.code(),
        b.status.code(),
        "exit codes differ\nstderr:\n{}",
        stderr(b)
    );
    assert_eq!(stdout(a), stdout(b), "stdout differs");
    assert_eq!(stderr(a), stderr(b), "stderr differs");
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(a.stderr, b.stderr);
}

fn replay_in_empty_dir(trace: &Path, name: &str, verify: bool) -> Output {
    let empty = empty_dir(name);
    let t = trace.to_string_lossy().into_owned();
    let mut args = vec!["replay"];
    if verify {
        args.push("--verify");
    }
    args.push(&t);
    let o = run_in(&empty, &args, None);
    assert_eq!(
        std::fs::read_dir(&empty).unwrap().count(),
        0,
        "the replay wrote into its directory"
    );
    let _ = std::fs::remove_dir_all(&empty);
    o
}

#[test]
fn a_recorded_multi_process_run_replays_byte_for_byte() {
    let (dir, trace, recorded) = record("rr-real", &[]);
    assert_eq!(
        recorded.status.code(),
        Some(3),
        "stderr:\n{}",
        stderr(&recorded)
    );
    let out = stdout(&recorded);
    assert!(out.contains("parent: pid 1, stdin 1500 bytes"), "{out}");
    assert!(out.contains("file 25 bytes"), "{out}");
    assert!(
        out.contains("child 0: pid 2") && out.contains("child 2: pid 4"),
        "{out}"
    );
    assert!(stderr(&recorded).contains("child 1: pid 3"));
    assert!(dir.join("data/out/parent.txt").exists());

    // Take the host file and the written file away: the replay needs neither.
    std::fs::remove_dir_all(dir.join("data")).unwrap();
    let replayed = replay_in_empty_dir(&trace, "rr-real-replay", false);
    assert_same(&recorded, &replayed);

    let verified = replay_in_empty_dir(&trace, "rr-real-verify", true);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
    assert_eq!(verified.stdout, recorded.stdout);
    assert!(
        stderr(&verified).contains("replay verified:"),
        "{}",
        stderr(&verified)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_deterministic_recording_replays_too() {
    let (dir, trace, recorded) = record("rr-det", &["--seed", "5", "--slice", "3000"]);
    assert_eq!(
        recorded.status.code(),
        Some(3),
        "stderr:\n{}",
        stderr(&recorded)
    );
    let replayed = replay_in_empty_dir(&trace, "rr-det-replay", false);
    assert_same(&recorded, &replayed);
    let verified = replay_in_empty_dir(&trace, "rr-det-verify", true);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Replays a damaged copy of `trace`; it must fail before the guest runs.
fn replay_damaged(dir: &Path, bytes: &[u8], what: &str) -> String {
    let bad = dir.join("damaged.trace");
    std::fs::write(&bad, bytes).unwrap();
    let o = replay_in_empty_dir(&bad, "rr-damaged-replay", true);
    assert_eq!(o.status.code(), Some(1), "{what}: {}", stderr(&o));
    assert!(o.stdout.is_empty(), "{what}: the guest ran: {}", stdout(&o));
    stderr(&o)
}

#[test]
fn a_flipped_byte_or_a_truncated_trace_is_a_clear_error() {
    let (dir, trace, recorded) = record("rr-damage", &[]);
    assert_eq!(recorded.status.code(), Some(3));
    let good = std::fs::read(&trace).unwrap();
    let n = good.len();
    // A byte in the magic, the header (module bytes), the records, the trailer.
    for at in [3, 40, n / 2, n - 200, n - 30, n - 1] {
        let mut bad = good.clone();
        bad[at] ^= 0x01;
        let err = replay_damaged(&dir, &bad, &format!("flip at {at}"));
        assert!(
            err.contains("corrupt trace") || err.contains("not a wasiproc trace"),
            "flip at {at}: {err}"
        );
    }
    for len in [0, 10, 100, n / 2, n - 9, n - 1] {
        let err = replay_damaged(&dir, &good[..len], &format!("cut at {len}"));
        assert!(
            err.contains("truncated trace") || err.contains("not a wasiproc trace"),
            "cut at {len}: {err}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_replaced_module_diverges_with_the_process_call_and_position() {
    let (dir, trace, recorded) = record("rr-module", &[]);
    assert_eq!(recorded.status.code(), Some(3));
    let t = trace.to_string_lossy().into_owned();
    let other = format!("recorded={}", examples().join("entropy.wasm").display());
    let empty = empty_dir("rr-module-replay");
    let o = run_in(&empty, &["replay", "--module", &other, &t], None);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("module recorded replaced"), "{err}");
    assert!(err.contains("replay diverged: pid "), "{err}");
    assert!(
        err.contains(" at fuel ") && err.contains("host call #"),
        "{err}"
    );
    assert!(err.contains("the guest called "), "{err}");
    // The same module under its own name replays as recorded.
    let same = format!("recorded={}", examples().join("recorded.wasm").display());
    let o = run_in(&empty, &["replay", "--verify", "--module", &same, &t], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&empty);
    let _ = std::fs::remove_dir_all(&dir);
}

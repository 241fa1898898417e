//! The Run API from an embedder's side, the library alone (no CLI): a
//! 3-process program run twice with one seed and once replayed from a
//! trace in memory, an import module of the embedder's used by a child,
//! a run driven step by step with its stdin fed and its stdout read, and
//! runs stopped by limits. The guest programs are guest/examples's, built
//! once per test binary by guest/build.sh.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use wasiproc_process::{
    Error, ExitStatus, FuncType, HostPipe, Limit, Output, Progress, Replay, Run, SharedBuffer,
    Stdin, TrapKind, Val, ValType,
};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("process/ has a parent")
        .to_path_buf()
}

/// examples/bin, built once by guest/build.sh.
fn examples() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let status = Command::new(root().join("guest/build.sh"))
            .env("CARGO_TERM_QUIET", "true")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_BUILD_TARGET")
            .env_remove("CARGO_TARGET_DIR")
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run guest/build.sh");
        assert!(status.success(), "guest/build.sh failed");
        root().join("examples/bin")
    })
}

fn wasm(name: &str) -> Vec<u8> {
    let path = examples().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A scratch directory with `input.txt` and an empty `out/`, as
/// recorded.wasm expects under /data.
fn data_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasiproc-embed-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("out")).unwrap();
    std::fs::write(dir.join("input.txt"), b"twelve bytes").unwrap();
    dir
}

/// `recorded.wasm 2`: a parent and two children, taking stdin, a file,
/// clocks and random bytes from outside; deterministic with `seed`.
fn recorded_run(data: &Path, seed: u64) -> Run {
    let mut run = Run::new("recorded.wasm", wasm("recorded.wasm"));
    run.allow_command("recorded", wasm("recorded.wasm"))
        .arg("2")
        .dir(data.to_string_lossy(), "/data")
        .stdin(Stdin::Bytes(b"some input\n".to_vec()))
        .stdout(Output::capture())
        .stderr(Output::capture())
        .slice(3000)
        .deterministic(seed);
    run
}

#[test]
fn a_three_process_run_is_reproduced_by_its_seed_and_by_its_trace() {
    let data = data_dir("det");
    let first = recorded_run(&data, 7).execute().expect("first run");
    let trace = SharedBuffer::new();
    let second = recorded_run(&data, 7)
        .record(trace.clone())
        .execute()
        .expect("recorded run");

    // The program did what it does: 3 processes, exit code 3, the
    // children's lines on stdout (child 0) and stderr (child 1).
    assert_eq!(first.status, ExitStatus::Exited(3));
    assert_eq!(first.processes.len(), 3, "{:?}", first.processes);
    let out = String::from_utf8(first.stdout.clone().unwrap()).unwrap();
    let err = String::from_utf8(first.stderr.clone().unwrap()).unwrap();
    assert!(out.contains("parent: pid 1, stdin 11 bytes"), "{out}");
    assert!(out.contains("child 0: pid 2, file 12 bytes"), "{out}");
    assert!(err.contains("child 1: pid 3, file 12 bytes"), "{err}");
    assert!(first.fuel > 0);

    // Same seed: the same bytes, statuses and fuel.
    assert_eq!(second.stdout, first.stdout);
    assert_eq!(second.stderr, first.stderr);
    assert_eq!(second.status, first.status);
    assert_eq!(second.processes, first.processes);
    assert_eq!(second.fuel, first.fuel);

    // Replayed from the trace in memory, with no directory granted at all
    // (the trace answers every host call).
    let bytes = trace.take();
    assert!(bytes.starts_with(b"WPTRACE\0"));
    let _ = std::fs::remove_dir_all(&data);
    let mut replay = Replay::from_bytes(&bytes).expect("a whole trace");
    replay.stdout(Output::capture()).stderr(Output::capture());
    let replayed = replay.execute().expect("replay");
    assert!(
        replayed.differences().is_empty(),
        "{:?}",
        replayed.differences()
    );
    let report = replayed.report.expect("the root ended");
    assert_eq!(report.stdout, first.stdout);
    assert_eq!(report.stderr, first.stderr);
    assert_eq!(report.status, first.status);
    assert_eq!(report.processes, first.processes);
    assert_eq!(report.fuel, first.fuel);
    assert_eq!(replayed.fuel, first.fuel);
    assert!(replayed.calls > 0);
}

#[test]
fn a_different_seed_changes_the_random_bytes_and_a_damaged_trace_is_refused() {
    let data = data_dir("seed");
    let a = recorded_run(&data, 1).execute().unwrap();
    let b = recorded_run(&data, 2).execute().unwrap();
    assert_eq!(a.status, b.status);
    assert_ne!(a.stdout, b.stdout, "the random bytes follow the seed");

    let trace = SharedBuffer::new();
    recorded_run(&data, 1)
        .record(trace.clone())
        .execute()
        .unwrap();
    let mut bytes = trace.take();
    let _ = std::fs::remove_dir_all(&data);
    let last = bytes.len() - 3;
    bytes[last] ^= 0x55;
    match Replay::from_bytes(&bytes) {
        Err(Error::Trace(msg)) => assert!(msg.contains("corrupt"), "{msg}"),
        other => panic!("a damaged trace was accepted: {other:?}"),
    }
    bytes.truncate(bytes.len() / 2);
    assert!(matches!(Replay::from_bytes(&bytes), Err(Error::Trace(_))));
}

#[test]
fn a_replay_of_another_module_diverges_with_a_typed_error() {
    let data = data_dir("div");
    let trace = SharedBuffer::new();
    recorded_run(&data, 3)
        .record(trace.clone())
        .execute()
        .unwrap();
    let _ = std::fs::remove_dir_all(&data);
    let mut replay = Replay::from_bytes(&trace.take()).unwrap();
    let hashes = replay
        .replace_module("recorded", wasm("child_worker.wasm"))
        .unwrap();
    assert!(hashes.is_some());
    replay.stdout(Output::Null).stderr(Output::Null);
    match replay.execute() {
        Err(Error::Diverged(msg)) => assert!(msg.contains("replay diverged"), "{msg}"),
        other => panic!("expected a divergence, got {other:?}"),
    }
}

#[test]
fn a_child_calls_a_host_function_of_the_embedder() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let mut run = Run::new("host_call.wasm", wasm("host_call.wasm"));
    run.allow_command("host_call.wasm", wasm("host_call.wasm"))
        .stdout(Output::capture())
        .stderr(Output::capture())
        .host_func(
            "embedder",
            "add",
            FuncType::new([ValType::I32, ValType::I32], [ValType::I32]),
            |_call, params, results| {
                let (Val::I32(a), Val::I32(b)) = (&params[0], &params[1]) else {
                    unreachable!("the signature says i32, i32")
                };
                results[0] = Val::I32(a.wrapping_add(*b));
                Ok(())
            },
        )
        .host_func(
            "embedder",
            "log",
            FuncType::new([ValType::I32, ValType::I32], [ValType::I32]),
            move |call, params, results| {
                let (Val::I32(ptr), Val::I32(len)) = (&params[0], &params[1]) else {
                    unreachable!("the signature says i32, i32")
                };
                let bytes = call.read_memory(*ptr as u32, *len as u32)?;
                log.lock()
                    .unwrap()
                    .push((call.pid().0, String::from_utf8_lossy(&bytes).into_owned()));
                results[0] = Val::I32(call.pid().0 as i32);
                Ok(())
            },
        );
    let report = run.execute().expect("run");
    let out = String::from_utf8(report.stdout.unwrap()).unwrap();
    assert_eq!(report.status, ExitStatus::Exited(0), "{out}");
    assert!(
        out.contains("child: add(40, 2) = 42; the host saw pid 2"),
        "{out}"
    );
    assert_eq!(
        *seen.lock().unwrap(),
        vec![(2, "child computed 42 on the host".to_string())]
    );
}

#[test]
fn a_host_function_gets_only_checked_pointers() {
    // A call with a range outside the caller's memory traps the caller; the
    // host function never sees the bytes.
    let wat = r#"(module
        (import "embedder" "log" (func $log (param i32 i32) (result i32)))
        (memory (export "memory") 1)
        (func (export "_start") (drop (call $log (i32.const 65530) (i32.const 100)))))"#;
    let called = Arc::new(Mutex::new(0));
    let c = called.clone();
    let mut run = Run::new("oob.wasm", wat::parse_str(wat).unwrap());
    run.stdout(Output::Null).stderr(Output::Null).host_func(
        "embedder",
        "log",
        FuncType::new([ValType::I32, ValType::I32], [ValType::I32]),
        move |call, params, results| {
            let (Val::I32(ptr), Val::I32(len)) = (&params[0], &params[1]) else {
                unreachable!()
            };
            call.read_memory(*ptr as u32, *len as u32)?;
            *c.lock().unwrap() += 1;
            results[0] = Val::I32(0);
            Ok(())
        },
    );
    let report = run.execute().unwrap();
    assert!(
        matches!(report.status, ExitStatus::Trapped(_)),
        "{:?}",
        report.status
    );
    assert_eq!(*called.lock().unwrap(), 0);
}

#[test]
fn a_run_driven_step_by_step_streams_a_childs_stdout() {
    let stdin = HostPipe::new(64);
    let stdout = HostPipe::new(4096);
    let mut run = Run::new("echo_upper.wasm", wasm("echo_upper.wasm"));
    run.allow_command("echo_upper.wasm", wasm("echo_upper.wasm"))
        .stdin(Stdin::Pipe(stdin.clone()))
        .stdout(Output::Pipe(stdout.clone()))
        .stderr(Output::capture());
    let mut running = run.start().expect("start");
    let lines = ["alpha", "beta", "gamma delta"];
    let mut fed = 0;
    let mut got = Vec::new();
    let mut stalls = 0;
    let report = loop {
        match running.step(20_000).expect("step") {
            Progress::Finished(report) => break report,
            Progress::Paused => {}
            Progress::Stalled => {
                stalls += 1;
                // Everyone waits for input: the child has answered every
                // line so far, so the output can be checked line by line.
                got.extend(stdout.read_available());
                let text = String::from_utf8(got.clone()).unwrap();
                assert_eq!(text.lines().count(), fed, "{text}");
                match lines.get(fed) {
                    Some(l) => {
                        assert_eq!(stdin.write(format!("{l}\n").as_bytes()), l.len() + 1);
                        fed += 1;
                    }
                    None => stdin.close(),
                }
            }
        }
        assert!(stalls < 100, "the run does not move");
    };
    got.extend(stdout.read_available());
    let text = String::from_utf8(got).unwrap();
    assert_eq!(
        text,
        "ALPHA\nBETA\nGAMMA DELTA\nparent: child ended: exited(0)\n"
    );
    assert_eq!(stalls, 4, "one stall per line and one before end of input");
    assert_eq!(report.status, ExitStatus::Exited(0));
    assert_eq!(
        String::from_utf8(report.stderr.unwrap()).unwrap(),
        "child: 3 lines\n"
    );
}

#[test]
fn a_stalled_run_that_gets_no_input_ends_in_a_deadlock() {
    // Input that never comes: finishing reports the deadlock.
    let stdin = HostPipe::new(16);
    let mut run = Run::new("echo_upper.wasm", wasm("echo_upper.wasm"));
    run.allow_command("echo_upper.wasm", wasm("echo_upper.wasm"))
        .stdin(Stdin::Pipe(stdin))
        .stdout(Output::Null)
        .stderr(Output::Null);
    let mut running = run.start().unwrap();
    assert!(matches!(running.step(u64::MAX).unwrap(), Progress::Stalled));
    match running.finish() {
        Err(Error::Run(e)) => assert!(e.to_string().starts_with("deadlock"), "{e}"),
        other => panic!("expected a deadlock, got {other:?}"),
    }
}

#[test]
fn limits_stop_a_run_with_an_inspectable_status() {
    let mut run = Run::new("looper.wasm", wasm("looper.wasm"));
    let report = run.fuel(2_000_000).execute().unwrap();
    assert_eq!(report.status, ExitStatus::OutOfFuel);
    assert_eq!(report.exit_code(), 134);
    // Fuel is charged per region in advance: the run stops before the
    // budget would be overdrawn.
    assert!(
        report.fuel > 1_900_000 && report.fuel <= 2_000_000,
        "{}",
        report.fuel
    );

    // Under a memory limit the root sees memory.grow fail; the guest's
    // allocator then aborts (a child would end with "limit exceeded").
    let mut run = Run::new("mem_bomb.wasm", wasm("mem_bomb.wasm"));
    let report = run
        .max_memory(8 << 20)
        .stderr(Output::Null)
        .execute()
        .unwrap();
    let peak = report.processes[0].peak_memory;
    assert!(peak <= 8 << 20, "{peak}");
    assert!(
        matches!(
            report.status,
            ExitStatus::Trapped(TrapKind::Unreachable) | ExitStatus::LimitExceeded(Limit::Memory)
        ),
        "{:?}",
        report.status
    );
}

#[test]
fn an_invoked_call_returns_its_values_and_the_captured_output() {
    let wasm = wat::parse_str(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "in add\n")
  (func (export "add") (param i32 i32) (result i32)
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 7))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.add (local.get 0) (local.get 1))))"#,
    )
    .unwrap();
    let mut run = Run::new("add.wasm", wasm);
    run.stdout(Output::capture()).stderr(Output::capture());
    let got = run
        .invoke(Some("add"), &["2".to_string(), "40".to_string()])
        .unwrap();
    match got.outcome {
        wasiproc_process::Invoked::Returned(vals) => {
            assert_eq!(vals.len(), 1);
            assert_eq!(vals[0].i32(), Some(42));
        }
        other => panic!("expected values, got {other:?}"),
    }
    assert_eq!(got.stdout.as_deref(), Some(&b"in add\n"[..]));
    assert_eq!(got.stderr.as_deref(), Some(&b""[..]));
}

/// A root that asks for `len` random bytes, then loops forever.
fn random_then_loop(len: u32) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
          (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (drop (call $random (i32.const 0) (i32.const {len})))
            (loop $forever (br $forever))))"#
    ))
    .unwrap()
}

#[test]
fn a_divergence_fails_the_host_call_that_found_it_and_stops_the_run() {
    // Recorded: 16 random bytes, then the loop runs out of the run's fuel.
    let trace = SharedBuffer::new();
    let mut run = Run::new("root.wasm", random_then_loop(16));
    run.fuel(50_000)
        .stdout(Output::Null)
        .stderr(Output::Null)
        .deterministic(1)
        .record(trace.clone());
    let recorded = run.execute().expect("recorded run");
    assert_eq!(recorded.status, ExitStatus::OutOfFuel);
    // Replayed with 8 bytes asked: the call diverges. It fails at once (the
    // guest never gets to its loop: no event past the first slice's start
    // fuel) and the replay returns the divergence, not an unwind.
    let mut replay = Replay::from_bytes(&trace.take()).unwrap();
    replay
        .replace_module("root.wasm", random_then_loop(8))
        .unwrap();
    let fuel_seen = Arc::new(Mutex::new(0u64));
    let seen = fuel_seen.clone();
    replay
        .stdout(Output::Null)
        .stderr(Output::Null)
        .event_sink(move |e| {
            let mut s = seen.lock().unwrap();
            *s = (*s).max(e.fuel);
        });
    match replay.execute() {
        Err(Error::Diverged(msg)) => assert!(
            msg.contains("the guest called random with other arguments"),
            "{msg}"
        ),
        other => panic!("expected a divergence, got {other:?}"),
    }
    let max = *fuel_seen.lock().unwrap();
    assert!(
        max < 100,
        "the guest ran on after the divergence: fuel {max}"
    );
}

//! End-to-end tests of the process layer: the example programs of guest/
//! run through the real `wasiproc` binary.

mod common;

use common::{run, stderr, stdout};
use std::path::Path;

/// examples/bin, built once per test binary by guest/build.sh.
fn bin() -> &'static Path {
    common::examples()
}

fn wasm(name: &str) -> String {
    bin().join(name).to_string_lossy().into_owned()
}

fn mapdir() -> String {
    format!("/::{}", bin().display())
}

#[test]
fn the_seed_example_runs_as_the_seed_shows() {
    // `--mapdir /::. --allow-command child_worker.wasm parent_orchestrator.wasm`, from the directory.
    let out = common::wasiproc()
        .current_dir(bin())
        .args([
            "run",
            "--mapdir",
            "/::.",
            "--allow-command",
            "child_worker.wasm",
        ])
        .arg("parent_orchestrator.wasm")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "Parent: Orchestrator starting...\nParent: Child spawned with handle: 2\n\
         Result of 10 + 25 = 35\nParent: Child process finished with exit code: 0\n"
    );
}

#[test]
fn without_allow_command_the_spawn_is_refused_and_reported() {
    let o = run(
        &[
            "run",
            "--mapdir",
            &mapdir(),
            &wasm("parent_orchestrator.wasm"),
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("Failed to spawn child process"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("76"), "ENOTCAPABLE: {}", stderr(&o));
    assert!(!stdout(&o).contains("Result of"));
}

fn pipeline(mib: &str) -> std::process::Output {
    let md = mapdir();
    run(
        &[
            "run",
            "--mapdir",
            &md,
            "--allow-command",
            "producer.wasm",
            "--allow-command",
            "transformer.wasm",
            "--allow-command",
            "consumer.wasm",
            "--summary",
            &wasm("pipeline.wasm"),
            mib,
        ],
        b"",
    )
}

#[test]
fn a_pipeline_moves_100_mib_with_a_verified_checksum() {
    let o = pipeline("100");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "pipeline: 104857600 bytes, checksum f23f9a2c0b274e86, OK\n"
    );
}

fn fanout(n: &str, extra: &[&str]) -> std::process::Output {
    let md = mapdir();
    let w = wasm("fanout.wasm");
    let mut args = vec![
        "run",
        "--mapdir",
        &md,
        "--allow-command",
        "fanout_worker.wasm",
        "--summary",
    ];
    args.extend_from_slice(extra);
    args.extend_from_slice(&[&w, n]);
    run(&args, b"")
}

#[test]
fn a_fan_out_spawns_a_thousand_workers_and_collects_every_code() {
    let o = fanout("1000", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "fanout: 1000 workers, all exit codes correct\n");
    // 1 parent + 1000 workers in the summary, pids 1..=1001.
    let rows = stderr(&o).lines().filter(|l| l.contains("exited(")).count();
    assert_eq!(rows, 1001, "{}", stderr(&o));
}

#[test]
fn max_processes_bounds_the_run() {
    let o = fanout("50", &["--max-processes", "5"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "fanout: 50 workers, all exit codes correct\n");
}

/// Runs must be identical, byte for byte and fuel for fuel, every time.
#[test]
fn pipeline_and_fan_out_are_deterministic_over_20_runs() {
    let first_p = pipeline("2");
    let first_f = fanout("200", &[]);
    assert_eq!(first_p.status.code(), Some(0), "{}", stderr(&first_p));
    assert_eq!(first_f.status.code(), Some(0), "{}", stderr(&first_f));
    for _ in 1..20 {
        let p = pipeline("2");
        assert_eq!(stdout(&p), stdout(&first_p));
        assert!(
            p.stderr == first_p.stderr,
            "per-process fuel totals differ:\n{}",
            stderr(&p)
        );
        let f = fanout("200", &[]);
        assert_eq!(stdout(&f), stdout(&first_f));
        assert!(
            f.stderr == first_f.stderr,
            "per-process fuel totals differ:\n{}",
            stderr(&f)
        );
    }
}

#[test]
fn the_image_analyzer_child_holds_only_its_grants() {
    let demo = common::scratch("analyzer");
    std::fs::create_dir_all(demo.join("input")).unwrap();
    std::fs::create_dir_all(demo.join("output")).unwrap();
    std::fs::write(demo.join("secret.txt"), "top secret\n").unwrap();
    std::fs::write(demo.join("input/ramp.pgm"), "P2\n3 1\n255\n0 128 255\n").unwrap();
    let d = demo.to_string_lossy().into_owned();
    let o = run(
        &[
            "run",
            "--mapdir",
            &format!("/::{d}"),
            "--dir-ro",
            &format!("{d}/input::/input"),
            "--dir",
            &format!("{d}/output::/output"),
            "--allow-command",
            &format!("image_analyzer.wasm={}", wasm("image_analyzer.wasm")),
            &wasm("image_analyzer_parent.wasm"),
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    for line in [
        "denied: read /etc/passwd",
        "denied: read /secret.txt",
        "denied: read /input/../secret.txt",
        "denied: write /input/x",
        "denied: spawn image_analyzer.wasm (errno 76)",
        "analyzer exited(0)",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
    assert!(!out.contains("ALLOWED"), "{out}");
    let report = std::fs::read_to_string(demo.join("output/report.txt")).unwrap();
    assert!(report.contains("ramp.pgm"), "{report}");
    assert!(!demo.join("input/x").exists());
}

#[test]
fn hostile_children_end_with_tagged_statuses_and_the_parent_goes_on() {
    let md = mapdir();
    let mut args = vec!["run", "--mapdir", &md];
    for m in [
        "looper.wasm",
        "mem_bomb.wasm",
        "fork_bomb.wasm",
        "trapper.wasm",
        "never_reads.wasm",
    ] {
        args.extend_from_slice(&["--allow-command", m]);
    }
    let w = wasm("hostile_parent.wasm");
    args.extend_from_slice(&[&w, "all"]);
    let o = run(&args, b"");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    for line in [
        "looper: out of fuel",
        "looper killed: killed(by 1)",
        "mem_bomb: limit exceeded(memory)",
        "trapper unreachable: trapped(unreachable)",
        "trapper oob: trapped(out of bounds memory access)",
        "never_reads: write failed after 65536 bytes",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
    assert!(out.contains("fork_bomb"), "{out}");
}

#[test]
fn a_deadlock_between_processes_is_reported() {
    // The parent keeps the write end of the pipe its child reads from and
    // waits for the child: neither can ever proceed.
    let dir = common::scratch("deadlock");
    let child = wat::parse_str(
        r#"(module
          (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 8))
            (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
    )
    .unwrap();
    let parent = wat::parse_str(
        r#"(module
          (import "wasi_process" "pipe" (func $pipe (param i32 i32) (result i32)))
          (import "wasi_process" "spawn_config_new" (func $new (param i32) (result i32)))
          (import "wasi_process" "spawn_config_fd" (func $fd (param i32 i32 i32) (result i32)))
          (import "wasi_process" "spawn" (func $spawn (param i32 i32 i32 i32) (result i32)))
          (import "wasi_process" "wait" (func $wait (param i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 100) "reader.wasm")
          (func (export "_start")
            (drop (call $pipe (i32.const 8) (i32.const 12)))
            (drop (call $new (i32.const 0)))
            (drop (call $fd (i32.load (i32.const 0)) (i32.load (i32.const 8)) (i32.const 0)))
            (drop (call $spawn (i32.load (i32.const 0)) (i32.const 100) (i32.const 11) (i32.const 4)))
            (drop (call $wait (i32.load (i32.const 4)) (i32.const 0) (i32.const 16)))))"#,
    )
    .unwrap();
    std::fs::write(dir.join("reader.wasm"), child).unwrap();
    std::fs::write(dir.join("parent.wasm"), parent).unwrap();
    let reader = format!("reader.wasm={}", dir.join("reader.wasm").display());
    let p = dir.join("parent.wasm");
    let o = run(
        &["run", "--allow-command", &reader, p.to_str().unwrap()],
        b"",
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("deadlock"), "{err}");
    assert!(
        err.contains("pid 1") && err.contains("waits for child 2"),
        "{err}"
    );
    assert!(err.contains("pid 2") && err.contains("fd 0"), "{err}");
}

//! Shared helpers of the CLI tests: the `wasiproc` binary, the guest
//! programs of tests/guests (built once for wasm32-wasip1), scratch dirs.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ has a parent")
        .to_path_buf()
}

/// The guest program, built once per test binary with its own target dir.
pub fn guest() -> &'static Path {
    static GUEST: OnceLock<PathBuf> = OnceLock::new();
    GUEST.get_or_init(|| {
        let root = root();
        let target = root.join("target-guests");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--release",
                "--target",
                "wasm32-wasip1",
                "--manifest-path",
            ])
            .arg(root.join("tests/guests/Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_BUILD_TARGET")
            .status()
            .expect("run cargo to build the guests");
        assert!(
            status.success(),
            "building tests/guests for wasm32-wasip1 failed (is the target installed? \
             `rustup target add wasm32-wasip1`)"
        );
        target.join("wasm32-wasip1/release/wasi-guest.wasm")
    })
}

/// examples/bin (the example programs of guest/), built once per test
/// binary by guest/build.sh.
pub fn examples() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let status = Command::new(root().join("guest/build.sh"))
            .env("CARGO_TERM_QUIET", "true")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_BUILD_TARGET")
            .env_remove("CARGO_TARGET_DIR")
            .status()
            .expect("run guest/build.sh");
        assert!(status.success(), "guest/build.sh failed");
        root().join("examples/bin")
    })
}

/// A `wasiproc` command.
pub fn wasiproc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wasiproc"))
}

/// Starts `wasiproc` with `args` and its three stdio streams piped.
pub fn spawn<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Child {
    wasiproc()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn wasiproc")
}

/// Runs `wasiproc` with `args`, feeding `stdin` (none: an empty pipe).
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = spawn(args);
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin).expect("write stdin");
    drop(input);
    child.wait_with_output().expect("wait wasiproc")
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasiproc-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Asserts a successful run and returns its stdout.
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

/// The host survived: no panic, no crash by signal.
pub fn no_panic(o: &Output) {
    let err = stderr(o);
    assert!(
        o.status.code().is_some() && o.status.code() != Some(101) && !err.contains("panicked"),
        "host failure: exit {:?}\n{err}",
        o.status.code()
    );
}

/// Runs `wasiproc` with `args` and an empty stdin, and checks that the host
/// survived ([`no_panic`]).
pub fn run_args(args: &[String]) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run(&args, b"");
    no_panic(&o);
    o
}

/// A path as an argument.
pub fn p(path: &Path) -> String {
    path.display().to_string()
}

/// Asserts the run ended out of fuel (exit code 134 and the message).
pub fn assert_out_of_fuel(o: &Output) {
    assert_eq!(o.status.code(), Some(134), "{}", stderr(o));
    assert!(stderr(o).contains("out of fuel"), "{}", stderr(o));
}

/// The per-process rows of `--summary` (stderr): (pid, fuel, status).
pub fn summary(o: &Output) -> Vec<(u32, u64, String)> {
    stderr(o)
        .lines()
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            let pid = cols.first()?.parse().ok()?;
            let fuel = cols.get(3)?.parse().ok()?;
            Some((pid, fuel, cols[5..].join(" ")))
        })
        .collect()
}

//! The wasm-c-api sample programs in `tests/c/` (and the two wasiproc.h
//! programs: `resume`, on its own `.wat`, and `seed_run`, on the seed's
//! guest programs from examples/bin), compiled with the system C
//! compiler (`cc`) against `include/wasm.h` and `libwasiproc.a`, run on
//! their module (`<name>.wat`, converted here), and checked against
//! `<name>.out` byte for byte. When `valgrind` is on PATH each program also
//! runs under it and must report no definite leak and no invalid access
//! (`tests/c/valgrind.supp` names the one report, inside wasmparser, that is
//! suppressed, and why).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The static library, freshly built: `cargo test` builds the library only
/// as an rlib for the test, so the test asks cargo to build (or confirm up
/// to date) the `staticlib` artifact in the same target directory.
fn staticlib() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let exe = std::env::current_exe().expect("test executable path");
        // target/<profile>/deps/c_samples-<hash>
        let deps = exe.parent().expect("deps dir");
        let profile_dir = deps.parent().expect("profile dir").to_path_buf();
        let target_dir = profile_dir.parent().expect("target dir");
        let mut build = Command::new(env!("CARGO"));
        build
            .args(["build", "-p", "wasiproc-capi", "--lib", "--target-dir"])
            .arg(target_dir)
            .current_dir(manifest_dir());
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            build.arg("--release");
        }
        let status = build.status().expect("run cargo build");
        assert!(status.success(), "cargo build of the C API library failed");
        let lib = profile_dir.join("libwasiproc.a");
        assert!(lib.exists(), "{} after cargo build", lib.display());
        lib
    })
}

fn work_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // Inside the target directory, reused by every run: compiled samples are
        // large (debug info), and a per-run directory under /tmp was never removed.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("capi-samples");
        std::fs::create_dir_all(&dir).expect("create work dir");
        dir
    })
}

fn valgrind_available() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Compiles, runs and checks one sample on its module (`<name>.wat`).
fn run_sample(name: &str) {
    let wat = std::fs::read_to_string(manifest_dir().join(format!("tests/c/{name}.wat")))
        .expect("read .wat");
    let wasm = wat::parse_str(&wat).expect("valid .wat");
    let wasm_path = work_dir().join(format!("{name}.wasm"));
    std::fs::write(&wasm_path, wasm).expect("write .wasm");
    run_program(name, &[wasm_path]);
}

/// The path of `examples/bin/NAME`, building the guest programs with
/// guest/build.sh first when it is missing (as process/examples/seed.rs does).
fn guest_program(name: &str) -> PathBuf {
    static BUILD: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let root = manifest_dir()
        .parent()
        .expect("capi/ has a parent")
        .to_path_buf();
    let path = root.join("examples/bin").join(name);
    let _one_build = BUILD.lock().unwrap_or_else(|p| p.into_inner());
    if !path.exists() {
        let status = Command::new(root.join("guest/build.sh"))
            .env("CARGO_TERM_QUIET", "true")
            .env_remove("CARGO_TARGET_DIR")
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run guest/build.sh");
        assert!(status.success(), "guest/build.sh failed");
    }
    assert!(path.exists(), "{} after guest/build.sh", path.display());
    path
}

/// Compiles `tests/c/<name>.c` against both headers and the static
/// library, runs it with `args` (natively, then under valgrind when it is
/// installed) and checks its stdout against `<name>.out`.
fn run_program(name: &str, args: &[PathBuf]) {
    let src = manifest_dir().join("tests/c");
    let dir = work_dir();

    let exe = dir.join(name);
    let cc = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-g", "-I"])
        .arg(manifest_dir().join("include"))
        .arg("-I")
        .arg(&src)
        .arg(src.join(format!("{name}.c")))
        .arg(staticlib())
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&exe)
        .output()
        .expect("run cc (the system C compiler)");
    assert!(
        cc.status.success(),
        "cc failed for {name}:\n{}",
        String::from_utf8_lossy(&cc.stderr)
    );

    let expected = std::fs::read_to_string(src.join(format!("{name}.out"))).expect("read .out");
    let run = Command::new(&exe).args(args).output().expect("run sample");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{name} exited with {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(stdout, expected, "output of {name}");

    if valgrind_available() {
        let vg = Command::new("valgrind")
            .args([
                "--error-exitcode=1",
                "--leak-check=full",
                "--errors-for-leak-kinds=definite",
                "-q",
            ])
            .arg(format!(
                "--suppressions={}",
                src.join("valgrind.supp").display()
            ))
            .arg(&exe)
            .args(args)
            .output()
            .expect("run valgrind");
        assert!(
            vg.status.success(),
            "valgrind reported errors for {name} ({:?}):\n{}",
            vg.status,
            String::from_utf8_lossy(&vg.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&vg.stdout),
            expected,
            "output of {name} under valgrind"
        );
    } else {
        eprintln!("valgrind is not installed: {name} ran without the leak and access check");
    }
}

#[test]
fn hello() {
    run_sample("hello");
}

#[test]
fn callback() {
    run_sample("callback");
}

#[test]
fn global() {
    run_sample("global");
}

#[test]
fn memory() {
    run_sample("memory");
}

#[test]
fn table() {
    run_sample("table");
}

#[test]
fn trap() {
    run_sample("trap");
}

#[test]
fn start() {
    run_sample("start");
}

#[test]
fn multi() {
    run_sample("multi");
}

#[test]
fn reflect() {
    run_sample("reflect");
}

#[test]
fn finalize() {
    run_sample("finalize");
}

#[test]
fn resume() {
    run_sample("resume");
}

/// The seed's example (`parent_orchestrator.wasm` spawning
/// `child_worker.wasm 10 25`) through wasiproc.h: run, record, replay.
#[test]
fn seed_run() {
    let trace = work_dir().join("seed_run.trace");
    run_program(
        "seed_run",
        &[
            guest_program("parent_orchestrator.wasm"),
            guest_program("child_worker.wasm"),
            trace,
        ],
    );
}

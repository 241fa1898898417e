//! End-to-end tests of the `wasiproc` binary: `validate` and `wast`.

use std::path::PathBuf;
use std::process::{Command, Output};

/// Writes `contents` to a fresh file in this test target's scratch directory.
fn scratch(name: &str, contents: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wasiproc-cli-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn wasiproc(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasiproc"))
        .args(args)
        .output()
        .expect("cannot run wasiproc")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn validate_accepts_a_valid_module() {
    let wasm = wat::parse_str(
        r#"(module (func (export "add") (param i32 i32) (result i32)
               local.get 0 local.get 1 i32.add))"#,
    )
    .unwrap();
    let path = scratch("valid.wasm", &wasm);
    let out = wasiproc(&["validate".as_ref(), path.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("valid"), "{}", text(&out.stdout));
}

#[test]
fn validate_reports_the_offset_of_an_invalid_module() {
    // The body returns an i64 where the signature says i32.
    let wasm = wat::parse_str("(module (func (result i32) i64.const 1))").unwrap();
    let path = scratch("invalid.wasm", &wasm);
    let out = wasiproc(&["validate".as_ref(), path.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("type mismatch"), "{err}");
    assert!(err.contains("offset 0x"), "{err}");
    assert!(err.contains("invalid.wasm"), "{err}");
}

#[test]
fn validate_of_a_missing_file_is_one_line_and_exit_1() {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("does-not-exist.wasm");
    let out = wasiproc(&["validate".as_ref(), path.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("does-not-exist.wasm"), "{err}");
    assert!(text(&out.stdout).is_empty());
}

const PASSING: &str = r#"
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "boom") unreachable))
(assert_return (invoke "add" (i32.const 2) (i32.const 3)) (i32.const 5))
(assert_trap (invoke "boom") "unreachable")
(assert_invalid (module (func (result i32))) "type mismatch")
"#;

#[test]
fn wast_runs_a_passing_script() {
    let path = scratch("pass.wast", PASSING.as_bytes());
    for fuel in [false, true] {
        let mut args = vec!["wast".as_ref()];
        if fuel {
            args.push("--fuel".as_ref());
        }
        args.push(path.as_os_str());
        let out = wasiproc(&args);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
        assert!(stdout.contains("pass.wast: 3 passed, 0 failed"), "{stdout}");
        assert_eq!(
            stdout.lines().last(),
            Some("3 passed, 0 failed"),
            "{stdout}"
        );
    }
}

#[test]
fn wast_reports_failures_with_location_and_exit_1() {
    let failing = format!(
        "{PASSING}(assert_return (invoke \"add\" (i32.const 2) (i32.const 2)) (i32.const 5))\n"
    );
    let bad = scratch("fail.wast", failing.as_bytes());
    let good = scratch("pass2.wast", PASSING.as_bytes());
    let out = wasiproc(&["wast".as_ref(), good.as_os_str(), bad.as_os_str()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let failure = format!("{}:8:2: ", bad.display());
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with(&failure) && l.contains("i32:5")),
        "{stdout}"
    );
    assert!(
        stdout.contains("pass2.wast: 3 passed, 0 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("fail.wast: 3 passed, 1 failed"), "{stdout}");
    assert_eq!(
        stdout.lines().last(),
        Some("6 passed, 1 failed"),
        "{stdout}"
    );
}

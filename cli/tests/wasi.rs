//! WASI preview1 through the real `wasiproc run`: guest programs from
//! tests/guests (Rust, wasm32-wasip1) exercise each function, the sandbox
//! escapes, read-only grants, blocking stdin and timers.

mod common;

use common::*;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

fn g() -> &'static str {
    guest().to_str().expect("utf-8 path")
}

fn lines(expected: &str) -> String {
    expected
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn args_are_passed_in_order_with_empty_and_dash_arguments() {
    let out = ok(&run(&["run", g(), "args", "", "a b", "--", "-x"], b""));
    assert_eq!(out, format!("[{}]\n[args]\n[]\n[a b]\n[--]\n[-x]\n", g()));
    let out = ok(&run(&["run", g(), "--", "args", "-y"], b""));
    assert_eq!(out, format!("[{}]\n[args]\n[-y]\n", g()));
}

#[test]
fn env_has_only_what_was_granted() {
    let o = wasiproc()
        .args([
            "run",
            "--env",
            "A=1",
            "--env",
            "EMPTY=",
            "--env",
            "FROM_HOST",
        ])
        .args(["--env", "NOT_ON_HOST", "--env", "EQ=x=y", g(), "env"])
        .env("FROM_HOST", "host value")
        .env_remove("NOT_ON_HOST")
        .output()
        .unwrap();
    assert_eq!(ok(&o), "A=1\nEMPTY=\nEQ=x=y\nFROM_HOST=host value\n");
}

#[test]
fn exit_codes_are_the_guests() {
    for code in [0, 1, 7, 125] {
        let o = run(&["run", g(), "exit", &code.to_string()], b"");
        assert_eq!(o.status.code(), Some(code), "{}", stderr(&o));
    }
    let o = run(&["run", g(), "exit_big"], b"");
    assert_eq!(o.status.code(), Some(134));
    assert!(
        stderr(&o).contains("exit with invalid exit status"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn stdout_and_stderr_are_separate() {
    let o = run(&["run", g(), "stdio"], b"");
    assert_eq!(ok(&o), "to stdout\n");
    assert_eq!(stderr(&o), "to stderr\n");
}

#[test]
fn stdin_from_a_pipe() {
    let o = run(&["run", g(), "stdin"], b"hello\nworld");
    assert_eq!(ok(&o), "stdin 11 bytes: HELLO\nWORLD\n");
}

#[test]
fn stdin_that_arrives_late_blocks_and_resumes() {
    let mut child = wasiproc()
        .args(["run", g(), "stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    std::thread::sleep(Duration::from_millis(150));
    input.write_all(b"abc").unwrap();
    input.flush().unwrap();
    std::thread::sleep(Duration::from_millis(150));
    input.write_all(b"def").unwrap();
    drop(input);
    let o = child.wait_with_output().unwrap();
    assert_eq!(ok(&o), "stdin 6 bytes: ABCDEF\n");
}

#[test]
fn poll_oneoff_wakes_on_stdin_before_its_timeout() {
    let mut child = wasiproc()
        .args(["run", g(), "poll_stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    input.write_all(b"data").unwrap();
    input.flush().unwrap();
    let o = child.wait_with_output().unwrap();
    drop(input);
    let out = ok(&o);
    assert!(out.starts_with("poll_stdin got \"data\""), "{out}");
    assert!(out.ends_with("poll_stdin then [2]\n"), "{out}");
}

#[test]
fn files_create_read_write_seek_append_truncate_readdir_rename_unlink_links_stat() {
    let dir = scratch("files");
    let host = dir.join("data");
    std::fs::create_dir(&host).unwrap();
    let grant = format!("{}::/data", host.display());
    let out = ok(&run(&["run", "--dir", &grant, g(), "files", "/data"], b""));
    assert_eq!(
        out,
        lines(
            "ok create\nok seek\nok append\nok truncate\nok stat\nok readdir\nok rename\n\
             ok mkdir\nok symlink\nok link\nok pread\nfiles ok"
        )
    );
    assert_eq!(
        std::fs::read_dir(&host).unwrap().count(),
        0,
        "the guest cleaned up"
    );
    // --mapdir is the same grant with the halves swapped.
    let map = format!("/data::{}", host.display());
    ok(&run(&["run", "--mapdir", &map, g(), "files", "/data"], b""));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The sandbox of the escape tests: `sandbox/` (granted) next to
/// `outside.txt` (not granted), with symlinks that point out.
fn escape_setup(name: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    let sb = dir.join("sandbox");
    std::fs::create_dir_all(sb.join("sub")).unwrap();
    std::fs::write(dir.join("outside.txt"), "OUTSIDE").unwrap();
    std::fs::write(sb.join("inside.txt"), "INSIDE").unwrap();
    let link = |target: &str, at: &str| std::os::unix::fs::symlink(target, sb.join(at)).unwrap();
    link("/etc", "out_abs");
    link("..", "out_rel");
    link("../escaped.txt", "dangling_out");
    link("../../outside.txt", "sub/up");
    dir
}

#[test]
fn every_sandbox_escape_is_refused() {
    let dir = escape_setup("escape");
    let grant = format!("{}::/sandbox", dir.join("sandbox").display());
    let out = ok(&run(
        &["run", "--dir", &grant, g(), "escape", "/sandbox"],
        b"",
    ));
    // 63 = EPERM (as wasmtime reports cap-std's refusals), 0 = allowed.
    let expected = lines(
        "
        dotdot 63
        dotdot_deep 63
        dotdot_inside 0
        absolute 63
        absolute_inside 63
        symlink_abs 63
        symlink_rel 63
        symlink_nested 63
        symlink_dir_of_link 63
        creat_through_symlink 63
        creat_nofollow_symlink 32
        creat_excl_symlink 20
        trunc_through_symlink 63
        open_parent_dir 63
        mkdir_dotdot 63
        mkdir_via_symlink 63
        rename_out 63
        rename_in 63
        link_out 63
        link_in 63
        unlink_out 63
        unlink_via_symlink 63
        rmdir_dotdot 63
        set_times_out 63
        stat_out 63
        stat_link_itself 0
        readlink_abs 63
        symlink_create_abs 63
        symlink_follow_new_abs 44
        symlink_create_rel_out 0
        symlink_follow_new_rel 63
        std_dotdot 63
        std_symlink 63
        std_unmapped 44
        ",
    );
    assert_eq!(out, expected);
    // Nothing outside the grant was created, changed or removed.
    assert_eq!(
        std::fs::read_to_string(dir.join("outside.txt")).unwrap(),
        "OUTSIDE"
    );
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["outside.txt", "sandbox"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("sandbox/inside.txt")).unwrap(),
        "INSIDE"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn swapping_a_directory_for_a_symlink_during_open_never_escapes() {
    let dir = scratch("race");
    let sb = dir.join("sandbox");
    std::fs::create_dir_all(sb.join("real")).unwrap();
    std::fs::create_dir_all(dir.join("outside")).unwrap();
    std::fs::write(sb.join("real/secret.txt"), "INSIDE").unwrap();
    std::fs::write(dir.join("outside/secret.txt"), "OUTSIDE").unwrap();
    std::os::unix::fs::symlink("real", sb.join("race")).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flipper = {
        let (sb, out, stop) = (sb.clone(), dir.join("outside"), stop.clone());
        std::thread::spawn(move || {
            let mut flips = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let target = if flips.is_multiple_of(2) {
                    out.as_path()
                } else {
                    Path::new("real")
                };
                let tmp = sb.join("race.tmp");
                let _ = std::fs::remove_file(&tmp);
                std::os::unix::fs::symlink(target, &tmp).unwrap();
                std::fs::rename(&tmp, sb.join("race")).unwrap();
                flips += 1;
            }
            flips
        })
    };
    let grant = format!("{}::/sandbox", sb.display());
    let o = run(
        &["run", "--dir", &grant, g(), "race", "/sandbox", "3000"],
        b"",
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let flips = flipper.join().unwrap();
    let out = ok(&o);
    assert!(out.trim_end().ends_with("escaped=0"), "{out}");
    assert!(flips > 10, "the race ran ({flips} flips): {out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_read_only_grant_stays_read_only_beside_a_writable_grant_of_the_same_dir() {
    let dir = scratch("readonly");
    let shared = dir.join("shared");
    std::fs::create_dir_all(shared.join("subdir")).unwrap();
    std::fs::write(shared.join("file.txt"), "ORIG").unwrap();
    std::fs::write(shared.join("other.txt"), "o").unwrap();
    std::fs::write(shared.join("subdir/inner.txt"), "i").unwrap();
    let ro = format!("{}::/ro", shared.display());
    let rw = format!("{}::/rw", shared.display());
    let out = ok(&run(
        &[
            "run",
            "--dir-ro",
            &ro,
            "--dir",
            &rw,
            g(),
            "readonly",
            "/ro",
            "/rw",
        ],
        b"",
    ));
    let expected = lines(
        "
        ro_read 0
        ro_create 63
        ro_open_write 63
        ro_truncate 63
        ro_mkdir 63
        ro_rmdir 63
        ro_unlink 63
        ro_rename_out 63
        ro_rename_in 63
        ro_link_out 63
        ro_symlink 63
        ro_set_times 63
        ro_fd_write 8
        ro_fd_set_size 63
        ro_fd_set_times 63
        ro_fd_allocate 63
        ro_subdir_create 63
        ro_subdir_read 0
        ro_std_write 63
        rw_create 0
        rw_read_back_via_ro 0
        file.txt=ORIG
        ",
    );
    assert_eq!(out, expected);
    let mut names: Vec<_> = std::fs::read_dir(&shared)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["file.txt", "made.txt", "other.txt", "subdir"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn clocks_and_random() {
    assert_eq!(
        ok(&run(&["run", g(), "clocks"], b"")),
        "cputime 8\nbad_clock 28\nclocks ok\n"
    );
    assert_eq!(ok(&run(&["run", g(), "random"], b"")), "random ok\n");
}

#[test]
fn sleep_and_poll_oneoff_timeouts_wait_for_real() {
    let t = Instant::now();
    assert_eq!(ok(&run(&["run", g(), "sleep", "200"], b"")), "slept ok\n");
    assert!(t.elapsed() >= Duration::from_millis(200));
    let out = ok(&run(&["run", g(), "poll"], b""));
    assert_eq!(
        out,
        lines(
            "poll relative ok\npoll absolute ok\npoll realtime ok\npoll stdout writable ok\n\
             poll_empty 28\npoll_badf 8\npoll_cputime 28"
        )
    );
}

#[test]
fn descriptor_calls_and_their_errnos() {
    let dir = scratch("raw");
    let grant = format!("{}::/sandbox", dir.display());
    let out = ok(&run(&["run", "--dir", &grant, g(), "raw", "/sandbox"], b""));
    let expected = lines(
        "
        proc_raise 52
        sched_yield 0
        sock_accept 57
        sock_recv 57
        sock_send 57
        sock_shutdown 8
        prestat_get 0
        prestat_dir_name 0
        prestat_name /sandbox
        prestat_dir_name_short 37
        prestat_get_stdout 8
        prestat_get_bad 8
        fdstat_stdout 0
        stdout rights_write=true
        seek_stdout 70
        tell_stdin 70
        read_stdout 8
        write_stdin 8
        close_bad 8
        advise 0
        advise_bad 28
        allocate 0
        allocated_size 4096
        sync 0
        datasync 0
        set_flags_append 0
        flags 1
        set_flags_sync 28
        set_flags_stdout 8
        set_rights 58
        set_times_both 28
        set_times_now 0
        renumber_closed_dest 8
        renumber 0
        write_renumbered 0
        size_after_append 4100
        close_old 8
        renumber_bad 8
        path_open_on_file 54
        readdir_file 8
        read_dir_fd 8
        open_dir_creat 28
        open_missing 44
        open_file_as_dir 54
        open_excl_exists 20
        close_renumbered 0
        open_sync 0
        sync_flags 18
        pread_stdin 70
        pwrite_stdout 70
        bad_utf8_path 25
        ",
    );
    assert_eq!(out, expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_trap_prints_its_kind_and_a_named_backtrace_and_exits_134() {
    let o = run(&["run", g(), "trap"], b"");
    assert_eq!(o.status.code(), Some(134));
    let err = stderr(&o);
    assert!(
        err.starts_with("wasiproc: wasm trap: unreachable\n"),
        "{err}"
    );
    assert!(err.contains("wasm backtrace:"), "{err}");
    assert!(err.contains("guest_crash"), "{err}");
    assert!(err.contains("_start"), "{err}");
}

#[test]
fn fuel_runs_out_with_a_trap() {
    let o = run(&["run", "--fuel", "1000", g(), "args"], b"");
    assert_eq!(o.status.code(), Some(134));
    assert!(stderr(&o).contains("out of fuel"), "{}", stderr(&o));
    ok(&run(&["run", "--fuel", "1000000000", g(), "args"], b""));
}

#[test]
fn max_memory_below_the_initial_memory_fails_to_start() {
    let o = run(&["run", "--max-memory", "64K", g(), "args"], b"");
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("limit"), "{err}");
    ok(&run(&["run", "--max-memory", "64M", g(), "args"], b""));
}

#[test]
fn invoke_calls_an_export_with_parsed_arguments() {
    let dir = scratch("invoke");
    let wasm = wat::parse_str(
        r#"(module
             (func (export "add") (param i32 i64) (result i64)
               local.get 1 local.get 0 i64.extend_i32_s i64.add)
             (func (export "half") (param f64) (result f64 f32)
               local.get 0 f64.const 2 f64.div f32.const 1.5))"#,
    )
    .unwrap();
    let path = dir.join("m.wasm");
    std::fs::write(&path, wasm).unwrap();
    let p = path.to_str().unwrap();
    assert_eq!(
        ok(&run(&["run", "--invoke", "add", p, "-2", "40"], b"")),
        "38\n"
    );
    assert_eq!(
        ok(&run(&["run", "--invoke", "half", p, "5"], b"")),
        "2.5\n1.5\n"
    );
    // No _start and no --invoke: instantiate only.
    ok(&run(&["run", p], b""));
    let o = run(&["run", "--invoke", "add", p, "x", "1"], b"");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cannot parse"), "{}", stderr(&o));
    let o = run(&["run", "--invoke", "nope", p], b"");
    assert_eq!(o.status.code(), Some(1));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn wasiproc_errors_are_one_line_and_exit_1_and_bad_flags_exit_2() {
    let o = run(&["run", "/no/such/file.wasm"], b"");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    let dir = scratch("errors");
    let bad = dir.join("bad.wasm");
    std::fs::write(&bad, "not wasm").unwrap();
    let o = run(&["run", bad.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    let o = run(&["run", "--dir", "/no/such/dir", g(), "args"], b"");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/no/such/dir"), "{}", stderr(&o));
    let unknown_import = wat::parse_str(r#"(module (import "env" "f" (func)))"#).unwrap();
    let ui = dir.join("ui.wasm");
    std::fs::write(&ui, unknown_import).unwrap();
    let o = run(&["run", ui.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("env::f"), "{}", stderr(&o));
    let o = run(&["run", "--no-such-flag", g()], b"");
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn help_describes_every_flag() {
    let out = ok(&run(&["run", "--help"], b""));
    for flag in [
        "--dir ",
        "--dir-ro",
        "--mapdir",
        "--env",
        "--fuel",
        "--max-memory",
        "--invoke",
        "MODULE",
        "ARGS",
        "Exit status",
    ] {
        assert!(out.contains(flag), "--help lacks {flag}:\n{out}");
    }
}

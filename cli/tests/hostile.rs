//! Hostile guests through the real binary: each ends with a clear status or
//! errno, the host never panics (exit code never 101), and other processes
//! of the same run keep their output. The guests are WAT (common/watlib.rs).

mod common;
#[path = "common/watlib.rs"]
mod watlib;

use common::{p, run, run_args, scratch, stderr, stdout};
use std::path::Path;
use watlib::{Guest, allow};

/// A child printing `printer line 0` .. `printer line N-1`, one write each.
fn printer(dir: &Path, lines: u32) -> std::path::PathBuf {
    let mut g = Guest::new();
    let label = g.put("printer line ");
    let body = format!(
        r#"(func (export "_start") (local $i i32)
          (loop $l
            {label} (call $i32 (local.get $i)) (call $flush)
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const {lines})))))"#
    );
    g.write(dir, "printer.wasm", 1, &body)
}

fn assert_printer_lines(out: &str, lines: u32) {
    let got: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("printer line "))
        .collect();
    let want: Vec<String> = (0..lines).map(|i| format!("printer line {i}")).collect();
    assert_eq!(got, want, "the sibling lost or reordered output:\n{out}");
}

#[test]
fn an_infinite_loop_under_fuel_ends_out_of_fuel() {
    let dir = scratch("hostile-loop");
    let g = Guest::new();
    let m = g.write(
        &dir,
        "loop.wasm",
        1,
        r#"(func (export "_start") (loop $l (br $l)))"#,
    );
    let o = run_args(&["run".into(), "--fuel".into(), "5000000".into(), p(&m)]);
    assert_eq!(o.status.code(), Some(134), "{}", stderr(&o));
    assert!(stderr(&o).contains("out of fuel"), "{}", stderr(&o));
}

#[test]
fn deep_recursion_traps_with_call_stack_exhausted() {
    let dir = scratch("hostile-recursion");
    let g = Guest::new();
    // Small frames hit the call depth limit; big frames the value stack.
    let small = g.write(
        &dir,
        "small.wasm",
        1,
        r#"(func $r (param i64) (result i64) (call $r (i64.add (local.get 0) (i64.const 1))))
           (func (export "_start") (drop (call $r (i64.const 0))))"#,
    );
    let locals = "(local i64) ".repeat(4000);
    let big = g.write(
        &dir,
        "big.wasm",
        1,
        &format!(
            r#"(func $r (param i64) (result i64) {locals} (call $r (i64.add (local.get 0) (i64.const 1))))
               (func (export "_start") (drop (call $r (i64.const 0))))"#
        ),
    );
    for m in [small, big] {
        let o = run_args(&["run".into(), p(&m)]);
        assert_eq!(o.status.code(), Some(134), "{}", stderr(&o));
        assert!(
            stderr(&o).starts_with("wasiproc: wasm trap: call stack exhausted\n"),
            "{}",
            stderr(&o).lines().next().unwrap_or("")
        );
    }
}

#[test]
fn a_memory_grow_bomb_sees_minus_one_and_goes_on() {
    let dir = scratch("hostile-grow");
    let mut g = Guest::new();
    let grown = g.put("grown ");
    let huge = g.put("huge ");
    let pages = g.put("pages ");
    let cont = g.put("continued");
    let body = format!(
        r#"(func (export "_start") (local $n i32)
          (block $done (loop $l
            (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $l)))
          {grown} (call $i32 (local.get $n)) (call $flush)
          {huge} (call $i32 (memory.grow (i32.const 0x10000))) (call $flush)
          (i32.store (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4)) (i32.const 7))
          {pages} (call $i32 (memory.size)) (call $flush)
          {cont} (call $flush))"#
    );
    let m = g.write(&dir, "grow.wasm", 1, &body);
    let o = run_args(&["run".into(), "--max-memory".into(), "64M".into(), p(&m)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        // 64 MiB bound the whole run: the value stack takes a little of the
        // last page.
        "grown 1022\nhuge -1\npages 1023\ncontinued\n",
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_table_grow_bomb_sees_minus_one_at_the_table_limit() {
    let dir = scratch("hostile-table");
    let mut g = Guest::new();
    let huge = g.put("huge ");
    let steps = g.put("steps ");
    let size = g.put("size ");
    let cont = g.put("continued");
    let body = format!(
        r#"(table $t 0 funcref)
        (func (export "_start") (local $n i32)
          {huge} (call $i32 (table.grow $t (ref.null func) (i32.const -1))) (call $flush)
          (block $done (loop $l
            (br_if $done (i32.eq (table.grow $t (ref.null func) (i32.const 1000000)) (i32.const -1)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $l)))
          {steps} (call $i32 (local.get $n)) (call $flush)
          {size} (call $i32 (table.size $t)) (call $flush)
          {cont} (call $flush))"#
    );
    let m = g.write(&dir, "table.wasm", 1, &body);
    let o = run_args(&["run".into(), p(&m)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "huge -1\nsteps 10\nsize 10000000\ncontinued\n");
}

/// A guest printing its argument and environment counts and sizes.
fn sizes_guest(dir: &Path) -> std::path::PathBuf {
    let mut g = Guest::new();
    let args = g.put("args ");
    let env = g.put("env ");
    let sp = g.put(" ");
    let body = format!(
        r#"(func (export "_start")
          (drop (call $args_sizes_get (i32.const 100) (i32.const 104)))
          {args} (call $i32 (i32.load (i32.const 100))) {sp} (call $i32 (i32.load (i32.const 104))) (call $flush)
          (drop (call $environ_sizes_get (i32.const 100) (i32.const 104)))
          {env} (call $i32 (i32.load (i32.const 100))) {sp} (call $i32 (i32.load (i32.const 104))) (call $flush))"#
    );
    g.write(dir, "sizes.wasm", 1, &body)
}

#[test]
fn huge_argv_and_env_pass_through_the_cli_and_to_a_child() {
    let dir = scratch("hostile-argv");
    let sizes = sizes_guest(&dir);
    // 10,000 arguments and 1 MiB of environment through the CLI.
    let mut args = vec!["run".to_string()];
    let value = "v".repeat(64 * 1024);
    for i in 0..16 {
        args.push("--env".into());
        args.push(format!("V{i:02}={value}"));
    }
    let module = p(&sizes);
    args.push(module.clone());
    let mut arg_bytes = module.len() + 1;
    for i in 0..10_000 {
        let a = format!("arg{i}");
        arg_bytes += a.len() + 1;
        args.push(a);
    }
    let o = run_args(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let env_bytes = 16 * (4 + 64 * 1024 + 1);
    assert_eq!(
        stdout(&o),
        format!("args 10001 {arg_bytes}\nenv 16 {env_bytes}\n")
    );

    // A parent passing 10,000 arguments and 1,000 variables to a child.
    let mut g = Guest::new();
    let arg = g.s("arg");
    let var = g.s("K=v");
    let name = g.s("sizes.wasm");
    let body = format!(
        r#"(func (export "_start") (local $cfg i32) (local $i i32) (local $pid i32)
          (local.set $cfg (call $new_cfg))
          (loop $l
            (drop (call $cfg_arg (local.get $cfg) {arg}))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const 10000))))
          (local.set $i (i32.const 0))
          (loop $l
            (drop (call $cfg_env (local.get $cfg) {var}))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))
          (local.set $pid (call $spawn_cfg (local.get $cfg) {name}))
          (drop (call $wait_pid (local.get $pid)))
          (call $say_status))"#
    );
    let parent = g.write(&dir, "parent.wasm", 1, &body);
    let mut args = vec!["run".to_string()];
    args.extend(allow(&[("sizes.wasm", &sizes)]));
    args.push(p(&parent));
    let o = run_args(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "args 10000 40000\nenv 1000 4000\nstatus 2 0 0\n"
    );
}

#[test]
fn gigantic_declared_sizes_are_a_one_line_error() {
    let dir = scratch("hostile-declared");
    for (name, text, flags) in [
        (
            "mem.wasm",
            r#"(module (memory 65536) (func (export "_start")))"#,
            &["--max-memory", "64M"][..],
        ),
        (
            "table.wasm",
            r#"(module (table 4000000000 funcref) (func (export "_start")))"#,
            &[][..],
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, wat::parse_str(text).unwrap()).unwrap();
        let mut args: Vec<String> = vec!["run".into()];
        args.extend(flags.iter().map(|s| s.to_string()));
        args.push(p(&path));
        let o = run_args(&args);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(err.contains("limit"), "{name}: {err}");
    }
}

#[test]
fn opening_pipes_in_a_loop_ends_with_emfile() {
    let dir = scratch("hostile-fds");
    let mut g = Guest::new();
    let pipes = g.put("pipes ");
    let errno = g.put(" errno ");
    let body = format!(
        r#"(func (export "_start") (local $n i32) (local $e i32)
          (block $done (loop $l
            (local.set $e (call $pipe (i32.const 72) (i32.const 76)))
            (br_if $done (local.get $e))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $l)))
          {pipes} (call $i32 (local.get $n)) {errno} (call $i32 (local.get $e)) (call $flush))"#
    );
    let child = g.write(&dir, "fds.wasm", 1, &body);
    let mut g = Guest::new();
    let name = g.s("fds.wasm");
    let body = format!(
        r#"(func (export "_start") (local $cfg i32)
          (local.set $cfg (call $new_cfg))
          (drop (call $cfg_limit (local.get $cfg) (i32.const 3) (i64.const 100)))
          (drop (call $wait_pid (call $spawn_cfg (local.get $cfg) {name})))
          (call $say_status))"#
    );
    let parent = g.write(&dir, "parent.wasm", 1, &body);
    let mut args = vec!["run".to_string()];
    args.extend(allow(&[("fds.wasm", &child)]));
    args.push(p(&parent));
    let o = run_args(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // 3 stdio descriptors + 2 per pipe, at most 100.
    assert_eq!(stdout(&o), "pipes 48 errno 33\nstatus 2 0 0\n");
}

#[test]
fn widening_rights_when_spawning_is_notcapable() {
    let dir = scratch("hostile-widen");
    let ro = dir.join("ro");
    std::fs::create_dir_all(&ro).unwrap();
    let mut g = Guest::new();
    let body = format!(
        r#"(func (export "_start") {})"#,
        g.say("child ran ", "(i32.const 1)")
    );
    let ok = g.write(&dir, "ok.wasm", 1, &body);

    let mut g = Guest::new();
    let other = g.s("other.wasm");
    let okname = g.s("ok.wasm");
    let x = g.s("/x");
    let lines = [
        (
            "not_allowed ",
            format!("(i32.sub (i32.const 0) (call $spawn_cfg (local.get $cfg) {other}))"),
        ),
        (
            "dir_rw ",
            format!("(call $cfg_dir (local.get $cfg) (i32.const 3) {x} (i32.const 0))"),
        ),
        (
            "dir_ro ",
            format!("(call $cfg_dir (local.get $cfg) (i32.const 3) {x} (i32.const 1))"),
        ),
        (
            "dir_badf ",
            format!("(call $cfg_dir (local.get $cfg) (i32.const 99) {x} (i32.const 1))"),
        ),
        (
            "allow_other ",
            format!("(call $cfg_allow (local.get $cfg) {other})"),
        ),
        (
            "allow_ok ",
            format!("(call $cfg_allow (local.get $cfg) {okname})"),
        ),
        (
            "fuel_wider ",
            "(call $cfg_limit (local.get $cfg) (i32.const 0) (i64.const 0x1000000000000))"
                .to_string(),
        ),
        (
            "memory_wider ",
            "(call $cfg_limit (local.get $cfg) (i32.const 1) (i64.const 0x10000000000))"
                .to_string(),
        ),
        (
            "fuel ",
            "(call $cfg_limit (local.get $cfg) (i32.const 0) (i64.const 1000000))".to_string(),
        ),
        (
            "unknown_kind ",
            "(call $cfg_limit (local.get $cfg) (i32.const 9) (i64.const 1))".to_string(),
        ),
    ];
    let mut body = String::from(
        "(func (export \"_start\") (local $cfg i32)\n(local.set $cfg (call $new_cfg))\n",
    );
    for (label, expr) in lines {
        body.push_str(&g.say(label, &expr));
        body.push('\n');
    }
    body.push_str(&format!(
        "(drop (call $wait_pid (call $spawn_cfg (local.get $cfg) {okname}))) (call $say_status))"
    ));
    let parent = g.write(&dir, "parent.wasm", 1, &body);
    let mut args: Vec<String> = [
        "run",
        "--fuel",
        "100000000",
        "--max-memory",
        "16M",
        "--dir-ro",
    ]
    .map(String::from)
    .to_vec();
    args.push(format!("{}::/ro", ro.display()));
    args.extend(allow(&[("ok.wasm", &ok)]));
    args.push(p(&parent));
    let o = run_args(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "not_allowed 76\ndir_rw 76\ndir_ro 0\ndir_badf 8\nallow_other 76\nallow_ok 0\n\
         fuel_wider 76\nmemory_wider 76\nfuel 0\nunknown_kind 28\nchild ran 1\nstatus 2 0 0\n"
    );
}

#[test]
fn killing_a_non_descendant_is_eperm_and_the_sibling_keeps_printing() {
    let dir = scratch("hostile-kill");
    let printer = printer(&dir, 200);
    let mut g = Guest::new();
    let body = format!(
        r#"(func (export "_start")
          (drop (call $getppid (i32.const 100)))
          {}
          {}
          {}
          {}
          {})"#,
        g.say("ppid ", "(i32.load (i32.const 100))"),
        g.say("kill_parent ", "(call $kill (i32.load (i32.const 100)))"),
        g.say("kill_sibling ", "(call $kill (i32.const 2))"),
        g.say("kill_unknown ", "(call $kill (i32.const 999))"),
        g.say("kill_zero ", "(call $kill (i32.const 0))"),
    );
    let killer = g.write(&dir, "killer.wasm", 1, &body);
    let mut g = Guest::new();
    let pname = g.s("printer.wasm");
    let kname = g.s("killer.wasm");
    let body = format!(
        r#"(func (export "_start") (local $cfg i32) (local $a i32) (local $b i32)
          (local.set $cfg (call $new_cfg))
          (local.set $a (call $spawn_cfg (local.get $cfg) {pname}))
          (local.set $b (call $spawn_cfg (local.get $cfg) {kname}))
          {}
          (drop (call $wait_pid (local.get $b))) (call $say_status)
          (drop (call $wait_pid (local.get $a))) (call $say_status))"#,
        g.say("kill_self ", "(call $kill (i32.const 1))"),
    );
    let root = g.write(&dir, "root.wasm", 1, &body);
    let mut args = vec!["run".to_string()];
    args.extend(allow(&[
        ("printer.wasm", &printer),
        ("killer.wasm", &killer),
    ]));
    args.push(p(&root));
    let o = run_args(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_printer_lines(&out, 200);
    // The root and the killer run interleaved: compare without order.
    let mut rest: Vec<&str> = out
        .lines()
        .filter(|l| !l.starts_with("printer line "))
        .collect();
    rest.sort_unstable();
    assert_eq!(
        rest,
        [
            "kill_parent 63",
            "kill_self 63",
            "kill_sibling 63",
            "kill_unknown 71",
            "kill_zero 71",
            "ppid 1",
            "status 2 0 0",
            "status 3 0 0",
        ],
        "{out}"
    );
    // The printer was waited for last.
    assert!(out.ends_with("\nstatus 2 0 0\n"), "{out}");
}

#[test]
fn a_pipe_flood_nobody_reads_ends_out_of_fuel_without_a_hang() {
    let dir = scratch("hostile-flood");
    let printer = printer(&dir, 200);
    // The writer fills its stdout, a pipe nobody reads, and blocks.
    let g = Guest::new();
    let writer = g.write(
        &dir,
        "writer.wasm",
        2,
        r#"(func (export "_start")
          (loop $l
            (call $print (i32.const 1) (i32.const 65536) (i32.const 4096))
            (br $l)))"#,
    );
    // The root holds the read end, never reads, and spins with fuel.
    let mut g = Guest::new();
    let wname = g.s("writer.wasm");
    let pname = g.s("printer.wasm");
    let body = format!(
        r#"(func (export "_start") (local $cfg i32) (local $w i32) (local $p i32)
          (drop (call $pipe (i32.const 72) (i32.const 76)))
          (local.set $cfg (call $new_cfg))
          (drop (call $cfg_fd (local.get $cfg) (i32.load (i32.const 76)) (i32.const 1)))
          (drop (call $cfg_limit (local.get $cfg) (i32.const 0) (i64.const 10000000)))
          (local.set $w (call $spawn_cfg (local.get $cfg) {wname}))
          (local.set $p (call $spawn_cfg (call $new_cfg) {pname}))
          {}
          (loop $spin
            (drop (call $wait (i32.const -1) (i32.const 1) (i32.const 80)))
            (br $spin)))"#,
        g.say("spawned ", "(i32.add (local.get $w) (local.get $p))"),
    );
    let root = g.write(&dir, "root.wasm", 1, &body);
    let mut args: Vec<String> = vec!["run".into(), "--fuel".into(), "20000000".into()];
    args.extend(allow(&[
        ("writer.wasm", &writer),
        ("printer.wasm", &printer),
    ]));
    args.push(p(&root));
    let started = std::time::Instant::now();
    let o = run_args(&args);
    assert!(started.elapsed().as_secs() < 60, "the run took too long");
    assert_eq!(o.status.code(), Some(134), "{}", stderr(&o));
    assert!(stderr(&o).contains("out of fuel"), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.lines().any(|l| l == "spawned 5"), "{out}");
    assert_printer_lines(&out, 200);
}

#[test]
fn hostile_siblings_end_with_tagged_statuses_and_a_printer_loses_nothing() {
    let dir = scratch("hostile-siblings");
    let printer = printer(&dir, 300);
    let g = Guest::new();
    let looper = g.write(
        &dir,
        "looper.wasm",
        1,
        r#"(func (export "_start") (loop $l (br $l)))"#,
    );
    let recurse = g.write(
        &dir,
        "recurse.wasm",
        1,
        r#"(func $r (call $r)) (func (export "_start") (call $r))"#,
    );
    let unreachable = g.write(
        &dir,
        "unreachable.wasm",
        1,
        r#"(func (export "_start") unreachable)"#,
    );
    let oob = g.write(
        &dir,
        "oob.wasm",
        1,
        r#"(func (export "_start") (drop (i32.load (i32.const 70000))))"#,
    );
    let grow = g.write(
        &dir,
        "grow.wasm",
        1,
        r#"(func (export "_start") (loop $l (drop (memory.grow (i32.const 1))) (br $l)))"#,
    );
    let exit7 = g.write(
        &dir,
        "exit7.wasm",
        1,
        r#"(func (export "_start") (call $proc_exit (i32.const 7)))"#,
    );
    let names = [
        ("printer.wasm", &printer),
        ("looper.wasm", &looper),
        ("recurse.wasm", &recurse),
        ("unreachable.wasm", &unreachable),
        ("oob.wasm", &oob),
        ("grow.wasm", &grow),
        ("exit7.wasm", &exit7),
    ];
    let mut g = Guest::new();
    let mut body = String::from(
        r#"(func (export "_start") (local $cfg i32) (local $i i32)
          (local.set $cfg (call $new_cfg))
          (drop (call $cfg_limit (local.get $cfg) (i32.const 0) (i64.const 3000000)))
          (drop (call $cfg_limit (local.get $cfg) (i32.const 1) (i64.const 1048576)))
        "#,
    );
    for (name, _) in &names {
        let s = g.s(name);
        body.push_str(&format!("(drop (call $spawn_cfg (local.get $cfg) {s}))\n"));
    }
    body.push_str(&format!(
        r#"(local.set $i (i32.const 2))
          (loop $l
            (drop (call $wait_pid (local.get $i))) (call $say_status)
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.le_u (local.get $i) (i32.const {}))))
          {})"#,
        names.len() + 1,
        g.say("root done ", "(i32.const 1)"),
    ));
    let root = g.write(&dir, "root.wasm", 1, &body);
    let mut args = vec!["run".to_string()];
    let allowed: Vec<(&str, &Path)> = names.iter().map(|(n, p)| (*n, p.as_path())).collect();
    args.extend(allow(&allowed));
    args.push(p(&root));
    let o = run_args(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_printer_lines(&out, 300);
    let rest: Vec<&str> = out
        .lines()
        .filter(|l| !l.starts_with("printer line "))
        .collect();
    assert_eq!(
        rest,
        [
            "status 2 0 0", // printer: exited 0
            "status 3 3 0", // looper: out of fuel
            "status 4 4 0", // recurse: its stack outgrew its 1 MiB memory limit
            "status 5 2 1", // unreachable
            "status 6 2 2", // out of bounds memory access
            "status 7 4 0", // grow: limit exceeded (memory)
            "status 8 0 7", // exit7: exited 7
            "root done 1",
        ],
        "{out}"
    );
}

/// A root creating pipes forever stops at its descriptor limit (EMFILE)
/// instead of growing the host's memory without bound.
#[test]
fn a_root_creating_pipes_forever_gets_emfile() {
    let dir = scratch("pipe-bomb");
    let wasm = wat::parse_str(
        r#"(module
          (import "wasi_process" "pipe" (func $pipe (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start") (local $e i32)
            (loop $l
              (local.set $e (call $pipe (i32.const 0) (i32.const 4)))
              (br_if $l (i32.eqz (local.get $e))))
            (call $exit (local.get $e))))"#,
    )
    .unwrap();
    let path = dir.join("pipes.wasm");
    std::fs::write(&path, wasm).unwrap();
    let o = run(&["run", path.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(33), "EMFILE: {}", stderr(&o));
}

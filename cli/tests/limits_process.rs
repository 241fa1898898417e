//! Limits that hold (issue 12): fuel drawn from the parent's budget, host
//! work charged as fuel, descriptors released and counted, compact zombies,
//! O(1) spawn bookkeeping and the ABI defects of item 10. Every case runs
//! through the real binary with a WAT guest and asserts a measured figure
//! (fuel totals from `--summary`, open descriptors and VmRSS from /proc,
//! counts and statuses), never a time.

mod common;
#[path = "common/watlib.rs"]
mod watlib;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{assert_out_of_fuel, no_panic, run_args, scratch, spawn, stderr, stdout, summary};
use watlib::{IMPORTS, Strings, cmdline, write_wat};

// Memory below 1024 belongs to the kit (the imports of watlib and `$say`):
// 0..8 iovec, 8 written, 16..64 digits, 64..128 out-parameters (64 handle,
// 68 pid, 72/76 pipe fds, 80..96 status, 96..120 fdstat, 120 opened fd),
// 256..1024 the line buffer.

/// `$say(fd, ptr, len, value)`: writes "LABEL VALUE\n" with one fd_write.
const SAY: &str = r#"
  (func $say (param $fd i32) (param $p i32) (param $l i32) (param $v i64)
    (local $q i32) (local $n i32) (local $neg i32)
    (memory.copy (i32.const 256) (local.get $p) (local.get $l))
    (if (i64.lt_s (local.get $v) (i64.const 0))
      (then (local.set $neg (i32.const 1))
            (local.set $v (i64.sub (i64.const 0) (local.get $v)))))
    (local.set $q (i32.const 64))
    (loop $d
      (local.set $q (i32.sub (local.get $q) (i32.const 1)))
      (i32.store8 (local.get $q)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $d (i64.ne (local.get $v) (i64.const 0))))
    (if (local.get $neg)
      (then (local.set $q (i32.sub (local.get $q) (i32.const 1)))
            (i32.store8 (local.get $q) (i32.const 45))))
    (local.set $n (i32.sub (i32.const 64) (local.get $q)))
    (memory.copy (i32.add (i32.const 256) (local.get $l)) (local.get $q) (local.get $n))
    (i32.store8 (i32.add (i32.add (i32.const 256) (local.get $l)) (local.get $n)) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 256))
    (i32.store (i32.const 4) (i32.add (i32.add (local.get $l) (local.get $n)) (i32.const 1)))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
"#;

/// A guest under construction: string literals go to a table from 1024.
struct Wat(Strings);

impl Wat {
    fn new() -> Self {
        Wat(Strings::new(1024))
    }

    /// `(i32.const PTR) (i32.const LEN)` of a literal.
    fn s(&mut self, text: &str) -> String {
        self.0.s(text)
    }

    /// Prints "LABEL VALUE" on stdout; `value` is an i32 expression.
    fn say(&mut self, label: &str, value: &str) -> String {
        let s = self.s(&format!("{label} "));
        format!("(call $say (i32.const 1) {s} (i64.extend_i32_s {value}))")
    }

    /// Writes the module (kit, `pages` of memory, `body`) to `dir/name`.
    fn write(&self, dir: &Path, name: &str, pages: u32, body: &str) -> PathBuf {
        let data = self.0.segments();
        let text = format!(
            "(module\n{IMPORTS}\n  (memory (export \"memory\") {pages})\n{SAY}\n{data}\n{body}\n)"
        );
        write_wat(dir, name, &text)
    }
}

/// A fresh `dir/data` and its grant `DATA::GUEST` (for `--dir`/`--dir-ro`).
fn data_grant(dir: &Path, guest: &str) -> (PathBuf, String) {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let grant = format!("{}::{guest}", data.display());
    (data, grant)
}

/// The value printed after `label` on stdout (the last such line).
fn value(out: &str, label: &str) -> i64 {
    out.lines()
        .rev()
        .find_map(|l| l.strip_prefix(label)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no `{label}` line in:\n{out}"))
}

/// A child that loops 1,000 times and exits (a few thousand fuel).
fn worker(dir: &Path) -> PathBuf {
    Wat::new().write(
        dir,
        "work.wasm",
        1,
        r#"(func (export "_start") (local $i i32)
             (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
               (br_if $l (i32.lt_u (local.get $i) (i32.const 1000)))))"#,
    )
}

/// A child that exits at once with code 7.
fn exit7(dir: &Path) -> PathBuf {
    Wat::new().write(
        dir,
        "exit7.wasm",
        1,
        r#"(func (export "_start") (call $proc_exit (i32.const 7)))"#,
    )
}

/// A root that spawns `name` `n` times (no limits; `n = 0`: forever),
/// waiting for each, then prints "spawned N".
fn spawner(dir: &Path, name: &str, n: u32) -> PathBuf {
    let mut w = Wat::new();
    let module = w.s(name);
    let done = w.say("spawned", "(local.get $i)");
    let body = format!(
        r#"(func (export "_start") (local $i i32)
             (drop (call $cfg_new (i32.const 64)))
             (loop $l
               (if (i32.eqz (call $spawn (i32.load (i32.const 64)) {module} (i32.const 68)))
                 (then (drop (call $wait (i32.load (i32.const 68)) (i32.const 0) (i32.const 80)))))
               (local.set $i (i32.add (local.get $i) (i32.const 1)))
               (br_if $l (i32.or (i32.eqz (i32.const {n})) (i32.lt_u (local.get $i) (i32.const {n})))))
             {done})"#
    );
    w.write(dir, "spawner.wasm", 1, &body)
}

#[test]
fn children_draw_their_fuel_from_the_run_budget() {
    let dir = scratch("limproc-fuel");
    let work = worker(&dir);
    let root = spawner(&dir, "work.wasm", 200);
    let go = |fuel: u64| {
        let args = cmdline(
            &["run", "--summary", "--fuel", &fuel.to_string()],
            &[("work.wasm", &work)],
            &root,
        );
        run_args(&args)
    };
    // Enough for all 200: every child exits, and the total is what they used.
    let o = go(5_000_000);
    assert_eq!(value(&stdout(&o), "spawned"), 200, "{}", stderr(&o));
    let rows = summary(&o);
    assert_eq!(rows.len(), 201, "{}", stderr(&o));
    let total: u64 = rows.iter().map(|r| r.1).sum();
    let per_child = rows[1].1;
    assert!(
        total <= 5_000_000 && total >= 200 * per_child,
        "total {total}"
    );
    // A third of that: the run stops out of fuel within the budget (before
    // issue 12 the children's fuel was not charged: 200 children ran).
    let budget = total / 3;
    let o = go(budget);
    assert_out_of_fuel(&o);
    let rows = summary(&o);
    let used: u64 = rows.iter().map(|r| r.1).sum();
    eprintln!(
        "200 children: {total} fuel in all under --fuel 5000000; under --fuel {budget}: \
         {used} used, {} processes",
        rows.len()
    );
    assert!(
        used <= budget,
        "the run used {used} fuel under --fuel {budget}"
    );
    assert!(rows.len() < 201, "{} processes ran", rows.len());
}

#[test]
fn a_root_spawning_forever_ends_out_of_fuel_within_its_budget() {
    let dir = scratch("limproc-forever");
    let work = worker(&dir);
    let root = spawner(&dir, "work.wasm", 0);
    let args = cmdline(
        &["run", "--summary", "--fuel", "2000000"],
        &[("work.wasm", &work)],
        &root,
    );
    let o = run_args(&args);
    assert_eq!(o.status.code(), Some(134), "{}", stderr(&o));
    let rows = summary(&o);
    let used: u64 = rows.iter().map(|r| r.1).sum();
    eprintln!(
        "spawning forever under --fuel 2000000: {used} fuel used, {} processes",
        rows.len()
    );
    assert!(
        used <= 2_000_000,
        "the run used {used} fuel under --fuel 2000000"
    );
    assert!(rows.len() > 10, "{} processes", rows.len());
    assert_eq!(rows[0].2, "out of fuel");
}

#[test]
fn an_explicit_child_budget_is_part_of_the_parents() {
    // A child given 300,000 of a 1,000,000 budget ends out of fuel at its
    // own limit; asking for more than the parent has left is ENOTCAPABLE.
    let dir = scratch("limproc-childfuel");
    let burn = Wat::new().write(
        &dir,
        "burn.wasm",
        1,
        r#"(func (export "_start") (loop $l (br $l)))"#,
    );
    let mut w = Wat::new();
    let module = w.s("burn.wasm");
    let wider = w.say(
        "wider",
        "(call $cfg_limit (i32.load (i32.const 64)) (i32.const 0) (i64.const 2000000))",
    );
    let set = w.say(
        "set",
        "(call $cfg_limit (i32.load (i32.const 64)) (i32.const 0) (i64.const 300000))",
    );
    let kind = w.say("kind", "(i32.load (i32.const 84))");
    let body = format!(
        r#"(func (export "_start")
             (drop (call $cfg_new (i32.const 64)))
             {wider} {set}
             (drop (call $spawn (i32.load (i32.const 64)) {module} (i32.const 68)))
             (drop (call $wait (i32.load (i32.const 68)) (i32.const 0) (i32.const 80)))
             {kind})"#
    );
    let root = w.write(&dir, "root.wasm", 1, &body);
    let args = cmdline(
        &["run", "--summary", "--fuel", "1000000"],
        &[("burn.wasm", &burn)],
        &root,
    );
    let o = run_args(&args);
    let out = stdout(&o);
    assert_eq!(value(&out, "wider"), 76);
    assert_eq!(value(&out, "set"), 0);
    assert_eq!(value(&out, "kind"), 3, "out of fuel");
    let rows = summary(&o);
    assert!(rows[1].1 <= 300_000, "{:?}", rows);
    let used: u64 = rows.iter().map(|r| r.1).sum();
    assert!(used <= 1_000_000);
}

#[test]
fn poll_oneoff_costs_fuel_per_subscription() {
    // 100,000 clock subscriptions that are all ready at once (zeroed memory:
    // realtime, relative 0), polled in a loop under 20,000,000 fuel.
    let dir = scratch("limproc-poll");
    let mut w = Wat::new();
    let polls = w.say("polls", "(local.get $i)");
    let body = format!(
        r#"(func (export "_start") (local $i i32)
             (loop $l
               (drop (call $poll (i32.const 65536) (i32.const 5000000) (i32.const 100000) (i32.const 120)))
               (local.set $i (i32.add (local.get $i) (i32.const 1)))
               {polls}
               (br $l)))"#
    );
    let root = w.write(&dir, "poll.wasm", 140, &body);
    let o = run_args(&cmdline(&["run", "--fuel", "20000000"], &[], &root));
    assert_out_of_fuel(&o);
    let n = value(&stdout(&o), "polls") as u64;
    eprintln!("polls of 100,000 subscriptions under --fuel 20000000: {n}");
    let rate = wasiproc_wasi::FUEL_PER_SUBSCRIPTION;
    assert!(
        n >= 1 && n * 100_000 * rate <= 20_000_000,
        "{n} polls of 100,000 subscriptions"
    );
}

/// Runs a guest that repeats `op` (on the 1 MiB at 65536) in a loop under
/// 1,000,000 fuel, printing "LABEL COUNT" on stderr after each; returns the
/// output and the last count.
fn loop_under_a_million_fuel(name: &str, op: &str, label: &str) -> (Output, u64) {
    let dir = scratch(name);
    let mut w = Wat::new();
    let say = w.s(&format!("{label} "));
    let body = format!(
        r#"(func (export "_start") (local $i i32)
             (loop $l
               {op}
               (local.set $i (i32.add (local.get $i) (i32.const 1)))
               (call $say (i32.const 2) {say} (i64.extend_i32_u (local.get $i)))
               (br $l)))"#
    );
    let root = w.write(&dir, &format!("{name}.wasm"), 18, &body);
    let o = run_args(&cmdline(&["run", "--fuel", "1000000"], &[], &root));
    let n = stderr(&o)
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix(&format!("{label} "))?.parse::<u64>().ok())
        .unwrap_or(0);
    eprintln!("{name}: {n} {label} of 1 MiB under --fuel 1000000");
    (o, n)
}

#[test]
fn large_writes_cost_fuel_per_byte() {
    // Writes of 1 MiB to stdout; the count goes to stderr.
    let (o, n) = loop_under_a_million_fuel(
        "limproc-write",
        r#"(i32.store (i32.const 32) (i32.const 65536))
           (i32.store (i32.const 36) (i32.const 1048576))
           (drop (call $fd_write (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 40)))"#,
        "writes",
    );
    assert_eq!(o.status.code(), Some(134));
    let per_write = wasiproc_wasi::bytes_fuel(1 << 20);
    assert!(n >= 1 && n * per_write <= 1_000_000, "{n} writes of 1 MiB");
    assert_eq!(o.stdout.len() as u64, n << 20);
}

#[test]
fn random_get_costs_fuel_per_64_bytes() {
    // 1 MiB of random bytes per call; the count goes to stderr.
    let (o, n) = loop_under_a_million_fuel(
        "limproc-random",
        "(drop (call $random_get (i32.const 65536) (i32.const 1048576)))",
        "calls",
    );
    assert_out_of_fuel(&o);
    let per_call = wasiproc_wasi::bytes_fuel(1 << 20);
    assert!(n >= 1 && n * per_call <= 1_000_000, "{n} calls of 1 MiB");
}

/// Counts the open descriptors of a process.
fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

/// A kB field of /proc/PID/status.
fn status_kib(pid: u32, field: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    s.lines()
        .find_map(|l| {
            l.strip_prefix(field)?
                .strip_prefix(':')?
                .trim()
                .strip_suffix("kB")?
                .trim()
                .parse()
                .ok()
        })
        .unwrap()
}

/// Runs a root that prints "ready 1" and "ready 2" and reads a byte of
/// stdin after each; `probe` is called with wasiproc's pid at both points.
/// Returns the output and the two probes.
fn with_checkpoints<T>(args: &[String], mut probe: impl FnMut(u32) -> T) -> (Output, T, T) {
    let mut child = spawn(args);
    let pid = child.id();
    let mut input = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    let mut wait_for = |tag: &str, seen: &mut String| loop {
        let mut line = String::new();
        if lines.read_line(&mut line).unwrap() == 0 {
            panic!("no `{tag}` line; output:\n{seen}");
        }
        seen.push_str(&line);
        if line.trim() == tag {
            return;
        }
    };
    wait_for("ready 1", &mut seen);
    let first = probe(pid);
    input.write_all(b"x").unwrap();
    input.flush().unwrap();
    wait_for("ready 2", &mut seen);
    let second = probe(pid);
    input.write_all(b"x").unwrap();
    drop(input);
    let mut rest = String::new();
    lines.read_to_string(&mut rest).unwrap();
    seen.push_str(&rest);
    let mut o = child.wait_with_output().unwrap();
    o.stdout = seen.into_bytes();
    no_panic(&o);
    (o, first, second)
}

/// Root code: prints "ready K" and reads one byte of stdin.
fn checkpoint(w: &mut Wat, k: i32) -> String {
    let ready = w.say("ready", &format!("(i32.const {k})"));
    format!(
        r#"{ready}
           (i32.store (i32.const 32) (i32.const 48)) (i32.store (i32.const 36) (i32.const 1))
           (drop (call $fd_read (i32.const 0) (i32.const 32) (i32.const 1) (i32.const 40)))"#
    )
}

#[test]
#[ignore = "25,000 processes: a few seconds in release; run with --ignored"]
fn host_descriptors_come_back_after_25000_children_that_each_open_a_file() {
    let dir = scratch("limproc-fds");
    let (_, grant) = data_grant(&dir, "/d");
    let mut w = Wat::new();
    let file = w.s("f.txt");
    let opener = w.write(
        &dir,
        "opener.wasm",
        1,
        &format!(
            r#"(func (export "_start")
                 (drop (call $path_open (i32.const 3) (i32.const 0) {file} (i32.const 1)
                   (i64.const 66) (i64.const 0) (i32.const 0) (i32.const 120))))"#
        ),
    );
    let mut w = Wat::new();
    let module = w.s("opener.wasm");
    let guest_dir = w.s("/d");
    let file = w.s("f.txt");
    let one = checkpoint(&mut w, 1);
    let two = checkpoint(&mut w, 2);
    let failed = w.say("failed", "(local.get $bad)");
    let last = w.say("final", &format!(
        "(call $path_open (i32.const 3) (i32.const 0) {file} (i32.const 1) (i64.const 66) (i64.const 0) (i32.const 0) (i32.const 120))"
    ));
    let body = format!(
        r#"(func (export "_start") (local $i i32) (local $bad i32)
             {one}
             (drop (call $cfg_new (i32.const 64)))
             (drop (call $cfg_dir (i32.load (i32.const 64)) (i32.const 3) {guest_dir} (i32.const 0)))
             (loop $l
               (if (i32.eqz (call $spawn (i32.load (i32.const 64)) {module} (i32.const 68)))
                 (then (drop (call $wait (i32.load (i32.const 68)) (i32.const 0) (i32.const 80))))
                 (else (local.set $bad (i32.add (local.get $bad) (i32.const 1)))))
               (local.set $i (i32.add (local.get $i) (i32.const 1)))
               (br_if $l (i32.lt_u (local.get $i) (i32.const 25000))))
             {failed}
             {two}
             {last})"#
    );
    let root = w.write(&dir, "root.wasm", 1, &body);
    let args = cmdline(
        &["run", "--dir", &grant],
        &[("opener.wasm", &opener)],
        &root,
    );
    let (o, before, after) = with_checkpoints(&args, open_fds);
    eprintln!("open descriptors of wasiproc: {before} before the children, {after} after");
    let out = stdout(&o);
    assert_eq!(value(&out, "failed"), 0, "{out}");
    assert_eq!(value(&out, "final"), 0, "{out}");
    assert_eq!(
        after, before,
        "open descriptors: {before} before the children, {after} after"
    );
}

#[test]
fn path_open_counts_against_the_descriptor_limit_and_the_subtree_quota() {
    let dir = scratch("limproc-fdlimit");
    let (_, grant) = data_grant(&dir, "/d");
    // Opens f0, f1, ... until an error (at most 50); prints how many.
    let mut w = Wat::new();
    let opened = w.say("opened", "(local.get $n)");
    let err = w.say("errno", "(local.get $e)");
    let opener = w.write(
        &dir,
        "opener.wasm",
        1,
        &format!(
            r#"(func (export "_start") (local $n i32) (local $e i32)
                 (block $done (loop $l
                   (i32.store8 (i32.const 200) (i32.const 102))
                   (i32.store8 (i32.const 201) (i32.add (i32.const 65) (local.get $n)))
                   (local.set $e (call $path_open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 2)
                     (i32.const 1) (i64.const 66) (i64.const 0) (i32.const 0) (i32.const 120)))
                   (br_if $done (local.get $e))
                   (local.set $n (i32.add (local.get $n) (i32.const 1)))
                   (br_if $l (i32.lt_u (local.get $n) (i32.const 50)))))
                 {opened} {err})"#
        ),
    );
    // Holds 4 descriptors (stdio and the directory) under a subtree quota
    // of 10 and starts the opener, which starts with 4 more.
    let mut w = Wat::new();
    let module = w.s("opener.wasm");
    let gd = w.s("/d");
    let status = w.say("grandchild_kind", "(i32.load (i32.const 84))");
    let middle = w.write(
        &dir,
        "middle.wasm",
        1,
        &format!(
            r#"(func (export "_start")
                 (drop (call $cfg_new (i32.const 64)))
                 (drop (call $cfg_dir (i32.load (i32.const 64)) (i32.const 3) {gd} (i32.const 0)))
                 (drop (call $spawn (i32.load (i32.const 64)) {module} (i32.const 68)))
                 (drop (call $wait (i32.load (i32.const 68)) (i32.const 0) (i32.const 80)))
                 {status})"#
        ),
    );
    let mut w = Wat::new();
    let op = w.s("opener.wasm");
    let mid = w.s("middle.wasm");
    let gd = w.s("/d");
    let a = w.say("a_kind", "(i32.load (i32.const 84))");
    let b = w.say("b_kind", "(i32.load (i32.const 84))");
    let c = w.say("c_kind", "(i32.load (i32.const 84))");
    let cv = w.say("c_value", "(i32.load (i32.const 88))");
    let run_child = |limit: u32, module: &str, allow_op: bool| {
        let allow = if allow_op {
            format!("(drop (call $cfg_allow (i32.load (i32.const 64)) {op}))")
        } else {
            String::new()
        };
        format!(
            r#"(drop (call $cfg_new (i32.const 64)))
               (drop (call $cfg_dir (i32.load (i32.const 64)) (i32.const 3) {gd} (i32.const 0)))
               {allow}
               (drop (call $cfg_limit (i32.load (i32.const 64)) (i32.const 3) (i64.const {limit})))
               (drop (call $spawn (i32.load (i32.const 64)) {module} (i32.const 68)))
               (drop (call $wait (i32.load (i32.const 68)) (i32.const 0) (i32.const 80)))"#
        )
    };
    let body = format!(
        "(func (export \"_start\") {} {a} {} {b} {} {c} {cv})",
        run_child(5, &op, false),
        run_child(10, &mid, true),
        run_child(2, &op, false),
    );
    let root = w.write(&dir, "root.wasm", 1, &body);
    let args = cmdline(
        &["run", "--dir", &grant],
        &[("opener.wasm", &opener), ("middle.wasm", &middle)],
        &root,
    );
    let o = run_args(&args);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    // Child A (limit 5, starts with 4): one open, then EMFILE.
    assert_eq!(lines[0], "opened 1", "{out}");
    assert_eq!(lines[1], "errno 33", "{out}");
    assert_eq!(value(&out, "a_kind"), 0);
    // The grandchild (4) under the middle's quota of 10 (4 held): 2 opens.
    assert_eq!(lines[3], "opened 2", "{out}");
    assert_eq!(lines[4], "errno 33", "{out}");
    assert_eq!(value(&out, "grandchild_kind"), 0);
    // A child whose starting descriptors exceed its limit never runs.
    assert_eq!(value(&out, "c_kind"), 4, "limit exceeded\n{out}");
    assert_eq!(value(&out, "c_value"), 2, "(fds)\n{out}");
    assert_eq!(out.matches("opened").count(), 2, "{out}");
}

/// Spawns `n` children that exit at once between two checkpoints; reaps
/// every other one if `reap`, else none.
fn zombie_root(dir: &Path, n: u32, reap: bool) -> PathBuf {
    let mut w = Wat::new();
    let module = w.s("exit7.wasm");
    let one = checkpoint(&mut w, 1);
    let two = checkpoint(&mut w, 2);
    let spawned = w.say("spawned", "(local.get $ok)");
    let body = format!(
        r#"(func (export "_start") (local $i i32) (local $ok i32)
             {one}
             (drop (call $cfg_new (i32.const 64)))
             (loop $l
               (if (i32.eqz (call $spawn (i32.load (i32.const 64)) {module} (i32.const 68)))
                 (then (local.set $ok (i32.add (local.get $ok) (i32.const 1)))))
               (if (i32.and (i32.const {reap}) (i32.and (local.get $i) (i32.const 1)))
                 (then (drop (call $wait (i32.load (i32.const 68)) (i32.const 0) (i32.const 80)))))
               (local.set $i (i32.add (local.get $i) (i32.const 1)))
               (br_if $l (i32.lt_u (local.get $i) (i32.const {n}))))
             {spawned}
             {two})"#,
        reap = reap as i32
    );
    w.write(dir, "zroot.wasm", 1, &body)
}

/// Bytes of host memory an ended process may keep while it is a zombie
/// (docs/abi.md, SECURITY.md, the issue's bound): its zombie entry, its
/// place among its parent's zombies and its line of the end-of-run
/// summary. Measured at 400,000: 106.
const ZOMBIE_BYTES: u64 = 128;
/// Bytes an ended process keeps once reaped: its summary line. Measured at
/// 400,000 (half reaped): 56.
const REAPED_BYTES: u64 = 64;

/// Runs `n` ended processes, all left zombies and then every other one
/// reaped, and checks the resident bytes each keeps against the stated
/// bounds (VmRSS between two checkpoints of the root).
fn ended_processes_within_their_bytes(dir_name: &str, n: u64) {
    let dir = scratch(dir_name);
    let e7 = exit7(&dir);
    for reap in [false, true] {
        let root = zombie_root(&dir, n as u32, reap);
        let args = cmdline(&["run"], &[("exit7.wasm", &e7)], &root);
        let (o, before, after) = with_checkpoints(&args, |pid| status_kib(pid, "VmRSS"));
        assert_eq!(value(&stdout(&o), "spawned"), n as i64, "{}", stderr(&o));
        let per = (after.saturating_sub(before)) * 1024 / n;
        eprintln!(
            "{n} ended, {} VmRSS {before} KiB -> {after} KiB: {per} bytes per ended process",
            if reap { "half reaped:" } else { "all zombies:" }
        );
        let stated = if reap {
            (ZOMBIE_BYTES + REAPED_BYTES) / 2
        } else {
            ZOMBIE_BYTES
        };
        assert!(
            per <= stated,
            "{per} bytes per ended process (stated: {stated})"
        );
    }
}

#[test]
#[ignore = "400,000 processes, twice: about twenty seconds in release; run with --ignored"]
fn four_hundred_thousand_ended_processes_stay_within_their_stated_bytes() {
    ended_processes_within_their_bytes("limproc-zombies", 400_000);
}

#[test]
fn ended_processes_keep_only_their_status() {
    // The same measure on 40,000 processes, in the normal test run.
    ended_processes_within_their_bytes("limproc-zombies-small", 40_000);
}

/// A child with a descendants limit of 100 that spawns 20,000 children in
/// batches: spawn until EAGAIN, kill the batch, and never reap it (the
/// zombies pile up: 20,000 at the end, which a spawn must not walk).
fn batcher(dir: &Path) -> PathBuf {
    let mut w = Wat::new();
    let module = w.s("sleeper.wasm");
    let total = w.say("total", "(local.get $total)");
    let full = w.say("full_batches", "(local.get $full)");
    let body = format!(
        r#"(func (export "_start") (local $k i32) (local $j i32) (local $total i32) (local $full i32)
             (drop (call $pipe (i32.const 72) (i32.const 76)))
             (drop (call $cfg_new (i32.const 64)))
             (drop (call $cfg_fd (i32.load (i32.const 64)) (i32.load (i32.const 72)) (i32.const 0)))
             (loop $batch
               (local.set $k (i32.const 0))
               (block $again (loop $one
                 (br_if $again (call $spawn (i32.load (i32.const 64)) {module} (i32.const 68)))
                 (i32.store (i32.add (i32.const 8192) (i32.shl (local.get $k) (i32.const 2)))
                   (i32.load (i32.const 68)))
                 (local.set $k (i32.add (local.get $k) (i32.const 1)))
                 (br_if $one (i32.lt_u (local.get $k) (i32.const 1000)))))
               (if (i32.eq (local.get $k) (i32.const 100))
                 (then (local.set $full (i32.add (local.get $full) (i32.const 1)))))
               (local.set $j (i32.const 0))
               (block $none (loop $reap
                 (br_if $none (i32.ge_u (local.get $j) (local.get $k)))
                 (drop (call $kill (i32.load (i32.add (i32.const 8192) (i32.shl (local.get $j) (i32.const 2))))))
                 (local.set $j (i32.add (local.get $j) (i32.const 1)))
                 (br $reap)))
               (local.set $total (i32.add (local.get $total) (local.get $k)))
               (br_if $batch (i32.and (i32.lt_u (local.get $total) (i32.const 20000))
                 (i32.ne (local.get $k) (i32.const 0)))))
             {total} {full})"#
    );
    w.write(dir, "batcher.wasm", 1, &body)
}

#[test]
fn twenty_thousand_spawns_under_a_descendants_limit() {
    let dir = scratch("limproc-desc");
    let sleeper = Wat::new().write(
        &dir,
        "sleeper.wasm",
        1,
        r#"(func (export "_start")
             (i32.store (i32.const 32) (i32.const 48)) (i32.store (i32.const 36) (i32.const 1))
             (drop (call $fd_read (i32.const 0) (i32.const 32) (i32.const 1) (i32.const 40))))"#,
    );
    let batch = batcher(&dir);
    let mut w = Wat::new();
    let module = w.s("batcher.wasm");
    let allow_s = w.s("sleeper.wasm");
    let kind = w.say("kind", "(i32.load (i32.const 84))");
    let body = format!(
        r#"(func (export "_start")
             (drop (call $cfg_new (i32.const 64)))
             (drop (call $cfg_allow (i32.load (i32.const 64)) {allow_s}))
             (drop (call $cfg_limit (i32.load (i32.const 64)) (i32.const 2) (i64.const 100)))
             (drop (call $spawn (i32.load (i32.const 64)) {module} (i32.const 68)))
             (drop (call $wait (i32.load (i32.const 68)) (i32.const 0) (i32.const 80)))
             {kind})"#
    );
    let root = w.write(&dir, "root.wasm", 1, &body);
    let args = cmdline(
        &["run"],
        &[("batcher.wasm", &batch), ("sleeper.wasm", &sleeper)],
        &root,
    );
    let t = std::time::Instant::now();
    let o = run_args(&args);
    // Reported, not asserted (timing is never asserted: the machine is shared).
    eprintln!("20,000 spawns under DESCENDANTS 100: {:?}", t.elapsed());
    let out = stdout(&o);
    assert_eq!(value(&out, "total"), 20_000, "{out}{}", stderr(&o));
    // Every batch stopped at exactly the limit.
    assert_eq!(value(&out, "full_batches"), 200, "{out}");
    assert_eq!(value(&out, "kind"), 0, "{out}");
}

/// Each process spawns itself until pid `depth + 1`, waits, and exits
/// with its child's code; the deepest exits 7. With `limit`, every child
/// gets a descendants limit (an accounting node per level).
fn chain(dir: &Path, depth: u32, limit: bool) -> PathBuf {
    let mut w = Wat::new();
    let module = w.s("chain.wasm");
    let lim = if limit {
        "(drop (call $cfg_limit (i32.load (i32.const 64)) (i32.const 2) (i64.const 1000000)))"
    } else {
        ""
    };
    let body = format!(
        r#"(func (export "_start")
             (drop (call $getpid (i32.const 68)))
             (if (i32.gt_u (i32.load (i32.const 68)) (i32.const {depth}))
               (then (call $proc_exit (i32.const 7))))
             (drop (call $cfg_new (i32.const 64)))
             (drop (call $cfg_allow (i32.load (i32.const 64)) {module}))
             {lim}
             (if (call $spawn (i32.load (i32.const 64)) {module} (i32.const 68))
               (then (call $proc_exit (i32.const 99))))
             (drop (call $wait (i32.load (i32.const 68)) (i32.const 0) (i32.const 80)))
             (call $proc_exit (i32.load (i32.const 88))))"#
    );
    let file = if limit {
        "chain-limited.wasm"
    } else {
        "chain.wasm"
    };
    w.write(dir, file, 1, &body)
}

#[test]
fn a_ten_thousand_deep_chain_runs_to_the_end() {
    let dir = scratch("limproc-chain");
    for limit in [false, true] {
        let c = chain(&dir, 10_000, limit);
        let args = cmdline(
            &["run", "--max-processes", "20000"],
            &[("chain.wasm", &c)],
            &c,
        );
        let t = std::time::Instant::now();
        let o = run_args(&args);
        eprintln!("10,000-deep chain, limit {limit}: {:?}", t.elapsed());
        assert_eq!(o.status.code(), Some(7), "limit {limit}: {}", stderr(&o));
    }
}

#[test]
fn wasi_process_calls_check_out_pointers_before_acting() {
    let dir = scratch("limproc-efault");
    let e7 = exit7(&dir);
    // Opens two pipes; prints the errno of the second.
    let mut w = Wat::new();
    let second = w.say("second_pipe", "(call $pipe (i32.const 72) (i32.const 76))");
    let piper = w.write(
        &dir,
        "piper.wasm",
        1,
        &format!(
            r#"(func (export "_start") (drop (call $pipe (i32.const 72) (i32.const 76))) {second})"#
        ),
    );
    let mut w = Wat::new();
    let bad = "(i32.const 0x7ffffff0)";
    let e7s = w.s("exit7.wasm");
    let pipers = w.s("piper.wasm");
    let lines = [
        w.say("cfg_new_efault", &format!("(call $cfg_new {bad})")),
        w.say("cfg_new", "(call $cfg_new (i32.const 64))"),
        w.say("cfg_handle", "(i32.load (i32.const 64))"),
        w.say("pipe_efault", &format!("(call $pipe {bad} (i32.const 76))")),
        w.say(
            "pipe_efault2",
            &format!("(call $pipe (i32.const 72) {bad})"),
        ),
        w.say("pipe", "(call $pipe (i32.const 72) (i32.const 76))"),
        w.say("pipe_read_fd", "(i32.load (i32.const 72))"),
        w.say("pipe_write_fd", "(i32.load (i32.const 76))"),
        w.say(
            "spawn_efault",
            &format!("(call $spawn (i32.load (i32.const 64)) {e7s} {bad})"),
        ),
        w.say(
            "wait_after_spawn_efault",
            "(call $wait (i32.const -1) (i32.const 1) (i32.const 80))",
        ),
        w.say(
            "spawn",
            &format!("(call $spawn (i32.load (i32.const 64)) {e7s} (i32.const 68))"),
        ),
        w.say(
            "wait_efault",
            &format!("(call $wait (i32.load (i32.const 68)) (i32.const 0) {bad})"),
        ),
        w.say(
            "wait",
            "(call $wait (i32.load (i32.const 68)) (i32.const 0) (i32.const 80))",
        ),
        w.say("status_kind", "(i32.load (i32.const 84))"),
        w.say("status_value", "(i32.load (i32.const 88))"),
        // A refused wider limit keeps the earlier one: FDS 5 for the piper
        // (3 stdio + one pipe), so its second pipe is EMFILE.
        w.say("cfg2", "(call $cfg_new (i32.const 64))"),
        w.say(
            "limit",
            "(call $cfg_limit (i32.load (i32.const 64)) (i32.const 3) (i64.const 5))",
        ),
        w.say(
            "limit_wider",
            "(call $cfg_limit (i32.load (i32.const 64)) (i32.const 3) (i64.const 5000))",
        ),
        format!("(drop (call $spawn (i32.load (i32.const 64)) {pipers} (i32.const 68)))"),
        "(drop (call $wait (i32.load (i32.const 68)) (i32.const 0) (i32.const 80)))".to_string(),
    ];
    let body = format!("(func (export \"_start\") {})", lines.join("\n"));
    let root = w.write(&dir, "root.wasm", 1, &body);
    let args = cmdline(
        &["run"],
        &[("exit7.wasm", &e7), ("piper.wasm", &piper)],
        &root,
    );
    let o = run_args(&args);
    let out = stdout(&o);
    let expect = [
        ("cfg_new_efault", 21),
        ("cfg_new", 0),
        ("cfg_handle", 1), // the refused call made no handle
        ("pipe_efault", 21),
        ("pipe_efault2", 21),
        ("pipe", 0),
        ("pipe_read_fd", 3), // the refused calls left no descriptor
        ("pipe_write_fd", 4),
        ("spawn_efault", 21),
        ("wait_after_spawn_efault", 12), // ECHILD: no child was started
        ("spawn", 0),
        ("wait_efault", 21),
        ("wait", 0), // the refused wait did not reap it
        ("status_kind", 0),
        ("status_value", 7),
        ("cfg2", 0),
        ("limit", 0),
        ("limit_wider", 76),
        ("second_pipe", 33),
    ];
    for (label, want) in expect {
        assert_eq!(value(&out, label), want, "{label}\n{out}");
    }
}

#[test]
fn opening_for_writing_under_a_read_only_grant_is_eperm_at_path_open() {
    let dir = scratch("limproc-ro");
    let (data, ro) = data_grant(&dir, "/ro");
    std::fs::write(data.join("f.txt"), b"keep").unwrap();
    // As wasi-libc does: the rights asked are intersected with the
    // directory's inheriting rights.
    let mut w = Wat::new();
    let file = w.s("f.txt");
    let libc = w.say(
        "libc_open",
        &format!(
            "(call $path_open (i32.const 3) (i32.const 0) {file} (i32.const 0)
               (i64.and (i64.const 66) (i64.load (i32.const 112))) (i64.const 0) (i32.const 0) (i32.const 120))"
        ),
    );
    let direct = w.say(
        "direct_open",
        &format!(
            "(call $path_open (i32.const 3) (i32.const 0) {file} (i32.const 0)
               (i64.const 66) (i64.const 0) (i32.const 0) (i32.const 120))"
        ),
    );
    let body = format!(
        r#"(func (export "_start")
             (drop (call $fd_fdstat_get (i32.const 3) (i32.const 96)))
             {libc} {direct})"#
    );
    let root = w.write(&dir, "ro.wasm", 1, &body);
    let o = run_args(&cmdline(&["run", "--dir-ro", &ro], &[], &root));
    let out = stdout(&o);
    assert_eq!(value(&out, "libc_open"), 63, "{out}");
    assert_eq!(value(&out, "direct_open"), 63, "{out}");
    assert_eq!(std::fs::read(data.join("f.txt")).unwrap(), b"keep");
}

#[test]
fn a_refused_spawn_gives_back_the_descriptors_granted_to_it() {
    // The root maps an open file into a configuration and makes 100 spawns
    // that fail (ENOEXEC: the module has no _start), then closes the file:
    // the host file is closed (before issue 12 each refused spawn kept a
    // reference, so the file stayed open on the host).
    let dir = scratch("limproc-refused");
    let (_, grant) = data_grant(&dir, "/d");
    let nostart = dir.join("nostart.wasm");
    std::fs::write(
        &nostart,
        wat::parse_str("(module (memory (export \"memory\") 1))").unwrap(),
    )
    .unwrap();
    let mut w = Wat::new();
    let module = w.s("nostart.wasm");
    let file = w.s("f.txt");
    let one = checkpoint(&mut w, 1);
    let two = checkpoint(&mut w, 2);
    let opened = w.say(
        "open",
        &format!(
            "(call $path_open (i32.const 3) (i32.const 0) {file} (i32.const 1) (i64.const 66) (i64.const 0) (i32.const 0) (i32.const 120))"
        ),
    );
    let refused = w.say("refused", "(local.get $e)");
    let body = format!(
        r#"(func (export "_start") (local $i i32) (local $e i32)
             {one}
             {opened}
             (drop (call $cfg_new (i32.const 64)))
             (drop (call $cfg_fd (i32.load (i32.const 64)) (i32.load (i32.const 120)) (i32.const 5)))
             (loop $l
               (local.set $e (call $spawn (i32.load (i32.const 64)) {module} (i32.const 68)))
               (local.set $i (i32.add (local.get $i) (i32.const 1)))
               (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))
             {refused}
             (drop (call $fd_close (i32.load (i32.const 120))))
             {two})"#
    );
    let root = w.write(&dir, "root.wasm", 1, &body);
    let args = cmdline(
        &["run", "--dir", &grant],
        &[("nostart.wasm", &nostart)],
        &root,
    );
    let (o, before, after) = with_checkpoints(&args, open_fds);
    let out = stdout(&o);
    assert_eq!(value(&out, "open"), 0, "{out}");
    assert_eq!(value(&out, "refused"), 45, "{out}");
    assert_eq!(
        after, before,
        "open descriptors: {before} before, {after} after"
    );
}

//! Load: one run with 10,000 processes exchanging data over pipes. The root
//! spawns the children `WAVE` at a time (all 10,000 at once: 10,001 live
//! processes, and the shared pipe fills, so children block on it). Each child
//! reads its input from its own stdin pipe and writes a 16-byte record
//! (index, hash, length, magic) to a pipe shared by all children, which the
//! root reads and checks against the hash it computes itself. Every byte is
//! accounted for.
//!
//! Memory: the exchange runs twice in one run. The root waits for a byte on
//! stdin before each round and again after reaping every child of it; while
//! it waits, the test reads the runtime's resident memory (Linux `/proc`).
//! The second round must fit in what the first released: neither the peak
//! nor the resident size after the round may grow.

mod common;
#[path = "common/watlib.rs"]
mod watlib;

use common::{scratch, stderr};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;
use watlib::{Guest, allow};

const CHILDREN: u32 = 10_000;
const WAVE: u32 = 10_000;
const BYTES: u32 = 1_000;
const MAGIC: u32 = 0x5a5a_1234;
/// The whole exchange runs this many times in one run (memory reuse check).
const ROUNDS: u32 = 2;

/// Shared by root and child: `$fill (idx)` writes a child's input at 8192,
/// `$hash (ptr, len)` hashes bytes (h = h * 31 + b).
const DATA_FUNCS: &str = r#"
  (func $fill (param $idx i32) (local $j i32)
    (i32.store (i32.const 8192) (local.get $idx))
    (local.set $j (i32.const 4))
    (loop $l
      (i32.store8 (i32.add (i32.const 8192) (local.get $j))
        (i32.add (i32.add (i32.mul (local.get $idx) (i32.const 131))
                          (i32.mul (local.get $j) (i32.const 7)))
                 (i32.shr_u (local.get $j) (i32.const 5))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $j) (i32.const BYTES)))))
  (func $hash (param $p i32) (param $n i32) (result i32) (local $h i32) (local $e i32)
    (local.set $e (i32.add (local.get $p) (local.get $n)))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $p) (local.get $e)))
      (local.set $h (i32.add (i32.mul (local.get $h) (i32.const 31)) (i32.load8_u (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $l)))
    (local.get $h))
"#;

fn expected_input(idx: u32) -> Vec<u8> {
    let mut v = idx.to_le_bytes().to_vec();
    for j in 4..BYTES {
        v.push((idx.wrapping_mul(131) + j * 7 + (j >> 5)) as u8);
    }
    v
}

fn hash(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(0u32, |h, &b| h.wrapping_mul(31).wrapping_add(b as u32))
}

#[test]
fn ten_thousand_processes_exchange_data_over_pipes_and_every_byte_is_accounted_for() {
    let dir = scratch("load");
    let funcs = DATA_FUNCS.replace("BYTES", &BYTES.to_string());

    // The child: reads stdin to the end (at 8192), writes one record.
    let g = Guest::new();
    let child_body = format!(
        r#"{funcs}
        (func (export "_start") (local $total i32) (local $n i32) (local $p i32)
          (block $eof (loop $l
            (i32.store (i32.const 100) (i32.add (i32.const 8192) (local.get $total)))
            (i32.store (i32.const 104) (i32.const 4096))
            (if (call $fd_read (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 108))
              (then (call $proc_exit (i32.const 3))))
            (local.set $n (i32.load (i32.const 108)))
            (br_if $eof (i32.eqz (local.get $n)))
            (local.set $total (i32.add (local.get $total) (local.get $n)))
            (br $l)))
          (i32.store (i32.const 6000) (i32.load (i32.const 8192)))
          (i32.store (i32.const 6004) (call $hash (i32.const 8192) (local.get $total)))
          (i32.store (i32.const 6008) (local.get $total))
          (i32.store (i32.const 6012) (i32.const {MAGIC}))
          ;; write the record, however many calls it takes
          (local.set $p (i32.const 6000))
          (loop $w
            (i32.store (i32.const 100) (local.get $p))
            (i32.store (i32.const 104) (i32.sub (i32.const 6016) (local.get $p)))
            (if (call $fd_write (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 108))
              (then (call $proc_exit (i32.const 4))))
            (local.set $p (i32.add (local.get $p) (i32.load (i32.const 108))))
            (br_if $w (i32.lt_u (local.get $p) (i32.const 6016)))))"#
    );
    let child = g.write(&dir, "child.wasm", 2, &child_body);

    // The root. Memory: 8192.. a child's input, 65536.. one byte per
    // child: seen, 131072.. the records of a wave (16 bytes each).
    let mut g = Guest::new();
    let name = g.s("child.wasm");
    let fail_spawn = g.put("spawn failed at ");
    let fail_write = g.put("write failed at ");
    let bad_rec = g.put("bad record at ");
    let result = g.put("records ");
    let bytes = g.put(" bytes ");
    let hsum = g.put(" hashsum ");
    let ready = g.put("ready");
    let done = g.put("done");
    let bad = g.put(" bad ");
    let body = format!(
        r#"{funcs}
        (global $sr (mut i32) (i32.const 0))
        (global $bad (mut i32) (i32.const 0))
        (global $round (mut i32) (i32.const 0))
        (global $records (mut i32) (i32.const 0))
        (global $bytes (mut i64) (i64.const 0))
        (global $hsum (mut i64) (i64.const 0))
        ;; Spawns child idx with its own input pipe; writes its input, closes.
        (func $start_child (param $cfg i32) (param $idx i32) (local $r i32) (local $w i32) (local $p i32) (local $pid i32)
          (drop (call $pipe (i32.const 72) (i32.const 76)))
          (local.set $r (i32.load (i32.const 72)))
          (local.set $w (i32.load (i32.const 76)))
          (drop (call $cfg_fd (local.get $cfg) (local.get $r) (i32.const 0)))
          (local.set $pid (call $spawn_cfg (local.get $cfg) {name}))
          (if (i32.lt_s (local.get $pid) (i32.const 0))
            (then {fail_spawn} (call $i32 (local.get $idx)) (call $flush) (call $proc_exit (i32.const 1))))
          (drop (call $fd_close (local.get $r)))
          (call $fill (local.get $idx))
          (local.set $p (i32.const 8192))
          (loop $l
            (i32.store (i32.const 100) (local.get $p))
            (i32.store (i32.const 104) (i32.sub (i32.const {end}) (local.get $p)))
            (if (call $fd_write (local.get $w) (i32.const 100) (i32.const 1) (i32.const 108))
              (then {fail_write} (call $i32 (local.get $idx)) (call $flush) (call $proc_exit (i32.const 1))))
            (local.set $p (i32.add (local.get $p) (i32.load (i32.const 108))))
            (br_if $l (i32.lt_u (local.get $p) (i32.const {end}))))
          (drop (call $fd_close (local.get $w))))
        ;; Reads n records into 131072.. and checks each.
        (func $collect (param $n i32) (local $got i32) (local $want i32) (local $rec i32) (local $idx i32) (local $h i32)
          (local.set $want (i32.mul (local.get $n) (i32.const 16)))
          (loop $l
            (i32.store (i32.const 100) (i32.add (i32.const 131072) (local.get $got)))
            (i32.store (i32.const 104) (i32.sub (local.get $want) (local.get $got)))
            (if (call $fd_read (global.get $sr) (i32.const 100) (i32.const 1) (i32.const 108))
              (then (call $proc_exit (i32.const 2))))
            (if (i32.eqz (i32.load (i32.const 108))) (then (call $proc_exit (i32.const 2))))
            (local.set $got (i32.add (local.get $got) (i32.load (i32.const 108))))
            (br_if $l (i32.lt_u (local.get $got) (local.get $want))))
          (local.set $rec (i32.const 131072))
          (loop $r
            (local.set $idx (i32.load (local.get $rec)))
            (local.set $h (i32.load offset=4 (local.get $rec)))
            (block $ok
              (block $fail
                (br_if $fail (i32.ge_u (local.get $idx) (i32.const {CHILDREN})))
                (br_if $fail (i32.load8_u (i32.add (i32.const 65536) (local.get $idx))))
                (br_if $fail (i32.ne (i32.load offset=8 (local.get $rec)) (i32.const {BYTES})))
                (br_if $fail (i32.ne (i32.load offset=12 (local.get $rec)) (i32.const {MAGIC})))
                (call $fill (local.get $idx))
                (br_if $fail (i32.ne (local.get $h) (call $hash (i32.const 8192) (i32.const {BYTES}))))
                (i32.store8 (i32.add (i32.const 65536) (local.get $idx)) (i32.const 1))
                (global.set $records (i32.add (global.get $records) (i32.const 1)))
                (global.set $bytes (i64.add (global.get $bytes) (i64.const {BYTES})))
                (global.set $hsum (i64.add (global.get $hsum) (i64.extend_i32_u (local.get $h))))
                (br $ok))
              {bad_rec} (call $i32 (local.get $idx)) (call $flush)
              (global.set $bad (i32.add (global.get $bad) (i32.const 1))))
            (local.set $rec (i32.add (local.get $rec) (i32.const 16)))
            (br_if $r (i32.lt_u (local.get $rec) (i32.add (i32.const 131072) (local.get $want))))))
        ;; Blocks until the test sends a byte on stdin.
        (func $gate
          (i32.store (i32.const 100) (i32.const 96))
          (i32.store (i32.const 104) (i32.const 1))
          (drop (call $fd_read (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 108))))
        (func (export "_start") (local $cfg i32) (local $wave i32) (local $k i32)
          {ready} (call $flush) (call $gate)
          (drop (call $pipe (i32.const 72) (i32.const 76)))
          (global.set $sr (i32.load (i32.const 72)))
          (local.set $cfg (call $new_cfg))
          (drop (call $cfg_fd (local.get $cfg) (i32.load (i32.const 76)) (i32.const 1)))
          (loop $rounds
          (local.set $wave (i32.const 0))
          (memory.fill (i32.const 65536) (i32.const 0) (i32.const {CHILDREN}))
          (loop $waves
            (local.set $k (i32.const 0))
            (loop $spawn
              (call $start_child (local.get $cfg) (i32.add (local.get $wave) (local.get $k)))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br_if $spawn (i32.lt_u (local.get $k) (i32.const {WAVE}))))
            (call $collect (i32.const {WAVE}))
            ;; reap the wave; any status but exited(0) is bad
            (local.set $k (i32.const 0))
            (loop $reap
              (drop (call $wait_pid (i32.const -1)))
              (if (i32.or (i32.load (i32.const 84)) (i32.wrap_i64 (i64.load (i32.const 88))))
                (then (call $say_status) (global.set $bad (i32.add (global.get $bad) (i32.const 1)))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br_if $reap (i32.lt_u (local.get $k) (i32.const {WAVE}))))
            (local.set $wave (i32.add (local.get $wave) (i32.const {WAVE})))
            (br_if $waves (i32.lt_u (local.get $wave) (i32.const {CHILDREN}))))
          {done} (call $flush) (call $gate)
          (global.set $round (i32.add (global.get $round) (i32.const 1)))
          (br_if $rounds (i32.lt_u (global.get $round) (i32.const {ROUNDS}))))
          {result} (call $i32 (global.get $records))
          {bytes} (call $int (global.get $bytes))
          {hsum} (call $int (global.get $hsum))
          {bad} (call $i32 (global.get $bad)) (call $flush))"#,
        end = 8192 + BYTES,
    );
    let root = g.write(&dir, "root.wasm", 5, &body);

    let mut args = vec!["run".to_string(), "--max-processes".into(), "10001".into()];
    args.extend(allow(&[("child.wasm", &child)]));
    args.push(root.display().to_string());
    let started = std::time::Instant::now();
    let mut cli = common::wasiproc()
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn wasiproc");
    let pid = cli.id();
    let mut gate = cli.stdin.take().expect("stdin");
    let mut lines = BufReader::new(cli.stdout.take().expect("stdout"));
    let mut line = String::new();
    lines.read_line(&mut line).unwrap();
    assert_eq!(line, "ready\n");
    let before = resident_kib(pid, "VmRSS");
    // Per round: start it, wait for "done", read resident memory (now and
    // peak so far) while the root waits with every child reaped.
    let mut rounds = Vec::new();
    for round in 0..ROUNDS {
        gate.write_all(b"x").unwrap();
        line.clear();
        lines.read_line(&mut line).unwrap();
        assert_eq!(
            line, "done\n",
            "round {round}: the root did not finish its children"
        );
        rounds.push((resident_kib(pid, "VmRSS"), resident_kib(pid, "VmHWM")));
    }
    drop(gate);
    let mut rest = String::new();
    lines.read_to_string(&mut rest).unwrap();
    let o = cli.wait_with_output().expect("wait wasiproc");
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(0), "{rest}\n{}", stderr(&o));
    let hsum: u64 = (0..CHILDREN).map(|i| hash(&expected_input(i)) as u64).sum();
    let n = (ROUNDS * CHILDREN) as u64;
    assert_eq!(
        rest,
        format!(
            "records {n} bytes {} hashsum {} bad 0\n",
            n * BYTES as u64,
            hsum * ROUNDS as u64
        )
    );
    eprintln!(
        "load: {ROUNDS} rounds of {CHILDREN} processes in waves of {WAVE} took {took:?}; \
         resident KiB before {before:?}, after each round (now, peak so far) {rounds:?}"
    );
    // Memory comes back when children are reaped: the second round runs in
    // what the first one released, so neither the peak nor the resident
    // size after the round grows (a leak of even 1 KiB per process would
    // add 10 MB). (What the allocator keeps for reuse stays resident.)
    if let [(Some(now1), Some(peak1)), (Some(now2), Some(peak2))] = rounds[..] {
        let slack = 10 * 1024;
        assert!(
            peak2 <= peak1 + slack,
            "peak grew from {peak1} KiB to {peak2} KiB in the second round"
        );
        assert!(
            now2 <= now1 + slack,
            "resident memory grew from {now1} KiB to {now2} KiB after the second round"
        );
    }
}

/// A `/proc/PID/status` memory field in KiB (`None` off Linux). Waits until
/// the process is idle on its stdin first, so the reading is stable.
fn resident_kib(pid: u32, field: &str) -> Option<u64> {
    std::thread::sleep(std::time::Duration::from_millis(200));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

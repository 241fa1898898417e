//! Drives the hostile children and prints how each ended, one line each
//! (`looper: out of fuel`, `looper killed: killed(by 1)`, ...).
//!
//! `hostile_parent.wasm [CASE]`, CASE one of `looper`, `looper_kill`,
//! `mem_bomb`, `fork_bomb`, `trapper`, `never_reads`, or `all` (default).
//! Exits 1 if any child ended otherwise than expected (and says so).
//! Needs `--allow-command` for each child module it runs.

use std::io::Write;
use wasiproc_guest::{Child, Command, Errno, ExitStatus, Limit, Stdio, getpid};

/// Counts the results that were not what docs/abi.md promises.
struct Report {
    unexpected: u32,
}

impl Report {
    fn check(&mut self, label: &str, got: std::io::Result<ExitStatus>, expected: ExitStatus) {
        match got {
            Ok(status) => {
                println!("{label}: {status}");
                if status != expected {
                    println!("hostile_parent: unexpected: {label}: expected {expected}");
                    self.unexpected += 1;
                }
            }
            Err(e) => {
                println!("{label}: error {e}");
                self.unexpected += 1;
            }
        }
    }
}

fn spawn(cmd: &mut Command) -> Child {
    cmd.spawn().unwrap_or_else(|e| {
        println!("hostile_parent: spawn failed: {e}");
        std::process::exit(1)
    })
}

/// Lets other processes run for a while: burns our own fuel (so the
/// scheduler's time slices pass deterministically), checking whether
/// `child` has ended meanwhile.
fn let_run(child: &mut Child, rounds: u32) {
    for _ in 0..rounds {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        let mut x = 0u64;
        for i in 0..100_000u64 {
            x = std::hint::black_box(x ^ i);
        }
    }
}

fn looper(r: &mut Report) {
    // A fuel budget ends an infinite loop.
    let mut child = spawn(Command::new("looper.wasm").fuel(1_000_000));
    r.check("looper", child.wait(), ExitStatus::OutOfFuel);
}

fn looper_kill(r: &mut Report) {
    // Without a budget, only a kill ends it.
    let mut child = spawn(&mut Command::new("looper.wasm"));
    let_run(&mut child, 10);
    if let Err(e) = child.kill() {
        println!("hostile_parent: kill failed: {e}");
    }
    r.check(
        "looper killed",
        child.wait(),
        ExitStatus::Killed { by: getpid() },
    );
}

fn mem_bomb(r: &mut Report) {
    let mut child = spawn(Command::new("mem_bomb.wasm").max_memory(32 << 20));
    r.check(
        "mem_bomb",
        child.wait(),
        ExitStatus::LimitExceeded(Limit::Memory),
    );
}

fn fork_bomb(r: &mut Report) {
    // It may spawn itself, but never more than 16 descendants at once.
    let mut child = spawn(
        Command::new("fork_bomb.wasm")
            .allow("fork_bomb.wasm")
            .max_descendants(16),
    );
    let_run(&mut child, 50);
    if let Err(e) = child.kill() {
        println!("hostile_parent: kill failed: {e}");
    }
    r.check(
        "fork_bomb killed",
        child.wait(),
        ExitStatus::Killed { by: getpid() },
    );
}

fn trapper(r: &mut Report) {
    for (mode, code) in [("unreachable", 1), ("oob", 2), ("panic", 1)] {
        let status = Command::new("trapper.wasm")
            .arg(mode)
            .stderr(Stdio::null())
            .status();
        r.check(
            &format!("trapper {mode}"),
            status,
            ExitStatus::Trapped { code },
        );
    }
}

fn never_reads(r: &mut Report) {
    // The child never reads; once the pipe is full our write blocks, until
    // the child runs out of fuel and the write fails with EPIPE.
    let mut child = spawn(
        Command::new("never_reads.wasm")
            .stdin(Stdio::piped())
            .fuel(5_000_000),
    );
    let mut stdin = child.stdin.take().unwrap();
    let buf = vec![0x55u8; 64 * 1024];
    let mut written = 0usize;
    let result = loop {
        match stdin.write(&buf) {
            Ok(n) => written += n,
            Err(e) => break e,
        }
        if written >= 16 << 20 {
            break std::io::Error::other("16 MiB written into a pipe nobody reads");
        }
    };
    println!("never_reads: write failed after {written} bytes: {result}");
    if Errno::of(&result) != Some(Errno::PIPE) {
        println!("hostile_parent: unexpected: never_reads: expected EPIPE");
        r.unexpected += 1;
    }
    r.check("never_reads", child.wait(), ExitStatus::OutOfFuel);
}

/// One case: runs a hostile child and records what happened.
type Case = fn(&mut Report);

fn main() {
    let case = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    let cases: [(&str, Case); 6] = [
        ("looper", looper),
        ("looper_kill", looper_kill),
        ("mem_bomb", mem_bomb),
        ("fork_bomb", fork_bomb),
        ("trapper", trapper),
        ("never_reads", never_reads),
    ];
    let mut report = Report { unexpected: 0 };
    let mut ran = false;
    for (name, run) in cases {
        if case == "all" || case == name {
            run(&mut report);
            ran = true;
        }
    }
    if !ran {
        eprintln!("hostile_parent: unknown case {case:?}");
        std::process::exit(2);
    }
    if report.unexpected > 0 {
        println!("hostile_parent: {} unexpected results", report.unexpected);
        std::process::exit(1);
    }
}

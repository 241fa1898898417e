//! A lost update through a shared file (an example bug for `wasiproc
//! explore`). The parent writes `0` to /data/counter and spawns two workers
//! that each read the counter, add one and write it back, without a lock;
//! then it waits for both and checks that the counter is 2.
//!
//! Under the default FIFO schedule each worker does its read-modify-write
//! within one slice and the counter is 2. A schedule that preempts a worker
//! between its read and its write and runs the other worker's whole update
//! there loses one: the parent prints `lost update: counter is 1, expected
//! 2` and exits 1.
//!
//! `race_lost_update.wasm locked` is the bug-free control: the workers take
//! a lock around the update (a pipe holding one token byte: reading it
//! acquires, writing it back releases), and the counter is 2 under every
//! schedule.
//!
//! Run: `wasiproc run --dir DIR::/data --allow-command
//! race_lost_update.wasm=examples/bin/race_lost_update.wasm
//! examples/bin/race_lost_update.wasm [locked]`.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use wasiproc_guest::{Command, pipe};

const COUNTER: &str = "/data/counter";
const WORKERS: u64 = 2;
/// Descriptors of the lock pipe's ends in a worker.
const LOCK_READ: i32 = 10;
const LOCK_WRITE: i32 = 11;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let locked = args.iter().any(|a| a == "locked");
    if args.get(1).map(String::as_str) == Some("worker") {
        worker(locked);
        return;
    }
    std::fs::write(COUNTER, "0").expect("write /data/counter");
    let (lock_r, mut lock_w) = pipe().expect("pipe");
    lock_w.write_all(b"t").expect("put the lock's token");
    let mut children = Vec::new();
    for _ in 0..WORKERS {
        let mut cmd = Command::new("race_lost_update.wasm");
        cmd.arg("worker").dir("/data", "/data", false);
        if locked {
            cmd.arg("locked")
                .fd(lock_r.as_raw_fd(), LOCK_READ)
                .fd(lock_w.as_raw_fd(), LOCK_WRITE);
        }
        children.push(cmd.spawn().expect("spawn a worker"));
    }
    for mut c in children {
        let status = c.wait().expect("wait");
        if !status.success() {
            println!("a worker failed: {status}");
            std::process::exit(2);
        }
    }
    let value: u64 = std::fs::read_to_string(COUNTER)
        .expect("read /data/counter")
        .trim()
        .parse()
        .expect("a number in /data/counter");
    if value == WORKERS {
        println!("counter is {value}");
    } else {
        println!("lost update: counter is {value}, expected {WORKERS}");
        std::process::exit(1);
    }
}

/// Adds one to the counter (under the lock when `locked`).
fn worker(locked: bool) {
    // SAFETY: the parent passed the lock pipe's ends at these numbers; each
    // is owned by this File alone.
    let lock = locked.then(|| unsafe {
        (
            File::from_raw_fd(LOCK_READ),
            File::from_raw_fd(LOCK_WRITE),
        )
    });
    if let Some((mut r, _)) = lock.as_ref().map(|(r, w)| (r, w)) {
        let mut token = [0u8; 1];
        r.read_exact(&mut token).expect("take the lock");
    }
    let text = std::fs::read_to_string(COUNTER).expect("read the counter");
    let value: u64 = text.trim().parse().expect("a number");
    std::fs::write(COUNTER, (value + 1).to_string()).expect("write the counter");
    if let Some((_, mut w)) = lock.as_ref().map(|(r, w)| (r, w)) {
        w.write_all(b"t").expect("give the lock back");
    }
}

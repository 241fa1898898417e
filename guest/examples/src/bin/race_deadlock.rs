//! A deadlock that needs one interleaving (an example bug for `wasiproc
//! explore`). Two locks are pipes holding one token byte each (reading the
//! byte acquires, writing it back releases). Worker `a` takes lock 1 then
//! lock 2, worker `b` takes lock 2 then lock 1; the parent waits for both.
//!
//! Both workers start together: each tells the parent it is ready (a byte
//! on a "ready" pipe) and waits until the parent, having heard from both,
//! writes two bytes to a "go" pipe. Under the default FIFO schedule worker `a` then takes and
//! gives back both locks within one slice, before `b` goes on. A schedule
//! that preempts `a` between its two acquisitions (it prepares some work
//! there, about 800 fuel) and lets `b` take lock 2 leaves every
//! process blocked: the run ends with `deadlock: every process is blocked`
//! (exit 1 from `wasiproc run`).
//!
//! Run: `wasiproc run --allow-command race_deadlock.wasm=examples/bin/race_deadlock.wasm
//! examples/bin/race_deadlock.wasm`.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use wasiproc_guest::{Command, pipe};

/// A worker's descriptors: lock 1's read and write ends, lock 2's, the
/// read end of the "go" pipe and the write end of the "ready" pipe.
const FDS: [i32; 6] = [10, 11, 12, 13, 14, 15];

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("a") => return worker(0, 1),
        Some("b") => return worker(1, 0),
        _ => {}
    }
    let (r1, mut w1) = pipe().expect("pipe");
    let (r2, mut w2) = pipe().expect("pipe");
    let (go_r, mut go_w) = pipe().expect("pipe");
    let (mut ready_r, ready_w) = pipe().expect("pipe");
    w1.write_all(b"1").expect("token 1");
    w2.write_all(b"2").expect("token 2");
    let ends = [
        r1.as_raw_fd(),
        w1.as_raw_fd(),
        r2.as_raw_fd(),
        w2.as_raw_fd(),
        go_r.as_raw_fd(),
        ready_w.as_raw_fd(),
    ];
    let mut children = Vec::new();
    for role in ["a", "b"] {
        let mut cmd = Command::new("race_deadlock.wasm");
        cmd.arg(role);
        for (parent_fd, child_fd) in ends.iter().zip(FDS) {
            cmd.fd(*parent_fd, child_fd);
        }
        children.push(cmd.spawn().expect("spawn a worker"));
    }
    let mut ready = [0u8; 2];
    ready_r.read_exact(&mut ready).expect("hear from both workers");
    go_w.write_all(b"go").expect("start the workers");
    for mut c in children {
        c.wait().expect("wait");
    }
    println!("both workers done");
}

/// Takes lock `first`, then lock `second`, then gives both back.
fn worker(first: usize, second: usize) {
    // SAFETY: the parent passed the locks' ends at these numbers; each is
    // owned by its File alone.
    let mut locks: Vec<(File, File)> = (0..2)
        .map(|i| unsafe {
            (
                File::from_raw_fd(FDS[2 * i]),
                File::from_raw_fd(FDS[2 * i + 1]),
            )
        })
        .collect();
    // SAFETY: as above, for the "go" pipe.
    let (mut go, mut ready) = unsafe { (File::from_raw_fd(FDS[4]), File::from_raw_fd(FDS[5])) };
    ready.write_all(b"r").expect("say ready");
    let mut token = [0u8; 1];
    go.read_exact(&mut token).expect("wait for the start");
    locks[first].0.read_exact(&mut token).expect("take the first lock");
    let t1 = token;
    std::hint::black_box(examples_common::busy(100));
    locks[second].0.read_exact(&mut token).expect("take the second lock");
    locks[second].1.write_all(&token).expect("give the second lock back");
    locks[first].1.write_all(&t1).expect("give the first lock back");
}

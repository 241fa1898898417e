//! An atomicity violation across pipe messages (an example bug for
//! `wasiproc explore`). Two writers share one pipe to the parent; each
//! sends 4 messages `ID:ID\n`, each message in two writes (`ID:` and
//! `ID\n`), assuming nothing comes between its two halves. The parent reads
//! the pipe to its end and checks every line.
//!
//! Under the default FIFO schedule each writer sends all its messages within
//! one slice. A schedule that preempts a writer between the two halves of a
//! message and lets the other write there garbles a line: the parent prints
//! `atomicity violation: line "a:b:b"` and exits 1.
//!
//! Run: `wasiproc run --allow-command race_atomicity.wasm=examples/bin/race_atomicity.wasm
//! examples/bin/race_atomicity.wasm`.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use wasiproc_guest::{Command, pipe};

/// The shared pipe's write end in a writer.
const OUT: i32 = 10;
const MESSAGES: usize = 4;

fn main() {
    if let Some(id) = std::env::args().nth(2).filter(|_| {
        std::env::args().nth(1).as_deref() == Some("writer")
    }) {
        // SAFETY: the parent passed the pipe's write end at OUT; this File
        // alone owns it.
        let mut out = unsafe { File::from_raw_fd(OUT) };
        for _ in 0..MESSAGES {
            out.write_all(format!("{id}:").as_bytes()).expect("write");
            out.write_all(format!("{id}\n").as_bytes()).expect("write");
        }
        return;
    }
    let (mut r, w) = pipe().expect("pipe");
    let mut children = Vec::new();
    for id in ["a", "b"] {
        children.push(
            Command::new("race_atomicity.wasm")
                .args(["writer", id])
                .fd(w.as_raw_fd(), OUT)
                .spawn()
                .expect("spawn a writer"),
        );
    }
    drop(w);
    let mut text = String::new();
    r.read_to_string(&mut text).expect("read the pipe");
    for mut c in children {
        c.wait().expect("wait");
    }
    for line in text.lines() {
        let ok = matches!(line.split_once(':'), Some((a, b)) if a == b && !a.contains(':'));
        if !ok {
            println!("atomicity violation: line {line:?}");
            std::process::exit(1);
        }
    }
    println!("{} messages intact", text.lines().count());
}

//! A forking TCP server: accepts N connections (argument, default 100) on
//! the listener granted as descriptor 3 (`wasiproc run --tcplisten
//! HOST:PORT`) and hands each one to a `net_worker.wasm` child, which reads
//! one request line and answers it. The parent closes its own handle of
//! each connection once the child holds it, reaps workers as they end and,
//! after the N-th connection, waits for the rest.
//!
//! With `probe` as second argument it first spawns `net_worker.wasm probe`
//! without passing it any socket (the child reports the errors of every
//! socket call) and checks its own stdout is not a socket.
//!
//! With `listener` as second argument it instead passes the listener itself
//! to one `net_worker.wasm accept N` child, which accepts and serves the N
//! connections on its own, and reports how that child ended.
//!
//! Prints one line per connection (`conn I: worker pid P`), then
//! `net_server: N connections, all workers succeeded` (exit 0) or the
//! number that failed (exit 1).

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::os::fd::{AsRawFd, FromRawFd};
use wasiproc_guest::{Command, Errno, ExitStatus, try_wait_any, wait_any};

fn main() {
    let n = examples_common::arg_or(1, 100);
    let probe = std::env::args().nth(2).as_deref() == Some("probe");
    if probe {
        let status = Command::new("net_worker.wasm")
            .arg("probe")
            .status()
            .expect("net_server: spawn the probe");
        println!("net_server: probe {status}");
    }
    // SAFETY: descriptor 3 is the granted listener (docs/wasi.md), owned
    // by nothing else in this program.
    let listener = unsafe { TcpListener::from_raw_fd(3) };
    if std::env::args().nth(2).as_deref() == Some("listener") {
        let status = Command::new("net_worker.wasm")
            .args(["accept", &n.to_string()])
            .fd(listener.as_raw_fd(), 3)
            .status()
            .expect("net_server: spawn the accepting worker");
        println!("net_server: the worker given the listener {status}");
        std::process::exit(if status.success() { 0 } else { 1 });
    }
    let mut running: BTreeMap<u32, u64> = BTreeMap::new();
    let mut failed = 0u64;
    let mut reap = |pid: u32, status: ExitStatus, running: &mut BTreeMap<u32, u64>| {
        let i = running.remove(&pid).expect("a worker we spawned");
        if !status.success() {
            println!("net_server: worker for conn {i} (pid {pid}) ended with {status}");
            failed += 1;
        }
    };
    for i in 0..n {
        let (conn, _) = match listener.accept() {
            Ok(c) => c,
            Err(e) => {
                eprintln!("net_server: accept: {e}");
                std::process::exit(1);
            }
        };
        let pid = loop {
            match Command::new("net_worker.wasm")
                .arg(i.to_string())
                .fd(conn.as_raw_fd(), 3)
                .spawn()
            {
                Ok(child) => break child.id(),
                // A process limit is reached: reap a worker and retry.
                Err(e) if Errno::of(&e) == Some(Errno::AGAIN) && !running.is_empty() => {
                    let (pid, status) = wait_any().expect("net_server: wait");
                    reap(pid, status, &mut running);
                }
                Err(e) => {
                    eprintln!("net_server: cannot spawn a worker for conn {i}: {e}");
                    std::process::exit(1);
                }
            }
        };
        // The worker holds the connection now; the parent lets go of it.
        drop(conn);
        running.insert(pid, i);
        println!("conn {i}: worker pid {pid}");
        while let Ok(Some((pid, status))) = try_wait_any() {
            reap(pid, status, &mut running);
        }
    }
    while !running.is_empty() {
        let (pid, status) = wait_any().expect("net_server: wait");
        reap(pid, status, &mut running);
    }
    if failed == 0 {
        println!("net_server: {n} connections, all workers succeeded");
    } else {
        println!("net_server: {n} connections, {failed} workers failed");
        std::process::exit(1);
    }
}

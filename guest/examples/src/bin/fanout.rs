//! Spawns N workers (argument, default 1000), `fanout_worker.wasm I` for I
//! in 0..N, reaps them in whatever order they end (`wait_any`) and checks
//! that worker I exited with `(I * 7) % 126`.
//!
//! Prints `fanout: N workers, all exit codes correct` (exit 0), or one line
//! per wrong worker and a count (exit 1).

use std::collections::BTreeMap;
use wasiproc_guest::{Command, Errno, ExitStatus, wait_any};

fn main() {
    let n = examples_common::arg_or(1, 1000);
    // pid -> worker index, for the workers not yet reaped.
    let mut running: BTreeMap<u32, u64> = BTreeMap::new();
    let mut wrong = 0u64;
    let mut check = |pid: u32, status: ExitStatus, running: &mut BTreeMap<u32, u64>| {
        let i = running
            .remove(&pid)
            .expect("wait_any returned a pid we did not spawn");
        let expected = ExitStatus::Exited(((i * 7) % 126) as i32);
        if status != expected {
            println!("fanout: worker {i} (pid {pid}): expected {expected}, got {status}");
            wrong += 1;
        }
    };

    for i in 0..n {
        loop {
            match Command::new("fanout_worker.wasm")
                .arg(i.to_string())
                .spawn()
            {
                Ok(child) => {
                    running.insert(child.id(), i);
                    break;
                }
                // EAGAIN: a process limit is reached; reap a worker, retry.
                Err(e) if Errno::of(&e) == Some(Errno::AGAIN) && !running.is_empty() => {
                    let (pid, status) = wait_any().expect("fanout: wait_any");
                    check(pid, status, &mut running);
                }
                Err(e) => {
                    eprintln!("fanout: cannot spawn worker {i}: {e}");
                    std::process::exit(1);
                }
            }
        }
    }
    while !running.is_empty() {
        let (pid, status) = wait_any().expect("fanout: wait_any");
        check(pid, status, &mut running);
    }

    if wrong == 0 {
        println!("fanout: {n} workers, all exit codes correct");
    } else {
        println!("fanout: {n} workers, {wrong} exit codes wrong");
        std::process::exit(1);
    }
}

//! Hostile child: spawns copies of itself forever (each allowed to spawn
//! `fork_bomb.wasm` in turn). When a process limit refuses a spawn
//! (`EAGAIN`), it reaps whatever child has ended and tries again. It never
//! ends by itself: a descendant limit contains it, a kill ends it.
//!
//! Must itself be allowed to spawn `fork_bomb.wasm`.

use wasiproc_guest::{Command, Errno, try_wait_any};

fn main() {
    loop {
        match Command::new("fork_bomb.wasm")
            .allow("fork_bomb.wasm")
            .spawn()
        {
            Ok(_child) => {} // dropped: it runs on
            Err(e) if Errno::of(&e) == Some(Errno::AGAIN) => {
                // Full: reap an ended child if there is one, and keep trying.
                let _ = try_wait_any();
            }
            Err(e) => {
                eprintln!("fork_bomb: spawn failed: {e}");
                std::process::exit(1);
            }
        }
    }
}

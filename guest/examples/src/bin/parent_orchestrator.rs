//! The seed example's parent, written with `wasiproc_guest`: spawns
//! `child_worker.wasm 10 25`, waits for it and reports its exit code.
//!
//! Run it with the child allowed:
//! `wasiproc run --mapdir /::examples/bin --allow-command child_worker.wasm examples/bin/parent_orchestrator.wasm`

use wasiproc_guest::Command;

fn main() {
    println!("Parent: Orchestrator starting...");

    // argv[0] is the module name, as in the article: ["child_worker.wasm", "10", "25"].
    // No environment, directories or spawn permission are passed; stdio is inherited.
    let mut child = match Command::new("child_worker.wasm").args(["10", "25"]).spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("Parent: Failed to spawn child process: {e}");
            std::process::exit(1);
        }
    };
    println!("Parent: Child spawned with handle: {}", child.id());

    match child.wait() {
        Ok(status) => match status.code() {
            Some(code) => println!("Parent: Child process finished with exit code: {code}"),
            None => {
                // Killed, trapped or over a limit: there is no exit code.
                println!("Parent: Child process ended without exiting: {status}");
                std::process::exit(1);
            }
        },
        Err(e) => {
            eprintln!("Parent: Error waiting for child process: {e}");
            std::process::exit(1);
        }
    }
    std::process::exit(0);
}

//! A child that streams: `echo_upper.wasm` spawns `echo_upper.wasm child`
//! with its own stdin and stdout; the child reads lines and writes each one
//! upper-cased as soon as it has it, until end of input; the parent waits
//! and reports. An embedder feeds the input and reads the output while the
//! run goes on (docs/embedding.md, `Running::step`).

use std::io::{BufRead, Write};
use wasiproc_guest::Command;

fn main() {
    if std::env::args().nth(1).as_deref() == Some("child") {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let mut lines = 0u32;
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { std::process::exit(1) };
            if writeln!(out, "{}", line.to_uppercase()).and_then(|()| out.flush()).is_err() {
                std::process::exit(1);
            }
            lines += 1;
        }
        eprintln!("child: {lines} lines");
        std::process::exit(0);
    }
    let mut child = Command::new("echo_upper.wasm")
        .arg("child")
        .spawn()
        .unwrap_or_else(|e| {
            eprintln!("echo_upper: cannot spawn the child: {e}");
            std::process::exit(1)
        });
    let status = child.wait().unwrap_or_else(|e| {
        eprintln!("echo_upper: cannot wait for the child: {e}");
        std::process::exit(1)
    });
    println!("parent: child ended: {status}");
    std::process::exit(status.code().unwrap_or(1));
}

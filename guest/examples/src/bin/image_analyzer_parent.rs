//! Runs `image_analyzer.wasm` with exactly two grants of its own: `/input`
//! read-only and `/output` read-write (this program must have been granted
//! both by the CLI), and prints how the analyzer ended.
//!
//! The analyzer gets no other directory, no environment and no permission
//! to spawn; it reports each thing it tried and was refused.

use wasiproc_guest::Command;

fn main() {
    let status = Command::new("image_analyzer.wasm")
        .dir("/input", "/input", true)
        .dir("/output", "/output", false)
        .status();
    match status {
        Ok(status) => {
            println!("image_analyzer_parent: analyzer {status}");
            std::process::exit(if status.success() { 0 } else { 1 });
        }
        Err(e) => {
            eprintln!("image_analyzer_parent: cannot run image_analyzer.wasm: {e}");
            std::process::exit(1);
        }
    }
}

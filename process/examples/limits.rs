//! Runs stopped by limits, and their statuses inspected: a loop that never
//! ends runs out of fuel; a program that allocates forever is held under a
//! memory limit (`cargo run --release -p wasiproc-process --example limits`).

mod common;

use wasiproc_process::{ExitStatus, Output, Run};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let report = Run::new("looper.wasm", common::wasm("looper.wasm"))
        .fuel(5_000_000)
        .execute()?;
    println!(
        "looper.wasm: {} after {} fuel (exit code {})",
        report.status,
        report.fuel,
        report.exit_code()
    );
    assert_eq!(report.status, ExitStatus::OutOfFuel);

    let report = Run::new("mem_bomb.wasm", common::wasm("mem_bomb.wasm"))
        .max_memory(16 << 20)
        .stderr(Output::Null)
        .execute()?;
    let root = &report.processes[0];
    println!(
        "mem_bomb.wasm: {} with {} bytes of memory at its peak (limit {})",
        report.status,
        root.peak_memory,
        16 << 20
    );
    if let Some(trap) = &report.trap {
        println!("  its trap: {}", trap.kind());
    }
    assert!(root.peak_memory <= 16 << 20);
    assert!(!matches!(report.status, ExitStatus::Exited(0)));
    Ok(())
}

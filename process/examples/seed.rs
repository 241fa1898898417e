//! The seed's example from Rust: `parent_orchestrator.wasm` spawns
//! `child_worker.wasm 10 25` and waits for it, with both processes' output
//! captured (`cargo run --release -p wasiproc-process --example seed`).

mod common;

use wasiproc_process::{ExitStatus, Output, Run};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut run = Run::new(
        "parent_orchestrator.wasm",
        common::wasm("parent_orchestrator.wasm"),
    );
    run.allow_command("child_worker.wasm", common::wasm("child_worker.wasm"))
        .stdout(Output::capture())
        .stderr(Output::capture());
    let report = run.execute()?;

    let stdout = String::from_utf8(report.stdout.clone().unwrap_or_default())?;
    print!("{stdout}");
    for p in &report.processes {
        println!(
            "pid {} ({}): {}, {} fuel",
            p.pid, p.module, p.status, p.fuel
        );
    }
    assert_eq!(report.status, ExitStatus::Exited(0));
    assert!(stdout.contains("Parent: Child process finished with exit code: 0"));
    Ok(())
}

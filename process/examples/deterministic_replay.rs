//! A deterministic run recorded into a `Vec<u8>`, then replayed from it:
//! the replay reproduces the outputs, statuses and fuel without touching
//! the host (`cargo run --release -p wasiproc-process --example
//! deterministic_replay`).

mod common;

use wasiproc_process::{Output, Replay, Run, SharedBuffer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let trace = SharedBuffer::new();
    let mut run = Run::new(
        "parent_orchestrator.wasm",
        common::wasm("parent_orchestrator.wasm"),
    );
    run.allow_command("child_worker.wasm", common::wasm("child_worker.wasm"))
        .deterministic(42)
        .stdout(Output::capture())
        .record(trace.clone());
    let recorded = run.execute()?;
    let bytes: Vec<u8> = trace.take();
    println!(
        "recorded: {}, {} fuel, {} processes, trace of {} bytes",
        recorded.status,
        recorded.fuel,
        recorded.processes.len(),
        bytes.len()
    );

    let mut replay = Replay::from_bytes(&bytes)?;
    replay.stdout(Output::capture());
    let replayed = replay.execute()?;
    let report = replayed.report.as_ref().expect("the root ended");
    println!(
        "replayed: {}, {} fuel, {} host calls answered from the trace",
        report.status, report.fuel, replayed.calls
    );
    assert!(
        replayed.differences().is_empty(),
        "{:?}",
        replayed.differences()
    );
    assert_eq!(report.stdout, recorded.stdout);
    assert_eq!(report.processes, recorded.processes);
    assert_eq!(report.fuel, recorded.fuel);
    println!(
        "identical: stdout ({} bytes), statuses, fuel",
        replayed.stdout.len
    );
    Ok(())
}

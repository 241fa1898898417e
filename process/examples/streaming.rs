//! A host event loop that drives a run step by step: it feeds the root's
//! stdin through a pipe and reads a child's stdout as a stream while the
//! run goes on, doing its own work between steps
//! (`cargo run --release -p wasiproc-process --example streaming`).

mod common;

use wasiproc_process::{HostPipe, Output, Progress, Run, Stdin};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let input = HostPipe::new(4096);
    let output = HostPipe::new(4096);
    let mut run = Run::new("echo_upper.wasm", common::wasm("echo_upper.wasm"));
    run.allow_command("echo_upper.wasm", common::wasm("echo_upper.wasm"))
        .stdin(Stdin::Pipe(input.clone()))
        .stdout(Output::Pipe(output.clone()));
    let mut running = run.start()?;

    let mut to_send = ["hello", "streaming", "world"].into_iter();
    let mut received = String::new();
    let mut steps = 0;
    let report = loop {
        steps += 1;
        let progress = running.step(10_000)?;
        // The host's own work between steps: read what the child wrote.
        let chunk = output.read_available();
        if !chunk.is_empty() {
            let text = String::from_utf8_lossy(&chunk);
            print!("step {steps}: got {text}");
            received.push_str(&text);
        }
        match progress {
            Progress::Finished(report) => break report,
            Progress::Paused => {}
            // Everyone waits for input: send the next line, or end it.
            Progress::Stalled => match to_send.next() {
                Some(line) => {
                    println!("step {steps}: send {line:?}");
                    input.write(format!("{line}\n").as_bytes());
                }
                None => input.close(),
            },
        }
    };
    received.push_str(&String::from_utf8_lossy(&output.read_available()));
    println!("{}: {} fuel, {steps} steps", report.status, report.fuel);
    assert_eq!(report.exit_code(), 0);
    assert!(
        received.starts_with("HELLO\nSTREAMING\nWORLD\n"),
        "{received}"
    );
    Ok(())
}

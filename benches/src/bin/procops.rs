//! Runs one process-layer scenario of the `process` bench once, for
//! instruction counts under callgrind (see benches/README.md): the
//! difference between two runs with counts N and 2N, divided by N, is the
//! cost of one operation without the run's fixed cost.
//!
//!     valgrind --tool=callgrind target/release/procops spawn_wait_tiny 1000

use clap::Parser;
use std::process::ExitCode;
use wasiproc_benches::process_run::{
    self, CHILD, EMPTY_MEM1_WAT, EMPTY_WAT, READER, WRITER, WRITES_MEM1_WAT, wasm,
};

#[derive(Parser, Debug)]
#[command(about = "Runs one process-layer scenario once")]
struct Args {
    /// empty_run, spawn_wait_tiny, spawn_wait_tiny_mem1,
    /// spawn_wait_mem1_written, yield_resume or pipe_throughput.
    scenario: String,
    /// Spawns, yields per child, or bytes through the pipe.
    #[arg(default_value_t = 1000)]
    count: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let n = args.count;
    let (root, children): (Vec<u8>, Vec<(&str, Vec<u8>)>) = match args.scenario.as_str() {
        "empty_run" => (wasm(EMPTY_WAT), vec![]),
        "spawn_wait_tiny" => (
            wasm(&process_run::spawn_wait_root(n)),
            vec![(CHILD, wasm(EMPTY_WAT))],
        ),
        "spawn_wait_tiny_mem1" => (
            wasm(&process_run::spawn_wait_root(n)),
            vec![(CHILD, wasm(EMPTY_MEM1_WAT))],
        ),
        "spawn_wait_mem1_written" => (
            wasm(&process_run::spawn_wait_root(n)),
            vec![(CHILD, wasm(WRITES_MEM1_WAT))],
        ),
        "yield_resume" => (
            wasm(&process_run::two_children_root()),
            vec![(CHILD, wasm(&process_run::yielder(n)))],
        ),
        "pipe_throughput" => (
            wasm(&process_run::pipe_root()),
            vec![
                (WRITER, wasm(&process_run::pipe_writer(n))),
                (READER, wasm(&process_run::pipe_reader(n))),
            ],
        ),
        other => {
            eprintln!("procops: unknown scenario {other}");
            return ExitCode::from(2);
        }
    };
    let children: Vec<(&str, &[u8])> = children.iter().map(|(c, w)| (*c, &w[..])).collect();
    match process_run::prepare_default(&root, &children)
        .and_then(|mut rt| process_run::run_checked(&mut rt))
    {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("procops {}: {e}", args.scenario);
            ExitCode::FAILURE
        }
    }
}

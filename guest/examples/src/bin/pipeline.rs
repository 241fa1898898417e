//! Runs `producer | transformer | consumer` connected by pipes, and checks
//! the consumer's byte count and checksum against its own computation.
//!
//! `pipeline.wasm [MIB]` (default 100) prints
//! `pipeline: <bytes> bytes, checksum <hex>, OK` and exits 0 if they match.

use examples_common::{BUF_SIZE, ByteStream, Fnv1a64, MIB, arg_or, transform};
use std::io::Read;
use wasiproc_guest::{Child, Command, Stdio};

fn spawn(cmd: &mut Command, name: &str) -> Child {
    cmd.spawn().unwrap_or_else(|e| {
        eprintln!("pipeline: cannot spawn {name}: {e}");
        std::process::exit(1)
    })
}

fn main() {
    let mib = arg_or(1, 100);

    // producer's stdout -> transformer's stdin. `Stdio::from` hands our
    // read end to the command, which closes it when dropped (at the end of
    // the statement), so only the children hold the pipe's ends.
    let mut producer = spawn(
        Command::new("producer.wasm")
            .arg(mib.to_string())
            .stdout(Stdio::piped()),
        "producer.wasm",
    );
    let mut transformer = spawn(
        Command::new("transformer.wasm")
            .stdin(Stdio::from(producer.stdout.take().unwrap()))
            .stdout(Stdio::piped()),
        "transformer.wasm",
    );
    let mut consumer = spawn(
        Command::new("consumer.wasm")
            .stdin(Stdio::from(transformer.stdout.take().unwrap()))
            .stdout(Stdio::piped()),
        "consumer.wasm",
    );

    // While the children run, compute what the consumer should report.
    let mut stream = ByteStream::new();
    let mut expected = Fnv1a64::new();
    let mut buf = vec![0u8; BUF_SIZE];
    let mut left = mib * MIB;
    while left > 0 {
        let n = left.min(BUF_SIZE as u64) as usize;
        stream.fill(&mut buf[..n]);
        transform(&mut buf[..n]);
        expected.update(&buf[..n]);
        left -= n as u64;
    }

    let mut report = String::new();
    if let Err(e) = consumer.stdout.take().unwrap().read_to_string(&mut report) {
        eprintln!("pipeline: reading the consumer's report failed: {e}");
        std::process::exit(1);
    }

    let mut ok = true;
    for (name, child) in [
        ("producer", &mut producer),
        ("transformer", &mut transformer),
        ("consumer", &mut consumer),
    ] {
        match child.wait() {
            Ok(status) if status.success() => {}
            Ok(status) => {
                println!("pipeline: {name} {status}");
                ok = false;
            }
            Err(e) => {
                println!("pipeline: waiting for {name} failed: {e}");
                ok = false;
            }
        }
    }

    let want = format!("{} {:016x}", expected.len(), expected.hash());
    if ok && report.trim() == want {
        println!(
            "pipeline: {} bytes, checksum {:016x}, OK",
            expected.len(),
            expected.hash()
        );
    } else {
        println!(
            "pipeline: MISMATCH: consumer reported {:?}, expected {want:?}",
            report.trim()
        );
        std::process::exit(1);
    }
}

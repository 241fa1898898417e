//! Pipeline stage 1: writes `MIB` MiB (argument, default 100) of the
//! deterministic pseudo-random byte stream to stdout, 64 KiB at a time.

use examples_common::{BUF_SIZE, ByteStream, MIB, arg_or, raw_stdout};
use std::io::Write;

fn main() {
    let total = arg_or(1, 100) * MIB;
    let mut out = raw_stdout();
    let mut stream = ByteStream::new();
    let mut buf = vec![0u8; BUF_SIZE];
    let mut left = total;
    while left > 0 {
        let n = left.min(BUF_SIZE as u64) as usize;
        stream.fill(&mut buf[..n]);
        // A big write goes straight to the pipe (blocking while it is full).
        if let Err(e) = out.write_all(&buf[..n]) {
            eprintln!("producer: write failed with {left} bytes left: {e}");
            std::process::exit(1);
        }
        left -= n as u64;
    }
}

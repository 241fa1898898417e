//! Pipeline stage 2: copies stdin to stdout, mapping every byte with
//! `transform_byte` (xor 0x5A, rotate left 3), 64 KiB at a time.

use examples_common::{BUF_SIZE, raw_stdout, transform};
use std::io::{ErrorKind, Read, Write};

fn main() {
    let mut input = std::io::stdin().lock();
    let mut out = raw_stdout();
    let mut buf = vec![0u8; BUF_SIZE];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break, // every writer closed the pipe: end of stream
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                eprintln!("transformer: read failed: {e}");
                std::process::exit(1);
            }
        };
        // The map is per byte, so it does not matter where a read ends.
        transform(&mut buf[..n]);
        if let Err(e) = out.write_all(&buf[..n]) {
            eprintln!("transformer: write failed: {e}");
            std::process::exit(1);
        }
    }
}

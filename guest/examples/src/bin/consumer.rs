//! Pipeline stage 3: reads stdin to its end and prints
//! `<byte count> <FNV-1a 64 checksum in hex>`.

use examples_common::{BUF_SIZE, Fnv1a64};
use std::io::{ErrorKind, Read};

fn main() {
    let mut input = std::io::stdin().lock();
    let mut sum = Fnv1a64::new();
    let mut buf = vec![0u8; BUF_SIZE];
    loop {
        match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => sum.update(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                eprintln!("consumer: read failed: {e}");
                std::process::exit(1);
            }
        }
    }
    println!("{} {:016x}", sum.len(), sum.hash());
}

//! `tgrep PATTERN`: the lines of stdin that contain PATTERN (a fixed byte
//! string).

use std::io::Write;
use wasiproc_bench_pipeline::{for_each_line, input, output, stage};

fn contains(line: &[u8], pat: &[u8]) -> bool {
    pat.is_empty() || line.windows(pat.len()).any(|w| w == pat)
}

fn main() {
    let pat = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: tgrep PATTERN");
        std::process::exit(2)
    });
    stage("tgrep", || {
        let mut out = output();
        for_each_line(input(), |line| {
            if contains(line, pat.as_bytes()) {
                out.write_all(line)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        })?;
        out.flush()
    });
}

//! `tuniq -c`: each run of equal adjacent lines of stdin once, prefixed by
//! its count as `uniq -c` prints it (right-aligned in seven columns).

use std::io::Write;
use wasiproc_bench_pipeline::{for_each_line, input, output, stage};

fn main() {
    stage("tuniq", || {
        let mut out = output();
        let mut last: Option<(Vec<u8>, u64)> = None;
        let emit = |out: &mut dyn Write, line: &[u8], n: u64| -> std::io::Result<()> {
            write!(out, "{n:>7} ")?;
            out.write_all(line)?;
            out.write_all(b"\n")
        };
        for_each_line(input(), |line| {
            match &mut last {
                Some((prev, n)) if prev.as_slice() == line => *n += 1,
                _ => {
                    if let Some((prev, n)) = last.replace((line.to_vec(), 1)) {
                        emit(&mut out, &prev, n)?;
                    }
                }
            }
            Ok(())
        })?;
        if let Some((prev, n)) = last {
            emit(&mut out, &prev, n)?;
        }
        out.flush()
    });
}

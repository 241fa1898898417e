//! `tsort`: the lines of stdin in byte order.

use std::io::Write;
use wasiproc_bench_pipeline::{for_each_line, input, output, stage};

fn main() {
    stage("tsort", || {
        let mut lines = Vec::new();
        for_each_line(input(), |line| {
            lines.push(line.to_vec());
            Ok(())
        })?;
        lines.sort_unstable();
        let mut out = output();
        for line in &lines {
            out.write_all(line)?;
            out.write_all(b"\n")?;
        }
        out.flush()
    });
}

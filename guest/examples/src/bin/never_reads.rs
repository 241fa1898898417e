//! Hostile child: never reads its stdin. `never_reads.wasm [MODE]`:
//! - `spin` (default): loops forever (end it with a fuel limit or a kill);
//! - `sleep SECS`: sleeps SECS seconds (default 1), then exits 0.
//!
//! A parent writing to its stdin fills the 64 KiB pipe and blocks, until
//! this child ends and the write fails with `EPIPE`.

use std::time::Duration;

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "spin".into());
    if mode == "sleep" {
        let secs = examples_common::arg_or(2, 1);
        std::thread::sleep(Duration::from_secs(secs));
        return;
    }
    let mut x: u64 = 0;
    loop {
        x = std::hint::black_box(x.wrapping_add(1));
    }
}

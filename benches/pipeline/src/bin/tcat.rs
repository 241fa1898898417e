//! `tcat`: copies stdin to stdout.

fn main() {
    wasiproc_bench_pipeline::stage("tcat", || {
        let mut out = std::io::stdout().lock();
        wasiproc_bench_pipeline::copy(std::io::stdin().lock(), &mut out).map(drop)
    });
}

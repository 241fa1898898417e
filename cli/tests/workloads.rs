//! Every shared workload (../shared/workloads/wasm) runs under `wasiproc run`
//! and prints the expected line. Sizes are small to keep the test short;
//! fib's value is known at any size, the others are checked at small sizes
//! against the values their README sizes were cross-checked with by hand;
//! CoreMark by the CRCs it validates itself.

mod common;

use common::*;
use std::path::PathBuf;

fn workloads() -> Option<PathBuf> {
    let dir = root().parent()?.join("shared/workloads/wasm");
    dir.is_dir().then_some(dir)
}

#[test]
fn shared_workloads_print_their_checksums() {
    let Some(dir) = workloads() else {
        eprintln!("shared/workloads not present; skipped");
        return;
    };
    let cases = [
        ("fib", "25", "fib n=25 checksum=75025\n"),
        ("sieve", "1", "sieve reps=1 checksum=544510421787\n"),
        (
            "matmul",
            "50",
            "matmul n=50 sum=-2.863912258e+01 checksum=a114aa93da0bcb53\n",
        ),
        (
            "sha256",
            "1",
            "sha256 mib=1 checksum=7b6ff00e2ddfdfa73f3ba2ba7814dd5ed254f21c24f50698e88be661151c87e3\n",
        ),
        ("bcvm", "1000", "bcvm n=1000 checksum=59542 prefix=59542\n"),
    ];
    let mut seen = 0;
    for (name, size, expected) in cases {
        let wasm = dir.join(format!("{name}.wasm"));
        let o = run(&["run", wasm.to_str().unwrap(), size], b"");
        assert_eq!(ok(&o), expected, "{name} {size}");
        seen += 1;
    }
    // CoreMark (the 2K performance run's seeds): the list, matrix and state
    // CRCs are the values CoreMark itself validates for these seeds at any
    // iteration count. 20 iterations keep it short; CoreMark then reports
    // "must execute for at least 10 secs", which is about timing, not results.
    let wasm = dir.join("coremark.wasm");
    let o = run(
        &[
            "run",
            wasm.to_str().unwrap(),
            "0x0",
            "0x0",
            "0x66",
            "20",
            "7",
            "1",
            "2000",
        ],
        b"",
    );
    let out = ok(&o);
    for line in [
        "seedcrc          : 0xe9f5",
        "[0]crclist       : 0xe714",
        "[0]crcmatrix     : 0x1fd7",
        "[0]crcstate      : 0x8e3a",
        "Iterations       : 20",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "coremark: no `{line}` in\n{out}"
        );
    }
    seen += 1;
    let total = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "wasm")
        })
        .count();
    assert_eq!(seen, total, "every workload has a case here");
}

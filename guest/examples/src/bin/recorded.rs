//! A multi-process program that takes everything a run can take from the
//! outside, for `wasiproc run --record` / `wasiproc replay`:
//! `recorded.wasm [N]` (default 2) reads all of stdin and the file
//! `/data/input.txt`, lists `/data`, reads the clocks and random bytes,
//! writes `/data/out/parent.txt`, then spawns N children
//! (`recorded.wasm child I`, granted `/data` read-only) that read the file,
//! the clocks and random bytes, sleep, and print what they saw — one of them
//! to stderr. It exits with code 3, so an exit code is reproduced too.
//!
//! ```sh
//! wasiproc run --record run.trace --dir data::/data --allow-command recorded=examples/bin/recorded.wasm \
//!     examples/bin/recorded.wasm < some-input
//! (cd /tmp/empty && wasiproc replay --verify run.trace < /dev/null)
//! ```

use examples_common::random_hex;
use std::io::Read;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use wasiproc_guest::{Command, getpid};

fn checksum(data: &[u8]) -> u32 {
    data.iter().fold(2166136261u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(16777619)
    })
}

fn wall() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_nanos()
}

fn child(i: u64) {
    let start = Instant::now();
    let file = std::fs::read("/data/input.txt").unwrap_or_default();
    std::thread::sleep(Duration::from_millis(2 * (i + 1)));
    let line = format!(
        "child {i}: pid {}, file {} bytes {:08x}, elapsed {} ns, wall {} ns, random {}",
        getpid(),
        file.len(),
        checksum(&file),
        start.elapsed().as_nanos(),
        wall(),
        random_hex(16)
    );
    if i % 2 == 1 {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("child") {
        child(args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0));
        return;
    }
    let n: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2);
    let start = Instant::now();
    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .expect("recorded: read stdin");
    let file = std::fs::read("/data/input.txt").expect("recorded: read /data/input.txt");
    let mut names: Vec<String> = std::fs::read_dir("/data")
        .expect("recorded: list /data")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    println!(
        "parent: pid {}, stdin {} bytes {:08x}, file {} bytes {:08x}, dir {names:?}",
        getpid(),
        input.len(),
        checksum(&input),
        file.len(),
        checksum(&file)
    );
    println!("parent: wall {} ns, random {}", wall(), random_hex(8));
    let _ = std::fs::create_dir_all("/data/out");
    std::fs::write(
        "/data/out/parent.txt",
        format!("stdin {} bytes\n", input.len()),
    )
    .expect("recorded: write /data/out/parent.txt");
    let mut children = Vec::new();
    for i in 0..n {
        let c = Command::new("recorded")
            .arg("child")
            .arg(i.to_string())
            .dir("/data", "/data", true)
            .spawn()
            .unwrap_or_else(|e| {
                eprintln!("recorded: cannot spawn child {i}: {e}");
                std::process::exit(1)
            });
        children.push(c);
    }
    for mut c in children {
        let status = c.wait().expect("recorded: wait");
        assert!(status.success(), "a child failed: {status}");
    }
    println!("parent: done after {} ns", start.elapsed().as_nanos());
    std::process::exit(3);
}

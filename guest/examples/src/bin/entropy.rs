//! Everything nondeterministic a program can ask for, in several processes:
//! `entropy.wasm [N]` (default 3) spawns N children, `entropy.wasm child I`,
//! which busy-work, sleep `10 * (I + 1)` ms, and print their pid, the time
//! they measured, the wall clock, random bytes and the iteration order of a
//! `HashMap` (whose hash keys are random); then the parent prints its own.
//!
//! Under a normal run the output differs every time. Under
//! `wasiproc run --deterministic [--seed N]` it is the same on every run and
//! machine (and different for another seed): the clocks are virtual and the
//! random bytes seeded.

use examples_common::random_hex;
use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use wasiproc_guest::{Command, getpid};

fn report(who: &str, since: Instant) {
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_nanos();
    let map: HashMap<&str, u32> = [("a", 1), ("b", 2), ("c", 3), ("d", 4)].into();
    let order: String = map.keys().copied().collect();
    println!(
        "{who}: pid {}, elapsed {} ns, wall {wall} ns, random {}, map order {order}",
        getpid(),
        since.elapsed().as_nanos(),
        random_hex(8)
    );
}

fn child(i: u64) {
    let start = Instant::now();
    let mut x = i;
    for k in 0..(20_000 * (i + 1)) {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(k);
    }
    std::hint::black_box(x);
    std::thread::sleep(Duration::from_millis(10 * (i + 1)));
    report(&format!("child {i}"), start);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("child") {
        child(args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0));
        return;
    }
    let n = examples_common::arg_or(1, 3);
    let start = Instant::now();
    let mut children = Vec::new();
    for i in 0..n {
        let c = Command::new("entropy.wasm")
            .arg("child")
            .arg(i.to_string())
            .spawn()
            .unwrap_or_else(|e| {
                eprintln!("entropy: cannot spawn child {i}: {e}");
                std::process::exit(1)
            });
        children.push(c);
    }
    for mut c in children {
        let status = c.wait().expect("entropy: wait");
        assert!(status.success(), "a child failed: {status}");
    }
    report("parent", start);
}

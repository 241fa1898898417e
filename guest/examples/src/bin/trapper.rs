//! Hostile child: traps. `trapper.wasm [MODE]`:
//! - `unreachable` (default): executes `unreachable` (trap code 1);
//! - `oob`: loads from beyond the end of linear memory (trap code 2);
//! - `panic`: a Rust panic, which aborts with `unreachable` (trap code 1)
//!   after printing the panic message to stderr.
//!
//! (No divide-by-zero mode: stable Rust checks every integer division and
//! panics instead of emitting a trapping `i32.div_s`.)

fn main() {
    let mode = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "unreachable".into());
    match mode.as_str() {
        "unreachable" => core::arch::wasm32::unreachable(),
        "oob" => {
            // An address past every possible 32-bit memory's last byte.
            let p = std::hint::black_box(0xFFFF_FFF0usize) as *const u64;
            // SAFETY: none; the point is the trap. A volatile read is
            // emitted as a plain i64.load that the engine bounds-checks.
            let v = unsafe { p.read_volatile() };
            println!("read {v} out of bounds?!");
        }
        "panic" => panic!("trapper: deliberate panic"),
        other => {
            eprintln!("trapper: unknown mode {other:?} (unreachable | oob | panic)");
            std::process::exit(2);
        }
    }
}

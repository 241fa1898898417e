//! Bulk memory operations cost fuel in proportion to their length, so a
//! guest looping over huge `memory.fill`s under `--fuel` ends out of fuel
//! within its budget instead of running for minutes (issue 12, item 2).

mod common;
#[path = "common/watlib.rs"]
mod watlib;

use common::{assert_out_of_fuel, run, scratch, stderr, summary};
use watlib::Guest;

/// Runs a root filling `len` bytes in a loop under `fuel`, asserts that it
/// ended out of fuel within the budget, and returns the fuel it used (from
/// the `--summary` table on stderr).
fn fill_loop_out_of_fuel(name: &str, len: u32, fuel: u64) -> u64 {
    let dir = scratch(name);
    let g = Guest::new();
    // 1025 pages: the kit's first page, then 64 MiB to fill.
    let m = g.write(
        &dir,
        "fill.wasm",
        1025,
        &format!(
            r#"(func (export "_start")
                 (loop $l
                   (memory.fill (i32.const 65536) (i32.const 1) (i32.const {len}))
                   (br $l)))"#
        ),
    );
    let fuel_arg = fuel.to_string();
    let o = run(
        &["run", "--summary", "--fuel", &fuel_arg, m.to_str().unwrap()],
        b"",
    );
    assert_out_of_fuel(&o);
    let used = summary(&o)
        .iter()
        .find(|row| row.0 == 1)
        .map(|row| row.1)
        .unwrap_or_else(|| panic!("no summary line for pid 1:\n{}", stderr(&o)));
    eprintln!("{name}: fills of {len} bytes used {used} fuel of {fuel}");
    assert!(used <= fuel, "used {used} fuel of {fuel}");
    used
}

#[test]
fn a_loop_of_64_mib_fills_ends_out_of_fuel_within_the_budget() {
    // One fill costs 64 MiB / 64 = 1,048,576 units, more than the whole
    // budget: the first fill traps without running.
    fill_loop_out_of_fuel("bulk-fill-64m", 64 << 20, 100_000);
}

#[test]
fn a_loop_of_small_fills_is_charged_per_64_bytes() {
    // 64 KiB per fill: 1,024 units plus the loop's own operators, so about
    // 97 fills fit in 100,000 units; without the length charge the loop
    // would run 100,000 / 6 iterations.
    let used = fill_loop_out_of_fuel("bulk-fill-64k", 64 << 10, 100_000);
    // The loop region's operators cost a handful of units per iteration, so
    // the charge of the fills makes up almost all of the budget.
    assert!(used >= 100_000 - 1_100, "used only {used} fuel of 100000");
}

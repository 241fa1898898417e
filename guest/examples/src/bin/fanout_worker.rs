//! A fan-out worker: `fanout_worker.wasm I` exits with code `(I * 7) % 126`.
//!
//! (Exit codes stop at 125: as in wasmtime, `proc_exit` with 126 or more
//! traps, those codes being the shell's for "cannot run" and signals.)

fn main() {
    let i: u64 = examples_common::arg_or(1, 0);
    std::process::exit(((i * 7) % 126) as i32);
}

//! Runs one WASI module in process, as `compare`'s in-process rows do
//! (fuel on: `u64::MAX`), for counting instructions against `wasiproc run`
//! under cachegrind: `inproc MODULE.wasm ARGS...`.

use wasiproc_benches::wasiproc_run;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: inproc MODULE.wasm ARGS...");
    let wasm = std::fs::read(&path).expect("cannot read the module");
    let mut argv = vec![path.clone()];
    argv.extend(args);
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let out = wasiproc_run::compile_and_run(&wasm, &argv, true).expect("run failed");
    std::process::exit(out.exit_code);
}

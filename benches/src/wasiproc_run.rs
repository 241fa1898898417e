//! Running a WASI command on wasiproc with the real `wasiproc-wasi` crate,
//! stdout and stderr captured in memory.

use crate::Output;
use wasiproc_engine::{Config, Engine, Module};
use wasiproc_wasi::{RunOptions, RunOutcome, WasiCtx, WritePipe};

/// An engine with fuel metering on or off, translating lazily (the
/// engine's default: each body on its function's first call).
pub fn engine(fuel: bool) -> Engine {
    engine_with(fuel, true)
}

/// An engine with fuel metering on or off that translates lazily or, with
/// `lazy` false, every body in `Module::new`.
pub fn engine_with(fuel: bool, lazy: bool) -> Engine {
    let mut config = Config::new();
    config.consume_fuel(fuel).lazy_translation(lazy);
    Engine::new(&config)
}

/// Instantiates `module` with WASI (`argv`, no environment, captured stdio)
/// and runs `_start` to completion. With `fuel` (the engine must meter fuel)
/// the store gets `u64::MAX` fuel, so metering costs time but never stops the
/// run.
pub fn run(engine: &Engine, module: &Module, argv: &[&str], fuel: bool) -> Result<Output, String> {
    let stdout = WritePipe::new();
    let stderr = WritePipe::new();
    let ctx = WasiCtx::builder()
        .args(argv.iter().copied())
        .stdout(stdout.clone())
        .stderr(stderr.clone())
        .build()
        .map_err(|e| format!("WASI context: {e}"))?;
    let opts = RunOptions {
        fuel: fuel.then_some(u64::MAX),
        ..RunOptions::default()
    };
    let exit_code = match wasiproc_wasi::run_module(engine, module, ctx, &opts) {
        Ok(RunOutcome::Exited(code)) => code,
        Ok(RunOutcome::Returned(_)) => 0,
        Err(e) => return Err(format!("wasiproc: {e}")),
    };
    Ok(Output {
        exit_code,
        stdout: stdout.contents(),
        stderr: stderr.contents(),
    })
}

/// Compiles `wasm` (fuel on or off) and runs it: the whole in-process cost
/// of one command run.
pub fn compile_and_run(wasm: &[u8], argv: &[&str], fuel: bool) -> Result<Output, String> {
    let engine = engine(fuel);
    let module = Module::new(&engine, wasm).map_err(|e| format!("wasiproc: {e}"))?;
    run(&engine, &module, argv, fuel)
}

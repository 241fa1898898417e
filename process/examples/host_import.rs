//! An import module of the embedder's, `embedder`, defined for every
//! process of a run and called from a child
//! (`cargo run --release -p wasiproc-process --example host_import`).

mod common;

use wasiproc_process::{FuncType, Output, Run, Val, ValType};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut run = Run::new("host_call.wasm", common::wasm("host_call.wasm"));
    run.allow_command("host_call.wasm", common::wasm("host_call.wasm"))
        .stdout(Output::capture())
        .host_func(
            "embedder",
            "add",
            FuncType::new([ValType::I32, ValType::I32], [ValType::I32]),
            |_call, params, results| {
                if let [Val::I32(a), Val::I32(b)] = params {
                    results[0] = Val::I32(a.wrapping_add(*b));
                }
                Ok(())
            },
        )
        .host_func(
            "embedder",
            "log",
            FuncType::new([ValType::I32, ValType::I32], [ValType::I32]),
            |call, params, results| {
                if let [Val::I32(ptr), Val::I32(len)] = params {
                    // Checked against the caller's memory before it is read.
                    let text = call.read_memory(*ptr as u32, *len as u32)?;
                    println!(
                        "host: pid {} says {:?}",
                        call.pid(),
                        String::from_utf8_lossy(&text)
                    );
                }
                results[0] = Val::I32(call.pid().0 as i32);
                Ok(())
            },
        );
    let report = run.execute()?;
    let stdout = String::from_utf8(report.stdout.clone().unwrap_or_default())?;
    print!("{stdout}");
    assert_eq!(report.exit_code(), 0);
    assert!(stdout.contains("child: add(40, 2) = 42; the host saw pid 2"));
    Ok(())
}

//! What the process tests share: starting a run from WAT text.

use std::collections::BTreeSet;
use wasiproc_engine::Module;
use wasiproc_process::{Limits, Runtime};
use wasiproc_wasi::{WasiCtxBuilder, WritePipe};

/// Registers `children` (name, WAT), compiles `root` and spawns it as
/// `root.wasm` with default limits, allowed to spawn the modules named in
/// `allow`; returns the pipe that captures its stdout.
pub fn spawn_root_wat(
    rt: &mut Runtime,
    root: &str,
    children: &[(&str, &str)],
    allow: &[&str],
) -> WritePipe {
    for (name, wat) in children {
        let m = Module::new(rt.engine(), wat::parse_str(wat).unwrap()).unwrap();
        rt.register(name, m);
    }
    let root = Module::new(rt.engine(), wat::parse_str(root).unwrap()).unwrap();
    let out = WritePipe::new();
    let mut b = WasiCtxBuilder::new();
    b.arg("root.wasm").stdout(out.clone()).host_env(rt.host());
    let allow: BTreeSet<String> = allow.iter().map(|s| s.to_string()).collect();
    rt.spawn_root(
        &root,
        "root.wasm",
        b.build().unwrap(),
        allow,
        Limits::default(),
    )
    .unwrap();
    out
}

//! A Rust program built for wasm32-wasip1 twice — as is, and with `-C
//! target-feature=+simd128` (explicit `core::arch::wasm32` intrinsics plus
//! loops LLVM vectorises) — runs through the CLI with the same output,
//! plainly and with `--deterministic`; the SIMD build really uses v128
//! code (the engine refuses it with SIMD switched off, and accepts the
//! scalar build).

mod common;

use common::{ok, root, wasiproc};
use std::path::PathBuf;
use std::process::Command;

/// Builds tests/simd-guest into its own target dir, with `simd128` or
/// without; returns the .wasm.
fn build(simd128: bool) -> PathBuf {
    let name = if simd128 { "simd128" } else { "simd-scalar" };
    let target = root().join("target-guests").join(name);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args([
        "build",
        "--release",
        "--target",
        "wasm32-wasip1",
        "--manifest-path",
    ])
    .arg(root().join("tests/simd-guest/Cargo.toml"))
    .env("CARGO_TARGET_DIR", &target)
    .env_remove("CARGO_ENCODED_RUSTFLAGS")
    .env_remove("CARGO_BUILD_TARGET");
    if simd128 {
        cmd.env("RUSTFLAGS", "-C target-feature=+simd128");
    } else {
        cmd.env_remove("RUSTFLAGS");
    }
    let status = cmd.status().expect("run cargo to build tests/simd-guest");
    assert!(
        status.success(),
        "building tests/simd-guest ({name}) failed"
    );
    target.join("wasm32-wasip1/release/simd-guest.wasm")
}

/// Whether the engine compiles `wasm` with SIMD switched on or off.
fn compiles(wasm: &[u8], simd: bool) -> bool {
    let mut config = wasiproc_engine::Config::new();
    config.wasm_simd(simd);
    wasiproc_engine::Module::new(&wasiproc_engine::Engine::new(&config), wasm).is_ok()
}

#[test]
fn simd128_build_prints_what_the_scalar_build_prints() {
    let scalar = build(false);
    let simd = build(true);
    let (scalar_bytes, simd_bytes) = (
        std::fs::read(&scalar).unwrap(),
        std::fs::read(&simd).unwrap(),
    );
    assert!(
        compiles(&scalar_bytes, false),
        "the scalar build needs no SIMD"
    );
    assert!(
        !compiles(&simd_bytes, false) && compiles(&simd_bytes, true),
        "the simd128 build uses v128 code"
    );
    for flags in [&[][..], &["--deterministic"][..]] {
        let run = |wasm: &PathBuf| {
            let out = wasiproc()
                .arg("run")
                .args(flags)
                .arg(wasm)
                .arg("8192")
                .output()
                .expect("run wasiproc");
            ok(&out)
        };
        let (a, b) = (run(&scalar), run(&simd));
        assert_eq!(a, b, "outputs differ ({flags:?})");
        // Every kernel reported, with non-trivial values.
        for kernel in [
            "sum4 ",
            "dot16 ",
            "sqrt-sum ",
            "shuffle-hash ",
            "upper ",
            "auto ",
            "checksum ",
        ] {
            assert!(a.contains(kernel), "{kernel} missing from\n{a}");
        }
        assert!(
            !a.contains("sum4 0 ") && !a.contains("checksum 0x0000000000000000"),
            "{a}"
        );
    }
}

//! Shared by the examples: the guest programs of guest/examples, built by
//! guest/build.sh into examples/bin when they are not there yet.

use std::path::{Path, PathBuf};

/// The bytes of `examples/bin/NAME`, building the guest programs first if
/// that file is missing.
pub fn wasm(name: &str) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("process/ has a parent")
        .to_path_buf();
    let path: PathBuf = root.join("examples/bin").join(name);
    if !path.exists() {
        let status = std::process::Command::new(root.join("guest/build.sh"))
            .env("CARGO_TERM_QUIET", "true")
            .env_remove("CARGO_TARGET_DIR")
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run guest/build.sh");
        assert!(status.success(), "guest/build.sh failed");
    }
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

//! The large-module fixture: a ~2 MiB wasm32-wasip1 debug build of
//! `benches/fixtures/big`, made by `benches/build-fixtures.sh`.

use std::path::PathBuf;
use std::process::Command;

/// Where the fixture is: `$WASIPROC_BIG_WASM` if set, else
/// `benches/fixtures/big.wasm`.
pub fn big_path() -> PathBuf {
    match std::env::var_os("WASIPROC_BIG_WASM") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/big.wasm"),
    }
}

/// The build script's path.
pub fn build_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("build-fixtures.sh")
}

/// Reads the fixture if it exists.
pub fn big() -> Option<Vec<u8>> {
    std::fs::read(big_path()).ok()
}

/// Reads the fixture, first building it with the script if it is missing.
pub fn big_or_build() -> Result<Vec<u8>, String> {
    if let Some(b) = big() {
        return Ok(b);
    }
    let script = build_script();
    let status = Command::new("bash")
        .arg(&script)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !status.success() {
        return Err(format!("{} failed: {status}", script.display()));
    }
    big().ok_or_else(|| format!("{} is missing after the build", big_path().display()))
}

/// Counts the functions with bodies in a module (the code section's count);
/// `None` if the bytes are not a module.
pub fn code_function_count(wasm: &[u8]) -> Option<u32> {
    fn leb(b: &[u8], i: &mut usize) -> Option<u32> {
        let mut r: u64 = 0;
        let mut shift = 0;
        loop {
            let x = *b.get(*i)?;
            *i += 1;
            r |= u64::from(x & 0x7f) << shift;
            if x < 0x80 {
                return u32::try_from(r).ok();
            }
            shift += 7;
            if shift > 35 {
                return None;
            }
        }
    }
    if wasm.get(..4)? != b"\0asm" {
        return None;
    }
    let mut i = 8;
    while i < wasm.len() {
        let id = wasm[i];
        i += 1;
        let size = leb(wasm, &mut i)? as usize;
        if id == 10 {
            let mut j = i;
            return leb(wasm, &mut j);
        }
        i = i.checked_add(size)?;
    }
    Some(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_code_functions() {
        let wasm = crate::tiny_wasi_wasm();
        assert_eq!(super::code_function_count(&wasm), Some(1));
        assert_eq!(super::code_function_count(b"nope"), None);
    }
}

#!/usr/bin/env bash
# Builds the large-module fixture for the load/translate benchmarks:
# fixtures/big (a separate cargo project, not a workspace member) as a
# wasm32-wasip1 *debug* build, copied to fixtures/big.wasm (~2 MiB).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$here/fixtures/big"
out="$here/fixtures/big.wasm"

if command -v rustup >/dev/null 2>&1 &&
    ! rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip1; then
    echo "build-fixtures: installing the wasm32-wasip1 target" >&2
    rustup target add wasm32-wasip1
fi

# The fixture is built on its own terms: no flags meant for the host build,
# and its own target directory whatever CARGO_TARGET_DIR says.
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_TARGET_DIR CARGO_BUILD_TARGET
cargo build --quiet --manifest-path "$project/Cargo.toml" \
    --target wasm32-wasip1 --target-dir "$project/target"
cp "$project/target/wasm32-wasip1/debug/wasiproc-bench-big.wasm" "$out.tmp"
mv "$out.tmp" "$out"
echo "build-fixtures: $out ($(wc -c <"$out") bytes)" >&2

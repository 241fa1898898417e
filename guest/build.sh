#!/usr/bin/env bash
# Builds the guest workspace (the wasiproc-guest crate and the example
# programs) in release for wasm32-wasip1, into guest/target, and copies every
# example .wasm into examples/bin/. Prints the output directory.
#
# Usage: guest/build.sh   (from anywhere)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
out="$root/examples/bin"

rustup target add wasm32-wasip1 >/dev/null 2>&1 || {
    echo "build.sh: cannot add the wasm32-wasip1 target (rustup target add wasm32-wasip1)" >&2
    exit 1
}

# The guest workspace's own target dir; flags meant for the host build must
# not leak into the wasm one.
export CARGO_TARGET_DIR="$here/target"
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_TARGET
cargo build --manifest-path "$here/Cargo.toml" --release --target wasm32-wasip1 --bins --locked

mkdir -p "$out"
# Every example program is one file in examples/src/bin/, named as its .wasm.
for src in "$here"/examples/src/bin/*.rs; do
    bin="$(basename "$src" .rs)"
    cp "$CARGO_TARGET_DIR/wasm32-wasip1/release/$bin.wasm" "$out/"
done
echo "$out"

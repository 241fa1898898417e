#!/usr/bin/env bash
# Builds the pipeline benchmark's programs (benches/pipeline, a separate
# cargo project): the four stages for wasm32-wasip1 and natively, and the
# wasm root `tpipe` that connects them with wasiproc pipes. Output:
# benches/pipeline/out/{wasm,native}/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$here/pipeline"
out="$project/out"
rustup target add wasm32-wasip1 >/dev/null 2>&1 || {
    echo "build-pipeline: cannot add the wasm32-wasip1 target" >&2
    exit 1
}
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_TARGET_DIR CARGO_BUILD_TARGET
cargo build --quiet --manifest-path "$project/Cargo.toml" --release \
    --target wasm32-wasip1 --features guest --bins --target-dir "$project/target"
cargo build --quiet --manifest-path "$project/Cargo.toml" --release \
    --bins --target-dir "$project/target"
mkdir -p "$out/wasm" "$out/native"
for stage in tcat tgrep tsort tuniq; do
    cp "$project/target/wasm32-wasip1/release/$stage.wasm" "$out/wasm/"
    cp "$project/target/release/$stage" "$out/native/"
done
cp "$project/target/wasm32-wasip1/release/tpipe.wasm" "$out/wasm/"
echo "$out"

#!/usr/bin/env bash
# The main job, from a fresh clone: builds wasiproc and the guest programs,
# then runs the seed's example exactly as the seed shows it:
#   wasiproc run --mapdir /::. --allow-command child_worker.wasm parent_orchestrator.wasm
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p wasiproc-cli
CARGO_TERM_QUIET=true "$root/guest/build.sh" >/dev/null
cd "$root/examples/bin"
exec "$root/target/release/wasiproc" run --mapdir /::. --allow-command child_worker.wasm parent_orchestrator.wasm

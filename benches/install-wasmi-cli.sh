#!/usr/bin/env bash
# Installs wasmi's own CLI (crate wasmi_cli, the version of the wasmi library
# the benches use) into target/wasmi-cli/bin/wasmi, where `compare` looks for
# it. Needs crates.io; takes about two minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
version=$(sed -n '/^name = "wasmi"$/{n;s/^version = "\(.*\)"$/\1/p}' Cargo.lock)
if [ -x "$target/wasmi-cli/bin/wasmi" ]; then
    echo "$target/wasmi-cli/bin/wasmi already installed"
    exit 0
fi
cargo install wasmi_cli --version "=$version" --locked --root "$target/wasmi-cli" --no-track

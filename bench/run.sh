#!/usr/bin/env bash
# Builds the release binary and measures it against curl on a loopback mock server.
# Writes bench/RESULTS.md. Needs python3 and curl; takes about a minute after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked
python3 bench/bench.py --mume target/release/mume "$@"

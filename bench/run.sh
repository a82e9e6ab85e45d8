#!/usr/bin/env bash
# Builds the release binary and measures it against curl on a loopback mock server.
# Writes bench/RESULTS.md. Needs python3 and curl; takes about two minutes after the build.
#
#   bash bench/run.sh           mume against curl
#   bash bench/run.sh --floor   also reqwest alone (bench/reader), blocking and inline,
#                               to show what the HTTP layer costs under mume
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked
args=()
for arg in "$@"; do
    if [[ $arg == --floor ]]; then
        cargo build --release --locked --manifest-path bench/reader/Cargo.toml
        args+=(--reader bench/reader/target/release/mume-bench-reader)
    else
        args+=("$arg")
    fi
done
python3 bench/bench.py --mume target/release/mume "${args[@]}"

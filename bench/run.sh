#!/usr/bin/env bash
# Cinnabar vs Redis 7.0 benchmark: throughput, latency, server CPU per operation,
# memory per key and latency under stress. See README.md ("Benchmarks") and
# bench/run.py --help for the options (--quick, --threads N, --record, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null \
  || ! command -v redis-benchmark >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server redis-tools >/dev/null
fi
cargo build --release --quiet --bin cinnabar-server
CINNABAR_BIN="${CARGO_TARGET_DIR:-target}/release/cinnabar-server" exec python3 bench/run.py "$@"

#!/usr/bin/env bash
# Build and run every test: Rust (unit, integration, doc, examples) and Python.
# Installs what it needs (a virtual environment with maturin, pytest, numpy,
# scikit-learn) from the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
cargo test --workspace --release

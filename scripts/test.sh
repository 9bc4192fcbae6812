#!/usr/bin/env bash
# Build and run every test: Rust (unit, integration, property, doc tests) and the
# Python package's pytest suite (in a virtual environment this script creates,
# installing maturin, pytest, numpy, scikit-learn… from PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
# Rust: the default members (core, CLI, examples, benches); the Python crate is
# built and tested by the Python step below.
cargo test --release
if [ -f scripts/test-python.sh ]; then
  bash scripts/test-python.sh
fi

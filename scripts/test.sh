#!/usr/bin/env bash
# Build and run every test: formatting and lints (cargo fmt, clippy with
# warnings denied, rustdoc with warnings denied), Rust (unit, integration,
# property, doc tests), the core without its optional features, and the Python
# package's pytest suite and ruff (in a virtual environment this script
# creates, installing maturin, pytest, numpy, scikit-learn, ruff… from PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
cargo fmt --all --check
cargo clippy --release --workspace --all-targets -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --release --no-deps
# The classifier alone builds, without Nostr signing, HF tokenizers, linfa or CSV.
cargo check --release -p notetag --no-default-features
# Rust: the default members (core, CLI, examples, benches); the Python crate is
# built and tested by the Python step below.
cargo test --release
if [ -f scripts/test-python.sh ]; then
  bash scripts/test-python.sh
fi

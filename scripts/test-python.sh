#!/usr/bin/env bash
# Build the Python package (bindings/python) into a virtual environment at
# .venv (created if missing) and run its tests: pytest (API, errors, threads,
# scikit-learn interplay, agreement with the CLI, docstring examples, and the
# peer-comparison harness's own checks in benches/peers, the scripts' checks), ruff, mypy --strict
# and mypy.stubtest of the type stubs. Needs python3 (>= 3.10) with venv, and cargo.
# Everything comes from PyPI and crates.io; the tests themselves use no network.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${NOTETAG_VENV:-$ROOT/.venv}

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
PY=$VENV/bin/python
"$PY" -m pip install --quiet --upgrade pip
"$PY" -m pip install --quiet "maturin>=1.7,<2" pytest numpy scikit-learn pandas mypy "dask[distributed]" pyarrow ruff

# Lint the Python first (rules in ruff.toml): the package, its tests, the
# benchmark harness, the examples and the scripts.
"$PY" -m ruff check bindings/python benches/peers examples/python scripts

# Build the extension (release, as users get it) and install the package into
# the venv in development mode (python/notetag/ is used in place).
VIRTUAL_ENV=$VENV "$VENV/bin/maturin" develop --release --quiet -m bindings/python/Cargo.toml

# The CLI the agreement tests compare with.
cargo build --quiet --release -p notetag-cli
export NOTETAG_CLI=${CARGO_TARGET_DIR:-$ROOT/target}/release/notetag

"$PY" -m pytest -q bindings/python/tests benches/peers scripts "$@"

# The package type-checks strictly, and the stubs of the compiled module match it (run from outside the source tree
# so that the installed package is what is checked).
"$PY" -m mypy --strict bindings/python/python/notetag
# The benchmark harness and the accuracy probe (their untyped imports: scikit-learn,
# fastText, tokenizers).
"$PY" -m mypy --strict --ignore-missing-imports benches/peers/compare.py benches/peers/pretrained_probe.py
(cd bindings/python && "$PY" -m mypy.stubtest notetag --concise)
echo "stubtest: notetag stubs match the runtime"

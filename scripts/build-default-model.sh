#!/usr/bin/env bash
# Rebuild the embedded default model from the project's own corpus (train split).
# Deterministic: the same corpus gives the same bytes. The configuration was chosen
# on the corpus dev split (see data/corpus/README.md and BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release -q -p notetag-cli -- train \
  --input data/corpus/train.jsonl \
  --output crates/notetag/models/default.ntag \
  --learner svm+nb --nb-weight 2 --c 0.5 --balanced --char-ngrams 2-5 --bucket-bits 20 --min-df 2 \
  --folds 5 --seed 42
ls -l crates/notetag/models/default.ntag

#!/usr/bin/env bash
# Rebuild the embedded models from the project's own corpus (train split only):
# the language model (crates/notetag/models/lang.bin) first, since training records
# the languages the topic model covers, then the topic model
# (crates/notetag/models/default.ntag). Deterministic: the same corpus gives the
# same bytes. The configuration was chosen on the corpus dev split and on the
# real-Nostr dev split (see data/corpus/README.md and data/nostr-real/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release -q -p notetag --example build_lang_model -- \
  crates/notetag/models/lang.bin data/corpus/train.jsonl
cargo run --release -q -p notetag-cli -- train \
  --input data/corpus/train.jsonl \
  --output crates/notetag/models/default.ntag \
  --learner svm+nb --nb-weight 1 --c 0.5 --balanced --char-ngrams 2-5 --bucket-bits 20 \
  --min-df 2 --calibration-folds 5 --seed 42 --threshold-floor 0.35 --short-note-floor 0.6
ls -l crates/notetag/models/lang.bin crates/notetag/models/default.ntag

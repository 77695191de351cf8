#!/usr/bin/env bash
# Regenerates the figures the README shows, with nnlab itself: the output of `nnlab notebook`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nnlab="$PWD/target/release/nnlab"
(cd "$tmp" && "$nnlab" notebook) > docs/notebook_output.txt
nb="$tmp/runs/notebook"
cp "$nb/dataset.png" docs/dataset.png
for section in manual autograd; do
  cp "$nb/$section/training.png" "docs/${section}_training.png"
  cp "$nb/$section/boundary.png" "docs/${section}_boundary.png"
done
"$nnlab" train --out "$tmp/p" --quiet --epochs 300 --boundary probability
cp "$tmp/p/boundary.png" docs/manual_300_epochs_probability.png
# The figures of learning: the boundary as it learns, and the hidden space after it.
"$nnlab" train --out "$tmp/a" --quiet --epochs 300 --frames 30 --hidden-space
cp "$tmp/a/boundary.gif" docs/boundary.gif
cp "$tmp/a/hidden.png" docs/hidden.png
# README.ru.md's example of --lang ru: the numpy section's curves with Russian words.
"$nnlab" notebook --lang ru --out "$tmp/ru" --quiet
cp "$tmp/ru/manual/training.png" docs/manual_training.ru.png
# The playground after the notebook lesson's 20 epochs: its browser test's screenshot (needs
# chromium and chromium-driver).
NNLAB_BROWSER_TEST=required cargo test --quiet --release -p nnlab-serve --test browser
cp target/browser/playground.png docs/playground.png

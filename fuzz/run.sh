#!/bin/sh
# Runs the libFuzzer targets (all, or those named) for $RUNS executions each (100000 by default)
# with the limits FUZZING.md states; new inputs go to fuzz/corpus/<target> (not committed), a
# crash to fuzz/artifacts/<target>/. Needs the nightly toolchain and cargo-fuzz.
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-100000}
[ $# -gt 0 ] || set -- csv safetensors history config serve
for target in "$@"; do
    mkdir -p "fuzz/corpus/$target"
    cargo +nightly fuzz run "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -runs="$RUNS" -max_len=65536 -rss_limit_mb=2048 -malloc_limit_mb=256 -timeout=10 \
        -print_final_stats=1
done

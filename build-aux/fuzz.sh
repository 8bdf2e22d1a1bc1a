#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang, AddressSanitizer + UBSan, -Dfuzz=enabled) in
# build-fuzz and runs each for FUZZ_SECONDS (default 20) on its committed corpus
# fuzz/corpus/NAME. New inputs go to a scratch folder, so the committed corpus stays as it is.
# A crash stops the script with the crashing input saved as build-fuzz/crash-NAME-*: fix the
# bug, then commit that input to fuzz/corpus/NAME as a regression case.
# Usage: build-aux/fuzz.sh [NAME...]   (default: every target in fuzz/meson.build)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}

if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang meson setup build-fuzz -Dfuzz=enabled -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbuildtype=debugoptimized -Dgui=disabled -Dcuda=disabled \
    -Dopenmp=disabled -Dwerror=true >/dev/null
fi
if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(sed -n "/^fuzz_targets = \[/,/^\]/s/^ *'\([a-z0-9-]*\)',.*/\1/p" \
    fuzz/meson.build)
fi
ninja -C build-fuzz "${targets[@]/#/fuzz/fuzz-}"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for name in "${targets[@]}"; do
  mkdir -p "$scratch/$name"
  echo "fuzz-$name: ${seconds}s on fuzz/corpus/$name"
  if ! build-fuzz/fuzz/fuzz-"$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="build-fuzz/crash-$name-" \
      "$scratch/$name" "fuzz/corpus/$name" >"$scratch/$name.log" 2>&1; then
    tail -n 60 "$scratch/$name.log"
    echo "fuzz-$name failed; the input is build-fuzz/crash-$name-*" >&2
    exit 1
  fi
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units)' "$scratch/$name.log" || true
done

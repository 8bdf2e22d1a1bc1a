#!/bin/sh
# test-fashion-mnist-absent.sh TEST: the Fashion-MNIST test run on an empty folder must be a
# skip with its reason, as meson's TAP reader counts one: the plan "1..0 # SKIP ...", exit 0
# (a non-zero exit is an ERROR there, whatever the plan says).
set -eu
dir=$(mktemp -d)
trap 'rmdir "$dir"' EXIT
status=0
out=$("$1" "$dir") || status=$?
if [ "$status" -ne 0 ]; then
  echo "exit status $status (a TAP skip must exit 0): $out"
  exit 1
fi
case $out in
  "1..0 # SKIP $dir/train-images-idx3-ubyte.gz not found"*) echo "skipped as expected: $out" ;;
  *) echo "not a TAP skip naming the missing file: $out"; exit 1 ;;
esac

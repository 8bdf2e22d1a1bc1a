#!/usr/bin/env bash
# Sets everything up and runs AlexNet Studio: installs what is missing, builds, then opens the
# window, or, with no display, trains alexnet-tiny on Fashion-MNIST for a short headless run.
set -euo pipefail
cd "$(dirname "$0")/.."
build-aux/deps.sh
[ -f build/build.ninja ] || meson setup build --wipe >/dev/null 2>&1 || meson setup build
ninja -C build
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x build/src/ui/alexnet-studio ]; then
  export GSETTINGS_SCHEMA_DIR="$PWD/build/data"
  exec build/src/ui/alexnet-studio "$@"
fi
echo "No display: a short headless training run (alexnet-tiny on Fashion-MNIST)."
exec build/src/cli/alexnet train --epochs 1 --train-size 6000 --val-size 1000 \
  --checkpoint-dir "${XDG_CACHE_HOME:-$HOME/.cache}/alexnet-studio/quick-run" "$@"

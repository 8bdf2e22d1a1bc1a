#!/usr/bin/env bash
# Runs every test: installs what is missing, builds with warnings as errors and runs the whole
# suite (UI tests under Xvfb and a private D-Bus session), then builds again with
# AddressSanitizer + UBSan and runs the engine tests there, and once more with ThreadSanitizer
# for the tests that drive the trainer's threads, once on a generic CBLAS, and runs every fuzz
# target briefly (fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
build-aux/deps.sh

if [ ! -f build-test/build.ninja ]; then
  meson setup build-test -Dwerror=true -Dprofile=development >/dev/null
fi
ninja -C build-test
xvfb-run -a -s "-screen 0 2560x1600x24" dbus-run-session -- \
  meson test -C build-test --print-errorlogs --num-processes 2

if [ ! -f build-asan/build.ninja ]; then
  meson setup build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dbuildtype=debugoptimized -Dgui=disabled >/dev/null
fi
ninja -C build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  meson test -C build-asan --print-errorlogs --num-processes 2 --suite engine

# ThreadSanitizer: OpenMP off (libgomp's barriers are invisible to it; see docs/DESIGN.md).
if [ ! -f build-tsan/build.ninja ]; then
  meson setup build-tsan -Dwerror=true -Db_sanitize=thread -Dbuildtype=debugoptimized \
    -Dgui=disabled -Dcuda=disabled -Dopenmp=disabled >/dev/null
fi
ninja -C build-tsan
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  meson test -C build-tsan --print-errorlogs --num-processes 2 --suite tsan

# The CPU backend on a generic CBLAS (-Dblas=generic, no oneDNN): it builds, links, and its
# ops and models match their references on the reference BLAS itself (the training tests are
# too slow there).
if [ ! -f build-generic/build.ninja ]; then
  meson setup build-generic -Dwerror=true -Dblas=generic -Ddnnl=disabled -Dgui=disabled \
    -Dcuda=disabled >/dev/null
fi
ninja -C build-generic
LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/blas \
  meson test -C build-generic --print-errorlogs --num-processes 2 \
  test-golden-ops all-ops model-golden towers state-checkpoint

# libFuzzer: every target in fuzz/ for a short bounded time on its committed corpus.
build-aux/fuzz.sh

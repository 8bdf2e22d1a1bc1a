#!/usr/bin/env bash
# tools/device-check.sh: everything that needs a GPU, in one run, for a machine with CUDA.
#
# Builds with -Dcuda=enabled, runs the cuda and engine test suites, benchmarks alexnet-2012 and
# alexnet-cifar (batch 128) with `alexnet bench` and with PyTorch + cuDNN, and writes a summary
# table. Works offline. A failed step is recorded and the run goes on; the exit status is the
# number of failed steps. Logs and JSON go to $OUT (when set) or to the build directory.
#
#   tools/device-check.sh            BUILD_DIR (default build-cuda), STEPS (20), BATCH (128),
#                                     PYTHON (the first with PyTorch), DEVICE (cuda:0) may be set.
set -u
cd "$(dirname "$0")/.." || exit 1

BUILD_DIR=${BUILD_DIR:-build-cuda}
STEPS=${STEPS:-20}
BATCH=${BATCH:-128}
if [ -z "${PYTHON:-}" ]; then
  # the first Python that has PyTorch
  PYTHON=python3
  for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c 'import torch' 2>/dev/null; then
      PYTHON=$candidate
      break
    fi
  done
fi
DEVICE=${DEVICE:-cuda:0}
MODELS="alexnet-2012 alexnet-cifar"
RESULTS=${OUT:-$BUILD_DIR}/device-check
mkdir -p "$RESULTS"
REPORT=$RESULTS/device-check.md
[ -n "${OUT:-}" ] && REPORT=$OUT/device-check.md

failed=()
passed=()

# step NAME COMMAND...: runs COMMAND with its output in $RESULTS/NAME.log (and on the terminal)
step() {
  local name=$1
  shift
  echo "=== $name: $*"
  local start=$SECONDS
  "$@" 2>&1 | tee "$RESULTS/$name.log"
  local rc=${PIPESTATUS[0]}
  if [ "$rc" -eq 0 ]; then
    passed+=("$name")
    echo "=== $name: ok ($((SECONDS - start)) s)"
  else
    failed+=("$name (exit $rc)")
    echo "=== $name: FAILED with exit $rc ($((SECONDS - start)) s)"
  fi
  return "$rc"
}

# json_number FILE KEY: a number from a one-line JSON object, or empty
json_number() {
  [ -s "$1" ] || return 0
  sed -n "s/.*\"$2\": *\([0-9.eE+-]*\).*/\1/p" "$1" | head -n 1
}

# gpu_memory_watch FILE PID: the largest GPU memory (MiB) that compute processes used while PID
# ran, sampled every 0.2 s (includes the CUDA context)
gpu_memory_watch() {
  local file=$1 pid=$2 peak=0 used
  while kill -0 "$pid" 2>/dev/null; do
    used=$(nvidia-smi --query-compute-apps=used_memory --format=csv,noheader,nounits 2>/dev/null |
           awk '{ s += $1 } END { print s + 0 }')
    [ "${used:-0}" -gt "$peak" ] && peak=$used
    sleep 0.2
  done
  echo "$peak" > "$file"
}

# bench_ours MODEL: alexnet bench with the GPU memory watched
bench_ours() {
  local model=$1 exe
  exe=$(find "$BUILD_DIR" -path '*src/cli/alexnet' -type f -perm -u+x 2>/dev/null | head -n 1)
  if [ -z "$exe" ]; then
    echo "no alexnet executable under $BUILD_DIR"
    return 1
  fi
  "$exe" bench --model "$model" --batch "$BATCH" --steps "$STEPS" --device "$DEVICE" --json \
    > "$RESULTS/ours-$model.json" &
  local pid=$! watcher=
  if command -v nvidia-smi >/dev/null; then
    gpu_memory_watch "$RESULTS/ours-$model.gpumem" "$pid" &
    watcher=$!
  fi
  wait "$pid"
  local rc=$?
  [ -n "$watcher" ] && wait "$watcher"
  cat "$RESULTS/ours-$model.json"
  return "$rc"
}

bench_torch() {
  local model=$1
  "$PYTHON" tools/bench_pytorch.py --model "$model" --batch "$BATCH" --steps "$STEPS" \
    --device cuda > "$RESULTS/torch-$model.json"
  local rc=$?
  cat "$RESULTS/torch-$model.json"
  return "$rc"
}

configure() {
  if [ -d "$BUILD_DIR/meson-info" ]; then
    meson setup --reconfigure "$BUILD_DIR" -Dcuda=enabled -Dgui=disabled
  else
    meson setup "$BUILD_DIR" -Dcuda=enabled -Dgui=disabled
  fi
}

echo "=== device-check on $(hostname), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
step gpu-info nvidia-smi
step configure configure
step build ninja -C "$BUILD_DIR"
step test-cuda meson test -C "$BUILD_DIR" --suite cuda --print-errorlogs --verbose
step test-engine meson test -C "$BUILD_DIR" --suite engine --print-errorlogs
for model in $MODELS; do
  step "bench-ours-$model" bench_ours "$model"
  step "bench-torch-$model" bench_torch "$model"
done

{
  echo "# Device check"
  echo
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -n 1
  echo "batch $BATCH, median of $STEPS steps, FP32 (no TF32 on either side)."
  echo
  echo "| model | ours train img/s | ours infer img/s | PyTorch train img/s | PyTorch infer img/s | train ratio ours/PyTorch | ours GPU MiB (process) | PyTorch GPU MiB (allocated) |"
  echo "|---|---|---|---|---|---|---|---|"
  for model in $MODELS; do
    ours=$RESULTS/ours-$model.json
    torch=$RESULTS/torch-$model.json
    ot=$(json_number "$ours" train_images_per_second)
    oi=$(json_number "$ours" infer_images_per_second)
    tt=$(json_number "$torch" train_images_per_second)
    ti=$(json_number "$torch" infer_images_per_second)
    tm=$(json_number "$torch" peak_gpu_mib)
    om=$(cat "$RESULTS/ours-$model.gpumem" 2>/dev/null)
    ratio=$(awk -v a="${ot:-0}" -v b="${tt:-0}" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b }')
    echo "| $model | ${ot:--} | ${oi:--} | ${tt:--} | ${ti:--} | ${ratio:--} | ${om:--} | ${tm:--} |"
  done
  echo
  echo "Steps passed: ${passed[*]:-none}"
  echo
  echo "Steps failed: ${failed[*]:-none}"
} > "$REPORT"
cat "$REPORT"
exit ${#failed[@]}

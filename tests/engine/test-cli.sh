#!/usr/bin/env bash
# The alexnet command end to end on a small CIFAR-format dataset written by make-cifar:
# train -> checkpoint -> eval / classify / filters, bench, info, and usage errors (exit 2).
set -u
alexnet=$1
make_cifar=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
passes=0
ok() { echo "ok - $1"; passes=$((passes + 1)); }
bad() { echo "not ok - $1"; fails=$((fails + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

"$make_cifar" "$tmp/data" || { echo "not ok - make-cifar"; exit 1; }

"$alexnet" train --data "cifar10:$tmp/data" --epochs 4 --train-size 400 --val-size 100 \
  --batch 50 --lr 0.05 --threads 2 --checkpoint-dir "$tmp/run" > "$tmp/train.out" 2>&1
rc=$?
cat "$tmp/train.out"
check "train exits 0" "[ $rc -eq 0 ]"
check "train writes a checkpoint" "[ -s '$tmp/run/checkpoint.ankpt' ]"
check "train writes metrics rows" "grep -q '^epoch,' '$tmp/run/metrics.csv'"
check "train prints epochs" "grep -q 'epoch 4/4' '$tmp/train.out'"

"$alexnet" eval --checkpoint "$tmp/run/checkpoint.ankpt" --json > "$tmp/eval.json" 2>&1
rc=$?
cat "$tmp/eval.json"
check "eval exits 0" "[ $rc -eq 0 ]"
check "eval reports top-1 on the 100 test images" "grep -Eq '\"images\": 100, \"loss\": [0-9.]+, \"top1\": (0\.[5-9]|1\.0)' '$tmp/eval.json'"
"$alexnet" eval --checkpoint "$tmp/run/checkpoint.ankpt" --ten-crop > "$tmp/eval10.out" 2>&1
check "eval --ten-crop" "[ $? -eq 0 ] && grep -q 'top-1' '$tmp/eval10.out'"

"$alexnet" classify --checkpoint "$tmp/run/checkpoint.ankpt" --top 3 "$tmp/data/class-0.png" \
  "$tmp/data/class-6.png" > "$tmp/classify.out" 2>&1
rc=$?
cat "$tmp/classify.out"
check "classify exits 0" "[ $rc -eq 0 ]"
check "classify: airplane among the top 3 of a class-0 image" "sed -n 2,4p '$tmp/classify.out' | grep -q airplane"
check "classify: frog among the top 3 of a class-6 image" "sed -n 6,8p '$tmp/classify.out' | grep -q frog"
check "classify: probabilities in decreasing order" "sed -n 2,4p '$tmp/classify.out' | awk '{print \$1}' | tr -d % | sort -rn -c"
printf 'not an image' > "$tmp/junk.png"
"$alexnet" classify --checkpoint "$tmp/run/checkpoint.ankpt" "$tmp/junk.png" > "$tmp/junk.out" 2>&1
check "classify names a bad image and exits 1" "[ $? -eq 1 ] && grep -q junk.png '$tmp/junk.out'"

"$alexnet" filters --checkpoint "$tmp/run/checkpoint.ankpt" --layer conv1 -o "$tmp/f.png" > /dev/null 2>&1
check "filters writes a PNG" "[ \"\$(head -c 4 '$tmp/f.png' | tail -c 3)\" = PNG ]"
"$alexnet" filters --checkpoint "$tmp/run/checkpoint.ankpt" --layer relu2 --image "$tmp/data/class-3.png" -o "$tmp/m.png" > /dev/null 2>&1
check "filters --image writes feature maps" "[ -s '$tmp/m.png' ]"

"$alexnet" train --resume "$tmp/run/checkpoint.ankpt" > "$tmp/resume.out" 2>&1
check "resume of a finished run exits 0" "[ $? -eq 0 ]"

"$alexnet" bench --model alexnet-tiny --batch 8 --steps 2 --json > "$tmp/bench.json" 2>&1
check "bench --json has the three keys" "grep -q train_images_per_second '$tmp/bench.json' && grep -q infer_images_per_second '$tmp/bench.json' && grep -q peak_rss_mib '$tmp/bench.json'"
"$alexnet" info > "$tmp/info.out" 2>&1
check "info lists the presets with PyTorch's parameter count and the CUDA status" "grep -q 'alexnet-2012 .*60965224 parameters' '$tmp/info.out' && grep -Eq '^CUDA: ([0-9]+ device|not available)' '$tmp/info.out'"
"$alexnet" bench --model alexnet-tiny --batch 4 --steps 1 --towers 2 > "$tmp/bench2.out" 2>&1
check "bench runs two towers on two CPU devices" "[ $? -eq 0 ] && grep -q 'training' '$tmp/bench2.out'"

"$alexnet" train --data "cifar10:$tmp/data" --epochs 1 --train-size 100 --val-size 50 --batch 50 \
  --device auto --checkpoint-dir "$tmp/auto" > "$tmp/auto.out" 2>&1
rc=$?
if "$alexnet" info | grep -q 'CUDA: not available'; then
  check "--device auto without a GPU trains on the CPU and says so" "[ $rc -eq 0 ] && grep -q 'training on the CPU' '$tmp/auto.out'"
  "$alexnet" train --data "cifar10:$tmp/data" --epochs 1 --device cuda --checkpoint-dir "$tmp/cuda" > "$tmp/cuda.out" 2>&1
  check "--device cuda without a GPU fails with the reason (exit 1)" "[ $? -eq 1 ] && grep -qi 'cuda' '$tmp/cuda.out'"
else
  check "--device auto with a GPU trains" "[ $rc -eq 0 ]"
fi

usage() {
  "$alexnet" "$@" > "$tmp/usage.out" 2>&1
  local rc=$?
  if [ $rc -eq 2 ] && [ "$(wc -l < "$tmp/usage.out")" -eq 1 ]; then ok "usage error: $*"; else
    bad "usage error: $* (exit $rc)"; cat "$tmp/usage.out"; fi
}
usage train --lr -1
usage train --lr abc
usage train --batch 0
usage train --momentum 1.5
usage train --bogus 1
usage train --towers 3
usage train --schedule sometimes
usage train --epochs
usage eval
usage bench --batch 0
usage bench --device tpu
usage classify --checkpoint x
usage frobnicate

printf 'ANCKPT01garbage' > "$tmp/bad.ankpt"
"$alexnet" eval --checkpoint "$tmp/bad.ankpt" > "$tmp/bad.out" 2>&1
check "a corrupt checkpoint is refused with its name (exit 1)" "[ $? -eq 1 ] && grep -q bad.ankpt '$tmp/bad.out'"
"$alexnet" train --data "cifar10:$tmp/nowhere" --epochs 1 > "$tmp/nodata.out" 2>&1
check "a missing dataset fails naming the folder (exit 1)" "[ $? -eq 1 ] && grep -q nowhere '$tmp/nodata.out'"

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]

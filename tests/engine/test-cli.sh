#!/usr/bin/env bash
# The alexnet command end to end on a small CIFAR-format dataset written by make-cifar:
# train -> checkpoint -> eval / classify / filters, bench, info, usage errors (exit 2), the
# generated help, and every --json output parsed as JSON.
set -u
alexnet=$1
make_cifar=$2
poison_checkpoint=$3
python3=$4
openmp=$5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
passes=0
ok() { echo "ok - $1"; passes=$((passes + 1)); }
bad() { echo "not ok - $1"; fails=$((fails + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
# json FILE EXPR: FILE parses as strict JSON (UTF-8, no NaN) and the Python expression EXPR,
# with the document as j, is true.
json() {
  "$python3" -c '
import json, sys
def no_constant(name):
    raise ValueError("not JSON: " + name)
with open(sys.argv[1], encoding="utf-8", errors="strict") as f:
    j = json.loads(f.read(), parse_constant=no_constant)
sys.exit(0 if eval(sys.argv[2]) else 1)' "$@"
}

"$make_cifar" "$tmp/data" || { echo "not ok - make-cifar"; exit 1; }

"$alexnet" train --data "cifar10:$tmp/data" --epochs 4 --train-size 400 --val-size 100 \
  --batch 50 --lr 0.05 --threads 2 --checkpoint-dir "$tmp/run" > "$tmp/train.out" 2>&1
rc=$?
cat "$tmp/train.out"
check "train exits 0" "[ $rc -eq 0 ]"
check "train writes a checkpoint" "[ -s '$tmp/run/checkpoint.ankpt' ]"
check "train writes metrics rows" "grep -q '^epoch,' '$tmp/run/metrics.csv'"
check "train prints epochs" "grep -q 'epoch 4/4' '$tmp/train.out'"

"$alexnet" eval --checkpoint "$tmp/run/checkpoint.ankpt" --json > "$tmp/eval.json"
rc=$?
cat "$tmp/eval.json"
check "eval exits 0" "[ $rc -eq 0 ]"
check "eval --json: top-1 over 0.5 on the 100 test images" \
  "json '$tmp/eval.json' 'j[\"images\"] == 100 and 0.5 <= j[\"top1\"] <= j[\"top5\"] <= 1 and j[\"loss\"] > 0'"
check "eval --json: a 10x10 confusion matrix of the 100 images, its diagonal the top-1 hits" \
  "json '$tmp/eval.json' 'len(j[\"classes\"]) == 10 and len(j[\"confusion\"]) == 10 and sum(map(sum, j[\"confusion\"])) == 100 and abs(sum(j[\"confusion\"][i][i] for i in range(10)) - 100 * j[\"top1\"]) < 1e-9'"
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
if [ -e "$tmp/data/class-0.webp" ]; then
  "$alexnet" classify --checkpoint "$tmp/run/checkpoint.ankpt" --top 3 "$tmp/data/class-0.webp" \
    > "$tmp/classify-webp.out" 2>&1
  rc=$?
  cat "$tmp/classify-webp.out"
  check "classify a WebP (4x enlarged class-0 image): exits 0, airplane among the top 3" \
    "[ $rc -eq 0 ] && sed -n 2,4p '$tmp/classify-webp.out' | grep -q airplane"
else
  echo "ok - classify a WebP # SKIP gdk-pixbuf cannot write WebP here (webp-pixbuf-loader)"
fi
printf 'not an image' > "$tmp/junk.png"
"$alexnet" classify --checkpoint "$tmp/run/checkpoint.ankpt" "$tmp/junk.png" > "$tmp/junk.out" 2>&1
check "classify names a bad image and exits 1" "[ $? -eq 1 ] && grep -q junk.png '$tmp/junk.out'"
"$alexnet" classify --checkpoint "$tmp/run/checkpoint.ankpt" --json --top 3 "$tmp/junk.png" \
  "$tmp/data/class-0.png" > "$tmp/junk.json" 2> "$tmp/junk.err"
rc=$?
cat "$tmp/junk.json"
check "classify --json: a failed first image is left out of valid JSON, named on stderr, exit 1" \
  "[ $rc -eq 1 ] && grep -q junk.png '$tmp/junk.err' && json '$tmp/junk.json' 'len(j) == 1 and j[0][\"image\"].endswith(\"class-0.png\") and len(j[0][\"top\"]) == 3'"
check "classify --json: probabilities in decreasing order, summing to at most 1" \
  "json '$tmp/junk.json' 'all(a[\"probability\"] >= b[\"probability\"] for a, b in zip(j[0][\"top\"], j[0][\"top\"][1:])) and sum(p[\"probability\"] for p in j[0][\"top\"]) <= 1 + 1e-6'"

# a checkpoint whose weights are NaN: its probabilities are not numbers, which JSON writes null
"$poison_checkpoint" "$tmp/run/checkpoint.ankpt" "$tmp/nan.ankpt"
"$alexnet" classify --checkpoint "$tmp/nan.ankpt" --json "$tmp/data/class-0.png" > "$tmp/nan.json"
cat "$tmp/nan.json"
check "classify --json: NaN probabilities are null" \
  "json '$tmp/nan.json' 'len(j[0][\"top\"]) == 5 and all(p[\"probability\"] is None for p in j[0][\"top\"])'"

"$alexnet" filters --checkpoint "$tmp/run/checkpoint.ankpt" --layer conv1 -o "$tmp/f.png" > /dev/null 2>&1
check "filters writes a PNG" "[ \"\$(head -c 4 '$tmp/f.png' | tail -c 3)\" = PNG ]"
"$alexnet" filters --checkpoint "$tmp/run/checkpoint.ankpt" --layer relu2 --image "$tmp/data/class-3.png" -o "$tmp/m.png" > /dev/null 2>&1
check "filters --image writes feature maps" "[ -s '$tmp/m.png' ]"
"$alexnet" filters --checkpoint "$tmp/run/checkpoint.ankpt" --layer conv2 -o "$tmp/f2.png" > "$tmp/f2.out" 2>&1
check "filters of a layer that is not RGB: a grey tile per input channel" "[ $? -eq 0 ] && [ -s '$tmp/f2.png' ]"

"$alexnet" train --resume "$tmp/run/checkpoint.ankpt" > "$tmp/resume.out" 2>&1
check "resume of a finished run exits 0" "[ $? -eq 0 ]"

"$alexnet" bench --model alexnet-tiny --batch 8 --steps 2 --threads 2 --json > "$tmp/bench.json"
cat "$tmp/bench.json"
check "bench --json: speeds, memory and the batch" \
  "json '$tmp/bench.json' 'j[\"train_images_per_second\"] > 0 and j[\"infer_images_per_second\"] > 0 and j[\"peak_rss_mib\"] > 0 and j[\"batch\"] == 8 and j[\"steps\"] == 2 and j[\"device\"] == \"cpu\"'"
# the threads the CPU backend was given (one in a build without OpenMP), not OpenBLAS's own 1
threads=2
[ "$openmp" = openmp ] || threads=1
check "bench --json reports the threads of --threads" "json '$tmp/bench.json' 'j[\"threads\"] == $threads'"
"$alexnet" info > "$tmp/info.out" 2>&1
check "info lists the presets with PyTorch's parameter count and the CUDA status" "grep -q 'alexnet-2012 .*60965224 parameters' '$tmp/info.out' && grep -Eq '^CUDA: ([0-9]+ device|not available)' '$tmp/info.out'"
"$alexnet" info --json > "$tmp/info.json"
check "info --json: the presets with their parameter counts, the CUDA devices" \
  "json '$tmp/info.json' '{p[\"name\"]: p[\"parameters\"] for p in j[\"presets\"]}[\"alexnet-2012\"] == 60965224 and j[\"cuda_devices\"] >= 0 and j[\"cpu_threads\"] >= 1'"
"$alexnet" bench --model alexnet-tiny --batch 4 --steps 1 --towers 2 > "$tmp/bench2.out" 2>&1
check "bench runs two towers on two CPU devices" "[ $? -eq 0 ] && grep -q 'training' '$tmp/bench2.out'"
"$alexnet" bench --model alexnet-tiny --batch 4 --steps 1 --threads 2 --json --profile > "$tmp/benchp.json"
# 23 layers, then loss, zeroing, sgd, copies; conv1: 32 kernels of 3x5x5 over 32x32 outputs
check "bench --profile --json: a row per layer and per other part of a step, with conv1's flops" \
  "json '$tmp/benchp.json' 'len(j[\"profile\"]) == 27 and j[\"profile\"][0][\"layer\"] == \"conv1\" and j[\"profile\"][0][\"flops_per_image\"] == 2 * 32 * 32 * 32 * 3 * 25 and j[\"profile\"][0][\"kernel\"] and j[\"profile\"][26][\"layer\"] == \"copies\"'"
"$alexnet" bench --model alexnet-tiny --batch 4 --steps 1 --profile > "$tmp/benchp.out" 2>&1
check "bench --profile prints the table" "[ $? -eq 0 ] && grep -q '^  conv2  *conv ' '$tmp/benchp.out' && grep -q '^  total ' '$tmp/benchp.out'"

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

# Class names and paths outside ASCII: a folder dataset of two classes named in UTF-8, and an
# image whose name is not UTF-8 at all. JSON stays valid UTF-8 (the invalid byte becomes U+FFFD).
mkdir -p "$tmp/bunt/Äpfel" "$tmp/bunt/Birnen-ß"
for i in 0 1 2 3 4 5 6 7; do
  cp "$tmp/data/class-0.png" "$tmp/bunt/Äpfel/$i.png"
  cp "$tmp/data/class-6.png" "$tmp/bunt/Birnen-ß/$i.png"
done
cp "$tmp/data/class-0.png" "$tmp/bunt/é.png"
cp "$tmp/data/class-6.png" "$tmp/bunt/$(printf 'bad-\377.png')"
# the options the help once missed, and the fields that had no option, in both spellings
"$alexnet" train --data "folder:$tmp/bunt" --epochs 1 --batch 4 --val-size 4 --threads 2 \
  --plateau-patience 5 --plateau-threshold 0.01 --plateau-cooldown 2 --val-fraction 0.3 \
  --pca-std 0.2 --flip false --augment-crop true --factor 0.25 --step-gamma 0.5 --min-lr 1e-5 \
  --early-stopping false --delta 0.125 --normalize mean-std --pca true --step-size 3 \
  --checkpoint-dir "$tmp/bunt-run" > "$tmp/bunt.out" 2>&1
check "train on a folder dataset with UTF-8 class names" "[ $? -eq 0 ]"
for kv in plateau_patience=5 plateau_threshold=0.01 plateau_cooldown=2 val_fraction=0.3 \
  pca_std=0.2 augment_flip=false augment_crop=true plateau_factor=0.25 step_gamma=0.5 \
  min_lr=1e-05 early_stopping=false delta=0.125 normalize=mean-std augment_pca=true step_size=3; do
  check "train sets $kv from its option" "grep -qx '# $kv' '$tmp/bunt-run/metrics.csv'"
done
"$alexnet" eval --checkpoint "$tmp/bunt-run/checkpoint.ankpt" --json > "$tmp/bunt-eval.json"
cat "$tmp/bunt-eval.json"
check "eval --json: UTF-8 class names as they are" \
  "json '$tmp/bunt-eval.json' 'sorted(j[\"classes\"]) == [\"Birnen-ß\", \"Äpfel\"] and j[\"images\"] == 4'"
"$alexnet" classify --checkpoint "$tmp/bunt-run/checkpoint.ankpt" --json --top 2 "$tmp/bunt/é.png" \
  "$tmp/bunt/$(printf 'bad-\377.png')" > "$tmp/bunt-classify.json"
cat "$tmp/bunt-classify.json"
check "classify --json: a UTF-8 path and class names as they are" \
  "json '$tmp/bunt-classify.json' 'j[0][\"image\"].endswith(\"/é.png\") and sorted(p[\"name\"] for p in j[0][\"top\"]) == [\"Birnen-ß\", \"Äpfel\"]'"
check "classify --json: a path that is not UTF-8 is valid JSON with U+FFFD" \
  "json '$tmp/bunt-classify.json' 'len(j) == 2 and j[1][\"image\"].endswith(\"/bad-\\ufffd.png\")'"

# alexnet pack: the folder above into one file, trained on through --data packed:FILE with a
# named pipeline; a damaged copy is refused naming the file and the field
"$alexnet" pack "folder:$tmp/bunt" "$tmp/bunt.anpack" --size 40 --json > "$tmp/pack.json"
check "pack --json: 16 training images of 40x40 squares, the two classes" \
  "json '$tmp/pack.json' 'j[\"train_images\"] == 16 and j[\"test_images\"] == 0 and j[\"size\"] == 40 and j[\"classes\"] == 2'"
"$alexnet" train --data "packed:$tmp/bunt.anpack" --epochs 1 --batch 4 --val-size 4 --threads 2 \
  --pipeline torchvision --checkpoint-dir "$tmp/pack-run" > "$tmp/pack-train.out" 2>&1
check "train on a packed file with --pipeline torchvision" \
  "[ $? -eq 0 ] && grep -qx '# pipeline=torchvision' '$tmp/pack-run/metrics.csv'"
"$alexnet" eval --checkpoint "$tmp/pack-run/checkpoint.ankpt" --ten-crop > "$tmp/pack-eval.out" 2>&1
check "eval --ten-crop of a run on a packed file" "[ $? -eq 0 ] && grep -q '^4 images' '$tmp/pack-eval.out'"
# a flipped pixel byte: the file opens (chunks are checked when read), every image of the
# damaged chunk is reported and the run pauses past 1% of the epoch with the reason (exit 1)
cp "$tmp/bunt.anpack" "$tmp/flip.anpack"
size=$(stat -c %s "$tmp/flip.anpack")
printf '\377' | dd of="$tmp/flip.anpack" bs=1 seek=$((size - 7)) conv=notrunc 2> /dev/null
"$alexnet" train --data "packed:$tmp/flip.anpack" --epochs 1 --batch 4 --val-size 4 --threads 2 \
  --checkpoint-dir "$tmp/flip-run" > "$tmp/flip.out" 2>&1
rc=$?
tail -n 5 "$tmp/flip.out"
check "a packed file with a damaged chunk: named with the chunk when read, the run pauses (exit 1)" \
  "[ $rc -eq 1 ] && grep -q 'flip.anpack: chunk 0 checksum: images 0 to 15 are damaged' '$tmp/flip.out' && grep -q 'could not be read (more than 1%)' '$tmp/flip.out'"
head -c 5000 "$tmp/bunt.anpack" > "$tmp/cut.anpack"
"$alexnet" train --data "packed:$tmp/cut.anpack" --epochs 1 > "$tmp/cut.out" 2>&1
check "a truncated packed file is refused naming it and the field (exit 1)" \
  "[ $? -eq 1 ] && grep -q 'cut.anpack: file size: truncated' '$tmp/cut.out'"

# A folder with train/ and test/: the run reports the test split at its end (printed and in the
# metrics), eval uses it. An image that does not decode mid-epoch is replaced and named in a
# warning and in the metrics; more than 1% of them pauses the run with the reason (exit 1) after
# writing the checkpoint. The first image of a class is decoded at start-up, so the broken ones
# sort last.
for c in 0 6; do
  mkdir -p "$tmp/split/train/c$c" "$tmp/split/test/c$c"
  for i in $(seq 10 69); do cp "$tmp/data/class-$c.png" "$tmp/split/train/c$c/$i.png"; done
  for i in $(seq 10 19); do cp "$tmp/data/class-$c.png" "$tmp/split/test/c$c/$i.png"; done
done
printf 'not a png at all' > "$tmp/split/train/c0/zz-broken.png"
"$alexnet" train --model alexnet-tiny --data "folder:$tmp/split" --epochs 1 --batch 8 \
  --val-size 8 --threads 2 --workers 2 --checkpoint-dir "$tmp/split-run" > "$tmp/split.out" 2>&1
rc=$?
cat "$tmp/split.out"
check "train on a folder with a test split and one broken image of 113 (exit 0)" "[ $rc -eq 0 ]"
check "the run prints the test split's result" "grep -q 'Test set: .*(20 images)' '$tmp/split.out'"
check "the metrics record the test split's result" "grep -q '^test,.*,20\$' '$tmp/split-run/metrics.csv'"
check "the broken image is named in a warning" \
  "grep -q 'warning: .*zz-broken.png.*replaced by another image of its class' '$tmp/split.out'"
check "the broken image is named in the metrics" \
  "grep -q '^bad_image,.*zz-broken.png' '$tmp/split-run/metrics.csv'"
# the same run with one worker: the same batches, so the same losses step by step
"$alexnet" train --model alexnet-tiny --data "folder:$tmp/split" --epochs 1 --batch 8 \
  --val-size 8 --threads 2 --workers 1 --checkpoint-dir "$tmp/split-run1" > /dev/null 2>&1
check "one worker or two: the same losses at every step of a folder run" \
  "[ -n \"\$(grep '^step,' '$tmp/split-run/metrics.csv')\" ] && diff <(grep -E '^(step|epoch|test),' '$tmp/split-run/metrics.csv' | cut -d, -f1-3,5-7,9-13) <(grep -E '^(step|epoch|test),' '$tmp/split-run1/metrics.csv' | cut -d, -f1-3,5-7,9-13)"
"$alexnet" eval --checkpoint "$tmp/split-run/checkpoint.ankpt" --json > "$tmp/split-eval.json"
check "eval uses the folder's test split" "json '$tmp/split-eval.json' 'j[\"images\"] == 20'"
"$alexnet" bench --model alexnet-tiny --batch 8 --data "folder:$tmp/split" --workers 2 --json \
  > "$tmp/bench-data.json" 2> "$tmp/bench-data.err"
cat "$tmp/bench-data.json"
check "bench --data: the input pipeline's images/s over one epoch, peak memory" \
  "json '$tmp/bench-data.json' 'j[\"data_images\"] == 121 and j[\"workers\"] == 2 and j[\"data_images_per_second\"] > 0 and j[\"peak_rss_mib\"] > 0'"
check "bench --data names the image that does not decode" "grep -q zz-broken.png '$tmp/bench-data.err'"
for i in 1 2 3 4; do printf 'broken' > "$tmp/split/train/c6/zz-broken-$i.jpg"; done
"$alexnet" train --model alexnet-tiny --data "folder:$tmp/split" --epochs 1 --batch 8 \
  --val-size 8 --threads 2 --checkpoint-dir "$tmp/split-bad" > "$tmp/split-bad.out" 2>&1
rc=$?
cat "$tmp/split-bad.out"
check "more than 1% of images not decoding pauses the run with the reason (exit 1)" \
  "[ $rc -eq 1 ] && grep -q 'could not be read (more than 1%)' '$tmp/split-bad.out'"
check "the paused run wrote its checkpoint" "[ -s '$tmp/split-bad/checkpoint.ankpt' ]"
printf 'not a png' > "$tmp/split/test/c0/zz-broken.png"
for tc in "" --ten-crop; do
  "$alexnet" eval --checkpoint "$tmp/split-run/checkpoint.ankpt" --json $tc \
    > "$tmp/split-eval2.json" 2> "$tmp/split-eval2.err"
  check "eval $tc: a test image that does not decode is replaced and named" \
    "json '$tmp/split-eval2.json' 'j[\"images\"] == 21' && grep -q 'warning: .*test/c0/zz-broken.png' '$tmp/split-eval2.err'"
done

# The help is generated from the configuration's field table: every key of a run's configuration
# (the metrics file's header) is an option of train, named in its help.
"$alexnet" help > "$tmp/help.out"
check "alexnet help exits 0" "[ $? -eq 0 ]"
keys=$(sed -n 's/^# \([a-z_]*\)=.*/\1/p' "$tmp/run/metrics.csv")
check "the metrics header lists the configuration's keys" "[ $(echo "$keys" | wc -l) -ge 30 ]"
for key in $keys; do
  opt=--${key//_/-}
  check "$opt is an option of train and in the help" \
    "'$alexnet' train $opt 1 --help > /dev/null 2>&1 && grep -q -- '$opt[ )]' '$tmp/help.out'"
done
for opt in --early-stopping --delta --normalize --flip --crop --pca --min-lr --factor \
  --step-size --gamma --metrics --recipe --resume --quiet --ten-crop --top --zoom --steps; do
  check "help describes $opt" "grep -q -- '^  $opt ' '$tmp/help.out'"
done
check "help gives the ranges and the defaults" \
  "grep -q -- '--lr X .*(0, 10\]; default 0.01' '$tmp/help.out' && grep -q -- '--schedule NAME' '$tmp/help.out'"
"$alexnet" help train > "$tmp/help-train.out"
"$alexnet" train --help > "$tmp/train-help.out"
check "alexnet help train = alexnet train --help" "cmp -s '$tmp/help-train.out' '$tmp/train-help.out'"

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
usage classify --checkpoint x --top 0 y.png
usage frobnicate
usage help frobnicate
usage train --device cuda:0,1,2
usage train --device cuda:99999
usage train --flip maybe
usage train --plateau-cooldown -1
usage train stray
usage eval --checkpoint x --lr 0.1
usage train --pipeline dali
usage pack "folder:$tmp/bunt"

printf 'ANCKPT01garbage' > "$tmp/bad.ankpt"
"$alexnet" eval --checkpoint "$tmp/bad.ankpt" > "$tmp/bad.out" 2>&1
check "a corrupt checkpoint is refused with its name (exit 1)" "[ $? -eq 1 ] && grep -q bad.ankpt '$tmp/bad.out'"
"$alexnet" train --data "cifar10:$tmp/nowhere" --epochs 1 > "$tmp/nodata.out" 2>&1
check "a missing dataset fails naming the folder (exit 1)" "[ $? -eq 1 ] && grep -q nowhere '$tmp/nodata.out'"

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]

#!/usr/bin/env bash
# make demo — PPAD end to end on a machine with nothing downloaded:
# installs the build dependencies (Debian 12), builds ppad, writes a
# random-initialised backbone of CheXzero's architecture and a phantom chest
# X-ray dataset, trains PPAD's prompts with a reduced schedule, evaluates, and
# prints the metrics and where everything is.
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
OUT=${DEMO_OUT:-demo-out}
T0=$(date +%s)
say() { printf '\n== %s (%ds)\n' "$*" $(( $(date +%s) - T0 )); }

say "1/6 dependencies (build only)"
PPAD_NO_TEST_DEPS=1 bash tools/install-deps.sh
say "2/6 building"
make -j"$(nproc)" build/ppad >/dev/null
P=build/ppad
rm -rf "$OUT" && mkdir -p "$OUT"

say "3/6 random backbone of the CheXzero architecture (ViT-B/32, 151,277,313 parameters, fp16/fp32)"
$P random-model --out "$OUT/backbone.pt" --seed 0 --embed-std 1
$P info --weights "$OUT/backbone.pt" | sed 's/^/   /'

say "4/6 phantom chest X-rays (ZhangLab layout): 32 training normals, 40 + 40 test images"
$P phantom --out "$OUT/data" --normal 72 --abnormal 40 --train-normal 32 --seed 1 --quiet
$P synth --sheet 6 --image "$(ls "$OUT"/data/train/normal_256/*.png | head -n 1)" --out "$OUT/sas_examples.png" --seed 3

say "5/6 baselines: CheXzero zero-shot and PPAD's untrained initial prompts"
$P zeroshot --weights "$OUT/backbone.pt" --data "$OUT/data" --quiet | sed 's/^/   zero-shot:        /'
$P init-prompts --seed 0 --weights "$OUT/backbone.pt" --out "$OUT/initial_prompts.pt"
$P test --weights "$OUT/backbone.pt" --prompts "$OUT/initial_prompts.pt" --data "$OUT/data" --quiet \
  | sed 's/^/   initial prompts:  /'

say "6/6 training PPAD (reduced schedule: 32 shots, batch 32, 20 epochs, lr 0.05; the paper: 64, 64, 100, 0.001)"
$P train --weights "$OUT/backbone.pt" --data "$OUT/data" --out "$OUT/prompts.pt" --seed 0 \
  --shots 32 --batch 32 --epochs 20 --lr 0.05 --log "$OUT/train_log.csv" --scores "$OUT/scores.csv" --quiet \
  | sed 's/^/   trained prompts:  /'

cat <<TXT

Done in $(( $(date +%s) - T0 )) s. Outputs in $OUT/:
  backbone.pt        the random backbone (CheXzero's key names, shapes, fp16/fp32 layout)
  data/              phantom dataset: train/normal_256, test/normal_256, test/pneumonia_256
  sas_examples.png   what training sees: SAS lesions (top) and their masks (bottom)
  prompts.pt         trained prompts, released-PPAD layout (torch.load-able)
  train_log.csv      loss per step;   scores.csv   per-image scores of the test set

A RANDOM BACKBONE IS NO DIAGNOSTIC MODEL. The numbers above only show that the
pipeline runs and that the prompts learn; they say nothing about chest X-rays.

With CheXzero's real weights (best_64_0.0001_original_35000_0.864.pt) and a real dataset:
  build/ppad train --weights best_64_0.0001_original_35000_0.864.pt --data ZhangLab/ --out ppad_zhanglab.pt --runs 5
  build/ppad test  --weights best_64_0.0001_original_35000_0.864.pt --prompts ppad_zhanglab-run1.pt --data ZhangLab/
  build/ppad train --weights ... --data CheXpert/ --batch 128 --out ppad_chexpert.pt
  build/ppad train --weights ... --data VinCXR/   --batch 256 --out ppad_vindr.pt
  build/ppad predict --weights ... --prompts ppad_zhanglab.pt image1.png image2.jpg
(see README.md for the dataset layouts and every option)
TXT

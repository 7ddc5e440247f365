#!/usr/bin/env bash
# The four conditionings trained with one budget, side by side (the paper's comparison), then exported.
#
#   bash training/run_comparison.sh [ITERS] [PER_CELL]
#
# Needs training/work/dataset.npz (README: "Reproducing the models"). The four runs start together, one torch
# thread each, same seed (hence the same batches), and an iteration-based cosine schedule; on the 2-core
# development machine 1,200 iterations took 75 minutes. Each run is then evaluated on generated pieces
# (3 x 3 valence/arousal grid, PER_CELL pieces per cell, 512 tokens), exported to models/music_<c>.onnx with its
# card and cross-language vectors, and training/compare.py prints the table that README.md shows.
set -euo pipefail
cd "$(dirname "$0")/.."
ITERS=${1:-1200}
PER_CELL=${2:-4}
PY=${PYTHON:-.venv/bin/python}
CONDS=(continuous_concat continuous_token discrete_token none)
train_args() {
    echo "--conditioning=$1 --out_dir=training/runs/$1_eq --block_size=256 --batch_size=16 --max_iters=$ITERS" \
         "--time_budget_min=95 --eval_interval=200 --threads=1"
}

for c in "${CONDS[@]}"; do
    mkdir -p "training/runs/${c}_eq"
    # shellcheck disable=SC2046  # the arguments are words without spaces
    $PY -m training.train $(train_args "$c") > "training/runs/${c}_eq/train.out" 2>&1 &
done
wait
for c in "${CONDS[@]}"; do
    $PY -m training.evaluate --ckpt "training/runs/${c}_eq/best.pt" --out "training/runs/${c}_eq/eval.json" \
        --gen_len 512 --per_cell "$PER_CELL" --threads 1 > "training/runs/${c}_eq/eval.out" 2>&1 &
done
wait
for c in "${CONDS[@]}"; do
    $PY -m training.export --ckpt "training/runs/${c}_eq/best.pt" --name "music_$c" \
        --eval_json "training/runs/${c}_eq/eval.json" --train_command "python -m training.train $(train_args "$c")"
done
$PY -m training.label_ceiling --gen_len 512 --per_piece 4
$PY -m training.compare --runs training/runs --suffix _eq

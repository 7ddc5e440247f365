#!/usr/bin/env bash
# The shipped decoders: the four conditionings trained on one data set with one budget, side by side (the paper's
# comparison), evaluated, exported with their cards and cross-language vectors.
#
#   bash training/run_comparison.sh [ITERS] [PER_CELL]
#
# Data: POP909 arranged for the band and in its parallel mode, plus EMOPIA part A arranged for the band (sampled
# twice as often as its length alone would have it), every piece moved to the tonic C, labelled by
# models/valence_regressor.onnx (see training/run_ablation.sh for the measurements behind these choices). A quarter
# of the training windows start at the piece's <START>, as every generation does; no transposition. Every
# conditioned run learns the null condition (cfg_drop 0.1) for classifier-free guidance. The runs use one thread
# each and the same seed (hence the same batches) and cosine schedule; JOBS of them train at once (2 on the 2-core
# development machine, about 65 minutes a pair of 2,400 iterations); a stopped run resumes from its ckpt.pt, a
# finished one returns at once. Each is evaluated on the 3 x 3 valence/arousal grid (PER_CELL pieces a cell, 1,024
# tokens) at the guidance weights of GUIDANCE; training/compare.py prints the table README.md shows.
set -euo pipefail
cd "$(dirname "$0")/.."
ITERS=${1:-2400}
PER_CELL=${2:-4}
PY=${PYTHON:-.venv/bin/python}
GUIDANCE=${GUIDANCE:-1,1.5,2,3}
JOBS=${JOBS:-2}
DATA=${DATA:-ds_keynorm_emopia_band}
EXTRA=${EXTRA:---emopia_weight=2 --start_share=0.25 --transpose=0}
W=training/work
CONDS=(continuous_concat continuous_token discrete_token none)

[ -f $W/pop909_notes.pkl ] || $PY -m training.prep_pop909
[ -f $W/$DATA.npz ] || $PY -m training.build_dataset --emopia band --key-normalise --out $W/$DATA.npz

train_args() {
    local cfg_drop=0.1
    [ "$1" = none ] && cfg_drop=0
    echo "--conditioning=$1 --data=$W/$DATA.npz --out_dir=training/runs/$1_v3 --block_size=256 --batch_size=16" \
         "--max_iters=$ITERS --time_budget_min=300 --eval_interval=200 --threads=1 --cfg_drop=$cfg_drop $EXTRA"
}

train_and_evaluate() {
    local dir=training/runs/$1_v3
    mkdir -p "$dir"
    # shellcheck disable=SC2046  # the arguments are words without spaces
    $PY -m training.train $(train_args "$1") >> "$dir/train.out" 2>&1
    $PY -m training.evaluate --ckpt "$dir/best.pt" --dataset_json $W/$DATA.json --guidance "$GUIDANCE" \
        --per_cell "$PER_CELL" --out "$dir/eval.json" > "$dir/eval.out" 2>&1
}
for c in "${CONDS[@]}"; do
    train_and_evaluate "$c" &
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
done
wait
$PY -m training.label_ceiling --data $W/$DATA.npz --dataset_json $W/$DATA.json
for c in "${CONDS[@]}"; do
    dir=training/runs/${c}_v3
    # shellcheck disable=SC2046
    $PY -m training.export --ckpt "$dir/best.pt" --name "music_$c" --version 3 --dataset_json $W/$DATA.json \
        --eval_json "$dir/eval.json" --train_command "python -m training.train $(train_args "$c")"
done
$PY -m training.compare --runs training/runs --suffix _v3 --out training/results/conditioning_comparison.json

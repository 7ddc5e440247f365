#!/usr/bin/env bash
# The valence levers, one at a time, at one training budget: continuous_concat trained on four data sets, each run
# trained with the null condition (cfg_drop 0.1) so that guidance can be measured on it too.
#
#   bash training/run_ablation.sh [ITERS] [PER_CELL]
#
#   base          POP909 arranged, labelled by the new labeller (valence_regressor@2) only
#   parallel      + every song also in its parallel mode (paired contrast)
#   emopia_band   + EMOPIA part A's clips arranged for the band (human valence blended into the label), sampled 4x
#   emopia_piano  + the same clips left on the piano
#
# Each run is evaluated with guidance 1 (off), 2 and 3 on the 3 x 3 grid (PER_CELL pieces a cell, 1,024 tokens);
# training/compare.py prints the table. One run trains at a time (one thread); a stopped run resumes from its
# ckpt.pt. On the 2-core development machine a run of 1,600 iterations took about 50 minutes beside other work.
# The shipped decoders come from training/run_comparison.sh, which trains all conditionings on the chosen data set.
set -euo pipefail
cd "$(dirname "$0")/.."
ITERS=${1:-1600}
PER_CELL=${2:-4}
PY=${PYTHON:-.venv/bin/python}
W=training/work

[ -f $W/pop909_notes.pkl ] || $PY -m training.prep_pop909
[ -f $W/ds_base.npz ] || $PY -m training.build_dataset --no-parallel --out $W/ds_base.npz
[ -f $W/ds_parallel.npz ] || $PY -m training.build_dataset --out $W/ds_parallel.npz
[ -f $W/ds_parallel_emopia_band.npz ] || $PY -m training.build_dataset --emopia band --out $W/ds_parallel_emopia_band.npz
[ -f $W/ds_parallel_emopia_piano.npz ] || $PY -m training.build_dataset --emopia piano --out $W/ds_parallel_emopia_piano.npz

run() {  # name dataset extra-knobs...
    local name=$1 ds=$2
    shift 2
    local dir=training/runs/abl_$name
    mkdir -p "$dir"
    $PY -m training.train --conditioning=continuous_concat --data=$W/$ds.npz --out_dir="$dir" --block_size=256 \
        --batch_size=16 --max_iters="$ITERS" --time_budget_min=150 --eval_interval=200 --threads=1 --cfg_drop=0.1 \
        "$@" >> "$dir/train.out" 2>&1
    $PY -m training.evaluate --ckpt "$dir/best.pt" --dataset_json $W/$ds.json --guidance 1,2,3 \
        --per_cell "$PER_CELL" --out "$dir/eval.json" > "$dir/eval.out" 2>&1
}

run parallel ds_parallel
run emopia_band ds_parallel_emopia_band --emopia_weight=4
run emopia_piano ds_parallel_emopia_piano --emopia_weight=4
run base ds_base
$PY -m training.compare --runs training/runs --prefix abl_ --out training/results/valence_ablation.json

#!/usr/bin/env bash
# The valence levers, one left out at a time, at the shipped decoders' budget: continuous_concat trained exactly as
# training/run_comparison.sh trains the shipped one (POP909 arranged for the band, in its parallel mode, EMOPIA part A
# arranged for the band and sampled twice, every piece moved to the tonic C, a quarter of the windows from <START>,
# the null condition on 10 % of the rows, 2,400 iterations, the same seed and batches) but for one lever:
#
#   no_emopia     without EMOPIA part A (no human valence labels: the labeller's only)
#   no_parallel   without the parallel-mode copies of the POP909 songs (no paired contrast)
#   no_keynorm    without moving the pieces to C
#   no_start      without the windows from <START> (start_share 0)
#
#   bash training/run_ablation.sh [ITERS] [PER_CELL] [LEVERS...]      # default: 2400 8 no_emopia no_parallel
#
# The full recipe is the shipped decoder's run, training/runs/continuous_concat_v3 (run_comparison.sh); it is
# evaluated again here beside the others. Every run is evaluated with guidance 1 (off) and 2 (the served weight)
# on the 3 x 3 grid (PER_CELL pieces a cell, 1,024 tokens, the same seeds), every one measured on the full recipe's
# label scale; training/compare.py prints the table (training/results/valence_ablation.json). JOBS runs train at
# once, one thread each (2 on the 2-core development machine: about 90 minutes a pair); a stopped run resumes from
# its ckpt.pt, a finished one returns at once.
set -euo pipefail
cd "$(dirname "$0")/.."
ITERS=${1:-2400}
PER_CELL=${2:-8}
shift $(( $# > 2 ? 2 : $# ))
LEVERS=("$@")
[ ${#LEVERS[@]} -gt 0 ] || LEVERS=(no_emopia no_parallel)
PY=${PYTHON:-.venv/bin/python}
JOBS=${JOBS:-2}
W=training/work
FULL=ds_keynorm_emopia_band
SCALE=$W/$FULL.json

[ -f $W/pop909_notes.pkl ] || $PY -m training.prep_pop909
[ -f $W/$FULL.npz ] || $PY -m training.build_dataset --emopia band --key-normalise --out $W/$FULL.npz

dataset() {  # lever -> the data set it trains on, built when missing
    case $1 in
        no_emopia) [ -f $W/ds_keynorm.npz ] || $PY -m training.build_dataset --key-normalise --out $W/ds_keynorm.npz
                   echo ds_keynorm ;;
        no_parallel) [ -f $W/ds_keynorm_emopia_band_noparallel.npz ] || $PY -m training.build_dataset --emopia band \
                         --key-normalise --no-parallel --out $W/ds_keynorm_emopia_band_noparallel.npz
                     echo ds_keynorm_emopia_band_noparallel ;;
        no_keynorm) [ -f $W/ds_emopia_band.npz ] || $PY -m training.build_dataset --emopia band --out $W/ds_emopia_band.npz
                    echo ds_emopia_band ;;
        no_start) echo $FULL ;;
        *) echo "unknown lever $1" >&2; exit 2 ;;
    esac
}

evaluate() {  # run directory
    [ -f "$1/eval.json" ] || $PY -m training.evaluate --ckpt "$1/best.pt" --dataset_json $SCALE --guidance 1,2 \
        --per_cell "$PER_CELL" --out "$1/eval.json" > "$1/eval.out" 2>&1
}

run() {  # lever
    local dir=training/runs/abl_$1 ds start=0.25 emopia=--emopia_weight=2
    ds=$(dataset "$1") # built before the runs start, one at a time
    [ "$1" = no_start ] && start=0
    [ "$1" = no_emopia ] && emopia=
    mkdir -p "$dir"
    # shellcheck disable=SC2086  # $emopia is one word or none
    $PY -m training.train --conditioning=continuous_concat --data=$W/$ds.npz --out_dir="$dir" --block_size=256 \
        --batch_size=16 --max_iters="$ITERS" --time_budget_min=300 --eval_interval=200 --threads=1 --cfg_drop=0.1 \
        $emopia --start_share=$start --transpose=0 >> "$dir/train.out" 2>&1
    evaluate "$dir"
}

for lever in "${LEVERS[@]}"; do dataset "$lever" > /dev/null; done
mkdir -p training/runs/abl_full
for f in best.pt log.jsonl; do cp -n training/runs/continuous_concat_v3/$f training/runs/abl_full/ 2>/dev/null || true; done
for lever in "${LEVERS[@]}"; do
    run "$lever" &
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
done
wait
evaluate training/runs/abl_full
$PY -m training.compare --runs training/runs --prefix abl_ --out training/results/valence_ablation.json

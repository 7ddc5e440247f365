"""How well can evaluate.py's measurements see a piece's emotion label in a short excerpt at all?

evaluate.py scores generated excerpts (gen_len tokens, ~20-30 s) with the same measurements that labelled the
training pieces (the valence labeller, midi-emotion's arousal), but the labels were computed on whole pieces.
This script applies those measurements to real excerpts of the same length taken from held-out POP909 songs (in
their original and in their parallel mode) and correlates them with the pieces' labels: the correlation a perfect
generator could reach on that evaluation (its ceiling), per dimension. It also reports evaluate.py's listening
cues and the independent judge on the same real excerpts, the reference for generated music.

    python -m training.label_ceiling --data training/work/dataset.npz --dataset_json training/work/dataset.json
"""
import argparse
import json
from pathlib import Path

import numpy as np

from . import midi_tokens as mt
from .build_dataset import seconds
from .evaluate import CUES, measure
from .valence_judge import Judge


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="training/work/dataset.npz")
    ap.add_argument("--dataset_json", default="training/work/dataset.json")
    ap.add_argument("--gen_len", type=int, default=1024)
    ap.add_argument("--per_piece", type=int, default=4)
    ap.add_argument("--splits", default="1,3", help="1: held-out songs, 3: the same in the parallel mode")
    ap.add_argument("--out", default="training/results/label_ceiling.json")
    a = ap.parse_args()
    D = np.load(a.data)
    stats = json.loads(Path(a.dataset_json).read_text())
    judge = Judge()
    rng = np.random.default_rng(0)
    splits = [int(s) for s in a.splits.split(",")]
    lab_v, lab_a, rows, which = [], [], [], []
    for s in np.where(np.isin(D["split"][D["seq_piece"]], splits) & (D["stretch"] == 1.0))[0]:
        o, n, pc = D["offsets"][s], D["lengths"][s], D["seq_piece"][s]
        for _ in range(a.per_piece):
            start = 1 + int(rng.integers(0, max(1, n - 1 - a.gen_len)))
            notes = seconds(mt.tokens_to_notes([int(t) for t in D["tokens"][o + start: o + start + a.gen_len]]))
            if not notes:
                continue
            lab_v.append(float(D["valence"][pc]))
            lab_a.append(float(D["arousal"][pc]))
            rows.append(measure(notes, stats, judge))
            which.append(int(D["split"][pc]))
    lab_v, lab_a, which = np.array(lab_v), np.array(lab_a), np.array(which)

    def r(x, y):
        return float(np.corrcoef(x, y)[0, 1])
    res = {"splits": splits, "excerpts": len(rows), "gen_len": a.gen_len, "labeller": "models/valence_regressor.json",
           "valence_r": r(lab_v, [x["valence"] for x in rows]), "arousal_r": r(lab_a, [x["arousal"] for x in rows]),
           "judge_r_with_valence_label": r(lab_v, [x["judge_positive"] for x in rows]),
           "valence_label_sd": float(np.std(lab_v)), "arousal_label_sd": float(np.std(lab_a)),
           "real_excerpt_cues": {str(k): {c: float(np.mean([x[c] for x, w in zip(rows, which) if w == k]))
                                          for c in list(CUES) + ["judge_positive"]} for k in splits},
           # the reference for evaluate.py's cues_by_requested_valence: real excerpts grouped by their valence label
           "real_excerpt_cues_by_valence_label": {
               name: {c: float(np.mean([x[c] for x, keep in zip(rows, sel) if keep])) for c in list(CUES) + ["judge_positive"]}
               | {"excerpts": int(sel.sum())}
               for name, sel in (("below -1/3", lab_v < -1 / 3), ("-1/3 to 1/3", np.abs(lab_v) <= 1 / 3),
                                 ("above 1/3", lab_v > 1 / 3)) if sel.any()},
           "command": f"python -m training.label_ceiling --data {a.data} --dataset_json {a.dataset_json} "
                      f"--gen_len {a.gen_len} --per_piece {a.per_piece} --splits {a.splits}"}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1) + "\n")
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()

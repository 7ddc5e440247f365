"""How well can evaluate.py's measurements see a piece's emotion label in a short excerpt at all?

evaluate.py scores generated excerpts (gen_len tokens, ~10 s) with the same measurements that labelled
the training pieces (the VGMIDI valence regressor, midi-emotion's arousal), but the labels were computed
on whole pieces. This script applies those measurements to real excerpts of the same length taken from
held-out POP909 pieces and correlates them with the pieces' labels: the correlation a perfect generator
could reach on that evaluation (its ceiling), per dimension.

    python -m training.label_ceiling --gen_len 512 --per_piece 4
"""
import argparse
import json
from pathlib import Path

import numpy as np

from . import midi_tokens as mt
from .build_dataset import scaled_emotion, seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="training/work/dataset.npz")
    ap.add_argument("--dataset_json", default="training/work/dataset.json")
    ap.add_argument("--gen_len", type=int, default=512)
    ap.add_argument("--per_piece", type=int, default=4)
    ap.add_argument("--split", type=int, default=1, help="1: POP909 held-out songs, 0: training songs")
    ap.add_argument("--out", default="training/results/label_ceiling.json")
    a = ap.parse_args()
    D = np.load(a.data)
    stats = json.loads(Path(a.dataset_json).read_text())
    rng = np.random.default_rng(0)
    lab_v, lab_a, got_v, got_a = [], [], [], []
    for s in np.where((D["split"][D["seq_piece"]] == a.split) & (D["stretch"] == 1.0))[0]:
        o, n, pc = D["offsets"][s], D["lengths"][s], D["seq_piece"][s]
        for _ in range(a.per_piece):
            start = 1 + int(rng.integers(0, max(1, n - 1 - a.gen_len)))
            notes = seconds(mt.tokens_to_notes([int(t) for t in D["tokens"][o + start: o + start + a.gen_len]]))
            if not notes:
                continue
            lab_v.append(float(D["valence"][pc]))
            lab_a.append(float(D["arousal"][pc]))
            v, ar = scaled_emotion(notes, stats)
            got_v.append(v)
            got_a.append(ar)
    res = {"split": a.split, "excerpts": len(lab_v), "gen_len": a.gen_len,
           "valence_r": float(np.corrcoef(lab_v, got_v)[0, 1]), "arousal_r": float(np.corrcoef(lab_a, got_a)[0, 1]),
           "valence_label_sd": float(np.std(lab_v)), "arousal_label_sd": float(np.std(lab_a)),
           "command": f"python -m training.label_ceiling --gen_len {a.gen_len} --per_piece {a.per_piece} --split {a.split}"}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1) + "\n")
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()

"""How long must a window of POST /analyze's emotion curve be to show anything? A sweep of window lengths.

The curve measures each window as the training pieces were labelled (the valence labeller, midi-emotion's arousal;
emotion_features.curve_windows). The labeller was trained on whole pieces and clips; a window of a few seconds has
fewer notes, a less certain key and triads, and a noisier note density. This script measures, for each window length
(hop = half of it), how well single windows of EMOPIA part B's clips show their clip's human quadrant: the AUC of
window valence against the clip's valence sign, and of window arousal against its arousal sign. Part B never trained
the labeller (training/emopia.py splits by song). The whole clip (about 30 s) is the reference row.

    python -m training.analysis_windows [--data ../shared/data] [--out training/results/analysis_windows.json]
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np

from . import emopia
from . import emotion_features as ef


def auc(scores, labels):
    """Area under the ROC curve of scores for labels in {-1, +1} (ties count half)."""
    s, y = np.asarray(scores, dtype=float), np.asarray(labels) > 0
    pos, neg = s[y], s[~y]
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--windows", default="4,6,8,10,12,15")
    ap.add_argument("--out", default="training/results/analysis_windows.json")
    a = ap.parse_args()
    t_start = time.time()
    clips = [(c, emopia.piano_notes(c["path"])) for c in emopia.clips(a.data, "B")]
    clips = [(c, n) for c, n in clips if n]
    rows = []

    def measure(groups, name):
        """groups: [(clip, [notes of each window])] -> AUCs over all windows and over per-clip window means."""
        v, ar, vs, as_, mean_v, mean_a, clip_vs, clip_as, empty = [], [], [], [], [], [], [], [], 0
        for c, windows in groups:
            wv, wa = [], []
            for notes in windows:
                if not any(inst != "DRUMS" for inst, *_ in notes):
                    empty += 1
                    continue
                wv.append(ef.predict_valence(notes))
                wa.append(ef.arousal_raw(notes))
            v += wv
            ar += wa
            vs += [c["valence_sign"]] * len(wv)
            as_ += [c["arousal_sign"]] * len(wa)
            if wv:
                mean_v.append(np.mean(wv))
                mean_a.append(np.mean(wa))
                clip_vs.append(c["valence_sign"])
                clip_as.append(c["arousal_sign"])
        rows.append({"window_s": name, "windows": len(v), "windows_without_pitched_notes": empty,
                     "valence_auc": round(auc(v, vs), 4), "arousal_auc": round(auc(ar, as_), 4),
                     "mean_of_windows_valence_auc": round(auc(mean_v, clip_vs), 4),
                     "mean_of_windows_arousal_auc": round(auc(mean_a, clip_as), 4)})
        print(rows[-1], flush=True)

    measure([(c, [n]) for c, n in clips], "whole clip")
    for w in (float(x) for x in a.windows.split(",")):
        measure([(c, [wn for _, _, wn in ef.curve_windows(n, w, w / 2)]) for c, n in clips], w)
    res = {"clips": len(clips), "part": "B", "hop": "half the window", "rows": rows,
           "labeller": "models/valence_regressor.json", "runtime_s": round(time.time() - t_start, 1),
           "command": f"python -m training.analysis_windows --data {a.data} --windows {a.windows}"}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1) + "\n")


if __name__ == "__main__":
    main()

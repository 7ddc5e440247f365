"""The tries behind the valence labeller's configuration (train_valence.py makes the shipped one).

Each try is a feature subset, a model family and a weighting of the two human sources, scored by the same
10-fold cross-validation grouped by game series / song as train_valence.py, against VGMIDI's continuous labels
(r, MAE) and EMOPIA part A's quadrants (AUC). Part B is not read. Writes training/results/valence_tries.json,
which train_valence.py copies into the card.

    python -m training.valence_tries
"""
import argparse
import json
import warnings
from pathlib import Path

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from . import emotion_features as ef
from . import music_labels as ml
from .train_valence import FOLDS, model, report, source_weights

OUT = Path("training/results/valence_tries.json")
KK3 = ["kk_major_r", "kk_minor_r", "kk_major_minus_minor"]
TONAL = KK3 + ["key_clarity", "third_quality", "local_kk_major_minus_minor", "pc_entropy",
               "triad_major_minus_minor", "triad_fit", "dim_aug_share"]
HARMONY = TONAL + [f"harm_ic{k}" for k in range(1, 7)] + ["dyadic_consonance"]
ALL = list(ef.FEATURE_NAMES)


def ridge(alpha):
    return Pipeline([("scaler", StandardScaler()), ("ridge", Ridge(alpha=alpha))])


def mlp():
    return Pipeline([("scaler", StandardScaler()),
                     ("mlp", MLPRegressor(hidden_layer_sizes=(16,), alpha=3.0, max_iter=3000, learning_rate_init=3e-3,
                                          random_state=0))])


TRIES = [  # (name, columns, make model, balanced source weights)
    ("ridge (alpha 30), KK key profiles only", KK3, lambda: ridge(30.0), True),
    ("ridge (alpha 30), tonal + chord features", TONAL, lambda: ridge(30.0), True),
    ("ridge (alpha 30), tonal + chord + harmonic intervals", HARMONY, lambda: ridge(30.0), True),
    ("ridge (alpha 30), all features", ALL, lambda: ridge(30.0), True),
    ("MLP 16 hidden, all features (unweighted: MLPRegressor takes no sample weights)", ALL, mlp, False),
    ("gradient boosting, tonal + chord + harmonic intervals", HARMONY, model, True),
    ("gradient boosting, all features, unweighted (EMOPIA's clips outnumber VGMIDI's pieces 3.7 : 1)", ALL, model,
     False),
    ("gradient boosting, all features, sources weighted equally (shipped)", ALL, model, True),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    a = ap.parse_args()
    from sklearn.model_selection import GroupKFold
    pieces, targets = ml.labelled(a.data)
    X = ml.feature_matrix(pieces)
    y = np.array([p["valence"] for p in pieces])
    groups = np.array([p["group"] for p in pieces])
    balanced = source_weights(pieces)
    threshold = float(np.mean(targets))
    out = []
    for name, cols, make, weighted in TRIES:
        idx = [ef.FEATURE_NAMES.index(c) for c in cols]
        w = balanced if weighted else np.ones(len(y))
        pred = np.zeros(len(y))
        for tr, te in GroupKFold(n_splits=FOLDS).split(X, y, groups):
            m = make()
            step = m.steps[-1][0]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m.fit(X[tr][:, idx], y[tr], **({f"{step}__sample_weight": w[tr]} if weighted else {}))
            pred[te] = m.predict(X[te][:, idx])
        res = {"name": name, "features": len(cols), **report(np.clip(pred, -1, 1), pieces, threshold)}
        out.append(res)
        print(json.dumps(res), flush=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()

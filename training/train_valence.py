"""Train ARIA's symbolic-music valence labeller on human labels and export it to ONNX.

    python -m training.train_valence [--data ../shared/data]

Material (training/music_labels.py): VGMIDI's 200 pieces (continuous human valence) and EMOPIA part A's clips
(human quadrant; a sign put on VGMIDI's scale as the mean VGMIDI label of that sign). The two sources weigh
the same in total. Features: training/emotion_features.py (37 music-theory features of the whole piece).
Model: gradient boosting (the best of the tries in training/valence_tries.py, whose table the card repeats).

Figures in the card:
  - 10-fold cross-validation grouped by game series (VGMIDI) and by song (EMOPIA): r and MAE against VGMIDI's
    continuous labels, AUC and sign accuracy against the quadrants;
  - EMOPIA part B, never seen by the labeller: AUC and accuracy against its human quadrants, for this labeller
    and for the one it replaces.

Writes models/valence_regressor.onnx + .json (card) and training/tests/vectors/valence_regressor.json.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402
from sklearn.ensemble import GradientBoostingRegressor  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from . import emotion_features as ef  # noqa: E402
from . import music_labels as ml  # noqa: E402

ONNX_OUT = Path("models/valence_regressor.onnx")
CARD_OUT = ONNX_OUT.with_suffix(".json")
VEC_OUT = Path("training/tests/vectors/valence_regressor.json")
VERSION = 2
SEED = 0
FOLDS = 10
OPSET = 17


def model():
    return Pipeline([("scaler", StandardScaler()),
                     ("gbm", GradientBoostingRegressor(n_estimators=300, max_depth=3, learning_rate=0.03,
                                                       subsample=0.8, min_samples_leaf=8, random_state=SEED))])


def source_weights(pieces):
    """Each source (VGMIDI, EMOPIA part A) weighs the same in total."""
    src = np.array([p["source"] for p in pieces])
    return np.array([len(src) / (2.0 * (src == s).sum()) for s in src])


def fit(X, y, w):
    m = model()
    m.fit(X, y, gbm__sample_weight=w)
    return m


def grouped_cv(X, y, w, groups):
    """Out-of-fold predictions of 10-fold GroupKFold."""
    pred = np.zeros(len(y))
    for tr, te in GroupKFold(n_splits=FOLDS).split(X, y, groups):
        pred[te] = fit(X[tr], y[tr], w[tr]).predict(X[te])
    return np.clip(pred, -1, 1)


def sign_metrics(pred, sign, threshold):
    """Against human valence signs (+1/-1; 0 = tie, left out): AUC, accuracy at threshold, r with the sign."""
    ok = sign != 0
    p, s = pred[ok], sign[ok]
    return {"n": int(ok.sum()), "auc": round(float(roc_auc_score(s > 0, p)), 4),
            "accuracy": round(float(((p > threshold) == (s > 0)).mean()), 4),
            "r_with_sign": round(float(np.corrcoef(p, s)[0, 1]), 4),
            "positive_share": round(float((s > 0).mean()), 4)}


def continuous_metrics(pred, y):
    return {"n": len(y), "pearson_r": round(float(np.corrcoef(pred, y)[0, 1]), 4),
            "mae": round(float(np.abs(pred - y).mean()), 4)}


def report(pred, pieces, threshold):
    src = np.array([p["source"] for p in pieces])
    y = np.array([p["valence"] for p in pieces])
    sign = np.array([p["sign"] for p in pieces])
    vg = src == "vgmidi"
    return {"vgmidi": {**continuous_metrics(pred[vg], y[vg]), **sign_metrics(pred[vg], sign[vg], threshold)},
            "emopia_a": sign_metrics(pred[~vg], sign[~vg], threshold)}


def export_onnx(m, path):
    import onnx
    from onnx import TensorProto, helper
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType

    onx = convert_sklearn(m, initial_types=[("features", FloatTensorType([None, ef.N_FEATURES]))],
                          target_opset={"": OPSET, "ai.onnx.ml": 3})
    g = onx.graph
    raw = g.output[0].name
    g.initializer.extend([helper.make_tensor("lo", TensorProto.FLOAT, [], [-1.0]),
                          helper.make_tensor("hi", TensorProto.FLOAT, [], [1.0])])
    g.node.append(helper.make_node("Clip", [raw, "lo", "hi"], ["valence"]))
    del g.output[:]
    g.output.append(helper.make_tensor_value_info("valence", TensorProto.FLOAT, ["N", 1]))
    g.input[0].type.tensor_type.shape.dim[0].dim_param = "N"
    onx.doc_string = "ARIA valence labeller: emotion_features.features() -> valence in [-1, 1]"
    onnx.checker.check_model(onx, full_check=True)
    onnx.save(onx, str(path))
    return onx


def write_vectors(m, sess, X):
    scale = lambda steps: [["PIANO", 60 + s, round(i * 0.5, 3), round(i * 0.5 + 0.5, 3)]  # noqa: E731
                           for i, s in enumerate(steps)]
    note_cases = {"c_major_scale": scale([0, 2, 4, 5, 7, 9, 11, 12]),
                  "c_minor_scale": scale([0, 2, 3, 5, 7, 8, 10, 12])}
    rows = [X[int(i)] for i in np.linspace(0, len(X) - 1, 5).round()] + [np.zeros(ef.N_FEATURES)]
    rows += [ef.features([tuple(n) for n in v]) for v in note_cases.values()]
    vx = np.stack(rows).astype(np.float32)
    expected = np.clip(m.predict(vx.astype(np.float64)), -1, 1)
    got = sess.run(["valence"], {"features": vx})[0][:, 0]
    assert float(np.abs(expected - got).max()) < 1e-5
    VEC_OUT.parent.mkdir(parents=True, exist_ok=True)
    VEC_OUT.write_text(json.dumps({
        "model": str(ONNX_OUT), "feature_names": ef.FEATURE_NAMES, "tolerance": 1e-5,
        "features": [[float(v) for v in r] for r in vx], "expected_valence": [float(v) for v in expected],
        "note_cases": {k: {"notes": v, "features": [float(x) for x in ef.features([tuple(n) for n in v])]}
                       for k, v in note_cases.items()},
        "comment": "rows 0-4: training pieces' feature vectors; row 5: all-zero vector; rows 6-7: the note_cases. "
                   "Expected outputs from the float64 sklearn model on these float32 rows.",
    }, indent=1) + "\n")
    return float(np.abs(expected - got).max())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    a = ap.parse_args()
    t0 = time.time()
    pieces, targets = ml.labelled(a.data)
    part_b = ml.emopia_part(a.data, "B", targets)
    X, Xb = ml.feature_matrix(pieces), ml.feature_matrix(part_b)
    y = np.array([p["valence"] for p in pieces])
    w = source_weights(pieces)
    groups = np.array([p["group"] for p in pieces])
    threshold = float(np.mean(targets))  # halfway between the positive and the negative target
    print(f"{len(pieces)} labelled pieces ({sum(p['source'] == 'vgmidi' for p in pieces)} VGMIDI), "
          f"EMOPIA targets +{targets[0]:.3f} / {targets[1]:.3f}; part B {len(part_b)} clips", flush=True)

    cv = report(grouped_cv(X, y, w, groups), pieces, threshold)
    print("grouped CV:", json.dumps(cv), flush=True)
    sign_b = np.array([p["sign"] for p in part_b])
    old = None
    if ONNX_OUT.exists():  # the labeller this one replaces, on the same held-out clips
        old_card = json.loads(CARD_OUT.read_text())
        if old_card.get("id") == f"valence_regressor@{VERSION}":  # a rerun: keep the comparison with the previous one
            old = old_card["held_out_emopia_part_b"]["previous"]
        else:
            old_pred = ef.predict_valence_features(Xb, model_path=ONNX_OUT)
            old = {"id": old_card.get("id", "valence_regressor@1"),
                   **sign_metrics(old_pred, sign_b, float(np.median(old_pred)))}
    m = fit(X, y, w)
    pred_b = np.clip(m.predict(Xb), -1, 1)
    held_b = sign_metrics(pred_b, sign_b, threshold)
    print("EMOPIA part B (held out):", json.dumps(held_b), "previous labeller:", json.dumps(old), flush=True)

    import onnx
    import onnxruntime as ort
    export_onnx(m, ONNX_OUT)
    sess = ort.InferenceSession(str(ONNX_OUT), providers=["CPUExecutionProvider"])
    onnx_diff = float(np.abs(sess.run(["valence"], {"features": X.astype(np.float32)})[0][:, 0]
                             - np.clip(m.predict(X.astype(np.float32).astype(np.float64)), -1, 1)).max())
    vec_diff = write_vectors(m, sess, X)
    tries = Path("training/results/valence_tries.json")
    imp = m.named_steps["gbm"].feature_importances_
    card = {
        "id": f"valence_regressor@{VERSION}",
        "name": "valence_regressor",
        "task": "valence of a symbolic multi-instrument piece (note list) from music-theory features: the labeller "
                "of the music decoders' training pieces and of their evaluation",
        "file": str(ONNX_OUT),
        "onnx": {"opset": OPSET, "inputs": [{"name": "features", "dtype": "float32", "shape": ["N", ef.N_FEATURES]}],
                 "outputs": [{"name": "valence", "dtype": "float32", "shape": ["N", 1], "range": [-1.0, 1.0]}],
                 "standardisation": "inside the graph (ai.onnx.ml Scaler)",
                 "max_abs_diff_vs_sklearn": {"training_pieces": onnx_diff, "test_vectors": vec_diff}},
        "feature_extractor": "training/emotion_features.py: features(notes), notes = [(instrument, pitch, start_s, "
                             "end_s)], DRUMS ignored",
        "feature_names": ef.FEATURE_NAMES,
        "feature_doc": dict(ef.FEATURE_DOC),
        "model": {"type": "sklearn GradientBoostingRegressor on standardised features",
                  "params": {k: str(v) for k, v in m.named_steps["gbm"].get_params().items()},
                  "feature_importances": {ef.FEATURE_NAMES[i]: round(float(imp[i]), 4) for i in np.argsort(-imp)}},
        "labels": {
            "vgmidi": "200 pieces: mean over ~30 annotators of the mean of each annotator's per-measure valence curve",
            "emopia_part_a": f"{sum(p['source'] == 'emopia_A' for p in pieces)} clips of "
                             f"{len({p['group'] for p in pieces if p['source'] == 'emopia_A'})} songs: the human "
                             f"quadrant's valence sign put on VGMIDI's scale as the mean VGMIDI label of that sign: "
                             f"+ -> {targets[0]:.4f}, - -> {targets[1]:.4f}",
            "emopia_targets": {"positive": targets[0], "negative": targets[1]},
            "weights": "each source weighs half of the total",
            "emopia_split": "by song id (training/emopia.py): part A may train the labeller and the decoders; part B "
                            "only the independent judge; here part B is only a held-out test",
        },
        "cv": {"scheme": f"{FOLDS}-fold GroupKFold, groups = VGMIDI game series and EMOPIA songs; pooled out-of-fold "
                         "predictions", "figures": cv,
               "threshold_for_accuracy": threshold},
        "held_out_emopia_part_b": {"this": held_b, "previous": old},
        "tries": json.loads(tries.read_text()) if tries.exists() else None,
        "command": "python -m training.train_valence",
        "runtime_s": round(time.time() - t0, 1),
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__,
                     "scikit-learn": __import__("sklearn").__version__, "onnx": onnx.__version__,
                     "onnxruntime": ort.__version__},
        "data_credit": ["VGMIDI: L. N. Ferreira and J. Whitehead, 'Learning to Generate Music with Sentiment', ISMIR "
                        "2019", "EMOPIA: H.-T. Hung et al., 'EMOPIA: A Multi-Modal Pop Piano Dataset For Emotion "
                        "Recognition and Emotion-based Music Generation', ISMIR 2021 (CC BY 4.0)",
                        "Used only for training; no file of either is shipped."],
        "caveats": ["Trained on solo piano; applied to multi-instrument music (all non-drum notes pooled).",
                    "EMOPIA labels are quadrants: they carry the sign of valence, not its size."],
    }
    CARD_OUT.write_text(json.dumps(card, indent=1) + "\n")
    print(f"wrote {ONNX_OUT}, {CARD_OUT}, {VEC_OUT} in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()

"""Label the prepared pieces with (valence, arousal) and write the token data set for train.py.

Pieces: the arranged POP909 songs (prep_pop909.py) for training, every 20th song held out; the
real multi-instrument General MIDI files of ../shared/data/multi/ as a second held-out set that
tells whether the model learned ensembles (never trained on).

Labels, none of them human for these pieces:
  arousal - midi-emotion's definition: note density / number of instruments playing
            (emotion_features.arousal_raw), then outliers beyond 1.5 x IQR clipped and min-max
            scaled to [-1, 1] over the training pieces.
  valence - predicted by the VGMIDI-trained regressor (models/valence_regressor.onnx,
            emotion_features.predict_valence), scaled the same way.
The scaling constants are stored in the output (and in the model card) so that generated pieces
can be scored on the same scale.

Augmentation stored here: time stretch by 0.9, 1.0 and 1.1 (transposition happens in train.py).

    python -m training.build_dataset
"""
import argparse
import json
import pickle
from pathlib import Path

import numpy as np

from . import midi_tokens as mt
from . import vocab as V
from .emotion_features import arousal_raw, notes_from_midi, predict_valence

STRETCH = (0.9, 1.0, 1.1)


def robust_scaler(x):
    """(lo, hi) after clipping outliers beyond 1.5 x IQR; scale(x) = 2 (x - lo) / (hi - lo) - 1."""
    q1, q3 = np.percentile(x, [25, 75])
    lo, hi = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    x = np.clip(x, lo, hi)
    return float(x.min()), float(x.max())


def scale(x, lo_hi):
    lo, hi = lo_hi
    return np.clip(2 * (np.asarray(x) - lo) / (hi - lo) - 1, -1, 1)


def scaled_emotion(notes, stats):
    """(valence, arousal) of notes in seconds, measured as the training pieces were labelled and put on the labels'
    scale with the constants stored in the data set's JSON (stats)."""
    return (float(scale(predict_valence(notes), stats["valence_raw_scale"])),
            float(scale(arousal_raw(notes), stats["arousal_raw_scale"])))


def seconds(notes_ms):
    return [(i, p, s / 1000.0, e / 1000.0) for i, p, s, e in notes_ms]


def load_multi(data):
    pieces = []
    for f in sorted((data / "multi").rglob("*.mid")):
        try:
            notes = notes_from_midi(str(f))
        except Exception as ex:
            print(f"skip {f.name}: {ex}")
            continue
        notes = [(i, int(p), round(s * 1000), round(e * 1000)) for i, p, s, e in notes]
        if notes:
            pieces.append({"name": f"multi/{f.parent.name}/{f.stem}", "notes": notes})
    return pieces


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--pop909", default="training/work/pop909_notes.pkl")
    ap.add_argument("--out", default="training/work/dataset.npz")
    args = ap.parse_args()
    with open(args.pop909, "rb") as f:
        pop = pickle.load(f)
    for i, p in enumerate(pop):
        p["split"] = 1 if i % 20 == 19 else 0
    multi = load_multi(Path(args.data))
    for p in multi:
        p["split"] = 2
    pieces = pop + multi
    raw_v = np.array([predict_valence(seconds(p["notes"])) for p in pieces])
    raw_a = np.array([arousal_raw(seconds(p["notes"])) for p in pieces])
    train = np.array([p["split"] == 0 for p in pieces])
    v_lohi, a_lohi = robust_scaler(raw_v[train]), robust_scaler(raw_a[train])
    val, aro = scale(raw_v, v_lohi), scale(raw_a, a_lohi)

    chunks, offsets, lengths, seq_piece, stretch = [], [], [], [], []
    pos = 0
    for pi, p in enumerate(pieces):
        for s in STRETCH if p["split"] == 0 else (1.0,):
            notes = [(i, pt, st * s, en * s) for i, pt, st, en in p["notes"]]
            toks = np.array([V.START] + mt.notes_to_tokens(notes), dtype=np.int16)
            chunks.append(toks)
            offsets.append(pos)
            lengths.append(len(toks))
            seq_piece.append(pi)
            stretch.append(s)
            pos += len(toks)
    np.savez(args.out, tokens=np.concatenate(chunks), offsets=np.array(offsets), lengths=np.array(lengths),
             seq_piece=np.array(seq_piece), stretch=np.array(stretch), valence=val.astype(np.float32),
             arousal=aro.astype(np.float32), split=np.array([p["split"] for p in pieces]),
             names=np.array([p["name"] for p in pieces]))
    stats = {
        "pieces": {k: int(sum(p["split"] == k for p in pieces)) for k in (0, 1, 2)},
        "tokens_train": int(sum(l for l, sp in zip(lengths, seq_piece) if pieces[sp]["split"] == 0)),
        "valence_raw_scale": v_lohi, "arousal_raw_scale": a_lohi,
        "valence_train_mean_sd": [float(val[train].mean()), float(val[train].std())],
        "arousal_train_mean_sd": [float(aro[train].mean()), float(aro[train].std())],
        "valence_arousal_r": float(np.corrcoef(val[train], aro[train])[0, 1]),
    }
    mode = np.array([p.get("mode") == "min" for p in pop])
    stats["valence_major_minus_minor"] = float(val[: len(pop)][~mode].mean() - val[: len(pop)][mode].mean())
    Path(args.out).with_suffix(".json").write_text(json.dumps(stats, indent=1))
    print(json.dumps(stats, indent=1))


if __name__ == "__main__":
    main()

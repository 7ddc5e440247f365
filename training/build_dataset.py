"""Label the prepared pieces with (valence, arousal) and write the token data set for train.py.

Pieces (split ids in brackets):
  [0] training: the arranged POP909 songs (prep_pop909.py), each also in its parallel mode when the
      notes file has them, and, with --emopia band|piano, EMOPIA part A's clips (training/emopia.py),
      arranged for the band or left on the piano;
  [1] every 20th POP909 song held out, original version (the held-out set of every decoder so far);
  [3] the same held-out songs in the parallel mode;
  [2] the real multi-instrument General MIDI files of ../shared/data/multi/: tells whether the model
      learned ensembles (never trained on).

Labels:
  arousal - midi-emotion's definition: note density / number of instruments playing
            (emotion_features.arousal_raw), then outliers beyond 1.5 x IQR clipped and min-max
            scaled to [-1, 1] over the training pieces.
  valence - the labeller (models/valence_regressor.onnx, emotion_features.predict_valence; trained on
            VGMIDI and EMOPIA part A's human labels), scaled the same way. For EMOPIA clips, whose
            human quadrant is known, the raw value is the mean of the labeller's and the human one
            (the quadrant's sign on the labeller's scale, models/valence_regressor.json), so human
            and regressor labels share one scale before the common scaling.
The scaling constants are stored in the output (and in the model card) so that generated pieces
can be scored on the same scale.

Key normalisation (--key-normalise): every piece is moved (pitched notes only, by -5 ... +6 semitones) so that
its tonic is C: for POP909 the tonic of its longest annotated key segment (key_audio.txt; the parallel version
keeps its original's tonic, so a pair differs only in the 3rd, 6th and 7th degrees), for the other pieces the
tonic of the best-fitting Krumhansl-Kessler key. Major and minor are then the same pitch classes in every piece
(E, A, B against Eb, Ab, Bb), which a small decoder can tie to the valence condition; without it the decoder has
to find the tonic first, and at the CPU budget here it did not (see training/run_ablation.sh).

Augmentation stored here: time stretch by 0.9, 1.0 and 1.1 (transposition happens in train.py).

    python -m training.build_dataset [--emopia none|band|piano] [--no-parallel] [--out training/work/dataset.npz]
"""
import argparse
import json
import pickle
import random
from pathlib import Path

import numpy as np

from . import emopia
from . import keys
from . import midi_tokens as mt
from . import vocab as V
from .emotion_features import arousal_raw, notes_from_midi, predict_valence
from .prep_pop909 import read_keys

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
        notes = mt.to_ms(notes)
        if notes:
            pieces.append({"name": f"multi/{f.parent.name}/{f.stem}", "notes": notes})
    return pieces


def tonic(piece, data):
    if piece["name"].startswith("pop909/"):
        segments = read_keys(Path(data) / "pop909" / "POP909" / piece["song"] / "key_audio.txt")
        if segments:
            return max(segments, key=lambda k: k[1] - k[0])[2]
    return keys.estimated_tonic(piece["notes"])


def to_c(piece, data):
    """The piece moved so that its tonic is C (pitched notes by -5 ... +6 semitones); returns the shift applied."""
    shift = keys.shift_to_c(tonic(piece, data))
    piece["notes"] = keys.transposed(piece["notes"], shift)
    return shift


def load_emopia(data, how):
    """EMOPIA part A clips as training pieces, with their human valence on the labeller's raw scale."""
    targets = json.loads(Path("models/valence_regressor.json").read_text())["labels"]["emopia_targets"]
    human = {1: targets["positive"], -1: targets["negative"]}
    pieces = []
    for c in emopia.clips(data, "A"):
        notes = emopia.piano_notes(c["path"])
        if how == "band":
            notes = emopia.arrange(notes, random.Random(c["name"]))
        pieces.append({"name": c["name"], "notes": [(i, p, round(s * 1000), round(e * 1000)) for i, p, s, e in notes],
                       "split": 0, "human_valence": human[c["valence_sign"]], "quadrant": c["quadrant"]})
    return pieces


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--pop909", default="training/work/pop909_notes.pkl")
    ap.add_argument("--emopia", choices=("none", "band", "piano"), default="none")
    ap.add_argument("--no-parallel", dest="parallel", action="store_false",
                    help="leave out the parallel-mode versions (the paired-contrast ablation's baseline)")
    ap.add_argument("--key-normalise", dest="key_normalise", action="store_true",
                    help="move every piece so that its tonic is C (see the module's docstring)")
    ap.add_argument("--out", default="training/work/dataset.npz")
    args = ap.parse_args()
    with open(args.pop909, "rb") as f:
        pop = [p for p in pickle.load(f) if args.parallel or p["version"] == "original"]
    songs = sorted({p["song"] for p in pop})
    held_out = {s for i, s in enumerate(songs) if i % 20 == 19}
    for p in pop:
        p["split"] = 0 if p["song"] not in held_out else 1 if p["version"] == "original" else 3
    multi = load_multi(Path(args.data))
    for p in multi:
        p["split"] = 2
    extra = load_emopia(args.data, args.emopia) if args.emopia != "none" else []
    pieces = pop + extra + multi
    shifts = [to_c(p, args.data) if args.key_normalise else 0 for p in pieces]
    raw_v = np.array([predict_valence(seconds(p["notes"])) for p in pieces])
    for k, p in enumerate(pieces):
        if "human_valence" in p:
            raw_v[k] = 0.5 * raw_v[k] + 0.5 * p["human_valence"]
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
             names=np.array([p["name"] for p in pieces]), key_shift=np.array(shifts))
    stats = {
        "pieces": {k: int(sum(p["split"] == k for p in pieces)) for k in (0, 1, 2, 3)},
        "emopia": args.emopia, "emopia_pieces": len(extra), "key_normalised": args.key_normalise,
        "parallel_mode_pieces": int(sum(p.get("version") == "parallel" for p in pop)),
        "tokens_train": int(sum(l for l, sp in zip(lengths, seq_piece) if pieces[sp]["split"] == 0)),
        "valence_raw_scale": v_lohi, "arousal_raw_scale": a_lohi,
        "valence_train_mean_sd": [float(val[train].mean()), float(val[train].std())],
        "arousal_train_mean_sd": [float(aro[train].mean()), float(aro[train].std())],
        "valence_arousal_r": float(np.corrcoef(val[train], aro[train])[0, 1]),
    }
    mode = np.array([p.get("mode") == "min" for p in pop])
    stats["valence_major_minus_minor"] = float(val[: len(pop)][~mode].mean() - val[: len(pop)][mode].mean())
    index = {p["name"]: k for k, p in enumerate(pop)}
    pairs = [(index[p["name"]], index[p["name"] + "-parallel"]) for p in pop
             if p["version"] == "original" and p["name"] + "-parallel" in index]
    if pairs:  # label of the major version minus that of the minor version, over the pairs
        d = [val[a] - val[b] if pop[a]["mode"] == "maj" else val[b] - val[a] for a, b in pairs]
        stats["parallel_pairs"] = len(pairs)
        stats["valence_pair_major_minus_minor_mean_sd"] = [float(np.mean(d)), float(np.std(d))]
        stats["valence_pair_major_above_minor_share"] = float(np.mean(np.array(d) > 0))
    if extra:
        q = np.array([p["quadrant"] for p in extra])
        ev = val[len(pop): len(pop) + len(extra)]
        stats["emopia_valence_positive_minus_negative"] = float(ev[(q == 1) | (q == 4)].mean()
                                                                - ev[(q == 2) | (q == 3)].mean())
    Path(args.out).with_suffix(".json").write_text(json.dumps(stats, indent=1))
    print(json.dumps(stats, indent=1))


if __name__ == "__main__":
    main()

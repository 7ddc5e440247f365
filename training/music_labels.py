"""Human emotion labels of symbolic music, on one valence scale, for the labeller (train_valence.py) and its tries.

Two sources, both human:
  VGMIDI (Ferreira & Whitehead, ISMIR 2019): 200 solo-piano game pieces, each with ~30 annotators'
    per-measure valence curves in [-1, 1]. Label = mean over annotators of the mean of the curve.
    Grouped by game series (pieces of one series share a style).
  EMOPIA part A (training/emopia.py): clips with a human quadrant, so only the sign of valence.
    A sign is put on VGMIDI's scale as the mean VGMIDI label of the VGMIDI pieces whose own quadrant
    annotation has that sign (`emopia_targets`). Grouped by song.
EMOPIA part B is never read here except by `emopia_b`, which the labeller's card uses as a held-out test.

Features are training/emotion_features.py's 37 music-theory features of the whole piece, cached in
training/work/valence_features.npz (keyed by file path).
"""
import csv
import json
import re
from collections import defaultdict
from pathlib import Path

import numpy as np

from . import emotion_features as ef
from . import emopia

CACHE = Path("training/work/valence_features.npz")


def franchise(series, game):
    """Grouping key for VGMIDI: the series, or for series 'Other' the game's franchise."""
    if series != "Other":
        return series
    for key in ("Warcraft", "Age of Empires"):
        if key in game:
            return "Other:" + key
    return "Other:" + game


def vgmidi(data):
    """VGMIDI's labelled pieces: [{name, path, valence, arousal, sign (quadrant valence, 0 for a tie), group}]."""
    root = Path(data) / "vgmidi"
    quad, meta = defaultdict(list), {}
    for r in csv.DictReader(open(root / "vgmidi_labelled.csv", newline="")):
        midi = re.sub(r"_\d+\.mid$", ".mid", r["midi"].split("/")[-1])  # phrase rows name X_N.mid
        quad[midi].append(int(r["valence"]))
        meta[midi] = r
    pieces = []
    for k in (1, 2):
        d = json.load(open(root / "labelled" / "annotations" / f"vgmidi_raw_{k}.json"))
        per = defaultdict(list)
        for key, ann in d["annotations"].items():
            per[key.rsplit("_", 1)[0]].append(ann)
        for pk, p in d["pieces"].items():
            anns, r = per[pk], meta[p["midi"]]
            pieces.append({"name": "vgmidi/" + p["midi"], "path": str(root / "labelled" / "midi" / p["midi"]),
                           "valence": float(np.mean([np.mean(a["valence"]) for a in anns])),
                           "arousal": float(np.mean([np.mean(a["arousal"]) for a in anns])),
                           "sign": int(np.sign(sum(quad[p["midi"]]))), "source": "vgmidi",
                           "group": "vgmidi:" + franchise(r["series"], r["game"])})
    pieces.sort(key=lambda p: p["name"])
    assert len(pieces) == len(quad) == 200, "VGMIDI label join failed"
    return pieces


def emopia_targets(vg):
    """VGMIDI-scale valence of a positive and of a negative quadrant: the mean label of the VGMIDI pieces in it."""
    pos = [p["valence"] for p in vg if p["sign"] > 0]
    neg = [p["valence"] for p in vg if p["sign"] < 0]
    return float(np.mean(pos)), float(np.mean(neg))


def emopia_part(data, part, targets):
    pos, neg = targets
    return [{"name": c["name"], "path": c["path"], "valence": pos if c["valence_sign"] > 0 else neg,
             "sign": c["valence_sign"], "source": f"emopia_{part}", "group": "emopia:" + c["song"]}
            for c in emopia.clips(data, part)]


def labelled(data):
    """VGMIDI + EMOPIA part A, the labeller's training material, and the EMOPIA targets used."""
    vg = vgmidi(data)
    targets = emopia_targets(vg)
    return vg + emopia_part(data, "A", targets), targets


def feature_matrix(pieces):
    """[N, 37] float64 features of the pieces (whole files), cached by path."""
    cache = {}
    if CACHE.exists():
        z = np.load(CACHE, allow_pickle=False)
        cache = dict(zip(z["paths"].tolist(), z["features"]))
    missing = [p["path"] for p in pieces if p["path"] not in cache]
    for path in missing:
        cache[path] = ef.features(ef.notes_from_midi(path))
    if missing:
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        paths = sorted(cache)
        np.savez(CACHE, paths=np.array(paths), features=np.stack([cache[k] for k in paths]))
    return np.stack([cache[p["path"]] for p in pieces]).astype(np.float64)

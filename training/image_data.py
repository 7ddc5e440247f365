"""What the image-emotion scripts share: the rated image sets, the cached features, folds, metrics, the ridge.

Used by training/image_features.py (extraction), image_tries.py (the table of tries), train_image.py (the
shipped model) and export_image.py. Nothing here trains or exports anything by itself.

Rated sets (read-only, never committed; the card says where they come from):
  oasis  900 photographs, OASIS mean ratings 1..7       ($OASIS_DIR, default /work/shared/data/oasis)
  vaps   64 public-domain paintings, VAPS mean ratings  ($VAPS_DIR,  default /work/shared/data/vaps-pd)
Both map to [-1, 1] with (x - 4) / 3. Unrated: the six example paintings the service ships (src/main/...).
"""
from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold, KFold

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "training" / "work"
FEATURES = WORK / "features"
OASIS_DIR = Path(os.environ.get("OASIS_DIR", "/work/shared/data/oasis"))
VAPS_DIR = Path(os.environ.get("VAPS_DIR", "/work/shared/data/vaps-pd"))
EXAMPLES = ROOT / "src" / "main" / "resources" / "META-INF" / "resources" / "examples"
EXAMPLE_FILES = ["starry-night.jpg", "the-scream.jpg", "the-shipwreck.jpg", "the-great-wave.jpg",
                 "composition-vii.jpg", "udnie.jpg"]
# Human norms of two shipped examples (VAPS, as the data set's README gives them), mapped to [-1, 1]
EXAMPLE_NORMS = {"the-scream.jpg": (-0.29, 0.38), "starry-night.jpg": (0.33, -0.13)}
SEED = 0


# ----------------------------------------------------------------------------- rated sets
def family(theme: str) -> str:
    """OASIS theme family, the CV grouping key: the theme without its number ('Cat 14' -> 'cat')."""
    return re.sub(r"\s*\d+\s*$", "", theme.strip()).lower()


def oasis():
    """(paths, ids, groups, y [N, 2]) of OASIS; OASIS.csv is latin-1 with CR line endings."""
    text = (OASIS_DIR / "OASIS.csv").read_bytes().decode("latin-1").replace("\r\n", "\n").replace("\r", "\n")
    rows = list(csv.DictReader(io.StringIO(text)))
    themes = [r["Theme"].strip() for r in rows]
    y = np.array([[(float(r["Valence_mean"]) - 4) / 3, (float(r["Arousal_mean"]) - 4) / 3] for r in rows],
                 np.float32)
    return [OASIS_DIR / "images" / f"{t}.jpg" for t in themes], themes, [family(t) for t in themes], y


def vaps():
    """(paths, ids, groups, y [N, 2]) of the VAPS public-domain paintings; group = the painting itself."""
    rows = list(csv.DictReader(io.StringIO((VAPS_DIR / "ratings.csv").read_text(encoding="utf-8"))))
    y = np.array([[(float(r["valence_mean"]) - 4) / 3, (float(r["arousal_mean"]) - 4) / 3] for r in rows],
                 np.float32)
    ids = [r["file"] for r in rows]
    return [VAPS_DIR / "images" / f for f in ids], ids, ids, y


def examples():
    return [EXAMPLES / f for f in EXAMPLE_FILES], list(EXAMPLE_FILES), list(EXAMPLE_FILES), None


SOURCES = {"oasis": oasis, "vaps": vaps, "examples": examples}


# ----------------------------------------------------------------------------- cached features
def feature_path(source: str, extractor: str) -> Path:
    return FEATURES / f"{source}__{extractor}.npz"


def load_features(source: str, extractor: str) -> dict:
    """{part: [N, V, D] float32} of one cached extraction (training/image_features.py writes them)."""
    z = np.load(feature_path(source, extractor))
    return {k: z[k].astype(np.float32) for k in z.files if not k.startswith("_")}


# ----------------------------------------------------------------------------- folds and metrics
def group_folds(groups, k=5, seed=SEED):
    """Shuffled GroupKFold: no group (OASIS theme family) straddles a split."""
    return list(GroupKFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(len(groups)),
                                                                               groups=groups))


def plain_folds(n, k=8, seed=SEED):
    return list(KFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(n)))


def ccc(y, p) -> float:
    """Lin's concordance correlation coefficient (population moments)."""
    y, p = np.asarray(y, np.float64), np.asarray(p, np.float64)
    my, mp = y.mean(), p.mean()
    return float(2 * ((y - my) * (p - mp)).mean() / (y.var() + p.var() + (my - mp) ** 2))


def pearson(y, p) -> float:
    return float(np.corrcoef(np.asarray(y, np.float64), np.asarray(p, np.float64))[0, 1])


def interval(y, p, metric=ccc, n_boot=2000, seed=SEED):
    """(value, low, high): the metric and its 95 % percentile-bootstrap interval over items."""
    rng = np.random.default_rng(seed)
    y, p = np.asarray(y), np.asarray(p)
    idx = rng.integers(0, len(y), (n_boot, len(y)))
    boots = np.array([metric(y[i], p[i]) for i in idx])
    return metric(y, p), float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5))


# ----------------------------------------------------------------------------- ridge
class Ridge2:
    """Ridge for both targets on standardised features, with optional per-sample weights; the predictions of
    every alpha come from one eigendecomposition (of Z'WZ, or of the dual W^1/2 Z Z' W^1/2 when there are more
    features than samples)."""

    def fit(self, x, y, w=None, block_scale=None):
        w = np.ones(len(x)) if w is None else np.asarray(w, np.float64)
        w = w / w.mean()
        self.mu = (w[:, None] * x).sum(0) / w.sum()
        self.sd = np.sqrt((w[:, None] * (x - self.mu) ** 2).sum(0) / w.sum()) + 1e-6
        if block_scale is not None:  # a feature block scaled up is shrunk less
            self.sd = self.sd / block_scale
        z = ((x - self.mu) / self.sd).astype(np.float64)
        self.ym = (w[:, None] * y).sum(0) / w.sum()
        sw = np.sqrt(w)[:, None]
        zw, yw = z * sw, (y - self.ym) * sw
        self.dual = zw.shape[0] < zw.shape[1]
        if self.dual:
            self.evals, u = np.linalg.eigh(zw @ zw.T)
            self.proj = zw.T @ u
            self.uty = u.T @ yw
        else:
            self.evals, self.proj = np.linalg.eigh(zw.T @ zw)
            self.uty = self.proj.T @ (zw.T @ yw)
        return self

    def coef(self, alpha):
        """[D, 2] weights on standardised features, one alpha per target."""
        alpha = np.broadcast_to(np.asarray(alpha, np.float64), (2,))
        return np.stack([self.proj @ (self.uty[:, t] / (np.maximum(self.evals, 0) + alpha[t])) for t in range(2)],
                        1)

    def predict(self, x, alpha, scale=(1.0, 1.0)):
        z = (x - self.mu) / self.sd
        return self.ym + (z @ self.coef(alpha)) * np.asarray(scale)

"""Fitting the image-emotion model: a recipe (feature blocks, training sets, ridge, optional photo/painting gate)
fitted on chosen rows of the rated sets. Shared by image_tries.py (cross-validated tries) and train_image.py (the
shipped fit); no script of its own.

A recipe's model: one ridge per output on standardised, mirror-averaged frozen features (image_data.Ridge2),
ridge alpha per output and the CCC spread factor chosen by an inner grouped 5-fold CV of the training rows alone
(maximising the mean of the per-domain CCCs of the domains they hold). Gated recipes fit two such ridges, one on
photos (OASIS) and one on photos and paintings (tuned for the paintings), and a logistic photo-or-painting gate
on the same features; the prediction is (1 - gate) * photo ridge + gate * painting ridge, clamped to [-1, 1].
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from training import image_data as idata

ALPHAS = [10.0 ** e for e in np.arange(0, 5.51, 0.25)]
SCALES = np.arange(1.0, 2.01, 0.05)
PAINTING_FOLDS = 8
PARTS4 = ("last", "pre", "b320", "s16")
V1 = (("mobilenet_v2", PARTS4), ("efficientnet_lite0", PARTS4))
DINO = ("dino", ("cls9", "mean9", "cls10", "mean10", "cls11", "mean11"))


@dataclass
class Recipe:
    number: str
    name: str
    blocks: tuple = V1               # (extractor, parts[, scale]): a block scaled up is shrunk less by the ridge
    painting_weight: float = 0.0     # 0: no painting is fitted; else each VAPS painting counts this many photos
    styled: int = 0                  # style-augmented copies of each OASIS training photo (sources oasis_st<k>)
    styled_weight: float = 1.0
    calibrate: bool = True           # stretch the predictions' spread for CCC (the v1 model's calibration)
    gated: bool = False              # two ridges, a photo one (OASIS only) and a painting one (OASIS + paintings),
    #                                  mixed by a logistic photo-or-painting gate on the same features
    gate_c: float = 0.01             # inverse L2 strength of the gate's logistic regression
    styled_photo_expert: bool = True  # gated: the styled copies also train the photo ridge (else only the painting one)
    styled_painting_expert: bool = True  # gated: the styled copies train the painting ridge
    styled_gate: bool = False         # gated: the styled copies count as paintings for the gate
    gate_shares: tuple = (0.5, 0.25, 0.25)  # gate: total sample weight of photos, paintings, styled copies
    gate_shift: float = 0.0           # subtracted from the gate's logit: > 0 leans towards the photo ridge
    painting_only: bool = False       # gated: the painting ridge is fitted on the paintings alone (no photos)
    painting_tune: str = "paintings"  # gated: the painting ridge's alpha and spread maximise the CCC of the
    #                                   paintings alone ("paintings") or the mean over photos and paintings ("both")
    extra: dict = field(default_factory=dict)


class Features:
    """Mirror-averaged feature matrices of a recipe's blocks, per source (from the image_features.py cache)."""

    def __init__(self):
        self.cache = {}

    def block(self, source, extractor):
        key = (source, extractor)
        if key not in self.cache:
            self.cache[key] = idata.load_features(source, extractor)
        return self.cache[key]

    def x(self, source, blocks):
        cols, scales = [], []
        for b in blocks:
            extractor, parts = b[0], b[1]
            f = self.block(source, extractor)
            for p in parts:
                cols.append(f[p].mean(1))
                scales.append(np.full(f[p].shape[2], b[2] if len(b) > 2 else 1.0))
        return np.concatenate(cols, 1), np.concatenate(scales)


def ccc_cols(y, p):
    return [idata.ccc(y[:, k], p[:, k]) for k in range(2)]


def fit(x, y, w, groups, domain, evaluate, scale_blocks, calibrate):
    """Ridge with alpha per output and the spread factor chosen by inner grouped 5-fold CV of these rows alone.
    domain: 0 photo / 1 painting / 2 styled photo per row; evaluate: rows scored in the inner CV (photos and
    paintings, never the styled copies)."""
    inner = idata.group_folds(groups, seed=idata.SEED + 1)
    oof = np.zeros((len(ALPHAS), len(x), 2))
    for tr, va in inner:
        r = idata.Ridge2().fit(x[tr], y[tr], w[tr], scale_blocks)
        z = (x[va] - r.mu) / r.sd
        for a, alpha in enumerate(ALPHAS):
            oof[a, va] = r.ym + z @ r.coef(alpha)
    doms = [d for d in (0, 1) if np.any(evaluate & (domain == d))]

    def score(p, k):
        return np.mean([idata.ccc(y[evaluate & (domain == d), k], p[evaluate & (domain == d)]) for d in doms])

    best = [int(np.argmax([score(oof[a, :, k], k) for a in range(len(ALPHAS))])) for k in range(2)]
    alpha = [ALPHAS[best[0]], ALPHAS[best[1]]]
    scale = [1.0, 1.0]
    if calibrate:
        for k in range(2):
            p = oof[best[k], :, k]
            m = p[evaluate].mean()
            scale[k] = float(SCALES[np.argmax([score(m + s * (p - m), k) for s in SCALES])])
    return idata.Ridge2().fit(x, y, w, scale_blocks), alpha, scale


class Rows:
    """The rated pictures of a recipe as one table: features, labels, weights, groups, domain, evaluated flag."""

    def __init__(self, feats: Features, t: Recipe):
        self.t = t
        _, _, ofam, oy = idata.oasis()
        _, vids, _, vy = idata.vaps()
        self.xo, self.scales = feats.x("oasis", t.blocks)
        self.xv, _ = feats.x("vaps", t.blocks)
        self.xe, _ = feats.x("examples", t.blocks)
        self.xs = [feats.x(f"oasis_st{k}", t.blocks)[0] for k in range(t.styled)]
        self.oy, self.vy = oy, vy
        self.ofam = np.array(ofam)
        self.vids = np.array(vids)

    def train(self, oasis_idx, vaps_idx):
        t = self.t
        xs = [self.xo[oasis_idx]] + [s[oasis_idx] for s in self.xs]
        ys = [self.oy[oasis_idx]] * (1 + t.styled)
        ws = [np.ones(len(oasis_idx))] + [np.full(len(oasis_idx), t.styled_weight)] * t.styled
        gs = [self.ofam[oasis_idx]] * (1 + t.styled)
        dom = [np.zeros(len(oasis_idx), int)] + [np.full(len(oasis_idx), 2)] * t.styled  # 2: styled photo
        ev = [np.ones(len(oasis_idx), bool)] + [np.zeros(len(oasis_idx), bool)] * t.styled
        if t.painting_weight > 0 and len(vaps_idx):
            xs.append(self.xv[vaps_idx])
            ys.append(self.vy[vaps_idx])
            ws.append(np.full(len(vaps_idx), t.painting_weight))
            gs.append(np.char.add("painting:", self.vids[vaps_idx]))
            dom.append(np.ones(len(vaps_idx), int))
            ev.append(np.ones(len(vaps_idx), bool))
        cat = np.concatenate
        return cat(xs), cat(ys), cat(ws), cat(gs), cat(dom), cat(ev)

    def fit(self, oasis_idx, vaps_idx):
        """Fit on these OASIS and VAPS rows: (predict(x) -> [n, 2], description, linear form)."""
        x, y, w, g, d, e = self.train(oasis_idx, vaps_idx)
        if not self.t.gated:
            r, alpha, scale = fit(x, y, w, g, d, e, self.scales, self.t.calibrate)
            lin = linear_form(r.mu, r.sd, [ridge_head(r, alpha, scale)])
            return (lambda xq: predict(lin, xq)), {"alpha": alpha, "scale": scale}, lin
        photo = (d == 0) | ((d == 2) & self.t.styled_photo_expert)
        rp, ap, sp = fit(x[photo], y[photo], w[photo], g[photo], d[photo], e[photo], self.scales, self.t.calibrate)
        rows_q = ((d != 2) | self.t.styled_painting_expert) & ((d == 1) | (not self.t.painting_only))
        scored_q = e & (d == 1) if self.t.painting_tune == "paintings" else e
        rq, aq, sq = fit(x[rows_q], y[rows_q], w[rows_q], g[rows_q], d[rows_q], scored_q[rows_q], self.scales,
                         self.t.calibrate)
        on_gate = e | ((d == 2) & self.t.styled_gate)
        gate = fit_gate(x[on_gate], d[on_gate], self.t.gate_c, self.t.gate_shares)
        lin = linear_form(rp.mu, rp.sd, [ridge_head(rp, ap, sp), ridge_head(rq, aq, sq), gate])
        lin["bias"][4] -= self.t.gate_shift
        desc = {"alpha": ap, "scale": sp, "painting_alpha": aq, "painting_scale": sq}
        return (lambda xq: predict(lin, xq)), desc, lin


def ridge_head(r, alpha, scale):
    """(mu, sd, weight [D, 2], bias [2]) of a fitted ridge with its alphas and spread factors."""
    return r.mu, r.sd, r.coef(alpha) * np.asarray(scale), r.ym


def fit_gate(x, domain, c, shares=(0.5, 0.25, 0.25)):
    """Logistic photo (domain 0) / painting (1, and 2: styled photos) classifier on standardised features; the
    photos, paintings and styled photos weigh shares[0], [1], [2] in all (without styled photos: photos and
    paintings half each). (mu, sd, weight [D, 1], bias [1]) of its logit."""
    from sklearn.linear_model import LogisticRegression

    mu, sd = x.mean(0), x.std(0) + 1e-6
    share = {0: 0.5, 1: 0.5, 2: 0.0} if not np.any(domain == 2) else dict(enumerate(shares))
    sw = np.array([share[k] / np.sum(domain == k) for k in domain]) * len(domain)
    lr = LogisticRegression(C=c, max_iter=2000).fit((x - mu) / sd, (domain > 0).astype(int), sample_weight=sw)
    return mu, sd, lr.coef_[0][:, None], lr.intercept_


def linear_form(mu, sd, heads):
    """Every head re-expressed on one standardisation z = (x - mu) / sd: {mu, sd, weight [D, K], bias [K]}, the
    exported graph's last step (image_model.EmotionNet). K = 2, or 5 with a gate (photo v, a; painting v, a;
    gate logit)."""
    ws, bs = [], []
    for mu_h, sd_h, w_h, b_h in heads:
        ws.append((sd / sd_h)[:, None] * w_h)
        bs.append(((mu - mu_h) / sd_h) @ w_h + b_h)
    return {"mu": mu, "sd": sd, "weight": np.concatenate(ws, 1), "bias": np.concatenate(bs)}


def gate_of(lin, x):
    """The photo (0) / painting (1) gate of a gated linear form on features x."""
    z = (x - lin["mu"]) / lin["sd"]
    return 1 / (1 + np.exp(-(z @ lin["weight"][:, 4] + lin["bias"][4])))


def predict(lin, x):
    """What the exported graph computes after the features: [n, 2] valence, arousal in [-1, 1]."""
    y = ((x - lin["mu"]) / lin["sd"]) @ lin["weight"] + lin["bias"]
    if y.shape[1] == 5:
        q = gate_of(lin, x)[:, None]
        y = (1 - q) * y[:, 0:2] + q * y[:, 2:4]
    return np.clip(y, -1, 1)

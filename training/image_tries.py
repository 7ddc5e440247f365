"""The table of tries of the image-emotion model: every recipe scored on photos (OASIS) and paintings (VAPS).

    nice -n 19 .venv/bin/python -m training.image_tries            # every try (features from image_features.py)
    nice -n 19 .venv/bin/python -m training.image_tries --only 21 24

This is the experiment sweep; it makes no model. train_image.py refits the chosen recipe (its RECIPE) on all
rated pictures and export_image.py writes the ONNX file and the card, which quotes the figures this script leaves
in training/results/image_tries.json. Recipes and their fitting live in image_fit.py.

A try is a recipe (image_fit.Recipe): ridge maps on standardised, mirror-averaged frozen feature blocks, trained on
OASIS photos (optionally with style-augmented copies of them) and optionally on paintings, or two such ridges (photo,
painting) mixed by a photo-or-painting gate. Every try is scored twice, never on a picture it was fitted on:
  photos     5-fold GroupKFold over OASIS theme families (the v1 model's folds: 'Cat 1' .. 'Cat 14' never
             straddle a split); the training part also holds every VAPS painting when the try uses paintings.
             Mean and sd of the folds' CCC, as the v1 card reports them.
  paintings  a try that fits nothing on paintings is fitted on all of OASIS and applied to the 64 VAPS paintings;
             a try that uses paintings is scored by 8-fold CV over the paintings (each fold fitted on all of OASIS
             and the other 56 paintings). Pooled CCC and Pearson r of the 64 held-out predictions with 95 %
             percentile-bootstrap intervals (2,000 resamples of paintings).
Inside every fit, ridge alpha (per output) and the CCC spread factor are chosen by an inner grouped 5-fold CV
of the training part alone (image_fit.fit). Each try takes 1-8 minutes on the shared 2-core machine; tries 23, 34,
44, 45, 48-53 and 60 are defined but have not been run (no CPU time was left for them).
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict  # noqa: E402

import numpy as np  # noqa: E402

from training import image_data as idata  # noqa: E402
from training.image_fit import DINO, PARTS4, V1, Features, Recipe, Rows, gate_of, predict  # noqa: E402

RESULTS = idata.ROOT / "training" / "results" / "image_tries.json"
PAINTING_FOLDS = 8


def ccc_cols(y, p):
    return [idata.ccc(y[:, k], p[:, k]) for k in range(2)]


def shifted(lin, shift):
    out = dict(lin, bias=lin["bias"].copy())
    out["bias"][4] -= shift
    return out


def evaluate(feats: Features, t: Recipe) -> list:
    """The try's figures; a try with extra["shifts"] is fitted once and scored for each extra gate shift too
    (the shift changes no fit, only how the two ridges are mixed)."""
    t0 = time.time()
    rows = Rows(feats, t)
    n_o, n_v = len(rows.oy), len(rows.vy)
    all_o, all_v = np.arange(n_o), np.arange(n_v)
    photo_fits = [(te, rows.fit(tr, all_v)[2]) for tr, te in idata.group_folds(rows.ofam)]
    if t.painting_weight > 0:  # paintings: 8-fold CV when paintings are fitted, else applied directly
        painting_fits = [(te, rows.fit(all_o, tr)[2]) for tr, te in idata.plain_folds(n_v, PAINTING_FOLDS)]
    else:
        painting_fits = [(all_v, rows.fit(all_o, all_v)[2])]
    _, desc, final = rows.fit(all_o, all_v)
    seconds = round(time.time() - t0, 1)
    out = []
    for shift in [0.0] + list(t.extra.get("shifts", [])):
        tt = t if not shift else Recipe(**{**asdict(t), "number": f"{t.number}.{int(shift)}",
                                          "name": f"{t.name}, gate shifted by -{shift:g}",
                                          "gate_shift": t.gate_shift + shift, "extra": {}})
        out.append(summarise(rows, tt, [(te, shifted(m, shift)) for te, m in photo_fits],
                             [(te, shifted(m, shift)) for te, m in painting_fits], desc, shifted(final, shift),
                             seconds))
    return out


def summarise(rows, t, photo_fits, painting_fits, desc, final, seconds):
    n_o, n_v = len(rows.oy), len(rows.vy)
    oof_o, oof_v = np.zeros_like(rows.oy), np.zeros_like(rows.vy)
    gate_o, gate_v = np.zeros(n_o), np.zeros(n_v)
    per_fold = []
    for te, m in photo_fits:
        oof_o[te] = predict(m, rows.xo[te])
        if t.gated:
            gate_o[te] = gate_of(m, rows.xo[te])
        per_fold.append(ccc_cols(rows.oy[te], oof_o[te]))
    pf = np.array(per_fold)
    for te, m in painting_fits:
        oof_v[te] = predict(m, rows.xv[te])
        if t.gated:
            gate_v[te] = gate_of(m, rows.xv[te])
    ex = predict(final, rows.xe)
    gate_ex = gate_of(final, rows.xe).round(3).tolist() if t.gated else None
    res = {
        "try": asdict(t),
        "photos": {
            "ccc_valence": [round(float(pf[:, 0].mean()), 4), round(float(pf[:, 0].std(ddof=1)), 4)],
            "ccc_arousal": [round(float(pf[:, 1].mean()), 4), round(float(pf[:, 1].std(ddof=1)), 4)],
            "ccc_pooled": [round(v, 4) for v in ccc_cols(rows.oy, oof_o)],
            "per_fold": pf.round(4).tolist(),
            "held_out_at_clamp": int((np.abs(oof_o) >= 0.999).sum()),
            "held_out_max_abs": round(float(np.abs(oof_o).max()), 3),
        },
        "paintings": {
            "how": (f"{PAINTING_FOLDS}-fold CV over the 64 paintings" if t.painting_weight > 0
                    else "fitted on OASIS only, applied to all 64 paintings"),
            **{f"{m}_{dim}": [round(v, 4) for v in idata.interval(rows.vy[:, k], oof_v[:, k], fn)]
               for m, fn in (("ccc", idata.ccc), ("r", idata.pearson)) for k, dim in enumerate(("valence", "arousal"))},
            "prediction_sd": [round(float(s), 4) for s in oof_v.std(0)],
            "label_sd": [round(float(s), 4) for s in rows.vy.std(0)],
            "held_out_at_clamp": int((np.abs(oof_v) >= 0.999).sum()),
        },
        "final_fit": {"alpha": [round(a, 1) for a in desc["alpha"]], "scale": desc["scale"]},
        "examples": {f: [round(float(v), 3), round(float(a), 3)] for f, (v, a) in zip(idata.EXAMPLE_FILES, ex)},
        **({"gate": {"held_out_photos_mean": round(float(gate_o.mean()), 4),
                     "held_out_photos_above_half": int((gate_o > 0.5).sum()),
                     "held_out_paintings_mean": round(float(gate_v.mean()), 4),
                     "held_out_paintings_below_half": int((gate_v < 0.5).sum()),
                     "examples": dict(zip(idata.EXAMPLE_FILES, gate_ex))}} if t.gated else {}),
        "seconds": seconds,
    }
    p = res["paintings"]
    s = res["examples"]["the-scream.jpg"]
    if t.gated:
        print(f"    gate: held-out photos {gate_o.mean():.3f} ({(gate_o > 0.5).sum()} > 0.5), paintings "
              f"{gate_v.mean():.3f} ({(gate_v < 0.5).sum()} < 0.5); examples {gate_ex}")
    print(f"{t.number:>3} {t.name:<62} photos V {pf[:, 0].mean():.3f} A {pf[:, 1].mean():.3f} | paintings "
          f"V {p['ccc_valence'][0]:.3f} [{p['ccc_valence'][1]:.2f},{p['ccc_valence'][2]:.2f}] "
          f"A {p['ccc_arousal'][0]:.3f} [{p['ccc_arousal'][1]:.2f},{p['ccc_arousal'][2]:.2f}] "
          f"| Scream {s[0]:+.2f},{s[1]:+.2f} ({res['seconds']:.0f} s)", flush=True)
    return res


TRIES = [
    Recipe("20", "v1 recipe: MobileNetV2 + Lite0, 4 descriptors each, OASIS only"),
    Recipe("21", "v1 + art statistics (x3)", blocks=V1 + (("art", ("art",), 3.0),)),
    Recipe("22", "DINOv2 blocks 9-11, OASIS only", blocks=(DINO,)),
    Recipe("23", "v1 + DINOv2 blocks 9-11", blocks=V1 + (DINO,)),
    Recipe("24", "v1 + Magenta style vector", blocks=V1 + (("style", ("style",), 1.0),)),
    Recipe("25", "EfficientNet-Lite1 + Lite2, 4 descriptors each", blocks=(("efficientnet_lite1", PARTS4),
                                                                         ("efficientnet_lite2", PARTS4))),
    Recipe("30", "v1 + paintings (weight 1)", painting_weight=1.0),
    Recipe("31", "v1 + paintings (weight 4)", painting_weight=4.0),
    Recipe("32", "v1 + paintings (weight 10)", painting_weight=10.0),
    Recipe("33", "v1 + art (x3) + paintings (weight 4)", blocks=V1 + (("art", ("art",), 3.0),), painting_weight=4.0),
    Recipe("34", "v1 + DINOv2 + paintings (weight 4)", blocks=V1 + (DINO,), painting_weight=4.0),
    Recipe("40", "gated: v1 photo ridge | v1 painting ridge (weight 4)", painting_weight=4.0, gated=True),
    Recipe("41", "gated: v1 + art (x3), paintings weight 4", blocks=V1 + (("art", ("art",), 3.0),),
        painting_weight=4.0, gated=True),
    Recipe("42", "gated: v1 + art (x3), paintings weight 10", blocks=V1 + (("art", ("art",), 3.0),),
        painting_weight=10.0, gated=True),
    Recipe("43", "gated: v1 + art (x3), paintings weight 4, one styled copy of each photo as a painting for the gate",
           blocks=V1 + (("art", ("art",), 3.0),), painting_weight=4.0, gated=True, styled=1,
           styled_photo_expert=False, styled_painting_expert=False, styled_gate=True),
    Recipe("44", "as 43, painting ridge tuned on photos and paintings",
           blocks=V1 + (("art", ("art",), 3.0),), painting_weight=4.0, gated=True, styled=1,
           styled_photo_expert=False, styled_painting_expert=False, styled_gate=True, painting_tune="both"),
    Recipe("45", "as 44, paintings weight 10",
           blocks=V1 + (("art", ("art",), 3.0),), painting_weight=10.0, gated=True, styled=1,
           styled_photo_expert=False, styled_painting_expert=False, styled_gate=True, painting_tune="both"),
    Recipe("46", "gated: v1 + art (x3) photo ridge | painting ridge on the paintings alone; styled copy for the gate",
           blocks=V1 + (("art", ("art",), 3.0),), painting_weight=1.0, gated=True, styled=1, painting_only=True,
           styled_photo_expert=False, styled_painting_expert=False, styled_gate=True),
    Recipe("47", "as 46 without the art statistics", painting_weight=1.0, gated=True, styled=1, painting_only=True,
           styled_photo_expert=False, styled_painting_expert=False, styled_gate=True),
    Recipe("48", "as 47 + Magenta style vector (x3), gate without the styled copy", blocks=V1 + (("style", ("style",), 3.0),),
           painting_weight=1.0, gated=True, painting_only=True),
    Recipe("49", "as 46, gate C = 0.1", blocks=V1 + (("art", ("art",), 3.0),), painting_weight=1.0, gated=True,
           styled=1, painting_only=True, styled_photo_expert=False, styled_painting_expert=False, styled_gate=True,
           gate_c=0.1),
    Recipe("60", "as 46, gate weights photos 0.6, paintings 0.3, styled copies 0.1",
           blocks=V1 + (("art", ("art",), 3.0),), painting_weight=1.0, gated=True, styled=1, painting_only=True,
           styled_photo_expert=False, styled_painting_expert=False, styled_gate=True, gate_shares=(0.6, 0.3, 0.1)),
    Recipe("61", "as 46, painting ridge on the paintings (weight 30) and the photos (weight 1)",
           blocks=V1 + (("art", ("art",), 3.0),), painting_weight=30.0, gated=True, styled=1,
           styled_photo_expert=False, styled_painting_expert=False, styled_gate=True),
    Recipe("62", "as 46, art statistics on the 112 x 112 half-size picture (gate shifts below)", blocks=V1 + (("art", ("art",), 3.0),),
           painting_weight=1.0, gated=True, styled=1, painting_only=True, styled_photo_expert=False,
           styled_painting_expert=False, styled_gate=True, extra={"shifts": [1.0, 2.0, 3.0]}),
    Recipe("50", "v1 + 4 style-augmented copies of each photo (weight 0.5), OASIS only", styled=4, styled_weight=0.5),
    Recipe("51", "v1 + art (x3) + 4 styled copies (weight 0.5), OASIS only", blocks=V1 + (("art", ("art",), 3.0),),
        styled=4, styled_weight=0.5),
    Recipe("52", "v1 + art (x3) + 4 styled copies (0.5) + paintings (weight 4)", blocks=V1 + (("art", ("art",), 3.0),),
        styled=4, styled_weight=0.5, painting_weight=4.0),
    Recipe("53", "gated: v1 + art (x3), styled copies (0.5) in the painting ridge and the gate, paintings weight 4",
        blocks=V1 + (("art", ("art",), 3.0),), styled=4, styled_weight=0.5, painting_weight=4.0, gated=True,
        styled_photo_expert=False, styled_gate=True),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*", help="numbers of the tries to run (default: all)")
    args = ap.parse_args()
    feats = Features()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for t in TRIES:
        if args.only and t.number not in args.only:
            continue
        for res in evaluate(feats, t):
            results[res["try"]["number"]] = res
        RESULTS.write_text(json.dumps(dict(sorted(results.items(), key=lambda kv: float(kv[0]))), indent=1) + "\n")


if __name__ == "__main__":
    main()

"""Fit ARIA's shipped image-emotion model (valence, arousal) on every rated picture, with the chosen recipe.

    nice -n 19 .venv/bin/python -m training.image_features   # once: cached frozen features (~6 min here)
    nice -n 19 .venv/bin/python -m training.train_image      # this: the final fit -> training/work/image_final.npz
    nice -n 19 .venv/bin/python -m training.export_image     # ONNX file, model card, cross-language vectors

The recipe below is one row of the table of tries (training/image_tries.py, figures in
training/results/image_tries.json): the tries chose it by cross-validated figures on photos and paintings; this
script only refits it on all 900 OASIS photos and all 64 VAPS paintings. Labels: mean ratings (1..7) mapped to
[-1, 1] with (x - 4) / 3. What it writes is the model's every number after the frozen feature extractors: one
standardisation and one linear map (image_fit.linear_form), plus the recipe, for export_image.py.
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import json  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict  # noqa: E402

import numpy as np  # noqa: E402

from training import image_data as idata  # noqa: E402
from training.image_fit import PARTS4, Features, Recipe, Rows  # noqa: E402

FINAL = idata.WORK / "image_final.npz"

# The shipped recipe (= try 62.2 of image_tries.py): MobileNetV2 and EfficientNet-Lite0 descriptors plus the art
# statistics; a photo ridge fitted on the OASIS photos, a painting ridge fitted on the VAPS paintings alone, and a
# logistic photo-or-painting gate (photos against the paintings and one style-transferred copy of each photo) whose
# logit is shifted by -2 towards the photo ridge, which keeps the photos' figures at the v1 model's.
RECIPE = Recipe("62.2", "gated: photo ridge (OASIS) | painting ridge (VAPS alone), art statistics, styled gate, "
                "gate shifted by -2",
                blocks=(("mobilenet_v2", PARTS4), ("efficientnet_lite0", PARTS4), ("art", ("art",), 3.0)),
                painting_weight=1.0, painting_only=True, gated=True, styled=1, styled_photo_expert=False,
                styled_painting_expert=False, styled_gate=True, gate_shift=2.0)


def main():
    t0 = time.time()
    rows = Rows(Features(), RECIPE)
    _, desc, lin = rows.fit(np.arange(len(rows.oy)), np.arange(len(rows.vy)))
    idata.WORK.mkdir(parents=True, exist_ok=True)
    np.savez(FINAL, recipe=json.dumps(asdict(RECIPE)), desc=json.dumps(desc),
             **{k: np.asarray(v, np.float64) for k, v in lin.items()})
    print(f"fitted {RECIPE.name} on {len(rows.oy)} photos and {len(rows.vy)} paintings in {time.time() - t0:.0f} s: "
          f"{lin['weight'].shape[0]} features -> {lin['weight'].shape[1]} outputs; {desc}; wrote {FINAL}")


if __name__ == "__main__":
    main()

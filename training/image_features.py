"""Extract and cache frozen-backbone features of the OASIS images (run once; train_image.py reads the cache).

    /work/main/.venv/bin/python -m training.image_features          # ~18 min on one (shared) core

Reads (read-only) /work/shared/data/oasis (or $OASIS_DIR): OASIS.csv and images/<Theme>.jpg. Each image is
decoded like the service decodes uploads (training.image_model.load_rgb), resized to 224 x 224 with Pillow
BILINEAR, and seen through 20 views: the 12 deterministic test-time views of image_model.tta_views (full,
mirror, five 0.8 crops and their mirrors) and 8 random resized crops with random mirroring (training
augmentation, seeded per image). Both backbones run through ONNX Runtime (one thread; their ONNX exports
are written next to the cache) and every pooled descriptor is kept, float16, in
training/work/image_features.npz (git-ignored; OASIS images and anything derived from them are never
committed).
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import csv  # noqa: E402
import io  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
import torch  # noqa: E402

from training import image_model as im  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("OASIS_DIR", "/work/shared/data/oasis"))
WORK = ROOT / "training" / "work"
CACHE = WORK / "image_features.npz"
N_TTA = 12
N_AUG = 8
SEED = 0


def family(theme: str) -> str:
    """Theme family, the CV grouping key: the theme without its number ('Cat 14' -> 'cat')."""
    return re.sub(r"\s*\d+\s*$", "", theme.strip()).lower()


def load_oasis():
    """Rows of OASIS.csv (latin-1, CR line endings) as (theme, family, category, valence, arousal) in [-1, 1]."""
    text = (DATA / "OASIS.csv").read_bytes().decode("latin-1").replace("\r\n", "\n").replace("\r", "\n")
    rows = []
    for r in csv.DictReader(io.StringIO(text)):
        theme = r["Theme"].strip()
        rows.append((theme, family(theme), r["Category"], (float(r["Valence_mean"]) - 4) / 3,
                     (float(r["Arousal_mean"]) - 4) / 3))
    return rows


def backbone_sessions():
    sessions = {}
    x = torch.rand(2, 3, im.SIZE, im.SIZE)
    for name in im.BACKBONES:
        path = WORK / f"backbone_{name}.onnx"
        if not path.exists():
            torch.onnx.export(im.backbone(name), (x,), str(path), input_names=["x"], output_names=list(im.PARTS),
                              dynamic_axes={"x": {0: "n"}}, opset_version=17, dynamo=False)
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        sessions[name] = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    return sessions


def check_sessions(sessions, picture: torch.Tensor):
    """The ONNX backbones equal their PyTorch modules, and both recognise what is in the picture."""
    for name, sess in sessions.items():
        bb = im.backbone(name)
        with torch.no_grad():
            ref = bb(picture[None])
        for part, got, want in zip(im.PARTS, sess.run(None, {"x": picture[None].numpy()}), ref):
            err = float(np.abs(got - want.numpy()).max())
            assert err < 1e-3 * max(1.0, float(want.abs().max())), (name, part, err)


def main():
    torch.set_num_threads(1)
    WORK.mkdir(parents=True, exist_ok=True)
    rows = load_oasis()
    sessions = backbone_sessions()
    check_sessions(sessions, im.to_tensor(im.resized(im.load_rgb(DATA / "images" / f"{rows[0][0]}.jpg"))))
    n, v = len(rows), N_TTA + N_AUG
    feats = {}
    t0 = time.time()
    for i, (theme, *_rest) in enumerate(rows):
        x = im.to_tensor(im.resized(im.load_rgb(DATA / "images" / f"{theme}.jpg")))
        gen = torch.Generator().manual_seed(SEED * 100003 + i)
        views = torch.cat([im.tta_views(x[None], N_TTA), im.random_views(x, N_AUG, gen)]).numpy()
        for name, sess in sessions.items():
            for part, out in zip(im.PARTS, sess.run(None, {"x": views})):
                key = f"{name}__{part}"
                if key not in feats:
                    feats[key] = np.zeros((n, v, out.shape[1]), np.float16)
                feats[key][i] = out
        if (i + 1) % 50 == 0:
            print(f"{i + 1}/{n} images, {time.time() - t0:.0f} s", flush=True)
    np.savez_compressed(
        CACHE, themes=np.array([r[0] for r in rows]), families=np.array([r[1] for r in rows]),
        categories=np.array([r[2] for r in rows]), valence=np.array([r[3] for r in rows], np.float32),
        arousal=np.array([r[4] for r in rows], np.float32), n_tta=N_TTA, n_aug=N_AUG, **feats)
    print(f"wrote {CACHE} in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()

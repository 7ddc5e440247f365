"""Checks of models/image_emotion.onnx against its committed vectors (onnxruntime, onnx and Pillow; no torch).

The preprocessing below is the service's (dev.aria.emotion.OnnxEmotionEstimator) and training's
(training/image_model.py): upright RGB, alpha on white, Pillow BILINEAR resize straight to 224 x 224,
float32 / 255, NCHW.
"""
import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "image_emotion.onnx"
CARD = ROOT / "models" / "image_emotion.json"
VECTORS = json.loads((Path(__file__).resolve().parent / "vectors" / "image_emotion.json").read_text())
EXAMPLES = ROOT / "src" / "main" / "resources" / "META-INF" / "resources" / "examples"
SIZE = 224


@pytest.fixture(scope="module")
def session():
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    return ort.InferenceSession(str(MODEL), so, providers=["CPUExecutionProvider"])


def picture(path):
    img = ImageOps.exif_transpose(Image.open(path))
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = Image.alpha_composite(Image.new("RGBA", img.size, (255, 255, 255, 255)), img.convert("RGBA"))
    rgb = np.asarray(img.convert("RGB").resize((SIZE, SIZE), Image.BILINEAR), np.uint8)
    return rgb, (rgb.astype(np.float32) / 255.0).transpose(2, 0, 1)[None].copy()


def test_contract():
    assert MODEL.stat().st_size < 100 * 2 ** 20
    m = onnx.load(str(MODEL))
    onnx.checker.check_model(m, full_check=True)
    assert max(o.version for o in m.opset_import if o.domain in ("", "ai.onnx")) <= 17
    assert m.ir_version <= 8
    assert [i.name for i in m.graph.input] == ["image"]
    dims = [d.dim_value or d.dim_param for d in m.graph.input[0].type.tensor_type.shape.dim]
    assert dims[1:] == [3, SIZE, SIZE] and isinstance(dims[0], str)
    assert [o.name for o in m.graph.output] == ["valence", "arousal"]
    card = json.loads(CARD.read_text())
    assert f"{card['name']}@{card['version']}" == VECTORS["model"] == card["model_id"]
    assert hashlib.sha256(MODEL.read_bytes()).hexdigest() == VECTORS["onnx_sha256"]


@pytest.mark.parametrize("vec", VECTORS["paintings"], ids=lambda v: v["file"])
def test_painting_matches_vectors(session, vec):
    rgb, x = picture(EXAMPLES / vec["file"])
    assert hashlib.sha256(rgb.tobytes()).hexdigest() == vec["rgb_sha256"]
    assert int(rgb.astype(np.int64).sum()) == vec["rgb_byte_sum"]
    xd = x.astype(np.float64)
    assert xd.sum() == pytest.approx(vec["tensor_sum"], rel=1e-9)
    assert (xd * xd).sum() == pytest.approx(vec["tensor_sum_squares"], rel=1e-9)
    v, a = session.run(None, {"image": x})
    assert v.shape == a.shape == (1, 1)
    assert v[0, 0] == pytest.approx(vec["valence"], abs=1e-3)
    assert a[0, 0] == pytest.approx(vec["arousal"], abs=1e-3)


def test_batch_equals_singles_and_stays_in_range(session):
    xs = [picture(EXAMPLES / v["file"])[1] for v in VECTORS["paintings"][:2]]
    flat = [np.zeros_like(xs[0]), np.ones_like(xs[0])]
    batch = np.concatenate(xs + flat)
    v, a = session.run(None, {"image": batch})
    assert v.shape == a.shape == (4, 1)
    assert np.all(np.abs(v) <= 1) and np.all(np.abs(a) <= 1)
    for i, x in enumerate(xs + flat):
        sv, sa = session.run(None, {"image": x})
        assert sv[0, 0] == pytest.approx(v[i, 0], abs=1e-4)
        assert sa[0, 0] == pytest.approx(a[i, 0], abs=1e-4)


def test_paintings_get_distinct_points():
    points = {(round(v["valence"], 3), round(v["arousal"], 3)) for v in VECTORS["paintings"]}
    assert len(points) == len(VECTORS["paintings"])


def test_the_scream_reads_unpleasant_and_aroused(session):
    # people (VAPS norms): valence 3.13, arousal 5.14 on 1..7 -> (-0.29, +0.38); v1 read it as calm (+0.20, -0.42)
    v, a = session.run(None, {"image": picture(EXAMPLES / "the-scream.jpg")[1]})
    assert v[0, 0] < 0, v
    assert a[0, 0] > 0, a


def test_the_starry_night_reads_more_pleasant_than_the_scream(session):
    # people: The Starry Night (+0.33, -0.13), The Scream (-0.29, +0.38)
    (sv, sa), (cv, ca) = (session.run(None, {"image": picture(EXAMPLES / f)[1]})
                          for f in ("starry-night.jpg", "the-scream.jpg"))
    assert sv[0, 0] > cv[0, 0] + 0.2
    assert sv[0, 0] > 0


def plain_pictures():
    """Ordinary synthetic pictures: flat colours, a sky-like gradient, a checkerboard, smooth noise."""
    rng = np.random.default_rng(0)
    flats = {name: np.full((SIZE, SIZE, 3), rgb, np.uint8) for name, rgb in
             {"black": 0, "white": 255, "grey": 128, "red": (200, 30, 30), "green": (40, 160, 60),
              "blue": (30, 60, 200)}.items()}
    ramp = np.linspace(0, 1, SIZE)[:, None, None]
    flats["sky"] = (ramp * np.array([250, 200, 150]) + (1 - ramp) * np.array([60, 120, 220])).repeat(SIZE, 1)
    flats["checkerboard"] = (((np.arange(SIZE)[:, None] // 28 + np.arange(SIZE)[None] // 28) % 2) * 255)[..., None]
    flats["checkerboard"] = flats["checkerboard"].repeat(3, 2)
    noise = np.asarray(Image.fromarray((rng.random((14, 14, 3)) * 255).astype(np.uint8)).resize((SIZE, SIZE),
                                                                                                  Image.BILINEAR))
    flats["noise"] = noise
    return {k: (np.asarray(v, np.float32) / 255).transpose(2, 0, 1)[None].astype(np.float32) for k, v in flats.items()}


def test_ordinary_pictures_are_never_pinned_at_the_ends(session):
    for name, x in plain_pictures().items():
        v, a = session.run(None, {"image": x})
        assert abs(v[0, 0]) < 0.95 and abs(a[0, 0]) < 0.95, (name, v, a)

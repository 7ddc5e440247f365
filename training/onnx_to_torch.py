"""Rebuild the PyTorch MusicTransformer of a shipped decoder from its ONNX file alone.

Two layouts are read. The graph of training/onnx_graph.py names its initializers itself (`l0.qkv_w`, `tok_emb`, ...;
q's and k's head dimensions reordered and q scaled, which is undone here). Decoders exported earlier by
torch.onnx.export kept most parameters under their PyTorch names (prefixed `m.`) and the linear layers' weights
transposed under generated names, each found as the second input of the MatMul whose output the layer's bias is
added to (the output head, which has no bias, is the MatMul that makes `logits`).
The benchmark's PyTorch rows (bench/bench_decode.py) use this, so a fresh clone needs no checkpoint; so does
`python -m training.export --ckpt old.onnx`, which re-exports an earlier decoder's weights.

    python -m training.onnx_to_torch models/music_continuous_concat.onnx   # rebuilds and checks against ONNX Runtime
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch

from .model import GPTConfig, MusicTransformer


def load(onnx_path):
    import onnx
    from onnx import numpy_helper

    onnx_path = Path(onnx_path)
    card = json.loads(onnx_path.with_suffix(".json").read_text())
    arch = card["architecture"]
    cfg = GPTConfig(vocab_size=arch["vocab_size"], block_size=arch["block_size"], n_layer=arch["n_layer"],
                    n_head=arch["n_head"], n_embd=arch["n_embd"], d_condition=arch["d_condition"], dropout=0.0,
                    conditioning=card["conditioning"], null_condition=bool(arch.get("null_condition", False)))
    model = MusicTransformer(cfg).eval()
    g = onnx.load(str(onnx_path)).graph
    init = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    if "l0.qkv_w" in init:
        return _load_graph_layout(model, init)
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    state = {}
    for name, value in init.items():
        if name.startswith("m."):
            state[name[2:]] = value
    for n in g.node:
        if n.op_type != "MatMul" or n.input[1] not in init or n.input[1].startswith("m."):
            continue
        weight = init[n.input[1]].T
        if n.output[0] == "logits":
            state["head.weight"] = weight
            continue
        adds = [c for c in consumers.get(n.output[0], []) if c.op_type == "Add"]
        bias = next(i for c in adds for i in c.input if i.startswith("m.") and i.endswith(".bias"))
        state[bias[2:-len(".bias")] + ".weight"] = weight
    expected = set(model.state_dict())
    missing = expected - set(state)
    if missing:
        raise ValueError(f"{onnx_path}: no initializer for {sorted(missing)}")
    model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items() if k in expected})
    return model


def _load_graph_layout(model, init):
    """Weights from the initializers of training/onnx_graph.py's graph."""
    import math

    from .onnx_graph import _head_order
    cfg = model.cfg
    C, H = cfg.n_embd, cfg.n_head
    D = C // H
    T = lambda a: torch.from_numpy(np.array(a, dtype=np.float32))  # a writable copy  # noqa: E731
    state = {"tok_emb.weight": init["tok_emb"][:, : model.tok_emb.weight.shape[1]]}
    if cfg.conditioning == "continuous_concat":
        state["cond.weight"] = init["cond_w"][:, C - cfg.d_condition:].T
        state["cond.bias"] = init["cond_b"][C - cfg.d_condition:]
        if cfg.null_condition:
            state["null_cond"] = init["null_cond"][C - cfg.d_condition:]
    elif cfg.conditioning == "continuous_token":
        for k, name in enumerate(("cond_v", "cond_a")):
            state[f"{name}.weight"] = init[f"slot{k}_w"][k][:, None]
            state[f"{name}.bias"] = init[f"slot{k}_b"]
        if cfg.null_condition:
            state["null_v"], state["null_a"] = init["null_v"], init["null_a"]
    cols = np.concatenate([h * D + _head_order(D) for h in range(H)])
    inverse = np.concatenate([np.argsort(cols), C + np.argsort(cols), 2 * C + np.arange(C)])
    scale = np.concatenate([np.full(C, math.sqrt(D)), np.ones(2 * C)])
    for i in range(cfg.n_layer):
        p, q = f"l{i}.", f"blocks.{i}."
        state[q + "attn.qkv.weight"] = (init[p + "qkv_w"][:, inverse] * scale).T
        state[q + "attn.qkv.bias"] = init[p + "qkv_b"][inverse] * scale
        state[q + "attn.proj.weight"], state[q + "attn.proj.bias"] = init[p + "proj_w"].T, init[p + "proj_b"]
        state[q + "ln1.weight"], state[q + "ln1.bias"] = init[p + "ln1_w"], init[p + "ln1_b"]
        state[q + "ln2.weight"], state[q + "ln2.bias"] = init[p + "ln2_w"], init[p + "ln2_b"]
        state[q + "mlp.0.weight"], state[q + "mlp.0.bias"] = init[p + "fc_w"].T, init[p + "fc_b"]
        state[q + "mlp.2.weight"], state[q + "mlp.2.bias"] = init[p + "out_w"].T, init[p + "out_b"]
    state["ln_f.weight"], state["ln_f.bias"] = init["lnf_w"], init["lnf_b"]
    state["head.weight"] = init["head_w"].T
    model.load_state_dict({k: T(v) for k, v in state.items()})
    return model


def main():
    from .export import vector_run

    path = Path(sys.argv[1])
    model = load(path)
    _, worst = vector_run(model, path)
    print(f"{path}: rebuilt {sum(p.numel() for p in model.parameters())} parameters; max |ORT - torch| {worst:.2e}")
    assert worst <= 1e-4


if __name__ == "__main__":
    main()

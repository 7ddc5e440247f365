"""Rebuild the PyTorch MusicTransformer of a shipped decoder from its ONNX file alone.

The export keeps every parameter as an initializer: most under their PyTorch name (prefixed `m.`), the weights of
the linear layers transposed under generated names (`onnx::MatMul_N`), each found as the second input of the MatMul
whose output the layer's bias is added to (the output head, which has no bias, is the MatMul that makes `logits`).
The benchmark's PyTorch rows (bench/bench_decode.py) use this, so a fresh clone needs no checkpoint.

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


def main():
    from .export import vector_run

    path = Path(sys.argv[1])
    model = load(path)
    _, worst = vector_run(model, path)
    print(f"{path}: rebuilt {sum(p.numel() for p in model.parameters())} parameters; max |ORT - torch| {worst:.2e}")
    assert worst <= 1e-4


if __name__ == "__main__":
    main()

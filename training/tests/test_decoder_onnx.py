"""Each shipped decoder, run in ONNX Runtime, reproduces the PyTorch logits committed with it (<= 1e-4)."""
import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

MODELS = sorted((ROOT / "models").glob("music_*.onnx"))


def test_at_least_one_decoder_is_shipped():
    assert MODELS, "models/ holds no music_*.onnx"


@pytest.mark.parametrize("onnx_path", MODELS, ids=[p.stem for p in MODELS])
def test_decoder_matches_committed_vectors_step_by_step(onnx_path):
    card = json.loads(onnx_path.with_suffix(".json").read_text())
    vec = json.loads((ROOT / card["onnx_runtime_check"]["vectors"]).read_text())
    assert vec["model"] == onnx_path.name
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    arch = card["architecture"]
    hd = arch["n_embd"] // arch["n_head"]
    past = {f"past_key_values.{i}.{kv}": np.zeros((1, arch["n_head"], 0, hd), np.float32)
            for i in range(arch["n_layer"]) for kv in ("key", "value")}
    names = [o.name for o in sess.get_outputs()]
    for step in vec["steps"]:
        feeds = {"input_ids": np.array([step["input_ids"]], dtype=np.int64), **past}
        if vec["condition"] is not None:
            feeds["condition"] = np.array([vec["condition"]], dtype=np.float32)
        out = dict(zip(names, sess.run(None, feeds)))
        got = out["logits"][0, -1]
        assert np.abs(got - np.array(step["last_logits"], dtype=np.float32)).max() <= vec["tolerance"]
        past = {k.replace("present", "past_key_values"): v for k, v in out.items() if k.startswith("present")}

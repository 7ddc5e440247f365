"""Each shipped decoder, run in ONNX Runtime with the fixed-capacity cache of training/onnx_decoder.py (the Python twin
of the service's engine), reproduces the PyTorch logits committed with it (<= 1e-4), for two streams at different
lengths sharing the calls."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from training.onnx_decoder import OnnxDecoder, card_path  # noqa: E402

# every decoder file: the float32 ones and their 8- and 4-bit quantisations (music_<conditioning>.int8.onnx, .int4.onnx)
MODELS = sorted((ROOT / "models").glob("music_*.onnx"))


def test_at_least_one_decoder_is_shipped():
    assert MODELS, "models/ holds no music_*.onnx"


@pytest.mark.parametrize("onnx_path", MODELS, ids=[p.stem for p in MODELS])
def test_decoder_matches_committed_vectors_call_by_call(onnx_path):
    card = json.loads(card_path(onnx_path).read_text())
    precision = onnx_path.suffixes[0][1:] if len(onnx_path.suffixes) > 1 else None  # int8, int4 or none
    check = card[precision] if precision else card["onnx_runtime_check"]
    vec = json.loads((ROOT / check["vectors"]).read_text())
    assert vec["model"] == onnx_path.name
    dec = OnnxDecoder(onnx_path)
    assert dec.capacity == vec["cache_capacity"]
    cache, lengths = dec.cache(2), [0, 0]
    for call in vec["calls"]:
        rows = call["rows"]
        cond = [vec["condition"]] * len(rows) if vec["condition"] else None
        mask = [vec["condition_mask"][r] for r in rows] if vec["condition_mask"] else None
        got = dec.run(call["input_ids"], lengths, cache, cond, mask, rows=rows)
        for b in range(len(rows)):
            want = np.array(call["last_logits"][b], dtype=np.float32)
            assert np.abs(got[b, -1] - want).max() <= vec["tolerance"], (call, b)
    assert lengths[1] > lengths[0]  # the streams really were at different positions

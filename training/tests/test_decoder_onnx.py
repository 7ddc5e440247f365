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


@pytest.mark.parametrize("onnx_path", MODELS, ids=[p.stem for p in MODELS])
def test_a_row_computes_the_same_logits_whoever_shares_the_call(onnx_path):
    """Same seed => same piece whoever else is decoding: a stream's logits alone and beside three others at other
    lengths must be equal to the bit. (ONNX Runtime 1.29's MatMulNBits breaks this for blocks of 128 weights.)"""
    dec = OnnxDecoder(onnx_path)
    cond = [0.5, 0.1] if "condition" in dec.inputs else None
    mask = 1.0 if "condition_mask" in dec.inputs else None
    toks = np.random.default_rng(0).integers(3, 800, size=(4, 60))

    def conds(n):
        return [cond] * n if cond else None

    def masks(n):
        return [mask] * n if mask is not None else None

    alone, alone_len = dec.cache(1), [0]
    dec.run(toks[:1, :30], alone_len, alone, conds(1), masks(1))
    shared, shared_len = dec.cache(4), [0] * 4
    for r, n in ((0, 30), (1, 7), (2, 19), (3, 52)):
        dec.run(toks[r:r + 1, :n], shared_len, shared, conds(1), masks(1), rows=[r])
    for t in range(30, 40):
        a = dec.run(toks[:1, t:t + 1], alone_len, alone, conds(1), masks(1))
        b = dec.run([[toks[0, t]], [5], [6], [7]], shared_len, shared, conds(4), masks(4))
        assert np.array_equal(a[0], b[0]), t

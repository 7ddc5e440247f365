"""A decoder exported by export.py, run with ONNX Runtime over a fixed-capacity key/value cache: the Python twin of
the Java service's decoding engine (dev.aria.music), used by the export check, the tests and the benchmark.

The graph's contract (names as ONNX Runtime GenAI / Optimum decoders):
  inputs   input_ids [B, T] int64, position_ids [B, T] int64, attention_mask [B, S + T] int64 (1 = attend; the
           first S entries are the cache slots, the last T the new tokens, attended causally), condition [B, 2]
           float32 (continuous decoders), condition_mask [B] float32 (decoders with a null condition: 1 = the
           emotion, 0 = the null condition), past_key_values.N.key|value [B, H, S, D] float32
  outputs  logits [B, T, V], present.N.key|value [B, H, T, D]: the keys and values of the T new tokens only; the
           caller writes them into its cache at the new tokens' positions (a shared past/present buffer).
S is the cache capacity (the trained window); every row keeps its own length, so rows at different positions share
one call. Unused slots hold zeros (never NaN: a masked slot still meets a multiplication by zero).
"""
import json
from pathlib import Path

import numpy as np


def card_path(onnx_path):
    """A decoder's card: music_x.json for music_x.onnx and for its quantised variants (music_x.int8.onnx,
    music_x.int4.onnx)."""
    p = Path(onnx_path)
    return p.with_name(p.name.split(".")[0] + ".json")


class OnnxDecoder:
    def __init__(self, onnx_path, threads=1):
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        self.sess = ort.InferenceSession(str(onnx_path), so, providers=["CPUExecutionProvider"])
        card = json.loads(card_path(onnx_path).read_text())
        a = card["architecture"]
        self.layers, self.heads = a["n_layer"], a["n_head"]
        self.head_dim = a["n_embd"] // a["n_head"]
        self.capacity = a["block_size"]
        self.inputs = {i.name for i in self.sess.get_inputs()}

    def cache(self, rows):
        """Zeroed cache for `rows` streams: per layer [key, value], each [rows, H, S, D]."""
        shape = (rows, self.heads, self.capacity, self.head_dim)
        return [[np.zeros(shape, np.float32), np.zeros(shape, np.float32)] for _ in range(self.layers)]

    def run(self, ids, lengths, cache, condition=None, condition_mask=None, rows=None):
        """Feeds ids [B, T] to the streams `rows` (default 0..B-1) of `cache`, whose filled lengths are `lengths`
        (list, updated in place); writes the new keys/values into the cache; returns logits [B, T, V]."""
        ids = np.asarray(ids, dtype=np.int64)
        B, T = ids.shape
        rows = list(range(B)) if rows is None else list(rows)
        pos = np.array([[lengths[r] + t for t in range(T)] for r in rows], dtype=np.int64)
        mask = np.zeros((B, self.capacity + T), dtype=np.int64)
        for b, r in enumerate(rows):
            mask[b, :lengths[r]] = 1
        mask[:, self.capacity:] = 1
        feeds = {"input_ids": ids, "position_ids": pos, "attention_mask": mask}
        if "condition" in self.inputs:
            feeds["condition"] = np.asarray(condition, dtype=np.float32).reshape(B, 2)
        if "condition_mask" in self.inputs:
            feeds["condition_mask"] = np.asarray(condition_mask, dtype=np.float32).reshape(B)
        for i in range(self.layers):
            feeds[f"past_key_values.{i}.key"] = cache[i][0][rows]
            feeds[f"past_key_values.{i}.value"] = cache[i][1][rows]
        out = self.sess.run(None, feeds)
        for i in range(self.layers):
            for b, r in enumerate(rows):
                cache[i][0][r, :, lengths[r]:lengths[r] + T] = out[1 + 2 * i][b]
                cache[i][1][r, :, lengths[r]:lengths[r] + T] = out[2 + 2 * i][b]
        for r in rows:
            lengths[r] += T
        return out[0]

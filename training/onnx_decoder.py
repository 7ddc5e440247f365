"""A decoder exported by export.py, run with ONNX Runtime over a fixed-capacity key/value cache: the Python twin of
the Java service's decoding engine (dev.aria.music), used by the export check, the tests and the benchmark.

The graph's contract (names as ONNX Runtime GenAI / Optimum decoders):
  inputs   input_ids [B, T] int64, position_ids [B, T] int64 (each row's slots: its filled length + t; the graph
           takes a row's length from its last position), condition [B, 2] float32 (continuous decoders),
           condition_mask [B] float32 (decoders with a null condition: 1 = the emotion, 0 = the null condition),
           past_key_values.N.key|value [B, H, S, D] float32
  outputs  logits [B, T, V], present.N.key|value [B, H, S, D]: bound to the same memory as past_key_values.N.*
           (a shared buffer), into which ONNX Runtime writes the new tokens' keys and values at their positions.
S is the cache capacity (the trained window); every row keeps its own length, so rows at different positions share
one call, and attention reads each row's filled slots only.
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
        self.vocab = self.sess.get_outputs()[0].shape[-1]
        self.inputs = {i.name for i in self.sess.get_inputs()}

    def cache(self, rows):
        """Zeroed cache for `rows` streams: per layer [key, value], each [rows, H, S, D]."""
        shape = (rows, self.heads, self.capacity, self.head_dim)
        return [[np.zeros(shape, np.float32), np.zeros(shape, np.float32)] for _ in range(self.layers)]

    def run(self, ids, lengths, cache, condition=None, condition_mask=None, rows=None):
        """Feeds ids [B, T] to the streams `rows` (default 0..B-1) of `cache`, whose filled lengths are `lengths`
        (list, updated in place); the new keys/values land in the cache; returns logits [B, T, V]."""
        import onnxruntime as ort
        ids = np.asarray(ids, dtype=np.int64)
        B, T = ids.shape
        rows = list(range(B)) if rows is None else list(rows)
        if any(lengths[r] + T > self.capacity for r in rows):
            raise ValueError(f"{T} tokens do not fit the cache of {self.capacity} slots")
        pos = np.array([[lengths[r] + t for t in range(T)] for r in rows], dtype=np.int64)
        io = self.sess.io_binding()
        io.bind_cpu_input("input_ids", ids)
        io.bind_cpu_input("position_ids", pos)
        if "condition" in self.inputs:
            io.bind_cpu_input("condition", np.asarray(condition, dtype=np.float32).reshape(B, 2))
        if "condition_mask" in self.inputs:
            io.bind_cpu_input("condition_mask", np.asarray(condition_mask, dtype=np.float32).reshape(B))
        in_place = rows == list(range(B))  # the first B rows are one block of the cache; others are gathered
        kv = [[c[:B] if in_place else np.ascontiguousarray(c[rows]) for c in layer] for layer in cache]
        held = []  # the OrtValues over the cache's memory live until the call returns
        for i in range(self.layers):
            for c, part in zip(kv[i], ("key", "value")):
                buffer = ort.OrtValue.ortvalue_from_numpy(c)
                held.append(buffer)
                io.bind_ortvalue_input(f"past_key_values.{i}.{part}", buffer)
                io.bind_ortvalue_output(f"present.{i}.{part}", buffer)
        logits = np.empty((B, T, self.vocab), np.float32)
        held.append(ort.OrtValue.ortvalue_from_numpy(logits))
        io.bind_ortvalue_output("logits", held[-1])
        self.sess.run_with_iobinding(io)
        if not in_place:
            for layer, gathered in zip(cache, kv):
                for c, g in zip(layer, gathered):
                    c[rows] = g
        for r in rows:
            lengths[r] += T
        return logits

"""The decoder's ONNX graph for batched incremental decoding, written node by node from a MusicTransformer's weights.

torch.onnx.export traces `forward_step` into about 770 nodes, most of them shape arithmetic around every view and the
rotary embedding recomputed in every layer. At one token a step, ONNX Runtime's cost per node then weighs as much
as the arithmetic. This graph computes the same function with about 70 nodes:

  - each layer's attention is one com.microsoft GroupQueryAttention node (ONNX Runtime's kernel for decoding with a
    key/value cache): it takes the packed q|k|v projection, turns q and k by their rotary positions itself, attends
    over each row's filled slots only (seqlens_k) and, when the caller binds present.* to the same memory as
    past_key_values.* (a shared buffer, as ONNX Runtime GenAI does), writes the new keys and values into the cache
    in place, so nothing is copied;
  - the head dimensions of q and k are reordered in the projection's weights (even ones, then odd ones), so that a
    rotary pair is (j, j + D/2), the kernel's non-interleaved layout: a permutation applied to both q and k leaves
    every dot product, and so attention, unchanged; the keys in the cache are stored in that order, which only this
    graph reads;
  - 1/sqrt(head_dim) is folded into q's columns (the kernel's scale is 1);
  - the cos and sin of every position (the trained window) are constant tables shared by all layers, and each
    row's length (seqlens_k, total_sequence_length) is computed once from position_ids;
  - continuous_concat's emotion vector is added to a token embedding padded with zeros instead of concatenated.
GELU is written as the erf form that ONNX Runtime fuses into one kernel, LayerNormalization is the ONNX operator.
The interface is the one training/export.py documents; export.py checks the graph against PyTorch's reference
decoding (max |delta logit| <= 1e-4) before it writes a model.
"""
import math

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17  # ONNX Runtime Java 1.29 reads it


def _np(t):
    return t.detach().cpu().numpy().astype(np.float32)


class _Graph:
    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0

    def const(self, name, value):
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type, inputs, n_out=1, name=None, **attrs):
        self.count += 1
        base = name or f"{op_type.lower()}_{self.count}"
        outs = [base] if n_out == 1 else [f"{base}_{k}" for k in range(n_out)]
        self.nodes.append(helper.make_node(op_type, inputs, outs, name=f"n{self.count}_{op_type}", **attrs))
        return outs[0] if n_out == 1 else outs


def _head_order(D):
    """Per head: the even dimensions, then the odd ones (a rotary pair (2i, 2i+1) becomes (i, i + D/2))."""
    return np.concatenate([np.arange(0, D, 2), np.arange(1, D, 2)])


def _qkv_weights(blk, cfg):
    """[C, 3C] and [3C]: the projection with q's and k's head dimensions reordered, q's scaled by 1/sqrt(D)."""
    C, H = cfg.n_embd, cfg.n_head
    D = C // H
    W = _np(blk.attn.qkv.weight).T  # [C, 3C]: h @ W + b
    b = _np(blk.attn.qkv.bias)
    cols = np.concatenate([h * D + _head_order(D) for h in range(H)])
    cols = np.concatenate([cols, C + cols, 2 * C + np.arange(C)])
    scale = np.concatenate([np.full(C, 1.0 / math.sqrt(D)), np.ones(2 * C)]).astype(np.float32)
    return (W[:, cols] * scale).astype(np.float32), (b[cols] * scale).astype(np.float32)


def _rope_tables(cfg):
    """cos and sin [block_size, D] of one head in the reordered layout (pair i at dimensions i and i + D/2)."""
    D = cfg.n_embd // cfg.n_head
    inv = 1.0 / (10000 ** (np.arange(0, D, 2, dtype=np.float64) / D))  # as model.CausalSelfAttention
    freqs = np.arange(cfg.block_size, dtype=np.float64)[:, None] * inv[None, :]  # [S, D/2]
    ang = np.concatenate([freqs, freqs], axis=1)
    return np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)


def build(model):
    """The ONNX model (onnx.ModelProto) of model.forward_step, inputs and outputs as export.io_names lists them."""
    cfg = model.cfg
    C, H, V = cfg.n_embd, cfg.n_head, cfg.vocab_size
    D = C // H
    has_cond = cfg.conditioning in ("continuous_concat", "continuous_token")
    has_mask = cfg.null_condition and has_cond
    g = _Graph()

    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence_length"]),
              helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch", "sequence_length"])]
    if has_cond:
        inputs.append(helper.make_tensor_value_info("condition", TensorProto.FLOAT, ["batch", 2]))
    if has_mask:
        inputs.append(helper.make_tensor_value_info("condition_mask", TensorProto.FLOAT, ["batch"]))
    past = ["batch", H, "past_sequence_length", D]
    for i in range(cfg.n_layer):
        inputs += [helper.make_tensor_value_info(f"past_key_values.{i}.key", TensorProto.FLOAT, past),
                   helper.make_tensor_value_info(f"past_key_values.{i}.value", TensorProto.FLOAT, past)]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "sequence_length", V])]
    present = ["batch", H, "present_sequence_length", D]
    for i in range(cfg.n_layer):
        outputs += [helper.make_tensor_value_info(f"present.{i}.key", TensorProto.FLOAT, present),
                    helper.make_tensor_value_info(f"present.{i}.value", TensorProto.FLOAT, present)]

    # ---- embedding
    emb = _np(model.tok_emb.weight)
    if cfg.conditioning == "continuous_concat":
        emb = np.concatenate([emb, np.zeros((V, cfg.d_condition), np.float32)], axis=1)
    x = g.op("Gather", [g.const("tok_emb", emb), "input_ids"], axis=0)  # [B, T, C]
    m = g.op("Unsqueeze", ["condition_mask", g.const("axis1", np.array([1], np.int64))]) if has_mask else None

    def masked(vec, null_name, null_value):
        """m * vec + (1 - m) * null, per row ([B, C])."""
        null = g.const(null_name, null_value)
        return g.op("Add", [null, g.op("Mul", [m, g.op("Sub", [vec, null])])])

    if cfg.conditioning == "continuous_concat":
        W = np.zeros((2, C), np.float32)
        W[:, C - cfg.d_condition:] = _np(model.cond.weight).T
        b = np.zeros(C, np.float32)
        b[C - cfg.d_condition:] = _np(model.cond.bias)
        c = g.op("Add", [g.op("MatMul", ["condition", g.const("cond_w", W)]), g.const("cond_b", b)])  # [B, C]
        if has_mask:
            null = np.zeros(C, np.float32)
            null[C - cfg.d_condition:] = _np(model.null_cond)
            c = masked(c, "null_cond", null)
        x = g.op("Add", [x, g.op("Unsqueeze", [c, g.const("axis1b", np.array([1], np.int64))])])
    elif cfg.conditioning == "continuous_token":
        slots = []
        for k, (lin, null_name) in enumerate(((model.cond_v, "null_v"), (model.cond_a, "null_a"))):
            W = np.zeros((2, C), np.float32)
            W[k] = _np(lin.weight)[:, 0]
            vec = g.op("Add", [g.op("MatMul", ["condition", g.const(f"slot{k}_w", W)]),
                               g.const(f"slot{k}_b", _np(lin.bias))])
            if has_mask:
                vec = masked(vec, null_name, _np(getattr(model, null_name)))
            slots.append(g.op("Unsqueeze", [vec, g.const(f"axis1_s{k}", np.array([1], np.int64))]))  # [B, 1, C]
        for k in (1, 0):  # where(pos == 0, v, where(pos == 1, a, token))
            at = g.op("Unsqueeze", [g.op("Equal", ["position_ids", g.const(f"pos{k}", np.array(k, np.int64))]),
                                    g.const(f"axis_last{k}", np.array([-1], np.int64))])
            x = g.op("Where", [at, slots[k], x])

    # ---- shared by the layers: the rotary tables and each row's length
    cos_t, sin_t = _rope_tables(cfg)
    g.const("rope_cos", cos_t[:, : D // 2].copy())  # [block_size, D/2]: GroupQueryAttention's half tables
    g.const("rope_sin", sin_t[:, : D // 2].copy())
    last = g.op("Gather", ["position_ids", g.const("last", np.array(-1, np.int64))], axis=1)  # [B]
    seqlens = g.op("Cast", [last], to=TensorProto.INT32)  # seqlens_k: each row's length after this call, minus 1
    total = g.op("Cast", [g.op("Add", [g.op("ReduceMax", [last], keepdims=0), g.const("one", np.array(1, np.int64))])],
                 to=TensorProto.INT32)  # total_sequence_length: the longest row's
    for li, blk in enumerate(model.blocks):
        p = f"l{li}."
        h = g.op("LayerNormalization", [x, g.const(p + "ln1_w", _np(blk.ln1.weight)), g.const(p + "ln1_b", _np(blk.ln1.bias))],
                 axis=-1, epsilon=blk.ln1.eps)
        Wm, bm = _qkv_weights(blk, cfg)
        qkv = g.op("Add", [g.op("MatMul", [h, g.const(p + "qkv_w", Wm)]), g.const(p + "qkv_b", bm)])  # [B, T, 3C]
        g.count += 1
        y = f"attention_{li}"
        g.nodes.append(helper.make_node(
            "GroupQueryAttention",
            [qkv, "", "", f"past_key_values.{li}.key", f"past_key_values.{li}.value", seqlens, total, "rope_cos",
             "rope_sin"],
            [y, f"present.{li}.key", f"present.{li}.value"], name=f"n{g.count}_GroupQueryAttention",
            domain="com.microsoft", num_heads=H, kv_num_heads=H, scale=1.0, do_rotary=1, rotary_interleaved=0))
        y = g.op("Add", [g.op("MatMul", [y, g.const(p + "proj_w", _np(blk.attn.proj.weight).T)]),
                         g.const(p + "proj_b", _np(blk.attn.proj.bias))])
        x = g.op("Add", [x, y])
        h = g.op("LayerNormalization", [x, g.const(p + "ln2_w", _np(blk.ln2.weight)), g.const(p + "ln2_b", _np(blk.ln2.bias))],
                 axis=-1, epsilon=blk.ln2.eps)
        fc, out = blk.mlp[0], blk.mlp[2]
        h = g.op("Add", [g.op("MatMul", [h, g.const(p + "fc_w", _np(fc.weight).T)]), g.const(p + "fc_b", _np(fc.bias))])
        erf = g.op("Erf", [g.op("Div", [h, g.const(p + "sqrt2", np.array(math.sqrt(2.0), np.float32))])])
        h = g.op("Mul", [g.op("Mul", [h, g.op("Add", [erf, g.const(p + "one_f", np.array(1.0, np.float32))])]),
                         g.const(p + "half", np.array(0.5, np.float32))])
        h = g.op("Add", [g.op("MatMul", [h, g.const(p + "out_w", _np(out.weight).T)]), g.const(p + "out_b", _np(out.bias))])
        x = g.op("Add", [x, h])
    x = g.op("LayerNormalization", [x, g.const("lnf_w", _np(model.ln_f.weight)), g.const("lnf_b", _np(model.ln_f.bias))],
             axis=-1, epsilon=model.ln_f.eps)
    g.nodes.append(helper.make_node("MatMul", [x, g.const("head_w", _np(model.head.weight).T)], ["logits"]))

    graph = helper.make_graph(g.nodes, "music_decoder", inputs, outputs, g.inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid("com.microsoft", 1)],
                          producer_name="aria training/onnx_graph.py")
    m.ir_version = 8
    return m


def save(model, path):
    m = build(model)
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, str(path))
    return len(m.graph.node)

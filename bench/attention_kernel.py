#!/usr/bin/env python3
"""One layer's attention over a decoder's key/value cache, two ways, in ONNX Runtime on one thread:

  - GroupQueryAttention, as the shipped decoders run it (com.microsoft; the cache [B, heads, 256, head_dim] bound as
    both past and present, so that it is read in place; `fill` slots filled in every row);
  - the same arithmetic as plain operators over a cache laid out for it: MatMul(q [B, H, 1, D], K^T [B, H, D, T]),
    Softmax, MatMul(p, V [B, H, T, D]), T = `fill`. Nothing else (no rotary positions, no mask, no write of the new
    key and value), so it is a floor for any graph of plain operators, not a drop-in replacement.

Prints microseconds a call (best and median of the rounds, the two in turns), the cache bytes a call reads and the
rate that implies, for each batch size. The shipped decoders have 4 layers of 4 heads of 64 dimensions and a
256-slot window; bench/step_time.py times their whole step.

    python bench/attention_kernel.py --batch 1,2,4,8 --fill 240
"""
import argparse
import statistics
import time

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper

HEADS, HEAD_DIM, WINDOW = 4, 64, 256
WIDTH = HEADS * HEAD_DIM
OPSETS = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]


def _model(nodes, inputs, outputs):
    graph = helper.make_graph(nodes, "attention", inputs, outputs)
    return helper.make_model(graph, opset_imports=OPSETS, ir_version=9).SerializeToString()  # IR 9: ONNX Runtime 1.29


def gqa_model(batch):
    node = helper.make_node("GroupQueryAttention", ["qkv", "", "", "past_key", "past_value", "seqlens_k", "total"],
                            ["y", "present_key", "present_value"], domain="com.microsoft", num_heads=HEADS,
                            kv_num_heads=HEADS, scale=1.0)
    cache = [batch, HEADS, WINDOW, HEAD_DIM]
    return _model([node],
                  [helper.make_tensor_value_info("qkv", TensorProto.FLOAT, [batch, 1, 3 * WIDTH]),
                   helper.make_tensor_value_info("past_key", TensorProto.FLOAT, cache),
                   helper.make_tensor_value_info("past_value", TensorProto.FLOAT, cache),
                   helper.make_tensor_value_info("seqlens_k", TensorProto.INT32, [batch]),
                   helper.make_tensor_value_info("total", TensorProto.INT32, [])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 1, WIDTH]),
                   helper.make_tensor_value_info("present_key", TensorProto.FLOAT, cache),
                   helper.make_tensor_value_info("present_value", TensorProto.FLOAT, cache)])


def matmul_model(batch, fill):
    nodes = [helper.make_node("MatMul", ["q", "k_t"], ["scores"]),
             helper.make_node("Softmax", ["scores"], ["p"], axis=-1),
             helper.make_node("MatMul", ["p", "v"], ["y"])]
    return _model(nodes,
                  [helper.make_tensor_value_info("q", TensorProto.FLOAT, [batch, HEADS, 1, HEAD_DIM]),
                   helper.make_tensor_value_info("k_t", TensorProto.FLOAT, [batch, HEADS, HEAD_DIM, fill]),
                   helper.make_tensor_value_info("v", TensorProto.FLOAT, [batch, HEADS, fill, HEAD_DIM])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, HEADS, 1, HEAD_DIM])])


def session(model):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])


def gqa_call(batch, fill, rng):
    s = session(gqa_model(batch))
    key = ort.OrtValue.ortvalue_from_numpy(rng.standard_normal((batch, HEADS, WINDOW, HEAD_DIM), dtype=np.float32))
    value = ort.OrtValue.ortvalue_from_numpy(rng.standard_normal((batch, HEADS, WINDOW, HEAD_DIM), dtype=np.float32))
    io = s.io_binding()
    io.bind_cpu_input("qkv", rng.standard_normal((batch, 1, 3 * WIDTH), dtype=np.float32))
    io.bind_ortvalue_input("past_key", key)
    io.bind_ortvalue_input("past_value", value)
    io.bind_ortvalue_output("present_key", key)  # one buffer, as the service binds it
    io.bind_ortvalue_output("present_value", value)
    # the new token takes slot fill - 1, so that the call reads fill slots
    io.bind_cpu_input("seqlens_k", np.full(batch, fill - 1, np.int32))
    io.bind_cpu_input("total", np.array(fill, np.int32))
    io.bind_output("y")
    held = (key, value)  # the binding does not keep the cache alive: the call must

    def call():
        s.run_with_iobinding(io)
        return held
    return call


def matmul_call(batch, fill, rng):
    s = session(matmul_model(batch, fill))
    io = s.io_binding()
    io.bind_cpu_input("q", rng.standard_normal((batch, HEADS, 1, HEAD_DIM), dtype=np.float32))
    io.bind_cpu_input("k_t", rng.standard_normal((batch, HEADS, HEAD_DIM, fill), dtype=np.float32))
    io.bind_cpu_input("v", rng.standard_normal((batch, HEADS, fill, HEAD_DIM), dtype=np.float32))
    io.bind_output("y")
    return lambda: s.run_with_iobinding(io)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", default="1,2,4,8", help="rows a call, a list")
    ap.add_argument("--fill", type=int, default=240, help="slots filled in every row (at most 256)")
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    print(f"onnxruntime {ort.__version__}, one thread, one layer ({HEADS} heads x {HEAD_DIM}), {a.fill} slots filled, "
          f"{a.calls} calls x {a.rounds} rounds, the two in turns")
    print(f"{'B':>2} {'cache read':>10}   {'GroupQueryAttention':>30}   {'MatMul, Softmax, MatMul':>30}")
    for batch in (int(b) for b in a.batch.split(",")):
        calls = {"gqa": gqa_call(batch, a.fill, rng), "matmul": matmul_call(batch, a.fill, rng)}
        times = {k: [] for k in calls}
        for c in calls.values():
            for _ in range(200):
                c()
        for _ in range(a.rounds):
            for k, c in calls.items():
                t = time.perf_counter()
                for _ in range(a.calls):
                    c()
                times[k].append((time.perf_counter() - t) / a.calls * 1e6)
        mb = batch * HEADS * a.fill * HEAD_DIM * 4 * 2 / 1e6  # keys and values
        cells = []
        for k in calls:
            best, median = min(times[k]), statistics.median(times[k])
            cells.append(f"{best:6.1f} / {median:6.1f} us {mb / best * 1e3:5.1f} GB/s")
        print(f"{batch:>2} {mb:7.2f} MB   {cells[0]:>30}   {cells[1]:>30}")


if __name__ == "__main__":
    main()

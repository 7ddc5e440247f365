"""One decoder call, timed alone: ONNX Runtime from Python, one thread, every input bound once (io binding), the cache
filled to `--fill` slots. Prints the files side by side, in turns (each file timed once a round, best and median of the
rounds), so that a machine whose speed drifts treats them alike.

    python bench/step_time.py models/music_continuous_concat.int4.onnx models/music_continuous_concat.int8.onnx
    python bench/step_time.py --batch 2 --fill 240 A.onnx B.onnx     # e.g. a decoder file of an earlier commit
    python bench/step_time.py --products --batch 4 FILE.onnx         # the file's weight products alone

It reads both interfaces the project has shipped: the graph with GroupQueryAttention (present.* bound to the memory of
past_key_values.*) and the earlier one with an attention_mask input and the new tokens' keys and values as outputs.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from training.onnx_decoder import card_path  # noqa: E402


def prepared(path, batch, fill):
    """A session and its io binding for one step of `batch` rows, each with `fill` slots filled."""
    import json
    arch = json.loads(card_path(path).read_text())["architecture"]
    heads, window, dim = arch["n_head"], arch["block_size"], arch["n_embd"] // arch["n_head"]
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    s = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    names = {i.name for i in s.get_inputs()}
    io, held = s.io_binding(), []
    io.bind_cpu_input("input_ids", np.full((batch, 1), 5, np.int64))
    io.bind_cpu_input("position_ids", np.full((batch, 1), fill, np.int64))
    if "condition" in names:
        io.bind_cpu_input("condition", np.zeros((batch, 2), np.float32))
    if "condition_mask" in names:
        io.bind_cpu_input("condition_mask", np.ones(batch, np.float32))
    shared = "attention_mask" not in names
    if not shared:
        mask = np.zeros((batch, window + 1), np.int64)
        mask[:, :fill] = 1
        mask[:, window] = 1
        io.bind_cpu_input("attention_mask", mask)
    rng = np.random.default_rng(0)
    for o in s.get_outputs():
        if not o.name.startswith("present."):
            continue
        cache = rng.random((batch, heads, window, dim), dtype=np.float32)
        held.append(ort.OrtValue.ortvalue_from_numpy(cache))
        past = o.name.replace("present.", "past_key_values.")
        io.bind_ortvalue_input(past, held[-1])
        if shared:
            io.bind_ortvalue_output(o.name, held[-1])
        else:
            io.bind_output(o.name, "cpu")
    io.bind_output("logits", "cpu")
    return s, io, held


def products(path, batch):
    """A session of the file's weight products alone (its MatMulNBits nodes, each on an input of its own of `batch`
    rows) and its io binding: what the arithmetic of a step costs without the rest of the graph."""
    import onnx
    from onnx import TensorProto, helper
    src = onnx.load(str(path))
    inits = {i.name: i for i in src.graph.initializer}
    nodes, ins, outs, used = [], [], [], {}
    for j, n in enumerate(x for x in src.graph.node if x.op_type == "MatMulNBits"):
        attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
        ins.append(helper.make_tensor_value_info(f"x{j}", TensorProto.FLOAT, [batch, 1, attrs["K"]]))
        outs.append(helper.make_tensor_value_info(f"y{j}", TensorProto.FLOAT, None))
        nodes.append(helper.make_node("MatMulNBits", [f"x{j}", *n.input[1:]], [f"y{j}"], domain="com.microsoft", **attrs))
        used.update({i: inits[i] for i in n.input[1:] if i in inits})
    if not nodes:
        raise SystemExit(f"{path}: no MatMulNBits (a float32 file?)")
    g = helper.make_graph(nodes, "products", ins, outs, list(used.values()))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    m.ir_version = 8
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    s = ort.InferenceSession(m.SerializeToString(), so, providers=["CPUExecutionProvider"])
    io = s.io_binding()
    for i in ins:
        io.bind_cpu_input(i.name, np.random.default_rng(0).random((batch, 1, i.type.tensor_type.shape.dim[2].dim_value),
                                                                  dtype=np.float32))
    for o in outs:
        io.bind_output(o.name, "cpu")
    return s, io, []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--fill", type=int, default=240)
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--products", action="store_true", help="time each file's MatMulNBits nodes alone")
    a = ap.parse_args()
    runs = [(f, *(products(f, a.batch) if a.products else prepared(f, a.batch, a.fill))) for f in a.files]
    for _, s, io, _ in runs:
        for _ in range(200):
            s.run_with_iobinding(io)
    times = {f: [] for f in a.files}
    for _ in range(a.rounds):
        for f, s, io, _ in runs:
            t = time.perf_counter()
            for _ in range(a.calls):
                s.run_with_iobinding(io)
            times[f].append((time.perf_counter() - t) / a.calls * 1e3)
    what = "the weight products alone" if a.products else f"{a.fill} slots filled"
    print(f"onnxruntime {ort.__version__}, one thread, batch {a.batch}, {what}, "
          f"{a.calls} calls x {a.rounds} rounds")
    for f, v in times.items():
        print(f"{f:60s} best {min(v):.3f} ms  median {statistics.median(v):.3f} ms")


if __name__ == "__main__":
    main()
